"""Inputs of 03_fashion_cnn's tests (no expected values): sent to the sandbox, recomputed here to judge."""

from __future__ import annotations

from typing import Any

import numpy as np

CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]
NUM_CLASSES = 10
SHIRT = 6
IMAGE_SHAPE = (28, 28, 1)
#: Labels of the one-hot tests: every class, then classes 0 to 7 only (8 and 9 absent, as in a small subset).
ENCODE_SAMPLE = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3, 6])
#: Plateau images and batches of the augmented-dataset tests.
N_PLATEAUS, DATASET_BATCH = 32, 10
PLATEAU_BASE, PLATEAU_STEP = 0.2, 0.02
#: History-like records drawn by plot_accuracy_curves; the curves must come back unchanged.
CURVES_CNN = {"loss": [1.2, 0.8, 0.6, 0.5], "accuracy": [0.55, 0.7, 0.78, 0.81],
              "val_loss": [0.9, 0.7, 0.62, 0.6], "val_accuracy": [0.66, 0.74, 0.77, 0.79]}


def raw_images(n: int, seed: int, maximum: int = 255) -> np.ndarray:
    """uint8 images of shape (n, 28, 28), like ``fashion_mnist.load_data()``, pixels 0 to ``maximum``, both present.

    With ``maximum`` below 255, dividing by the batch's (or each image's) largest pixel is no longer
    dividing by 255.
    """
    images = np.random.default_rng(seed).integers(0, maximum + 1, size=(n, 28, 28), dtype=np.uint8)
    images[0, 0, 0], images[-1, -1, -1] = 0, maximum
    return images


def shape_images(n: int, seed: int) -> np.ndarray:
    """float32 images (n, 28, 28, 1) in [0, 1]: a few bright rectangles of various grey levels on black."""
    rng = np.random.default_rng(seed)
    images = np.zeros((n, *IMAGE_SHAPE), dtype=np.float32)
    for image in images:
        for _ in range(3):
            top, left = rng.integers(4, 16, size=2)
            height, width = rng.integers(4, 10, size=2)
            image[top:top + height, left:left + width, 0] = rng.uniform(0.3, 1.0)
    return images


def plateau_images(n: int) -> np.ndarray:
    """Image ``k``: a centred 12×8 rectangle of grey level ``0.2 + 0.02 k`` on black.

    Rotations of 10°, shifts of 10 % and zooms of 10 % keep part of the rectangle's inside,
    so the brightest pixel of an augmented image still tells which image it came from.
    """
    images = np.zeros((n, *IMAGE_SHAPE), dtype=np.float32)
    for k in range(n):
        images[k, 8:20, 10:18, 0] = PLATEAU_BASE + PLATEAU_STEP * k
    return images


def plateau_index(image: np.ndarray) -> int:
    """Which plateau image an (augmented) image came from."""
    return int(np.round((float(np.max(image)) - PLATEAU_BASE) / PLATEAU_STEP))


def training_sample(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random images (n, 28, 28, 1) and random one-hot labels (n, 10), both float32."""
    rng = np.random.default_rng(seed)
    images = rng.random((n, *IMAGE_SHAPE), dtype=np.float32)
    return images, np.eye(NUM_CLASSES, dtype=np.float32)[rng.integers(0, NUM_CLASSES, n)]


def indicator_images(n: int, seed: int) -> np.ndarray:
    """Images whose first ten pixels hold a random permutation; the class is where the largest one is."""
    rng = np.random.default_rng(seed)
    images = np.zeros((n, *IMAGE_SHAPE), dtype=np.float32)
    for image in images:
        image[0, :NUM_CLASSES, 0] = rng.permutation(NUM_CLASSES) / NUM_CLASSES
    return images


def labelled_sample(n: int, seed: int, classes: int = NUM_CLASSES) -> tuple[np.ndarray, np.ndarray]:
    """True classes and predictions right about 60 % of the time, among ``classes`` classes."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, classes, n)
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, classes, n))
    return y_true, y_pred


def synthetic_report() -> dict[str, Any]:
    """A report shaped like ``classification_report(..., output_dict=True)``, one F1 per class."""
    report: dict[str, Any] = {name: {"precision": 0.9, "recall": 0.8, "f1-score": 0.5 + 0.04 * i, "support": 100}
                              for i, name in enumerate(CLASS_NAMES)}
    report["accuracy"] = 0.81
    report["macro avg"] = report["weighted avg"] = {"precision": 0.9, "recall": 0.8, "f1-score": 0.68,
                                                    "support": 1000}
    return report
