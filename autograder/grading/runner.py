"""Run an assignment's grader files with pytest, in this process, into :class:`TestResult` objects.

Each run is its own pytest session (``pytest.main``) with the kit's :class:`GradingPlugin`;
grader modules are imported once per process and reused by the next sessions.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import pytest

from autograder.grading.assignments import Assignment
from autograder.paths import GRADERS_DIR
from autograder.pytest_plugin import CheckInfo, GradingContext, GradingPlugin


class GraderError(RuntimeError):
    """The grader files themselves are broken (they do not import, or declare tests wrongly)."""


def pytest_arguments(assignment: Assignment, extra: Iterable[str] = ()) -> list[str]:
    """A quiet session over the assignment's files, blind to any project configuration around them.

    Plugins that only matter for a terminal or a project's own tests are off (the unraisable- and
    thread-exception plugins alone cost a second of garbage collection per session).
    """
    return [*(str(path) for path in assignment.test_files()), "-c", os.devnull, "--rootdir", str(GRADERS_DIR),
            "--confcutdir", str(GRADERS_DIR), "-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:faulthandler",
            "-p", "no:logging", "-p", "no:unraisableexception", "-p", "no:threadexception", "-s", *extra]


class _NoStudent:
    """Stands in for the student while only collecting tests."""

    def begin(self, timeout_s: float) -> None:
        raise AssertionError("collection only")


def collect_checks(assignment: Assignment) -> list[CheckInfo]:
    """The declarations of the assignment's tests, in grading order (pytest collection, nothing runs).

    Raises:
        GraderError: a grader file does not import or declares a test wrongly.
    """
    context = GradingContext(student=_NoStudent(), tasks=assignment.tasks)  # type: ignore[arg-type]
    try:
        code = pytest.main(pytest_arguments(assignment, ["--collect-only"]), plugins=[GradingPlugin(context)])
    except pytest.UsageError as error:
        raise GraderError(f"{assignment.name}: {error}") from error
    if context.problems or code not in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        raise GraderError(f"{assignment.name}: grader files could not be collected (exit {code}): "
                          + "; ".join(context.problems))
    return context.checks


def run_graders(assignment: Assignment, context: GradingContext, extra: Iterable[str] = ()) -> int:
    """Run the tests into ``context.results``; return pytest's exit code."""
    try:
        return int(pytest.main(pytest_arguments(assignment, extra), plugins=[GradingPlugin(context)]))
    except pytest.UsageError as error:
        context.problems.append(str(error))
        return int(pytest.ExitCode.USAGE_ERROR)
