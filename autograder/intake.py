"""Everything handed in, joined to the class list: one row per student, submitted or not.

:func:`take_in` reads the inputs (Moodle's and Canvas's download layouts, as folders or as the zip file the LMS
gives; any other input through :func:`autograder.submissions.discover`), joins each submission to a student of
the roster when there is one (:mod:`autograder.roster`), and adds:

* a job with the problem "aucun notebook" for a student whose submission holds no notebook (naming what they
  sent), and "aucune remise" for each enrolled student absent from the inbox: both graded 0, with their rows in
  every export;
* each submission's hand-in time (:mod:`autograder.submission_times`), for the late policy.

A submission's student is told only from what the LMS or the instructor controls: an LMS's participant or user
ID first (when the roster has that column), then the LMS's name for the student, a plain inbox's folder or zip
name, nbgrader's student folder; a notebook's own file name only in a flat inbox of files. Whatever may be
several students is never settled in favour of one: two deliveries that match one roster student, or a delivery
whose name is shared by several roster students, are each graded under their own identifier (the LMS's name and
participant ID, the folder's name) with no roster columns, the roster students concerned get a
:data:`UNATTRIBUTED` row (no grade in the LMS exports), and a warning names them all.

The :class:`Arrival` of each job is kept in the batch folder (``.state/intake.json``): ``autograder report``
rebuilds the exports with it.
"""

from __future__ import annotations

import json
import re
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path

from autograder.late_policy import CoursePolicy, penalty, unreadable_time
from autograder.lms_layouts import Delivery, deliveries, layout_of, original_name
from autograder.results import SubmissionResult
from autograder.roster import UNATTRIBUTED, Roster, Student, folded, safe_key, student_of_row
from autograder.submission_times import (
    AMBIGUOUS_TIME,
    UNREADABLE_SOURCE,
    Handed,
    TimeError,
    file_time,
    nbgrader_timestamp,
    parse_time,
    read_times,
    time_column,
)
from autograder.submissions import Job, _extract, _notebooks, discover, no_notebook

ABSENT = "Aucune remise reçue pour ce devoir."
#: Statuses of an arrival, as every export writes them.
SUBMITTED, NO_NOTEBOOK, MISSING = "remis", "aucun notebook", "aucune remise"
#: The status of a roster student whom several deliveries may be, or whose name several students share.
TO_ATTRIBUTE = "à attribuer"


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
        ambiguous: the roster students this delivery may be, when it cannot be told which (then it is attributed
            to none of them and ``identity`` is empty); on a :data:`TO_ATTRIBUTE` row, the deliveries that may be
            that student's.
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
    ambiguous: str = ""

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
    #: per job: (the delivery it came from, its identifier when attributed to no roster student)
    sources: list[tuple[str, str]] = field(default_factory=list)
    #: roster students who cannot be attributed a delivery: their key -> the deliveries that may be theirs
    unattributed: dict[str, list[str]] = field(default_factory=dict)

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


def _lms_student(delivery: Delivery, roster: Roster) -> tuple[Student | None, list[Student]]:
    """The roster student of an LMS delivery, else (None, the students it may be when there are several).

    The LMS's identifier first (Moodle's participant ID, Canvas's user ID) where the roster has that column; a
    name only names a student whose LMS identifier the roster does not give (a name is the student's to change).
    """
    column = "participant" if delivery.layout == "moodle" else "lms_id"
    by_id = roster.having(column, delivery.lms_id)
    if len(by_id) == 1:
        return by_id[0], []
    if by_id or (delivery.layout == "moodle" and delivery.label == "Participant"):
        return None, by_id
    named = [s for s in roster.candidates(delivery.label) if not getattr(s, column)]
    return (named[0], []) if len(named) == 1 else (None, named)


def _lms_folder(folder: Path, assignment: str | None, scratch: Path, roster: Roster | None,
                intake: Intake) -> None:
    found, strays = deliveries(folder) or ([], [])
    for stray in strays:
        intake.warnings.append(f"{stray}: not in the {layout_of(folder)} layout, attributed to no student")
    for delivery in found:
        student, several = _lms_student(delivery, roster) if roster else (None, [])
        own = safe_key(f"{delivery.label}_{delivery.lms_id}" if several or delivery.label == "Participant"
                       else delivery.label)
        key = student.key if student else own
        if student:
            intake.matched.add(student.key)
        for other in several:
            intake.unattributed.setdefault(other.key, []).append(own)
        if several:
            intake.warnings.append(
                f"{delivery.label} ({delivery.layout} id {delivery.lms_id}): the roster has several students of "
                f"that name ({', '.join(f'{s.key} {s.name}' for s in several)}); graded as {own}, attributed to "
                f"none of them ({UNATTRIBUTED.lower()} by the instructor)")
        for job in _delivery_jobs(delivery, key, assignment, scratch):
            status = NO_NOTEBOOK if job.problem and "Aucun notebook" in job.problem else SUBMITTED
            files = [original_name(f, delivery.layout) for f in delivery.files]
            intake.jobs.append(job)
            fallback = safe_key(f"{delivery.label}_{delivery.lms_id}") if delivery.lms_id else own
            intake.sources.append((f"{folder}\0{delivery.label}\0{delivery.lms_id}",
                                   fallback + job.student[len(key):]))
            intake.arrivals.append(Arrival(job.student, status, files, delivery.layout, delivery.label,
                                           student.identity() if student else {}, _enrolled(roster, student),
                                           lms_late=delivery.late, lms_id=delivery.lms_id,
                                           ambiguous=", ".join(s.key for s in several)))


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
    """Any other input: each job joined to a student by its folder's or zip's name, nbgrader's student folder,
    or, in a flat inbox of files only, the file's name (never a notebook's name inside a student's folder)."""
    for job in discover([item], assignment, scratch):
        first = job.student.split("/", 1)[0]
        student = roster.find(first) if roster else None
        status = NO_NOTEBOOK if job.problem and "Aucun notebook" in job.problem else SUBMITTED
        layout = "nbgrader" if job.origin == "nbgrader" else "files"
        intake.sources.append((f"{item}\0{first}", job.student))
        if student:
            intake.matched.add(student.key)
            job = replace(job, student=student.key)
        sent = [job.path.name] if status == SUBMITTED else []
        intake.jobs.append(job)
        intake.arrivals.append(Arrival(job.student, status, sent, layout, first,
                                       student.identity() if student else {}, _enrolled(roster, student)))


def _not_rostered(key: str, keys: set[str]) -> str:
    """``key``, made distinct from the roster's keys (a delivery attributed to no one is no roster student)."""
    base, _, rest = key.partition("/")
    return f"{base}_non_attribue" + (f"/{rest}" if rest else "") if base in keys else key


def _collisions(intake: Intake, roster: Roster) -> None:
    """Roster students matched by several deliveries: every such delivery is attributed to none of them."""
    sources: dict[str, set[str]] = {}
    for arrival, (source, _) in zip(intake.arrivals, intake.sources, strict=True):
        if arrival.enrolled:
            sources.setdefault(arrival.student.split("/", 1)[0], set()).add(source)
    names = {s.key: s.name for s in roster.students}
    keys = set(names)
    for key, found in sources.items():
        if len(found) < 2:
            continue
        intake.matched.discard(key)
        owns = []
        for index, (arrival, (source, own)) in enumerate(zip(intake.arrivals, intake.sources, strict=True)):
            if source in found and arrival.enrolled:
                own = _not_rostered(own, keys)
                intake.jobs[index] = replace(intake.jobs[index], student=own)
                arrival.student, arrival.identity, arrival.enrolled, arrival.ambiguous = own, {}, False, key
                owns.append(own)
        intake.unattributed.setdefault(key, []).extend(owns)
        intake.warnings.append(f"{key} ({names.get(key, '')}): several deliveries match this student "
                               f"({', '.join(owns)}); each is graded under its own name and attributed to no one "
                               f"({UNATTRIBUTED.lower()} by the instructor), the student's LMS grade is left empty")


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
    if roster is not None:
        _collisions(intake, roster)
        keys = {student.key for student in roster.students}
        for index, arrival in enumerate(intake.arrivals):  # an unattributed delivery never wears a roster key
            if not arrival.enrolled and arrival.student != _not_rostered(arrival.student, keys):
                arrival.student = _not_rostered(arrival.student, keys)
                intake.jobs[index] = replace(intake.jobs[index], student=arrival.student)
    _unique(intake)
    if roster is not None:
        names = assignment or _only_assignment(intake)
        for student in roster.students:
            if student.key in intake.matched:
                continue
            if student.key in intake.unattributed:
                which = ", ".join(dict.fromkeys(intake.unattributed[student.key]))
                intake.jobs.append(Job(Path(student.key), student.key, names, problem=(
                    f"{UNATTRIBUTED} : plusieurs remises peuvent être celles de cet étudiant ({which}) ; "
                    "l'enseignant doit vérifier laquelle.")))
                intake.arrivals.append(Arrival(student.key, TO_ATTRIBUTE, [], "roster", student.name,
                                               student.identity(), True, ambiguous=which))
                continue
            intake.jobs.append(Job(Path(student.key), student.key, names, problem=ABSENT))
            intake.arrivals.append(Arrival(student.key, MISSING, [], "roster", student.name, student.identity(),
                                           True))
        strangers = [a.student for a in intake.arrivals if a.enrolled is False and not a.ambiguous]
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


#: The identifying columns a times row and an arrival are compared on (never a name, a group, a time).
ID_FIELDS = ("student_id", "email", "login", "participant", "lms_id")


def _ids(arrival: Arrival) -> set[tuple[str, str]]:
    """An arrival's identifiers, each with its kind: the roster's columns, the LMS's ID, the batch identifier of a
    plain inbox or of a roster student."""
    found = {(name, folded(arrival.identity.get(name, ""))) for name in ID_FIELDS}
    if arrival.lms_id:
        found.add(("participant" if arrival.layout == "moodle" else "lms_id", folded(arrival.lms_id)))
    if arrival.enrolled or arrival.layout in ("files", "nbgrader"):
        found.add(("key", folded(arrival.student.split("/", 1)[0])))
    return {(name, value) for name, value in found if value}


def _row_ids(row: dict[str, str]) -> set[tuple[str, str]]:
    """A times or roster row's identifiers (:data:`ID_FIELDS`, ``Participant 1234567``, a batch identifier)."""
    student = student_of_row(row)
    found = {(name, folded(getattr(student, name))) for name in ID_FIELDS} if student else set()
    for column in ("student", "etudiant"):
        if row.get(column) and not re.search(r"\s", row[column].strip()):  # an identifier, not a full name
            found.add(("key", folded(row[column])))
    return {(name, value) for name, value in found if value}


def _matches(arrival: Arrival, ids: set[tuple[str, str]]) -> bool:
    """Whether a times row's identifiers name this arrival's student (same kind, same value; names never)."""
    return bool(ids & _ids(arrival))


def _time_table(times: Path | None, roster_rows: list[dict[str, str]] | None,
                default_zone: str) -> list[tuple[set[tuple[str, str]], datetime | None, str]]:
    table: list[tuple[set[tuple[str, str]], datetime | None, str]] = []
    if times:
        table += [(_row_ids(row), at, "csv") for row, at in read_times(times, default_zone)]
    if roster_rows and time_column(roster_rows[0]):
        column = time_column(roster_rows[0])
        for row in roster_rows:
            value = row[column].strip()
            if value not in ("", "-", "—"):
                table.append((_row_ids(row), parse_time(value, default_zone), "roster"))
    return table


def set_times(intake: Intake, times: Path | None, roster_rows: list[dict[str, str]] | None, default_zone: str,
              file_times: bool) -> None:
    """Each arrival's hand-in time: the instructor's times CSV, else the roster's time column, else nbgrader's
    ``timestamp.txt`` (written in the student's own account: it yields to the instructor's files), else (only with
    ``file_times``) the notebook's modification time.

    A row is matched on identifying columns only (:data:`ID_FIELDS`, Moodle's ``Participant 1234567``), exactly.
    A row that names several students, or a student named by rows of one source with different times, is
    ambiguous: no time is applied (:data:`AMBIGUOUS_TIME`) and a warning names them.
    """
    table = _time_table(times, roster_rows, default_zone)
    submitted = [(job, a) for job, a in zip(intake.jobs, intake.arrivals, strict=True) if a.status == SUBMITTED]
    whose = [{a.student.split("/", 1)[0] for _, a in submitted if _matches(a, ids)} for ids, _, _ in table]
    for job, arrival in submitted:
        arrival.submitted_at = arrival.time_source = ""
        handed, problem = None, ""
        for source in ("csv", "roster"):
            rows = [(at, who) for (ids, at, kind), who in zip(table, whose, strict=True)
                    if kind == source and _matches(arrival, ids)]
            if not rows:
                continue
            moments = {at for at, _ in rows if at is not None}
            if any(len(who) > 1 for _, who in rows):
                others = sorted(set().union(*(who for _, who in rows)))
                problem = f"a row of the {source} times names several students ({', '.join(others)})"
            elif len(moments) > 1:
                problem = f"several rows of the {source} times give different times ({len(moments)})"
            elif moments:
                handed = Handed(moments.pop(), source)
            break
        if problem:
            arrival.time_source = "ambiguous"
            intake.warnings.append(f"{arrival.student}: {problem}; no hand-in time applied ({AMBIGUOUS_TIME})")
            continue
        if handed is None and job.origin == "nbgrader":
            try:
                handed = nbgrader_timestamp(job.path.parent, default_zone)
            except TimeError as error:  # written in the student's account: that student's problem alone
                arrival.time_source = UNREADABLE_SOURCE
                intake.warnings.append(f"{arrival.student}: timestamp.txt: {error} (late penalty left to the teacher)")
                continue
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
            if arrival.time_source == UNREADABLE_SOURCE:
                result.late = unreadable_time(result.late)
