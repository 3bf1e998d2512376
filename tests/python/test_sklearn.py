"""rgrbm.RBMStack as a scikit-learn estimator (skipped without scikit-learn)."""
import pickle

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn", reason="scikit-learn is not installed "
                              "(Debian: apt-get install python3-sklearn)")
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer  # noqa: E402
from sklearn.utils.estimator_checks import check_estimator  # noqa: E402

import rgrbm  # noqa: E402

# Checks that do not apply, with the reason (docs/python.md repeats them).
NOT_APPLICABLE = {}


def small_estimator():
    return rgrbm.RBMStack(layer_sizes=(4,), epochs=3, batch_size=10, learning_rate=0.05,
                          random_state=0)


def test_check_estimator():
    failures = []
    for estimator, check in check_estimator(small_estimator(), generate_only=True):
        name = getattr(check, "func", check).__name__
        if name in NOT_APPLICABLE:
            continue
        try:
            check(estimator)
        except Exception as exc:  # noqa: BLE001 - collect every failing check
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
    assert not failures, "\n".join(failures)


def blocks(n, seed):
    """Rows of 8 binary features in two correlated blocks of 4."""
    g = np.random.default_rng(seed)
    a, b = g.random((n, 1)) < 0.5, g.random((n, 1)) < 0.5
    x = np.hstack([np.repeat(a, 4, 1), np.repeat(b, 4, 1)]).astype(float)
    flip = g.random(x.shape) < 0.05
    return np.where(flip, 1 - x, x)


def test_fit_transform_reconstruct_score():
    X = blocks(400, 1)
    est = rgrbm.RBMStack(layer_sizes=(4, 2), epochs=30, learning_rate=0.1, batch_size=20,
                         random_state=3).fit(X)
    H = est.transform(X)
    assert H.shape == (400, 2) and ((0 <= H) & (H <= 1)).all()
    R = est.inverse_transform(H)
    assert R.shape == X.shape
    assert est.score(X) > est.score(np.random.default_rng(2).random((400, 8)) < 0.5)
    assert len(est.history_) == 60
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.transform(X), H)


def test_partial_fit_continues():
    X = blocks(200, 4)
    est = rgrbm.RBMStack(layer_sizes=(3,), random_state=1, learning_rate=0.1)
    before = None
    for _ in range(5):
        est.partial_fit(X)
        before = before if before is not None else est.score(X)
    assert est.score(X) > before
    assert [e.epoch for e in est.history_] == [5]


def test_pipeline_and_grid_search():
    X = blocks(200, 5)
    pipe = Pipeline([("identity", FunctionTransformer()),
                     ("rbm", rgrbm.RBMStack(epochs=5, batch_size=20, random_state=0))])
    grid = GridSearchCV(pipe, {"rbm__layer_sizes": [(2,), (4,)],
                               "rbm__learning_rate": [0.01, 0.1]}, cv=2)
    grid.fit(X)
    assert set(grid.best_params_) == {"rbm__layer_sizes", "rbm__learning_rate"}
    assert grid.transform(X).shape[0] == 200
    est = rgrbm.RBMStack()
    est.set_params(epochs=2, layer_sizes=(3,))
    assert est.get_params()["epochs"] == 2
