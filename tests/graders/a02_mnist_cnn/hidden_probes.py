"""Hidden-only probes of 02_mnist_cnn: used by ``test_hidden.py`` alone, so never shipped to students."""

from __future__ import annotations

from typing import Any

import numpy as np

from a02_mnist_cnn.inputs import MEAN, STD
from a02_mnist_cnn.probes import as_number, build_loaders, run_evaluate, tensor_loader, to_numpy
from autograder.grading.spec import Submission

LEARNING_RATE = 1e-3
BATCH_SIZE = 64


def images_tensor(images: np.ndarray) -> Any:
    """uint8 images (N, 28, 28) as the normalised float tensor (N, 1, 28, 28) the loaders produce."""
    import torch

    return ((torch.from_numpy(np.asarray(images, dtype=np.float32)) / 255.0 - MEAN) / STD).unsqueeze(1)


def labels_tensor(labels: np.ndarray) -> Any:
    import torch

    return torch.tensor(np.asarray(labels), dtype=torch.int64)


def reference_cnn() -> Any:
    """The grader's own copy of the architecture."""
    from torch import nn

    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10),
    )


def reference_training(model: Any, images: Any, labels: Any, batch_size: int = BATCH_SIZE) -> None:
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


def loader_order(sub: Submission, head: int = 8) -> dict[str, Any]:
    """The labels of the first training batch of two passes, and the first ``head`` images of the first test batch."""
    train, test = build_loaders(sub)
    first, second = next(iter(train))[1], next(iter(train))[1]
    return {"train_first_labels": [to_numpy(first), to_numpy(second)],
            "test_head": to_numpy(next(iter(test))[0][:head]).astype(float)}


def initial_loss(sub: Submission, images: np.ndarray, labels: np.ndarray) -> float:
    """Cross-entropy of an untrained ``MnistCNN()`` on the given MNIST images."""
    return batch_loss(sub.function("MnistCNN")(), images_tensor(images), labels_tensor(labels))


def one_step(sub: Submission, images: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """The loss of an untrained ``MnistCNN()`` on one batch before and after one Adam step on that batch."""
    import torch

    network = sub.function("MnistCNN")()
    images, labels = images_tensor(images), labels_tensor(labels)
    before = batch_loss(network, images, labels)
    optimizer = torch.optim.Adam(network.parameters(), lr=LEARNING_RATE)
    loss = torch.nn.functional.cross_entropy(network(images), labels)
    if not loss.requires_grad:
        return {"requires_grad": False, "before": before, "after": before}
    loss.backward()
    optimizer.step()
    return {"requires_grad": True, "before": before, "after": batch_loss(network, images, labels)}


def overfit(sub: Submission, images: np.ndarray, labels: np.ndarray, steps: int) -> dict[str, Any]:
    """An untrained ``MnistCNN()`` after ``steps`` Adam steps on one batch: its loss and predictions on that batch."""
    import torch

    network = sub.function("MnistCNN")()
    images, labels = images_tensor(images), labels_tensor(labels)
    optimizer = torch.optim.Adam(network.parameters(), lr=LEARNING_RATE)
    network.train()
    for _ in range(steps):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(network(images), labels).backward()
        optimizer.step()
    return {"loss": batch_loss(network, images, labels), "predictions": reference_predictions(network, images)}


def quality_predictions(sub: Submission, train_images: np.ndarray, train_labels: np.ndarray,
                        test_images: np.ndarray) -> np.ndarray:
    """``MnistCNN()`` trained by the grader's loop for one epoch, its predicted classes for ``test_images``."""
    network = sub.function("MnistCNN")()
    reference_training(network, images_tensor(train_images), labels_tensor(train_labels))
    return reference_predictions(network, images_tensor(test_images))


def train_reference(sub: Submission, images: np.ndarray, labels: np.ndarray, held_images: np.ndarray,
                    held_labels: np.ndarray) -> dict[str, float]:
    """``train_one_epoch`` on the reference CNN (Adam): its loss on held-out images before and after, and what
    the function returned."""
    import torch

    network = reference_cnn()
    held_images, held_labels = images_tensor(held_images), labels_tensor(held_labels)
    before = batch_loss(network, held_images, held_labels)
    loader = tensor_loader(images_tensor(images), labels_tensor(labels), BATCH_SIZE, shuffle=True)
    optimizer = torch.optim.Adam(network.parameters(), lr=LEARNING_RATE)
    returned = sub.function("train_one_epoch")(network, loader, optimizer, torch.nn.CrossEntropyLoss())
    return {"before": before, "after": batch_loss(network, held_images, held_labels),
            "returned": as_number(returned, "Valeur renvoyée par train_one_epoch")}


def evaluate_reference(sub: Submission, train_images: np.ndarray, train_labels: np.ndarray, images: np.ndarray,
                       labels: np.ndarray) -> dict[str, Any]:
    """``evaluate`` on the reference CNN trained one epoch by the grader, batches of 1000; ``reference``: that
    CNN's own predicted classes, computed before the student's function runs."""
    network = reference_cnn()
    reference_training(network, images_tensor(train_images), labels_tensor(train_labels))
    images = images_tensor(images)
    reference = reference_predictions(network, images)
    return {**run_evaluate(sub, network, tensor_loader(images, labels_tensor(labels), 1000)),
            "reference": reference}
