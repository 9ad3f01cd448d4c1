"""Fixtures shared by 06_cnn_resnet's public and hidden tests (no expected value here)."""

from __future__ import annotations

from typing import Any

import pytest

from a06_cnn_resnet import probes


@pytest.fixture(scope="session")
def cnn(student) -> dict[str, Any]:
    """``build_cnn()`` described."""
    return student.run(probes.model, "build_cnn")


@pytest.fixture(scope="session")
def resnet(student) -> dict[str, Any]:
    """``build_mini_resnet()`` described."""
    return student.run(probes.model, "build_mini_resnet")


@pytest.fixture(scope="session")
def extractor_32(student) -> dict[str, Any]:
    """``build_feature_extractor((32, 32, 3), weights=None)`` described (32×32 keeps VGG16 cheap)."""
    return student.run(probes.extractor, [32, 32, 3], timeout_s=60)
