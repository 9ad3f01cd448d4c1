"""The class list: who is enrolled, read from the LMS's own exports as they come.

Accepted files (CSV; UTF-8 with or without a byte-order mark, else Windows-1252 as French Excel writes it;
separated by ``,``, ``;`` or tabs; header names matched without case or accents):

* a plain roster: ``student_id``, ``name`` (or ``first_name`` and ``last_name``), ``email``, ``group``;
* Moodle's participants or grades export ("Export grades: plain text file"): ``First name``, ``Last name`` (or
  ``Surname``), ``ID number``, ``Institution``, ``Department``, ``Email address``, ``Groups``, ``Username``, and
  its French labels (``Prénom``, ``Nom``, ``Numéro d'identification``, ``Adresse de courriel``, ``Groupes``);
  Moodle's grading worksheet (``Identifier`` = ``Participant 1234567``, ``Full name``, ``Email address``);
* Canvas's gradebook export: ``Student`` (``Last, First``), ``ID`` (Canvas's user ID, which its submission
  downloads carry in file names), ``SIS User ID``, ``SIS Login ID``, ``Section``; its ``Points Possible`` row
  and Canvas's "Test Student" are not students.

Each student gets a batch identifier (:attr:`Student.key`: the institution's number, else Canvas's ID, the
e-mail address or the name), under which they are graded and exported. :meth:`Roster.find` joins what an
inbox names (a Moodle folder's full name, a Canvas file's ``lastfirst`` and user ID, a folder named after an
e-mail address or a number) to a student.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: Header aliases of each field (compared as :func:`folded` makes them, like the file's header).
COLUMNS = {
    "student_id": ("student_id", "student id", "id number", "idnumber", "numero d'identification",
                   "numero d identification", "numero etudiant", "numero d'etudiant", "n etudiant", "matricule",
                   "sis user id", "id etudiant"),
    "first_name": ("first_name", "first name", "firstname", "prenom", "given name"),
    "last_name": ("last_name", "last name", "lastname", "surname", "nom de famille", "nom", "family name"),
    "name": ("name", "full name", "fullname", "nom complet", "student", "etudiant", "student name"),
    "email": ("email", "e-mail", "mail", "email address", "adresse de courriel", "adresse email",
              "adresse e-mail", "courriel"),
    "group": ("group", "groups", "groupe", "groupes", "section", "sections", "td", "tp"),
    "lms_id": ("id",),
    "login": ("sis login id", "login", "username", "nom d'utilisateur", "identifiant"),
    "participant": ("identifier", "identifiant moodle"),
}
NOT_STUDENTS = ("points possible", "test student", "etudiant test")
#: How a roster student's row starts when several deliveries (or none that can be told apart) may be theirs: the
#: instructor attributes it; the LMS exports write no grade for it.
UNATTRIBUTED = "À attribuer"


class RosterError(ValueError):
    """The roster cannot be read (no header, no column naming a student)."""


@dataclass(frozen=True)
class Student:
    """One enrolled student, as the roster names them.

    Attributes:
        key: the batch identifier (a folder name of the batch: the institution's number, else Canvas's ID, the
            e-mail address or the name, made file-safe).
        name: the full name, first name first.
        student_id: the institution's number (Moodle's ID number, Canvas's SIS User ID).
        lms_id: Canvas's user ID (the gradebook's ``ID`` column).
        login: Canvas's SIS Login ID or Moodle's username.
        participant: Moodle's participant identifier (grading worksheet), digits only.
    """

    key: str
    name: str
    first_name: str = ""
    last_name: str = ""
    student_id: str = ""
    email: str = ""
    group: str = ""
    lms_id: str = ""
    login: str = ""
    participant: str = ""

    def identity(self) -> dict[str, str]:
        """The roster's columns, for exports."""
        return {k: v for k, v in asdict(self).items() if k != "key"}


def folded(text: str) -> str:
    """``text`` without accents, in lower case, every run of non-alphanumerics one space."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z@.']+", " ", plain.casefold()).replace("'", " ").split())


COLUMNS = {name: tuple(dict.fromkeys(folded(alias) for alias in aliases)) for name, aliases in COLUMNS.items()}


def name_tokens(text: str) -> frozenset[str]:
    """A name's words, in any order (``Marie-Hélène Dupont`` = ``DUPONT Marie Hélène``)."""
    return frozenset(re.sub(r"[^0-9a-z]+", " ", folded(text)).split())


def compact(text: str) -> str:
    """A name's letters only (Canvas's ``lastfirst``)."""
    return re.sub(r"[^0-9a-z]", "", folded(text))


def safe_key(text: str) -> str:
    """``text`` as one file-safe folder name (no separator, no leading dot)."""
    key = re.sub(r"[^\w@.+-]+", "_", text.strip()).strip("._") or "etudiant"
    return key[:80]


def decode(data: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without BOM), else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def csv_rows(path: Path) -> list[dict[str, str]]:
    """A CSV file's rows, keyed by normalised header, whatever its encoding and separator."""
    text = decode(path.read_bytes())
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        raise RosterError(f"{path}: empty file")
    header = [folded(cell) for cell in rows[0]]
    return [{h: cell.strip() for h, cell in zip(header, row, strict=False)} for row in rows[1:]]


def _field(row: dict[str, str], name: str, header: set[str]) -> str:
    for alias in COLUMNS[name]:
        if alias in header:
            return row.get(alias, "")
    return ""


def student_of_row(row: dict[str, str]) -> Student | None:
    """One CSV row (:func:`csv_rows`) read as a roster's student (its identifying columns), None when it names none."""
    header = set(row)
    return _student(row, header, {"student", "sis user id"} <= header)


def _student(row: dict[str, str], header: set[str], canvas: bool) -> Student | None:
    values = {name: _field(row, name, header) for name in COLUMNS}
    if canvas:  # Canvas: "ID" is its user ID, "SIS User ID" the institution's number
        values["student_id"] = row.get("sis user id", "")
    if not values["lms_id"].isdigit():
        values["lms_id"] = ""
    values["participant"] = re.sub(r"\D", "", values["participant"])
    name = values["name"]
    if "," in name and not values["first_name"]:  # Canvas: "Last, First"
        last, first = (part.strip() for part in name.split(",", 1))
        values["first_name"], values["last_name"], name = first, last, f"{first} {last}"
    if not name:
        name = " ".join(p for p in (values["first_name"], values["last_name"]) if p)
    if folded(name) in NOT_STUDENTS or not (name or values["student_id"] or values["email"]):
        return None
    values["name"] = name
    key = safe_key(values["student_id"] or values["lms_id"] or values["email"] or values["login"] or name)
    return Student(key=key, **values)


@dataclass
class Roster:
    """The enrolled students, in the file's order, and indexes to find them."""

    students: list[Student] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._exact: dict[str, list[Student]] = {}
        self._names: dict[frozenset[str], list[Student]] = {}
        for student in self.students:
            for value in (student.key, student.student_id, student.lms_id, student.email, student.login,
                          student.participant, compact(f"{student.last_name}{student.first_name}"),
                          compact(f"{student.first_name}{student.last_name}"), compact(student.name)):
                if value:
                    self._exact.setdefault(folded(value), []).append(student)
            self._names.setdefault(name_tokens(student.name), []).append(student)

    def having(self, name: str, value: str) -> list[Student]:
        """The students whose field ``name`` (``participant``, ``lms_id``, ``student_id``...) is exactly ``value``."""
        return [s for s in self.students if value and folded(getattr(s, name)) == folded(value)]

    def candidates(self, label: str) -> list[Student]:
        """Every student a label may name (by identifier, ``lastfirst`` or name in any order), in roster order."""
        if not label:
            return []
        found = [*self._exact.get(folded(label), []), *self._exact.get(compact(label), []),
                 *self._names.get(name_tokens(label), [])]
        return list(dict.fromkeys(found))

    def find(self, *labels: str) -> Student | None:
        """The one student a label names (an ID, an e-mail, a login, a full name in any order, ``lastfirst``);
        None when no label names exactly one student."""
        for label in labels:
            if not label:
                continue
            for found in (self._exact.get(folded(label), []), self._exact.get(compact(label), []),
                          self._names.get(name_tokens(label), [])):
                unique = list(dict.fromkeys(found))
                if len(unique) == 1:
                    return unique[0]
        return None


def read_roster(path: Path) -> Roster:
    """The roster in ``path`` (see the module's formats); students without a name, number or e-mail are left out.

    Raises:
        RosterError: no column names a student, or two students share a batch identifier.
    """
    rows = csv_rows(path)
    header = set(rows[0]) if rows else set()
    if not header & {alias for name in ("student_id", "name", "first_name", "email", "lms_id") for alias in
                     COLUMNS[name]}:
        raise RosterError(f"{path}: no column names a student (expected e.g. student_id, name, email, "
                          "Moodle's 'ID number'/'Email address' or Canvas's 'Student'/'ID')")
    canvas = {"student", "sis user id"} <= header
    students = [s for s in (_student(row, header, canvas) for row in rows) if s is not None]
    keys: dict[str, Student] = {}
    for student in students:
        if student.key in keys:
            raise RosterError(f"{path}: two students share the identifier {student.key!r} "
                              f"({keys[student.key].name}, {student.name})")
        keys[student.key] = student
    return Roster(students)
