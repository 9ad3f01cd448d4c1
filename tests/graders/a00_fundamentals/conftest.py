"""Fixtures shared by 00_fundamentals' public and hidden tests (no expected value, no answer here)."""

from __future__ import annotations

from typing import Any

import pytest

from a00_fundamentals import probes
from a00_fundamentals.inputs import CNN_INPUT
from autograder.checks.expect import expect_true


@pytest.fixture(scope="session")
def tensors(student) -> dict[str, dict[str, Any]]:
    """``sheet_tensors()``'s entries, described (see :func:`probes.described`)."""
    found = student.run(probes.returned, "sheet_tensors")
    expect_true(isinstance(found["items"], dict), f"sheet_tensors doit renvoyer un dictionnaire, pas {found['type']}.")
    return found["items"]


@pytest.fixture(scope="session")
def cnn(student) -> dict[str, Any]:
    """``build_cnn(10)`` described, with each layer's output shape."""
    return student.run(probes.cnn, 10, CNN_INPUT)


@pytest.fixture(scope="session")
def answers(student) -> dict[str, str]:
    """The student's quiz answers (letters; the key stays in test_hidden.py)."""
    return student.run(probes.quiz_answers)
