"""Shared fixtures of the kit's own tests."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from autograder.grading.batch import grade_many
from autograder.paths import ASSIGNMENTS_DIR, SOLUTIONS_DIR
from autograder.results import SubmissionResult
from autograder.submissions import Job
from tests.submissions.build import example_modules, example_path

pytest_plugins = ["pytester"]

#: Sandboxes graded at once by the tests (each uses one thread).
PARALLEL = int(os.environ.get("DLKIT_TEST_JOBS", "2"))


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The graders are pytest files too, but they grade a notebook: only with ``--notebook``."""
    if "graders" in collection_path.parts and not config.getoption("notebook", None):
        return True
    return None


def reference_notebook(assignment: str) -> Path:
    return SOLUTIONS_DIR / assignment / f"{assignment}.ipynb"


def student_notebook(assignment: str) -> Path:
    return ASSIGNMENTS_DIR / assignment / f"{assignment}.ipynb"


def example_jobs(assignment: str) -> list[Job]:
    """The reference, the untouched student notebook and every variant of one assignment."""
    (module,) = [m for m in example_modules() if m.ASSIGNMENT == assignment]
    jobs = [
        Job(reference_notebook(assignment), f"{assignment}/reference", assignment),
        Job(student_notebook(assignment), f"{assignment}/untouched", assignment),
    ]
    return jobs + [Job(example_path(assignment, v), f"{assignment}/{v.name}", assignment) for v in module.VARIANTS]


@pytest.fixture(scope="session")
def graded_examples() -> Callable[[str], dict[str, SubmissionResult]]:
    """``graded_examples(assignment)``: its examples, graded once per session, by ``"<assignment>/<variant>"``."""
    cache: dict[str, dict[str, SubmissionResult]] = {}

    def grade(assignment: str) -> dict[str, SubmissionResult]:
        if assignment not in cache:
            jobs = example_jobs(assignment)
            results = grade_many(jobs, PARALLEL)
            cache[assignment] = {job.student: result for job, result in zip(jobs, results, strict=True)}
        return cache[assignment]

    return grade


@pytest.fixture(scope="session")
def student_env(tmp_path_factory: pytest.TempPathFactory):
    """A fresh virtual environment with the students' bundle installed (``tests/environments.py``)."""
    from tests.environments import fresh_environment

    return fresh_environment(tmp_path_factory.mktemp("student-env"), "student")


@pytest.fixture(scope="session")
def grader_env(tmp_path_factory: pytest.TempPathFactory):
    """A fresh virtual environment with the grading machines' bundle installed."""
    from tests.environments import fresh_environment

    return fresh_environment(tmp_path_factory.mktemp("grader-env"), "grader")
