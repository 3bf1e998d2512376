#!/usr/bin/env python3
"""What the rgrbm package adds to the C library's own time.

Prints, for a CD-1 epoch (default: a small 256 x 64 RBM on 4000 rows;
--full: tests/bench/bench_cd.c's 1600 x 400 on 20,000 rows) and for small
calls, the time through the package and through bare ctypes calls of the
same C functions (the C time plus ctypes' own call cost, which any ctypes
binding pays), and the difference. Goals (issue 14): under 5% of an epoch,
under 10 us a small call.

Usage: overhead.py [--full] [--repeat N]
"""
import argparse
import ctypes
import os
import sys
import time

try:
    import numpy as np
except ImportError:
    print("overhead.py needs numpy (Debian: apt-get install python3-numpy)", file=sys.stderr)
    sys.exit(77)
try:
    import rgrbm as R
except ImportError:  # a source tree
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                    "python"))
    import rgrbm as R
from rgrbm import _core as C  # noqa: E402


def best(fn, repeat, number=1):
    """Best of `repeat` timings of `number` calls, in seconds per call."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t) / number)
    return min(times)


def epoch(args):
    nv, nh, rows = (1600, 400, 20000) if args.full else (256, 64, 4000)
    g = np.random.default_rng(1)
    spins = np.where(g.random((rows, nv)) < 0.5, -1, 1).astype(np.int8)
    data = R.Dataset.from_array(spins)
    stack = R.Stack([nv, nh])
    opts = R.CdOptions(epochs=1, batch_size=100)
    raw = R.CdOptions(epochs=1, batch_size=100)
    sp, dp = stack._p, data._p

    def package():
        R.cd_train(stack, 0, data, opts, record=False)

    def package_history():
        R.cd_train(stack, 0, data, opts)

    def bare():
        C.lib.rgrbm_cd_train(sp, 0, dp, ctypes.byref(raw))

    # Interleaved, after one warm-up epoch each, so that drift in the
    # machine's load reaches the three alike.
    times = {bare: [], package: [], package_history: []}
    for fn in times:
        fn()
    for _ in range(args.repeat):
        for fn, ts in times.items():
            ts.append(best(fn, 1))
    t_bare, t_pkg, t_hist = (min(ts) for ts in times.values())
    print(f"CD-1 epoch, {nv} x {nh}, {rows} rows, batch 100 (best of {args.repeat}):")
    print(f"  bare ctypes      {t_bare * 1e3:9.2f} ms")
    print(f"  package          {t_pkg * 1e3:9.2f} ms   overhead {100 * (t_pkg / t_bare - 1):+.2f}%")
    print(f"  package+history  {t_hist * 1e3:9.2f} ms   overhead {100 * (t_hist / t_bare - 1):+.2f}%"
          "  (the callback makes the trainer compute the reconstruction error)")


def small_calls(args):
    lat = R.Lattice.square(16, K=0.4)
    stack = R.Stack([16, 8])
    row = np.ones((1, 16), dtype=np.float32)
    out = np.empty((1, 8), dtype=np.float32)
    lp, sp = lat._p, stack._p
    d = ctypes.c_double()
    fp = ctypes.POINTER(ctypes.c_float)
    rowp, outp = row.ctypes.data_as(fp), out.ctypes.data_as(fp)
    cases = [
        ("Stack.depth", lambda: stack.depth, lambda: C.lib.rgrbm_stack_depth(sp)),
        ("Lattice.magnetization()", lat.magnetization,
         lambda: C.lib.rgrbm_lattice_magnetization(lp, ctypes.byref(d))),
        ("Stack.up(one row)", lambda: stack.up(row),
         lambda: C.lib.rgrbm_stack_up(sp, 0, 1, rowp, 1, outp)),
        ("Stack.weights(0) view", lambda: stack.weights(0),
         lambda: C.lib.rgrbm_stack_weights(sp, 0)),
    ]
    print(f"small calls (best of {args.repeat} x 2000):")
    for name, package, bare in cases:
        t_pkg, t_bare = best(package, args.repeat, 2000), best(bare, args.repeat, 2000)
        print(f"  {name:26s} package {t_pkg * 1e6:7.2f} us   bare ctypes {t_bare * 1e6:7.2f} us"
              f"   overhead {(t_pkg - t_bare) * 1e6:6.2f} us")


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--full", action="store_true", help="bench_cd.c's 1600 x 400 shape")
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args(argv)
    print(f"rgrbm {R.__version__}, kernels {R.cpu_level()}")
    epoch(args)
    small_calls(args)


if __name__ == "__main__":
    main(sys.argv[1:])
