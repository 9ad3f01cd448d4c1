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
cell as failed); otherwise the cell's value is the public points earned (:class:`CellPoints`: a
number for nbgrader, and in the notebook a line saying what it counts: the public points earned, the
hidden points graded after submission).

What the student reads is about the file that will be graded (:mod:`autograder.notebook_file`):

* the notebook is the kernel's own (its front end's path, or Colab's notebook), never another
  ``.ipynb`` of the folder; a test that reads the notebook's text is not run when it cannot be
  found, and says it will be checked on the submitted file;
* when the file's graded definitions are not the kernel's (a cell that does not parse, a function
  edited and not run, or run and not saved), the cell says so: the saved file is graded;
* a notebook released with a newer kit than the one installed stops the cell with the command that
  updates the kit.

The kit's errors show as French messages, without a traceback into the kit
(:class:`autograder.cell_errors.CellMessage`), and the libraries' loggers are quiet while the tests
run (:func:`autograder.startup_logs.quiet_libraries`).

Hidden tests never run in a student's kernel: under ``nbgrader autograde`` the kit's
:class:`~autograder.nbgrader_scores.SandboxScores` preprocessor grades the submitted file in a
sandbox and sets every graded cell's score from that grading, whatever the kernel printed.

Importing this module first (the notebooks' import cell does) hides TensorFlow's start-up
INFO lines in the notebook, keeping its warnings and errors (:mod:`autograder.startup_logs`).
"""

from __future__ import annotations

import html
import os
from typing import Any

from autograder import startup_logs
from autograder.cell_errors import CellMessage

startup_logs.install()

QUICK_ENV = "DLKIT_QUICK"
HIDDEN_NOTE = "Tests cachés : notés par le correcteur dans un bac à sable, hors de ce noyau."
GRADED_FILE = "c'est le fichier enregistré qui est noté, pas le noyau"


def epochs_budget(full: int, quick: int = 1) -> int:
    """``full`` epochs normally; ``quick`` when the DLKIT_QUICK environment variable is set (tests, CI)."""
    return quick if os.environ.get(QUICK_ENV) else full


class PublicTestsFailed(CellMessage, AssertionError):
    """Some public tests of a graded cell failed (their lines, printed above, say why)."""


class GradedCellError(CellMessage, RuntimeError):
    """The graded cell cannot run its tests (kit older than the notebook, unknown task, kit failure)."""


def number(value: float) -> str:
    """A number as French writes it: ``0,5``, ``2``."""
    return f"{value:g}".replace(".", ",")


def points(value: float, adjective: str = "") -> str:
    """``value`` points, in French, with adjectives agreeing: ``1 point``, ``0,5 point caché``, ``2 points visibles
    vérifiés``."""
    many = abs(value) >= 2
    words = ["points" if many else "point", *(w + "s" if many else w for w in adjective.split())]
    return f"{number(value)} {' '.join(words)}"


class CellPoints(float):
    """A graded cell's value: the public points earned, a plain number for nbgrader (``text/plain``), shown in
    the notebook (``text/html``) with what it counts (:attr:`summary`)."""

    summary: str

    def __new__(cls, earned: float, summary: str) -> CellPoints:
        value = super().__new__(cls, earned)
        value.summary = summary
        return value

    def _repr_html_(self) -> str:
        return f'<div class="dlkit-points"><b>{html.escape(self.summary)}</b></div>'


def _update_command(version: str) -> str:
    from autograder.version import UPDATE_COMMAND

    return UPDATE_COMMAND.replace("<version>", version)


class GradedTask:
    """The public tests of one task, run in the notebook's own kernel."""

    def __init__(self, assignment: str, task: str, namespace: dict[str, Any], seed: int = 0) -> None:
        self.assignment, self.task, self.namespace, self.seed = assignment, task, namespace, seed
        self.results: list = []
        #: Public results not counted here: tests of the notebook's text when the notebook was not found.
        self.unchecked: list = []
        self.hidden_points: float | None = None
        #: Whether the notebook file's graded definitions differ from the kernel's (the cell said so).
        self.drifted = False

    def run_public(self) -> None:
        """Run the task's public tests on the kernel's definitions and print their outcome.

        Raises:
            PublicTestsFailed: one of them did not pass.
            GradedCellError: the tests cannot run here (the message says why and what to do).
        """
        from autograder.notebook_file import drift, locate, released_task

        located = locate(self.namespace, self.assignment)
        self._check_kit(located.notebook)
        released = released_task(self.assignment, self.task)
        if located.notebook is not None:
            self.drifted = _print_drift(drift(located.notebook, self.namespace, released), located.where)
        with startup_logs.quiet_libraries(), startup_logs.filtered_stderr_descriptor():
            try:
                context = self._run(located.notebook)
            except GradedCellError:
                raise
            except Exception as error:
                raise GradedCellError(f"Le kit n'a pas pu lancer les tests de cette cellule ({type(error).__name__} : "
                                      f"{error}). Ce n'est pas votre code : signalez-le à l'enseignant.") from error
        reads_notebook = {c.nodeid for c in context.checks if c.reads_notebook}
        ordered = [(c.nodeid, context.results[c.nodeid]) for c in context.checks if c.nodeid in context.results]
        self.results = [r for nodeid, r in ordered if located.notebook is not None or nodeid not in reads_notebook]
        self.unchecked = [r for nodeid, r in ordered if located.notebook is None and nodeid in reads_notebook]
        public = sum(r.max_score for r in self.results + self.unchecked)
        self.hidden_points = None if released.points is None else max(released.points - public, 0.0)
        self._print(located.problem)
        failed = [result.title for result in self.results if not result.passed]
        if failed:
            raise PublicTestsFailed(f"{len(failed)} test(s) visible(s) sur {len(self.results)} non réussi(s) : "
                                    f"{self.summary()}.\n" + "\n".join(f"- {title}" for title in failed))

    def _check_kit(self, notebook: Any) -> None:
        """Stop when ``notebook`` was released with a newer kit than this one."""
        from autograder.notebook_file import newer_kit

        if notebook is None:
            return
        from autograder import __version__

        recorded = newer_kit(notebook, __version__)
        if recorded is not None:
            raise GradedCellError(
                f"Kit trop ancien : ce notebook a été publié avec le kit {recorded}, le kit installé est la version "
                f"{__version__}, plus ancienne ; ses tests ne sont pas ceux de ce notebook.\n"
                f"Mettez le kit à jour avec la roue (.whl) du cours, puis redémarrez le noyau :\n"
                f"    {_update_command(recorded)}")

    def _run(self, notebook: Any) -> Any:
        """The task's public tests run on the kernel's definitions: the grading context, results in it."""
        from autograder.grading.assignments import describe_assignment
        from autograder.grading.runner import run_graders
        from autograder.grading.student import KernelBackend, Student
        from autograder.pytest_plugin import GradingContext

        assignment = describe_assignment(self.assignment, include_hidden=False)
        if self.task not in assignment.tasks:
            from autograder import __version__

            raise GradedCellError(
                f"Tâche inconnue du kit installé (version {__version__}) : « {self.task} » n'est pas une tâche de "
                f"{self.assignment} ({', '.join(assignment.tasks)}). Si le notebook est plus récent que le kit, "
                f"mettez le kit à jour, puis redémarrez le noyau :\n    {_update_command('<version>')}")
        student = Student(KernelBackend(self.namespace, assignment.package), self.seed)
        context = GradingContext(student, notebook, assignment.tasks, task=self.task)
        run_graders(assignment, context)
        if context.problems:
            raise GradedCellError("Les tests de cette cellule n'ont pas pu être chargés : "
                                  + "; ".join(context.problems))
        return context

    def _print(self, problem: str) -> None:
        from autograder.report import format_test

        for result in self.results:
            print(format_test(result))
        for result in self.unchecked:
            print(f"… {result.title} : non vérifié ici, vérifié sur le fichier remis ({points(result.max_score)}).\n"
                  f"    {problem} Ce test lit le fichier du notebook : il n'est compté ni réussi ni échoué ici.")

    def summary(self) -> str:
        """What the cell's points are, in French: ``2/2 points visibles ; 2 points cachés, notés après la remise``."""
        parts = []
        if self.results:
            earned, at_stake = sum(r.score for r in self.results), sum(r.max_score for r in self.results)
            drifted = " (sur le noyau, qui diffère du fichier enregistré : voir plus haut)" if self.drifted else ""
            parts.append(f"{number(earned)}/{points(at_stake, 'visible')}{drifted}")
        elif not self.unchecked:
            parts.append("Aucun test visible dans cette cellule")
        if self.unchecked:
            parts.append(f"{points(sum(r.max_score for r in self.unchecked), 'visible vérifié')} sur le fichier remis")
        if self.hidden_points:
            noted = "notés" if self.hidden_points >= 2 else "noté"
            parts.append(f"{points(self.hidden_points, 'caché')}, {noted} après la remise")
        return " ; ".join(parts)

    def run_hidden(self) -> None:
        """Hidden tests are graded outside the kernel (see the module's docstring)."""
        print(HIDDEN_NOTE)

    @property
    def score(self) -> CellPoints:
        """Points earned by the public tests: the cell's value."""
        return CellPoints(round(sum(r.score for r in self.results), 4), self.summary())


def _print_drift(found: Any, where: str) -> bool:
    """Print the differences between the notebook file and the kernel, in French; whether there are any."""
    if not found:
        return False
    source = "Le notebook de Colab" if where == "Colab" else "Le fichier enregistré"
    lines = [f"⚠ {source} diffère du noyau : enregistrez (Ctrl+S) ; {GRADED_FILE}."]
    for error, names in found.unparsed:
        cell, _, reason = error.partition(" : ")
        defines = f" ({', '.join(f'`{name}`' for name in names)})" if names else ""
        lines.append(f"    {cell[:1].upper()}{cell[1:]}{defines} du fichier : {reason}. Cette cellule ne comptera "
                     "pas : ses définitions seront absentes du fichier noté (les tests ci-dessous ont utilisé "
                     "l'ancienne version, restée dans le noyau). Corrigez-la, exécutez-la, puis enregistrez.")
    lines += [f"    `{name}` est absente du fichier : les tests ci-dessous ont utilisé la version du noyau."
              for name in found.missing]
    lines += [f"    `{name}` n'est pas la même dans le fichier et dans le noyau (cellule modifiée sans être exécutée, "
              "ou exécutée sans être enregistrée) : exécutez-la puis enregistrez." for name in found.different]
    print("\n".join(lines))
    return True
