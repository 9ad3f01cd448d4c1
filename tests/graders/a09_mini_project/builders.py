"""Test-side access to the builders' descriptions (the ``builders`` fixture of ``conftest.py``)."""

from __future__ import annotations

from typing import Any

from autograder.grading.spec import StudentError

#: A builder's description (``probes.builder``), or the error that kept it from being described.
Described = dict[str, Any] | StudentError


def _raise(error: StudentError) -> None:
    raise StudentError(error.kind, error.message)


def described(builders: dict[str, Described], names: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """The descriptions of ``names``; the first builder that could not be described fails the test."""
    for name in names:
        if isinstance(builders[name], StudentError):
            _raise(builders[name])
    return {name: builders[name] for name in names}


