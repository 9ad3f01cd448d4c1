"""Hidden checks of 02_mnist_cnn: run only at grading time, never shipped to students.

Each function is checked with the grader's own copy of what it works with: the student's
``train_one_epoch`` and ``evaluate`` with the reference CNN, the student's ``MnistCNN`` with
the reference training loop. A mistake in one costs its own points only.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from a02_mnist_cnn.public import (
    MEAN,
    STD,
    as_number,
    build_loaders,
    collect_training_log,
    evaluation_model,
    expected_evaluation,
    run_evaluate,
    to_numpy,
)
from autograder.checks.classification import accuracy, expect_confusion_matrix
from autograder.checks.expect import expect_close, expect_equal, expect_true
from autograder.checks.thresholds import Threshold, threshold_check
from autograder.checks.torch_model import single_threaded
from autograder.grading.spec import Arrays, Check, Fixtures, Submission

SEED = 42
QUALITY_TRAIN = 12_000  # training images the grader trains the student's model on (one epoch)
QUALITY_TEST = 3_000  # test images it predicts; their labels stay in the grading process
QUALITY_BATCH = 64
LEARNING_RATE = 1e-3
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
def _mnist_subsets() -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    from autograder.data import load_mnist

    (x_train, y_train), (x_test, y_test) = load_mnist()
    rng = np.random.default_rng(SEED)
    train = rng.choice(len(x_train), QUALITY_TRAIN, replace=False)
    test = rng.choice(len(x_test), QUALITY_TEST, replace=False)
    inputs = {"train_images": x_train[train], "train_labels": y_train[train].astype(np.int64),
              "test_images": x_test[test]}
    secrets = {"test_labels": y_test[test].astype(np.int64), "test_head": x_test[:8]}
    for array in (*inputs.values(), *secrets.values()):
        array.setflags(write=False)  # shared by every graded cell of a notebook kernel
    return inputs, secrets


def fixtures() -> Fixtures:
    """Fixed subsets of MNIST: training images with labels and test images for the sandbox, test labels kept here."""
    inputs, secrets = _mnist_subsets()
    return Fixtures(inputs=dict(inputs), secrets=dict(secrets))


# ---------------------------------------------------------------------------------------------- reference


def images_tensor(images: np.ndarray) -> Any:
    """uint8 images (N, 28, 28) as the normalised float tensor (N, 1, 28, 28) the loaders produce."""
    import torch

    return ((torch.from_numpy(np.asarray(images, dtype=np.float32)) / 255.0 - MEAN) / STD).unsqueeze(1)


def labels_tensor(labels: np.ndarray) -> Any:
    import torch

    return torch.tensor(np.asarray(labels), dtype=torch.int64)  # a copy: fixtures may be read-only


def reference_cnn() -> Any:
    """The grader's own copy of the architecture."""
    from torch import nn

    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10),
    )


def reference_training(model: Any, images: Any, labels: Any, batch_size: int = QUALITY_BATCH) -> None:
    """One epoch of Adam (lr 1e-3) and cross-entropy over shuffled batches: the grader's own loop."""
    import torch

    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    loss_fn = torch.nn.CrossEntropyLoss()
    model.train()
    order = torch.randperm(len(images))
    for start in range(0, len(images), batch_size):
        batch = order[start:start + batch_size]
        optimizer.zero_grad()
        loss_fn(model(images[batch]), labels[batch]).backward()
        optimizer.step()


def reference_predictions(model: Any, images: Any, batch_size: int = 1000) -> np.ndarray:
    import torch

    model.eval()
    with torch.no_grad():
        return np.concatenate([model(images[i:i + batch_size]).argmax(dim=1).numpy()
                               for i in range(0, len(images), batch_size)])


def batch_loss(model: Any, images: Any, labels: Any) -> float:
    import torch

    with torch.no_grad():
        return float(torch.nn.functional.cross_entropy(model(images), labels))


# ---------------------------------------------------------------------------------------------- data


def collect_data_order(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    train, test = build_loaders(sub)
    first, second = next(iter(train))[1], next(iter(train))[1]
    return {"train_first_labels": [to_numpy(first), to_numpy(second)],
            "test_head": to_numpy(next(iter(test))[0][:8]).astype(float)}


def judge_data_order(found: dict[str, Any], secrets: Arrays) -> None:
    first, second = found["train_first_labels"]
    expect_true(not np.array_equal(first, second), "Deux parcours du chargeur d'entraînement commencent par le même "
                                                   "lot : il doit mélanger les images (shuffle=True).")
    head = found["test_head"].reshape(len(found["test_head"]), -1)
    raw = secrets["test_head"].reshape(len(secrets["test_head"]), -1).astype(float)
    expect_equal("Nombre d'images comparées au début du jeu de test", len(raw), len(head))
    matches = [float(np.corrcoef(a, b)[0, 1]) > 0.999 for a, b in zip(head, raw, strict=True)]
    expect_true(all(matches), "Le premier lot de test n'est pas formé des premières images de test, dans l'ordre : "
                              "train=False et shuffle=False pour le chargeur de test.")


# ---------------------------------------------------------------------------------------------- model


@single_threaded
def collect_initial_loss(sub: Submission, inputs: Arrays) -> float:
    model = sub.function("MnistCNN")()
    return batch_loss(model, images_tensor(inputs["train_images"][:512]), labels_tensor(inputs["train_labels"][:512]))


def judge_initial_loss(found: float, secrets: Arrays) -> None:
    expect_close("Perte d'entropie croisée du modèle non entraîné sur 512 images (≈ ln 10)", math.log(10), found,
                 atol=0.15, hint="Avant entraînement, les 10 classes sont à peu près équiprobables : la perte vaut "
                                 "environ ln 10 ≈ 2,30. La dernière couche doit renvoyer des scores bruts (logits), "
                                 "sans softmax.")


@single_threaded
def collect_one_step(sub: Submission, inputs: Arrays) -> dict[str, float]:
    import torch

    model = sub.function("MnistCNN")()
    images, labels = images_tensor(inputs["train_images"][512:576]), labels_tensor(inputs["train_labels"][512:576])
    before = batch_loss(model, images, labels)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    loss = torch.nn.functional.cross_entropy(model(images), labels)
    expect_true(loss.requires_grad, "La sortie du modèle ne dépend pas de ses paramètres : pas de torch.no_grad(), "
                                    ".detach() ni numpy dans forward.")
    loss.backward()
    optimizer.step()
    return {"before": before, "after": batch_loss(model, images, labels)}


def judge_one_step(found: dict[str, float], secrets: Arrays) -> None:
    expect_true(found["after"] < found["before"] - 1e-3,
                f"Un pas d'Adam (lr=1e-3) sur un lot fixe de 64 images doit faire baisser la perte sur ce lot : "
                f"attendu moins de {found['before']:.4f}, obtenu {found['after']:.4f}.")


OVERFIT_STEPS = 60


@single_threaded
def collect_overfit(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    import torch

    model = sub.function("MnistCNN")()
    images, labels = images_tensor(inputs["train_images"][576:608]), labels_tensor(inputs["train_labels"][576:608])
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    model.train()
    for _ in range(OVERFIT_STEPS):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
    return {"loss": batch_loss(model, images, labels),
            "accuracy": accuracy(labels.numpy(), reference_predictions(model, images))}


def judge_overfit(found: dict[str, Any], secrets: Arrays) -> None:
    expect_equal(f"Accuracy sur un lot de 32 images après {OVERFIT_STEPS} pas d'Adam sur ce même lot", 1.0,
                 found["accuracy"], "Le modèle doit pouvoir apprendre par cœur un petit lot.")
    expect_true(found["loss"] < 0.05, f"Perte sur un lot de 32 images après {OVERFIT_STEPS} pas d'Adam sur ce même "
                                      f"lot : attendu moins de 0.05, obtenu {found['loss']:.4g}.")


# ---------------------------------------------------------------------------------------------- train


@single_threaded
def collect_training_mode(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    return collect_training_log(sub, inputs, start_in_eval=True)


def judge_training_mode(found: dict[str, Any], secrets: Arrays) -> None:
    expect_true(bool(found["training"]), "loss_fn doit être appelée sur chaque lot : elle ne l'a jamais été.")
    expect_true(all(found["training"]), "Le modèle doit être en mode entraînement : reçu en mode évaluation, il l'est "
                                        "resté. Appelez model.train() au début de train_one_epoch.")


@single_threaded
def collect_train_reference(sub: Submission, inputs: Arrays) -> dict[str, float]:
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    model = reference_cnn()
    images, labels = images_tensor(inputs["train_images"][:1024]), labels_tensor(inputs["train_labels"][:1024])
    held_images = images_tensor(inputs["train_images"][1024:1536])
    held_labels = labels_tensor(inputs["train_labels"][1024:1536])
    before = batch_loss(model, held_images, held_labels)
    loader = DataLoader(TensorDataset(images, labels), batch_size=QUALITY_BATCH, shuffle=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    returned = sub.function("train_one_epoch")(model, loader, optimizer, torch.nn.CrossEntropyLoss())
    return {"before": before, "after": batch_loss(model, held_images, held_labels),
            "returned": as_number(returned, "Valeur renvoyée par train_one_epoch")}


def judge_train_reference(found: dict[str, float], secrets: Arrays) -> None:
    returned, before, after = found["returned"], found["before"], found["after"]
    expect_true(0.0 < returned < before + 0.5, f"Perte moyenne renvoyée pour une époque du CNN de référence : attendu "
                                               f"un nombre entre 0 et {before + 0.5:.2f}, obtenu {returned:.4g}.")
    expect_true(after < before - 0.5, f"Une époque de votre boucle sur 1 024 images doit faire baisser la perte du "
                                      f"CNN de référence sur d'autres images : attendu moins de {before - 0.5:.3f}, "
                                      f"obtenu {after:.3f} (avant : {before:.3f}).")


# ---------------------------------------------------------------------------------------------- evaluate


@single_threaded
def collect_evaluation_modes(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    import torch

    model = evaluation_model(dropout=True)
    calls: list[tuple[bool, bool]] = []
    model.register_forward_pre_hook(lambda module, args: calls.append((module.training, torch.is_grad_enabled())))
    model.train()
    found = run_evaluate(sub, model)
    found["training"] = [training for training, _ in calls]
    found["grad_enabled"] = [grad for _, grad in calls]
    return found


def judge_evaluation_mode(found: dict[str, Any], secrets: Arrays) -> None:
    expect_true(bool(found["training"]), "evaluate doit appeler le modèle sur chaque lot : il ne l'a jamais été.")
    expect_true(not any(found["training"]), "Le modèle doit être en mode évaluation : il est resté en mode "
                                            "entraînement (le Dropout reste actif). Appelez model.eval() au début "
                                            "de evaluate.")
    _, expected = expected_evaluation()
    expect_close("Classes prédites par un modèle avec Dropout", expected, found["predictions"], atol=0)


def judge_evaluation_no_grad(found: dict[str, Any], secrets: Arrays) -> None:
    expect_true(bool(found["grad_enabled"]), "evaluate doit appeler le modèle sur chaque lot : il ne l'a jamais été.")
    expect_true(not any(found["grad_enabled"]), "Le calcul des gradients doit être désactivé en évaluation (mémoire "
                                                "et temps inutiles) : entourez la boucle de with torch.no_grad():.")


@single_threaded
def collect_evaluate_reference(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    model = reference_cnn()
    reference_training(model, images_tensor(inputs["train_images"][:1024]),
                       labels_tensor(inputs["train_labels"][:1024]))
    images = images_tensor(inputs["train_images"][2000:4500])
    labels = labels_tensor(inputs["train_labels"][2000:4500])
    loader = DataLoader(TensorDataset(images, labels), batch_size=1000)
    result = sub.function("evaluate")(model, loader)
    expect_true(isinstance(result, tuple | list) and len(result) == 2,
                "evaluate doit renvoyer deux valeurs : (accuracy, predictions).")
    with torch.no_grad():
        expected = reference_predictions(model, images)
    return {"accuracy": as_number(result[0], "Accuracy renvoyée par evaluate"),
            "predictions": to_numpy(result[1]).astype(np.int64), "expected": expected, "labels": labels.numpy()}


def judge_evaluate_reference(found: dict[str, Any], secrets: Arrays) -> None:
    predictions, expected = found["predictions"], found["expected"]
    expect_equal("Nombre de prédictions pour 2 500 images (lots de 1000, 1000 et 500)", len(expected),
                 len(predictions))
    agreement = float(np.mean(predictions == expected))
    expect_true(agreement >= 0.999, f"Les classes prédites doivent être l'argmax des scores : pour le CNN de "
                                    f"référence, c'est le cas de {agreement:.1%} seulement.")
    expect_close("Accuracy du CNN de référence sur 2 500 images", accuracy(found["labels"], expected),
                 found["accuracy"], atol=2e-3, hint="Nombre de bonnes réponses / nombre d'images, entre 0 et 1.")


# ---------------------------------------------------------------------------------------------- confusion


def confusion_tensors_sample(inputs: Arrays) -> tuple[np.ndarray, np.ndarray]:
    """3 000 MNIST labels and predictions right 90 % of the time."""
    rng = np.random.default_rng(SEED)
    labels = inputs["train_labels"][:3000]
    predictions = np.where(rng.random(len(labels)) < 0.9, labels, rng.integers(0, 10, len(labels)))
    return labels, predictions


def collect_confusion_tensors(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    import torch

    labels, predictions = confusion_tensors_sample(inputs)
    matrix = sub.function("compute_confusion_matrix")(torch.tensor(labels), torch.tensor(predictions), 10)
    return {"matrix": to_numpy(matrix), "labels": labels, "predictions": predictions}


def judge_confusion_tensors(found: dict[str, Any], secrets: Arrays) -> None:
    expect_confusion_matrix(found["matrix"], found["labels"], found["predictions"], 10)


# ---------------------------------------------------------------------------------------------- quality


@single_threaded
def collect_quality(sub: Submission, inputs: Arrays) -> np.ndarray:
    model = sub.function("MnistCNN")()
    reference_training(model, images_tensor(inputs["train_images"]), labels_tensor(inputs["train_labels"]))
    return reference_predictions(model, images_tensor(inputs["test_images"]))


def accuracy_on_test(predictions: np.ndarray, secrets: Arrays) -> float:
    """Test accuracy of the predictions, with labels the sandbox never saw."""
    labels = secrets["test_labels"]
    expect_equal("Nombre de prédictions sur les images de test", len(labels), len(predictions))
    return accuracy(labels, predictions)


CHECKS = [
    Check("data", "data_order", "Ordre : entraînement mélangé (shuffle=True), test dans l'ordre (train=False)", 1,
          collect_data_order, judge_data_order, hidden=True),
    Check("model", "model_initial_loss", "Perte initiale proche de ln 10 ≈ 2,30 (scores bruts, sans softmax)", 1,
          collect_initial_loss, judge_initial_loss, hidden=True),
    Check("model", "model_one_step", "Un pas d'optimisation fait baisser la perte sur un lot fixe", 1,
          collect_one_step, judge_one_step, hidden=True),
    Check("model", "model_overfit", "Le modèle apprend par cœur un petit lot de 32 images", 1, collect_overfit,
          judge_overfit, hidden=True),
    Check("train", "train_sets_train_mode", "Entraînement : model.train() au début de l'époque", 1,
          collect_training_mode, judge_training_mode, hidden=True),
    Check("train", "train_reference_cnn", "Entraînement du CNN de référence : la perte baisse en une époque", 1,
          collect_train_reference, judge_train_reference, hidden=True),
    Check("evaluate", "evaluate_eval_mode", "Évaluation : model.eval() (Dropout désactivé)", 1,
          collect_evaluation_modes, judge_evaluation_mode, hidden=True),
    Check("evaluate", "evaluate_no_grad", "Évaluation : sans calcul de gradients (torch.no_grad)", 1,
          collect_evaluation_modes, judge_evaluation_no_grad, hidden=True),
    Check("evaluate", "evaluate_reference_cnn", "Évaluation du CNN de référence sur 2 500 images", 1,
          collect_evaluate_reference, judge_evaluate_reference, hidden=True),
    Check("confusion", "confusion_from_tensors", "Matrice de confusion de 3 000 prédictions (tenseurs) : total, "
          "diagonale, lignes", 1, collect_confusion_tensors, judge_confusion_tensors, hidden=True),
    threshold_check("quality", "quality_accuracy", "Qualité : accuracy de test de votre CNN entraîné par le correcteur",
                    3, collect_quality, accuracy_on_test, QUALITY_THRESHOLD,
                    f"une époque sur {QUALITY_TRAIN} images d'entraînement (Adam, lr 1e-3, lots de {QUALITY_BATCH})"),
]
