#!/usr/bin/env python3
"""examples/rg_flow: its command line (examples/cli.h's convention: --help
and -h exit 0 at once, usage errors exit 2 with a reason and a pointer to
--help) and a --quick run: report.md with both flows, summary.json whose
numbers are JSON numbers (null only where nothing was measured), the two
SVG plots well formed, the thermometer reading the fine samples' coupling,
and the same seed reproducing summary.json.

Usage: test_rg_flow.py PATH_TO_RG_FLOW"""
import json
import math
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

exe = sys.argv[1]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(args, timeout=600):
    return subprocess.run([exe] + args, capture_output=True, text=True, timeout=timeout)


for flag in ("--help", "-h"):
    r = run([flag], timeout=10)
    check(r.returncode == 0 and "Usage:" in r.stdout, flag + " prints the usage and exits 0")
    for option in ("--quick", "--seed", "--out", "--L", "--samples", "--hidden", "--epochs",
                   "--passes", "--spin-units"):
        check(option in r.stdout, flag + " lists " + option)

ERRORS = [(["--no-such-option"], "--no-such-option"), (["--seed"], "--seed"),
          (["--seed", "-1"], "-1"), (["--L", "9"], "odd"), (["--L", "4"], "4"),
          (["--samples", "10"], "10"), (["--hidden=x"], "x"), (["--out"], "--out")]
for args, reason in ERRORS:
    r = run(args, timeout=10)
    check(r.returncode == 2 and reason in r.stderr and "--help" in r.stderr,
          "%s exits 2 naming %r (got %d: %s)" % (args, reason, r.returncode, r.stderr.strip()))


def numbers(x, path="summary"):
    """Every leaf is a finite number, a bool, a string or null."""
    if isinstance(x, dict):
        for k, v in x.items():
            numbers(v, path + "." + k)
    elif isinstance(x, list):
        for i, v in enumerate(x):
            numbers(v, "%s[%d]" % (path, i))
    elif isinstance(x, float):
        check(math.isfinite(x), path + " is finite")


def without_times(x):
    if isinstance(x, dict):
        return {k: without_times(v) for k, v in x.items() if not k.startswith("seconds")}
    return x


def quick_run(out):
    r = run(["--quick", "--out", out])
    check(r.returncode == 0, "--quick exits 0 (%d: %s)" % (r.returncode, r.stderr[-500:]))
    return open(os.path.join(out, "summary.json")).read()


with tempfile.TemporaryDirectory() as tmp:
    text = quick_run(os.path.join(tmp, "a"))
    s = json.loads(text)
    numbers(s)
    check(abs(s["k_critical"] - 0.44068679350977151) < 1e-15, "k_critical")
    cf = s["coarse_flow"]
    names = [m["name"] for m in cf["maps"]]
    check(names[:2] == ["majority", "decimation"], "maps majority and decimation: %s" % names)
    for K, fine in zip(cf["K"], cf["fine_k_eff"]):
        check(abs(fine["value"] - K) < 4 * fine["error"],
              "fine K_eff %s reads K = %s" % (fine, K))
    maj = cf["maps"][0]
    check(maj["crossing"]["found"] and abs(maj["crossing"]["value"] - 0.4407) < 0.03,
          "majority crosses K' = K near K_c: %s" % maj["crossing"])
    check(maj["crossing"]["slope"] > 0, "majority runs away from its crossing")
    rf = s["rbm_flow"]
    check(len(rf["flows"]) >= 2 and all(len(f["k_eff"]) == rf["passes"] + 1 for f in rf["flows"]),
          "RBM flow table: passes + 1 entries per start")
    report = open(os.path.join(tmp, "a", "report.md")).read()
    for heading in ("## The coarse-graining flow", "### Crossings", "## The RBM flow"):
        check(heading in report, "report.md has " + heading)
    for svg in ("coarse_flow.svg", "rbm_flow.svg"):
        root = ET.parse(os.path.join(tmp, "a", svg)).getroot()
        check(root.tag.endswith("svg") and len(root.findall(".//{*}circle")) > 0,
              svg + " is an SVG with points")
    check(without_times(json.loads(quick_run(os.path.join(tmp, "b")))) == without_times(s),
          "the same seed reproduces summary.json (but for its run times)")

print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
