"""Hidden-only inputs of 00_fundamentals: used by ``test_hidden.py`` alone, so never shipped to students."""

from __future__ import annotations

import numpy as np

#: Scores whose exponential overflows float32, and sigmoid inputs where exp(±x) does.
LARGE_SCORES = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0]], dtype=np.float32)
EXTREME_INPUTS = np.array([-100.0, -20.0, 20.0, 100.0], dtype=np.float32)


#: (image, kernel) shapes for the convolution compared with conv2d.
CONVOLUTION_SHAPES = [((5, 7), (3, 2)), ((6, 6), (1, 1)), ((4, 5), (4, 5)), ((8, 3), (2, 3))]


def activation_inputs() -> dict[str, np.ndarray]:
    """A random 4×5 matrix and a random 2×3×4 tensor of scores (float32)."""
    rng = np.random.default_rng(10)
    return {"matrix": (3 * rng.normal(size=(4, 5))).astype(np.float32),
            "cube": (2 * rng.normal(size=(2, 3, 4))).astype(np.float32)}


def convolution_inputs() -> list[tuple[np.ndarray, np.ndarray]]:
    """Random images and kernels of :data:`CONVOLUTION_SHAPES` (float32)."""
    rng = np.random.default_rng(40)
    return [(rng.normal(size=image).astype(np.float32), rng.normal(size=kernel).astype(np.float32))
            for image, kernel in CONVOLUTION_SHAPES]


def noiseless_line(n: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """y = −2x + 5 without noise, X (n, 1) from 0 to 10, float32."""
    X = np.linspace(0, 10, n, dtype=np.float32).reshape(-1, 1)
    return X, (-2 * X + 5).astype(np.float32)


def loss_inputs() -> dict[str, np.ndarray]:
    """Predictions and targets for a regression loss, probabilities and labels for a binary one."""
    return {"prediction": np.array([[0.5], [2.0], [-1.0]], dtype=np.float32),
            "target": np.array([[1.0], [1.5], [0.0]], dtype=np.float32),
            "probability": np.array([0.9, 0.2, 0.6], dtype=np.float32),
            "label": np.array([1.0, 0.0, 0.0], dtype=np.float32)}
