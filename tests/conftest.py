"""Shared fixtures of the kit's own tests."""

from __future__ import annotations

import multiprocessing
import os
import socket
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from autograder.grading.assignments import load_assignment
from autograder.grading.batch import grade_many
from autograder.grading.engine import grade_notebook
from autograder.paths import ASSIGNMENTS_DIR, GRADERS_DIR, SOLUTIONS_DIR
from autograder.results import SubmissionResult
from autograder.submissions import Job
from tests.submissions.build import example_modules, example_path
from tests.submissions.hostile import ASSIGNMENT as HOSTILE
from tests.submissions.hostile import VARIANTS as HOSTILE_VARIANTS
from tests.submissions.variants import checks_to_grade, render

pytest_plugins = ["pytester"]

#: Sandboxes graded at once by the tests (each uses one thread).
PARALLEL = int(os.environ.get("DLKIT_TEST_JOBS", "2"))
#: The hostile corpus is graded without the slow threshold check: every hostile behaviour targets the others.
HOSTILE_CHECKS = frozenset(c.name for c in load_assignment(HOSTILE).checks) - {"quality_rmse"}


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The graders are pytest files too, but they grade a notebook: only with ``--notebook``."""
    if "graders" in collection_path.parts and not config.getoption("notebook", None):
        return True
    return None


def reference_notebook(assignment: str) -> Path:
    return SOLUTIONS_DIR / assignment / f"{assignment}.ipynb"


def student_notebook(assignment: str) -> Path:
    return ASSIGNMENTS_DIR / assignment / f"{assignment}.ipynb"


def traced_reference(assignment: str) -> tuple[SubmissionResult, dict[str, set[str]]]:
    """The reference graded in full, with the student's functions each check ran (for :func:`example_jobs`)."""
    called: dict[str, set[str]] = {}
    result = grade_notebook(reference_notebook(assignment), assignment, student=f"{assignment}/reference",
                            called=called)
    return result, called


def example_jobs(assignment: str, called: dict[str, set[str]]) -> list[Job]:
    """Every variant of one assignment, each on the checks it can change (see :func:`checks_to_grade`)."""
    (module,) = [m for m in example_modules() if m.ASSIGNMENT == assignment]
    described = load_assignment(assignment)
    return [Job(example_path(assignment, v), f"{assignment}/{v.name}", assignment,
                only=checks_to_grade(described, v, called)) for v in module.VARIANTS]


@pytest.fixture(scope="session")
def graded_examples() -> Callable[[str], dict[str, SubmissionResult]]:
    """``graded_examples(assignment)``: its examples, graded once per session, by ``"<assignment>/<variant>"``.

    The reference and the untouched notebook are graded in full. Each variant is graded on the checks it
    can change (:func:`tests.submissions.variants.checks_to_grade`, from the reference's traced grading):
    the others run the reference's code and are the reference's, proven by its own full grading.
    """
    cache: dict[str, dict[str, SubmissionResult]] = {}

    def grade(assignment: str) -> dict[str, SubmissionResult]:
        if assignment not in cache:
            with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
                traced = pool.submit(traced_reference, assignment)
                untouched = grade_many([Job(student_notebook(assignment), f"{assignment}/untouched", assignment)])
                reference, called = traced.result()
            jobs = example_jobs(assignment, called)
            results = grade_many(jobs, PARALLEL)
            cache[assignment] = {f"{assignment}/reference": reference, f"{assignment}/untouched": untouched[0],
                                 **{job.student: result for job, result in zip(jobs, results, strict=True)}}
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


@pytest.fixture(scope="session")
def hostile_corpus(tmp_path_factory) -> tuple[dict[str, SubmissionResult], Path, list[bytes]]:
    """Grade every hostile submission (``tests/submissions/hostile.py``) once per session.

    Returns the results by variant name, the results folder and what the loopback server received.
    """
    folder = tmp_path_factory.mktemp("hostile")
    results_dir = folder / "results"
    results_dir.mkdir()
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.1)
    jobs = []
    for variant in HOSTILE_VARIANTS:
        text = (render(HOSTILE, variant).replace("@RESULTS@", str(results_dir / "results.json"))
                .replace("@GRADERS@", str(GRADERS_DIR)).replace("@PORT@", str(server.getsockname()[1]))
                .replace("@FOLDER@", str(folder)))
        path = folder / f"{variant.name}.ipynb"
        path.write_text(text, encoding="utf-8")
        jobs.append(Job(path, variant.name, HOSTILE))
    results = grade_many(jobs, PARALLEL, only=HOSTILE_CHECKS, private_folders=(results_dir,))
    received = []
    try:
        while True:
            connection, _ = server.accept()
            received.append(connection.recv(100))
    except OSError:
        pass
    server.close()
    return {job.student: result for job, result in zip(jobs, results, strict=True)}, results_dir, received
