"""Test-side helpers of 00_fundamentals (grading process): numpy references, and checks of what probes sent.

Nothing here runs in the sandbox, and nothing here is secret (the quiz's key is in ``test_hidden.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.checks.expect import expect_close, expect_equal, expect_number, fail
from autograder.grading.spec import Failure

THETA_ATOL = 1e-4
DESCENT_HINT = ("Reprenez la boucle de la fiche : une première mise à jour (cpt = 1), puis tant que "
                "|gradient| > ε et cpt < limite, remise à zéro du gradient, nouveau calcul, mise à jour, cpt += 1.")

# --- numpy references ------------------------------------------------------------------------------


def numpy_softmax(x: Any, axis: int = -1) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    exps = np.exp(x - x.max(axis=axis, keepdims=True))
    return exps / exps.sum(axis=axis, keepdims=True)


def numpy_cross_correlation(image: Any, kernel: Any) -> np.ndarray:
    """Valid 2-D cross-correlation (what conv2d computes): no flip, stride 1, no padding."""
    image, kernel = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
    kh, kw = kernel.shape
    out = np.empty((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out


def reference_linear_training(weight: np.ndarray, bias: np.ndarray, X: np.ndarray, y: np.ndarray, steps: int,
                              lr: float, momentum: float) -> tuple[list[float], np.ndarray, np.ndarray]:
    """Full-batch MSE training of a linear layer with torch's SGD rule, in numpy (float64).

    torch.optim.SGD: ``buf = g`` at the first step, then ``buf = momentum * buf + g``; ``p -= lr * buf``.
    """
    W, b = np.array(weight, dtype=float), np.array(bias, dtype=float)
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    buffers: list[np.ndarray] | None = None
    losses = []
    for _ in range(steps):
        error = X @ W.T + b - y
        losses.append(float(np.mean(error**2)))
        grad_output = 2.0 * error / error.size
        grads = [grad_output.T @ X, grad_output.sum(axis=0)]
        buffers = grads if buffers is None or momentum == 0 else [momentum * v + g for v, g in
                                                                   zip(buffers, grads, strict=True)]
        W, b = W - lr * buffers[0], b - lr * buffers[1]
    return losses, W, b


# --- what the probes sent --------------------------------------------------------------------------


def kind(found: Any) -> str:
    """What :func:`probes.numbers` or :func:`probes.described` saw, in French."""
    if isinstance(found, dict):
        return str(found.get("type"))
    if isinstance(found, list):
        return f"une séquence de {len(found)} élément(s)"
    if isinstance(found, float):
        return "un nombre"
    return str(found)  # the type's name


def expect_float(what: str, found: Any) -> float:
    """A number that :func:`probes.numbers` sent (it sends the type's name for anything else)."""
    if isinstance(found, (str, list)):
        fail(what, "un nombre", kind(found))
    return expect_number(what, found)


def expect_numbers(function: str, found: Any, expected: str, count: int | None = None) -> list[float]:
    """The list of numbers that :func:`probes.numbers` sent for ``function``'s result, else a Failure."""
    if (not isinstance(found, list) or not all(isinstance(v, float) for v in found)
            or (count is not None and len(found) != count)):
        raise Failure(f"{function} doit renvoyer {expected}, pas {kind(found)}.")
    return found


def expect_items(function: str, found: dict[str, Any], count: int, expected: str) -> list[dict[str, Any]]:
    """The ``count`` items of a tuple or list that :func:`probes.described` described, else a Failure."""
    items = found["items"]
    if not isinstance(items, list) or len(items) != count:
        raise Failure(f"{function} doit renvoyer {expected}, pas {kind(items if isinstance(items, list) else found)}.")
    return items


def values_of(found: dict[str, Any]) -> np.ndarray:
    """The values :func:`probes.described` sent (NaN when the result was no number, array or tensor)."""
    return found["values"] if found["values"] is not None else np.array(np.nan)


def expect_descent(what: str, expected: tuple[float, int], found: Any, hint: str = DESCENT_HINT) -> None:
    """``gradient_descent``'s (θ, cpt), as :func:`probes.descent` sent them, equal to ``expected``."""
    theta, count = expect_numbers("gradient_descent", found, "un couple (theta, cpt)", 2)
    expect_equal(f"{what} : nombre d'itérations cpt", expected[1], count, hint)
    expect_close(f"{what} : θ final", expected[0], theta, rtol=0, atol=THETA_ATOL, hint=hint)


def expect_trained_line(found: dict[str, Any]) -> None:
    """The model that :func:`probes.fitted_model` described is one ``nn.Linear(1, 1)`` with its bias.

    A model wrapping a single ``nn.Linear(1, 1)`` (``nn.Sequential``, a custom ``nn.Module``) is the same model.
    """
    expect_equal("Couches nn.Linear du modèle renvoyé [in_features, out_features]", [[1, 1]], found["linear"],
                 f"Renvoyez le modèle nn.Linear(1, 1) entraîné (obtenu : {found['type']}).")
    expect_equal("Nombre de paramètres du modèle renvoyé (un poids et un biais)", 2, found["params"])


def expect_batches(batches: list[Any]) -> list[dict[str, np.ndarray]]:
    """The batches of one epoch that :func:`probes.loader_epochs` sent, each a pair (X_batch, y_batch)."""
    if any(batch is None for batch in batches):
        raise Failure("Chaque lot doit être un couple (X_lot, y_lot) : utilisez TensorDataset(X, y).")
    return batches
