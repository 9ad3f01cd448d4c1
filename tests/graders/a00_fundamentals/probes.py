"""Sandbox-side helpers of 00_fundamentals: they run next to the student's code and return plain data.

They hold no expected value, no answer of the quiz: the tests judge what they return, in the
grading process. The functions the student's ``derivative`` and ``gradient_descent`` receive
(:data:`FUNCTIONS`) are inputs; their derivatives and minima are computed by the tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograder.checks.keras_model import describe_keras_model
from autograder.checks.qcm import read_answers
from autograder.grading.spec import Submission

# --- Plain data -----------------------------------------------------------------------------------


def type_name(value: Any) -> str:
    return type(value).__name__


def as_array(value: Any) -> np.ndarray:
    """A tensor (torch or Keras), array or list as a float64 numpy array (detached from autograd)."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=float)


def scalar_type(value: Any) -> Any:
    """``"float"`` for a Python float (or a subclass), else the type's name; lists and tuples: a list of them."""
    if isinstance(value, (list, tuple)):
        return [scalar_type(item) for item in value]
    return "float" if isinstance(value, float) else type_name(value)


def numbers(value: Any) -> Any:
    """Numbers (floats, ints, 0-d tensors) as floats, lists and tuples as lists of them; anything else: its type."""
    if isinstance(value, (list, tuple)):
        return [numbers(item) for item in value]
    if value is None or isinstance(value, (str, bytes, dict)):
        return type_name(value)
    try:
        array = as_array(value)
    except (TypeError, ValueError, RuntimeError):
        return type_name(value)
    return float(array.reshape(())) if array.size == 1 else type_name(value)


def described(value: Any, depth: int = 0) -> dict[str, Any]:
    """A value the student's function returned, as plain data.

    Returns:
        ``{"type": str, "dtype": str, "values": float64 array | None, "items": list | dict | None}``:
        ``values`` for numbers, tensors and arrays; ``items`` (described) for tuples, lists and dicts.
    """
    items: Any = None
    if depth < 2 and isinstance(value, (list, tuple)):
        items = [described(item, depth + 1) for item in value]
    elif depth < 2 and isinstance(value, dict):
        items = {str(key): described(item, depth + 1) for key, item in value.items()}
    values = None
    if value is not None and not isinstance(value, (str, bytes, dict)):
        try:
            values = as_array(value)
        except (TypeError, ValueError, RuntimeError):
            values = None
    return {"type": type_name(value), "dtype": str(getattr(value, "dtype", "")), "values": values, "items": items}


def returned(sub: Submission, name: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The student's ``name(*args, **kwargs)``, described (see :func:`described`)."""
    return described(sub.function(name)(*args, **kwargs))


def on_tensors(sub: Submission, name: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """:func:`returned` with numpy arrays passed as torch tensors (same dtype)."""
    import torch

    return returned(sub, name, *(torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args), **kwargs)


# --- 1. Activation functions -------------------------------------------------------------------


# --- 2. Tensors -------------------------------------------------------------------------------------


# --- 3 and 4. Autograd and gradient descent ----------------------------------------------------------

def _wave(x: Any) -> Any:
    import torch

    return x * torch.sin(x)


def _growth(x: Any) -> Any:
    import torch

    return torch.exp(2 * x)


#: The functions given to the student's ``derivative`` and ``gradient_descent``, by name.
FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "square": lambda x: x**2,
    "cube": lambda x: x**3,
    "cubic": lambda x: x**3 - 2 * x,
    "wave": _wave,
    "growth": _growth,
    "sheet_quadratic": lambda x: (x - 2) ** 2,
    "quartic": lambda x: (x - 1) ** 4,
    "shifted_quadratic": lambda x: 3 * (x + 1) ** 2 + 0.5,
}


class Recording:
    """A function of :data:`FUNCTIONS` that records what it receives: a tensor, one that requires a gradient."""

    def __init__(self, function: Callable[[Any], Any]) -> None:
        self.function = function
        self.calls: list[list[bool]] = []

    def __call__(self, x: Any) -> Any:
        import torch

        self.calls.append([isinstance(x, torch.Tensor), bool(getattr(x, "requires_grad", False))])
        return self.function(x)


def derivatives(sub: Submission, cases: list[tuple[str, float]]) -> list[Any]:
    """``derivative(f, x0)`` for each ``(function name, x0)``, as numbers (see :func:`numbers`)."""
    derivative = sub.function("derivative")
    return [numbers(derivative(FUNCTIONS[name], x0)) for name, x0 in cases]


def descent(sub: Submission, function: str, **kwargs: float) -> dict[str, Any]:
    """``gradient_descent(f, **kwargs)`` as numbers (``[θ, cpt]`` when it returns a pair), their types (see
    :func:`scalar_type`), and what f received."""
    recording = Recording(FUNCTIONS[function])
    result = sub.function("gradient_descent")(recording, **kwargs)
    return {"result": numbers(result), "types": scalar_type(result), "calls": recording.calls}


# --- 5. SGD with momentum --------------------------------------------------------------------------

def _setting(value: Any) -> Any:
    return value if isinstance(value, (bool, str)) or value is None else numbers(value)


def optimizer(sub: Submission) -> dict[str, Any]:
    """``make_optimizer`` on a fresh ``nn.Linear(3, 2)``: its type, its groups' settings, the parameters it covers."""
    import torch

    model = torch.nn.Linear(3, 2)
    made = sub.function("make_optimizer")(model)
    groups = getattr(made, "param_groups", None)
    groups = groups if isinstance(groups, list) and all(isinstance(g, dict) for g in groups) else []
    covered = {id(p) for group in groups for p in group.get("params", [])}
    keys = ("lr", "momentum", "dampening", "nesterov", "weight_decay")
    return {"type": type_name(made),
            "groups": [{key: _setting(group.get(key)) for key in keys} for group in groups],
            "covers_model": covered == {id(p) for p in model.parameters()}}


def train_steps(sub: Submission, X: np.ndarray, y: np.ndarray, steps: int, lr: float,
                momentum: float) -> dict[str, Any]:
    """The student's ``train_steps`` on a fresh linear layer, with ``torch.optim.SGD`` built here.

    Returns the layer's initial and final weights, the losses returned (see :func:`numbers`) and their types
    (see :func:`scalar_type`).
    """
    import torch

    model = torch.nn.Linear(X.shape[1], 1)
    weight, bias = as_array(model.weight), as_array(model.bias)
    sgd = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    losses = sub.function("train_steps")(model, sgd, torch.tensor(X), torch.tensor(y), steps)
    return {"weight": weight, "bias": bias, "losses": numbers(losses), "loss_types": scalar_type(losses),
            "final_weight": as_array(model.weight), "final_bias": as_array(model.bias)}


# --- 6. Linear regression -----------------------------------------------------------------------

def fitted_model(model: Any, X: Any) -> dict[str, Any]:
    """The model ``fit_linear_regression`` returned: its type, its ``nn.Linear`` layers, its predictions' shape.

    ``weight`` and ``bias`` are those of its only linear layer (the model itself, or one inside
    an ``nn.Sequential`` or a custom module); None when it has none or several.
    """
    import torch

    if not isinstance(model, torch.nn.Module):
        return {"type": type_name(model), "linear": [], "params": None, "weight": None, "bias": None,
                "prediction_shape": None}
    linear = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        prediction = model(X)
    only = linear[0] if len(linear) == 1 else None
    return {"type": type_name(model),
            "linear": [[m.in_features, m.out_features] for m in linear],
            "params": sum(p.numel() for p in model.parameters()),
            "weight": as_array(only.weight) if only is not None else None,
            "bias": as_array(only.bias) if only is not None and only.bias is not None else None,
            "prediction_shape": list(np.shape(as_array(prediction)))}


def fit(sub: Submission, X: np.ndarray, y: np.ndarray, epochs: int, lr: float) -> dict[str, Any]:
    """``fit_linear_regression`` on ``(X, y)``, its model described (see :func:`fitted_model`)."""
    import torch

    X_t = torch.tensor(X)
    return fitted_model(sub.function("fit_linear_regression")(X_t, torch.tensor(y), epochs=epochs, lr=lr), X_t)


# --- 7. Convolution -----------------------------------------------------------------------------------


# --- 8. Loss functions ----------------------------------------------------------------------------------

def loss_choices(sub: Submission, tasks: list[str]) -> dict[str, dict[str, str]]:
    """What ``choose_loss(task)`` returns for each task: its type, and its name when it is a function."""
    choose = sub.function("choose_loss")
    chosen = {task: choose(task) for task in tasks}
    return {task: {"type": type_name(loss), "name": str(getattr(loss, "__name__", "")),
                   "module": str(getattr(loss, "__module__", ""))} for task, loss in chosen.items()}


# --- 9. Batching with a DataLoader ----------------------------------------------------------------

def loader_epochs(sub: Submission, n: int, batch_size: int | None, epochs: int = 1) -> dict[str, Any]:
    """The batches of ``epochs`` passes over X (n, 2), whose first column numbers the rows, and y = 10 × row.

    Each batch is ``{"rows", "y"}``, or None when it is not a pair (X_batch, y_batch).
    """
    import torch

    X = torch.stack([torch.arange(n, dtype=torch.float32), torch.ones(n)], dim=1)
    y = 10 * torch.arange(n, dtype=torch.float32)
    make_loader = sub.function("make_loader")
    loader = make_loader(X, y) if batch_size is None else make_loader(X, y, batch_size=batch_size)
    passes = []
    for _ in range(epochs):
        passes.append([{"rows": as_array(batch[0])[:, 0].astype(int), "y": as_array(batch[1]).ravel()}
                       if isinstance(batch, (list, tuple)) and len(batch) == 2 else None for batch in loader])
    return {"type": type_name(loader), "length": len(loader), "epochs": passes}


# --- 10. The sheet's Keras CNN ------------------------------------------------------------------------

def cnn(sub: Submission, n_classes: int, input_shape: tuple[int, ...]) -> dict[str, Any]:
    """``build_cnn(n_classes)`` described, with its input's and each layer's output shape (batch left out)."""
    import keras

    model = sub.function("build_cnn")(n_classes)
    description = describe_keras_model(model, tuple(input_shape))
    try:
        description["input_shape"] = list(model.input_shape)[1:]
    except (AttributeError, ValueError, TypeError):  # not built, or several inputs
        description["input_shape"] = None
    description["shapes"] = [list(layer.output.shape)[1:] for layer in model.layers
                             if not isinstance(layer, keras.layers.InputLayer)]  # as describe_keras_model does
    return description


# --- 11. Multiple-choice quiz -----------------------------------------------------------------------

def quiz_answers(sub: Submission) -> dict[str, str]:
    """The student's ``REPONSES``, normalised (letters only: the key is never here)."""
    return read_answers(sub)
