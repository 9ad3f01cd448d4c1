"""Hidden-only probes of 09_mini_project: used by ``test_hidden.py`` alone, so never shipped to students."""

from __future__ import annotations

from typing import Any

import numpy as np

from a09_mini_project.probes import _number, describe_built, lookup_model, reference_baseline
from autograder.checks.expect import expect_true
from autograder.grading.spec import Submission


def reference(sub: Submission) -> dict[str, Any]:
    """The course's baseline (:func:`reference_baseline`), described the same way as the student's builders."""
    return describe_built(*reference_baseline())


def bar_images(n: int) -> np.ndarray:
    """``n`` images of one horizontal bar (its orientation shows the rotation)."""
    images = np.zeros((n, 28, 28, 1), dtype="float32")
    images[:, 13:15, 4:24, 0] = 1.0
    return images


def orientation(image: np.ndarray) -> float:
    """Angle of an image's main axis, in degrees, from its second moments."""
    weights = np.clip(image[..., 0], 0, None)
    rows, cols = np.indices(weights.shape)
    total = weights.sum()
    if total <= 0:
        return float("nan")
    r, c = (weights * rows).sum() / total, (weights * cols).sum() / total
    mu_rr = (weights * (rows - r) ** 2).sum() / total
    mu_cc = (weights * (cols - c) ** 2).sum() / total
    mu_rc = (weights * (rows - r) * (cols - c)).sum() / total
    return float(np.degrees(0.5 * np.arctan2(2 * mu_rc, mu_cc - mu_rr)))


def robustness(sub: Submission, images: np.ndarray, labels: np.ndarray, predictions: np.ndarray) -> dict[str, Any]:
    """``add_gaussian_noise``, ``rotate_randomly`` and ``test_robustness`` (integer then one-hot labels) measured
    on known inputs."""
    noise, rotate = sub.function("add_gaussian_noise"), sub.function("rotate_randomly")
    half = np.full((60, 28, 28, 1), 0.5, dtype="float32")
    half_copy = half.copy()
    noisy = np.asarray(noise(half, sigma=0.1, seed=1), dtype=float)
    again = np.asarray(noise(half, sigma=0.1, seed=1), dtype=float)
    wide = np.asarray(noise(half, sigma=0.2, seed=2), dtype=float)
    dark = np.asarray(noise(np.zeros_like(half), sigma=0.1, seed=3), dtype=float)
    bright = np.asarray(noise(np.ones_like(half), sigma=0.1, seed=4), dtype=float)
    bars = bar_images(80)
    rotated = np.asarray(rotate(bars, max_angle=15, seed=5), dtype=float)
    rotated_wide = np.asarray(rotate(bars, max_angle=40, seed=6), dtype=float)
    test = sub.function("test_robustness")
    scores = test(lookup_model(predictions), images, labels, seed=0)
    scores_one_hot = test(lookup_model(predictions), images, np.eye(10, dtype="float32")[labels], seed=0)
    for found in (scores, scores_one_hot):
        expect_true(isinstance(found, dict),
                    f"test_robustness doit renvoyer un dictionnaire, pas {type(found).__name__}.")
    return {
        "input_unchanged": bool(np.array_equal(half, half_copy)),
        "shapes": [list(a.shape) for a in (noisy, rotated)],
        "noisy": {"mean": float(noisy.mean()), "std": float(noisy.std()),
                  "reproducible": bool(np.array_equal(noisy, again))},
        "wide_std": float(wide.std()),
        "dark": {"min": float(dark.min()), "zeros": float(np.mean(dark == 0))},
        "bright_max": float(bright.max()),
        "angles": np.array([orientation(image) for image in rotated]) if rotated.ndim == 4 else np.array([]),
        "angles_wide": (np.array([orientation(image) for image in rotated_wide]) if rotated_wide.ndim == 4
                        else np.array([])),
        "scores": {str(k): _number(v) for k, v in scores.items()},
        "scores_one_hot": {str(k): _number(v) for k, v in scores_one_hot.items()},
    }
