#!/usr/bin/env python3
"""examples/learned_mcrg: its command line (examples/cli.h's convention:
--help and -h print the usage and exit 0 at once; usage errors exit 2 with
a reason and a pointer to --help on stderr) and a --quick run: report.md's
section and tables, summary.json with every number a JSON number (null
only where a value is not finite), the same seed reproducing the run and
another seed changing it.

Usage: test_learned_mcrg.py PATH"""
import json
import math
import os
import subprocess
import sys
import tempfile

MAPS = ("majority", "decimation", "stack")


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def run(exe, args, timeout=600):
    return subprocess.run([exe] + args, capture_output=True, text=True, timeout=timeout)


def check_cli(exe):
    for flag in ("--help", "-h"):
        p = run(exe, [flag], timeout=10)
        if p.returncode != 0:
            fail("%s exited %d" % (flag, p.returncode))
        for option in ("--quick", "--out", "--seed", "--epochs", "--samples", "-h, --help"):
            if option not in p.stdout:
                fail("%s does not list %s" % (flag, option))
    errors = [(["--no-such-option"], "--no-such-option"), (["extra"], "extra"),
              (["--seed"], "--seed"), (["--seed", "-1"], "-1"),
              (["--seed", "18446744073709551616"], "18446744073709551616"),
              (["--epochs", "0"], "0"), (["--epochs=3x"], "3x"), (["--samples", "99"], "99"),
              (["--out"], "--out")]
    for args, reason in errors:
        p = run(exe, args, timeout=10)
        if p.returncode != 2:
            fail("%s exited %d, expected 2" % (args, p.returncode))
        if reason not in p.stderr or "--help" not in p.stderr:
            fail("%s: stderr %r lacks %r or the --help pointer" % (args, p.stderr, reason))


def numbers_only(node, where):
    """Every leaf is a number (int or float, not bool) or null."""
    if isinstance(node, dict):
        for k, v in node.items():
            numbers_only(v, where + "." + k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            numbers_only(v, "%s[%d]" % (where, i))
    elif node is not None and (isinstance(node, bool) or not isinstance(node, (int, float))):
        fail("%s = %r is not a JSON number" % (where, node))


def quick_run(exe, out, seed, extra=()):
    p = run(exe, ["--quick", "--out", out, "--seed", str(seed)] + list(extra))
    if p.returncode != 0:
        fail("--quick exited %d: %s" % (p.returncode, p.stderr))
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)
    with open(os.path.join(out, "report.md")) as f:
        report = f.read()
    return summary, report


def check_summary(s):
    numbers_only(s, "summary")
    if s["L"] != 32 or s["levels"] != 3 or s["b"] != 2 or s["samples"] != 2000:
        fail("quick sizes: %r" % {k: s[k] for k in ("L", "levels", "b", "samples")})
    for key in MAPS:
        if key not in s["maps"]:
            fail("summary.json lacks map %s" % key)
    for key in ("majority", "decimation"):
        m = s["maps"][key]
        if m["levels_run"] != 3 or len(m["levels"]) != 3:
            fail("%s ran %r levels" % (key, m["levels_run"]))
        for lv in m["levels"]:
            for name in ("y_t", "y_t_err", "y_h", "y_h_err"):
                if lv[name] is None or not math.isfinite(lv[name]):
                    fail("%s level %d %s = %r" % (key, lv["level"], name, lv[name]))
            if not lv["y_h_err"] > 0 or not lv["y_t_err"] > 0:
                fail("%s level %d: errors not positive" % (key, lv["level"]))
            if len(lv["even_by_operators"]) != 6 or len(lv["odd_by_operators"]) != 4:
                fail("%s level %d: operator truncations" % (key, lv["level"]))
            # The headline is the run with every operator.
            if lv["y_h"] != lv["odd_by_operators"][-1]["y"]:
                fail("%s level %d: y_h is not the all-operator value" % (key, lv["level"]))
    stack = s["maps"]["stack"]
    placement = stack["placement"]
    if not 1 <= len(placement) <= 3:
        fail("stack placement: %r" % placement)
    for p in placement:
        if not 0 <= p["fraction"] <= 1 or p["placed"] > p["units"]:
            fail("placement %r" % p)
        if p["fraction"] != p["placed"] / p["units"]:
            fail("placement fraction %r" % p)
        # A one-to-one placement has neither empty nor crowded sites.
        if (p["placed"] == p["units"]) != (p["empty_sites"] == 0 and p["crowded_sites"] == 0):
            fail("placement counts %r" % p)
    placed_levels = 0
    for p in placement:
        if p["placed"] != p["units"]:
            break
        placed_levels += 1
    if stack["levels_run"] != placed_levels:
        fail("stack ran %d levels, %d place one-to-one" % (stack["levels_run"], placed_levels))


def check_report(report, summary):
    if not report.startswith("## Monte Carlo RG with learned plans"):
        fail("report.md does not start with its section heading")
    for text in ("| map | level | y_t | y_h |", "2 x 2 majority rule", "2 x 2 decimation",
                 "Placement of the stack's units"):
        if text not in report:
            fail("report.md lacks %r" % text)
    lv = summary["maps"]["majority"]["levels"][1]
    if "%.4f ± %.4f" % (lv["y_h"], lv["y_h_err"]) not in report:
        fail("report.md's majority level 2 y_h differs from summary.json")


def main():
    exe = sys.argv[1]
    check_cli(exe)
    with tempfile.TemporaryDirectory() as tmp:
        a, report = quick_run(exe, os.path.join(tmp, "a"), 2026)
        check_summary(a)
        check_report(report, a)
        # Seeds, on shorter runs (sanitizer builds are slow).
        short = ["--samples", "400", "--epochs", "1"]
        b1, _ = quick_run(exe, os.path.join(tmp, "b1"), 2026, short)
        b2, _ = quick_run(exe, os.path.join(tmp, "b2"), 2026, short)
        if b1 != b2 or b1["samples"] != 400 or b1["epochs"] != 1:
            fail("the same seed gave another summary.json")
        c, _ = quick_run(exe, os.path.join(tmp, "c"), 5, short)
        if c["maps"]["majority"] == b1["maps"]["majority"]:
            fail("--seed 5 did not change the majority rule's exponents")
    print("ok")


if __name__ == "__main__":
    main()
