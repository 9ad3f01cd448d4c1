"""Moodle's grade import CSV ("Import grades: CSV file"), per assignment or per task.

Moodle's documentation ("Grade import", docs.moodle.org/311/en/Grade_import) says the import file format is the
same as the corresponding export format, and that the import maps a column to the users by "Id Number"
(``useridnumber``) or "Email Address" (``useremail``). Moodle's plain-text export
(``grade/export/txt/grade_export_txt.php``) writes the user profile fields by their names — ``First name``,
``Last name``, ``ID number``, ``Institution``, ``Department``, ``Email address`` — then one column per grade item
(``<item> (Real)``) and, with feedback, ``<item> (Feedback)``. This file has those columns (Institution and
Department empty: the kit does not know them), then per assignment ``<assignment> (Real)`` and
``<assignment> (Feedback)`` (per task: ``<assignment> — <task> (Real)``); on import, map ``ID number`` (or
``Email address``) to the users and each grade column to its grade item.
"""

from __future__ import annotations

from autograder.export.lms_grades import Column, grade_table
from autograder.export.spreadsheet import csv_text
from autograder.results import SubmissionResult

#: The profile columns of Moodle's plain-text export, in its order, and the roster field each comes from.
PROFILE = (("First name", "first_name"), ("Last name", "last_name"), ("ID number", "student_id"),
           ("Institution", ""), ("Department", ""), ("Email address", "email"))


def column_name(column: Column) -> str:
    return f"{column.assignment} (Real)" if column.task is None else f"{column.assignment} — {column.task} (Real)"


def moodle_csv(results: list[SubmissionResult], per_task: bool = False) -> tuple[str, list[str]]:
    """The import file and what the instructor should know (students Moodle cannot match)."""
    columns, rows, left_out = grade_table(results, per_task)
    assignments = list(dict.fromkeys(c.assignment for c in columns))
    header = [name for name, _ in PROFILE]
    for assignment in assignments:
        header += [column_name(c) for c in columns if c.assignment == assignment]
        header.append(f"{assignment} (Feedback)")
    lines = [header]
    for row in rows:
        name = row.identity.get("name", "") or row.student
        first = row.identity.get("first_name") or (name if not row.identity.get("last_name") else "")
        cells = [first if key == "first_name" else row.identity.get(key, "") if key else "" for _, key in PROFILE]
        for assignment in assignments:
            cells += [f"{row.grades[c]:g}" if c in row.grades else "" for c in columns if c.assignment == assignment]
            cells.append(row.feedback.get(assignment, ""))
        lines.append(cells)
    return csv_text(lines), left_out
