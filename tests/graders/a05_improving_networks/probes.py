"""Sandbox-side helpers of 05_improving_networks: they run next to the student's code and return plain data.

They hold no expected value: the tests judge what they return, in the grading process. The tracking
probes give the student's function the URI of a store in a folder of the grader's (pytest's ``tmp_path``),
with MLflow's process-wide state reset (:func:`autograder.checks.mlflow_store.fresh_tracking`); the test
then reads that store back itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from a05_improving_networks.inputs import N_FEATURES, PROBE_EXPERIMENT, PROBE_RUN
from autograder.checks.expect import expect_true
from autograder.checks.figures import describe_figure
from autograder.checks.keras_model import describe_keras_model
from autograder.checks.mlflow_store import fresh_tracking, tracking_uri
from autograder.grading.spec import Submission


def numeric(value: Any) -> np.ndarray:
    """A numpy array of numbers from an array, a tensor or a list (else the student's Failure)."""
    array = np.asarray(value)
    expect_true(array.dtype.kind in "biuf", f"Un tableau de nombres était attendu, pas {array.dtype}.")
    return array


def preprocessed(sub: Submission, images: np.ndarray) -> dict[str, Any]:
    """``preprocess_images(images)`` as an array (its dtype kept), and whether ``images`` came back unchanged."""
    copy = images.copy()
    values = numeric(sub.function("preprocess_images")(images))
    return {"values": values, "input_unchanged": bool(np.array_equal(images, copy))}


def split(sub: Submission, x: np.ndarray, y: np.ndarray, **kwargs: Any) -> list[np.ndarray]:
    """``split_train_validation(x, y, **kwargs)`` as a list of arrays (four expected)."""
    parts = sub.function("split_train_validation")(x, y, **kwargs)
    expect_true(isinstance(parts, (tuple, list)), "split_train_validation doit renvoyer un tuple "
                                                  f"(x_train, y_train, x_val, y_val), pas {type(parts).__name__}.")
    return [numeric(part) for part in parts]


def optimizer_object(spec: Any) -> Any:
    """The optimizer handed to a builder: a name as is, or ``{"class": "SGD", "learning_rate": 0.05}`` built."""
    import keras

    if isinstance(spec, dict):
        return getattr(keras.optimizers, spec["class"])(learning_rate=spec["learning_rate"])
    return spec


def model(sub: Submission, builder: str, optimizer: Any = None) -> dict[str, Any]:
    """The student's ``builder()`` (or ``builder(optimizer)``), described, with its non-trainable parameters."""
    function = sub.function(builder)
    network = function() if optimizer is None else function(optimizer_object(optimizer))
    found = describe_keras_model(network, (N_FEATURES,))
    found["non_trainable"] = sum(int(np.prod(w.shape)) for w in network.non_trainable_weights)
    return found


def optimizer(sub: Submission, name: str) -> dict[str, Any]:
    """``make_optimizer(name)`` as Keras resolves it (a name such as "adam" is accepted): class and settings."""
    import keras

    made = sub.function("make_optimizer")(name)
    expect_true(isinstance(made, (str, keras.optimizers.Optimizer)),
                f"make_optimizer({name!r}) doit renvoyer un optimiseur Keras, pas {type(made).__name__}.")
    resolved = keras.optimizers.get(made)
    config = {key: value for key, value in resolved.get_config().items()
              if value is None or isinstance(value, (bool, int, float, str))}
    return {"class": type(resolved).__name__, "config": config}


def optimizers_distinct(sub: Submission, name: str) -> bool:
    """Whether two calls of ``make_optimizer(name)`` give two optimizers (a name stands for a new one each time)."""
    first, second = sub.function("make_optimizer")(name), sub.function("make_optimizer")(name)
    return isinstance(first, str) or first is not second


def history(values: dict[str, list[float]]) -> Any:
    """A ``keras.callbacks.History`` holding ``values``, as ``model.fit`` returns it."""
    import keras

    made = keras.callbacks.History()
    made.history, made.epoch = {key: list(series) for key, series in values.items()}, list(range(len(values["loss"])))
    return made


def diagnosis(sub: Submission, values: dict[str, list[float]]) -> Any:
    """What ``diagnose`` returns for a History holding ``values`` (a tuple comes back as a list)."""
    found = sub.function("diagnose")(history(values))
    return [str(part) if isinstance(part, np.str_) else part for part in found] if isinstance(found, tuple) else found


def history_figure(sub: Submission, values: dict[str, list[float]]) -> dict[str, Any]:
    """The figure ``plot_history`` draws for a History holding ``values``, described, with its PNG."""
    return describe_figure(sub.function("plot_history")(history(values)), png=True)


def epoch_metrics(sub: Submission, folder: str, values: dict[str, list[float]]) -> None:
    """``log_epoch_metrics`` of a History holding ``values``, inside a run the grader opened in ``folder``'s store."""
    import mlflow

    with fresh_tracking(folder):
        mlflow.set_tracking_uri(tracking_uri(folder))
        mlflow.set_experiment(PROBE_EXPERIMENT)
        with mlflow.start_run(run_name=PROBE_RUN):
            sub.function("log_epoch_metrics")(history(values))


def tracked(sub: Submission, function: str, folder: str, *args: Any) -> Any:
    """The student's ``function(*args, tracking_uri)`` with the URI of a store in ``folder``; what it returns.

    Pairs ``[x, y]`` are handed over as tuples, as the statement describes them.
    """
    arguments = [tuple(arg) if isinstance(arg, list) else arg for arg in args]
    with fresh_tracking(folder):
        return sub.function(function)(*arguments, tracking_uri(folder))
