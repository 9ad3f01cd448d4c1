"""The one result model every exporter reads: a submission's tests and their outcomes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


def printable(text: str) -> str:
    """``text`` with every lone surrogate (a student's ``'\ud800'``, an undecodable byte of a file name) replaced by
    « ? », so that every export and the terminal can encode it in UTF-8."""
    return text.encode("utf-8", "replace").decode("utf-8") if isinstance(text, str) else text


class Status(StrEnum):
    """Outcome of one test."""

    PASSED = "passed"
    FAILED = "failed"  # the student's code ran and gave a wrong answer
    ERROR = "error"  # the student's code raised, is missing, or could not be loaded
    TIMEOUT = "timeout"  # the test exceeded its time limit
    CRASHED = "crashed"  # the grading process died (memory, exit, signal)
    GRADER_ERROR = "grader_error"  # the test itself is broken (not the student's fault): an instructor must look


@dataclass
class TestResult:
    """Outcome of one graded check.

    Attributes:
        name: stable identifier, e.g. ``split_shapes``.
        title: what the check verifies, in French, shown to the student.
        task: the graded step (nbgrader cell) the check belongs to.
        max_score: points at stake.
        score: points earned, 0 <= score <= max_score.
        hidden: hidden checks are run only at grading time.
        status: see :class:`Status`.
        message: feedback in French: what was expected and what was found.
        duration_s: wall time of the check in the sandbox, in seconds.
        graded_by: ``auto``, ``provisional`` (automatic estimate awaiting an instructor) or
            ``instructor`` (set by hand; ``auto_score`` keeps the automatic value).
        auto_score: the automatic score before an instructor's override, if any.
        comment: the instructor's comment, if any.
        figures: PNG images (base64) the student's code drew for this check, for feedback pages.
        measure: for threshold checks, the measured metric (calibration, alarms).
        limit: for threshold checks, the limit ``measure`` had to beat (the instructor's alarms; never exported
            to students beyond the feedback message).
        tampered: the student's code tampered with the grader or forged an answer during this check.
    """

    name: str
    title: str
    task: str
    max_score: float
    score: float
    hidden: bool
    status: Status
    message: str = ""
    duration_s: float = 0.0
    graded_by: str = "auto"
    auto_score: float | None = None
    comment: str = ""
    figures: list[str] = field(default_factory=list)
    measure: float | None = None
    limit: float | None = None
    tampered: bool = False

    def __post_init__(self) -> None:
        # A student's exception text may hold lone surrogates ('\ud800'), which no UTF-8 export can encode.
        self.title, self.message, self.comment = (printable(self.title), printable(self.message),
                                                  printable(self.comment))

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED


@dataclass
class LatePenalty:
    """A late submission's penalty, applied as a line of its own: the checks' scores stay as graded.

    Attributes:
        submitted_at: when the submission was handed in (ISO 8601 with its UTC offset); "" when unknown.
        source: where that time comes from (``nbgrader timestamp.txt``, ``fichier des heures``, ...), in French.
        deadline: the student's own deadline (extensions and accommodations included), ISO 8601.
        seconds_late: seconds past that deadline (0 within the grace period); None when the time is unknown.
        percent: the penalty, in percent of the points earned (0 to 100).
        points: the points taken off, ``score * percent / 100``.
        note: what the student reads, in French (``remis avec 2 h 10 de retard : −10 %``).
    """

    submitted_at: str
    source: str
    deadline: str
    seconds_late: float | None
    percent: float
    points: float
    note: str


@dataclass
class SubmissionResult:
    """All outcomes for one notebook.

    Attributes:
        submission: path of the graded notebook.
        assignment: assignment name, e.g. ``01_regression``.
        student: student identifier (from nbgrader's tree or the file name).
        tests: one entry per check, in the assignment's order.
        notices: problems found in the notebook itself (unparsable cells, ...), in French.
        duration_s: wall time of the whole grading, in seconds.
        isolation: which sandbox measures were in force (``network``, ``files``).
        identity: the roster's columns of the student (``student_id``, ``name``, ``email``, ``group``, ...);
            empty without a roster (:mod:`autograder.roster`).
        late: the late penalty, if the course policy gives one (:mod:`autograder.late_policy`); :attr:`score`
            stays the raw score, :attr:`final_score` takes the penalty off.
    """

    submission: str
    assignment: str
    student: str
    tests: list[TestResult] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    duration_s: float = 0.0
    isolation: dict[str, bool] = field(default_factory=dict)
    identity: dict[str, str] = field(default_factory=dict)
    late: LatePenalty | None = None

    def __post_init__(self) -> None:
        self.notices = [printable(notice) for notice in self.notices]

    @property
    def score(self) -> float:
        return round(sum(test.score for test in self.tests), 4)

    @property
    def final_score(self) -> float:
        """The score after the late penalty, if any (points)."""
        return round(self.score - self.late.points, 4) if self.late else self.score

    @property
    def max_score(self) -> float:
        return round(sum(test.max_score for test in self.tests), 4)

    def provisional_score(self, task: str | None = None) -> tuple[float, float]:
        """``(score, max_score)`` of the checks still provisional (of ``task``'s only, if given): automatic
        estimates of criteria an instructor grades by hand, counted in :attr:`score` until an override replaces
        them."""
        provisional = [test for test in self.tests
                       if test.graded_by == "provisional" and task in (None, test.task)]
        return round(sum(t.score for t in provisional), 4), round(sum(t.max_score for t in provisional), 4)

    def task_scores(self) -> dict[str, tuple[float, float]]:
        """``{task: (score, max_score)}`` in the order tasks first appear."""
        totals: dict[str, tuple[float, float]] = {}
        for test in self.tests:
            score, max_score = totals.get(test.task, (0.0, 0.0))
            totals[test.task] = (score + test.score, max_score + test.max_score)
        return totals

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for test in data["tests"]:
            test["status"] = Status(test["status"]).value
        data["score"] = self.score
        data["max_score"] = self.max_score
        data["final_score"] = self.final_score
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SubmissionResult:
        tests = [
            TestResult(**{**test, "status": Status(test["status"])})
            for test in data["tests"]
        ]
        return cls(
            submission=data["submission"],
            assignment=data["assignment"],
            student=data["student"],
            tests=tests,
            notices=list(data.get("notices", [])),
            duration_s=data.get("duration_s", 0.0),
            isolation=dict(data.get("isolation", {})),
            identity=dict(data.get("identity", {})),
            late=LatePenalty(**data["late"]) if data.get("late") else None,
        )


@dataclass
class StoredGrading:
    """One stored result with what identifies the notebook it came from.

    Attributes:
        result: the latest grading.
        fingerprint: the notebook's SHA-256 (with the selection of checks, if any); "" when unknown.
        earlier: earlier gradings of the same fingerprint (``autograder grade --no-resume`` with the same
            ``--out``), newest first.
        graders: the graders' version the result was graded with ("" when unknown).
        replaced: results of the same student graded under another key (a changed notebook, graders or
            selection), newest first: kept, never silently replaced (:mod:`autograder.regrade`).
    """

    result: SubmissionResult
    fingerprint: str = ""
    earlier: list[SubmissionResult] = field(default_factory=list)
    graders: str = ""
    replaced: list[SubmissionResult] = field(default_factory=list)
