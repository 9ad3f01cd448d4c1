"""Shared fixtures of the kit's own tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autograder.grading.batch import Job, grade_many
from autograder.paths import ASSIGNMENTS_DIR, SOLUTIONS_DIR
from autograder.results import SubmissionResult
from tests.submissions.build import example_modules, example_path

#: Sandboxes graded at once by the tests (each uses one thread).
PARALLEL = int(os.environ.get("DLKIT_TEST_JOBS", "2"))


def reference_notebook(assignment: str) -> Path:
    return SOLUTIONS_DIR / assignment / f"{assignment}.ipynb"


def student_notebook(assignment: str) -> Path:
    return ASSIGNMENTS_DIR / assignment / f"{assignment}.ipynb"


def example_jobs() -> list[Job]:
    """The reference, the untouched student notebook and every variant of every assignment."""
    jobs = []
    for module in example_modules():
        name = module.ASSIGNMENT
        jobs.append(Job(reference_notebook(name), f"{name}/reference", name))
        jobs.append(Job(student_notebook(name), f"{name}/untouched", name))
        jobs += [Job(example_path(name, v), f"{name}/{v.name}", name) for v in module.VARIANTS]
    return jobs


@pytest.fixture(scope="session")
def graded_examples() -> dict[str, SubmissionResult]:
    """Every example graded once per test session: ``{"<assignment>/<variant>": result}``."""
    jobs = example_jobs()
    return {job.student: result for job, result in zip(jobs, grade_many(jobs, PARALLEL), strict=True)}
