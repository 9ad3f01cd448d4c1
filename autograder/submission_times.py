"""When each submission was handed in: nbgrader's ``timestamp.txt``, a times CSV, a roster column, or (only
when the course policy says so) a file's modification time.

A file's modification time is never trusted silently: a copy, an unzip or a sync changes it. It is used only
with ``file_times = true`` in the course policy, and every export then names it as the time's source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from autograder.roster import COLUMNS, csv_rows, folded

#: Column names that hold a submission time, in a times CSV or a roster (compared folded, as the header).
TIME_COLUMNS = tuple(folded(name) for name in (
    "submitted_at", "timestamp", "submission time", "heure de remise", "date de remise", "last modified (submission)",
    "dernière modification (remise)", "remis le", "date"))
#: Column names that say whose time it is (besides the roster's own).
WHO_COLUMNS = ("student", "etudiant", *COLUMNS["student_id"], *COLUMNS["email"], *COLUMNS["participant"],
               *COLUMNS["login"], "id")
SOURCES = {"nbgrader": "nbgrader timestamp.txt", "csv": "fichier des heures", "roster": "liste des inscrits",
           "mtime": "date du fichier (non vérifiée)", "ambiguous": "heure de remise ambiguë : à vérifier"}
#: What an export says of a time that several rows or students make ambiguous (none is applied).
AMBIGUOUS_TIME = SOURCES["ambiguous"]
#: The time source of an arrival whose nbgrader ``timestamp.txt`` cannot be read.
UNREADABLE_SOURCE = "illisible"
ENGLISH_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                  "october", "november", "december")
FRENCH_MONTHS = ("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre",
                 "novembre", "decembre")


class TimeError(ValueError):
    """A time that cannot be read."""


@dataclass(frozen=True)
class Handed:
    """When a submission was handed in, and how that is known.

    Attributes:
        at: the time (time-zone aware).
        source: one of :data:`SOURCES`' keys.
    """

    at: datetime
    source: str

    @property
    def source_label(self) -> str:
        return SOURCES.get(self.source, self.source)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise TimeError(f"unknown time zone {name!r}") from error


def _named_date(text: str) -> datetime | None:
    """Moodle's dates: ``Friday, 14 March 2025, 11:12 PM`` or ``vendredi 14 mars 2025, 23:12``."""
    match = re.search(r"(\d{1,2}) ([a-z]+) (\d{4}) (\d{1,2})[ h](\d{2}) ?(am|pm)?", folded(text))
    if not match:
        return None
    day, month, year, hour, minute, half = match.groups()
    months = ENGLISH_MONTHS if month in ENGLISH_MONTHS else FRENCH_MONTHS
    if month not in months:
        return None
    hour = int(hour) % 12 + (12 if half == "pm" else 0) if half else int(hour)
    return datetime(int(year), months.index(month) + 1, int(day), hour, int(minute))


def parse_time(text: str, default_zone: str = "UTC") -> datetime:
    """An aware time from ISO 8601 (``2025-03-14T23:12:00+01:00``; without offset: ``default_zone``),
    nbgrader's ``2025-03-14 22:12:00.123456 UTC`` (the zone a name or a numeric offset, as nbgrader's
    ``parse_utc`` reads it) or Moodle's written dates.

    Raises:
        TimeError: none of those forms.
    """
    text = text.strip()
    parts = text.split(" ")
    tz = None
    if len(parts) == 3 and not parts[2][:1].isdigit():  # "date time zone", a name or a numeric offset
        text, name = " ".join(parts[:2]), parts[2]
        if re.fullmatch(r"[+-]\d{4}", name):
            sign = 1 if name[0] == "+" else -1
            tz = timezone(sign * timedelta(hours=int(name[1:3]), minutes=int(name[3:])))
        else:
            tz = UTC if name.upper() in ("UTC", "Z", "GMT") else zone(name)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = _named_date(text)
        if moment is None:
            raise TimeError(f"unreadable time {text!r} (expected ISO 8601, e.g. 2025-03-14 23:12)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz or zone(default_zone))
    return moment


def nbgrader_timestamp(folder: Path, default_zone: str = "UTC") -> Handed | None:
    """The time in nbgrader's ``<folder>/timestamp.txt`` (UTC when it names no zone, as nbgrader writes it)."""
    path = folder / "timestamp.txt"
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return Handed(parse_time(text, default_zone), "nbgrader") if text else None


def file_time(path: Path) -> Handed | None:
    """A file's modification time (only where the course policy allows it)."""
    try:
        return Handed(datetime.fromtimestamp(path.stat().st_mtime, UTC), "mtime")
    except OSError:
        return None


def time_column(row: dict[str, str]) -> str | None:
    """The name of a row's submission-time column, if it has one."""
    return next((c for c in TIME_COLUMNS if c in row), None)


def read_times(path: Path, default_zone: str) -> list[tuple[dict[str, str], datetime | None]]:
    """A times CSV: per row, the row (its identifying columns say whose time it is) and the time (None: no
    submission, ``-``).

    Any CSV with a time column (:data:`TIME_COLUMNS`) and a column naming the student (:data:`WHO_COLUMNS`)
    works: Moodle's grading worksheet (``Identifier``, ``Full name``, ``Email address``, ``Last modified
    (submission)``) as it comes.

    Raises:
        TimeError: no time column, or a time that cannot be read (with its line).
    """
    rows = csv_rows(path)
    column = time_column(rows[0]) if rows else None
    if column is None:
        raise TimeError(f"{path}: no submission time column (expected one of: {', '.join(TIME_COLUMNS[:4])}, ...)")
    times = []
    for line, row in enumerate(rows, start=2):
        value = row[column].strip()
        if value in ("", "-", "—"):
            times.append((row, None))
            continue
        try:
            times.append((row, parse_time(value, default_zone)))
        except TimeError as error:
            raise TimeError(f"{path}:{line}: {error}") from None
    return times
