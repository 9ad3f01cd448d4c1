"""Inputs of 01_regression's tests (no expected values): sent to the sandbox, recomputed here to judge."""

from __future__ import annotations

import numpy as np

N_ROWS, N_FEATURES = 20640, 8  # California Housing
#: Time limit of the metrics checks' requests, in seconds: compute_metrics on 50 values takes milliseconds (the
#: reference's metrics checks take under 0.1 s each here); 20 s leaves a loaded machine its margin and stops a
#: compute_metrics that never returns (or returns something that takes minutes to serialise) 40 s sooner than the
#: 60 s default.
METRICS_TIMEOUT_S = 20.0
#: A History-like record drawn by plot_learning_curve; the curves must come back unchanged.
HISTORY = {"loss": [1.0, 0.6, 0.45, 0.4, 0.38], "val_loss": [1.1, 0.7, 0.55, 0.52, 0.51],
           "mae": [0.8, 0.6, 0.5, 0.48, 0.47], "val_mae": [0.85, 0.65, 0.56, 0.55, 0.54]}


def synthetic_dataset() -> tuple[np.ndarray, np.ndarray]:
    """Data shaped like California Housing (20640, 8): column 0 is the row number, y = 10 × row number."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N_ROWS, N_FEATURES))
    X[:, 0] = np.arange(N_ROWS)
    return X, 10.0 * np.arange(N_ROWS)


def metric_sample() -> tuple[np.ndarray, np.ndarray]:
    """Random targets and predictions, both of shape (50,)."""
    rng = np.random.default_rng(1)
    return rng.normal(2, 1, 50), rng.normal(2, 1.2, 50)


def scaling_sets(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A training set (200, 3) and a test set (60, 3) with other means and spreads (a leak changes the answer)."""
    rng = np.random.default_rng(seed)
    return rng.normal(5, 3, (200, 3)), rng.normal(8, 1, (60, 3))


def regression_sample(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """1000 random rows of 8 features and their targets."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(1000, 8)), rng.normal(size=1000)


