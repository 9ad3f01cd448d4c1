"""Fixtures shared by 04_mnist_mlops's public and hidden tests (no expected value here)."""

from __future__ import annotations

from typing import Any

import pytest

from a04_mnist_mlops import probes
from a04_mnist_mlops.inputs import PIXELS, TRACKED_METRICS, TRACKED_PARAMS, pixel_images
from autograder.checks.mlflow_store import TrackedRun, prepare_store, read_store


@pytest.fixture(scope="session")
def model(student) -> dict[str, Any]:
    """``build_model()`` described."""
    return student.run(probes.model)


@pytest.fixture(scope="session")
def tracking(student, tmp_path_factory) -> dict[str, Any]:
    """``track_experiment`` run once into a store of its own; the store read back with MLflow's client.

    ``{"returned": what the function returned, "runs": [TrackedRun], "folder": the store's folder}``.
    """
    folder = tmp_path_factory.mktemp("mlflow-store")
    prepare_store(folder)
    returned = student.run(probes.tracked, str(folder), TRACKED_PARAMS, TRACKED_METRICS, timeout_s=120)
    runs: list[TrackedRun] = read_store(folder)
    return {"returned": returned, "runs": runs, "folder": folder}


@pytest.fixture(scope="session")
def vectors():
    """Six scaled test vectors (6, 784) in [0, 1]."""
    return pixel_images(6, 31).reshape(6, PIXELS).astype("float32") / 255.0


@pytest.fixture(scope="session")
def deployment(student) -> dict[str, str]:
    """The notebook's ``DOCKERFILE`` and ``REQUIREMENTS`` texts."""
    return student.run(probes.deployment_files)


@pytest.fixture(scope="session")
def answers(student) -> dict[str, str]:
    """The student's quiz answers (letters; the key stays in test_hidden.py)."""
    return student.run(probes.quiz_answers)
