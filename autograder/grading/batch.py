"""Grade many notebooks: each in its own sandbox, ``jobs`` at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from autograder.grading.engine import grade_notebook
from autograder.results import SubmissionResult


@dataclass(frozen=True)
class Job:
    """One notebook to grade.

    Attributes:
        path: the submitted notebook.
        student: identifier shown in tables and exports.
        assignment: assignment name, or None to read it from the notebook.
    """

    path: Path
    student: str
    assignment: str | None = None


def grade_many(
    jobs: Iterable[Job],
    parallel: int = 1,
    include_hidden: bool = True,
    on_result: Callable[[Job, SubmissionResult], None] = lambda job, result: None,
    only: frozenset[str] | None = None,
    private_folders: tuple[Path, ...] = (),
) -> list[SubmissionResult]:
    """Grade every job (``parallel`` sandboxes at once); results keep the jobs' order."""
    jobs = list(jobs)

    def one(job: Job) -> SubmissionResult:
        result = grade_notebook(job.path, job.assignment, include_hidden, student=job.student, only=only,
                                private_folders=private_folders)
        on_result(job, result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        return list(pool.map(one, jobs))
