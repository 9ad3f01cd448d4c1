"""Fixtures shared by 09_mini_project's public and hidden tests (no expected value here)."""

from __future__ import annotations

import pytest

from a09_mini_project import probes
from a09_mini_project.builders import Described
from autograder.grading.spec import StudentError


@pytest.fixture(scope="session")
def builders(student) -> dict[str, Described]:
    """Each of the four builders described (:func:`probes.builder`), or the error that stopped it.

    One request per builder: a builder that raises fails the tests that judge it, not those of
    the other builders (see :func:`a09_mini_project.builders.described`).
    """
    found: dict[str, Described] = {}
    for name in probes.BUILDERS:
        try:
            found[name] = student.run(probes.builder, name)
        except StudentError as error:
            found[name] = error
    return found
