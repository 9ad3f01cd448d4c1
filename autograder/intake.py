"""Everything handed in, joined to the class list: one row per student, submitted or not.

:func:`take_in` reads the inputs (Moodle's and Canvas's download layouts, as folders or as the zip file the LMS
gives; any other input through :func:`autograder.submissions.discover`), joins each submission to a student of
the roster when there is one (:mod:`autograder.roster`), and adds:

* a job with the problem "aucun notebook" for a student whose submission holds no notebook (naming what they
  sent), and "aucune remise" for each enrolled student absent from the inbox: both graded 0, with their rows in
  every export;
* each submission's hand-in time (:mod:`autograder.submission_times`), for the late policy.

The :class:`Arrival` of each job is kept in the batch folder (``.state/intake.json``): ``autograder report``
rebuilds the exports with it.
"""

from __future__ import annotations

import json
import re
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from autograder.late_policy import CoursePolicy, penalty
from autograder.lms_layouts import Delivery, deliveries, layout_of, original_name
from autograder.results import SubmissionResult
from autograder.roster import Roster, Student, folded, name_tokens, safe_key
from autograder.submission_times import Handed, file_time, nbgrader_timestamp, parse_time, read_times, time_column
from autograder.submissions import Job, _extract, _notebooks, discover, no_notebook

ABSENT = "Aucune remise reçue pour ce devoir."
#: Statuses of an arrival, as every export writes them.
SUBMITTED, NO_NOTEBOOK, MISSING = "remis", "aucun notebook", "aucune remise"


@dataclass
class Arrival:
    """How one job's submission arrived.

    Attributes:
        student: the job's student (batch identifier).
        status: :data:`SUBMITTED`, :data:`NO_NOTEBOOK` or :data:`MISSING`.
        files: the files the student sent, as they named them.
        layout: ``moodle``, ``canvas``, ``nbgrader``, ``files`` (a plain inbox) or ``roster`` (absent).
        label: the name the inbox gives the student (a Moodle folder's name, a Canvas file's ``lastfirst``).
        identity: the roster's columns (:meth:`Student.identity`); empty when the student is not in it.
        enrolled: whether the roster lists the student (None: no roster).
        submitted_at: when it was handed in (ISO 8601 with offset), "" when unknown.
        time_source: how that is known (:data:`autograder.submission_times.SOURCES`' keys).
        lms_late: the LMS marked it late (Canvas's ``_LATE_``).
        lms_id: the LMS's identifier in the download (Moodle's participant identifier, Canvas's user ID).
    """

    student: str
    status: str
    files: list[str] = field(default_factory=list)
    layout: str = "files"
    label: str = ""
    identity: dict[str, str] = field(default_factory=dict)
    enrolled: bool | None = None
    submitted_at: str = ""
    time_source: str = ""
    lms_late: bool = False
    lms_id: str = ""

    def labels(self) -> tuple[str, ...]:
        """The student's identifiers, most specific first (the late policy's keys)."""
        keys = ("student_id", "email", "login", "lms_id")
        return tuple(v for v in [*(self.identity.get(k, "") for k in keys), self.student, self.label] if v)

    def handed(self) -> Handed | None:
        return Handed(parse_time(self.submitted_at), self.time_source) if self.submitted_at else None


@dataclass
class Intake:
    """The jobs to grade and how each arrived (same order), with what the instructor should know (English)."""

    jobs: list[Job] = field(default_factory=list)
    arrivals: list[Arrival] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    matched: set[str] = field(default_factory=set)  # the roster's students found in the inputs (their keys)

    def by_student(self) -> dict[str, Arrival]:
        return {arrival.student: arrival for arrival in self.arrivals}

    def to_json(self) -> str:
        return json.dumps({"arrivals": [asdict(a) for a in self.arrivals], "warnings": self.warnings}, indent=1,
                          ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Intake:
        data = json.loads(text)
        return cls([], [Arrival(**a) for a in data.get("arrivals", [])], list(data.get("warnings", [])))


def _delivery_jobs(delivery: Delivery, key: str, assignment: str | None, scratch: Path) -> list[Job]:
    """The jobs of one LMS delivery: its notebooks (zips extracted), else one "aucun notebook" job."""
    notebooks = [f for f in delivery.files if f.suffix == ".ipynb"]
    problems = []
    for archive in (f for f in delivery.files if f.suffix == ".zip"):
        try:
            notebooks += _notebooks(_extract(archive, scratch))
        except (zipfile.BadZipFile, ValueError, OSError) as error:
            problems.append(f"Archive {original_name(archive, delivery.layout)} illisible : {error}")
    if assignment and len(notebooks) > 1:
        named = [n for n in notebooks if original_name(n, delivery.layout).removesuffix(".ipynb") == assignment
                 or n.stem == assignment]
        notebooks = named or notebooks
    if not notebooks:
        sent = ", ".join(original_name(f, delivery.layout) for f in delivery.files) or "rien"
        first = delivery.files[0] if delivery.files else Path(key)
        return [Job(first, key, assignment, problem=" ".join([*problems, no_notebook(sent)]))]
    if len(notebooks) == 1:
        return [Job(notebooks[0], key, assignment)]
    return [Job(n, f"{key}/{safe_key(original_name(n, delivery.layout).removesuffix('.ipynb'))}", assignment)
            for n in notebooks]


def _lms_folder(folder: Path, assignment: str | None, scratch: Path, roster: Roster | None,
                intake: Intake) -> None:
    found, strays = deliveries(folder) or ([], [])
    for stray in strays:
        intake.warnings.append(f"{stray}: not in the {layout_of(folder)} layout, attributed to no student")
    for delivery in found:
        labels = (delivery.lms_id, delivery.label) if delivery.layout == "canvas" else (delivery.label, delivery.lms_id)
        student = roster.find(*labels) if roster else None
        key = student.key if student else safe_key(delivery.label if delivery.label != "Participant"
                                                   else f"Participant_{delivery.lms_id}")
        if student:
            intake.matched.add(student.key)
        for job in _delivery_jobs(delivery, key, assignment, scratch):
            status = NO_NOTEBOOK if job.problem and "Aucun notebook" in job.problem else SUBMITTED
            files = [original_name(f, delivery.layout) for f in delivery.files]
            intake.jobs.append(job)
            intake.arrivals.append(Arrival(job.student, status, files, delivery.layout, delivery.label,
                                           student.identity() if student else {}, _enrolled(roster, student),
                                           lms_late=delivery.late, lms_id=delivery.lms_id))


def _enrolled(roster: Roster | None, student: Student | None) -> bool | None:
    return None if roster is None else student is not None


def _lms_archive(archive: Path, scratch: Path) -> Path | None:
    """The folder an LMS's "download all" zip extracts to, when it is in a known layout (else None)."""
    try:
        folder = _extract(archive, scratch)
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    inner = [p for p in folder.iterdir() if not p.name.startswith(".") and p.name != "__MACOSX"]
    if len(inner) == 1 and inner[0].is_dir() and layout_of(inner[0]):
        return inner[0]
    return folder if layout_of(folder) else None


def _plain(item: Path, assignment: str | None, scratch: Path, roster: Roster | None, intake: Intake) -> None:
    """Any other input: each job joined to a student by its folder, its name or nbgrader's student id."""
    for job in discover([item], assignment, scratch):
        first = job.student.split("/", 1)[0]
        student = roster.find(job.student, first, job.path.stem) if roster else None
        status = NO_NOTEBOOK if job.problem and "Aucun notebook" in job.problem else SUBMITTED
        layout = "nbgrader" if job.origin == "nbgrader" else "files"
        if student:
            intake.matched.add(student.key)
            job = replace(job, student=student.key)
        sent = [job.path.name] if status == SUBMITTED else []
        intake.jobs.append(job)
        intake.arrivals.append(Arrival(job.student, status, sent, layout, first,
                                       student.identity() if student else {}, _enrolled(roster, student)))


def _unique(intake: Intake) -> None:
    """Unique batch identifiers: a second job of the same student is ``key~2``."""
    seen: dict[str, int] = {}
    for index, job in enumerate(intake.jobs):
        count = seen.get(job.student, 0)
        seen[job.student] = count + 1
        if count:
            intake.jobs[index] = replace(job, student=f"{job.student}~{count + 1}")
            intake.arrivals[index].student = intake.jobs[index].student


def take_in(inputs: list[Path], assignment: str | None, scratch: Path, roster: Roster | None = None) -> Intake:
    """Every submission of ``inputs`` (see the module), then a "aucune remise" job for each absent student."""
    intake = Intake()
    for item in map(Path, inputs):
        folder = item if item.is_dir() and layout_of(item) else None
        if folder is None and item.suffix == ".zip" and item.is_file():
            folder = _lms_archive(item, Path(tempfile.mkdtemp(prefix="lms-", dir=_made(scratch))))
        if folder is not None:
            _lms_folder(folder, assignment, scratch, roster, intake)
        else:
            _plain(item, assignment, scratch, roster, intake)
    _unique(intake)
    if roster is not None:
        names = assignment or _only_assignment(intake)
        for student in roster.students:
            if student.key in intake.matched:
                continue
            intake.jobs.append(Job(Path(student.key), student.key, names, problem=ABSENT))
            intake.arrivals.append(Arrival(student.key, MISSING, [], "roster", student.name, student.identity(),
                                           True))
        strangers = [a.student for a in intake.arrivals if a.enrolled is False]
        if strangers:
            intake.warnings.append(f"not in the roster (graded, exported without roster columns): "
                                   f"{', '.join(strangers)}")
    return intake


def _made(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _only_assignment(intake: Intake) -> str | None:
    """The one assignment the batch's jobs name, if they name one (for the absent students' zero rows)."""
    from autograder.grading.engine import AssignmentNotFound, resolve_assignment
    from autograder.grading.notebook import NotebookError, read_notebook

    found = set()
    for job in intake.jobs:
        if job.assignment:
            found.add(job.assignment)
        elif not job.problem:
            try:
                found.add(resolve_assignment(job.path, read_notebook(job.path), None))
            except (NotebookError, AssignmentNotFound):
                continue
    return found.pop() if len(found) == 1 else None


def _matches(arrival: Arrival, label: str) -> bool:
    """Whether a times CSV's label names this arrival's student (an identifier, a name in any order, or Moodle's
    ``Participant 1234567``)."""
    own = [v for v in (arrival.student, arrival.label, *arrival.identity.values()) if v]
    if folded(label) in {folded(v) for v in own}:
        return True
    if label.lower().startswith("participant"):
        digits = re.sub(r"\D", "", label)
        return digits in (arrival.identity.get("participant", ""), arrival.lms_id)
    tokens = name_tokens(label)
    return bool(tokens) and tokens in {name_tokens(v) for v in own}


def set_times(intake: Intake, times: Path | None, roster_rows: list[dict[str, str]] | None, default_zone: str,
              file_times: bool) -> None:
    """Each arrival's hand-in time: nbgrader's ``timestamp.txt``, else the times CSV, else the roster's time
    column, else (only with ``file_times``) the notebook's modification time."""
    table = [(labels, at, "csv") for labels, at in read_times(times, default_zone)] if times else []
    if roster_rows and time_column(roster_rows[0]):
        column = time_column(roster_rows[0])
        for row in roster_rows:
            value = row[column].strip()
            if value not in ("", "-"):
                table.append(([v for v in row.values() if v and v != value], parse_time(value, default_zone),
                              "roster"))
    for job, arrival in zip(intake.jobs, intake.arrivals, strict=True):
        if arrival.status != SUBMITTED:
            continue
        handed = nbgrader_timestamp(job.path.parent, default_zone) if job.origin == "nbgrader" else None
        if handed is None:
            found = [Handed(at, source) for labels, at, source in table
                     if at is not None and any(_matches(arrival, label) for label in labels)]
            handed = found[0] if found else None
        if handed is None and file_times:
            handed = file_time(job.path)
        if handed is not None:
            arrival.submitted_at, arrival.time_source = handed.at.isoformat(), handed.source


def attach(results: list[SubmissionResult], arrivals: dict[str, Arrival], policy: CoursePolicy | None) -> None:
    """Give each result (in place) its student's roster columns and, under ``policy``, its late penalty.

    The penalty is computed again at every export, from the hand-in time kept in the arrival: a changed policy
    (``autograder report DIR --policy FILE``) needs no regrading.
    """
    for result in results:
        arrival = arrivals.get(result.student)
        if arrival is None:
            continue
        result.identity = dict(arrival.identity)
        result.late = None
        if policy is not None and arrival.status == SUBMITTED:
            result.late = penalty(policy, result.assignment, arrival.labels(), arrival.handed(), result.score,
                                  arrival.lms_late)
