"""A scikit-learn estimator over an RBM stack: ``rgrbm.RBMStack``.

It needs scikit-learn (Debian: python3-sklearn); ``import rgrbm`` does not,
``rgrbm.RBMStack`` imports this module on first use.
"""
from typing import Optional, Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from . import _core as C

__all__ = ["RBMStack"]


class RBMStack(TransformerMixin, BaseEstimator):
    """A stack of RBMs trained greedily by CD-k / PCD-k, as a scikit-learn transformer.

    Input rows are binarized explicitly: a feature above ``threshold`` is the
    unit on (spin +1, binary 1), any other value off (spin -1, binary 0); the
    library trains on spin configurations, so this is the one conversion
    made, and it is a parameter. ``transform`` gives the top level's
    conditional means (in ``units``), ``inverse_transform`` the visible
    means given top-level values (a reconstruction when composed with
    ``transform``), ``score_samples`` each row's pseudo-log-likelihood per
    visible unit under the first RBM, ``score`` their mean.

    Parameters mirror rgrbm.CdOptions: layer_sizes (hidden sizes, bottom
    up), units ('binary' or 'spin'), epochs, batch_size, learning_rate, k,
    persistent, l1, l2, momentum_initial, momentum_final, threshold,
    random_state (an int, a RandomState or None).

    Attributes after fit: ``stack_`` (an rgrbm.Stack; pickles through the
    stack file format), ``history_`` (the rgrbm.History of the last fit or
    partial_fit), ``n_features_in_``.
    """

    def __init__(self, layer_sizes: Sequence[int] = (16,), units: str = "binary",
                 epochs: int = 10, batch_size: int = 100, learning_rate: float = 0.01,
                 k: int = 1, persistent: bool = False, l1: float = 0.0, l2: float = 0.0,
                 momentum_initial: float = 0.5, momentum_final: float = 0.9,
                 threshold: float = 0.5, random_state=None):
        self.layer_sizes = layer_sizes
        self.units = units
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.k = k
        self.persistent = persistent
        self.l1 = l1
        self.l2 = l2
        self.momentum_initial = momentum_initial
        self.momentum_final = momentum_final
        self.threshold = threshold
        self.random_state = random_state

    # -- helpers --

    def _spins(self, X, reset):
        X = self._validate_data(X, reset=reset, dtype=np.float64)
        return np.where(X > self.threshold, 1, -1).astype(np.int8)

    def _options(self, epochs, seed):
        return C.CdOptions(epochs=epochs, batch_size=self.batch_size,
                           learning_rate=self.learning_rate, k=self.k,
                           persistent=int(bool(self.persistent)), l1=self.l1, l2=self.l2,
                           momentum_initial=self.momentum_initial,
                           momentum_final=self.momentum_final, seed=seed)

    def _new_stack(self, n_features, rng):
        sizes = [n_features] + [C._small(n, "layer_sizes", 1) for n in self.layer_sizes]
        if len(sizes) < 2:
            raise ValueError("layer_sizes must name at least one hidden layer")
        units = C._enum_arg(C.Units, self.units, "units")
        return C.Stack(sizes, units, int(rng.randint(2 ** 31)))

    def _train(self, spins, epochs, rng):
        seed = int(rng.randint(2 ** 31))
        with C.Dataset.from_array(spins) as data:
            return C.stack_train(self.stack_, data, self._options(epochs, seed))

    # -- the estimator API --

    def fit(self, X, y=None):
        """Train a new stack on X (n_samples, n_features) for ``epochs`` epochs per layer."""
        spins = self._spins(X, reset=True)
        self._rng = check_random_state(self.random_state)  # partial_fit continues it
        self.stack_ = self._new_stack(spins.shape[1], self._rng)
        self.history_ = self._train(spins, self.epochs, self._rng)
        return self

    def partial_fit(self, X, y=None):
        """One more epoch per layer on X (a new stack on the first call)."""
        first = not hasattr(self, "stack_")
        spins = self._spins(X, reset=first)
        if first:
            self._rng = check_random_state(self.random_state)
            self.stack_ = self._new_stack(spins.shape[1], self._rng)
        self.history_ = self._train(spins, 1, self._rng)
        return self

    def transform(self, X):
        """Top-level conditional means of the binarized rows of X (in ``units``)."""
        check_is_fitted(self, "stack_")
        spins = self._spins(X, reset=False)
        v = spins if self.stack_.units == C.Units.SPIN else (spins + 1) // 2
        return self.stack_.up(v).astype(np.float64)

    def inverse_transform(self, H):
        """Visible conditional means given top-level values H (in ``units``)."""
        check_is_fitted(self, "stack_")
        H = np.asarray(H, dtype=np.float64)
        return self.stack_.down(H).astype(np.float64)

    def score_samples(self, X):
        """Pseudo-log-likelihood per visible unit of each binarized row of X (nats, <= 0)."""
        check_is_fitted(self, "stack_")
        spins = self._spins(X, reset=False)
        return self.stack_.pseudo_log_likelihood(0, spins, per_row=True)

    def score(self, X, y=None):
        """Mean of score_samples(X): higher is better (GridSearchCV's default)."""
        return float(np.mean(self.score_samples(X)))

    def _more_tags(self):
        return {"X_types": ["2darray"], "preserves_dtype": [np.float64]}
