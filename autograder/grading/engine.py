"""The grading pipeline for one notebook, as a short list of steps:

1. read the notebook (nbformat);
2. find its assignment and its grader files;
3. keep the definitions of its code cells (ast);
4. start a sandbox for them (lazily, on the first request);
5. run the grader files with pytest here: each test asks the sandbox for what it needs and judges it here;
6. turn every test's outcome into one :class:`TestResult`; cancel any answer found forged.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from autograder.grading.assignments import Assignment, available_assignments, describe_assignment, load_assignment
from autograder.grading.notebook import NotebookError, assignment_of, definitions, read_notebook
from autograder.grading.runner import run_graders
from autograder.grading.sandbox import Limits, Sandbox, SandboxReport, SandboxSetup, prestart
from autograder.grading.student import SandboxBackend, Student
from autograder.metadata import section
from autograder.pytest_plugin import CheckInfo, GradingContext
from autograder.results import Status, SubmissionResult, TestResult

FORGED = "Réponse falsifiée détectée (un second résultat est arrivé pour la même requête) : test annulé."


class AssignmentNotFound(LookupError):
    """The assignment of a notebook could not be determined."""


def resolve_assignment(path: Path, notebook: object | None, name: str | None) -> str:
    """The assignment named explicitly, else in the notebook's metadata, else by the file or folder name."""
    if name:
        return name
    recorded = assignment_of(notebook) if notebook is not None else None
    if recorded:
        return recorded
    known = available_assignments()
    for part in (path.stem, *(p.name for p in path.parents)):
        if part in known:
            return part
    raise AssignmentNotFound(f"impossible de savoir à quel devoir appartient {path} : précisez-le avec --assignment "
                             f"(devoirs : {', '.join(known)})")


def unreadable_result(path: Path, checks: Sequence[CheckInfo], assignment: str, student: str, message: str,
                      started: float) -> SubmissionResult:
    """Every check at 0 with the same message: the submission could not be read."""
    tests = [TestResult(c.name, c.title, c.task, c.points, 0.0, c.hidden, Status.ERROR, message) for c in checks]
    return SubmissionResult(str(path), assignment, student, tests, [message], round(time.monotonic() - started, 2))


def kernel_notices(notebook: object) -> list[str]:
    """A notice when the notebook declares a kernel other than Python (it is graded as Python)."""
    kernel = section(notebook, "kernelspec").get("name", "python3")
    if "python" in str(kernel).lower():
        return []
    return [f"Noyau inattendu « {kernel} » : le notebook est corrigé comme du code Python 3."]


def start_jail(assignment: Assignment, limits: Limits) -> None:
    """Have this assignment's jail started in the background, unless one is idle or starting already."""
    prestart(SandboxSetup(assignment.package, assignment.preload, assignment.probe_modules, (),
                          warm=assignment.warm_modules), limits)


def open_sandbox(assignment: Assignment, notebook: object, limits: Limits | None) -> Sandbox:
    """A sandbox for the notebook's definitions, in a jail of its own (no worker starts before the first request)."""
    setup = SandboxSetup(assignment.package, assignment.preload, assignment.probe_modules,
                         tuple(definitions(notebook)), warm=assignment.warm_modules)
    return Sandbox(setup, limits or Limits(wall_s=assignment.time_limit_s))


def finished_tests(context: GradingContext, report: SandboxReport, checks: Sequence[CheckInfo]) -> list[TestResult]:
    """Every selected check's result, in order; forged answers cancel their test; broken graders say so."""
    tests = []
    for check in checks:
        result = context.results.get(check.nodeid)
        if result is None:
            problem = "; ".join(context.problems)[-300:] or "test non exécuté"
            result = TestResult(check.name, check.title, check.task, check.points, 0.0, check.hidden,
                                Status.GRADER_ERROR, f"Erreur du correcteur, pas de votre code : {problem}.")
        elif set(context.requests.get(check.nodeid, ())) & report.forged:
            result.score, result.status, result.message, result.tampered = 0.0, Status.ERROR, FORGED, True
        tests.append(result)
    return tests


def grade_notebook(
    path: Path,
    assignment_name: str | None = None,
    include_hidden: bool = True,
    limits: Limits | None = None,
    student: str | None = None,
    only: frozenset[str] | None = None,
    seed: int = 0,
    called: dict[str, set[str]] | None = None,
    slots: int = 1,
    ahead: bool = True,
) -> SubmissionResult:
    """Grade one notebook in a sandbox; never raises for a broken submission.

    Raises:
        WeakIsolation: bubblewrap cannot confine the student's code here and weaker isolation was not accepted.

    Args:
        only: grade just these checks or tasks (by name: debugging, one Classroom step); default all.
        seed: the seed every request starts from (calibration grades with several).
        called: filled, if given, with the student's functions each check ran (mutation benchmark).
        slots: sandboxes this host runs at once: each sandbox's memory is the host's shared among them.
        ahead: start the next submission's jail in the background (when another submission follows; default
            limits only).
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
    name = resolve_assignment(path, notebook, assignment_name)
    described = describe_assignment(name)
    limits = limits or Limits(wall_s=described.time_limit_s, slots=slots, prestart=ahead)
    if notebook is not None:
        start_jail(described, limits)  # its imports overlap the graders' collection, just below
    assignment = load_assignment(name, include_hidden)
    checks = [c for c in assignment.checks if c.selected_by(only)]
    if notebook is None:
        return unreadable_result(path, checks, assignment.name, student, unreadable or "", started)
    sandbox = open_sandbox(assignment, notebook, limits)
    context = GradingContext(Student(SandboxBackend(sandbox), seed, trace=called is not None), notebook,
                             assignment.tasks, only)
    try:
        run_graders(assignment, context, ["--basetemp", str(sandbox.basetemp)])
    finally:
        report = sandbox.close()
    if called is not None:
        called.update(context.called)
    notices = kernel_notices(notebook) + report.cell_errors + report.notices
    return SubmissionResult(str(path), assignment.name, student, finished_tests(context, report, checks), notices,
                            round(time.monotonic() - started, 2), report.isolation)


def command_line_context(notebook_path: Path, assignment_name: str | None, args: Sequence[str]
                         ) -> tuple[GradingContext, Sandbox]:
    """``pytest <graders> --notebook FILE``: the context and sandbox of that notebook for pytest's session.

    The assignment is the one named, else the notebook's, else the grader folder's in ``args``.
    """
    notebook = read_notebook(notebook_path)
    name = assignment_name
    for arg in args if name is None else ():
        for part in Path(arg.split("::")[0]).resolve().parts:
            if part.startswith("a") and part[1:] in available_assignments():
                name = name or part[1:]
    assignment = describe_assignment(resolve_assignment(notebook_path, notebook, name))
    sandbox = open_sandbox(assignment, notebook, None)
    return GradingContext(Student(SandboxBackend(sandbox)), notebook, assignment.tasks), sandbox
