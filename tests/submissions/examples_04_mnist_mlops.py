"""Example submissions of 04_mnist_mlops and the exact outcome a careful instructor expects."""

from __future__ import annotations

import functools

from tests.submissions import variants
from tests.submissions.variants import Variant

ASSIGNMENT = "04_mnist_mlops"
changed = functools.partial(variants.changed, ASSIGNMENT)

LOAD_MNIST_VECTORS = '''

def load_mnist_vectors():
    (x_train, y_train), (x_test, y_test) = load_mnist()
    return (preprocess_images(x_train), y_train), (preprocess_images(x_test), y_test)
'''

NAIVE_API = '''
import numpy as np
import keras
from flask import Flask, jsonify, request


def create_app(model_path):
    app = Flask(__name__)
    try:
        model = keras.models.load_model(model_path)
    except Exception:
        model = None

    @app.route("/predict", methods=["POST"])
    def predict():
        if model is None:
            return jsonify({"error": "Le modèle n'a pas pu être chargé"}), 500
        data = request.get_json()
        if "image" not in data:
            return jsonify({"error": "Aucune image fournie"}), 400
        image = np.array(data["image"], dtype="float32").reshape(1, 784) / 255.0
        probabilities = model.predict(image, verbose=0)
        return jsonify({"prediction": int(np.argmax(probabilities)), "probabilities": probabilities.tolist()})

    return app
'''

VARIANTS = [
    Variant(
        "wrong_pixels_not_scaled",
        "Pixels converted to float32 and flattened, but not divided by 255: values stay in [0, 255]. The loader "
        "calls this preprocessing and is right otherwise: it keeps its point.",
        frozenset({"preprocess_images", "preprocess_exact"}),
        {"data": '''
def preprocess_images(images):
    return np.asarray(images, dtype="float32").reshape(len(images), 784)
''' + LOAD_MNIST_VECTORS},
        messages={"preprocess_images": "Divisez par 255"},
    ),
    Variant(
        "wrong_model_without_dropout",
        "The Dropout(0.2) layer is missing. Dropout has no parameter, so the count (407 050) and the quality "
        "still pass: only the layer check fails.",
        frozenset({"model_layers"}),
        {"model": '''
def build_model():
    model = keras.Sequential([keras.Input(shape=(784,)), layers.Dense(512, activation="relu"),
                              layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
'''},
    ),
    Variant(
        "wrong_train_without_validation",
        "model.fit without validation_split: no val_loss/val_accuracy and 7 batches instead of 6 for 200 "
        "examples. With 256 examples and batches of 128, 2 batches either way: the defaults check passes.",
        frozenset({"train_validation_split"}),
        {"training": '''
def train_model(model, x_train, y_train, epochs=5, batch_size=128):
    return model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=0)


def evaluate_model(model, x_test, y_test):
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    return {"test_loss": float(loss), "test_accuracy": float(accuracy)}
'''},
        messages={"train_validation_split": "val_loss"},
    ),
    Variant(
        "wrong_save_legacy_h5",
        "The model is saved as mnist_model.h5 (the legacy HDF5 format). It reloads with the same outputs: only "
        "the native-format check fails.",
        frozenset({"save_native_format"}),
        {"saving": '''
def save_model(model, folder):
    path = Path(folder) / "mnist_model.h5"
    model.save(path)
    return str(path)


def load_saved_model(path):
    return keras.models.load_model(path)
'''},
    ),
    Variant(
        "wrong_tracking_hardcoded_store",
        "track_experiment ignores the tracking URI it receives and always writes sqlite:///mlflow.db: nothing "
        "reaches the store the grader gave, so every tracking check fails, saying what was found instead.",
        frozenset({"tracking_one_finished_run", "tracking_params", "tracking_metrics", "tracking_logged_model",
                   "tracking_model_reloads"}),
        {"tracking": '''
def track_experiment(model, params, metrics, tracking_uri):
    mlflow.set_tracking_uri("sqlite:///mlflow.db")
    with mlflow.start_run() as run:
        mlflow.log_params(params)
        mlflow.log_metrics(metrics)
        mlflow.keras.log_model(model, name="mnist-model", pip_requirements=["keras"])
    return run.info.run_id
'''},
        messages={"tracking_params": "mlflow.db"},
    ),
    Variant(
        "wrong_tracking_corrupt_store",
        "track_experiment overwrites the store it receives with bytes that are no SQLite database: MLflow cannot "
        "read it, every tracking check fails with that reason and no check reports a grader error.",
        frozenset({"tracking_one_finished_run", "tracking_params", "tracking_metrics", "tracking_logged_model",
                   "tracking_model_reloads"}),
        {"tracking": '''
def track_experiment(model, params, metrics, tracking_uri):
    with open(tracking_uri.removeprefix("sqlite:///"), "wb") as store:
        store.write(b"pas une base SQLite" * 1000)
    return "run"
'''},
        messages={"tracking_metrics": "store MLflow reçu n'est pas lisible"},
    ),
    Variant(
        "wrong_tracking_without_model",
        "Parameters and metrics are logged, but the model is not: the two model checks fail.",
        frozenset({"tracking_logged_model", "tracking_model_reloads"}),
        {"tracking": '''
def track_experiment(model, params, metrics, tracking_uri):
    mlflow.set_tracking_uri(tracking_uri)
    with mlflow.start_run() as run:
        mlflow.log_params(params)
        mlflow.log_metrics(metrics)
    return run.info.run_id
'''},
    ),
    Variant(
        "wrong_api_naive_validation",
        "The seed's API: request.get_json() without silent=True and no validation of the pixels. Valid requests, "
        "the missing key and the missing model are right; a body that is not JSON gets Flask's HTML error page, a "
        "wrong length or text pixels make reshape or float() raise (500), out-of-range and null pixels are "
        "predicted (200), and so is a boolean among numbers: each malformed family costs its own check.",
        frozenset({"api_rejects_non_json", "api_rejects_wrong_length", "api_rejects_non_numeric",
                   "api_rejects_out_of_range", "api_rejects_other_malformed", "api_rejects_boolean_among_numbers"}),
        {"api": NAIVE_API},
    ),
    Variant(
        "wrong_api_boolean_among_numbers",
        "The reference's pixel check trusts numpy's dtype alone: all-boolean bodies are refused (dtype bool), but "
        "one true or false among numbers is read as 1 or 0 (Python's bool is an int subclass) and predicted (200), "
        "against the notebook's rule. Only the mixed-boolean check fails.",
        frozenset({"api_rejects_boolean_among_numbers"}),
        changed("api",
                ("    # bool est un sous-type d'int : np.asarray lit un booléen parmi des nombres comme 0 ou 1.\n"
                 "    booleans = any(isinstance(pixel, bool) for pixel in np.asarray(values, dtype=object).flat)\n",
                 ""),
                ("if booleans or array.dtype.kind", "if array.dtype.kind")),
    ),
    Variant(
        "wrong_api_raw_pixels",
        "The API validates every request but feeds the raw pixels (0-255) to the model: the probabilities are "
        "wrong for valid images; every error answer is right.",
        frozenset({"api_predicts", "api_accepts_28x28"}),
        {"api": '''
import numpy as np
import keras
from flask import Flask, jsonify, request


def create_app(model_path):
    app = Flask(__name__)
    try:
        model = keras.models.load_model(model_path)
    except (OSError, ValueError):
        model = None

    @app.post("/predict")
    def predict():
        if model is None:
            return jsonify(error="Le modèle n'a pas pu être chargé"), 500
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict):
            return jsonify(error="JSON attendu"), 400
        if "image" not in payload:
            return jsonify(error="Aucune image fournie"), 400
        try:
            array = np.asarray(payload["image"])
        except ValueError:
            return jsonify(error="Lignes de longueurs différentes"), 400
        booleans = any(isinstance(pixel, bool) for pixel in np.asarray(payload["image"], dtype=object).flat)
        if booleans or array.dtype.kind not in "iuf" or array.shape not in ((784,), (28, 28)):
            return jsonify(error="784 pixels numériques attendus"), 400
        if not np.all(np.isfinite(array)) or array.min() < 0 or array.max() > 255:
            return jsonify(error="Pixels entre 0 et 255 attendus"), 400
        probabilities = model.predict(array.astype("float32").reshape(1, 784), verbose=0)
        return jsonify(prediction=int(np.argmax(probabilities)), probabilities=probabilities.tolist())

    return app
'''},
        messages={"api_predicts": "Divisez les pixels reçus par 255"},
    ),
    Variant(
        "wrong_client_scaled_pixels",
        "The client divides the pixels by 255 before sending them, against the API's contract (raw pixels): "
        "only the request check fails; the answer is still read right.",
        frozenset({"client_sends_raw_pixels"}),
        {"client": '''
def predict_with_api(url, image):
    pixels = (np.asarray(image, dtype="float32") / 255.0).reshape(-1).tolist()
    response = requests.post(url, json={"image": pixels}, timeout=30)
    response.raise_for_status()
    answer = response.json()
    return int(answer["prediction"]), np.asarray(answer["probabilities"][0])


def top_predictions(probabilities, k=3):
    order = np.argsort(probabilities)[::-1][:k]
    return [(int(i), float(probabilities[i])) for i in order]
'''},
    ),
    Variant(
        "wrong_dockerfile_full_image_copy_first",
        "A full python:3.11 image, the whole context copied before installing, pip's cache kept: the base image, "
        "the no-cache install and the layer order fail; copying the context counts as copying the app and the "
        "model, and the shell-form CMD is accepted.",
        frozenset({"dockerfile_base_image", "dockerfile_installs_requirements", "dockerfile_layer_order"}),
        {"docker": '''
DOCKERFILE = """
FROM python:3.11
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt
EXPOSE 5000
CMD python app.py
"""

REQUIREMENTS = """
flask
numpy
keras
tensorflow-cpu
"""
'''},
    ),
    Variant(
        "valid_functional_objects",
        "Functional Keras model compiled with loss and optimizer objects, evaluate(return_dict=True), "
        "keras.saving functions, tracking with log_param/log_metric one by one and an explicit end_run, "
        "another slim tag, python -m pip, COPY to /app/, EXPOSE 5000/tcp, CMD python3, tensorflow (not -cpu) "
        "with comments in the requirements.",
        frozenset(),
        {"model": '''
def build_model():
    inputs = keras.Input(shape=(784,), name="pixels")
    hidden = layers.Dense(512, activation="relu", name="hidden")(inputs)
    hidden = layers.Dropout(rate=0.2)(hidden)
    outputs = layers.Dense(10, activation=keras.activations.softmax)(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=[keras.metrics.SparseCategoricalAccuracy()])
    return model
''',
         "training": '''
def train_model(model, x_train, y_train, epochs=5, batch_size=128):
    history = model.fit(x=x_train, y=y_train, batch_size=batch_size, epochs=epochs, verbose=0,
                        validation_split=0.1, shuffle=True)
    return history


def evaluate_model(model, x_test, y_test):
    scores = model.evaluate(x_test, y_test, verbose=0, return_dict=True)
    accuracy_key = "accuracy" if "accuracy" in scores else "sparse_categorical_accuracy"
    return {"test_loss": float(scores["loss"]), "test_accuracy": float(scores[accuracy_key])}
''',
         "saving": '''
def save_model(model, folder):
    path = f"{folder}/{MODEL_FILE}"
    keras.saving.save_model(model, path)
    return path


def load_saved_model(path):
    return keras.saving.load_model(path)
''',
         "tracking": '''
def track_experiment(model, params, metrics, tracking_uri):
    mlflow.set_tracking_uri(tracking_uri)
    run = mlflow.start_run()
    for key, value in params.items():
        mlflow.log_param(key, value)
    for key, value in metrics.items():
        mlflow.log_metric(key, value)
    mlflow.keras.log_model(model, name="mnist-model", pip_requirements=["keras", "tensorflow-cpu"])
    mlflow.end_run()
    return run.info.run_id
''',
         "docker": '''
DOCKERFILE = """
# API de prédiction MNIST
FROM python:3.12-slim-bookworm

WORKDIR /app/
COPY requirements.txt /app/
RUN python -m pip install --upgrade pip && \\\\
    python -m pip install --no-cache-dir --requirement requirements.txt
COPY app.py /app/
COPY mnist_model.keras /app/
EXPOSE 5000/tcp
CMD ["python3", "app.py"]
"""

REQUIREMENTS = """
# serveur
Flask>=3.1  # l'API
numpy
keras>=3.10
tensorflow==2.21.0
"""
'''},
    ),
    Variant(
        "valid_api_error_handlers",
        "An API with a JSON error handler for Flask's 4xx errors, request.get_json(force=True), a pixel check "
        "written with loops; a client with urllib instead of requests; top_predictions with sorted().",
        frozenset(),
        {"api": '''
import math

import numpy as np
import keras
from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException


def pixels_from(value):
    if not isinstance(value, list):
        raise ValueError("L'image doit être une liste.")
    rows = value if len(value) == 28 and all(isinstance(row, list) for row in value) else [value]
    if len(rows) == 28 and any(len(row) != 28 for row in rows):
        raise ValueError("Chaque ligne d'une image 28×28 contient 28 pixels.")
    pixels = [pixel for row in rows for pixel in row]
    if len(pixels) != 784:
        raise ValueError(f"784 pixels attendus, {len(pixels)} reçus.")
    for pixel in pixels:
        if isinstance(pixel, bool) or not isinstance(pixel, (int, float)):
            raise ValueError("Chaque pixel doit être un nombre.")
        if not math.isfinite(pixel) or not 0 <= pixel <= 255:
            raise ValueError("Chaque pixel doit être entre 0 et 255.")
    return np.array(pixels, dtype="float32").reshape(1, 784) / 255.0


def create_app(model_path):
    app = Flask("mnist-api")
    try:
        model = keras.saving.load_model(model_path)
    except Exception:
        model = None

    @app.errorhandler(HTTPException)
    def as_json(error):
        return jsonify(error=error.description), error.code

    @app.route("/predict", methods=["POST"])
    def predict():
        if model is None:
            return jsonify(error="Le modèle n'a pas pu être chargé"), 500
        payload = request.get_json(force=True)
        if not isinstance(payload, dict):
            return jsonify(error="Un objet JSON est attendu."), 400
        if "image" not in payload:
            return jsonify(error="Aucune image fournie"), 400
        try:
            image = pixels_from(payload["image"])
        except ValueError as problem:
            return jsonify(error=str(problem)), 400
        probabilities = np.asarray(model(image, training=False))
        return jsonify(prediction=int(probabilities.argmax()), probabilities=probabilities.tolist())

    return app
''',
         "client": '''
def predict_with_api(url, image):
    import json
    import urllib.request

    body = json.dumps({"image": [int(v) for v in np.ravel(image)]}).encode()
    query = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(query, timeout=30) as response:
        answer = json.load(response)
    return answer["prediction"], np.array(answer["probabilities"]).reshape(-1)


def top_predictions(probabilities, k=3):
    ranked = sorted(enumerate(np.asarray(probabilities).tolist()), key=lambda pair: pair[1], reverse=True)
    return ranked[:k]
'''},
    ),
]
