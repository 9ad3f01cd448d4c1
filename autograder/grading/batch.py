"""Grade many submissions on an executor (grading processes here, or a Dask cluster), results stored as they finish.

With a store folder, each result is written (atomically) the moment it is known, under its task's
key (assignment, notebook SHA-256, graders' version, selection): an interrupted batch resumes
without regrading what is finished, and a changed notebook or grader is regraded.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from autograder.export.files import write_atomically
from autograder.grading.assignments import graders_version
from autograder.grading.executors import InlineExecutor, LocalExecutor
from autograder.grading.tasks import Outcome, Task, make_task
from autograder.results import StoredGrading, SubmissionResult
from autograder.submissions import Job

#: Earlier gradings of the same notebook kept next to its result (the instructor's determinism alarm).
EARLIER_KEPT = 3
#: Results of a student replaced by a grading under another key (a changed notebook or grader), kept.
REPLACED_KEPT = 3


class Executor(Protocol):
    """Runs tasks (:mod:`autograder.grading.executors`, :mod:`autograder.grading.cluster`)."""

    def submit(self, index: int, task: Task, avoid: str | None = None) -> None: ...

    def next_outcome(self) -> tuple[int, Outcome]: ...

    def close(self) -> None: ...


class ResultStore:
    """``<folder>/<student>/result.json``: one stored result per submission, under its task's key, and
    ``<folder>/batch.json``.

    A result regraded under the same key (notebook, graders, selection) keeps its previous gradings
    (``earlier``, at most :data:`EARLIER_KEPT`); a changed notebook or grader starts afresh, the result it
    replaces kept in ``replaced`` (at most :data:`REPLACED_KEPT`, with its fingerprint and graders' version)
    for :mod:`autograder.regrade`.
    ``batch.json`` names the last batch's students, in order, and how long it took.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, job: Job) -> Path:
        return self.folder / job.student / "result.json"

    def _document(self, path: Path) -> dict | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) and isinstance(data.get("result"), dict) else None
        except (OSError, ValueError):
            return None

    def load(self, job: Job, key: str) -> SubmissionResult | None:
        """The stored result of this very notebook, graders and selection (``key``), if any."""
        data = self._document(self.path(job))
        try:
            if data is None or data.get("key") != key:
                return None
            return SubmissionResult.from_dict(data["result"])
        except (ValueError, KeyError, TypeError):
            return None

    def save(self, job: Job, key: str, result: SubmissionResult) -> None:
        """Store ``result`` under ``key``, with the notebook's fingerprint and the earlier gradings of that key."""
        previous = self._document(self.path(job)) or {}
        earlier, replaced = [], previous.get("replaced", [])
        if previous.get("key") == key:
            earlier = [previous["result"], *previous.get("earlier", [])][:EARLIER_KEPT]
        elif previous:
            gone = {"result": previous["result"], "fingerprint": previous.get("fingerprint", ""),
                    "graders": previous.get("graders", "")}
            replaced = [gone, *replaced][:REPLACED_KEPT]
        document = {"key": key, "fingerprint": job.fingerprint(), "graders": _graders(job, result),
                    "result": result.to_dict(), "earlier": earlier, "replaced": replaced}
        write_atomically(self.path(job), json.dumps(document, indent=1, ensure_ascii=False))

    def grading(self, student: str) -> StoredGrading | None:
        """The stored grading of ``student``, or None when there is none (or it cannot be read)."""
        data = self._document(self.folder / student / "result.json")
        try:
            return None if data is None else StoredGrading(
                SubmissionResult.from_dict(data["result"]), str(data.get("fingerprint", "")),
                [SubmissionResult.from_dict(e) for e in data.get("earlier", [])], str(data.get("graders", "")),
                [SubmissionResult.from_dict(r["result"]) for r in data.get("replaced", [])])
        except (ValueError, KeyError, TypeError):
            return None

    def gradings(self, jobs: list[Job], results: list[SubmissionResult]) -> list[StoredGrading]:
        """Each result with its notebook's fingerprint and the earlier gradings stored of that very notebook."""
        gradings = []
        for job, result in zip(jobs, results, strict=True):
            stored = self.grading(job.student)
            fingerprint = job.fingerprint()
            same = stored is not None and stored.fingerprint == fingerprint
            gradings.append(StoredGrading(result, fingerprint, stored.earlier if same else [],
                                          stored.graders if stored else "", stored.replaced if stored else []))
        return gradings

    def save_batch(self, students: list[str], wall_s: float, parallel: int) -> None:
        """Record the batch just graded: its students in order, its wall time (s) and grading processes."""
        document = {"students": students, "wall_s": round(wall_s, 2), "jobs": parallel}
        write_atomically(self.folder / "batch.json", json.dumps(document, indent=1, ensure_ascii=False))

    def batch(self) -> dict:
        """The last batch's record (``students``, ``wall_s``, ``jobs``); without one, every stored student."""
        try:
            data = json.loads((self.folder / "batch.json").read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("students"), list):
                return data
        except (OSError, ValueError):
            pass
        students = sorted(str(p.parent.relative_to(self.folder)) for p in self.folder.rglob("result.json"))
        return {"students": students, "wall_s": None, "jobs": None}


def _graders(job: Job, result: SubmissionResult) -> str:
    """The graders' version a result was graded with ("?" when the assignment is unknown)."""
    name = job.assignment or result.assignment
    try:
        return graders_version(name) if name and name != "?" else "?"
    except OSError:
        return "?"


class Progress:
    """A progress line with the estimated time left (a bar on a terminal, one line per result otherwise)."""

    def __init__(self, total: int, stream=sys.stderr) -> None:
        self.total, self.done, self.stream = total, 0, stream
        self.started = time.monotonic()
        self.lock = threading.Lock()

    def update(self, job: Job, result: SubmissionResult, reused: bool) -> None:
        with self.lock:
            self.done += 1
            elapsed = time.monotonic() - self.started
            left = elapsed / self.done * (self.total - self.done)
            width = 24
            filled = int(width * self.done / max(self.total, 1))
            note = " (already graded)" if reused else ""
            line = (f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}  "
                    f"elapsed {elapsed:5.0f}s  left ~{left:5.0f}s  {job.student}: "
                    f"{result.score:g}/{result.max_score:g}{note}")
            if self.stream.isatty():
                self.stream.write("\r" + line[:150].ljust(150))
                if self.done == self.total:
                    self.stream.write("\n")
            else:
                self.stream.write(line + "\n")
            self.stream.flush()


def infrastructure_failure(job: Job, errors: list[str]) -> SubmissionResult:
    """A result standing for a submission no grading process could grade (never stored: a rerun regrades it)."""
    message = ("Correction impossible : panne du correcteur, pas de votre code (" + " ; ".join(errors)[-400:]
               + "). Relancez la correction.")
    return SubmissionResult(str(job.path), job.assignment or "?", job.student, [], [message])


@dataclass
class BatchReport:
    """What a batch leaves besides its results: the infrastructure errors retried, the submissions no grading
    process could grade."""

    retried: list[tuple[str, str]] = field(default_factory=list)  # (student, the error of the first attempt)
    failures: list[tuple[str, list[str]]] = field(default_factory=list)  # (student, errors)


def grade_many(
    jobs: Iterable[Job],
    parallel: int = 1,
    include_hidden: bool = True,
    on_result: Callable[[Job, SubmissionResult, bool], None] = lambda job, result, reused: None,
    only: frozenset[str] | None = None,
    store: ResultStore | None = None,
    resume: bool = True,
    executor: Executor | None = None,
    report: BatchReport | None = None,
) -> list[SubmissionResult]:
    """Grade every job on ``executor`` (default: ``parallel`` grading processes here); results keep the jobs' order.

    This process is the only writer of the store. Faults: a student's crash, timeout or memory bomb is a
    grade (made in the sandbox), never retried; an infrastructure error (a grading process or its
    pre-started worker lost, a full disk) is retried once elsewhere; a task that fails twice is an
    infrastructure failure, listed in ``report``, never stored. ``on_result(job, result, reused)`` is
    called as each result is known; ``reused`` is True when the store already held it. With
    ``resume=False`` every job is graded and the store only records (keeping earlier gradings).

    Raises:
        SchedulerLost: the cluster's scheduler went away (what finished is stored; re-running resumes).
    """
    jobs = list(jobs)
    results: dict[int, SubmissionResult] = {}
    tasks = {index: make_task(job, include_hidden, only) for index, job in enumerate(jobs)}
    for index, job in enumerate(jobs):
        reused = store.load(job, tasks[index].key) if store and resume else None
        if reused is not None:
            results[index] = reused
            on_result(job, reused, True)
    todo = [index for index in range(len(jobs)) if index not in results]
    if todo:
        own = executor is None
        executor = executor or (InlineExecutor() if parallel <= 1 or len(todo) <= 1 else LocalExecutor(
            min(parallel, len(todo))))
        try:
            _run(jobs, tasks, todo, executor, results, store, on_result, report or BatchReport())
        finally:
            if own:
                executor.close()
    return [results[index] for index in range(len(jobs))]


def _run(jobs: list[Job], tasks: dict[int, Task], todo: list[int], executor: Executor,
         results: dict[int, SubmissionResult], store: ResultStore | None,
         on_result: Callable[[Job, SubmissionResult, bool], None], report: BatchReport) -> None:
    """Submit ``todo``, store results as they come, retry an infrastructure error once elsewhere."""
    errors: dict[int, list[str]] = {index: [] for index in todo}
    for index in todo:
        executor.submit(index, tasks[index])
    left = len(todo)
    while left:
        index, outcome = executor.next_outcome()
        job = jobs[index]
        if outcome.result is not None:
            result = outcome.result
            result.submission = str(job.path)
            if store:
                store.save(job, tasks[index].key, result)
        else:
            errors[index].append(f"{outcome.where}: {outcome.error}" if outcome.where else str(outcome.error))
            if len(errors[index]) < 2 and not outcome.final:
                report.retried.append((job.student, errors[index][-1]))
                executor.submit(index, tasks[index], avoid=outcome.where)
                continue
            result = infrastructure_failure(job, errors[index])
            report.failures.append((job.student, errors[index]))
        results[index] = result
        left -= 1
        on_result(job, result, False)
