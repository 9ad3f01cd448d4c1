"""Public tests of 01_regression: students run these with ``autograder check``."""

from __future__ import annotations

import numpy as np
import pytest

from a01_regression import probes
from a01_regression.inputs import HISTORY, METRICS_TIMEOUT_S, metric_sample, regression_sample, scaling_sets
from autograder.checks.expect import expect_close, expect_equal, expect_keys, expect_number
from autograder.checks.figures import expect_curves
from autograder.checks.keras_model import expect_layers
from autograder.grader import graded

EXPECTED_MLP = [
    {"type": "Dense", "units": 64, "activation": "relu"},
    {"type": "Dense", "units": 32, "activation": "relu"},
    {"type": "Dense", "units": 1, "activation": "linear"},
]
METRICS = {
    "mse": ("MSE = moyenne des carrés des écarts.", lambda e: np.mean(e**2)),
    "rmse": ("RMSE = racine carrée de la MSE.", lambda e: np.sqrt(np.mean(e**2))),
}


@graded(1, task="split")
def test_split_shapes(split_parts):
    """Découpage 80/20 : formes et types des quatre tableaux"""
    expect_equal("Formes de (X_train, X_test, y_train, y_test)", [[16512, 8], [4128, 8], [16512], [4128]],
                 [list(p.shape) for p in split_parts], "Utilisez test_size=0.2 (80 % / 20 %).")
    expect_equal("Types des tableaux", [np.dtype(float).str] * 4, [p.dtype.str for p in split_parts])


@graded(1, task="scale")
def test_scale_train_standardized(student):
    """Normalisation : X_train centré réduit, formes conservées"""
    found = student.run(probes.scaled, *scaling_sets(2))
    train = found["train"]
    expect_equal("Forme de X_train normalisé", [200, 3], list(train.shape))
    expect_equal("Forme de X_test normalisé", [60, 3], list(found["test"].shape))
    expect_close("Moyenne de chaque colonne de X_train normalisé", np.zeros(3), train.mean(axis=0), atol=1e-6)
    expect_close("Écart-type de chaque colonne de X_train normalisé", np.ones(3), train.std(axis=0), atol=1e-6)


@graded(2, task="model")
def test_model_layers(models):
    """Architecture : Dense(64, relu) → Dense(32, relu) → Dense(1)"""
    expect_layers(models[8], EXPECTED_MLP)


@graded(1, task="model")
def test_model_params(models):
    """Nombre de paramètres (2 689 pour 8 entrées)"""
    expect_equal("Nombre de paramètres pour 8 variables d'entrée", 2689, models[8]["params"],
                 "8×64+64 + 64×32+32 + 32×1+1 = 2 689.")
    expect_equal("Nombre de paramètres pour input_dim=3", 2369, models[3]["params"],
                 "La taille d'entrée doit venir de l'argument input_dim.")


@graded(1, task="train")
def test_train_history(student):
    """Entraînement : l'historique contient loss et val_loss pour chaque époque"""
    history = student.run(probes.training, *regression_sample(3), epochs=3, batch_size=32)["history"]
    expect_keys("Clés de history.history (renvoyez l'objet History de model.fit)", {"loss", "val_loss"}, history)
    expect_equal("Nombre de valeurs de perte pour epochs=3", 3, len(history["loss"]))
    expect_equal("Nombre de valeurs de val_loss pour epochs=3", 3, len(history["val_loss"]))


@graded(1, task="metrics", timeout_s=METRICS_TIMEOUT_S)
@pytest.mark.parametrize("metric", list(METRICS))
def test_metrics(metrics, metric):
    """Métrique {metric} comparée à numpy"""
    y_true, y_pred = metric_sample()
    formula, compute = METRICS[metric]
    expect_keys("Clés du dictionnaire renvoyé par compute_metrics", {"mse", "rmse", "mae"}, metrics)
    expect_close(f"{metric.upper()} sur 50 valeurs aléatoires", compute(y_true - y_pred),
                 expect_number(metric.upper(), metrics[metric]), rtol=1e-6, hint=formula)


@graded(2, task="plot", timeout_s=15)
def test_plot_learning_curve(student):
    """Courbe d'apprentissage : deux courbes étiquetées, légende, axes nommés"""
    expect_curves(student.run(probes.learning_curve, HISTORY),
                  {"perte d'entraînement (loss)": np.array(HISTORY["loss"]),
                   "perte de validation (val_loss)": np.array(HISTORY["val_loss"])})
