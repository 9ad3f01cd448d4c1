"""Hidden-only probes of 00_fundamentals: used by ``test_hidden.py`` alone, so never shipped to students."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from a00_fundamentals.probes import FUNCTIONS, Recording, as_array, fitted_model, numbers, scalar_type, type_name
from autograder.checks.calls import referenced_functions, spy_calls
from autograder.grading.spec import Submission


def activation_library_functions() -> list[tuple[Any, str]]:
    """The library versions of the activations, which the student must not call."""
    import torch
    import torch.nn.functional as F

    names = ("relu", "relu_", "sigmoid", "softmax", "log_softmax")
    return ([(torch, n) for n in names] + [(torch.Tensor, n) for n in names] + [(F, n) for n in names]
            + [(torch.special, n) for n in ("expit", "softmax", "log_softmax")])


def library_calls(functions: list[Callable[..., Any]], targets: list[tuple[Any, str]],
                  *args: np.ndarray) -> list[str]:
    """Library functions among ``targets`` that ``functions`` name or call on ``args`` (as tensors)."""
    import torch

    named = {label for function in functions for label in referenced_functions(function, targets)}
    tensors = [torch.tensor(a) for a in args]
    with spy_calls(targets) as used:
        for function in functions:
            function(*tensors)
    return sorted(set(used) | named)


def activation_library_calls(sub: Submission, x: np.ndarray) -> list[str]:
    """Library activations that the student's relu, sigmoid and softmax name or call on ``x``."""
    functions = [sub.function(name) for name in ("relu", "sigmoid", "softmax")]
    return library_calls(functions, activation_library_functions(), x)


def normal_draws(sub: Submission, count: int) -> np.ndarray | str:
    """``count`` calls of ``sheet_tensors()["normal"]`` stacked; what came instead when there is no such entry."""
    sheet_tensors = sub.function("sheet_tensors")
    draws = []
    for _ in range(count):
        result = sheet_tensors()
        if not isinstance(result, dict) or "normal" not in result:
            return "un dictionnaire sans cette clé" if isinstance(result, dict) else type_name(result)
        draws.append(as_array(result["normal"]))
    return np.stack(draws)


def recorded_derivative(sub: Submission, function: str, x0: float) -> dict[str, Any]:
    """``derivative(f, x0)``, its type (see :func:`scalar_type`) and what ``f`` received (``calls``: [is a tensor,
    requires a gradient])."""
    recording = Recording(FUNCTIONS[function])
    value = sub.function("derivative")(recording, x0)
    return {"value": numbers(value), "type": scalar_type(value), "calls": recording.calls}


def fit_sheet_data(sub: Submission, epochs: int, lr: float) -> dict[str, Any]:
    """``fit_linear_regression`` on the sheet's data, drawn here with torch after the request's seed.

    (The quality threshold was calibrated on exactly these draws.)
    """
    import torch

    X = torch.linspace(0, 10, 100).reshape(-1, 1)
    y = 3 * X + torch.randn(X.size()) * 2
    return fitted_model(sub.function("fit_linear_regression")(X, y, epochs=epochs, lr=lr), X)


def convolution_library_functions() -> list[tuple[Any, str]]:
    """The library convolutions, which the student must not call."""
    import sys

    import torch
    import torch.nn.functional as F

    targets = [(torch, "conv2d"), (F, "conv2d"), (torch, "convolution"), (torch, "conv1d"), (F, "conv1d")]
    signal = sys.modules.get("scipy.signal")
    if signal is not None:
        targets += [(signal, n) for n in ("correlate2d", "convolve2d", "correlate", "convolve")]
    return targets


def convolution_library_calls(sub: Submission, image: np.ndarray, kernel: np.ndarray) -> list[str]:
    """Library convolutions that the student's conv2d_by_hand names or calls on ``(image, kernel)``."""
    return library_calls([sub.function("conv2d_by_hand")], convolution_library_functions(), image, kernel)


def loss_values(sub: Submission, inputs: dict[str, np.ndarray], unknown: str) -> dict[str, Any]:
    """The chosen losses' values on ``inputs``, and what ``choose_loss(unknown)`` raises."""
    import torch

    choose = sub.function("choose_loss")
    data = {key: torch.tensor(value) for key, value in inputs.items()}
    regression, binary = choose("regression"), choose("binary")
    mse = numbers(regression(data["prediction"], data["target"])) if callable(regression) else type_name(regression)
    bce = numbers(binary(data["probability"], data["label"])) if callable(binary) else type_name(binary)
    try:
        choose(unknown)
        raised: dict[str, Any] = {"type": None, "value_error": False}
    except Exception as error:  # noqa: BLE001 - which exception is what we record
        raised = {"type": type_name(error), "value_error": isinstance(error, ValueError)}
    return {"mse": mse, "bce": bce, "unknown": raised}
