"""What notebooks import: graded cells for nbgrader, and the training budget switch.

In an nbgrader autograded cell::

    tache = GradedTask("01_regression", "split", globals())
    tache.run_public()
    ### BEGIN HIDDEN TESTS
    tache.run_hidden()
    ### END HIDDEN TESTS
    tache.score

The cell prints one line per check and its value is the points earned, which nbgrader
reads as partial credit. The checks are the same objects ``autograder grade`` runs.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from autograder.grading.assignments import load_assignment
from autograder.grading.determinism import seed_everything
from autograder.grading.engine import judge
from autograder.grading.notebook import read_notebook
from autograder.grading.sandbox import Observation
from autograder.grading.spec import Check, Failure, MissingDefinition, Submission
from autograder.report import format_test
from autograder.results import TestResult

QUICK_ENV = "DLKIT_QUICK"


def epochs_budget(full: int, quick: int = 1) -> int:
    """``full`` epochs normally; ``quick`` when the DLKIT_QUICK environment variable is set (tests, CI)."""
    return quick if os.environ.get(QUICK_ENV) else full


@contextlib.contextmanager
def _silenced() -> Iterator[None]:
    """Swallow everything written to stdout/stderr, at the Python and file-descriptor level.

    nbgrader gives 0 to a graded cell that writes to stderr; frameworks log there.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        os.dup2(null.fileno(), 2)
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


@contextlib.contextmanager
def _one_torch_thread() -> Iterator[None]:
    """Run a check on one torch thread, as the sandbox does (thresholds were calibrated so)."""
    torch = sys.modules.get("torch")
    if torch is None:
        yield
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def notebook_on_disk(assignment: str) -> Path:
    """The notebook file being executed: ``<assignment>.ipynb`` (or the only notebook) in the working directory.

    nbgrader executes a submission with its folder as working directory, where the submitted
    file (with the student's own outputs) lies.
    """
    candidates = [Path.cwd() / f"{assignment}.ipynb", *sorted(Path.cwd().glob("*.ipynb"))]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"aucun notebook dans {Path.cwd()}")


def _observe(check: Check, submission: Submission, inputs: Any, assignment: str) -> Observation:
    try:
        if check.inspect is not None:
            return Observation(value=check.inspect(read_notebook(notebook_on_disk(assignment))))
        with _silenced(), _one_torch_thread():
            return Observation(value=check.collect(submission, inputs))
    except MissingDefinition as error:
        return Observation(error_kind="missing", message=str(error))
    except NotImplementedError:
        return Observation(error_kind="missing", message="Fonction pas encore complétée (NotImplementedError).")
    except Failure as failure:
        return Observation(error_kind="failed", message=str(failure))
    except Exception as error:  # noqa: BLE001 - the student's code may raise anything
        return Observation(error_kind="exception", message=f"{type(error).__name__} : {error}")


class GradedTask:
    """The checks of one task, run in the notebook's own kernel."""

    def __init__(self, assignment: str, task: str, namespace: dict[str, Any], seed: int = 0) -> None:
        self.assignment, self.task, self.namespace, self.seed = assignment, task, namespace, seed
        self.results: list[TestResult] = []

    def _run(self, hidden: bool) -> None:
        assignment = load_assignment(self.assignment, include_hidden=hidden)
        checks = [c for c in assignment.checks if c.task == self.task and c.hidden == hidden]
        fixtures = assignment.fixtures() if checks and hidden else None
        submission = Submission(self.namespace)
        for check in checks:
            seed_everything(self.seed)
            inputs = fixtures.inputs if fixtures else {}
            observation = _observe(check, submission, inputs, self.assignment)
            result = judge(check, observation, fixtures.secrets if fixtures else {})
            self.results.append(result)
            print(format_test(result))

    def run_public(self) -> None:
        """Run the task's public checks and print their outcome."""
        self._run(hidden=False)

    def run_hidden(self) -> None:
        """Run the task's hidden checks (only present in the instructor's copy)."""
        self._run(hidden=True)

    @property
    def score(self) -> float:
        """Points earned so far in this task: the cell's value, read by nbgrader."""
        return round(sum(r.score for r in self.results), 4)
