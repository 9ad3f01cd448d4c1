"""Public checks of 01_regression: students run these with ``autograder check``."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.checks.expect import expect_close, expect_equal, expect_keys, expect_true
from autograder.checks.figures import describe_figure, expect_curves
from autograder.checks.keras_model import describe_keras_model, expect_layers
from autograder.grading.spec import Arrays, Check, Submission

N_ROWS, N_FEATURES = 20640, 8  # California Housing


def synthetic_dataset() -> tuple[np.ndarray, np.ndarray]:
    """Data shaped like California Housing: column 0 is the row number, y = 10 * row number."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N_ROWS, N_FEATURES))
    X[:, 0] = np.arange(N_ROWS)
    return X, 10.0 * np.arange(N_ROWS)


def metric_sample() -> tuple[np.ndarray, np.ndarray]:
    """Random targets and predictions, both of shape (50,)."""
    rng = np.random.default_rng(1)
    return rng.normal(2, 1, 50), rng.normal(2, 1.2, 50)


def _split(sub: Submission) -> tuple[Any, ...]:
    X, y = synthetic_dataset()
    parts = sub.function("split_data")(X, y)
    expect_true(isinstance(parts, (tuple, list)) and len(parts) == 4, "split_data doit renvoyer 4 tableaux.")
    return tuple(np.asarray(p) for p in parts)


def collect_split_shapes(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    parts = _split(sub)
    return {"shapes": [list(p.shape) for p in parts], "dtypes": [p.dtype.str for p in parts]}


def judge_split_shapes(found: dict[str, Any], secrets: Arrays) -> None:
    expected = [[16512, 8], [4128, 8], [16512], [4128]]
    expect_equal("Formes de (X_train, X_test, y_train, y_test)", expected, found["shapes"],
                 "Utilisez test_size=0.2 (80 % / 20 %).")
    expect_equal("Types des tableaux", [np.dtype(float).str] * 4, found["dtypes"])


def collect_scaled_train(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    rng = np.random.default_rng(2)
    X_train, X_test = rng.normal(5, 3, (200, 3)), rng.normal(8, 1, (60, 3))
    X_train_s, X_test_s, _ = sub.function("scale_features")(X_train, X_test)
    return {"train": np.asarray(X_train_s, dtype=float), "test_shape": list(np.shape(X_test_s))}


def judge_scaled_train(found: dict[str, Any], secrets: Arrays) -> None:
    train = found["train"]
    expect_equal("Forme de X_train normalisé", [200, 3], list(train.shape))
    expect_equal("Forme de X_test normalisé", [60, 3], found["test_shape"])
    expect_close("Moyenne de chaque colonne de X_train normalisé", np.zeros(3), train.mean(axis=0), atol=1e-6)
    expect_close("Écart-type de chaque colonne de X_train normalisé", np.ones(3), train.std(axis=0), atol=1e-6)


EXPECTED_MLP = [
    {"type": "Dense", "units": 64, "activation": "relu"},
    {"type": "Dense", "units": 32, "activation": "relu"},
    {"type": "Dense", "units": 1, "activation": "linear"},
]


def collect_model(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    build = sub.function("build_model")
    return {"8": describe_keras_model(build(8), (8,)), "3": describe_keras_model(build(3), (3,))}


def judge_model_layers(found: dict[str, Any], secrets: Arrays) -> None:
    expect_layers(found["8"], EXPECTED_MLP)


def judge_model_params(found: dict[str, Any], secrets: Arrays) -> None:
    expect_equal("Nombre de paramètres pour 8 variables d'entrée", 2689, found["8"]["params"],
                 "8×64+64 + 64×32+32 + 32×1+1 = 2 689.")
    expect_equal("Nombre de paramètres pour input_dim=3", 2369, found["3"]["params"],
                 "La taille d'entrée doit venir de l'argument input_dim.")


def collect_history(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(1000, 8)), rng.normal(size=1000)
    model = _reference_mlp()
    history = sub.function("train_model")(model, X, y, epochs=3, batch_size=32)
    return {"history": {k: list(map(float, v)) for k, v in getattr(history, "history", {}).items()}}


def _reference_mlp() -> Any:
    import keras

    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


def judge_history(found: dict[str, Any], secrets: Arrays) -> None:
    history = found["history"]
    expect_keys("Clés de history.history (renvoyez l'objet History de model.fit)", {"loss", "val_loss"}, history)
    expect_equal("Nombre de valeurs de perte pour epochs=3", 3, len(history["loss"]))
    expect_equal("Nombre de valeurs de val_loss pour epochs=3", 3, len(history["val_loss"]))


def collect_metrics(sub: Submission, inputs: Arrays) -> dict[str, float]:
    y_true, y_pred = metric_sample()
    metrics = sub.function("compute_metrics")(y_true, y_pred)
    return {key: float(value) for key, value in dict(metrics).items()}


def _metric_judge(key: str, formula: str):
    def judge(found: dict[str, float], secrets: Arrays) -> None:
        y_true, y_pred = metric_sample()
        error = y_true - y_pred
        expected = {"mse": np.mean(error**2), "rmse": np.sqrt(np.mean(error**2)), "mae": np.mean(np.abs(error))}
        expect_keys("Clés du dictionnaire renvoyé par compute_metrics", {"mse", "rmse", "mae"}, found)
        expect_close(f"{key.upper()} sur 50 valeurs aléatoires", expected[key], found[key], rtol=1e-6, hint=formula)

    return judge


def collect_plot(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    import keras

    history = keras.callbacks.History()
    history.history = {"loss": [1.0, 0.6, 0.45, 0.4, 0.38], "val_loss": [1.1, 0.7, 0.55, 0.52, 0.51],
                        "mae": [0.8, 0.6, 0.5, 0.48, 0.47], "val_mae": [0.85, 0.65, 0.56, 0.55, 0.54]}
    history.epoch = list(range(5))
    return describe_figure(sub.function("plot_learning_curve")(history), png=True)


def judge_plot(found: dict[str, Any], secrets: Arrays) -> None:
    expect_curves(found, {"perte d'entraînement (loss)": np.array([1.0, 0.6, 0.45, 0.4, 0.38]),
                          "perte de validation (val_loss)": np.array([1.1, 0.7, 0.55, 0.52, 0.51])})


CHECKS = [
    Check("split", "split_shapes", "Découpage 80/20 : formes et types des quatre tableaux", 1,
          collect_split_shapes, judge_split_shapes),
    Check("scale", "scale_train_standardized", "Normalisation : X_train centré réduit, formes conservées", 1,
          collect_scaled_train, judge_scaled_train),
    Check("model", "model_layers", "Architecture : Dense(64, relu) → Dense(32, relu) → Dense(1)", 2,
          collect_model, judge_model_layers),
    Check("model", "model_params", "Nombre de paramètres (2 689 pour 8 entrées)", 1, collect_model, judge_model_params),
    Check("train", "train_history", "Entraînement : l'historique contient loss et val_loss pour chaque époque", 1,
          collect_history, judge_history),
    Check("metrics", "metrics_mse", "MSE comparée à numpy", 1, collect_metrics,
          _metric_judge("mse", "MSE = moyenne des carrés des écarts.")),
    Check("metrics", "metrics_rmse", "RMSE comparée à numpy", 1, collect_metrics,
          _metric_judge("rmse", "RMSE = racine carrée de la MSE.")),
    Check("plot", "plot_learning_curve", "Courbe d'apprentissage : deux courbes étiquetées, légende, axes nommés", 2,
          collect_plot, judge_plot, timeout_s=15),
]
