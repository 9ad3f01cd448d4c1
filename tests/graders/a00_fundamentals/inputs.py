"""Inputs of 00_fundamentals' tests (no expected values): sent to the sandbox, recomputed here to judge."""

from __future__ import annotations

import numpy as np

#: The revision sheet's examples.
SHEET_SCORES = np.array([1.0, 2.0, 3.0], dtype=np.float32)
SHEET_IMAGE = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], dtype=np.float32)
SHEET_KERNEL = np.array([[1.0, 0.0], [0.0, -1.0]], dtype=np.float32)
#: The CNN's input: MNIST images.
CNN_INPUT = (28, 28, 1)


def linear_problem(seed: int, n: int = 20, d: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """A small regression problem: X (n, d), y (n, 1), float32."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).astype(np.float32)
    y = (X @ rng.normal(size=(d, 1)) + 0.5 + 0.1 * rng.normal(size=(n, 1))).astype(np.float32)
    return X, y


def regression_inputs(n: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """The sheet's shape of data, y ≈ 3x + noise: X (n, 1) from 0 to 10, float32."""
    rng = np.random.default_rng(30)
    X = np.linspace(0, 10, n, dtype=np.float32).reshape(-1, 1)
    return X, (3 * X + 2 * rng.normal(size=X.shape)).astype(np.float32)


