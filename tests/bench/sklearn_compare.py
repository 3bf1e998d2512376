#!/usr/bin/python3
"""Time scikit-learn's BernoulliRBM against librgrbm on the same epoch.

One epoch over 20,000 random binary configurations, 1600 visible -> 400
hidden units, batches of 100, float32 on both sides. BernoulliRBM trains by
persistent CD-1 ("stochastic maximum likelihood"), so the library's PCD-1
epoch is the like-for-like figure; its CD-1 epoch is printed as well, and
both on the library's sgemm path (RGRBM_PRODUCTS_SGEMM) for reference: the
default path computes the products with a binary operand by group tables.
The library side is measured by running the C benchmark binary (its RESULT
line), alternating with scikit-learn three times; each side's best is
reported. Both sides use the same OpenBLAS (numpy through libblas.so.3).

With --cpu LEVEL (generic, avx2, avx512) the benchmark limits the library's
kernels to that level (rgrbm_cpu_set_mask); with --cpu avx2 both sides also
get OpenBLAS's Haswell (AVX2) kernels unless OPENBLAS_CORETYPE is set, so
that an AVX-512 machine stands in for an AVX2-only one.

Usage: sklearn_compare.py [--cpu LEVEL] path/to/bench_cd
Exits 77 (skipped) when scikit-learn or numpy is not installed.
"""
import os
import re
import subprocess
import sys
import time

SKIP = 77
NV, NH, COUNT, BATCH = 1600, 400, 20000, 100


def sklearn_data():
    import numpy as np

    rng = np.random.default_rng(2024)
    return (rng.random((COUNT, NV)) < 0.5).astype(np.float32)


def time_sklearn(x):
    from sklearn.neural_network import BernoulliRBM

    rbm = BernoulliRBM(n_components=NH, batch_size=BATCH, n_iter=1, learning_rate=0.01,
                       random_state=0)
    start = time.perf_counter()
    rbm.fit(x)
    return time.perf_counter() - start, rbm.components_.dtype


def time_library(bench, level):
    args = [bench, "1", level or "best"]
    run = subprocess.run(args, capture_output=True, text=True)
    if run.returncode == SKIP:
        print(run.stdout.strip())
        sys.exit(SKIP)
    run.check_returncode()
    out = run.stdout
    found = re.search(r"RESULT (.*)", out)
    if not found:
        sys.exit("no RESULT line from " + bench)
    return {key: float(value) for key, value in
            (item.split("=") for item in found.group(1).split())}


def parse_args(argv):
    """(level or None, bench path); exits with the usage on anything else."""
    if len(argv) == 4 and argv[1] == "--cpu" and argv[2] in ("generic", "avx2", "avx512"):
        return argv[2], argv[3]
    if len(argv) == 2:
        return None, argv[1]
    sys.exit(__doc__)


def main():
    level, bench = parse_args(sys.argv)
    if level == "avx2":
        os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")  # before numpy loads OpenBLAS
    try:
        import numpy  # noqa: F401
        import sklearn.neural_network  # noqa: F401
    except ImportError:
        print("scikit-learn is not installed: skipped")
        return SKIP
    # Alternate the two sides so that a noisy machine disturbs both alike;
    # keep each side's best.
    repetitions = 3
    x = sklearn_data()
    best, sk = {}, float("inf")
    for _ in range(repetitions):
        for key, value in time_library(bench, level).items():
            best[key] = min(best.get(key, float("inf")), value)
        seconds, dtype = time_sklearn(x)
        sk = min(sk, seconds)
    print(f"work: one epoch, {NV} -> {NH}, {COUNT} configurations, batch {BATCH}, "
          f"best of {repetitions}; library kernels: {level or 'the best level'}, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(OpenBLAS default)')}")
    print(f"scikit-learn BernoulliRBM (PCD-1, {dtype}): {sk:.4f} s")
    print(f"librgrbm default path: PCD-1 {best['pcd_seconds']:.4f} s, "
          f"CD-1 {best['epoch_seconds']:.4f} s")
    print(f"librgrbm sgemm path:   PCD-1 {best['sgemm_pcd_seconds']:.4f} s, "
          f"CD-1 {best['sgemm_epoch_seconds']:.4f} s (GEMM bound {best['gemm_seconds']:.4f} s)")
    print(f"speed-up over BernoulliRBM, default path: PCD-1 {sk / best['pcd_seconds']:.2f}x, "
          f"CD-1 {sk / best['epoch_seconds']:.2f}x (goal >= 2.5x)")
    print(f"speed-up over BernoulliRBM, sgemm path:   PCD-1 "
          f"{sk / best['sgemm_pcd_seconds']:.2f}x, CD-1 {sk / best['sgemm_epoch_seconds']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
