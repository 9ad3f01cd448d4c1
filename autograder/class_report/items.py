"""Item analysis: how each check of an assignment behaves across the class, as a test item of an exam.

For every check, among the submissions that attempted its task (:func:`~autograder.class_report.stats.standings`:
unreadable and untouched notebooks, and tasks left as released, are counted apart; so are the grader's own
errors, which are not the student's outcome):

* the pass rate;
* the discrimination: the point-biserial correlation of the check's outcome (1 passed, 0 not) with the rest
  of the score (the submission's total minus this check's points), computed with numpy as Pearson's
  correlation of the 0/1 outcome (the same value as ``scipy.stats.pointbiserialr``). Near 0 the check does
  not tell strong students from weak ones; below 0 the students who pass it are the weaker ones, which
  usually means the check rewards a wrong answer or rejects a right one (the alarm
  :func:`autograder.class_report.alarms.negative_discrimination`);
* for threshold checks (``measure`` and ``limit`` recorded), how far the failing measures fall from the
  limit: the median of ``|measure - limit| / |limit|`` (a share of the limit, never the limit itself).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

import numpy as np

from autograder.class_report.stats import check_outcomes
from autograder.results import Status, SubmissionResult, TestResult


@dataclass
class ItemStats:
    """One check's item analysis.

    Attributes:
        submissions: submissions that ran the check.
        unreadable, untouched, not_attempted, grader_errors: of those, counted apart: unreadable notebooks,
            untouched notebooks, notebooks worked on whose task was left as released, and (among the rest)
            outcomes that are the grader's error.
        attempted: the rest: the submissions the figures below are computed on; ``passed`` of them passed.
        pass_rate: ``passed / attempted`` (None when nothing was attempted).
        discrimination: point-biserial correlation of passing with the rest of the score (None when every
            attempt passed, every one failed, or the rest of the score is the same for all).
        measured_failures: failing attempts that recorded a measure and a non-zero limit.
        median_gap: the median of their ``|measure - limit| / |limit|`` (None when there are none).
    """

    name: str
    title: str
    task: str
    hidden: bool
    max_score: float
    submissions: int
    unreadable: int
    untouched: int
    not_attempted: int
    grader_errors: int
    attempted: int
    passed: int
    pass_rate: float | None
    discrimination: float | None
    measured_failures: int
    median_gap: float | None


def point_biserial(passed: list[bool], rest: list[float]) -> float | None:
    """Pearson's correlation of the 0/1 outcomes with the rest scores (None when either is constant)."""
    if len(passed) < 2 or len(set(passed)) < 2 or len(set(rest)) < 2:
        return None
    return float(np.corrcoef(np.array(passed, dtype=float), np.array(rest, dtype=float))[0, 1])


def relative_gap(test: TestResult) -> float | None:
    """``|measure - limit| / |limit|`` of a threshold check (None without a finite measure and non-zero limit)."""
    if test.measure is None or test.limit is None or not math.isfinite(test.measure) or not test.limit:
        return None
    return abs(test.measure - test.limit) / abs(test.limit)


def item_analysis(results: list[SubmissionResult]) -> list[ItemStats]:
    """Every check of one assignment's results (after overrides), in the assignment's order."""
    items = []
    for name, outcomes in check_outcomes(results).items():
        first = outcomes[0][0]
        apart = [standing for _, _, standing in outcomes]
        ready = [(t, r) for t, r, standing in outcomes if not standing]
        attempts = [(t, r) for t, r in ready if t.status is not Status.GRADER_ERROR]
        passed = [t.passed for t, _ in attempts]
        discrimination = point_biserial(passed, [round(r.score - t.score, 4) for t, r in attempts])
        gaps = [g for t, _ in attempts if not t.passed and (g := relative_gap(t)) is not None]
        items.append(ItemStats(
            name, first.title, first.task, first.hidden, first.max_score, len(outcomes), apart.count("unreadable"),
            apart.count("untouched"), apart.count("not_attempted"), len(ready) - len(attempts), len(attempts),
            sum(passed), round(sum(passed) / len(attempts), 4) if attempts else None,
            round(discrimination, 4) if discrimination is not None else None, len(gaps),
            round(statistics.median(gaps), 4) if gaps else None))
    return items
