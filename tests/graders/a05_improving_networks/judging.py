"""Judging helpers shared by 05_improving_networks' public and hidden tests (grading process only)."""

from __future__ import annotations

from typing import Any

import numpy as np

from a05_improving_networks.inputs import EPOCH_METRICS, FINAL_METRICS, NUM_CLASSES
from autograder.checks.expect import expect_close, expect_equal, expect_true, fail
from autograder.checks.keras_model import expect_layers
from autograder.checks.mlflow_store import TrackedRun, expect_steps

VERDICTS = {"HIGH_BIAS": "biais élevé", "HIGH_VARIANCE": "variance élevée", "BALANCED": "équilibré"}


def expect_verdict(found: Any, what: str, constant: str) -> None:
    """``diagnose`` returned ``(verdict, explanation)`` with the verdict of ``constant`` and a French sentence."""
    expect_true(isinstance(found, list) and len(found) == 2,
                f"diagnose doit renvoyer un couple (verdict, explication), pas {type(found).__name__}.")
    verdict, explanation = found
    if verdict != VERDICTS[constant]:
        names = {text: name for name, text in VERDICTS.items()}
        fail(f"Verdict de diagnose pour {what}", f"{constant} ({VERDICTS[constant]!r})",
             f"{names[verdict]} ({verdict!r})" if isinstance(verdict, str) and verdict in names else verdict,
             "Règle sur la dernière époque : accuracy d'entraînement < 0.90 → HIGH_BIAS ; sinon écart "
             "entraînement − validation > 0.02 → HIGH_VARIANCE ; sinon BALANCED.")
    expect_true(isinstance(explanation, str) and len(explanation.strip()) >= 10,
                f"L'explication de diagnose doit être une phrase (str) qui justifie le verdict, obtenu "
                f"{explanation!r}.")


def expect_dense_model(found: dict[str, Any], what: str, dropout: float, params: int,
                       batchnorm: bool = False) -> None:
    """Dense(512, relu) [→ BatchNormalization] → Dropout(dropout) → Dense(10, softmax), ``params`` parameters."""
    expected = [{"type": "Dense", "units": 512, "activation": "relu"},
                *([{"type": "BatchNormalization"}] if batchnorm else []),
                {"type": "Dropout", "rate": dropout},
                {"type": "Dense", "units": NUM_CLASSES, "activation": "softmax"}]
    expect_layers(found, expected)
    expect_equal(f"Nombre de paramètres {what}", params, found["params"],
                 "Entrée de 784 valeurs : keras.Input(shape=(784,)).")
    expect_equal("Forme de sortie", [None, NUM_CLASSES], found["output_shape"])


def expect_epoch_metrics(run: TrackedRun, values: dict[str, list[float]]) -> None:
    """The run holds each epoch metric, with step = epoch, equal to the history's values."""
    for metric, key in EPOCH_METRICS.items():
        expect_steps(run, metric, values[key])


def expect_epoch_counts(run: TrackedRun, epochs: int) -> None:
    """The run holds each epoch metric once per epoch (whatever the steps), accuracies in [0, 1]."""
    for metric in EPOCH_METRICS:
        history = run.history.get(metric)
        expect_true(history is not None, f"Métrique par époque « {metric} » absente du run « {run.name} » "
                                         "(appelez log_epoch_metrics(history) dans le run).")
        expect_equal(f"Nombre de valeurs de « {metric} » dans le run « {run.name} » pour epochs={epochs}", epochs,
                     len(history))
        if "accuracy" in metric:
            expect_true(all(0.0 <= value <= 1.0 for _, value in history),
                        f"« {metric} » du run « {run.name} » doit rester entre 0 et 1.")


def expect_final_metrics(runs: list[TrackedRun], returned: list[dict[str, Any]]) -> None:
    """Each run logged final_test_accuracy and final_test_loss, the values the function returned (in any order)."""
    for run in runs:
        missing = [metric for metric in FINAL_METRICS if metric not in run.metrics]
        if missing:
            fail(f"Métriques finales du run « {run.name} »", list(FINAL_METRICS), sorted(run.metrics))
    logged = sorted((run.metrics["final_test_accuracy"], run.metrics["final_test_loss"]) for run in runs)
    try:
        given = sorted((float(r["test_accuracy"]), float(r["test_loss"])) for r in returned)
    except (KeyError, TypeError, ValueError):
        fail("Valeurs renvoyées", 'des dictionnaires {"test_accuracy": ..., "test_loss": ...}', returned)
    expect_equal("Nombre de résultats renvoyés", len(logged), len(given))
    expect_close("(final_test_accuracy, final_test_loss) enregistrés, comparés aux valeurs renvoyées",
                 np.array(given), np.array(logged), rtol=1e-5,
                 hint="Enregistrez les valeurs de model.evaluate sur le jeu de test.")
    expect_true(all(0.0 <= accuracy <= 1.0 and loss >= 0.0 for accuracy, loss in logged),
                "final_test_accuracy doit être entre 0 et 1 et final_test_loss positive.")


def expect_split(parts: list[np.ndarray], x: np.ndarray, y: np.ndarray, validation: int) -> None:
    """``parts`` is (x[:n - validation], y[:n - validation], x[n - validation:], y[n - validation:])."""
    expect_equal("Nombre de tableaux renvoyés (x_train, y_train, x_val, y_val)", 4, len(parts))
    cut = len(x) - validation
    names = ("x_train", "y_train", "x_val", "y_val")
    for name, part, want in zip(names, parts, (x[:cut], y[:cut], x[cut:], y[cut:]), strict=True):
        expect_equal(f"Forme de {name} pour {len(x)} exemples et {validation} de validation", list(want.shape),
                     list(part.shape), "La validation est faite des validation_size derniers exemples.")
        if not np.array_equal(part, want):
            where = "premiers" if name.endswith("train") else "derniers"
            expect_true(False, f"{name} doit contenir les {len(want)} {where} exemples, dans l'ordre et sans "
                               f"mélange : premières valeurs attendues {np.ravel(want)[:4].tolist()}, obtenues "
                               f"{np.ravel(part)[:4].tolist()}.")
