"""scikit-learn estimator over an RBM stack (filled in below)."""
