"""Fixtures shared by 02_mnist_cnn's public and hidden tests (no hidden value here)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from a02_mnist_cnn.inputs import evaluation_problem


@pytest.fixture(scope="session")
def evaluation_answer() -> dict[str, Any]:
    """What ``evaluate`` must return for :func:`evaluation_problem`'s linear model, computed with numpy."""
    weights, bias, X, labels = evaluation_problem()
    predictions = (X @ weights.T + bias).argmax(axis=1)
    return {"accuracy": float(np.mean(predictions == labels)), "predictions": predictions}
