"""The vocabulary shared by graders, the sandbox and the grading process.

* :class:`Failure` — a test found a wrong answer (an ``AssertionError``: plain ``assert`` works too);
* :class:`StudentError` — the student's code could not give an answer (missing, raised, too slow,
  crashed, tampered); raised in the grading process from what the sandbox reported;
* :class:`Submission` — the student's definitions, as probes see them in the sandbox.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


class Failure(AssertionError):
    """A judged observation is wrong; ``str(failure)`` is the student's feedback, in French."""


class MissingDefinition(Exception):
    """The student's notebook does not define a function the check needs."""


class StudentError(Exception):
    """The student's code gave no answer to a request.

    Attributes:
        kind: ``missing``, ``exception``, ``timeout``, ``crashed``, ``tampering`` or ``failed``.
        message: French feedback (never grader code).
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind, self.message = kind, message


class Submission:
    """The student's definitions, as executed in the sandbox (or the notebook's kernel).

    Attributes:
        namespace: the names the notebook's definitions created (a module's ``__dict__``
            in the sandbox, the kernel's ``globals()`` in Jupyter).
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

    def value(self, name: str, default: Any = None) -> Any:
        """A top-level constant of the notebook (``BEST_MODEL = "..."``), or ``default``."""
        return self.namespace.get(name, default)
