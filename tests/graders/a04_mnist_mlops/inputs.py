"""Inputs of 04_mnist_mlops's tests (no expected values): sent to the sandbox, recomputed here to judge."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

PIXELS = 28 * 28
NUM_CLASSES = 10
#: The grader's own model for the API, saving and tracking tests: one softmax layer of fixed weights.
WEIGHTS_SEED = 4
#: Test parameters of track_experiment (not the notebook's: a hard-coded dictionary is found out).
TRACKED_PARAMS = {"epochs": 3, "batch_size": 64, "dropout_rate": 0.25}
TRACKED_METRICS = {"test_accuracy": 0.9731, "test_loss": 0.0917}
MODEL_NAME = "mnist-model"
NO_IMAGE = "Aucune image fournie"
NOT_LOADED = "Le modèle n'a pas pu être chargé"


def pixel_images(n: int, seed: int) -> np.ndarray:
    """uint8 images (n, 28, 28) like ``load_mnist()``: a bright blob on noise; each holds a 0 and a 255.

    Both extremes in every image: a range check written ``< 1`` or ``>= 255`` rejects valid images.
    """
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 60, size=(n, 28, 28)).astype(np.int64)
    for image in images:
        top, left = rng.integers(4, 18, size=2)
        image[top:top + 8, left:left + 6] += rng.integers(150, 196)
    images = np.clip(images, 0, 255).astype(np.uint8)
    images[:, 0, 0], images[:, -1, -1] = 0, 255
    return images


def grader_weights() -> tuple[np.ndarray, np.ndarray]:
    """Kernel (784, 10) and bias (10,) of the grader's model: moderate probabilities for pixels in [0, 1].

    Fed raw pixels (0-255) instead, the same model gives saturated, very different probabilities.
    """
    rng = np.random.default_rng(WEIGHTS_SEED)
    return (rng.normal(0.0, 0.08, size=(PIXELS, NUM_CLASSES)).astype(np.float32),
            rng.normal(0.0, 0.5, size=NUM_CLASSES).astype(np.float32))


def grader_probabilities(vectors: np.ndarray) -> np.ndarray:
    """What the grader's model outputs for vectors (n, 784) already scaled to [0, 1]: softmax(x W + b)."""
    kernel, bias = grader_weights()
    logits = np.asarray(vectors, dtype=np.float64) @ kernel + bias
    logits -= logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)


def flat(image: np.ndarray) -> list[int]:
    """An image's 784 raw pixels as a JSON-ready flat list of ints."""
    return [int(v) for v in np.asarray(image).reshape(-1)]


def predict_request(image: Any, **extra: Any) -> dict[str, Any]:
    """``POST /predict`` with the JSON body ``{"image": image, **extra}``."""
    return {"method": "POST", "path": "/predict", "body": json.dumps({"image": image, **extra}),
            "content_type": "application/json"}


def raw_request(body: str | None, content_type: str | None = "application/json", method: str = "POST"
                ) -> dict[str, Any]:
    """``POST /predict`` with a body sent exactly as written."""
    return {"method": method, "path": "/predict", "body": body, "content_type": content_type}
