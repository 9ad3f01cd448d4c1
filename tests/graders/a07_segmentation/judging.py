"""Judging helpers shared by 07_segmentation's public and hidden tests (grading process only)."""

from __future__ import annotations

from typing import Any

import numpy as np

from a07_segmentation.inputs import SMOOTH
from autograder.checks.expect import expect_close_or_consistent, expect_equal, expect_true, fail


def dice(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """(2 Σ t·p + ε) / (Σ t + Σ p + ε) over everything, in float64."""
    t, p = np.asarray(y_true, np.float64).ravel(), np.asarray(y_pred, np.float64).ravel()
    return float((2 * (t * p).sum() + SMOOTH) / (t.sum() + p.sum() + SMOOTH))


def iou(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """(Σ t·p + ε) / (Σ t + Σ p − Σ t·p + ε) over everything, in float64."""
    t, p = np.asarray(y_true, np.float64).ravel(), np.asarray(y_pred, np.float64).ravel()
    intersection = (t * p).sum()
    return float((intersection + SMOOTH) / (t.sum() + p.sum() - intersection + SMOOTH))


NUMPY_METRICS = {"dice_coefficient": dice, "iou": iou, "dice_loss": lambda t, p: 1.0 - dice(t, p)}


def expect_metric(name: str, what: str, found: dict[str, Any], y_true: np.ndarray, y_pred: np.ndarray,
                  consistent: float | None = None) -> None:
    """``found`` (:func:`a07_segmentation.probes.metric`) is a scalar equal to the numpy value of metric ``name``
    on ``(y_true, y_pred)``, or to ``consistent`` (the value the student's own Dice implies, for the loss)."""
    expect_equal(f"Forme du résultat de {name} ({what})", [], found["shape"],
                 "Un seul nombre pour tout le lot : sommez sur tous les pixels de toutes les images.")
    expect_close_or_consistent(f"{name} ({what})", NUMPY_METRICS[name](y_true, y_pred), found["values"][0],
                               consistent, rtol=1e-4, atol=1e-6,
                               hint="Sommes sur tout le lot aplati, lissage SMOOTH = 1e-6 au numérateur et au "
                                    "dénominateur.")


def loss_from_dice(dice: np.ndarray | None) -> float | None:
    """1 − the student's own Dice (:func:`a07_segmentation.probes.loss_parts`), None unless it is one number."""
    return 1.0 - float(dice.reshape(())) if dice is not None and dice.size == 1 else None


def disc_estimates(masks: np.ndarray) -> np.ndarray:
    """Per mask (n, h, w, 1): the disc's centre row, centre column and radius, estimated from its pixels.

    The centre is the row (column) with the longest run of disc pixels, which stays true for a disc cut
    by the border; the radius is the distance from the centre to the disc's farthest pixel on a side
    that does not touch the border, plus half a pixel (error under one pixel). Rows of NaN for empty masks.
    """
    found = []
    for mask in np.asarray(masks)[..., 0] > 0.5:
        if not mask.any():
            found.append((np.nan, np.nan, np.nan))
            continue
        height, width = mask.shape
        row_runs, col_runs = mask.sum(axis=1), mask.sum(axis=0)
        cy = float(np.flatnonzero(row_runs == row_runs.max()).mean())
        cx = float(np.flatnonzero(col_runs == col_runs.max()).mean())
        rows, cols = np.flatnonzero(row_runs), np.flatnonzero(col_runs)
        sides = ((rows[0] > 0, cy - rows[0]), (rows[-1] < height - 1, rows[-1] - cy),
                 (cols[0] > 0, cx - cols[0]), (cols[-1] < width - 1, cols[-1] - cx))
        extents = [float(extent) for inside, extent in sides if inside]
        found.append((cy, cx, max(extents) + 0.5 if extents else np.nan))
    return np.array(found)


def noise_sigma(images: np.ndarray, masks: np.ndarray) -> float:
    """σ of the noise from the background pixels the noise brightened: their mean is σ·√(2/π) (half-normal),
    whether or not the image was clipped afterwards."""
    difference = (np.asarray(images, np.float64) - masks)[np.asarray(masks) < 0.5]
    positive = difference[difference > 0]
    return float(positive.mean() / np.sqrt(2 / np.pi)) if positive.size else 0.0


def expect_disc_arrays(found: dict[str, np.ndarray], n: int, size: int) -> None:
    """Images and masks float32 (n, size, size, 1), masks of 0 and 1 with one non-empty disc each."""
    for key in ("images", "masks"):
        expect_equal(f"Forme de {key} pour make_discs({n}, size={size})", [n, size, size, 1],
                     list(found[key].shape), "Un canal : forme (n, size, size, 1).")
        expect_equal(f"Type de {key}", np.dtype(np.float32).str, found[key].dtype.str, "Utilisez float32.")
    values = np.unique(found["masks"])
    expect_true(set(values.tolist()) <= {0.0, 1.0},
                f"Les masques ne doivent contenir que 0 et 1, obtenu {values[:6].tolist()}.")
    expect_true(bool(found["masks"].reshape(n, -1).max(axis=1).all()), "Chaque masque doit contenir un disque.")


def layer_types(graph: dict[str, Any], wanted: tuple[str, ...]) -> list[list[Any]]:
    """``[type, output shape without the batch axis]`` of the graph's layers whose type is in ``wanted``."""
    return [[layer["type"], layer["shape"][1:]] for layer in graph["layers"] if layer["type"] in wanted]


BLOCK = ["Conv2D", "BatchNormalization", "ReLU"] * 2


def expect_block(graph: dict[str, Any], filters: int, what: str) -> None:
    """The graph is exactly two [Conv2D(filters, 3×3, same) → BatchNormalization → ReLU]."""
    types = [layer["type"] for layer in graph["layers"]]
    if types != BLOCK:
        fail(f"Couches de {what}", BLOCK, types,
             "Conv2D (sans activation) → BatchNormalization → Activation(\"relu\"), deux fois.")
    for position, layer in enumerate(graph["layers"], start=1):
        if layer["type"] == "Conv2D":
            got = {"filters": layer.get("filters"), "kernel_size": layer.get("kernel_size"),
                   "padding": layer.get("padding"), "activation": layer.get("activation")}
            want = {"filters": filters, "kernel_size": [3, 3], "padding": "same", "activation": "linear"}
            if got != want:
                fail(f"Couche {position} (Conv2D) de {what}", want, got)
