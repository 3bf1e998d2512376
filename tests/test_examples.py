#!/usr/bin/env python3
"""The command lines of the example programs (examples/cli.h's convention):
--help and -h print a usage text to stdout and exit 0 at once, without
computing; an unknown option, a missing value or a bad number exits 2 with
a reason and a pointer to --help on stderr; --seed changes a short run's
output and the same seed reproduces it. For paper2d also: the report's
Configuration section and summary.json describe a --quick run changed by
options (tests/test_paper2d.py checks the plain --quick run).

Usage: test_examples.py --mcrg PATH --decimation1d PATH [--paper2d PATH]
                        [--train_mpi PATH]"""
import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_paper2d  # noqa: E402  (its summary.json and report checks)

HELP_TIMEOUT = 10  # seconds; a --help that computes would take longer (mcrg: 12 s)

# Per example: the options its usage must list, usage errors (a reason
# expected on stderr), and whether it has --seed.
EXAMPLES = {
    "mcrg": {
        "options": ("--seed", "-h, --help", "K", "L", "samples", "levels"),
        "errors": [(["--no-such-option"], "--no-such-option"),
                   (["0.4x"], "0.4x"),
                   (["0.44", "8.5"], "8.5"),
                   (["0.44", "8", "400", "1", "9"], "too many"),
                   (["--seed"], "--seed"),
                   (["--seed", "-1"], "-1"),
                   (["--seed", "18446744073709551616"], "18446744073709551616"),
                   (["--seed=x"], "x")],
        "short_run": ["0.44", "8", "400", "1"],
        "default_seed": 2026,
    },
    "decimation1d": {
        "options": ("-h, --help", "K", "h", "b", "steps"),
        "errors": [(["--no-such-option"], "--no-such-option"),
                   (["1", "0.1", "two"], "two"),
                   (["1", "nan"], "nan"),
                   (["1", "0.1", "2", "0"], "0"),
                   (["--seed", "1"], "--seed")],  # deterministic: no seed to set
    },
    "train_mpi": {
        "options": ("--quick", "--seed", "--out", "epochs", "samples", "batch", "-h, --help"),
        "errors": [(["--no-such-option"], "--no-such-option"),
                   (["3x"], "3x"),
                   (["2", "0"], "0"),
                   (["2", "100", "10", "7"], "too many"),
                   (["--out"], "--out"),
                   (["--seed", "-1"], "-1")],
    },
    "paper2d": {
        "options": ("--out", "--quick", "--seed", "--epochs", "--samples", "--batch", "--lr",
                    "--threads", "--cpu", "-h, --help"),
        "errors": [(["--no-such-option"], "--no-such-option"),
                   (["-x"], "-x"),
                   (["--epochs", "3x"], "3x"),
                   (["--samples", "19"], "19"),
                   (["--lr", "inf"], "inf"),
                   (["--lr", "-0.1"], "-0.1"),
                   (["--seed"], "--seed"),
                   (["--seed", "-1"], "-1"),
                   (["--quick", "extra"], "extra")],
    },
}


def run(cmd, cwd=None, timeout=60):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          cwd=cwd, timeout=timeout)


def check_help(name, exe):
    for flag in ("--help", "-h"):
        with tempfile.TemporaryDirectory() as cwd:
            result = run([exe, flag], cwd=cwd, timeout=HELP_TIMEOUT)
            assert result.returncode == 0, "%s %s exited %d" % (name, flag, result.returncode)
            assert result.stdout.startswith("Usage"), "%s %s: %r" % (name, flag, result.stdout[:80])
            assert os.listdir(cwd) == [], "%s %s wrote %s" % (name, flag, os.listdir(cwd))
        for option in EXAMPLES[name]["options"]:
            assert option in result.stdout, "%s --help does not list %s" % (name, option)
        assert "default" in result.stdout


def check_errors(name, exe):
    for args, shown in EXAMPLES[name]["errors"]:
        result = run([exe] + args, timeout=HELP_TIMEOUT)
        what = "%s %s" % (name, " ".join(args))
        assert result.returncode == 2, "%s exited %d, expected 2" % (what, result.returncode)
        assert result.stdout == "", "%s printed to stdout: %r" % (what, result.stdout)
        lines = result.stderr.splitlines()
        assert len(lines) == 2 and shown in lines[0] and "--help" in lines[1], \
            "%s: stderr %r" % (what, result.stderr)


def check_mcrg_seed(exe):
    spec = EXAMPLES["mcrg"]

    def output(*seed):
        result = run([exe] + spec["short_run"] + list(seed))
        assert result.returncode == 0, result.stderr
        return result.stdout

    five = output("--seed", "5")
    assert output("--seed=5") == five, "the same seed gave another output"
    assert output("--seed", "6") != five, "another seed gave the same output"
    assert output() == output("--seed", str(spec["default_seed"])), "default seed"


def check_decimation_runs(exe):
    result = run([exe, "-1", "-0.2", "3", "2"])  # negative numbers are arguments
    assert result.returncode == 0 and "b = 3" in result.stdout, result.stderr


def paper2d_run(exe, out, options):
    result = run([exe, "--quick", "--out", out] + options, timeout=120)
    assert result.returncode == 0, "paper2d %s: %s" % (" ".join(options), result.stderr)
    with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
        return f.read()


def check_paper2d(exe):
    small = ["--samples", "200", "--epochs", "2", "--batch", "50", "--lr", "0.03"]
    with tempfile.TemporaryDirectory() as tmp:
        def out(name):
            return os.path.join(tmp, name)
        five = paper2d_run(exe, out("a"), small + ["--seed", "5"])
        expected = dict(test_paper2d.QUICK, samples=200, epochs=2, batch=50,
                        learning_rate=0.03, seed=5)
        test_paper2d.check_configuration(out("a"), expected)
        assert paper2d_run(exe, out("b"), small + ["--seed=5"]) == five, \
            "the same seed gave another summary.json"
        assert paper2d_run(exe, out("c"), small + ["--seed", "6"]) != five, \
            "another seed gave the same summary.json"
        with open(os.path.join(out("a"), "dataset.npy"), "rb") as a, \
                open(os.path.join(out("c"), "dataset.npy"), "rb") as c:
            assert a.read() != c.read(), "another seed drew the same data set"


def main():
    parser = argparse.ArgumentParser()
    for name in EXAMPLES:
        parser.add_argument("--" + name)
    args = {name: exe and os.path.abspath(exe) for name, exe in vars(parser.parse_args()).items()}
    assert args["mcrg"] and args["decimation1d"], "need --mcrg and --decimation1d"
    for name, exe in args.items():
        if exe:
            check_help(name, exe)
            check_errors(name, exe)
    check_mcrg_seed(args["mcrg"])
    check_decimation_runs(args["decimation1d"])
    if args["paper2d"]:
        check_paper2d(args["paper2d"])
    else:
        print("paper2d not built (no libpng): its command line not checked")
    print("examples: --help, usage errors and --seed as documented")


if __name__ == "__main__":
    main()
