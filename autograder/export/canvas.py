"""Canvas's gradebook import CSV ("Import" in the Gradebook), per assignment or per task.

Canvas imports the layout of its own gradebook export: the columns ``Student`` (``Last, First``), ``ID``
(Canvas's user ID), ``SIS User ID``, ``SIS Login ID``, ``Section``, then one column per assignment; its export
has a second row, ``Points Possible``, with each assignment's points (Canvas guides, e.g. Ohio State's
"Import a CSV file to Carmen grades": a student is found by Student Name, Student ID or SIS User ID, with SIS
Login ID and Section, then the Assignment Name columns). A column whose name is not an assignment of the
course creates one; name the kit's columns after the course's assignments (``TP1 (12345)``, Canvas's
export) or let Canvas create them. The roster should be Canvas's gradebook export, so that ``ID`` and
``SIS User ID`` are filled: a row without them matches no student.
"""

from __future__ import annotations

from autograder.export.lms_grades import Column, grade_table
from autograder.export.spreadsheet import csv_text
from autograder.results import SubmissionResult

#: Canvas's identity columns, in its order, and the roster field each comes from.
IDENTITY = (("Student", ""), ("ID", "lms_id"), ("SIS User ID", "student_id"), ("SIS Login ID", "login"),
            ("Section", "group"))
#: The first cell of Canvas's points row, as its export writes it.
POINTS_POSSIBLE = "    Points Possible"


def column_name(column: Column) -> str:
    return column.assignment if column.task is None else f"{column.assignment} — {column.task}"


def sortable_name(identity: dict[str, str], student: str) -> str:
    """``Last, First`` as Canvas shows students (the batch identifier when the roster gives no name)."""
    last, first = identity.get("last_name", ""), identity.get("first_name", "")
    if last and first:
        return f"{last}, {first}"
    return identity.get("name") or student


def canvas_csv(results: list[SubmissionResult], per_task: bool = False) -> tuple[str, list[str]]:
    """The import file and what the instructor should know (students Canvas cannot match)."""
    columns, rows, left_out = grade_table(results, per_task)
    header = [name for name, _ in IDENTITY] + [column_name(c) for c in columns]
    points = [POINTS_POSSIBLE] + [""] * (len(IDENTITY) - 1) + [f"{c.max_score:g}" for c in columns]
    lines = [header, points]
    for row in rows:
        cells = [sortable_name(row.identity, row.student) if not key else row.identity.get(key, "")
                 for _, key in IDENTITY]
        lines.append(cells + [f"{row.grades[c]:g}" if c in row.grades else "" for c in columns])
    return csv_text(lines), left_out
