"""The misuse cases of issue 14, each in its own python process: none may
crash, and each must end in the documented behaviour. Under the ASan build
(tests/meson.build preloads libasan) an invalid read aborts the child; set
$RGRBM_TEST_WRAPPER (e.g. "valgrind --error-exitcode=99 -q") to run every
child under that command instead."""
import os
import shlex
import subprocess
import sys
import textwrap

import pytest

PRELUDE = """
import gc, os, tempfile
import numpy as np
import rgrbm as R
def raises(exc, fragment, fn, *args, **kw):
    try:
        fn(*args, **kw)
    except exc as e:
        assert fragment in str(e), (fragment, str(e))
        return
    raise AssertionError(f"no {exc.__name__} from {fn}")
"""

CASES = {
    # 1. Views outlive their handle: close() defers the free to the last view.
    "weights view after close": """
        before = R.memory_in_use()
        s = R.Stack([1024, 256]); W = s.weights(0); copy = W.copy()
        s.close()
        assert (W == copy).all()
        W[:] = 1.0  # writes the stack's own (still allocated) memory
        assert W.sum() == W.size
        raises(ValueError, "Stack is closed", s.weights, 0)
        del W; gc.collect()
        assert R.memory_in_use() == before, "freed once the last view died"
    """,
    "weights view after with": """
        with R.Stack([64, 16]) as s:
            W = s.weights(0); copy = W.copy()
        for _ in range(50):  # allocate and free other stacks meanwhile
            R.Stack([64, 16]).weights(0)[:] = 7
        assert (W == copy).all()
    """,
    "spins view after with": """
        with R.Lattice.square(8) as lat:
            lat.fill(-1); spins = lat.spins
        with R.Lattice.square(8) as other:
            other.fill(1)
            assert (spins == -1).all(), "a closed lattice's view keeps its own spins"
    """,
    "learned RG after stack close": """
        s = R.Stack([16, 4]); s.close()
        raises(ValueError, "stack is closed", R.RG.learned, s, 1)
        s = R.Stack([16, 4]); rg = R.RG.learned(s, 1); s.close(); del s; gc.collect()
        ds = R.Dataset.from_array(np.ones((3, 16), dtype=np.int8))
        assert len(rg.apply(ds)) == 3, "the plan keeps its stack alive"
    """,
    "sampler draw after lattice close": """
        lat = R.Lattice.square(8, K=0.3); smp = R.Sampler(lat, R.Algorithm.WOLFF, 1)
        lat.close(); del lat; gc.collect()
        assert len(smp.draw(10)) == 10, "the sampler keeps its lattice alive"
        smp.close()
        raises(ValueError, "Sampler is closed", smp.draw, 1)
    """,
    "bad values written through views": """
        lat = R.Lattice.square(8, K=0.4); lat.spins[:] = 5
        raises(R.RgrbmError, "spins must be -1 or +1", R.Sampler(lat, "wolff", 1).sweep, 1)
        s = R.Stack([4, 2]); s.weights(0)[0, 0] = np.nan
        raises(R.RgrbmError, "ENUMERIC", s.up, [[0, 1, 0, 1]])
    """,
    # 2. Handle types.
    "sampler of a stack": """
        raises(TypeError, "Sampler.gibbs", R.Sampler, R.Stack([4, 2]))
        raises(TypeError, "lattice must be a rgrbm.Lattice, not int", R.Sampler, 3)
    """,
    "save_npy of a lattice": """
        raises(TypeError, "must be a rgrbm.Dataset, not Lattice", R.Dataset.save_npy,
               R.Lattice.chain(4), "x.npy")
        raises(TypeError, "data must be a rgrbm.Dataset", R.measure, R.Lattice.chain(4),
               R.Lattice.chain(4), "energy")
    """,
    "receptive_locality out of bounds": """
        raises(ValueError, "rf has shape (100, 4); expected (lx * ly, units) = (256, n)",
               R.receptive_locality, np.ones((100, 4)), 16, 16, 2)
    """,
    "raw function given a closed handle": """
        s = R.Stack([4, 2]); s.close()
        import ctypes
        raises(ctypes.ArgumentError, "Stack is closed", R.lib.rgrbm_stack_depth, s)
    """,
    # 3. Silent conversions.
    "from_array out of range": """
        raises(ValueError, "spins[0, 0] = 257", R.Dataset.from_array, np.full((3, 256), 257))
        raises(ValueError, "spins[0, 0] = 0.5", R.Dataset.from_array, np.full((3, 4), 0.5))
        raises(ValueError, "pass 2 * x - 1", R.Dataset.from_array, np.zeros((3, 4)))
        raises(TypeError, "array of numbers", R.Dataset.from_array, np.array([["a", "b"]]))
    """,
    "spins given to a binary stack": """
        s = R.Stack([6, 3], R.Units.BINARY, 1)
        x = np.where(np.random.default_rng(1).random((5, 6)) < 0.5, -1.0, 1.0)
        raises(ValueError, "units='spin'", s.up, x)
        np.testing.assert_allclose(s.up(x, units="spin"), 2 * s.up((x + 1) / 2) - 1, atol=1e-6)
        t = R.Stack([6, 3], R.Units.SPIN, 1)
        raises(ValueError, "outside [0, 1] of binary units", t.up, x - 1, units="binary")
    """,
    "NaN input": """
        s = R.Stack([3, 2])
        raises(ValueError, "x[0, 1] = nan is not finite", s.up, [[0, np.nan, 1]])
        raises(ValueError, "v[0, 0] = inf is not finite", s.free_energy, 0, [[np.inf, 0, 0]])
        raises(ValueError, "x[0] = nan", R.series_mean, [np.nan])
    """,
    "options typos and ranges": """
        raises(TypeError, "unknown option 'epoch'", R.CdOptions, epoch=3)
        raises(ValueError, "CdOptions.batch_size = -1 is out of range", R.CdOptions, batch_size=-1)
        raises(TypeError, "CdOptions.epochs must be an integer, not float", R.CdOptions, epochs=2.5)
        raises(ValueError, "CdOptions.learning_rate = nan", R.CdOptions, learning_rate=float("nan"))
        o = R.CdOptions()
        raises(AttributeError, "no option 'epoch'", setattr, o, "epoch", 3)
        raises(ValueError, "CdOptions.products = 'fast' is not a Products", R.CdOptions,
               products="fast")
    """,
    "negative sizes name the argument": """
        raises(ValueError, "dim = -5 must be >= 0", R.Dataset, -5)
        raises(ValueError, "count = -1 must be >= 0", R.Sampler(R.Lattice.chain(4)).draw, -1)
        raises(TypeError, "sizes[1] must be an integer, not float", R.Stack, [4, 2.0])
    """,
    "closed handles raise ValueError": """
        for h in (R.Dataset(4), R.Lattice.chain(4), R.Stack([4, 2]), R.RG.decimation1d(8)):
            h.close(); h.close()
            assert "closed" in repr(h)
        ds = R.Dataset(4); ds.close()
        raises(ValueError, "Dataset is closed", len, ds)
        raises(ValueError, "data is closed", R.Stack([4, 2]).log_likelihood, 0, ds)
    """,
}


def _wrapper():
    return shlex.split(os.environ.get("RGRBM_TEST_WRAPPER", ""))


@pytest.mark.parametrize("name", sorted(CASES))
def test_misuse_case(name):
    code = PRELUDE + textwrap.dedent(CASES[name]) + "\nprint('case passed')\n"
    proc = subprocess.run(_wrapper() + [sys.executable, "-c", code], capture_output=True,
                          text=True, timeout=600, env=dict(os.environ))
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr[-4000:]}"
    assert "case passed" in proc.stdout
