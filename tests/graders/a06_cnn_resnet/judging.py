"""Judging helpers shared by 06_cnn_resnet's public and hidden tests (grading process only, never the sandbox).

The numpy formulas are the conventions the statement gives (G = FᵀF / (H·W) per image, means over all
elements); the student's ``keras.ops`` code is compared to them.
"""

from __future__ import annotations

import numpy as np

from a06_cnn_resnet.inputs import NUM_CLASSES
from autograder.checks.expect import expect_close, expect_equal


def gram(features: np.ndarray) -> np.ndarray:
    """(batch, C, C): for each image, FᵀF / (H·W) with F its (H·W, C) activations."""
    batch, height, width, channels = features.shape
    flat = features.astype(np.float64).reshape(batch, height * width, channels)
    return np.einsum("bic,bid->bcd", flat, flat) / (height * width)


def style(style_features: list[np.ndarray], generated: list[np.ndarray], weights: list[float] | None) -> float:
    """Σ_l w_l · mean((G(generated_l) − G(style_l))²), w_l = 1/L by default."""
    weights = weights if weights is not None else [1.0 / len(style_features)] * len(style_features)
    return float(sum(w * np.mean((gram(g) - gram(s)) ** 2) for w, s, g in zip(weights, style_features, generated,
                                                                               strict=True)))


def style_from_grams(grams: list[list[np.ndarray | None]], weights: list[float]) -> float | None:
    """Σ_l w_l · mean((G_l(generated) − G_l(style))²) from the student's own Gram matrices
    (:func:`a06_cnn_resnet.probes.style_parts`), None when one of them is missing or of another shape."""
    if any(g is None for pair in grams for g in pair) or any(s.shape != g.shape for s, g in grams):
        return None
    return float(sum(w * np.mean((g - s) ** 2) for w, (s, g) in zip(weights, grams, strict=True)))


def total_from_parts(found: dict, content_weight: float, style_weight: float) -> float | None:
    """content_weight · (student's content_loss) + style_weight · (student's style_loss), None if one failed."""
    if found["content"] is None or found["style"] is None or found["content"].size != 1 or found["style"].size != 1:
        return None
    return content_weight * float(found["content"].reshape(())) + style_weight * float(found["style"].reshape(()))


def content(target: np.ndarray, generated: np.ndarray) -> float:
    """mean((generated − target)²)."""
    return float(np.mean((generated.astype(np.float64) - target) ** 2))


def expect_one_hot(found: np.ndarray, labels: np.ndarray, what: str, hint: str) -> None:
    """``found`` is the one-hot encoding of ``labels`` (any shape) over the 10 classes: shape first, then values."""
    flat = np.asarray(labels).reshape(-1)
    expect_equal(f"Forme de encode_labels pour {what}", [len(flat), NUM_CLASSES], list(found.shape), hint)
    expect_close(f"Encodage one-hot de {what}", np.eye(NUM_CLASSES)[flat], found)

