"""Hidden tests of 02_mnist_cnn: run only at grading time, never shipped to students.

Each function is checked with the grader's own copy of what it works with (see ``probes.py``):
the student's ``train_one_epoch`` and ``evaluate`` with the reference CNN, the student's
``MnistCNN`` with the reference training loop. A mistake in one costs its own points only.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
import pytest

from a02_mnist_cnn import hidden_probes, probes
from a02_mnist_cnn.inputs import evaluation_problem, small_classification
from autograder.checks.classification import accuracy, expect_confusion_matrix
from autograder.checks.expect import expect_close, expect_equal, expect_number, expect_true
from autograder.checks.thresholds import Threshold
from autograder.grader import graded, hidden

pytestmark = hidden

SEED = 42
QUALITY_TRAIN = 12_000  # training images the grader trains the student's model on (one epoch)
QUALITY_TEST = 3_000  # test images it predicts; their labels stay in the grading process
QUALITY_BATCH = hidden_probes.BATCH_SIZE  # 64, Adam with lr 1e-3 (hidden_probes.reference_training)
OVERFIT_STEPS = 60
#: Calibration (``python -m benchmarks.calibrate 02_mnist_cnn quality_accuracy --seeds 5``): the reference CNN,
#: trained by the grader for one epoch on the 12 000 fixed training images (Adam, lr 1e-3, batch 64, 1 thread),
#: reaches a test accuracy of 0.9517-0.9570 over seeds 0-4 (mean 0.9554) on the 3 000 fixed test images. A linear
#: model (Flatten, Linear(784, 10)) reaches 0.894-0.895 (seeds 0-2); the CNN with a softmax output fed to
#: CrossEntropyLoss 0.856-0.945. The limit keeps a margin of 0.022 (2.3 points) under the reference's worst seed
#: and fails the linear model.
QUALITY_THRESHOLD = Threshold(
    metric="Accuracy sur 3 000 images de test MNIST",
    limit=0.93,
    lower_is_better=False,
    calibration="reference 0.9517-0.9570 over seeds 0-4 (1 epoch on 12 000 images); linear model 0.894-0.895",
)


@functools.cache
def mnist_subsets() -> dict[str, np.ndarray]:
    """Fixed subsets of MNIST (read once per grading process): training images and labels, test images, and
    what never leaves this process: the test labels and the first 8 test images."""
    from autograder.data import load_mnist

    (x_train, y_train), (x_test, y_test) = load_mnist()
    rng = np.random.default_rng(SEED)
    train = rng.choice(len(x_train), QUALITY_TRAIN, replace=False)
    test = rng.choice(len(x_test), QUALITY_TEST, replace=False)
    subsets = {"train_images": x_train[train], "train_labels": y_train[train].astype(np.int64),
               "test_images": x_test[test], "test_labels": y_test[test].astype(np.int64), "test_head": x_test[:8]}
    for array in subsets.values():
        array.setflags(write=False)  # shared by every notebook this process grades
    return subsets


@pytest.fixture(scope="module")
def mnist() -> dict[str, np.ndarray]:
    return mnist_subsets()


def train_slice(mnist: dict[str, np.ndarray], start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """Training images and labels ``start:stop`` of the fixed subset."""
    return mnist["train_images"][start:stop], mnist["train_labels"][start:stop]


# ---------------------------------------------------------------------------------------------- data


@graded(1, task="data")
def test_data_order(student, mnist):
    """Ordre : entraînement mélangé (shuffle=True), test dans l'ordre (train=False)"""
    found = student.run(hidden_probes.loader_order)
    first, second = found["train_first_labels"]
    expect_true(not np.array_equal(first, second), "Deux parcours du chargeur d'entraînement commencent par le même "
                                                   "lot : il doit mélanger les images (shuffle=True).")
    raw = mnist["test_head"].reshape(len(mnist["test_head"]), -1).astype(float)
    head = found["test_head"]
    expect_equal("Nombre d'images comparées au début du jeu de test", len(raw), len(head) if head.ndim else 0)
    head = head.reshape(len(head), -1)
    matches = [head.shape[1] == raw.shape[1] and float(np.corrcoef(a, b)[0, 1]) > 0.999
               for a, b in zip(head, raw, strict=True)]
    expect_true(all(matches), "Le premier lot de test n'est pas formé des premières images de test, dans l'ordre : "
                              "train=False et shuffle=False pour le chargeur de test.")


# ---------------------------------------------------------------------------------------------- model


@graded(1, task="model")
def test_model_initial_loss(student, mnist):
    """Perte initiale proche de ln 10 ≈ 2,30 (scores bruts, sans softmax)"""
    found = expect_number("Perte initiale", student.run(hidden_probes.initial_loss, *train_slice(mnist, 0, 512)))
    expect_close("Perte d'entropie croisée du modèle non entraîné sur 512 images (≈ ln 10)", math.log(10), found,
                 atol=0.15, hint="Avant entraînement, les 10 classes sont à peu près équiprobables : la perte vaut "
                                 "environ ln 10 ≈ 2,30. La dernière couche doit renvoyer des scores bruts (logits), "
                                 "sans softmax.")


@graded(1, task="model")
def test_model_one_step(student, mnist):
    """Un pas d'optimisation fait baisser la perte sur un lot fixe"""
    found = student.run(hidden_probes.one_step, *train_slice(mnist, 512, 576))
    expect_true(found["requires_grad"], "La sortie du modèle ne dépend pas de ses paramètres : pas de "
                                        "torch.no_grad(), .detach() ni numpy dans forward.")
    expect_true(found["after"] < found["before"] - 1e-3,
                f"Un pas d'Adam (lr=1e-3) sur un lot fixe de 64 images doit faire baisser la perte sur ce lot : "
                f"attendu moins de {found['before']:.4f}, obtenu {found['after']:.4f}.")


@graded(1, task="model")
def test_model_overfit(student, mnist):
    """Le modèle apprend par cœur un petit lot de 32 images"""
    images, labels = train_slice(mnist, 576, 608)
    found = student.run(hidden_probes.overfit, images, labels, OVERFIT_STEPS)
    expect_equal(f"Accuracy sur un lot de 32 images après {OVERFIT_STEPS} pas d'Adam sur ce même lot", 1.0,
                 accuracy(labels, found["predictions"]), "Le modèle doit pouvoir apprendre par cœur un petit lot.")
    expect_true(found["loss"] < 0.05, f"Perte sur un lot de 32 images après {OVERFIT_STEPS} pas d'Adam sur ce même "
                                      f"lot : attendu moins de 0.05, obtenu {found['loss']:.4g}.")


# ---------------------------------------------------------------------------------------------- train


@graded(1, task="train")
def test_train_sets_train_mode(student):
    """Entraînement : model.train() au début de l'époque"""
    found = student.run(probes.training_log, *small_classification(), batch_size=32, start_in_eval=True)
    expect_true(bool(found["training"]), "loss_fn doit être appelée sur chaque lot : elle ne l'a jamais été.")
    expect_true(all(found["training"]), "Le modèle doit être en mode entraînement : reçu en mode évaluation, il l'est "
                                        "resté. Appelez model.train() au début de train_one_epoch.")


@graded(1, task="train")
def test_train_reference_cnn(student, mnist):
    """Entraînement du CNN de référence : la perte baisse en une époque"""
    found = student.run(hidden_probes.train_reference, *train_slice(mnist, 0, 1024), *train_slice(mnist, 1024, 1536))
    returned, before, after = found["returned"], found["before"], found["after"]
    expect_true(0.0 < returned < before + 0.5, f"Perte moyenne renvoyée pour une époque du CNN de référence : attendu "
                                               f"un nombre entre 0 et {before + 0.5:.2f}, obtenu {returned:.4g}.")
    expect_true(after < before - 0.5, f"Une époque de votre boucle sur 1 024 images doit faire baisser la perte du "
                                      f"CNN de référence sur d'autres images : attendu moins de {before - 0.5:.3f}, "
                                      f"obtenu {after:.3f} (avant : {before:.3f}).")


# ---------------------------------------------------------------------------------------------- evaluate


@pytest.fixture(scope="module")
def evaluation_modes(student) -> dict[str, Any]:
    """``evaluate`` on the linear model followed by a Dropout, received in training mode."""
    return student.run(probes.evaluation, *evaluation_problem(), dropout=True)


@graded(1, task="evaluate")
def test_evaluate_eval_mode(evaluation_modes, evaluation_answer):
    """Évaluation : model.eval() (Dropout désactivé)"""
    expect_true(bool(evaluation_modes["training"]), "evaluate doit appeler le modèle sur chaque lot : il ne l'a "
                                                    "jamais été.")
    expect_true(not any(evaluation_modes["training"]), "Le modèle doit être en mode évaluation : il est resté en mode "
                                                       "entraînement (le Dropout reste actif). Appelez model.eval() "
                                                       "au début de evaluate.")
    expect_close("Classes prédites par un modèle avec Dropout", evaluation_answer["predictions"],
                 evaluation_modes["predictions"], atol=0)


@graded(1, task="evaluate")
def test_evaluate_no_grad(evaluation_modes):
    """Évaluation : sans calcul de gradients (torch.no_grad)"""
    expect_true(bool(evaluation_modes["grad_enabled"]), "evaluate doit appeler le modèle sur chaque lot : il ne l'a "
                                                        "jamais été.")
    expect_true(not any(evaluation_modes["grad_enabled"]), "Le calcul des gradients doit être désactivé en évaluation "
                                                           "(mémoire et temps inutiles) : entourez la boucle de "
                                                           "with torch.no_grad():.")


@graded(1, task="evaluate")
def test_evaluate_reference_cnn(student, mnist):
    """Évaluation du CNN de référence sur 2 500 images"""
    images, labels = train_slice(mnist, 2000, 4500)
    found = student.run(hidden_probes.evaluate_reference, *train_slice(mnist, 0, 1024), images, labels)
    predictions, reference = found["predictions"], found["reference"]
    expect_equal("Nombre de prédictions pour 2 500 images (lots de 1000, 1000 et 500)", len(reference),
                 len(predictions))
    agreement = float(np.mean(predictions == reference))
    expect_true(agreement >= 0.999, f"Les classes prédites doivent être l'argmax des scores : pour le CNN de "
                                    f"référence, c'est le cas de {agreement:.1%} seulement.")
    expect_close("Accuracy du CNN de référence sur 2 500 images", accuracy(labels, reference), found["accuracy"],
                 atol=2e-3, hint="Nombre de bonnes réponses / nombre d'images, entre 0 et 1.")


# ---------------------------------------------------------------------------------------------- confusion


@graded(1, task="confusion")
def test_confusion_from_tensors(student, mnist):
    """Matrice de confusion de 3 000 prédictions (tenseurs) : total, diagonale, lignes"""
    labels = mnist["train_labels"][:3000]
    rng = np.random.default_rng(SEED)
    predictions = np.where(rng.random(len(labels)) < 0.9, labels, rng.integers(0, 10, len(labels)))
    expect_confusion_matrix(student.run(probes.confusion, labels, predictions, 10, tensors=True), labels,
                            predictions, 10)


# ---------------------------------------------------------------------------------------------- quality


@graded(3, task="quality", timeout_s=120)
def test_quality_accuracy(student, mnist, record_property):
    """Qualité : accuracy de test de votre CNN entraîné par le correcteur"""
    predictions = student.run(hidden_probes.quality_predictions, mnist["train_images"], mnist["train_labels"],
                              mnist["test_images"])
    labels = mnist["test_labels"]
    expect_equal("Nombre de prédictions sur les images de test", len(labels), len(predictions))
    QUALITY_THRESHOLD.expect(accuracy(labels, predictions),
                             f"une époque sur {QUALITY_TRAIN} images d'entraînement (Adam, lr 1e-3, lots de "
                             f"{QUALITY_BATCH})", record=record_property)
