"""Classification results judged in the grading process: accuracy, confusion matrices.

Convention throughout (scikit-learn's): a confusion matrix ``C`` has one row per true class
and one column per predicted class, ``C[i, j]`` = number of examples of class ``i``
predicted as ``j``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.checks.expect import expect_equal, expect_true, fail

ORIENTATION_HINT = "Lignes = classes réelles, colonnes = classes prédites (convention de scikit-learn)."


def as_labels(values: Any, what: str) -> np.ndarray:
    """A 1-D integer array of class labels; raises Failure for anything else."""
    array = np.asarray(values)
    if array.ndim == 2 and 1 in array.shape:
        array = array.ravel()
    expect_true(array.ndim == 1, f"{what} : un tableau à une dimension était attendu, obtenu la forme {array.shape}.")
    if array.dtype.kind == "f":
        expect_true(bool(np.all(array == np.round(array))), f"{what} : des numéros de classe entiers étaient attendus.")
    expect_true(array.dtype.kind in "biuf", f"{what} : des numéros de classe étaient attendus, pas {array.dtype}.")
    return array.astype(np.int64)


def accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of correct predictions, in [0, 1]; raises Failure when the lengths differ."""
    y_true, y_pred = as_labels(y_true, "Classes réelles"), as_labels(y_pred, "Prédictions")
    expect_equal("Nombre de prédictions", len(y_true), len(y_pred))
    return float(np.mean(y_true == y_pred)) if len(y_true) else float("nan")


def confusion_counts(y_true: Any, y_pred: Any, num_classes: int) -> np.ndarray:
    """The reference confusion matrix, ``(num_classes, num_classes)`` integers, rows = true classes."""
    y_true, y_pred = np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.int64)
    flat = np.bincount(y_true * num_classes + y_pred, minlength=num_classes * num_classes)
    return flat.reshape(num_classes, num_classes)


def expect_confusion_matrix(found: Any, y_true: Any, y_pred: Any, num_classes: int, exact: bool = True) -> None:
    """``found`` is the confusion matrix of ``y_pred`` against ``y_true``.

    Checked in this order, each with its own message: shape, integer counts, total (one
    count per example), diagonal (correct predictions per class), row sums (examples per
    true class: a transposed matrix fails here), then, when ``exact``, every cell.
    """
    matrix = np.asarray(found)
    expected = confusion_counts(y_true, y_pred, num_classes)
    expect_equal("Forme de la matrice de confusion", list(expected.shape), list(matrix.shape),
                 f"Une ligne et une colonne par classe ({num_classes}), même pour une classe jamais prédite.")
    expect_true(matrix.dtype.kind in "biuf" and bool(np.all(matrix == np.round(matrix))),
                "La matrice de confusion doit contenir des nombres d'exemples (entiers), pas des proportions.")
    matrix = matrix.astype(np.int64)
    expect_equal("Somme de la matrice de confusion (un exemple par case comptée)", int(expected.sum()),
                 int(matrix.sum()), "Chaque prédiction doit être comptée une fois.")
    expect_equal("Diagonale de la matrice de confusion (prédictions correctes par classe)",
                 np.diag(expected).tolist(), np.diag(matrix).tolist())
    rows = matrix.sum(axis=1)
    if not np.array_equal(rows, expected.sum(axis=1)):
        transposed = np.array_equal(matrix, expected.T)
        fail("Somme de chaque ligne (nombre d'exemples de chaque classe réelle)", expected.sum(axis=1).tolist(),
             rows.tolist(), ("La matrice est transposée. " if transposed else "") + ORIENTATION_HINT)
    if exact and not np.array_equal(matrix, expected):
        i, j = np.argwhere(matrix != expected)[0]
        fail(f"Case [{i}, {j}] de la matrice de confusion (classe réelle {i}, prédite {j})",
             int(expected[i, j]), int(matrix[i, j]), ORIENTATION_HINT)
