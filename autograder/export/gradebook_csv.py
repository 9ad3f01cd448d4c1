"""A CSV gradebook: one row per submission, one column per task, then the total."""

from __future__ import annotations

from autograder.export.spreadsheet import csv_text
from autograder.results import SubmissionResult

#: The roster's columns gradebook.csv carries after ``student`` when a roster was given.
IDENTITY = ("student_id", "name", "email", "group")


def gradebook_csv(results: list[SubmissionResult]) -> str:
    """Columns: student, the roster's (:data:`IDENTITY`, when any result has them), assignment, one per task
    (``task``), score, max_score, provisional, provisional_tasks, by_hand, duration_s, notices, then the late
    policy's: submitted_at, late (the French line), late_penalty (points off), final_score (score - late_penalty).

    ``score`` stays the raw score: a late penalty is its own column.

    ``provisional`` is how many points of ``score`` are provisional (automatic estimates of criteria graded by
    hand), empty when none is; ``provisional_tasks`` names the task columns that count them. Cells a spreadsheet
    would run as formulas (a student named ``=HYPERLINK(...)``) are neutralised.
    """
    tasks: list[str] = []
    for result in results:
        tasks += [task for task in result.task_scores() if task not in tasks]
    identity = list(IDENTITY) if any(result.identity for result in results) else []
    rows = [["student", *identity, "assignment", *tasks, "score", "max_score", "provisional", "provisional_tasks",
             "by_hand", "duration_s", "notices", "submitted_at", "late", "late_penalty", "final_score"]]
    for result in results:
        per_task = result.task_scores()
        provisional, at_stake = result.provisional_score()
        by_hand = ";".join(t.name for t in result.tests if t.graded_by == "instructor")
        late = result.late
        rows.append([
            result.student, *(result.identity.get(column, "") for column in identity), result.assignment,
            *(f"{per_task[t][0]:g}" if t in per_task else "" for t in tasks),
            f"{result.score:g}", f"{result.max_score:g}", f"{provisional:g}" if at_stake else "",
            ";".join(t for t in per_task if result.provisional_score(t)[1]), by_hand, f"{result.duration_s:.1f}",
            " | ".join(result.notices), late.submitted_at if late else "", late.note if late else "",
            f"{late.points:g}" if late else "", f"{result.final_score:g}",
        ])
    return csv_text(rows)
