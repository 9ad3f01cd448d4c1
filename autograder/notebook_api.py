"""What notebooks import: graded cells for nbgrader, and the training budget switch.

In an nbgrader autograded cell::

    tache = GradedTask("01_regression", "split", globals())
    tache.run_public()
    ### BEGIN HIDDEN TESTS
    tache.run_hidden()
    ### END HIDDEN TESTS
    tache.score

``run_public`` runs the task's public pytest tests against the kernel's own definitions and
prints one line per test: the student's immediate feedback. When one fails it then raises
:class:`PublicTestsFailed`, as nbgrader's own test cells do (``nbgrader validate`` reports the
cell as failed); otherwise the cell's value is the public points earned.

Hidden tests never run in a student's kernel: under ``nbgrader autograde`` the kit's
:class:`~autograder.nbgrader_scores.SandboxScores` preprocessor grades the submitted file in a
sandbox and sets every graded cell's score from that grading, whatever the kernel printed.

Importing this module first (the notebooks' import cell does) hides TensorFlow's start-up
INFO lines in the notebook, keeping its warnings and errors (:mod:`autograder.startup_logs`).
"""

from __future__ import annotations

import os
from typing import Any

from autograder import startup_logs

startup_logs.install()

QUICK_ENV = "DLKIT_QUICK"
HIDDEN_NOTE = "Tests cachés : notés par le correcteur dans un bac à sable, hors de ce noyau."


def epochs_budget(full: int, quick: int = 1) -> int:
    """``full`` epochs normally; ``quick`` when the DLKIT_QUICK environment variable is set (tests, CI)."""
    return quick if os.environ.get(QUICK_ENV) else full


class PublicTestsFailed(AssertionError):
    """Some public tests of a graded cell failed (their lines, printed above, say why)."""


class GradedTask:
    """The public tests of one task, run in the notebook's own kernel."""

    def __init__(self, assignment: str, task: str, namespace: dict[str, Any], seed: int = 0) -> None:
        self.assignment, self.task, self.namespace, self.seed = assignment, task, namespace, seed
        self.results: list = []

    def run_public(self) -> None:
        """Run the task's public tests on the kernel's definitions and print their outcome.

        Raises:
            PublicTestsFailed: one of them did not pass.
        """
        from autograder.grading.assignments import describe_assignment
        from autograder.grading.runner import run_graders
        from autograder.grading.student import KernelBackend, Student
        from autograder.pytest_plugin import GradingContext
        from autograder.report import format_test

        assignment = describe_assignment(self.assignment, include_hidden=False)
        student = Student(KernelBackend(self.namespace, assignment.package), self.seed)
        context = GradingContext(student, _notebook_or_none(self.assignment), assignment.tasks, task=self.task)
        run_graders(assignment, context)
        self.results = context.ordered()
        for result in self.results:
            print(format_test(result))
        failed = [result.title for result in self.results if not result.passed]
        if failed:
            raise PublicTestsFailed(f"{len(failed)} test(s) public(s) sur {len(self.results)} non réussi(s) "
                                    f"({self.score:g} point(s)) :\n" + "\n".join(f"- {title}" for title in failed))

    def run_hidden(self) -> None:
        """Hidden tests are graded outside the kernel (see the module's docstring)."""
        print(HIDDEN_NOTE)

    @property
    def score(self) -> float:
        """Points earned by the public tests: the cell's value."""
        return round(sum(r.score for r in self.results), 4)


def _notebook_or_none(assignment: str) -> Any:
    """The notebook being executed, read from disk (tests of the notebook's text need it), or None."""
    from pathlib import Path

    from autograder.grading.notebook import NotebookError, read_notebook

    for candidate in [Path.cwd() / f"{assignment}.ipynb", *sorted(Path.cwd().glob("*.ipynb"))]:
        if candidate.is_file():
            try:
                return read_notebook(candidate)
            except NotebookError:
                return None
    return None
