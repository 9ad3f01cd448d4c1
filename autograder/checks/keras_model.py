"""Describe a Keras model as plain data (in the sandbox) and compare it to the expected one (outside)."""

from __future__ import annotations

from typing import Any

from autograder.checks.expect import fail
from autograder.grading.spec import Failure

#: Keras spells one loss or metric several ways; graders compare canonical names.
CANONICAL = {
    "meansquarederror": "mse",
    "meanabsoluteerror": "mae",
    "categoricalcrossentropy": "categorical_crossentropy",
    "sparsecategoricalcrossentropy": "sparse_categorical_crossentropy",
    "binarycrossentropy": "binary_crossentropy",
    "acc": "accuracy",
    "categoricalaccuracy": "categorical_accuracy",  # keras.metrics.CategoricalAccuracy() (its class name)
    "sparsecategoricalaccuracy": "sparse_categorical_accuracy",
    "binaryaccuracy": "binary_accuracy",
}
LAYER_KEYS = ("units", "activation", "filters", "kernel_size", "pool_size", "rate", "padding", "strides",
              "factor", "height_factor", "width_factor",  # these three: random augmentation layers
              "kernel_regularizer")  # as its penalty factors (see penalty)


def canonical(name: Any) -> str:
    """Canonical lower-case name of a loss, metric or optimizer given as string, config, object or function."""
    if isinstance(name, dict):
        if name.get("class_name") == "function" and isinstance(name.get("config"), str):
            name = name["config"]  # a function, as get_compile_config() serializes it
        else:
            name = name.get("class_name") or name.get("config", {}).get("name", "")
    elif not isinstance(name, str):  # a function (keras.losses.categorical_crossentropy) has only its __name__
        name = getattr(name, "name", None) or getattr(name, "__name__", None) or type(name).__name__
    key = str(name).lower()
    return CANONICAL.get(key.replace("_", ""), key)


def _listed(value: Any) -> Any:
    """Tuples as lists, as they arrive from the sandbox (JSON): ``(3, 3)`` is ``[3, 3]`` in the kernel too."""
    return [_listed(v) for v in value] if isinstance(value, (tuple, list)) else value


def penalty(regularizer: Any) -> Any:
    """A serialized weight regularizer as its factors, ``{"l1": …, "l2": …}`` (rounded to 7 decimals, so that
    ``l2(0.001)`` and ``L1L2(l2=0.001)`` read the same); ``{"class_name": …}`` for another kind; None for none."""
    if not isinstance(regularizer, dict):
        return regularizer
    config = regularizer.get("config") if isinstance(regularizer.get("config"), dict) else {}
    if regularizer.get("class_name") in ("L1", "L2", "L1L2"):
        return {factor: round(float(config.get(factor) or 0.0), 7) for factor in ("l1", "l2")}
    return {"class_name": str(regularizer.get("class_name"))}


def describe_keras_model(model: Any, input_shape: tuple[int, ...] | None = None) -> dict[str, Any]:
    """Plain-data summary of a Keras model (runs in the sandbox), the same for Sequential and functional models.

    Returns:
        ``{"class": str, "layers": [{"type": str, <LAYER_KEYS present>}], "params": int,
        "output_shape": list, "compile": {"optimizer", "loss", "metrics", "learning_rate"} | None}``
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"un modèle Keras était attendu, pas {type(model).__name__}")
    if not model.built and input_shape is not None:
        model.build((None, *input_shape))
    layers = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue  # a functional model lists its keras.Input: the same network as a Sequential one
        config = layer.get_config()
        entry: dict[str, Any] = {"type": type(layer).__name__}
        for key in LAYER_KEYS:
            if key in config:
                value = config[key]
                entry[key] = (canonical(value) if key == "activation" else penalty(value)
                              if key == "kernel_regularizer" else _listed(value))
        layers.append(entry)
    compiled = None
    if model.compiled:
        config = model.get_compile_config()
        metrics = config.get("metrics") or []
        optimizer = config.get("optimizer")
        compiled = {
            "optimizer": canonical(optimizer),
            "learning_rate": float(model.optimizer.learning_rate.numpy()) if model.optimizer else None,
            "loss": canonical(config.get("loss")),
            "metrics": [canonical(m) for m in (metrics if isinstance(metrics, list) else [metrics])],
        }
    return {
        "class": type(model).__name__,
        "layers": layers,
        "params": int(model.count_params()) if model.built else None,
        "output_shape": list(model.output_shape) if model.built else None,
        "compile": compiled,
    }


def expect_layers(found: dict[str, Any], expected: list[dict[str, Any]]) -> None:
    """Same layer types in the same order, with the expected values for the keys given."""
    layers = found["layers"]
    types_found = [layer["type"] for layer in layers]
    types_expected = [layer["type"] for layer in expected]
    if types_found != types_expected:
        fail("Couches du modèle", types_expected, types_found)
    for position, (want, got) in enumerate(zip(expected, layers, strict=True), start=1):
        for key, value in want.items():
            if got.get(key) != value:
                fail(f"Couche {position} ({want['type']}), paramètre `{key}`", value, got.get(key))


#: ``metrics=["accuracy"]`` is Keras' shortcut for the accuracy that fits the loss: naming that metric
#: (by its name or as an object) is the same compilation.
ACCURACY_OF_LOSS = {"categorical_crossentropy": "categorical_accuracy",
                    "sparse_categorical_crossentropy": "sparse_categorical_accuracy",
                    "binary_crossentropy": "binary_accuracy"}


def expect_compiled(found: dict[str, Any], optimizer: str, loss: str, metrics: list[str]) -> None:
    """Compiled with the expected optimizer, loss and metrics (canonical names; see :data:`ACCURACY_OF_LOSS`)."""
    compiled = found.get("compile")
    if compiled is None:
        raise Failure("Le modèle n'est pas compilé : appelez model.compile(...) avant de le renvoyer.")
    if compiled["optimizer"] != optimizer:
        fail("Optimiseur", optimizer, compiled["optimizer"])
    if compiled["loss"] != loss:
        fail("Fonction de coût", loss, compiled["loss"])
    same = ACCURACY_OF_LOSS.get(loss)
    named = ["accuracy" if metric == same and "accuracy" in metrics else metric for metric in compiled["metrics"]]
    if sorted(named) != sorted(metrics):
        fail("Métriques", metrics, compiled["metrics"])
