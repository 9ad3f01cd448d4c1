"""Fixtures shared by 07_segmentation's public and hidden tests (no expected value here)."""

from __future__ import annotations

from typing import Any

import pytest

from a07_segmentation import probes
from a07_segmentation.inputs import TRACKED_EPOCHS, TRACKED_TRAIN, TRACKED_VAL, grader_volumes
from autograder.checks.mlflow_store import prepare_store, read_store


@pytest.fixture(scope="session")
def discs_sample(student) -> dict[str, Any]:
    """``make_discs(8, seed=3)`` at the default size (128)."""
    return student.run(probes.discs, 8, None, 3)


@pytest.fixture(scope="session")
def tracking(student, tmp_path_factory) -> dict[str, Any]:
    """``track_conv3d`` run once on a few small volumes; what it returned, and its MLflow store read back."""
    folder = tmp_path_factory.mktemp("conv3d")
    prepare_store(folder)
    validation = grader_volumes(TRACKED_VAL, 61)
    returned = student.run(probes.tracked, str(folder), grader_volumes(TRACKED_TRAIN, 60), validation,
                           TRACKED_EPOCHS, timeout_s=120)
    return {"returned": returned, "runs": read_store(folder), "folder": folder, "labels": validation[1]}
