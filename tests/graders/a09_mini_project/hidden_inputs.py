"""Hidden-only inputs of 09_mini_project: used by ``test_hidden.py`` alone, so never shipped to students."""

from __future__ import annotations

import numpy as np

N_LOOKUP = 200


def lookup_case() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Images whose class a fixed linear model reads from one lit pixel: labels, and the predictions it makes.

    The sandbox builds that model from ``predictions`` (``probes.lookup_model``); the tests know
    from them which images it misclassifies.
    """
    rng = np.random.default_rng(7)
    labels = np.arange(N_LOOKUP) % 10
    predictions = labels.copy()
    weights = np.where(labels >= 7, 3.0, 1.0)
    wrong = rng.choice(N_LOOKUP, 30, replace=False, p=weights / weights.sum())
    predictions[wrong] = (labels[wrong] + 1 + rng.integers(0, 9, len(wrong))) % 10
    images = np.zeros((N_LOOKUP, 28, 28, 1), dtype="float32")
    images.reshape(N_LOOKUP, -1)[np.arange(N_LOOKUP), np.arange(N_LOOKUP)] = 1.0
    return images, labels, predictions
