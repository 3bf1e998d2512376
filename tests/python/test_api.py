"""Numpy-first behaviour, histories, reprs, pickling, and a docstring on
every public name."""
import inspect
import math
import pickle

import numpy as np
import pytest

import rgrbm as R


def spins(n, dim, seed=1, p=0.5):
    return np.where(np.random.default_rng(seed).random((n, dim)) < p, -1, 1).astype(np.int8)


def random_stack(sizes, seed, units=R.Units.BINARY, scale=0.5):
    s = R.Stack(sizes, units, seed)
    g = np.random.default_rng(seed)
    for layer in range(s.depth):
        for view in (s.weights(layer), s.visible_bias(layer), s.hidden_bias(layer)):
            view[:] = g.normal(0, scale, view.shape)
    return s


def test_dataset_converts_both_ways():
    a = spins(7, 12)
    with R.Dataset.from_array(a) as ds:
        np.testing.assert_array_equal(np.asarray(ds), a)
        assert np.asarray(ds, dtype=np.float32).dtype == np.float32
        assert len(ds) == 7
        np.testing.assert_array_equal(ds[2], a[2])
        np.testing.assert_array_equal(ds[-1], a[-1])
        np.testing.assert_array_equal(ds[1:5], a[1:5])
        np.testing.assert_array_equal(ds[::3], a[::3])
        np.testing.assert_array_equal(np.array(list(ds)), a)
        with pytest.raises(IndexError):
            ds[7]
        ds.shape2d = (3, 4)
        assert np.asarray(ds).shape == (7, 3, 4)


def test_views_hold_their_owner_through_base():
    s = R.Stack([5, 3])
    W = s.weights(0)
    assert W.base.owner is s._res
    row = W[1]  # views of views reach it through their base chain
    while not hasattr(row, "owner"):
        row = row.base
    assert row.owner is s._res


def test_free_energy_per_row_and_units():
    with random_stack([6, 4], 3) as s:
        x = spins(9, 6).astype(np.float64)
        f = s.free_energy(0, (x + 1) / 2)
        assert f.shape == (9,)
        np.testing.assert_array_equal(s.free_energy(0, x, units="spin"), f)


def test_per_row_pll_averages_to_the_library_mean():
    for units in (R.Units.BINARY, R.Units.SPIN):
        with random_stack([6, 4], 5, units) as s:
            a = spins(40, 6, 2, 0.3)
            with R.Dataset.from_array(a) as ds:
                rows = s.pseudo_log_likelihood(0, ds, per_row=True)
                assert rows.shape == (40,) and (rows <= 0).all()
                assert math.isclose(rows.mean(), s.pseudo_log_likelihood(0, ds), rel_tol=1e-5)
                np.testing.assert_allclose(s.pseudo_log_likelihood(0, a, per_row=True), rows)


def test_training_returns_a_history():
    data = spins(200, 16, 4)
    with R.Dataset.from_array(data) as ds, R.Stack([16, 8, 4]) as s:
        h = R.cd_train(s, 0, ds, R.CdOptions(epochs=4, compute_pll=1))
        assert [(e.layer, e.epoch) for e in h] == [(0, e) for e in range(1, 5)]
        assert (h.column("pll") < 0).all() and (h.column("seconds") >= 0).all()
        assert (h.column("reconstruction_error") > 0).all()
        h = R.stack_train(s, ds, [R.CdOptions(epochs=1), R.CdOptions(epochs=2)])
        # a layer counts its earlier calls' epochs (CdOptions.momentum_switch_epoch)
        assert [(e.layer, e.epoch) for e in h] == [(0, 5), (1, 1), (1, 2)]
        assert all(math.isnan(e.pll) for e in h)
        assert "History([Epoch(layer=0" in repr(h)


def test_reprs():
    with R.Stack([4, 2], "spin") as s:
        assert repr(s) == "<rgrbm.Stack sizes=[4, 2], units=spin>"
    assert repr(s) == "<rgrbm.Stack (closed)>"
    assert "dim=4, rows=0" in repr(R.Dataset(4))
    assert "square 4x4 periodic, K=0.25" in repr(R.Lattice.square(4, K=0.25))
    assert "16 -> 4 sites, b=2" in repr(R.RG.block2d(4, 4))
    assert repr(R.CdOptions(epochs=3)).startswith("CdOptions(epochs=3, batch_size=100")


def test_stacks_pickle_through_the_file_format():
    with random_stack([5, 3, 2], 7, R.Units.SPIN) as s:
        t = pickle.loads(pickle.dumps(s))
        assert (t.sizes, t.units) == (s.sizes, s.units)
        for layer in range(s.depth):
            np.testing.assert_array_equal(t.weights(layer), s.weights(layer))
            np.testing.assert_array_equal(t.visible_bias(layer), s.visible_bias(layer))
            np.testing.assert_array_equal(t.hidden_bias(layer), s.hidden_bias(layer))
        t.close()
    with pytest.raises(R.RgrbmError, match="EFORMAT"):
        R.Stack.from_bytes(b"not a stack file")


def public_names():
    """(qualified name, object) of every public name of the package and its classes."""
    for name in R.__all__:
        if name == "RBMStack" and not _has_sklearn():
            continue
        obj = getattr(R, name)
        if name == "lib" or isinstance(obj, (int, float)):
            continue
        yield name, obj
        if inspect.isclass(obj) and not issubclass(obj, (int, tuple)):
            own = {}  # members defined by rgrbm's classes, inherited ones included
            for klass in reversed(obj.__mro__):
                if klass.__module__.startswith("rgrbm"):
                    own.update(vars(klass))
            for attr, member in own.items():
                if attr.startswith("_"):
                    continue
                if isinstance(member, (classmethod, staticmethod)):
                    member = member.__func__
                if callable(member) or isinstance(member, property):
                    yield f"{name}.{attr}", member


def _has_sklearn():
    try:
        import sklearn  # noqa: F401
    except ImportError:
        return False
    return True


def test_every_public_name_has_a_docstring():
    def own_doc(obj):  # a class's own docstring, not one inherited from its base
        doc = vars(obj).get("__doc__") if inspect.isclass(obj) else obj.__doc__
        return (doc or "").strip()
    missing = [name for name, obj in public_names() if not own_doc(obj)]
    assert not missing, f"no docstring: {missing}"
