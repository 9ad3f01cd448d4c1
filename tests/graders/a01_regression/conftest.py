"""Fixtures shared by 01_regression's public and hidden tests (no expected value here)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from a01_regression import probes
from a01_regression.inputs import metric_sample, synthetic_dataset
from autograder.checks.expect import expect_arrays


@pytest.fixture(scope="session")
def split_parts(student) -> list[np.ndarray]:
    """``split_data(X, y)`` on :func:`synthetic_dataset`: (X_train, X_test, y_train, y_test)."""
    X, y = synthetic_dataset()
    return expect_arrays("Valeur renvoyée par split_data", student.call("split_data", X, y), 4)


@pytest.fixture(scope="session")
def models(student) -> dict[int, dict[str, Any]]:
    """``build_model`` described for 8 and for 3 input variables."""
    return {8: student.run(probes.model, 8), 3: student.run(probes.model, 3)}


@pytest.fixture(scope="session")
def metrics(student) -> Any:
    """``compute_metrics`` on :func:`metric_sample`."""
    return student.call("compute_metrics", *metric_sample())

