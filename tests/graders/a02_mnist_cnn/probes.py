"""Sandbox-side helpers of 02_mnist_cnn: they run next to the student's code and return plain data.

They hold no expected value: the tests judge what they return, in the grading process. Each
student function is exercised with the grader's own copy of what it works with: the student's
``train_one_epoch`` and ``evaluate`` with the reference CNN, the student's ``MnistCNN`` with the
reference training loop, so that a mistake in one costs its own points only.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from a02_mnist_cnn.inputs import IMAGE_SHAPE
from autograder.checks.torch_model import describe_torch_model
from autograder.grading.spec import Failure, Submission


def to_numpy(value: Any) -> np.ndarray:
    """A tensor, array, number or list of numbers as a numpy array (gradients detached)."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        array = np.asarray(None)
    if array.dtype.kind not in "biuf":
        raise Failure(f"Un tableau de nombres (ou un tenseur) était attendu, obtenu {type(value).__name__}.")
    return array


def as_number(value: Any, what: str) -> float:
    """A Python float from a number, a numpy scalar or a one-element tensor."""
    try:
        return float(to_numpy(value).reshape(()))
    except (Failure, ValueError, TypeError) as error:
        raise Failure(f"{what} : un nombre était attendu, obtenu {type(value).__name__}.") from error


def pair(value: Any, message: str) -> tuple[Any, Any]:
    """The two values of a returned tuple or list, else a Failure with ``message``."""
    if not (isinstance(value, tuple | list) and len(value) == 2):
        raise Failure(message)
    return value[0], value[1]


# ---------------------------------------------------------------------------------------------- grader's own tools


def tensor_loader(inputs: Any, labels: Any, batch_size: int, shuffle: bool = False) -> Any:
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    return DataLoader(TensorDataset(torch.as_tensor(inputs), torch.as_tensor(labels)), batch_size=batch_size,
                      shuffle=shuffle)


# ---------------------------------------------------------------------------------------------- data


def transform(sub: Submission, image: np.ndarray) -> dict[str, Any]:
    """``build_transform()`` applied to one PIL image: whether it gives a tensor, its type and values."""
    import torch
    from PIL import Image

    result = sub.function("build_transform")()(Image.fromarray(np.asarray(image, dtype=np.uint8)))
    return {"tensor": isinstance(result, torch.Tensor), "type": type(result).__name__,
            "values": to_numpy(result).astype(float)}


def build_loaders(sub: Submission) -> tuple[Any, Any]:
    train, test = pair(sub.function("build_loaders")(),
                       "build_loaders doit renvoyer deux DataLoader : (train_loader, test_loader).")
    return train, test


def describe_loader(loader: Any) -> dict[str, Any]:
    """Plain data about a DataLoader and its first batch."""
    images, labels = next(iter(loader))
    return {
        "batch_size": getattr(loader, "batch_size", None),
        "size": len(loader.dataset),
        "images": list(images.shape),
        "images_dtype": str(images.dtype),
        "labels": list(labels.shape),
        "labels_dtype": str(labels.dtype),
    }


def loaders(sub: Submission) -> dict[str, Any]:
    """``build_loaders()``'s two loaders described."""
    train, test = build_loaders(sub)
    return {"train": describe_loader(train), "test": describe_loader(test)}


# ---------------------------------------------------------------------------------------------- model


def model(sub: Submission) -> dict[str, Any]:
    """``MnistCNN()`` described (operations traced in one forward pass, layers, parameter count)."""
    return describe_torch_model(sub.function("MnistCNN")(), IMAGE_SHAPE)


# ---------------------------------------------------------------------------------------------- train


def recording_tools(network: Any, optimizer_class: Any, **options: Any) -> tuple[Any, Any, dict[str, Any]]:
    """A CrossEntropyLoss and an optimizer that record what a training loop does with them.

    The loss records each batch's value, size and the model's mode, and the gradient of that
    batch alone; the optimizer records, at each ``step``, whether the parameters' gradients are
    exactly that batch's (they are not when ``zero_grad`` was forgotten).
    """
    import torch

    params = list(network.parameters())
    log: dict[str, Any] = {"losses": [], "sizes": [], "training": [], "steps": 0, "fresh": []}
    last: dict[str, Any] = {}

    class RecordingLoss(torch.nn.CrossEntropyLoss):
        def forward(self, outputs: Any, targets: Any) -> Any:
            loss = super().forward(outputs, targets)
            log["losses"].append(float(loss.detach()))
            log["sizes"].append(int(targets.shape[0]))
            log["training"].append(bool(network.training))
            if loss.requires_grad:
                last["grads"] = torch.autograd.grad(loss, params, retain_graph=True, allow_unused=True)
            return loss

    class RecordingOptimizer(optimizer_class):
        def step(self, closure: Any = None) -> Any:
            grads = last.get("grads")
            fresh = grads is not None and all(
                g is not None and p.grad is not None and torch.allclose(p.grad, g, rtol=1e-4, atol=1e-7)
                for p, g in zip(params, grads, strict=True))
            log["fresh"].append(bool(fresh))
            log["steps"] += 1
            return super().step(closure)

    return RecordingLoss(), RecordingOptimizer(params, **options), log


def training_log(sub: Submission, X: np.ndarray, y: np.ndarray, batch_size: int = 32,
                 start_in_eval: bool = False) -> dict[str, Any]:
    """``train_one_epoch`` on a small MLP with a recording loss and SGD: what it did with them, what it returned."""
    import torch

    network = torch.nn.Sequential(torch.nn.Linear(X.shape[1], 16), torch.nn.ReLU(),
                                  torch.nn.Linear(16, int(y.max()) + 1))
    if start_in_eval:
        network.eval()
    before = [p.detach().clone() for p in network.parameters()]
    loss_fn, optimizer, log = recording_tools(network, torch.optim.SGD, lr=0.1)
    returned = sub.function("train_one_epoch")(network, tensor_loader(X, y, batch_size), optimizer, loss_fn)
    log["returned"] = None if returned is None else as_number(returned, "Valeur renvoyée par train_one_epoch")
    log["returned_graph"] = bool(getattr(returned, "requires_grad", False))  # loss tensors summed, not loss.item()
    log["changed"] = any(not torch.equal(a, b) for a, b in zip(before, network.parameters(), strict=True))
    return log


# ---------------------------------------------------------------------------------------------- evaluate


def linear_model(weights: np.ndarray, bias: np.ndarray, dropout: bool = False) -> Any:
    """``Linear`` with the given weights (and a ``Dropout(0.5)`` after it when ``dropout``)."""
    import torch

    linear = torch.nn.Linear(weights.shape[1], weights.shape[0])
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(np.asarray(weights, dtype=np.float32)))
        linear.bias.copy_(torch.from_numpy(np.asarray(bias, dtype=np.float32)))
    return torch.nn.Sequential(linear, torch.nn.Dropout(0.5)) if dropout else torch.nn.Sequential(linear)


def run_evaluate(sub: Submission, network: Any, loader: Any) -> dict[str, Any]:
    accuracy, predictions = pair(sub.function("evaluate")(network, loader),
                                 "evaluate doit renvoyer deux valeurs : (accuracy, predictions).")
    return {"accuracy": as_number(accuracy, "Accuracy renvoyée par evaluate"),
            "predictions": to_numpy(predictions).astype(np.int64)}


def evaluation(sub: Submission, weights: np.ndarray, bias: np.ndarray, X: np.ndarray, labels: np.ndarray,
               dropout: bool = False) -> dict[str, Any]:
    """``evaluate`` on a linear model (in training mode) over batches of 100: what it returned, and the model's
    mode and whether gradients were enabled at each forward call."""
    import torch

    network = linear_model(weights, bias, dropout)
    calls: list[tuple[bool, bool]] = []
    network.register_forward_pre_hook(lambda module, args: calls.append((module.training,
                                                                         torch.is_grad_enabled())))
    network.train()
    found = run_evaluate(sub, network, tensor_loader(X, labels, 100))
    found["training"] = [training for training, _ in calls]
    found["grad_enabled"] = [grad for _, grad in calls]
    return found


# ---------------------------------------------------------------------------------------------- confusion


def confusion(sub: Submission, y_true: np.ndarray, y_pred: np.ndarray, num_classes: int,
              tensors: bool = False) -> np.ndarray:
    """``compute_confusion_matrix(y_true, y_pred, num_classes)``, given numpy arrays or (``tensors``) torch tensors."""
    if tensors:
        import torch

        y_true, y_pred = torch.tensor(y_true), torch.tensor(y_pred)
    return to_numpy(sub.function("compute_confusion_matrix")(y_true, y_pred, num_classes))


# ---------------------------------------------------------------------------------------------- graph


def graph(sub: Submission) -> dict[str, Any]:
    """``computation_graph`` for a small MLP, with no Graphviz on the PATH: the returned type and its DOT source."""
    import torch

    network = torch.nn.Sequential(torch.nn.Linear(6, 4), torch.nn.ReLU(), torch.nn.Linear(4, 3))
    saved = os.environ.get("PATH", "")
    os.environ["PATH"] = ""  # Graphviz's `dot` is never there: the function builds the graph, show_graph draws it
    try:
        built = sub.function("computation_graph")(network, torch.randn(2, 6))
    finally:
        os.environ["PATH"] = saved
    return {"class": type(built).__name__, "source": str(getattr(built, "source", ""))}
