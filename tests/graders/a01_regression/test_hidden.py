"""Hidden tests of 01_regression: run only at grading time, never shipped to students."""

from __future__ import annotations

import numpy as np
import pytest

from a01_regression import hidden_probes, probes
from a01_regression.hidden_inputs import row_numbers
from a01_regression.inputs import METRICS_TIMEOUT_S, metric_sample, regression_sample, scaling_sets, synthetic_dataset
from autograder.checks.expect import expect_arrays, expect_close, expect_equal, expect_keys, expect_number, expect_true
from autograder.checks.keras_model import expect_compiled
from autograder.checks.thresholds import Threshold
from autograder.grader import graded, hidden

pytestmark = hidden

SEED = 42
QUALITY_EPOCHS = 8
QUALITY_BATCH = 64
#: Calibration (``python -m benchmarks.calibrate 01_regression quality_rmse --seeds 5``, 2026-12-07): the reference
#: solution, trained by the grader for 8 epochs (batch 64, validation_split 0.2, 1 thread), reaches a test RMSE of
#: 0.587-0.608 over seeds 0-4 (mean 0.598); the linear network (no activation) 0.746-0.807; one ReLU missing
#: (``wrong_missing_relu``, which must keep these points) 0.611 at seed 0. The limit keeps a margin of 0.052 (8.5 %)
#: over the reference's worst seed and of 0.086 under the linear model's best. Batches of 64 instead of 32 (issue
#: 36) halve the steps of the grading's costliest training; at batch 32 the reference measured 0.572-0.596 and the
#: linear model 0.743-0.777 under a limit of 0.65.
RMSE_THRESHOLD = Threshold(
    metric="RMSE sur le jeu de test (California Housing)",
    limit=0.66,
    lower_is_better=True,
    calibration="reference 0.587-0.608 over seeds 0-4 at 8 epochs, batch 64; linear model 0.746-0.807",
)


@pytest.fixture(scope="module")
def california() -> dict[str, np.ndarray]:
    """The reference preprocessing of California Housing; ``y_test`` never leaves this process."""
    from sklearn.datasets import fetch_california_housing
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = fetch_california_housing(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=SEED)
    scaler = StandardScaler().fit(X_train)
    return {"X_train": scaler.transform(X_train), "y_train": y_train, "X_test": scaler.transform(X_test),
            "y_test": y_test}


@graded(1, task="split")
def test_split_seeded(student, split_parts):
    """Découpage reproductible (random_state=42)"""
    from sklearn.model_selection import train_test_split

    X, y = synthetic_dataset()
    again = expect_arrays("Valeur renvoyée par split_data", student.call("split_data", X, y), 4)
    (_, first_rows), (_, second_rows) = row_numbers(split_parts), row_numbers(again)
    expect_true(np.array_equal(first_rows, second_rows),
                "Deux appels de split_data : attendu le même découpage, obtenu deux découpages différents. "
                "Fixez random_state=42.")
    _, expected_test = train_test_split(np.arange(len(y)), test_size=0.2, random_state=SEED)
    expect_true(np.array_equal(first_rows, expected_test),
                "Le découpage n'est pas celui de train_test_split(..., test_size=0.2, random_state=42).")


@graded(1, task="split")
def test_split_partition(split_parts):
    """Découpage complet, sans recouvrement, X et y alignés"""
    train, test = row_numbers(split_parts)
    y_train, y_test = split_parts[2], split_parts[3]
    expect_equal("Lignes communes à l'entraînement et au test", 0, len(np.intersect1d(train, test)))
    expect_equal("Lignes couvertes par le découpage", 20640, len(np.union1d(train, test)))
    expect_close("Cibles de y_train alignées sur les lignes de X_train", 10 * train, y_train,
                 hint="X et y doivent être découpés ensemble.")
    expect_close("Cibles de y_test alignées sur les lignes de X_test", 10 * test, y_test)


@pytest.fixture(scope="module")
def scaled(student) -> dict[str, np.ndarray]:
    return student.run(probes.scaled, *scaling_sets(4))


@graded(1, task="scale")
def test_scale_no_leakage(scaled):
    """Pas de fuite : le scaler est ajusté sur X_train seulement"""
    X_train, _ = scaling_sets(4)
    expect_close("Moyennes apprises par le scaler", X_train.mean(axis=0), scaled["mean"],
                 hint="Le StandardScaler doit être ajusté (fit) sur X_train seulement : sinon le test fuit dans "
                      "l'entraînement.")


@graded(1, task="scale")
def test_scale_test_transform(scaled):
    """X_test transformé avec les statistiques de X_train"""
    X_train, X_test = scaling_sets(4)
    expected = (X_test - X_train.mean(axis=0)) / X_train.std(axis=0)
    expect_close("X_test normalisé avec les statistiques de X_train", expected, scaled["test"], rtol=1e-5,
                 hint="Utilisez scaler.transform(X_test), sans nouvel ajustement.")


@graded(1, task="model")
def test_model_compile(models):
    """Compilation : adam, perte mse, métrique mae"""
    expect_compiled(models[8], optimizer="adam", loss="mse", metrics=["mae"])


@graded(1, task="train")
def test_train_settings(student):
    """Entraînement : epochs, batch_size et validation_split=0.2 respectés"""
    found = student.run(probes.training, *regression_sample(5), epochs=2, batch_size=50)
    expect_true(found["changed"], "Les poids du modèle n'ont pas changé : train_model doit appeler model.fit.")
    expect_equal("Époques effectuées pour epochs=2", 2, found["params"].get("epochs"))
    expect_equal("Pas par époque pour 1000 lignes, validation_split=0.2, batch_size=50", 16,
                 found["params"].get("steps"),
                 "800 lignes d'entraînement / 50 = 16 : utilisez validation_split=0.2 et l'argument batch_size.")


@graded(1, task="metrics", timeout_s=METRICS_TIMEOUT_S)
def test_metrics_mae(metrics):
    """Métrique mae comparée à numpy"""
    y_true, y_pred = metric_sample()
    expect_keys("Clés du dictionnaire renvoyé par compute_metrics", {"mse", "rmse", "mae"}, metrics)
    expect_close("MAE sur 50 valeurs aléatoires", np.mean(np.abs(y_true - y_pred)),
                 expect_number("MAE", metrics["mae"]), rtol=1e-6, hint="MAE = moyenne des valeurs absolues des écarts.")


@graded(1, task="metrics", timeout_s=METRICS_TIMEOUT_S)
def test_metrics_edge_cases(student):
    """Cas limites : prédictions parfaites, prédictions en colonne (n, 1)"""
    y = np.array([1.0, 2.0, 3.0, 4.0])
    prediction = y + np.array([0.5, -0.5, 1.0, 0.0])
    perfect, flat, column = (student.call("compute_metrics", y, p) for p in (y.copy(), prediction,
                                                                             prediction.reshape(-1, 1)))
    for found in (perfect, flat, column):
        expect_keys("Clés du dictionnaire renvoyé par compute_metrics", {"mse", "rmse", "mae"}, found)
    for key in ("mse", "rmse", "mae"):
        expect_close(f"{key.upper()} de prédictions parfaites", 0.0, expect_number(key, perfect[key]), atol=1e-12)
    for key in ("mse", "rmse", "mae"):
        expect_close(f"{key.upper()} avec des prédictions de forme (4, 1), comme model.predict, "
                     "comparée au même calcul en forme (4,)", expect_number(key, flat[key]),
                     expect_number(key, column[key]),
                     hint="Aplatissez y_pred (ravel) : sinon numpy diffuse (4,) contre (4, 1) en une matrice 4×4.")


@graded(3, task="quality", timeout_s=120)
def test_quality_rmse(student, california, record_property):
    """Qualité : RMSE du modèle entraîné par le correcteur sous le seuil"""
    predictions = np.asarray(student.run(hidden_probes.trained_predictions, california["X_train"],
                                         california["y_train"],
                                         california["X_test"], QUALITY_EPOCHS, QUALITY_BATCH), dtype=float)
    y_test = california["y_test"]
    expect_equal("Nombre de prédictions sur le jeu de test", len(y_test), len(predictions))
    RMSE_THRESHOLD.expect(float(np.sqrt(np.mean((y_test - predictions) ** 2))),
                          f"{QUALITY_EPOCHS} époques d'entraînement par le correcteur (batch {QUALITY_BATCH})",
                          record=record_property)
