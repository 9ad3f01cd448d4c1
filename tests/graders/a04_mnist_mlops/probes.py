"""Sandbox-side helpers of 04_mnist_mlops: they run next to the student's code and return plain data.

They hold no expected value. Most bring the grader's own model (:func:`grader_model`, one softmax
layer of fixed weights whose outputs the tests recompute with numpy), so that a mistake in
``build_model`` costs only the model's points. Real tools run here: the student's tracking function
writes a real MLflow store in the folder the test gives; the student's Flask application is served
on the sandbox's loopback and receives real HTTP requests (:mod:`autograder.checks.web_app`).
"""

from __future__ import annotations

import json
from http import HTTPStatus
from pathlib import Path
from typing import Any

import numpy as np

from a04_mnist_mlops.inputs import NUM_CLASSES, PIXELS, grader_weights
from autograder.checks import mlflow_store, web_app
from autograder.checks.expect import expect_true, numeric_array
from autograder.checks.keras_model import describe_keras_model
from autograder.checks.qcm import read_answers
from autograder.grading.spec import MissingDefinition, Submission

GRADER_MODEL_FILE = "grader_model.keras"


def grader_model() -> Any:
    """The grader's compiled model: Dense(10, softmax) on 784 inputs, weights from ``inputs.grader_weights``."""
    import keras

    network = keras.Sequential([keras.Input((PIXELS,)), keras.layers.Dense(NUM_CLASSES, activation="softmax")])
    network.layers[-1].set_weights(list(grader_weights()))
    network.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return network


# ------------------------------------------------------------------------------------------------ data


def preprocessed(sub: Submission, images: np.ndarray) -> dict[str, Any]:
    """``preprocess_images(images)`` as an array (its dtype kept), and whether ``images`` came back unchanged."""
    copy = images.copy()
    values = numeric_array(sub.function("preprocess_images")(images))
    return {"values": values, "input_unchanged": bool(np.array_equal(images, copy))}


def loaded(sub: Submission, rows: list[int]) -> dict[str, Any]:
    """``load_mnist_vectors()`` summarised: shapes, a few rows, every label (the arrays stay here).

    Each split also carries the student's own ``preprocess_images`` of the same raw rows of
    ``load_mnist()``: the loader is judged on what it loads, not a second time on the preprocessing.
    """
    from autograder.data import load_mnist

    result = sub.function("load_mnist_vectors")()
    expect_true(isinstance(result, (tuple, list)) and len(result) == 2 and all(
        isinstance(part, (tuple, list)) and len(part) == 2 for part in result),
        "load_mnist_vectors() doit renvoyer ((x_train, y_train), (x_test, y_test)).")
    summary = {}
    for split, (x, y), (raw, _) in zip(("train", "test"), result, load_mnist(), strict=True):
        x, y = numeric_array(x), numeric_array(y)
        kept = [r for r in rows if r < min(len(x), len(raw))]
        summary[split] = {"x_shape": list(x.shape), "rows": x[kept].astype(np.float32), "labels": y.astype(np.int64),
                          "preprocessed": numeric_array(sub.function("preprocess_images")(raw[kept])).astype(
                              np.float32)}
    return summary


# ----------------------------------------------------------------------------------------------- model


def model(sub: Submission) -> dict[str, Any]:
    """The model returned by the student's ``build_model()``, described."""
    return describe_keras_model(sub.function("build_model")(), (PIXELS,))


# ------------------------------------------------------------------------------------------- training


def training(sub: Submission, x: np.ndarray, y: np.ndarray, **kwargs: Any) -> dict[str, Any]:
    """``train_model(<grader model>, x, y, **kwargs)``: the History's values and parameters, whether weights moved."""
    network = grader_model()
    before = [w.copy() for w in network.get_weights()]
    history = sub.function("train_model")(network, x, y, **kwargs)
    values = getattr(history, "history", None)
    expect_true(isinstance(values, dict), "train_model doit renvoyer l'objet History de model.fit.")
    return {"history": {str(k): [float(v) for v in series] for k, series in values.items()},
            "params": {str(k): v for k, v in dict(getattr(history, "params", None) or {}).items()
                       if isinstance(v, (int, float, str))},
            "changed": any(not np.array_equal(a, b) for a, b in zip(before, network.get_weights(), strict=True))}


def evaluation(sub: Submission, x: np.ndarray, y: np.ndarray) -> Any:
    """``evaluate_model(<grader model>, x, y)`` as the student returns it."""
    return sub.function("evaluate_model")(grader_model(), x, y)


# --------------------------------------------------------------------------------------------- saving


def saved(sub: Submission, folder: str, x: np.ndarray) -> dict[str, Any]:
    """``save_model(<grader model>, folder)``, then ``load_saved_model(path)``'s outputs for ``x``."""
    path = sub.function("save_model")(grader_model(), folder)
    expect_true(isinstance(path, (str, Path)), f"save_model doit renvoyer le chemin du fichier, pas "
                                               f"{type(path).__name__}.")
    reloaded = sub.function("load_saved_model")(str(path))
    return {"path": str(path), "outputs": numeric_array(reloaded.predict(x, verbose=0)).astype(np.float32)}


def reloaded_outputs(sub: Submission, folder: str, x: np.ndarray) -> np.ndarray:
    """``load_saved_model`` on the grader's model saved by the grader in ``folder``: its outputs for ``x``."""
    path = Path(folder) / GRADER_MODEL_FILE
    grader_model().save(path)
    return numeric_array(sub.function("load_saved_model")(str(path)).predict(x, verbose=0)).astype(np.float32)


# ------------------------------------------------------------------------------------------- tracking


def tracked(sub: Submission, folder: str, params: dict[str, Any], metrics: dict[str, float]) -> Any:
    """``track_experiment(<grader model>, params, metrics, <store in folder>)`` run from ``folder``; its return."""
    with mlflow_store.fresh_tracking(folder):
        return sub.function("track_experiment")(grader_model(), dict(params), dict(metrics),
                                                mlflow_store.tracking_uri(folder))


def logged_outputs(sub: Submission, folder: str, model_uri: str, x: np.ndarray) -> np.ndarray:
    """The model logged at ``model_uri`` in the store of ``folder``, reloaded with MLflow, its outputs for ``x``."""
    return mlflow_store.logged_model_predictions(folder, model_uri, x)


# ------------------------------------------------------------------------------------------------ api


def api_answers(sub: Submission, folder: str, requests: list[dict[str, Any]], model_saved: bool = True
                ) -> list[dict[str, Any]]:
    """The student's ``create_app(path)`` served on the loopback, each request's answer.

    ``path`` is the grader's model saved in Keras' format in ``folder`` or, with ``model_saved=False``,
    a file that does not exist (the API must then answer 500).
    """
    path = Path(folder) / GRADER_MODEL_FILE
    if model_saved:
        grader_model().save(path)
    else:
        path = Path(folder) / "absent" / GRADER_MODEL_FILE
    return web_app.call_app(sub.function("create_app")(str(path)), requests)


# --------------------------------------------------------------------------------------------- client


def recording_api(answer: dict[str, Any], received: list[dict[str, Any]], status: int = 200) -> Any:
    """A WSGI stand-in of the prediction API: records each request, answers ``answer`` in JSON with ``status``."""

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        try:
            document = json.loads(body) if body else None
        except ValueError:
            document = None
        received.append({"method": environ["REQUEST_METHOD"], "path": environ.get("PATH_INFO", ""),
                         "content_type": environ.get("CONTENT_TYPE", ""), "json": document,
                         "text": body[:200].decode("utf-8", "replace")})
        start_response(f"{status} {HTTPStatus(status).phrase}", [("Content-Type", "application/json")])
        return [json.dumps(answer).encode()]

    return app


def client_call(sub: Submission, image: np.ndarray, answer: dict[str, Any]) -> dict[str, Any]:
    """``predict_with_api(<url of the stand-in>/predict, image)``: what it returned and what the stand-in received."""
    received: list[dict[str, Any]] = []
    with web_app.serve(recording_api(answer, received)) as url:
        returned = sub.function("predict_with_api")(f"{url}/predict", image)
    expect_true(isinstance(returned, (tuple, list)) and len(returned) == 2,
                "predict_with_api doit renvoyer le couple (prediction, probabilities).")
    prediction, probabilities = returned
    return {"prediction": prediction if isinstance(prediction, (int, np.integer)) else repr(prediction),
            "prediction_is_int": isinstance(prediction, (int, np.integer)) and not isinstance(prediction, bool),
            "probabilities": numeric_array(probabilities).astype(np.float64), "received": received}


def client_error(sub: Submission, image: np.ndarray, answer: dict[str, Any], status: int) -> dict[str, Any]:
    """``predict_with_api`` against a stand-in that answers ``status``: whether it raised, or what it returned."""
    with web_app.serve(recording_api(answer, [], status)) as url:
        try:
            returned = sub.function("predict_with_api")(f"{url}/predict", image)
        except (MissingDefinition, NotImplementedError):
            raise  # not written yet: not the behaviour under test
        except Exception:  # noqa: BLE001 - any exception is the expected behaviour
            return {"raised": True, "returned": None}
    return {"raised": False, "returned": repr(returned)[:200]}


# ---------------------------------------------------------------------------------------------- docker


def deployment_files(sub: Submission) -> dict[str, Any]:
    """The notebook's ``DOCKERFILE`` and ``REQUIREMENTS`` constants (texts, parsed in the grading process)."""
    values = {name: sub.value(name) for name in ("DOCKERFILE", "REQUIREMENTS")}
    missing = [name for name, value in values.items() if value is None]
    if missing:
        raise MissingDefinition(f"Constante(s) {', '.join(missing)} introuvable(s) dans le notebook : écrivez-les "
                                'comme des chaînes littérales, DOCKERFILE = """...""".')
    for name, value in values.items():
        expect_true(isinstance(value, str), f"{name} doit être une chaîne de caractères, pas {type(value).__name__}.")
    return values


def quiz_answers(sub: Submission) -> dict[str, str]:
    """The student's ``REPONSES``, normalised (letters only: the key is never here)."""
    return read_answers(sub)
