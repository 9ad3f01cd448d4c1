"""Fixtures shared by 05_improving_networks' public and hidden tests (no expected value here)."""

from __future__ import annotations

from typing import Any

import pytest

from a05_improving_networks import probes
from a05_improving_networks.inputs import TRACKED_EPOCHS, tracked_data
from autograder.checks.mlflow_store import prepare_store, read_store


@pytest.fixture(scope="session")
def tp1_model(student) -> dict[str, Any]:
    """``build_model("adam")`` described."""
    return student.run(probes.model, "build_model", "adam")


@pytest.fixture(scope="session")
def regularized(student) -> dict[str, Any]:
    """``build_regularized_model("adam")`` described."""
    return student.run(probes.model, "build_regularized_model", "adam")


@pytest.fixture(scope="session")
def batchnorm(student) -> dict[str, Any]:
    """``build_batchnorm_model("adam")`` described."""
    return student.run(probes.model, "build_batchnorm_model", "adam")


def tracked_run(student, folder, function: str) -> dict[str, Any]:
    """``function(train, validation, test, TRACKED_EPOCHS, <URI of folder's store>)``: its result, and the store."""
    prepare_store(folder)
    returned = student.run(probes.tracked, function, str(folder), *tracked_data(), TRACKED_EPOCHS, timeout_s=120)
    return {"returned": returned, "runs": read_store(folder)}


@pytest.fixture(scope="session")
def comparison(student, tmp_path_factory) -> dict[str, Any]:
    """``compare_optimizers`` run once on small synthetic data, its MLflow store read back."""
    return tracked_run(student, tmp_path_factory.mktemp("comparison"), "compare_optimizers")


@pytest.fixture(scope="session")
def batchnorm_tracking(student, tmp_path_factory) -> dict[str, Any]:
    """``track_batchnorm`` run once on small synthetic data, its MLflow store read back."""
    return tracked_run(student, tmp_path_factory.mktemp("batchnorm"), "track_batchnorm")
