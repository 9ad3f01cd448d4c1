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
    transposed = not np.array_equal(matrix, expected) and np.array_equal(matrix, expected.T)
    hint = ("La matrice est transposée. " if transposed else "") + ORIENTATION_HINT
    rows = matrix.sum(axis=1)
    if not np.array_equal(rows, expected.sum(axis=1)):
        fail("Somme de chaque ligne (nombre d'exemples de chaque classe réelle)", expected.sum(axis=1).tolist(),
             rows.tolist(), hint)
    if (exact or transposed) and not np.array_equal(matrix, expected):
        i, j = np.argwhere(matrix != expected)[0]
        fail(f"Case [{i}, {j}] de la matrice de confusion (classe réelle {i}, prédite {j})",
             int(expected[i, j]), int(matrix[i, j]), hint)


# ------------------------------------------------------------------ per-class scores, classification reports

def per_class_scores(y_true: Any, y_pred: Any, num_classes: int) -> dict[str, np.ndarray]:
    """Precision, recall, F1 and support of each class, from the confusion matrix.

    An undefined ratio (a class never predicted, or absent) counts 0, like scikit-learn's
    ``zero_division=0``. Returns ``{"precision", "recall", "f1-score": float arrays,
    "support": int array}``, each of shape ``(num_classes,)``, the keys of
    ``classification_report(..., output_dict=True)``.
    """
    matrix = confusion_counts(as_labels(y_true, "Classes réelles"), as_labels(y_pred, "Prédictions"), num_classes)
    hits = np.diag(matrix).astype(float)
    predicted, actual = matrix.sum(axis=0), matrix.sum(axis=1)
    precision = np.divide(hits, predicted, out=np.zeros(num_classes), where=predicted > 0)
    recall = np.divide(hits, actual, out=np.zeros(num_classes), where=actual > 0)
    total = precision + recall
    f1 = np.divide(2 * precision * recall, total, out=np.zeros(num_classes), where=total > 0)
    return {"precision": precision, "recall": recall, "f1-score": f1, "support": actual}


def class_f1(y_true: Any, y_pred: Any, label: int, num_classes: int) -> float:
    """F1 score of one class (0 when it is never predicted correctly)."""
    return float(per_class_scores(y_true, y_pred, num_classes)["f1-score"][label])


def _report_matches(found: dict, expected: dict[str, np.ndarray], class_names: list[str], field: str,
                    atol: float) -> bool:
    values = np.array([float(found[name].get(field, np.nan)) for name in class_names])
    return bool(np.allclose(values, expected[field], atol=atol))


def expect_classification_report(found: Any, y_true: Any, y_pred: Any, class_names: list[str],
                                 fields: tuple[str, ...] = ("f1-score",), atol: float = 1e-6,
                                 either_order: bool = False) -> None:
    """``found`` is ``classification_report(y_true, y_pred, target_names=class_names, output_dict=True)``.

    One entry per class name (class ``i`` is ``class_names[i]``, even when absent), with the
    ``fields`` asked for equal to :func:`per_class_scores`. Precision and recall exchanged
    (``y_true`` and ``y_pred`` passed in the wrong order) get their own message.

    Args:
        either_order: also accept the report of ``(y_pred, y_true)``: for checks whose subject is not the
            arguments' order, when another check already takes the point for it (one mistake, one deduction).
    """
    expect_true(isinstance(found, dict),
                f"Un dictionnaire était attendu (output_dict=True), obtenu {type(found).__name__}.")
    missing = [name for name in class_names if not isinstance(found.get(name), dict)]
    if missing:
        fail("Classes du rapport (target_names)", list(class_names), [k for k in found if isinstance(found[k], dict)],
             "Une entrée par classe, dans l'ordre des numéros 0 à 9, même pour une classe absente (argument labels).")
    expected = per_class_scores(y_true, y_pred, len(class_names))
    if either_order:
        exchanged = per_class_scores(y_pred, y_true, len(class_names))
        if all(_report_matches(found, exchanged, class_names, field, atol) for field in fields):
            return
    for field in fields:
        if _report_matches(found, expected, class_names, field, atol):
            continue
        values = np.array([float(found[name].get(field, np.nan)) for name in class_names])
        hint = ""
        swapped = {"precision": "recall", "recall": "precision"}.get(field)
        if swapped and np.allclose(values, expected[swapped], atol=atol):
            hint = ("Précision et rappel sont échangés : appelez classification_report(y_true, y_pred), "
                    "les vraies classes d'abord.")
        worst = int(np.argmax(np.where(np.isnan(values), np.inf, np.abs(values - expected[field]))))
        fail(f"« {field} » de la classe {worst} ({class_names[worst]})", float(expected[field][worst]),
             float(values[worst]), hint)
