"""Hidden-only inputs of 03_fashion_cnn: used by ``test_hidden.py`` alone, so never shipped to students."""

from __future__ import annotations

import numpy as np

from a03_fashion_cnn.inputs import NUM_CLASSES, labelled_sample

ENCODE_SUBSET = np.tile(np.arange(8), 2)
CURVES_AUGMENTED = {"loss": [1.4, 1.0, 0.8, 0.7], "accuracy": [0.48, 0.62, 0.7, 0.74],
                    "val_loss": [1.0, 0.75, 0.66, 0.61], "val_accuracy": [0.63, 0.72, 0.76, 0.785]}


def absent_class_sample() -> tuple[np.ndarray, np.ndarray]:
    """Classes 0 to 8 only: class 9 (Ankle boot) is neither present nor predicted."""
    return labelled_sample(200, 70, classes=NUM_CLASSES - 1)
