"""Class statistics of a batch, as plain data, from the same results the gradebook is written from.

Every score here is the one ``gradebook.csv`` holds for the same results (after overrides): a
submission's total is :attr:`SubmissionResult.score`, a task's score is
:meth:`SubmissionResult.task_scores`. A check's pass rate counts the submissions that ran it; its
feedback messages are those of the submissions that attempted its task (:func:`attempted_tasks`): an
untouched or unreadable notebook, or a task left as released, fails for a reason of its own and is
counted apart.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from autograder.results import Status, StoredGrading, SubmissionResult, TestResult

#: Feedback messages of one failing check shown per group, and groups shown per check.
EXAMPLES_PER_GROUP, GROUPS_PER_CHECK = 3, 5
NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?(?:e[-+]?\d+)?")
#: What a check says of code not written yet: a function that still raises ``NotImplementedError``
#: (:mod:`autograder.grading.worker`, :func:`autograder.checks.inspection.expect_written`), a definition or an
#: answer not found. The released notebook fails every check with one of them (tests/test_examples.py).
NOT_WRITTEN = ("NotImplementedError", "introuvable")
#: Seconds a grading's own duration may exceed its batch's wall time by (both are rounded, and timed apart).
CLOCK_SLACK_S = 0.1


@dataclass
class ScoreSummary:
    """Scores of one assignment or task: one value per submission that has it, in points.

    Attributes:
        provisional: ``(mean, max_score)`` of the provisional points counted in ``scores`` (automatic estimates
            of criteria graded by hand, :meth:`SubmissionResult.provisional_score`); ``(0, 0)`` when none is.
    """

    max_score: float
    scores: list[float]
    mean: float
    median: float
    provisional: tuple[float, float] = (0.0, 0.0)


@dataclass
class MessageGroup:
    """Feedback messages of a failing check that differ only by their numbers.

    Attributes:
        pattern: the message with each number replaced by ``…``.
        count: submissions whose message has this pattern.
        examples: a few of those messages, anonymised (no student name or file path).
    """

    pattern: str
    count: int
    examples: list[str]


@dataclass
class CheckStats:
    """One check across the class.

    Attributes:
        graded: submissions that ran the check (readable or not).
        passed: of those, how many passed.
        statuses: count per non-passing status (``failed``, ``error``, ``timeout``, ...).
        messages: the most frequent failure messages of the submissions that attempted the check's task, most
            frequent first.
        unreadable, untouched, not_attempted: of ``graded``, the unreadable notebooks, the untouched ones
            (:func:`is_untouched`) and the others whose task was left as released: counted apart from
            ``messages``.
    """

    name: str
    title: str
    task: str
    hidden: bool
    max_score: float
    graded: int
    passed: int
    pass_rate: float
    statuses: dict[str, int]
    messages: list[MessageGroup]
    unreadable: int = 0
    untouched: int = 0
    not_attempted: int = 0


@dataclass
class StudentRow:
    """One gradebook row: the student, their feedback page (relative link), task scores and total, and
    ``(score, max_score)`` of the provisional points counted in that total."""

    student: str
    page: str
    tasks: dict[str, float]
    score: float
    max_score: float
    duration_s: float
    unreadable: bool
    provisional: tuple[float, float]


@dataclass
class AssignmentStats:
    """One assignment's class statistics.

    Attributes:
        submissions: results of this assignment in the batch.
        total: the total scores; ``tasks``: each task's, in the assignment's order.
        checks: every check, the most failed first.
        timeouts, crashes, tampering, grader_errors: submissions with at least one such check.
        unreadable: students whose submission could not be read (graded 0 with its reason).
        grading_s: sum of the submissions' grading times, in seconds.
    """

    assignment: str
    submissions: int
    total: ScoreSummary
    tasks: dict[str, ScoreSummary]
    checks: list[CheckStats]
    timeouts: int
    crashes: int
    tampering: int
    grader_errors: int
    unreadable: list[str]
    grading_s: float
    students: list[StudentRow]


@dataclass
class ClassStats:
    """A batch's statistics: one entry per assignment, and how long the batch took.

    Attributes:
        wall_s: the wall time in seconds of the batch's last run (None when not recorded): a resumed batch
            records only its last run, which may have graded nothing.
        jobs: grading processes used (None when not recorded).
        grading_s: the sum of every stored grading's own duration, in seconds, whichever run graded it.
        earlier_runs: gradings that took longer than ``wall_s`` on their own, so were made by an earlier run
            of a resumed batch (a lower bound: a short grading reused from an earlier run is not told apart).
    """

    submissions: int
    wall_s: float | None
    jobs: int | None
    assignments: list[AssignmentStats] = field(default_factory=list)
    grading_s: float = 0.0
    earlier_runs: int = 0


def is_unreadable(result: SubmissionResult) -> bool:
    """The submission could not be graded at all: no check ran, or every check carries the reading error.

    :func:`autograder.grading.engine.unreadable_result` gives every check the notice it records;
    a lost grading process leaves no check.
    """
    if not result.tests:
        return True
    return bool(result.notices) and all(t.status is Status.ERROR and t.message == result.notices[0]
                                        for t in result.tests)


def not_written(test: TestResult) -> bool:
    """The check failed because the code or answer it reads is not written yet (:data:`NOT_WRITTEN`)."""
    return test.status in (Status.FAILED, Status.ERROR) and any(word in test.message for word in NOT_WRITTEN)


def attempted_tasks(result: SubmissionResult) -> dict[str, bool]:
    """``{task: attempted}`` in the assignment's order: a task is attempted unless every one of its checks
    failed for code not written (:func:`not_written`); nothing is attempted in an unreadable notebook."""
    if is_unreadable(result):
        return {test.task: False for test in result.tests}
    attempted: dict[str, bool] = {}
    for test in result.tests:
        attempted[test.task] = attempted.get(test.task, False) or not not_written(test)
    return attempted


def is_untouched(result: SubmissionResult) -> bool:
    """A readable notebook whose student changed nothing that is graded: no task attempted
    (:func:`attempted_tasks`), as in the released notebook."""
    return bool(result.tests) and not is_unreadable(result) and not any(attempted_tasks(result).values())


def standings(result: SubmissionResult) -> dict[str, str]:
    """``{task: standing}``: ``unreadable`` or ``untouched`` (the whole notebook), ``not_attempted`` (a task
    left as released in a notebook otherwise worked on), "" (attempted)."""
    if is_unreadable(result):
        return {test.task: "unreadable" for test in result.tests}
    attempted = attempted_tasks(result)
    if not any(attempted.values()):
        return dict.fromkeys(attempted, "untouched")
    return {task: "" if done else "not_attempted" for task, done in attempted.items()}


def anonymise(message: str, result: SubmissionResult) -> str:
    """``message`` without the student's identifier or the submission's path and file name."""
    path = Path(result.submission)
    for secret, replacement in ((str(path), "‹fichier›"), (str(path.parent), "‹dossier›"), (path.name, "‹fichier›"),
                                (result.student, "‹étudiant›")):
        if len(secret) > 2:
            message = message.replace(secret, replacement)
    return message


def _mean(values: list[float]) -> float:
    return round(statistics.fmean(values), 4) if values else 0.0


def _summary(scores: list[float], max_score: float, provisional: list[tuple[float, float]]) -> ScoreSummary:
    """``scores`` summarised; ``provisional``: each one's provisional ``(score, max_score)``."""
    at_stake = max((m for _, m in provisional), default=0.0)
    return ScoreSummary(max_score, scores, _mean(scores), round(statistics.median(scores), 4) if scores else 0.0,
                        (_mean([s for s, _ in provisional]), at_stake) if at_stake else (0.0, 0.0))


def _messages(failures: list[tuple[TestResult, SubmissionResult]]) -> list[MessageGroup]:
    groups: dict[str, list[str]] = {}
    for test, result in failures:
        text = anonymise(test.message, result) or "(aucun message)"
        groups.setdefault(NUMBER.sub("…", text), []).append(text)
    ranked = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))[:GROUPS_PER_CHECK]
    return [MessageGroup(pattern, len(texts), list(dict.fromkeys(texts))[:EXAMPLES_PER_GROUP])
            for pattern, texts in ranked]


def check_outcomes(results: list[SubmissionResult]) -> dict[str, list[tuple[TestResult, SubmissionResult, str]]]:
    """Each check's outcomes by its name, in the assignment's order: ``(test, its result, its task's standing)``
    (:func:`standings`)."""
    ran: dict[str, list[tuple[TestResult, SubmissionResult, str]]] = {}
    for result in results:
        standing = standings(result)
        for test in result.tests:
            ran.setdefault(test.name, []).append((test, result, standing[test.task]))
    return ran


def _checks(results: list[SubmissionResult]) -> list[CheckStats]:
    checks = []
    for name, outcomes in check_outcomes(results).items():
        first = outcomes[0][0]
        failures = [(t, r, standing) for t, r, standing in outcomes if not t.passed]
        passed = len(outcomes) - len(failures)
        apart = Counter(standing for _, _, standing in outcomes)
        checks.append(CheckStats(name, first.title, first.task, first.hidden, first.max_score, len(outcomes), passed,
                                 round(passed / len(outcomes), 4),
                                 dict(Counter(t.status.value for t, _, _ in failures).most_common()),
                                 _messages([(t, r) for t, r, standing in failures if not standing]),
                                 apart["unreadable"], apart["untouched"], apart["not_attempted"]))
    return sorted(checks, key=lambda c: (c.pass_rate, -c.graded))  # stable: the assignment's order within ties


def page_link(student: str) -> str:
    """The feedback page of ``student``, relative to the batch folder (see :func:`write_batch_outputs`)."""
    return "/".join(quote(part) for part in Path(student).parts) + "/feedback.html"


def _with_any(results: list[SubmissionResult], keep) -> int:
    return sum(any(keep(t) for t in r.tests) for r in results)


def assignment_stats(assignment: str, results: list[SubmissionResult]) -> AssignmentStats:
    """The statistics of one assignment's results (after overrides)."""
    tasks: dict[str, list[float]] = {}
    maxima: dict[str, float] = {}
    provisional: dict[str, list[tuple[float, float]]] = {}
    for result in results:
        for task, (score, max_score) in result.task_scores().items():
            tasks.setdefault(task, []).append(score)
            maxima[task] = max(maxima.get(task, 0.0), max_score)
            provisional.setdefault(task, []).append(result.provisional_score(task))
    rows = [StudentRow(r.student, page_link(r.student), {t: s for t, (s, _) in r.task_scores().items()}, r.score,
                       r.max_score, r.duration_s, is_unreadable(r), r.provisional_score()) for r in results]
    return AssignmentStats(
        assignment, len(results),
        _summary([r.score for r in results], max((r.max_score for r in results), default=0.0),
                 [r.provisional_score() for r in results]),
        {task: _summary(scores, maxima[task], provisional[task]) for task, scores in tasks.items()},
        _checks(results),
        _with_any(results, lambda t: t.status is Status.TIMEOUT),
        _with_any(results, lambda t: t.status is Status.CRASHED),
        _with_any(results, lambda t: t.tampered),
        _with_any(results, lambda t: t.status is Status.GRADER_ERROR),
        [r.student for r in results if is_unreadable(r)],
        round(sum(r.duration_s for r in results), 2),
        rows,
    )


def by_assignment(gradings: list[StoredGrading]) -> dict[str, list[StoredGrading]]:
    """The batch's gradings grouped by assignment, in the order assignments first appear."""
    groups: dict[str, list[StoredGrading]] = {}
    for grading in gradings:
        groups.setdefault(grading.result.assignment, []).append(grading)
    return groups


def class_stats(gradings: list[StoredGrading], wall_s: float | None = None, jobs: int | None = None) -> ClassStats:
    """The statistics of a whole batch (results after overrides), one entry per assignment."""
    durations = [g.result.duration_s for g in gradings]
    return ClassStats(len(gradings), wall_s, jobs, [assignment_stats(name, [g.result for g in group])
                                                    for name, group in by_assignment(gradings).items()],
                      round(sum(durations), 2),
                      sum(d > wall_s + CLOCK_SLACK_S for d in durations) if wall_s is not None else 0)
