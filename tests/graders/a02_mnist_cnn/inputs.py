"""Inputs of 02_mnist_cnn's tests (no expected values): sent to the sandbox, recomputed here to judge.

``MEAN`` and ``STD`` are the normalisation the notebook asks for (it states both numbers); the
probes also apply it to the MNIST images they feed to models, so ``probes.py`` imports them.
"""

from __future__ import annotations

import numpy as np

MEAN, STD = 0.1307, 0.3081  # MNIST pixel statistics, after ToTensor
IMAGE_SHAPE = (1, 28, 28)


def gradient_image() -> np.ndarray:
    """A 28×28 uint8 image whose pixels run through every value from 0 to 255."""
    return (np.arange(28 * 28) * 255 // (28 * 28 - 1)).astype(np.uint8).reshape(28, 28)


def small_classification() -> tuple[np.ndarray, np.ndarray]:
    """256 examples of 20 features in 5 classes (a linear rule): 8 batches of 32."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(256, 20)).astype(np.float32)
    return X, (X @ rng.normal(size=(20, 5))).argmax(axis=1).astype(np.int64)


def evaluation_problem() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A linear classifier (weights, bias), 250 inputs and labels; batches of 100 are 80 %, 70 %, 90 % right."""
    rng = np.random.default_rng(7)
    weights = rng.normal(size=(4, 6)).astype(np.float32)
    bias = rng.normal(size=4).astype(np.float32)
    X = rng.normal(size=(250, 6)).astype(np.float32)
    labels = (X @ weights.T + bias).argmax(axis=1)
    wrong = np.concatenate([np.arange(0, 20), np.arange(100, 130), np.arange(200, 205)])
    labels[wrong] = (labels[wrong] + 1) % 4
    return weights, bias, X, labels.astype(np.int64)


def confusion_sample() -> tuple[np.ndarray, np.ndarray]:
    """60 labels in classes 0-8 (9 never occurs) and predictions right 60 % of the time."""
    rng = np.random.default_rng(11)
    y_true = rng.integers(0, 9, 60)
    y_pred = np.where(rng.random(60) < 0.6, y_true, rng.integers(0, 9, 60))
    return y_true, y_pred
