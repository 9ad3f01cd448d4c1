"""Public tests of 05_improving_networks: students run these with ``autograder check``.

Each function is tested on its own, on small inputs built here (index arrays, synthetic histories,
a few hundred random examples for the tracked trainings): a mistake costs its own points only.
The MLflow tests give the student's function the URI of a store in a folder of their own and read
that store back with MLflow's client (:mod:`autograder.checks.mlflow_store`).
"""

from __future__ import annotations

import numpy as np

from a05_improving_networks import probes
from a05_improving_networks.inputs import (
    BATCHNORM_EXPERIMENT,
    BATCHNORM_RUN,
    COMPARISON_EXPERIMENT,
    CURVES,
    MNIST_TRAIN,
    OPTIMIZERS,
    PROBE_EXPERIMENT,
    PROBE_RUN,
    digit_images,
    epochs_of,
    index_arrays,
)
from a05_improving_networks.judging import expect_dense_model, expect_epoch_metrics, expect_split, expect_verdict
from autograder.checks.expect import expect_close, expect_equal, expect_true
from autograder.checks.figures import expect_curves
from autograder.checks.mlflow_store import (
    expect_finished,
    expect_named_runs,
    expect_single_run,
    prepare_store,
    read_store,
)
from autograder.grader import graded

TP1_PARAMS = 407_050  # 784×512+512 + 512×10+10
BATCHNORM_PARAMS = 409_098  # + 4 × 512 (gamma, beta, moving mean, moving variance)

# ------------------------------------------------------------------------------------------------ data


@graded(1, task="data")
def test_preprocess_images(student):
    """Prétraitement : (n, 784), float32, pixel / 255"""
    images = digit_images(5, 10)
    values = student.run(probes.preprocessed, images)["values"]
    expect_equal("Forme de preprocess_images(images) pour 5 images 28×28", [5, 784], list(values.shape),
                 "Aplatissez chaque image en 784 valeurs : reshape(len(images), 784).")
    expect_equal("Type des valeurs", np.dtype(np.float32).str, values.dtype.str, "Convertissez en float32.")
    expect_close("Valeurs normalisées (pixel / 255)", images.reshape(5, 784) / 255.0, values, rtol=0, atol=1e-6,
                 hint="Divisez par 255.")


@graded(1, task="data")
def test_split_default(student):
    """Découpage 54 000 / 6 000 : la validation est faite des 6 000 derniers exemples"""
    x, y = index_arrays(MNIST_TRAIN)
    expect_split(student.run(probes.split, x, y), x, y, 6000)


# ----------------------------------------------------------------------------------------------- model


@graded(1, task="model")
def test_model_layers(tp1_model):
    """Modèle du TP1 : Dense(512, relu) → Dropout(0.2) → Dense(10, softmax), 407 050 paramètres"""
    expect_dense_model(tp1_model, "du modèle du TP1", 0.2, TP1_PARAMS)


@graded(1, task="model")
def test_model_compile(tp1_model):
    """Modèle du TP1 compilé : sparse_categorical_crossentropy, accuracy"""
    compiled = tp1_model["compile"]
    expect_true(compiled is not None, "Le modèle n'est pas compilé : appelez model.compile(...) avant de le renvoyer.")
    expect_equal("Fonction de coût", "sparse_categorical_crossentropy", compiled["loss"],
                 "Étiquettes entières de 0 à 9 : sparse_categorical_crossentropy.")
    expect_true(compiled["metrics"] in (["accuracy"], ["sparse_categorical_accuracy"]),
                f"Métriques : attendu ['accuracy'], obtenu {compiled['metrics']}.")


# ------------------------------------------------------------------------------------------- diagnosis


@graded(1, task="diagnosis")
def test_diagnosis_clear_cases(student):
    """Diagnostic : biais élevé, variance élevée, équilibre (dont 0,996 / 0,982 du rapport)"""
    cases = [("un entraînement à 0.85 / 0.84", epochs_of([0.7, 0.8, 0.85], [0.7, 0.79, 0.84]), "HIGH_BIAS"),
             ("un entraînement à 0.99 / 0.95", epochs_of([0.9, 0.97, 0.99], [0.92, 0.95, 0.95]), "HIGH_VARIANCE"),
             ("le rapport du TP (0.996 / 0.982)", epochs_of([0.95, 0.99, 0.996], [0.97, 0.98, 0.982]), "BALANCED")]
    for what, values, verdict in cases:
        expect_verdict(student.run(probes.diagnosis, values), what, verdict)


# ---------------------------------------------------------------------------------------------- curves


@graded(1, task="curves", timeout_s=15)
def test_curves(student):
    """Courbes : accuracy et perte, entraînement et validation, étiquetées, légende, axes nommés"""
    found = student.run(probes.history_figure, CURVES)
    expect_curves(found, {"accuracy d'entraînement (accuracy)": np.array(CURVES["accuracy"]),
                          "accuracy de validation (val_accuracy)": np.array(CURVES["val_accuracy"])})
    expect_curves(found, {"perte d'entraînement (loss)": np.array(CURVES["loss"]),
                          "perte de validation (val_loss)": np.array(CURVES["val_loss"])})


# -------------------------------------------------------------------------------------- regularization


@graded(1, task="regularization")
def test_regularized_layers(regularized):
    """Modèle régularisé : Dense(512, relu) → Dropout(0.5) → Dense(10, softmax), 407 050 paramètres"""
    expect_dense_model(regularized, "du modèle régularisé (la pénalité L2 n'ajoute aucun paramètre)", 0.5,
                       TP1_PARAMS)


# ------------------------------------------------------------------------------------------ optimizers


@graded(1, task="optimizers")
def test_make_optimizer_sgd(student):
    """make_optimizer("SGD") : SGD, learning_rate 0.01, momentum 0.9"""
    found = student.run(probes.optimizer, "SGD")
    expect_equal('Classe de make_optimizer("SGD")', "SGD", found["class"])
    for key, value in (("learning_rate", 0.01), ("momentum", 0.9)):
        expect_close(f"SGD, paramètre `{key}`", value, found["config"].get(key, float("nan")), rtol=1e-6,
                     hint="keras.optimizers.SGD(learning_rate=0.01, momentum=0.9).")


# -------------------------------------------------------------------------------------------- tracking


@graded(1, task="tracking", timeout_s=30)
def test_log_epoch_metrics(student, tmp_path):
    """log_epoch_metrics : quatre métriques par époque, step = époque"""
    values = epochs_of([0.9, 0.95, 0.97], [0.92, 0.94, 0.95])
    prepare_store(tmp_path)
    student.run(probes.epoch_metrics, str(tmp_path), values)
    run = expect_single_run(read_store(tmp_path), PROBE_EXPERIMENT)
    expect_equal("Run actif pendant log_epoch_metrics", PROBE_RUN, run.name,
                 "Enregistrez dans le run actif : n'ouvrez pas de nouveau run.")
    expect_epoch_metrics(run, values)


@graded(1, task="tracking")
def test_compare_runs(comparison):
    """compare_optimizers : expérience « Optimizer Comparison », un run terminé Optimizer_<nom> par optimiseur"""
    runs = expect_named_runs(comparison["runs"], COMPARISON_EXPERIMENT, [f"Optimizer_{n}" for n in OPTIMIZERS])
    for run in runs.values():
        expect_finished(run)


# ------------------------------------------------------------------------------------------- batchnorm


@graded(1, task="batchnorm")
def test_batchnorm_layers(batchnorm):
    """Modèle BatchNorm : Dense(512, relu) → BatchNormalization → Dropout(0.2) → Dense(10), 409 098 paramètres"""
    expect_dense_model(batchnorm, "du modèle avec normalisation par lots", 0.2, BATCHNORM_PARAMS, batchnorm=True)


@graded(1, task="batchnorm")
def test_batchnorm_run(batchnorm_tracking):
    """track_batchnorm : expérience « Batch Normalization Test », un run terminé Model_With_BatchNorm"""
    run = expect_single_run(batchnorm_tracking["runs"], BATCHNORM_EXPERIMENT)
    expect_equal("Nom du run", BATCHNORM_RUN, run.name, 'mlflow.start_run(run_name="Model_With_BatchNorm").')
    expect_finished(run)
