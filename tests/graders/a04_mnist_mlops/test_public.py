"""Public tests of 04_mnist_mlops: students run these with ``autograder check``.

Every function is tested on small synthetic inputs built here, or with the grader's own model
(see :mod:`a04_mnist_mlops.probes`): a mistake costs its own points only. The tools are real: the
tracking function writes a real MLflow store, read back here with MLflow's client; the Flask
application is served on the sandbox's loopback and receives real HTTP requests; the Dockerfile
is read with a Dockerfile parser.
"""

from __future__ import annotations

import itertools
import math
import zipfile
from pathlib import Path

import numpy as np

from a04_mnist_mlops import probes
from a04_mnist_mlops.inputs import (
    NO_IMAGE,
    NOT_LOADED,
    PIXELS,
    TRACKED_METRICS,
    TRACKED_PARAMS,
    flat,
    grader_probabilities,
    pixel_images,
    predict_request,
    raw_request,
)
from a04_mnist_mlops.judging import (
    expect_copied,
    expect_error_answer,
    expect_prediction_answer,
    expect_rejected,
    run_command,
)
from a04_mnist_mlops.quiz import QUESTIONS
from autograder.checks import dockerfile, mlflow_store
from autograder.checks.expect import expect_close, expect_equal, expect_keys, expect_true, fail
from autograder.checks.keras_model import expect_compiled, expect_layers
from autograder.checks.qcm import expect_answered
from autograder.grader import graded

EXPECTED_LAYERS = [
    {"type": "Dense", "units": 512, "activation": "relu"},
    {"type": "Dropout", "rate": 0.2},
    {"type": "Dense", "units": 10, "activation": "softmax"},
]
MODEL_PARAMS = 407_050  # 784×512+512 + 512×10+10
KERAS_ARCHIVE = {"config.json", "metadata.json", "model.weights.h5"}  # what a Keras 3 ``.keras`` file holds
MODEL_FILE = "mnist_model.keras"
REQUIRED_PACKAGES = {"flask", "numpy", "keras"}
TENSORFLOW = {"tensorflow", "tensorflow-cpu"}


# ------------------------------------------------------------------------------------------------ data


@graded(1, task="data")
def test_preprocess_images(student):
    """Prétraitement : forme (n, 784), float32, pixels dans [0, 1]"""
    values = student.run(probes.preprocessed, pixel_images(6, 10))["values"]
    expect_equal("Forme de preprocess_images(images) pour 6 images 28×28", [6, PIXELS], list(values.shape),
                 "Aplatissez chaque image en 784 valeurs : reshape(len(images), 784).")
    expect_equal("Type des pixels", np.dtype(np.float32).str, values.dtype.str, "Convertissez avec astype('float32').")
    low, high = float(values.min()), float(values.max())
    if not (low >= 0.0 and high <= 1.0):
        fail("Plage des pixels normalisés", "[0, 1]", f"[{low:.4g}, {high:.4g}]", "Divisez par 255.")
    expect_close("Valeur d'un pixel à 255 après normalisation", 1.0, high, hint="Divisez par 255.")


@graded(1, task="data")
def test_load_mnist_vectors(student):
    """Chargement : les 60 000 et 10 000 images de MNIST passées à preprocess_images, étiquettes inchangées"""
    from autograder.data import load_mnist

    rows = [0, 1, 12_345, 59_999]
    found = student.run(probes.loaded, rows, timeout_s=120)
    expected = dict(zip(("train", "test"), load_mnist(), strict=True))
    for split, size in (("train", 60_000), ("test", 10_000)):
        part, (_, labels) = found[split], expected[split]
        expect_equal(f"Nombre d'images ({split})", size, part["x_shape"][0] if part["x_shape"] else None,
                     "Toutes les images de load_mnist().")
        expect_close(f"Images {[r for r in rows if r < size]} ({split})", part["preprocessed"], part["rows"],
                     atol=1e-6, hint="Les images de load_mnist(), dans leur ordre, passées à preprocess_images.")
        expect_equal(f"Étiquettes ({split})", labels.tolist(), part["labels"].tolist(),
                     "Renvoyez les étiquettes de load_mnist() telles quelles.")


# ----------------------------------------------------------------------------------------------- model


@graded(1, task="model")
def test_model_layers(model):
    """Modèle : Dense(512, relu) → Dropout(0.2) → Dense(10, softmax)"""
    expect_layers(model, EXPECTED_LAYERS)


@graded(1, task="model")
def test_model_params(model):
    """Modèle : 407 050 paramètres, sortie (None, 10)"""
    expect_equal("Nombre de paramètres", MODEL_PARAMS, model["params"],
                 "784×512+512 + 512×10+10 = 407 050 : entrée keras.Input(shape=(784,)).")
    expect_equal("Forme de sortie", [None, 10], model["output_shape"])


@graded(1, task="model")
def test_model_compile(model):
    """Modèle : compilé avec adam, sparse_categorical_crossentropy, accuracy"""
    expect_compiled(model, optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])


# ------------------------------------------------------------------------------------------- training


@graded(1, task="train")
def test_train_model_history(student):
    """Entraînement : renvoie l'History de fit, pour le nombre d'époques demandé"""
    x = pixel_images(120, 20).reshape(120, PIXELS).astype(np.float32) / 255.0
    found = student.run(probes.training, x, np.arange(120) % 10, epochs=2, batch_size=16)
    expect_keys("Clés de history.history", {"loss", "accuracy"}, found["history"])
    expect_equal("Époques de l'historique (epochs=2)", 2, len(found["history"]["loss"]), "fit(..., epochs=epochs).")
    expect_true(found["changed"], "Les poids du modèle n'ont pas bougé : entraînez le modèle reçu avec model.fit.")


@graded(1, task="train")
def test_train_validation_split(student):
    """Entraînement : 10 % des exemples mis de côté pour la validation (validation_split=0.1)"""
    x = pixel_images(200, 21).reshape(200, PIXELS).astype(np.float32) / 255.0
    found = student.run(probes.training, x, np.arange(200) % 10, epochs=1, batch_size=32)
    expect_keys("Clés de history.history", {"val_loss", "val_accuracy"}, found["history"])
    expect_equal("Lots par époque pour 200 exemples, lots de 32", math.ceil(180 / 32), found["params"].get("steps"),
                 "180 exemples d'entraînement et 20 de validation : validation_split=0.1, batch_size=batch_size.")


@graded(1, task="train")
def test_evaluate_model(student, vectors):
    """Évaluation : {"test_loss", "test_accuracy"} sur le jeu reçu"""
    labels = np.array([0, 1, 2, 3, 4, 5])
    found = student.run(probes.evaluation, vectors, labels)
    expect_keys("Résultat de evaluate_model", {"test_loss", "test_accuracy"}, found)
    probabilities = grader_probabilities(vectors)
    loss = float(np.mean(-np.log(probabilities[np.arange(6), labels])))
    accuracy = float(np.mean(probabilities.argmax(axis=1) == labels))
    expect_close("test_loss (entropie croisée moyenne)", loss, found["test_loss"], rtol=1e-4)
    expect_close("test_accuracy", accuracy, found["test_accuracy"], rtol=1e-4,
                 hint="model.evaluate renvoie [perte, accuracy] dans cet ordre.")


# --------------------------------------------------------------------------------------------- saving


@graded(1, task="save")
def test_save_native_format(student, tmp_path, vectors):
    """Sauvegarde : un fichier mnist_model.keras au format natif de Keras 3, dans le dossier reçu"""
    found = student.run(probes.saved, str(tmp_path), vectors)
    path = Path(found["path"])
    expect_equal("Fichier écrit par save_model", str(tmp_path / MODEL_FILE), str(path),
                 "Enregistrez dans le dossier reçu, sous le nom MODEL_FILE.")
    expect_true(path.is_file() and zipfile.is_zipfile(path),
                f"{path.name} n'est pas une archive .keras (format natif de Keras 3) : utilisez model.save(chemin) "
                "avec l'extension .keras (le .h5 est un format hérité).")
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
    expect_true(KERAS_ARCHIVE <= names, f"Archive .keras incomplète : attendu {sorted(KERAS_ARCHIVE)}, "
                                        f"trouvé {sorted(names)}.")


@graded(1, task="save")
def test_save_and_reload(student, tmp_path, vectors):
    """Sauvegarde puis rechargement : mêmes sorties que le modèle enregistré"""
    found = student.run(probes.saved, str(tmp_path), vectors)
    expect_close("Sorties du modèle rechargé par load_saved_model", grader_probabilities(vectors), found["outputs"],
                 atol=1e-5, hint="keras.models.load_model(path) sur le fichier écrit par save_model.")


# ------------------------------------------------------------------------------------------- tracking


@graded(1, task="tracking")
def test_tracking_one_finished_run(tracking):
    """MLflow : un run terminé dans l'expérience par défaut du store reçu, son identifiant renvoyé"""
    run = mlflow_store.expect_single_run(tracking["runs"], "Default")
    mlflow_store.expect_finished(run)
    expect_equal("Identifiant renvoyé par track_experiment", run.run_id, tracking["returned"],
                 "Renvoyez run.info.run_id.")


@graded(1, task="tracking")
def test_tracking_params(tracking):
    """MLflow : les paramètres reçus (epochs, batch_size, dropout_rate) enregistrés"""
    mlflow_store.expect_params(mlflow_store.tracked_run(tracking["runs"], "Default"), TRACKED_PARAMS)


@graded(1, task="tracking")
def test_tracking_metrics(tracking):
    """MLflow : les métriques reçues (test_accuracy, test_loss) enregistrées"""
    mlflow_store.expect_metrics(mlflow_store.tracked_run(tracking["runs"], "Default"), TRACKED_METRICS)


# ------------------------------------------------------------------------------------------------ api


@graded(2, task="api")
def test_api_predicts(student, tmp_path):
    """API : POST /predict avec 784 pixels bruts → 200, prediction et probabilities du modèle"""
    image = pixel_images(3, 40)[1]
    request = predict_request(flat(image))
    (answer,) = student.run(probes.api_answers, str(tmp_path), [request])
    expect_prediction_answer(answer, request, grader_probabilities(image.reshape(1, PIXELS) / 255.0))


@graded(1, task="api")
def test_api_accepts_28x28(student, tmp_path):
    """API : une image en liste 28×28 est acceptée"""
    image = pixel_images(3, 41)[2]
    request = predict_request(image.astype(int).tolist())
    (answer,) = student.run(probes.api_answers, str(tmp_path), [request])
    expect_prediction_answer(answer, request, grader_probabilities(image.reshape(1, PIXELS) / 255.0))


@graded(1, task="api")
def test_api_missing_image(student, tmp_path):
    """API : sans clé "image" → 400 {"error": "Aucune image fournie"}"""
    request = raw_request('{"pixels": [0, 1, 2]}')
    (answer,) = student.run(probes.api_answers, str(tmp_path), [request])
    expect_error_answer(answer, request, 400, NO_IMAGE)


@graded(1, task="api")
def test_api_model_not_loaded(student, tmp_path):
    """API : modèle impossible à charger → 500 {"error": "Le modèle n'a pas pu être chargé"}"""
    request = predict_request(flat(pixel_images(1, 42)[0]))
    (answer,) = student.run(probes.api_answers, str(tmp_path), [request], model_saved=False)
    expect_error_answer(answer, request, 500, NOT_LOADED)


@graded(1, task="api")
def test_api_rejects_non_json(student, tmp_path):
    """API : un corps qui n'est pas du JSON → 400 en JSON, et le serveur répond encore"""
    expect_rejected(student, tmp_path, [raw_request("image=1,2,3", "application/x-www-form-urlencoded"),
                                        raw_request('{"image": [0, 1, ', "application/json")])


@graded(1, task="api")
def test_api_rejects_wrong_length(student, tmp_path):
    """API : pas 784 pixels (783, 785, 28×27) → 400 en JSON"""
    image = flat(pixel_images(1, 43)[0])
    nested = np.asarray(image).reshape(28, 28)[:, :27].tolist()
    expect_rejected(student, tmp_path, [predict_request(image[:-1]), predict_request([*image, 0]),
                                        predict_request(nested)])


@graded(1, task="api")
def test_api_rejects_non_numeric(student, tmp_path):
    """API : pixels non numériques (texte, null, booléens) → 400 en JSON"""
    image = flat(pixel_images(1, 44)[0])
    expect_rejected(student, tmp_path, [predict_request(["a"] * PIXELS), predict_request([None] * PIXELS),
                                        predict_request([True] * PIXELS), predict_request([*image[:-1], "12"])])


@graded(1, task="api")
def test_api_rejects_out_of_range(student, tmp_path):
    """API : pixels hors de [0, 255] → 400 en JSON"""
    image = flat(pixel_images(1, 45)[0])
    expect_rejected(student, tmp_path, [predict_request([*image[:-1], 256]), predict_request([-1, *image[1:]])])


# --------------------------------------------------------------------------------------------- client

CLIENT_ANSWER = {"prediction": 7, "probabilities": [[0.01, 0.0, 0.02, 0.05, 0.0, 0.01, 0.0, 0.8, 0.01, 0.1]]}


@graded(1, task="client")
def test_client_sends_raw_pixels(student):
    """Client : POST JSON {"image": [784 pixels bruts]} sur l'adresse reçue"""
    image = pixel_images(2, 50)[1]
    received = student.run(probes.client_call, image, CLIENT_ANSWER)["received"]
    expect_equal("Requêtes reçues par l'API", 1, len(received))
    (request,) = received
    expect_equal("Méthode et route", "POST /predict", f"{request['method']} {request['path']}")
    document = request["json"]
    expect_true(isinstance(document, dict) and "image" in document,
                f"Corps JSON {{\"image\": [...]}} attendu, reçu : {request['text'][:120]!r}. "
                "Utilisez requests.post(url, json={\"image\": ...}).")
    expect_equal("Pixels envoyés (784 valeurs brutes, ligne par ligne)", flat(image),
                 np.asarray(document["image"]).reshape(-1).tolist() if np.size(document["image"]) == PIXELS
                 else document["image"], "Envoyez les pixels bruts de 0 à 255 (pas divisés par 255), aplatis.")


@graded(1, task="client")
def test_client_returns_answer(student):
    """Client : renvoie la prédiction (int) et les 10 probabilités de la réponse"""
    found = student.run(probes.client_call, pixel_images(1, 51)[0], CLIENT_ANSWER)
    expect_true(found["prediction_is_int"], f"La prédiction doit être un entier, pas {found['prediction']!r}.")
    expect_equal("Prédiction renvoyée", CLIENT_ANSWER["prediction"], int(found["prediction"]))
    expect_close("Probabilités renvoyées (forme (10,))", np.asarray(CLIENT_ANSWER["probabilities"][0]),
                 found["probabilities"], hint="Les 10 valeurs de answer[\"probabilities\"][0].")


@graded(1, task="client")
def test_top_predictions(student):
    """Client : top_predictions donne les 3 classes les plus probables, dans l'ordre"""
    probabilities = np.array([0.05, 0.3, 0.02, 0.15, 0.01, 0.2, 0.04, 0.1, 0.08, 0.05])
    found = student.call("top_predictions", probabilities)
    expect_equal("top_predictions(probabilities) (k = 3 par défaut)", [[1, 0.3], [5, 0.2], [3, 0.15]],
                 [[int(c), round(float(p), 6)] for c, p in found] if isinstance(found, list) else found)


# --------------------------------------------------------------------------------------------- docker


@graded(1, task="docker")
def test_dockerfile_base_image(deployment):
    """Dockerfile : une image de base Python 3 slim"""
    base = dockerfile.expect_one(dockerfile.instructions(deployment["DOCKERFILE"]), "FROM",
                                 "Une seule image de base : FROM python:3.11-slim.")
    repository, tag = dockerfile.split_image(base.value.split()[0])
    if repository.rpartition("/")[2] != "python" or not tag.startswith("3") or "slim" not in tag:
        fail("Image de base", "python:3.<version>-slim", base.value, "Une image Python 3 légère : python:3.11-slim.")


@graded(1, task="docker")
def test_dockerfile_installs_requirements(deployment):
    """Dockerfile : dossier /app, requirements.txt copié puis installé par pip sans cache"""
    found = dockerfile.instructions(deployment["DOCKERFILE"])
    expect_equal("Dossier de travail (WORKDIR)", "/app",
                 dockerfile.expect_one(found, "WORKDIR", "WORKDIR /app").value.rstrip("/"))
    expect_copied(found, "requirements.txt")
    installs = [run for run in dockerfile.named(found, "RUN") if {"pip", "install"} <= set(run_command(run))]
    if not installs:
        fail("Installation des dépendances", "RUN pip install --no-cache-dir -r requirements.txt",
             [f"ligne {run.line} : RUN {run.value}" for run in dockerfile.named(found, "RUN")] or "aucun RUN")
    words = run_command(installs[0])
    from_file = any(a in ("-r", "--requirement") and b.endswith("requirements.txt")
                    for a, b in itertools.pairwise(words))
    if "--no-cache-dir" not in words or not from_file:
        fail(f"Installation des dépendances (ligne {installs[0].line})",
             "RUN pip install --no-cache-dir -r requirements.txt", f"RUN {installs[0].value}",
             "Sans le cache de pip (--no-cache-dir), l'image est plus petite ; -r installe le fichier de dépendances.")


@graded(1, task="docker")
def test_dockerfile_copies_app_and_model(deployment):
    """Dockerfile : app.py et le modèle mnist_model.keras copiés dans l'image"""
    found = dockerfile.instructions(deployment["DOCKERFILE"])
    expect_copied(found, "app.py")
    expect_copied(found, MODEL_FILE)


@graded(1, task="docker")
def test_dockerfile_port_and_command(deployment):
    """Dockerfile : port 5000 exposé, commande python app.py"""
    found = dockerfile.instructions(deployment["DOCKERFILE"])
    ports = [word.split("/")[0] for item in dockerfile.named(found, "EXPOSE") for word in dockerfile.arguments(item)]
    expect_true("5000" in ports, f"Exposez le port de l'API : EXPOSE 5000 (ports exposés : {ports or 'aucun'}).")
    command = dockerfile.arguments(dockerfile.expect_one(found, "CMD", 'CMD ["python", "app.py"]'))
    if len(command) != 2 or command[0] not in ("python", "python3") or command[1] not in ("app.py", "/app/app.py"):
        fail("Commande de l'image (CMD)", ["python", "app.py"], command)


@graded(1, task="docker")
def test_requirements_file(deployment):
    """Dépendances : Flask, NumPy, Keras et TensorFlow, au format de pip"""
    names = {requirement.name.lower().replace("_", "-") for requirement in dockerfile.requirements(
        deployment["REQUIREMENTS"])}
    missing = sorted(REQUIRED_PACKAGES - names) + ([] if names & TENSORFLOW else ["tensorflow-cpu"])
    if missing:
        fail("Dépendances de l'API", sorted(REQUIRED_PACKAGES | {"tensorflow-cpu"}), sorted(names),
             f"Il manque : {', '.join(missing)}.")


# ----------------------------------------------------------------------------------------------- quiz


@graded(1, task="quiz")
def test_quiz_format(answers):
    """QCM : une lettre valide pour chacune des 6 questions"""
    expect_answered(answers, QUESTIONS)
