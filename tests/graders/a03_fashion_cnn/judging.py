"""Judging helpers shared by 03_fashion_cnn's public and hidden tests (grading process only, never the sandbox)."""

from __future__ import annotations

from typing import Any

import numpy as np

from a03_fashion_cnn.inputs import IMAGE_SHAPE, NUM_CLASSES
from autograder.checks.expect import expect_close, expect_equal


def expect_one_hot(found: np.ndarray, labels: np.ndarray, shape_what: str, hint: str, what: str) -> None:
    """``found`` is the one-hot encoding of ``labels`` over the 10 classes: shape first, then values."""
    expect_equal(shape_what, [len(labels), NUM_CLASSES], list(found.shape), hint)
    expect_close(what, np.eye(NUM_CLASSES)[labels], found)


def expect_size(found: dict[str, Any], what: str, params: int, hint: str) -> None:
    """A described model takes 28×28×1 images, has ``params`` parameters and one output per class."""
    expect_equal(what, params, found["params"], hint)
    expect_equal("Forme d'entrée", [None, *IMAGE_SHAPE], found.get("input_shape"), "keras.Input(shape=(28, 28, 1)).")
    expect_equal("Forme de sortie", [None, NUM_CLASSES], found["output_shape"])
