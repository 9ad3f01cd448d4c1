"""Grade many submissions: ``parallel`` grading processes at once, results stored as they finish.

With a store folder, each result is written (atomically) the moment it is known, next to the
fingerprint of the notebook it came from: an interrupted batch resumes without regrading
what is finished, and a changed notebook is regraded.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from autograder.export.files import write_atomically
from autograder.grading.assignments import load_assignment
from autograder.grading.engine import grade_notebook, unreadable_result
from autograder.results import StoredGrading, SubmissionResult
from autograder.submissions import Job

#: Earlier gradings of the same notebook kept next to its result (the instructor's determinism alarm).
EARLIER_KEPT = 3


class ResultStore:
    """``<folder>/<student>/result.json``: one stored result per submission, and ``<folder>/batch.json``.

    A result regraded from the same notebook keeps its previous gradings (``earlier``, at most
    :data:`EARLIER_KEPT`); a changed notebook starts afresh. ``batch.json`` names the last batch's
    students, in order, and how long it took.
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

    def load(self, job: Job, include_hidden: bool) -> SubmissionResult | None:
        """The stored result of this very notebook, if any."""
        data = self._document(self.path(job))
        try:
            if data is None or data.get("fingerprint") != job.fingerprint() \
                    or data.get("include_hidden") != include_hidden:
                return None
            return SubmissionResult.from_dict(data["result"])
        except (ValueError, KeyError, TypeError):
            return None

    def save(self, job: Job, result: SubmissionResult, include_hidden: bool) -> None:
        fingerprint = job.fingerprint()
        previous = self._document(self.path(job)) or {}
        earlier = []
        if previous.get("fingerprint") == fingerprint and previous.get("include_hidden") == include_hidden:
            earlier = [previous["result"], *previous.get("earlier", [])][:EARLIER_KEPT]
        document = {"fingerprint": fingerprint, "include_hidden": include_hidden, "result": result.to_dict(),
                    "earlier": earlier}
        write_atomically(self.path(job), json.dumps(document, indent=1, ensure_ascii=False))

    def grading(self, student: str) -> StoredGrading | None:
        """The stored grading of ``student``, or None when there is none (or it cannot be read)."""
        data = self._document(self.folder / student / "result.json")
        try:
            return None if data is None else StoredGrading(
                SubmissionResult.from_dict(data["result"]), str(data.get("fingerprint", "")),
                [SubmissionResult.from_dict(e) for e in data.get("earlier", [])])
        except (ValueError, KeyError, TypeError):
            return None

    def gradings(self, jobs: list[Job], results: list[SubmissionResult]) -> list[StoredGrading]:
        """Each result with its notebook's fingerprint and the earlier gradings stored of that very notebook."""
        gradings = []
        for job, result in zip(jobs, results, strict=True):
            stored = self.grading(job.student)
            fingerprint = job.fingerprint()
            earlier = stored.earlier if stored and stored.fingerprint == fingerprint else []
            gradings.append(StoredGrading(result, fingerprint, earlier))
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


def grade_job(job: Job, include_hidden: bool, only: frozenset[str] | None,
              private_folders: tuple[Path, ...]) -> SubmissionResult:
    """Grade one job (in this process); an unreadable input gets 0 with its reason."""
    only = job.only if job.only is not None else only
    if job.problem:
        checks = [c for c in (load_assignment(job.assignment, include_hidden).checks if job.assignment else ())
                  if c.selected_by(only)]
        return unreadable_result(job.path, checks, job.assignment or "?", job.student, job.problem, time.monotonic())
    return grade_notebook(job.path, job.assignment, include_hidden, student=job.student, only=only,
                          private_folders=private_folders)


def infrastructure_failure(job: Job, error: BaseException) -> SubmissionResult:
    """A result standing for a submission whose grading process was lost (never stored: a rerun regrades it)."""
    message = f"Correction interrompue par une panne du correcteur ({type(error).__name__}) : relancez la correction."
    return SubmissionResult(str(job.path), job.assignment or "?", job.student, [], [message])


def grade_many(
    jobs: Iterable[Job],
    parallel: int = 1,
    include_hidden: bool = True,
    on_result: Callable[[Job, SubmissionResult, bool], None] = lambda job, result, reused: None,
    only: frozenset[str] | None = None,
    private_folders: tuple[Path, ...] = (),
    store: ResultStore | None = None,
    resume: bool = True,
) -> list[SubmissionResult]:
    """Grade every job (``parallel`` grading processes at once); results keep the jobs' order.

    Each grading process runs one pytest session per submission (pytest is not thread-safe);
    this process stays the only writer of the store. ``on_result(job, result, reused)`` is
    called as each result is known; ``reused`` is True when the store already held it. With
    ``resume=False`` every job is graded and the store only records (keeping earlier gradings).
    """
    jobs = list(jobs)
    inputs = tuple(sorted({job.path.parent for job in jobs}))  # other students' submissions
    hidden_from_students = private_folders + ((store.folder,) if store else ()) + inputs
    results: dict[int, SubmissionResult] = {}

    def finished(index: int, result: SubmissionResult, reused: bool) -> None:
        results[index] = result
        if store and not reused:
            store.save(jobs[index], result, include_hidden)
        on_result(jobs[index], result, reused)

    todo = []
    for index, job in enumerate(jobs):
        reused = store.load(job, include_hidden) if store and resume else None
        if reused is not None:
            finished(index, reused, True)
        else:
            todo.append(index)
    arguments = (include_hidden, only, hidden_from_students)
    if parallel <= 1 or len(todo) <= 1:
        for index in todo:
            finished(index, grade_job(jobs[index], *arguments), False)
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(parallel, len(todo)), mp_context=context) as pool:
            futures = {pool.submit(grade_job, jobs[index], *arguments): index for index in todo}
            for future in as_completed(futures):
                index = futures[future]
                try:
                    finished(index, future.result(), False)
                except Exception as error:  # noqa: BLE001 - a lost grading process is not the student's grade
                    results[index] = infrastructure_failure(jobs[index], error)
                    on_result(jobs[index], results[index], False)
    return [results[index] for index in range(len(jobs))]
