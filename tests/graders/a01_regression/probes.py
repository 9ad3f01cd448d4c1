"""Sandbox-side helpers of 01_regression: they run next to the student's code and return plain data.

They hold no expected value: the tests judge what they return, in the grading process.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.checks.figures import describe_figure
from autograder.checks.keras_model import describe_keras_model
from autograder.grading.spec import Submission


def scaled(sub: Submission, X_train: np.ndarray, X_test: np.ndarray) -> dict[str, Any]:
    """``scale_features``'s two arrays and the means its scaler learnt (NaN when it has none)."""
    X_train_s, X_test_s, scaler = sub.function("scale_features")(X_train, X_test)
    return {"train": np.asarray(X_train_s, dtype=float), "test": np.asarray(X_test_s, dtype=float),
            "mean": np.asarray(getattr(scaler, "mean_", np.full(X_train.shape[1], np.nan)), dtype=float)}


def model(sub: Submission, input_dim: int) -> dict[str, Any]:
    """``build_model(input_dim)`` described (layers, parameters, compilation)."""
    return describe_keras_model(sub.function("build_model")(input_dim), (input_dim,))


def small_mlp() -> Any:
    """A compiled 8-16-1 network for the training tests (the student's train_model receives it)."""
    import keras

    network = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1)])
    network.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return network


def training(sub: Submission, X: np.ndarray, y: np.ndarray, epochs: int, batch_size: int) -> dict[str, Any]:
    """``train_model`` on :func:`small_mlp`: its History's values and parameters, and whether the weights moved."""
    network = small_mlp()
    before = [w.copy() for w in network.get_weights()]
    history = sub.function("train_model")(network, X, y, epochs=epochs, batch_size=batch_size)
    changed = any(not np.array_equal(a, b) for a, b in zip(before, network.get_weights(), strict=True))
    values = getattr(history, "history", None)
    return {"history": {str(k): [float(x) for x in v] for k, v in values.items()} if isinstance(values, dict) else None,
            "params": {k: v for k, v in dict(getattr(history, "params", None) or {}).items()
                       if isinstance(v, (int, float, str))},
            "changed": changed}


def learning_curve(sub: Submission, values: dict[str, list[float]]) -> dict[str, Any]:
    """The figure ``plot_learning_curve`` draws for a History holding ``values``, described, with its PNG."""
    import keras

    history = keras.callbacks.History()
    history.history = {key: list(series) for key, series in values.items()}
    history.epoch = list(range(len(next(iter(values.values())))))
    return describe_figure(sub.function("plot_learning_curve")(history), png=True)


