"""How graders are written: a :class:`Check` collects observations in the sandbox and judges them outside.

A check has two halves:

* ``collect(submission, inputs)`` runs in the sandboxed process, next to the student's
  code. It calls the student's functions and returns plain data (numbers, strings,
  lists, dicts, numpy arrays): an *observation*.
* ``judge(observation, secrets)`` runs in the grading process, which the student's code
  never reaches. It raises :class:`Failure` with a French message when the observation
  is wrong. ``secrets`` holds what the sandbox must not see (test labels).

The same two halves run back to back in the notebook's kernel for nbgrader.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Arrays = Mapping[str, np.ndarray]


class Failure(AssertionError):
    """A judged observation is wrong; ``str(failure)`` is the student's feedback, in French."""


class MissingDefinition(Exception):
    """The student's notebook does not define a function the check needs."""


class Submission:
    """The student's definitions, as executed in the sandbox.

    Attributes:
        namespace: the names the notebook's definitions created (a module's ``__dict__``
            in the sandbox, the kernel's ``globals()`` under nbgrader).
        cell_errors: French descriptions of cells that could not be executed.
    """

    def __init__(self, namespace: Mapping[str, Any], cell_errors: list[str] | None = None) -> None:
        self.namespace = namespace
        self.cell_errors = cell_errors or []

    def function(self, name: str) -> Callable[..., Any]:
        """The student's function ``name``.

        Raises:
            MissingDefinition: with a French message naming the function and, when some
                cells failed to run, why it may be missing.
        """
        value = self.namespace.get(name)
        if callable(value):
            return value
        reason = f"La fonction `{name}` est introuvable dans le notebook."
        if self.cell_errors:
            reason += " Cellules non exécutées : " + " ; ".join(self.cell_errors)
        raise MissingDefinition(reason)


Collect = Callable[[Submission, Arrays], Any]
Judge = Callable[[Any, Arrays], None]
Measure = Callable[[Any, Arrays], float]
Inspect = Callable[[Any], Any]


@dataclass(frozen=True)
class Check:
    """One graded test.

    Attributes:
        task: the graded step (one nbgrader autograded cell), e.g. ``split``.
        name: unique identifier within the assignment, e.g. ``split_shapes``.
        title: what is verified, in French; shown to students for hidden checks too.
        points: points at stake.
        collect: runs in the sandbox, returns an observation.
        judge: runs outside the sandbox, raises :class:`Failure`.
        hidden: hidden checks never ship to students.
        timeout_s: wall-time limit of ``collect``, in seconds.
        measure: for threshold checks, the metric computed from the observation and the
            secrets (used by ``judge`` and by the calibration benchmark).
        provisional: an automatic estimate of points an instructor grades by hand (nbgrader
            manual cell whose ``grade_id`` is the task); results mark it as provisional.
        inspect: for checks of the notebook itself (markdown sections, figures, code style):
            reads the parsed notebook (an ``nbformat.NotebookNode``) in the grading process,
            executes nothing, and replaces ``collect`` (which is then never called).
    """

    task: str
    name: str
    title: str
    points: float
    collect: Collect
    judge: Judge
    hidden: bool = False
    timeout_s: float = 60.0
    measure: Measure | None = None
    inspect: Inspect | None = None
    provisional: bool = False


@dataclass(frozen=True)
class Fixtures:
    """Data prepared by the grading process: ``inputs`` go to the sandbox, ``secrets`` never do."""

    inputs: dict[str, np.ndarray] = field(default_factory=dict)
    secrets: dict[str, np.ndarray] = field(default_factory=dict)

    def merged(self, other: Fixtures) -> Fixtures:
        return Fixtures({**self.inputs, **other.inputs}, {**self.secrets, **other.secrets})
