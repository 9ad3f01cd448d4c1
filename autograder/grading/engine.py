"""The grading pipeline for one notebook, as a short list of steps:

1. read the notebook (nbformat);
2. find its assignment and load the graders;
3. keep the definitions of its code cells (ast);
4. prepare the fixtures: inputs for the sandbox, secrets kept here;
5. collect the observations in the sandbox;
6. judge each observation here, into one :class:`TestResult` per check.
"""

from __future__ import annotations

import base64
import functools
import tempfile
import time
from pathlib import Path

import numpy as np

from autograder.grading.assignments import Assignment, load_assignment
from autograder.grading.notebook import NotebookError, assignment_of, definitions, read_notebook
from autograder.grading.sandbox import Limits, Observation, SandboxRun, run_checks
from autograder.grading.spec import Check, Failure
from autograder.results import Status, SubmissionResult, TestResult

ERROR_STATUS = {
    "failed": Status.FAILED,
    "missing": Status.ERROR,
    "exception": Status.ERROR,
    "timeout": Status.TIMEOUT,
    "crashed": Status.CRASHED,
    "tampering": Status.ERROR,
}


class AssignmentNotFound(LookupError):
    """The assignment of a notebook could not be determined."""


def judge(check: Check, observation: Observation, secrets: dict[str, np.ndarray]) -> TestResult:
    """Turn one observation into a scored result (runs outside the sandbox)."""

    def result(status: Status, message: str = "") -> TestResult:
        score = check.points if status is Status.PASSED else 0.0
        return TestResult(check.name, check.title, check.task, check.points, score, check.hidden,
                          status, message, round(observation.duration_s, 3),
                          graded_by="provisional" if check.provisional else "auto")

    if observation.error_kind is not None:
        return result(ERROR_STATUS.get(observation.error_kind, Status.ERROR), observation.message)
    try:
        check.judge(observation.value, secrets)
    except Failure as failure:
        return with_figures(result(Status.FAILED, str(failure)), observation.value)
    except Exception as error:  # noqa: BLE001 - the student's code may raise anything
        found = f"{type(error).__name__} : {error}"
        return result(Status.FAILED, f"Le résultat renvoyé n'a pas la forme attendue ({found}).")
    return with_figures(result(Status.PASSED), observation.value)


def with_figures(test: TestResult, observation: object) -> TestResult:
    """Attach the PNG images an observation carries (``{"png": bytes}``, e.g. from ``describe_figure``)."""
    if isinstance(observation, dict) and isinstance(observation.get("png"), bytes):
        test.figures.append(base64.b64encode(observation["png"]).decode("ascii"))
    return test


def resolve_assignment(path: Path, notebook: object | None, name: str | None) -> str:
    """The assignment named explicitly, else in the notebook's metadata, else by the file or folder name."""
    from autograder.grading.assignments import available_assignments

    if name:
        return name
    recorded = assignment_of(notebook) if notebook is not None else None
    if recorded:
        return recorded
    known = available_assignments()
    for part in (path.stem, *(p.name for p in path.parents)):
        if part in known:
            return part
    raise AssignmentNotFound(f"cannot tell which assignment {path} belongs to; pass --assignment (one of {known})")


def inspect_notebook(checks: list[Check], notebook: object) -> dict[str, Observation]:
    """Observations of the checks that read the notebook itself (no student code runs)."""
    observations = {}
    for check in checks:
        if check.inspect is None:
            continue
        try:
            observations[check.name] = Observation(value=check.inspect(notebook))
        except Exception as error:  # noqa: BLE001 - a malformed notebook is feedback, not a crash
            observations[check.name] = Observation(error_kind="exception", message=f"{type(error).__name__} : {error}")
    return observations


@functools.cache
def _fixture_files(assignment: Assignment) -> tuple[Path | None, dict[str, np.ndarray]]:
    fixtures = assignment.fixtures()
    if not fixtures.inputs:
        return None, fixtures.secrets
    folder = Path(tempfile.mkdtemp(prefix="dlkit-fixtures-"))
    path = folder / f"{assignment.name}.npz"
    np.savez(path, **fixtures.inputs)
    return path, fixtures.secrets


def unreadable_result(path: Path, checks: list[Check], assignment: str, student: str, message: str,
                started: float) -> SubmissionResult:
    """Every check at 0 with the same message: the submission could not be read."""
    tests = [TestResult(c.name, c.title, c.task, c.points, 0.0, c.hidden, Status.ERROR, message) for c in checks]
    return SubmissionResult(str(path), assignment, student, tests, [message], round(time.monotonic() - started, 2))


def kernel_notices(notebook: object) -> list[str]:
    """A notice when the notebook declares a kernel other than Python (it is graded as Python)."""
    kernel = notebook.get("metadata", {}).get("kernelspec", {}).get("name", "python3")
    if "python" in str(kernel).lower():
        return []
    return [f"Noyau inattendu « {kernel} » : le notebook est corrigé comme du code Python 3."]


def grade_notebook(
    path: Path,
    assignment_name: str | None = None,
    include_hidden: bool = True,
    limits: Limits | None = None,
    student: str | None = None,
    only: frozenset[str] | None = None,
    private_folders: tuple[Path, ...] = (),
) -> SubmissionResult:
    """Grade one notebook in a sandbox; never raises for a broken submission.

    Args:
        only: grade just these checks (debugging, quick runs); default all.
        private_folders: more folders the student's code must not see (e.g. the results folder).
    """
    started = time.monotonic()
    path = Path(path)
    student = student or path.stem
    try:
        notebook = read_notebook(path)
    except NotebookError as error:
        notebook, unreadable = None, str(error)
    else:
        unreadable = None
    assignment = load_assignment(resolve_assignment(path, notebook, assignment_name), include_hidden)
    checks = [c for c in assignment.checks if only is None or c.name in only]
    if notebook is None:
        return unreadable_result(path, checks, assignment.name, student, unreadable or "", started)
    cells = definitions(notebook)
    inputs_path, secrets = _fixture_files(assignment)
    limits = limits or Limits(wall_s=assignment.time_limit_s)
    sandboxed = [c.name for c in checks if c.inspect is None]
    run = (run_checks(assignment, cells, sandboxed, inputs_path, limits, include_hidden,
                      private_folders=private_folders) if sandboxed else SandboxRun())
    observations = {**inspect_notebook(checks, notebook), **run.observations}
    tests = [judge(check, observations[check.name], secrets) for check in checks]
    notices = kernel_notices(notebook) + run.cell_errors + run.notices
    return SubmissionResult(str(path), assignment.name, student, tests, notices,
                            round(time.monotonic() - started, 2), run.isolation)
