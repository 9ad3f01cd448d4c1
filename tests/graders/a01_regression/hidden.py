"""Hidden checks of 01_regression: run only at grading time, never shipped to students."""

from __future__ import annotations

from typing import Any

import numpy as np

from a01_regression.public import (
    _metric_judge,
    _reference_mlp,
    _split,
    collect_metrics,
    collect_model,
    synthetic_dataset,
)
from autograder.checks.expect import expect_close, expect_equal, expect_true
from autograder.checks.keras_model import expect_compiled
from autograder.checks.thresholds import Threshold, threshold_check
from autograder.grading.spec import Arrays, Check, Fixtures, Submission

SEED = 42
QUALITY_EPOCHS = 8
QUALITY_BATCH = 32
#: Calibration (``python -m benchmarks.calibrate 01_regression quality_rmse --seeds 5``): the reference
#: solution, trained by the grader for 8 epochs (batch 32, validation_split 0.2, 1 thread), reaches a test
#: RMSE of 0.572-0.596 over seeds 0-4 (mean 0.579); the linear network (no activation) 0.743-0.777.
#: The limit keeps a margin of 0.054 (9 %) over the reference's worst seed and fails a linear model.
RMSE_THRESHOLD = Threshold(
    metric="RMSE sur le jeu de test (California Housing)",
    limit=0.65,
    lower_is_better=True,
    calibration="reference 0.572-0.596 over seeds 0-4 at 8 epochs; linear model 0.743-0.777",
)


def fixtures() -> Fixtures:
    """The reference preprocessing of California Housing: the sandbox never sees ``y_test``."""
    from sklearn.datasets import fetch_california_housing
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = fetch_california_housing(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=SEED)
    scaler = StandardScaler().fit(X_train)
    return Fixtures(
        inputs={"X_train": scaler.transform(X_train), "y_train": y_train, "X_test": scaler.transform(X_test)},
        secrets={"y_test": y_test},
    )


def collect_split_twice(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    first, second = _split(sub), _split(sub)
    return {"first_test_rows": first[1][:, 0].astype(np.int64), "second_test_rows": second[1][:, 0].astype(np.int64)}


def judge_split_seeded(found: dict[str, Any], secrets: Arrays) -> None:
    from sklearn.model_selection import train_test_split

    expect_true(np.array_equal(found["first_test_rows"], found["second_test_rows"]),
                "Deux appels de split_data : attendu le même découpage, obtenu deux découpages différents. "
                "Fixez random_state=42.")
    rows = np.arange(len(synthetic_dataset()[1]))
    _, expected_test = train_test_split(rows, test_size=0.2, random_state=SEED)
    expect_true(np.array_equal(found["first_test_rows"], expected_test),
                "Le découpage n'est pas celui de train_test_split(..., test_size=0.2, random_state=42).")


def collect_split_partition(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    X_train, X_test, y_train, y_test = _split(sub)
    return {"train_rows": X_train[:, 0], "test_rows": X_test[:, 0], "y_train": y_train, "y_test": y_test}


def judge_split_partition(found: dict[str, Any], secrets: Arrays) -> None:
    train, test = found["train_rows"], found["test_rows"]
    expect_equal("Lignes communes à l'entraînement et au test", 0, len(np.intersect1d(train, test)))
    expect_equal("Lignes couvertes par le découpage", 20640, len(np.union1d(train, test)))
    expect_close("Cibles de y_train alignées sur les lignes de X_train", 10 * train, found["y_train"],
                 hint="X et y doivent être découpés ensemble.")
    expect_close("Cibles de y_test alignées sur les lignes de X_test", 10 * test, found["y_test"])


def _shifted_sets() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(4)
    return rng.normal(5, 3, (200, 3)), rng.normal(8, 1, (60, 3))


def collect_scaler(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    X_train, X_test = _shifted_sets()
    _, X_test_s, scaler = sub.function("scale_features")(X_train, X_test)
    return {"test": np.asarray(X_test_s, dtype=float),
            "mean": np.asarray(getattr(scaler, "mean_", np.full(3, np.nan)), dtype=float)}


def judge_no_leakage(found: dict[str, Any], secrets: Arrays) -> None:
    X_train, _ = _shifted_sets()
    expect_close("Moyennes apprises par le scaler", X_train.mean(axis=0), found["mean"],
                 hint="Le StandardScaler doit être ajusté (fit) sur X_train seulement : sinon le test fuit dans "
                      "l'entraînement.")


def judge_test_transform(found: dict[str, Any], secrets: Arrays) -> None:
    X_train, X_test = _shifted_sets()
    expected = (X_test - X_train.mean(axis=0)) / X_train.std(axis=0)
    expect_close("X_test normalisé avec les statistiques de X_train", expected, found["test"], rtol=1e-5,
                 hint="Utilisez scaler.transform(X_test), sans nouvel ajustement.")


def judge_compiled(found: dict[str, Any], secrets: Arrays) -> None:
    expect_compiled(found["8"], optimizer="adam", loss="mse", metrics=["mae"])


def collect_training_settings(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(1000, 8)), rng.normal(size=1000)
    model = _reference_mlp()
    before = [w.copy() for w in model.get_weights()]
    history = sub.function("train_model")(model, X, y, epochs=2, batch_size=50)
    changed = any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))
    return {"params": dict(getattr(history, "params", {})), "changed": changed}


def judge_training_settings(found: dict[str, Any], secrets: Arrays) -> None:
    expect_true(found["changed"], "Les poids du modèle n'ont pas changé : train_model doit appeler model.fit.")
    params = found["params"]
    expect_equal("Époques effectuées pour epochs=2", 2, params.get("epochs"))
    expect_equal("Pas par époque pour 1000 lignes, validation_split=0.2, batch_size=50", 16, params.get("steps"),
                 "800 lignes d'entraînement / 50 = 16 : utilisez validation_split=0.2 et l'argument batch_size.")


def collect_edge_metrics(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    compute = sub.function("compute_metrics")
    y = np.array([1.0, 2.0, 3.0, 4.0])
    prediction = y + np.array([0.5, -0.5, 1.0, 0.0])

    def floats(metrics: Any) -> dict[str, float]:
        return {key: float(value) for key, value in dict(metrics).items()}

    return {"perfect": floats(compute(y, y.copy())), "flat": floats(compute(y, prediction)),
            "column": floats(compute(y, prediction.reshape(-1, 1)))}


def judge_edge_metrics(found: dict[str, Any], secrets: Arrays) -> None:
    for key in ("mse", "rmse", "mae"):
        expect_close(f"{key.upper()} de prédictions parfaites", 0.0, found["perfect"][key], atol=1e-12)
    for key in ("mse", "rmse", "mae"):
        expect_close(f"{key.upper()} avec des prédictions de forme (4, 1), comme model.predict, "
                     "comparée au même calcul en forme (4,)", found["flat"][key], found["column"][key],
                     hint="Aplatissez y_pred (ravel) : sinon numpy diffuse (4,) contre (4, 1) en une matrice 4×4.")


def collect_quality(sub: Submission, inputs: Arrays) -> np.ndarray:
    model = sub.function("build_model")(inputs["X_train"].shape[1])
    model.fit(inputs["X_train"], inputs["y_train"], epochs=QUALITY_EPOCHS, batch_size=QUALITY_BATCH,
              validation_split=0.2, verbose=0)
    return np.asarray(model.predict(inputs["X_test"], batch_size=1024, verbose=0), dtype=float).ravel()


def rmse_on_test(predictions: np.ndarray, secrets: Arrays) -> float:
    """Test RMSE of the predictions, with labels the sandbox never saw."""
    y_test = secrets["y_test"]
    expect_equal("Nombre de prédictions sur le jeu de test", len(y_test), len(predictions))
    return float(np.sqrt(np.mean((y_test - predictions) ** 2)))


CHECKS = [
    Check("split", "split_seeded", "Découpage reproductible (random_state=42)", 1, collect_split_twice,
          judge_split_seeded, hidden=True),
    Check("split", "split_partition", "Découpage complet, sans recouvrement, X et y alignés", 1,
          collect_split_partition, judge_split_partition, hidden=True),
    Check("scale", "scale_no_leakage", "Pas de fuite : le scaler est ajusté sur X_train seulement", 1,
          collect_scaler, judge_no_leakage, hidden=True),
    Check("scale", "scale_test_transform", "X_test transformé avec les statistiques de X_train", 1,
          collect_scaler, judge_test_transform, hidden=True),
    Check("model", "model_compile", "Compilation : adam, perte mse, métrique mae", 1, collect_model, judge_compiled,
          hidden=True),
    Check("train", "train_settings", "Entraînement : epochs, batch_size et validation_split=0.2 respectés", 1,
          collect_training_settings, judge_training_settings, hidden=True),
    Check("metrics", "metrics_mae", "MAE comparée à numpy", 1, collect_metrics,
          _metric_judge("mae", "MAE = moyenne des valeurs absolues des écarts."), hidden=True),
    Check("metrics", "metrics_edge_cases", "Cas limites : prédictions parfaites, prédictions en colonne (n, 1)", 1,
          collect_edge_metrics, judge_edge_metrics, hidden=True),
    threshold_check("quality", "quality_rmse", "Qualité : RMSE du modèle entraîné par le correcteur sous le seuil", 3,
                    collect_quality, rmse_on_test, RMSE_THRESHOLD,
                    f"{QUALITY_EPOCHS} époques d'entraînement par le correcteur (batch {QUALITY_BATCH})"),
]
