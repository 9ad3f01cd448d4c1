"""What each student handed in, from an LMS's "download all submissions" layout.

* Moodle (assignment, "Download all submissions"): a folder per submission named
  ``Full Name_1234567_assignsubmission_file_`` (1234567: Moodle's participant identifier; Moodle writes the
  name with spaces for underscores), the student's files inside; without "download submissions in folders",
  flat files ``Full Name_1234567_assignsubmission_file_original name.ipynb``. Online text comes as
  ``..._assignsubmission_onlinetext_`` entries. Blind marking names every student ``Participant``.
* Canvas (assignment, "Download Submissions"): flat files ``lastfirst_12345_67890_original name.ipynb``
  (``lastfirst``: the student's sortable name, lower case, letters only; 12345: Canvas's user ID, the
  gradebook's ``ID``; 67890: the file's ID), ``lastfirst_LATE_12345_67890_...`` when Canvas counted it late
  (``_late_`` in lower case is read the same way, in case a download writes it so: that form is unverified
  against a real Canvas download).

:func:`deliveries` groups a folder's entries by student; a folder in neither layout gives None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MOODLE = re.compile(r"^(?P<name>[^_]+)_(?P<id>\d+)_assign(?:submission|feedback)_(?P<plugin>[a-z]+)_(?P<rest>.*)$")
CANVAS = re.compile(r"^(?P<name>[a-z0-9-]+?)(?P<late>_(?:LATE|late))?_(?P<id>\d+)_(?P<file>\d+)_(?P<rest>.+)$")
#: Files an LMS or an operating system adds that no student sent.
IGNORED = re.compile(r"^(\.|__MACOSX$|Thumbs\.db$|desktop\.ini$)")


@dataclass(frozen=True)
class Delivery:
    """One student's submission as the LMS laid it out.

    Attributes:
        label: the name the LMS gives the student (Moodle's full name, Canvas's ``lastfirst``).
        lms_id: Moodle's participant identifier or Canvas's user ID.
        files: the student's files (folders included as their files).
        layout: ``moodle`` or ``canvas``.
        late: the LMS marked the submission late (Canvas's ``_LATE_``); it gives no time.
    """

    label: str
    lms_id: str
    files: tuple[Path, ...]
    layout: str
    late: bool = False


def _entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not IGNORED.match(p.name))


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and not any(IGNORED.match(x) for x in p.parts))
    return [path]


def layout_of(folder: Path) -> str | None:
    """``moodle`` or ``canvas`` when most of the folder's entries follow that LMS's naming, else None."""
    entries = _entries(folder)
    if not entries:
        return None
    for name, pattern in (("moodle", MOODLE), ("canvas", CANVAS)):
        matched = sum(bool(pattern.match(p.name)) for p in entries)
        if matched and matched * 2 >= len(entries):
            return name
    return None


def deliveries(folder: Path) -> tuple[list[Delivery], list[Path]] | None:
    """The folder's deliveries, one per student, and the entries no student can be told from; None when the
    folder is in no known layout."""
    layout = layout_of(folder)
    if layout is None:
        return None
    pattern = MOODLE if layout == "moodle" else CANVAS
    grouped: dict[tuple[str, str], list[Path]] = {}
    late: set[tuple[str, str]] = set()
    strays = []
    for entry in _entries(folder):
        match = pattern.match(entry.name)
        if not match:
            strays.append(entry)
            continue
        who = (match["name"], match["id"])
        grouped.setdefault(who, []).extend(_files(entry))
        if layout == "canvas" and match["late"]:
            late.add(who)
    found = [Delivery(name, lms_id, tuple(files), layout, (name, lms_id) in late)
             for (name, lms_id), files in grouped.items()]
    return found, strays


def original_name(path: Path, layout: str) -> str:
    """A file's name as the student sent it (without the LMS's prefix)."""
    pattern = MOODLE if layout == "moodle" else CANVAS
    match = pattern.match(path.name)
    return match["rest"] if match and match["rest"] else path.name
