"""Instructor overrides: set any check's points by hand, keeping the automatic value visible.

The file is a CSV with a header ``student,check,points,comment``::

    student,check,points,comment
    alice,relevance_families,5,"L2 et dropout bien justifiés, mais pas de comparaison"

``student`` may be ``*`` to apply to every submission.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from autograder.results import Status, SubmissionResult


class OverrideError(ValueError):
    """The overrides file is malformed or names an unknown check."""


@dataclass(frozen=True)
class Override:
    student: str
    check: str
    points: float
    comment: str


def read_overrides(path: Path) -> list[Override]:
    """Parse the CSV; raise :class:`OverrideError` naming the line of any bad row."""
    overrides = []
    with open(path, newline="", encoding="utf-8") as stream:
        reader = csv.DictReader(stream)
        missing = {"student", "check", "points"} - set(reader.fieldnames or ())
        if missing:
            raise OverrideError(f"{path}: missing column(s) {sorted(missing)}")
        for line, row in enumerate(reader, start=2):
            try:
                points = float(row["points"])
            except ValueError as error:
                raise OverrideError(f"{path}:{line}: points must be a number, got {row['points']!r}") from error
            overrides.append(Override(row["student"], row["check"], points, row.get("comment") or ""))
    return overrides


def apply_overrides(result: SubmissionResult, overrides: list[Override]) -> SubmissionResult:
    """Set the overridden checks' scores in place; the automatic score stays in ``auto_score``."""
    tests = {test.name: test for test in result.tests}
    for override in overrides:
        if override.student not in ("*", result.student):
            continue
        test = tests.get(override.check)
        if test is None:
            raise OverrideError(f"{result.assignment} has no check {override.check!r}")
        if not 0 <= override.points <= test.max_score:
            raise OverrideError(f"{override.check}: {override.points} is outside 0..{test.max_score}")
        if test.auto_score is None:
            test.auto_score = test.score
        test.score = override.points
        test.graded_by = "instructor"
        test.comment = override.comment
        test.status = Status.PASSED if override.points == test.max_score else Status.FAILED
    return result
