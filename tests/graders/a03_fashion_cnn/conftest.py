"""Fixtures shared by 03_fashion_cnn's public and hidden tests (no expected value here)."""

from __future__ import annotations

from typing import Any

import pytest

from a03_fashion_cnn import probes
from a03_fashion_cnn.inputs import labelled_sample


@pytest.fixture(scope="session")
def baseline(student) -> dict[str, Any]:
    """``build_dense_baseline()`` described."""
    return student.run(probes.model, "build_dense_baseline")


@pytest.fixture(scope="session")
def cnn(student) -> dict[str, Any]:
    """``build_cnn()`` described."""
    return student.run(probes.model, "build_cnn")


@pytest.fixture(scope="session")
def augmentation(student) -> dict[str, Any]:
    """``build_augmentation()`` described."""
    return student.run(probes.model, "build_augmentation")


@pytest.fixture(scope="session")
def report(student) -> Any:
    """``classification_summary`` on ``labelled_sample(300, 50)``."""
    return student.call("classification_summary", *labelled_sample(300, 50))
