"""Fixtures shared by 08_attention's public and hidden tests (no expected value here)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from a08_attention import probes
from a08_attention.inputs import grader_series, grader_split, grader_windows
from autograder.checks.mlflow_store import prepare_store, read_store

#: The training that train_seq2seq is given: small windows of the grader's series, the grader's tiny model.
TRACKED_EPOCHS, TRACKED_BATCH = 2, 16


@pytest.fixture(scope="session")
def small_windows() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The grader's series of 130 points in 12 → 4 windows, split as the statement says (92 / 8 windows)."""
    X, Y = grader_windows(grader_series(130, 70), 12, 4)
    return grader_split(X, Y)


@pytest.fixture(scope="session")
def tracking(student, tmp_path_factory, small_windows) -> dict[str, Any]:
    """``train_seq2seq`` run once on the grader's recording tiny model; what it returned and its store."""
    folder = tmp_path_factory.mktemp("seq2seq")
    prepare_store(folder)
    train, validation = small_windows
    returned = student.run(probes.trained, str(folder), list(train), list(validation), TRACKED_EPOCHS,
                           TRACKED_BATCH, timeout_s=120)
    return {"returned": returned, "runs": read_store(folder), "train": train, "validation": validation}


@pytest.fixture(scope="session")
def forecasts(student) -> dict[str, Any]:
    """On the grader's tiny model, six 12 → 5 windows of the grader's series: the grader's step-by-step decoding,
    ``forecast``, and ``evaluate_forecast`` for the true targets and for other future values (same inputs)."""
    X, Y = grader_windows(grader_series(90, 81), 12, 5)
    X, Y = X[::12][:6], Y[::12][:6]
    other = Y + np.random.default_rng(82).normal(0.0, 3.0, size=Y.shape).astype(np.float32)
    return {"X": X, "Y": Y, "other": other, **student.run(probes.inference, X, [Y, other])}


@pytest.fixture(scope="session")
def answers(student) -> dict[str, str]:
    """The student's quiz answers (letters; the key stays in test_hidden.py)."""
    return student.run(probes.quiz_answers)
