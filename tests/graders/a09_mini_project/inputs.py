"""Inputs of 09_mini_project's tests (no expected values): sent to the sandbox, recomputed here to judge."""

from __future__ import annotations

from typing import Any

import numpy as np

#: What ``compare_models`` receives: three models' ``evaluate_model`` results (accuracy as a fraction).
COMPARE_RESULTS = {
    "Référence": {"accuracy": 0.9125, "training_time": 12.5},
    "Amélioré A": {"accuracy": 0.9550, "training_time": 20.25},
    "Amélioré B": {"accuracy": 0.9375, "training_time": 8.0},
}
COMPARE_HISTORY = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.6], "accuracy": [0.8, 0.9], "val_accuracy": [0.79, 0.88]}


def compare_results() -> dict[str, dict[str, Any]]:
    """:data:`COMPARE_RESULTS`, each with a history, as ``evaluate_model`` returns them (without the model)."""
    return {name: {**values, "history": dict(COMPARE_HISTORY)} for name, values in COMPARE_RESULTS.items()}


def synthetic_digits(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random images in [0, 1] of shape (n, 28, 28, 1) and one-hot labels (n, 10)."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 10
    images = rng.random((n, 28, 28, 1)).astype("float32") * 0.3
    for index, label in enumerate(labels):  # a bright row per class: learnable, not trivial
        images[index, 2 + 2 * label, :, 0] = 1.0
    return images, np.eye(10, dtype="float32")[labels]


