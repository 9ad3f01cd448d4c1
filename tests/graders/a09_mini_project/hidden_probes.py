"""Hidden-only probes of 09_mini_project: used by ``test_hidden.py`` alone, so never shipped to students."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from a09_mini_project.probes import _error_rates, _number, describe_built, lookup_model, reference_baseline
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
    calls: dict[str, list[float]] = {"add_gaussian_noise": [], "rotate_randomly": []}
    with _spying(sub, {"add_gaussian_noise": "sigma", "rotate_randomly": "max_angle"}, calls):
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
        "settings": calls,
    }


@contextmanager
def _spying(sub: Submission, watched: dict[str, str], calls: dict[str, list[float]]) -> Iterator[None]:
    """Record, for each call of the notebook's function ``name``, the value of its argument ``watched[name]``.

    ``test_robustness`` finds ``add_gaussian_noise`` and ``rotate_randomly`` among the notebook's names: the
    spies stand there while it runs (a test_robustness that does not call them is not observed).
    """
    originals = {name: sub.namespace.get(name) for name in watched}

    def spy(name: str, original: Any) -> Any:
        signature = inspect.signature(original)

        def spied(*args: Any, **kwargs: Any) -> Any:
            try:
                bound = signature.bind(*args, **kwargs)
                bound.apply_defaults()
                calls[name].append(_number(bound.arguments.get(watched[name], np.nan)))
            except TypeError:
                pass
            return original(*args, **kwargs)

        return spied

    namespace: Any = sub.namespace
    try:
        for name, original in originals.items():
            if callable(original):
                namespace[name] = spy(name, original)
    except TypeError:  # a read-only namespace: nothing is observed
        pass
    try:
        yield
    finally:
        for name, original in originals.items():
            if callable(original):
                namespace[name] = original


def _axes_text(ax: Any) -> str:
    return " ".join([ax.get_title(), ax.get_xlabel(), ax.get_ylabel(), *(t.get_text() for t in ax.texts)])


def _figures() -> dict[str, Any]:
    """What the open figures show: the lookup images drawn (their lit pixel, their axes' text) and the bar charts."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    shown: dict[str, Any] = {"images": 0, "lookup": [], "bars": []}
    for number in plt.get_fignums():
        for ax in plt.figure(number).axes:
            images = ax.get_images()
            shown["images"] += len(images)
            for image in images:
                data = np.asarray(image.get_array(), dtype=float).squeeze()
                if data.shape == (28, 28) and int(np.sum(data > 0.5)) == 1:
                    digits = sorted({int(d) for d in re.findall(r"\d+", _axes_text(ax))})
                    shown["lookup"].append({"pixel": int(np.argmax(data)), "digits": digits})
            rectangles = [p for p in ax.patches if isinstance(p, Rectangle)]
            if rectangles:
                vertical = sorted((p.get_x() + p.get_width() / 2, p.get_height()) for p in rectangles)
                horizontal = sorted((p.get_y() + p.get_height() / 2, p.get_width()) for p in rectangles)
                shown["bars"].append({"heights": [h for _, h in vertical], "widths": [w for _, w in horizontal],
                                      "on_image": bool(images)})
    return shown


def analyze_errors(sub: Submission, images: np.ndarray, labels: np.ndarray, predictions: np.ndarray
                   ) -> dict[str, Any]:
    """``analyze_errors`` on :func:`lookup_model`, with integer then one-hot labels, then with a single error:
    what it returns and what its figures show."""
    import matplotlib.pyplot as plt

    analyze = sub.function("analyze_errors")
    single = labels.copy()
    single[3] = (labels[3] + 1) % 10
    found = {}
    for form, y, predicted in (("entières", labels, predictions),
                               ("one-hot", np.eye(10, dtype="float32")[labels], predictions),
                               ("une seule erreur", labels, single)):
        plt.close("all")
        result = analyze(lookup_model(predicted), images, y)
        expect_true(isinstance(result, dict), f"analyze_errors doit renvoyer un dictionnaire, pas "
                                              f"{type(result).__name__}.")
        found[form] = {"keys": sorted(map(str, result)),
                       "misclassified": np.sort(np.asarray(result.get("misclassified", []), dtype=np.int64).ravel()),
                       "error_by_digit": _error_rates(result.get("error_by_digit")),
                       "figures": _figures()}
    plt.close("all")
    return found
