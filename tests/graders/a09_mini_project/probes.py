"""Sandbox-side helpers of 09_mini_project: they run next to the student's code and return plain data.

They hold no expected value: the tests judge what they return, in the grading process.

Conventions of the notebook that the probes rely on:

* every builder ``create_*()`` returns a pair ``(model, fit_kwargs)``: a compiled Keras model
  and a dict of extra ``model.fit`` settings among ``batch_size``, ``callbacks`` and ``epochs``
  (``{}`` for the defaults: batch 128, the epochs given to ``evaluate_model``);
* ``BEST_MODEL`` is a literal string naming the best improved builder.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from autograder.checks.expect import expect_true
from autograder.checks.keras_model import canonical
from autograder.grading.spec import MissingDefinition, Submission

BASELINE = "create_baseline_model"
IMPROVED = ("create_improved_model_1", "create_improved_model_2", "create_improved_model_3")
BUILDERS = (BASELINE, *IMPROVED)
FIT_KEYS = ("batch_size", "callbacks", "epochs")
DEFAULT_BATCH = 128  # the notebook's default batch size (fit_kwargs = {})
LAYER_KEYS = ("units", "filters", "kernel_size", "pool_size", "strides", "padding", "rate", "momentum", "factor",
              "height_factor", "width_factor", "mode", "stddev")


# ---------------------------------------------------------------------------------------------
# Builders: run them and describe what they return.
# ---------------------------------------------------------------------------------------------


def reference_baseline() -> tuple[Any, dict[str, Any]]:
    """The course's baseline CNN, built by the grader (never by the student's code)."""
    import keras
    from keras import layers

    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, (3, 3), activation="relu"), layers.MaxPooling2D((2, 2)),
        layers.Conv2D(64, (3, 3), activation="relu"), layers.MaxPooling2D((2, 2)),
        layers.Flatten(), layers.Dense(128, activation="relu"), layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model, {}


def unpack(built: Any, name: str) -> tuple[Any, dict[str, Any]]:
    """``(model, fit_kwargs)`` from what a builder returned (a bare model counts as ``(model, {})``).

    Raises:
        Failure: the builder broke the notebook's convention (nothing could be described or trained).
    """
    import keras

    if isinstance(built, keras.Model):
        return built, {}
    expect_true(isinstance(built, (tuple, list)) and len(built) == 2,
                f"{name}() doit renvoyer un couple (model, fit_kwargs), pas {type(built).__name__}.")
    model, fit_kwargs = built
    expect_true(isinstance(model, keras.Model),
                f"{name}() : le premier élément doit être un modèle Keras, pas {type(model).__name__}.")
    expect_true(isinstance(fit_kwargs, dict),
                f"{name}() : le second élément doit être un dictionnaire (fit_kwargs), "
                f"pas {type(fit_kwargs).__name__}.")
    unknown = sorted(set(map(str, fit_kwargs)) - set(FIT_KEYS))
    expect_true(not unknown,
                f"{name}() : clés de fit_kwargs : attendu parmi {list(FIT_KEYS)}, obtenu aussi {unknown}.")
    return model, dict(fit_kwargs)


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def _flat_layers(model: Any) -> list[Any]:
    """The layers of a model, nested models (an augmentation block) expanded in place.

    A functional model lists its ``keras.Input`` as an ``InputLayer``; it is left out, as in
    :func:`autograder.checks.keras_model.describe_keras_model`: the same network describes the
    same way whether it is written as a ``Sequential`` or with ``keras.Input`` + ``keras.Model``.
    """
    import keras

    found = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            found.extend(_flat_layers(layer))
        elif not isinstance(layer, keras.layers.InputLayer):
            found.append(layer)
    return found


def describe_layer(layer: Any) -> dict[str, Any]:
    config = layer.get_config()
    entry: dict[str, Any] = {"type": type(layer).__name__}
    for key in LAYER_KEYS:
        if key in config:
            entry[key] = _plain(config[key])
    if "activation" in config:
        entry["activation"] = canonical(config["activation"])
    regularizers = {}
    for key, value in config.items():
        if key.endswith("_regularizer") and value:
            inner = value.get("config", {}) if isinstance(value, dict) else {}
            regularizers[key] = {"class": value.get("class_name", "") if isinstance(value, dict) else str(value),
                                 "l1": float(inner.get("l1", 0.0) or 0.0), "l2": float(inner.get("l2", 0.0) or 0.0)}
    entry["regularizers"] = regularizers
    entry["constraints"] = sorted(k for k, v in config.items() if k.endswith("_constraint") and v)
    return entry


def describe_optimizer(model: Any) -> dict[str, Any]:
    optimizer = model.optimizer
    config = optimizer.get_config()
    rate = config.get("learning_rate")
    schedule = None
    if isinstance(rate, dict):
        schedule, rate = str(rate.get("class_name", "schedule")), None
    elif not isinstance(rate, (int, float)):
        schedule, rate = type(rate).__name__, None
    return {"class": type(optimizer).__name__, "learning_rate": None if rate is None else float(rate),
            "schedule": schedule, "weight_decay": float(config.get("weight_decay") or 0.0)}


def _callbacks(fit_kwargs: dict[str, Any]) -> list[Any]:
    callbacks = fit_kwargs.get("callbacks") or []
    return list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks]


def describe_fit(fit_kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"batch_size": _plain(fit_kwargs.get("batch_size")), "epochs": _plain(fit_kwargs.get("epochs")),
            "callbacks": [type(c).__name__ for c in _callbacks(fit_kwargs)]}


def describe_built(model: Any, fit_kwargs: dict[str, Any]) -> dict[str, Any]:
    """Plain-data description of one builder's model and training settings."""
    if not model.built:
        model.build((None, 28, 28, 1))
    compiled = None
    if model.compiled and model.optimizer is not None:
        config = model.get_compile_config()
        loss = config.get("loss")
        metrics = config.get("metrics") or []
        metrics = metrics if isinstance(metrics, (list, tuple)) else [metrics]
        smoothing = loss.get("config", {}).get("label_smoothing", 0.0) if isinstance(loss, dict) else 0.0
        compiled = {"loss": canonical(loss), "label_smoothing": float(smoothing or 0.0),
                    "metrics": [canonical(m) for m in metrics], "optimizer": describe_optimizer(model)}
    images = np.random.default_rng(0).random((3, 28, 28, 1)).astype("float32")
    images[0] = 0.0
    probabilities = np.asarray(model.predict(images, verbose=0), dtype=float)
    return {
        "layers": [describe_layer(layer) for layer in _flat_layers(model)],
        "params": int(model.count_params()),
        "input_shape": _plain(model.input_shape),
        "output_shape": _plain(model.output_shape),
        "probabilities": probabilities,
        "compile": compiled,
        "fit": describe_fit(fit_kwargs),
    }


def builder(sub: Submission, name: str) -> dict[str, Any]:
    """The student's builder ``name`` called once, its model and fit settings described."""
    return describe_built(*unpack(sub.function(name)(), name))


def best_model(sub: Submission) -> dict[str, Any]:
    """Whether the notebook defines ``BEST_MODEL``, and its value (its ``repr`` when it is no string)."""
    best = sub.value("BEST_MODEL")
    return {"present": "BEST_MODEL" in sub.namespace, "value": best if isinstance(best, str) else repr(best)}


# ---------------------------------------------------------------------------------------------
# Improvement: the grader retrains the course's baseline and the student's BEST_MODEL.
# ---------------------------------------------------------------------------------------------


def best_model_name(sub: Submission) -> str:
    """The literal constant ``BEST_MODEL``, which must name one of the improved builders (the one to train)."""
    name = sub.value("BEST_MODEL")
    if name is None:
        raise MissingDefinition("La constante `BEST_MODEL` est introuvable : elle doit nommer votre meilleur "
                                "constructeur, par exemple BEST_MODEL = \"create_improved_model_2\" (une chaîne "
                                "littérale, seule sur sa ligne).")
    expect_true(isinstance(name, str) and name in IMPROVED,
                f"BEST_MODEL : attendu le nom d'un des constructeurs {list(IMPROVED)}, obtenu {name!r}.")
    return name


def _images(array: np.ndarray) -> np.ndarray:
    return (np.asarray(array, dtype="float32") / 255.0)[..., None]


def improvement(sub: Submission, train_images: np.ndarray, train_labels: np.ndarray, test_images: np.ndarray,
                epochs: int, validation_split: float) -> dict[str, Any]:
    """Train the course's baseline and the student's ``BEST_MODEL`` from the same seed on the same images.

    Returns:
        ``{"name": BEST_MODEL, "baseline"/"best": predicted classes on ``test_images``,
        "baseline_time"/"best_time": seconds of training}``
    """
    import keras

    name = best_model_name(sub)
    student_builder = sub.function(name)
    seed = int(np.random.randint(0, 2**31 - 1))  # follows the request's seed (calibration varies it)
    X, Y = _images(train_images), keras.utils.to_categorical(train_labels, 10)
    X_test = _images(test_images)
    trained: dict[str, Any] = {"name": name}
    for label, make, builder_name in (("baseline", reference_baseline, BASELINE), ("best", student_builder, name)):
        keras.utils.set_random_seed(seed)
        model, fit_kwargs = unpack(make(), builder_name)
        started = time.perf_counter()
        model.fit(X, Y, epochs=epochs, batch_size=fit_kwargs.get("batch_size") or DEFAULT_BATCH,
                  callbacks=_callbacks(fit_kwargs), validation_split=validation_split, verbose=0)
        trained[f"{label}_time"] = time.perf_counter() - started
        trained[label] = np.asarray(model.predict(X_test, batch_size=1000, verbose=0)).argmax(axis=1)
    return trained


# ---------------------------------------------------------------------------------------------
# Functions of the study: evaluate_model, compare_models, analyze_errors, robustness.
# ---------------------------------------------------------------------------------------------


def _tiny_model() -> Any:
    import keras

    model = keras.Sequential([keras.Input(shape=(28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def _number(value: Any) -> float:
    """A returned scalar as a float (NaN when it is none: the test reports it)."""
    try:
        return float(np.asarray(value, dtype=float).reshape(()))
    except (TypeError, ValueError):
        return float("nan")


def evaluate(sub: Submission, X_train: np.ndarray, Y_train: np.ndarray, X_test: np.ndarray, Y_test: np.ndarray,
             epochs: int, batch_size: int) -> dict[str, Any]:
    """``evaluate_model`` on a tiny grader's model whose fit_kwargs carry a batch size and a counting callback.

    ``curves`` are the y values of every line of the figures left open (the learning curves it drew).
    """
    import keras

    class Recorder(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.epochs, self.steps = 0, None

        def on_train_begin(self, logs: Any = None) -> None:
            self.steps = (self.params or {}).get("steps")

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            self.epochs += 1

    recorder, built = Recorder(), []

    def creator() -> tuple[Any, dict[str, Any]]:
        built.append(_tiny_model())
        return built[-1], {"batch_size": batch_size, "callbacks": [recorder]}

    started = time.perf_counter()
    result = sub.function("evaluate_model")(creator, "Modèle de test", X_train, Y_train, X_test, Y_test,
                                            epochs=epochs)
    elapsed = time.perf_counter() - started
    found: dict[str, Any] = {"builds": len(built), "is_dict": isinstance(result, dict),
                             "type": type(result).__name__, "elapsed": elapsed, "steps": recorder.steps,
                             "epochs_seen": recorder.epochs}
    if not isinstance(result, dict) or len(built) != 1:
        return found
    import matplotlib.pyplot as plt

    model = built[0]
    history = result.get("history")
    history = getattr(history, "history", history)
    curves = [np.asarray(line.get_ydata(), dtype=float).ravel() for number in plt.get_fignums()
              for ax in plt.figure(number).axes for line in ax.get_lines()]
    return {
        **found,
        "keys": sorted(map(str, result)),
        "accuracy": _number(result.get("accuracy", np.nan)),
        "expected_accuracy": float(model.evaluate(X_test, Y_test, verbose=0)[1]),
        "training_time": _number(result.get("training_time", np.nan)),
        "history": {str(k): len(v) for k, v in dict(history or {}).items()},
        "history_values": {str(k): np.asarray(v, dtype=float).ravel() for k, v in dict(history or {}).items()
                           if str(k) in ("loss", "val_loss", "accuracy", "val_accuracy")},
        "curves": curves,
        "model_returned": result.get("model") is model,
    }


def default_batch_steps(sub: Submission, X: np.ndarray, Y: np.ndarray) -> int | None:
    """Steps per epoch of ``evaluate_model`` (1 epoch) when ``fit_kwargs`` gives no batch size: the default shows."""
    import keras

    class Recorder(keras.callbacks.Callback):
        steps = None

        def on_train_begin(self, logs: Any = None) -> None:
            Recorder.steps = (self.params or {}).get("steps")

    sub.function("evaluate_model")(lambda: (_tiny_model(), {"callbacks": [Recorder()]}), "Modèle de test",
                                   X, Y, X[:20], Y[:20], epochs=1)
    import matplotlib.pyplot as plt

    plt.close("all")
    return Recorder.steps


def compare(sub: Submission, results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``compare_models(results)``: its table's index and numeric columns, and the bars of each axes.

    A bar's value is its height for vertical bars (``bar``) and its width for horizontal ones (``barh``).
    """
    import pandas as pd
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    returned = sub.function("compare_models")(results)
    expect_true(isinstance(returned, (tuple, list)) and len(returned) == 2,
                "compare_models doit renvoyer un couple (table, figure).")
    table, figure = returned
    expect_true(isinstance(table, pd.DataFrame),
                f"La table doit être un pandas.DataFrame, pas {type(table).__name__}.")
    expect_true(isinstance(figure, Figure),
                f"La figure doit être une figure matplotlib, pas {type(figure).__name__}.")
    bars, limits = [], []
    for ax in figure.axes:
        rectangles = [p for p in ax.patches if isinstance(p, Rectangle)]
        bars.append([float(p.get_height()) for p in rectangles])
        bars.append([float(p.get_width()) for p in rectangles])
        limits.extend([[float(v) for v in ax.get_ylim()], [float(v) for v in ax.get_xlim()]])
    return {"index": [str(i) for i in table.index],
            "columns": {str(c): np.asarray(table[c], dtype=float) for c in table.columns
                        if pd.api.types.is_numeric_dtype(table[c])},
            "bars": bars, "limits": limits}


def lookup_model(predictions: np.ndarray) -> Any:
    """A compiled Keras model that predicts ``predictions[i]`` for the image whose pixel ``i`` is lit."""
    import keras

    model = keras.Sequential([keras.Input(shape=(28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    weights = np.zeros((784, 10), dtype="float32")
    weights[np.arange(len(predictions)), predictions] = 10.0
    model.layers[-1].set_weights([weights, np.zeros(10, dtype="float32")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def _error_rates(rates: Any) -> dict[str, float]:
    if isinstance(rates, dict):
        return {str(int(k)): float(v) for k, v in rates.items()}
    return {str(k): float(v) for k, v in enumerate(np.asarray(rates, dtype=float).ravel())}
