"""One submission's grading as a task that can run in any grading process, on this host or on a cluster's.

A :class:`Task` carries the notebook's bytes (a remote worker shares no file system with the
launcher), its key and what to grade; :func:`run_task` grades it where it lands and returns an
:class:`Outcome`: a result, or the infrastructure error that prevented one (never the student's
fault: a student's crash, timeout or memory bomb is a grade, made inside the sandbox).

The key is the SHA-256 of the assignment, the notebook's SHA-256, the graders' version and the
selection: a task that runs twice gives the same result under the same key, and the launcher,
the only writer of the result store, stores it once.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import socket
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from autograder.grading.assignments import describe_assignment, graders_version, load_assignment
from autograder.grading.engine import (
    AssignmentNotFound,
    grade_notebook,
    resolve_assignment,
    start_jail,
    unreadable_result,
)
from autograder.grading.notebook import NotebookError, read_notebook
from autograder.grading.sandbox import Limits
from autograder.grading.zygote import WEAK_ISOLATION_ENV
from autograder.results import SubmissionResult
from autograder.submissions import Job

#: Sandboxes a Dask host runs at once (its ``autograder worker --nworkers``), for their memory limits.
HOST_SLOTS_ENV = "DLKIT_HOST_SLOTS"
WEAK_NOTICE = ("Isolation affaiblie acceptée par l'enseignant sur cette machine de correction "
               "(mesures manquantes : {missing}).")


@dataclass(frozen=True)
class Task:
    """A submission to grade, self-contained.

    Attributes:
        key: the result's key (:func:`result_key`).
        data: the notebook's bytes (None when the input could not be read: ``problem`` says why).
        filename: the notebook's file name (its stem names the student by default).
        student, assignment, only: as in :class:`autograder.submissions.Job`.
        include_hidden: run the hidden tests too.
        ahead: start the next submission's jail while this one is graded (the executor sets it when this
            process grades another submission of the same assignment next; otherwise that jail is wasted work).
    """

    key: str
    data: bytes | None
    filename: str
    student: str
    assignment: str | None
    only: frozenset[str] | None
    include_hidden: bool
    problem: str | None = None
    ahead: bool = True


@dataclass
class Outcome:
    """What a grading process sends back: a result, or an infrastructure error and where it happened."""

    result: SubmissionResult | None
    error: str | None = None
    where: str = ""
    final: bool = False  # the cluster already retried it (a task whose workers died twice)


def result_key(job: Job, include_hidden: bool, only: frozenset[str] | None) -> str:
    """SHA-256 of what decides a result: assignment, notebook SHA-256, graders' version, selection."""
    selection = job.only if job.only is not None else only
    version = graders_version(job.assignment) if job.assignment else "?"
    parts = [job.assignment or "?", job.fingerprint(), version, ",".join(sorted(selection or ())),
             str(include_hidden), job.problem or ""]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def make_task(job: Job, include_hidden: bool, only: frozenset[str] | None) -> Task:
    """The task of one job (the notebook read now: a missing file becomes the job's problem)."""
    problem, data = job.problem, None
    if problem is None:
        try:
            data = job.path.read_bytes()
        except OSError as error:
            problem = f"Fichier illisible : {error}"
    if job.assignment is None and problem is None:
        job = replace(job, assignment=_assignment_of(job.path))
    return Task(result_key(job, include_hidden, only), data, job.path.name, job.student, job.assignment,
                job.only if job.only is not None else only, include_hidden, problem)


def _assignment_of(path: Path) -> str | None:
    """The notebook's assignment, resolved here (None: the grading process says why it cannot tell)."""
    try:
        return resolve_assignment(path, read_notebook(path), None)
    except (NotebookError, AssignmentNotFound):
        return None


def _inbox() -> Path:
    """This process's folder of received notebooks (hidden from every sandbox; removed when the process ends)."""
    folder = Path(tempfile.gettempdir()) / f"dlkit-inbox-{os.getpid()}"
    if not folder.is_dir():
        folder.mkdir(mode=0o700)
        atexit.register(shutil.rmtree, folder, True)
    return folder


def where() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def grade_task(task: Task, slots: int) -> SubmissionResult:
    """Grade the task in this process; an unreadable input gets 0 with its reason."""
    if task.problem or task.data is None:
        checks = [c for c in (load_assignment(task.assignment, task.include_hidden).checks if task.assignment else ())
                  if c.selected_by(task.only)]
        return unreadable_result(Path(task.filename), checks, task.assignment or "?", task.student,
                                 task.problem or "?", time.monotonic())
    inbox = _inbox()
    with tempfile.TemporaryDirectory(dir=inbox) as folder:
        path = Path(folder) / task.filename
        path.write_bytes(task.data)
        return grade_notebook(path, task.assignment, task.include_hidden, student=task.student, only=task.only,
                              slots=slots, ahead=task.ahead)


def run_task(task: Task, slots: int = 0) -> Outcome:
    """Grade ``task`` here (``slots``: sandboxes at once on this host; 0: from ``$DLKIT_HOST_SLOTS``).

    Any exception that escapes grading is the infrastructure's (the student's faults are grades).
    """
    slots = slots or int(os.environ.get(HOST_SLOTS_ENV, "1"))
    try:
        result = grade_task(task, slots)
    except Exception as error:  # noqa: BLE001 - a full disk, a lost pre-started worker: retried elsewhere
        return Outcome(None, f"{type(error).__name__}: {error}"[:500], where())
    if os.environ.get(WEAK_ISOLATION_ENV) and not result.isolation.get("bubblewrap", True):
        result.isolation["weak_isolation_accepted"] = True
        missing = ", ".join(sorted(k for k, v in result.isolation.items() if not v)) or "aucune"
        result.notices.append(WEAK_NOTICE.format(missing=missing))
    return Outcome(result, where=where())


def prestart(assignments: tuple[str, ...], include_hidden: bool) -> None:
    """Start a jail ahead for each of these assignments (a Dask worker joining), as :func:`run_task` will ask."""
    slots = int(os.environ.get(HOST_SLOTS_ENV, "1"))
    for name in assignments:
        assignment = describe_assignment(name, include_hidden)
        start_jail(assignment, Limits(wall_s=assignment.time_limit_s, slots=slots))
