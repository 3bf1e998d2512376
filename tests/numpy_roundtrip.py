#!/usr/bin/env python3
"""Round-trip datasets between librgrbm and numpy (Debian's python3-numpy).

Exit 77 (skipped) when numpy is not importable."""
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
except ImportError:
    print("numpy not installed: skipped")
    sys.exit(77)

tool = sys.argv[1]


def pattern(n, ly, lx):
    i = np.arange(n)[:, None]
    j = np.arange(ly * lx)[None, :]
    return np.where((i * 7 + j * 3) % 5 < 2, 1, -1).astype(np.int8).reshape(n, ly, lx)


def run(*args):
    subprocess.run([tool, *map(str, args)], check=True)


with tempfile.TemporaryDirectory() as d:
    # librgrbm writes, numpy reads.
    ours = os.path.join(d, "ours.npy")
    run("write", ours, 50, 8, 6)
    a = np.load(ours)
    assert a.dtype == np.int8, a.dtype
    assert a.shape == (50, 8, 6), a.shape
    assert np.array_equal(a, pattern(50, 8, 6))

    # numpy writes, librgrbm reads: 3D and 2D shapes, format 1.0 and 2.0.
    theirs = os.path.join(d, "theirs.npy")
    np.save(theirs, pattern(40, 5, 7))
    run("check", theirs, 40, 5, 7)
    np.save(theirs, pattern(9, 1, 70).reshape(9, 70))
    run("check-flat", theirs, 9, 1, 70)
    with open(theirs, "wb") as f:
        np.lib.format.write_array(f, pattern(3, 4, 4), version=(2, 0))
    run("check", theirs, 3, 4, 4)

    # What numpy can write but librgrbm must refuse.
    for name, arr in [
        ("fortran", np.asfortranarray(pattern(6, 4, 4).reshape(6, 16))),
        ("float", pattern(2, 2, 2).astype(np.float32)),
        ("bool", pattern(2, 2, 2) > 0),
        ("binary", (pattern(2, 2, 2) > 0).astype(np.int8)),
        ("vector", np.ones(8, dtype=np.int8)),
    ]:
        path = os.path.join(d, name + ".npy")
        np.save(path, arr)
        out = subprocess.run([tool, "reject", path], capture_output=True, text=True)
        assert out.returncode == 0, (name, out.stdout, out.stderr)
        print(f"{name}: {out.stdout.strip()}")

print("numpy round trip ok")
