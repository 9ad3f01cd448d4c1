"""``<out>/item-analysis.csv``: every check's item analysis (:mod:`autograder.class_report.items`), one row per
check of each assignment, every cell CSV-safe (:func:`autograder.export.spreadsheet.csv_text`).

Empty cells are figures that do not exist (nothing attempted, no discrimination, no failing measure). No
hidden check's limit is written: only the failing measures' median distance to it, as a share of it.
"""

from __future__ import annotations

from autograder.class_report.items import ItemStats
from autograder.export.spreadsheet import csv_text

COLUMNS = ("assignment", "check", "title", "task", "hidden", "max_score", "submissions", "unreadable", "untouched",
           "not_attempted", "grader_errors", "attempted", "passed", "pass_rate", "discrimination",
           "measured_failures", "median_gap")


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:g}" if isinstance(value, float) else value


def item_analysis_csv(items: dict[str, list[ItemStats]]) -> str:
    """The CSV text of ``{assignment: its checks' item analysis}``."""
    rows: list[list[object]] = [list(COLUMNS)]
    for assignment, found in items.items():
        for item in found:
            rows.append([assignment, *(_cell(getattr(item, column if column != "check" else "name"))
                                       for column in COLUMNS[1:])])
    return csv_text(rows)
