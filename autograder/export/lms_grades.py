"""The grades an LMS imports: one row per student, one column per assignment (or per task), final points.

Shared by :mod:`autograder.export.moodle` and :mod:`autograder.export.canvas`. A grade is the score after the
late penalty (:attr:`SubmissionResult.final_score`; a task's points are its checks' minus the same percentage);
a student with no submission or no notebook gets 0, and the feedback says why. One row per roster student (or per
delivery attributed to none): distinct deliveries are never merged. Where a row has several results of one
assignment, or its student is :data:`~autograder.roster.UNATTRIBUTED` (several deliveries may be theirs), the row is
marked and gets no grade for it (the instructor decides), and :func:`grade_table` says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from autograder.report import late_part
from autograder.results import SubmissionResult
from autograder.roster import UNATTRIBUTED

#: The feedback of a row left without a grade (several results, or a delivery to attribute).
TO_CHECK = "À VÉRIFIER : plusieurs remises pour cet étudiant, aucune note exportée ; l'enseignant doit trancher."


@dataclass(frozen=True)
class Column:
    """One grade column: an assignment's total (``task`` None) or one of its tasks, and its points at stake."""

    assignment: str
    task: str | None
    max_score: float


@dataclass
class StudentGrades:
    """One student's row: their roster columns, grade per column and a French feedback line per assignment."""

    identity: dict[str, str]
    student: str
    grades: dict[Column, float] = field(default_factory=dict)
    feedback: dict[str, str] = field(default_factory=dict)


def _task_points(result: SubmissionResult, task: str) -> float:
    score = result.task_scores().get(task, (0.0, 0.0))[0]
    percent = result.late.percent if result.late else 0.0
    return round(score * (1 - percent / 100), 4)


def _feedback(result: SubmissionResult) -> str:
    parts = [late_part(result), *(n for n in result.notices if not result.tests or n.startswith("Aucun"))]
    return " ".join(p for p in parts if p)


def grade_table(results: list[SubmissionResult], per_task: bool) -> tuple[list[Column], list[StudentGrades],
                                                                          list[str]]:
    """The columns, the rows (in the results' order, one per student) and what was left out (English)."""
    columns: list[Column] = []
    rows: dict[str, StudentGrades] = {}
    held: set[tuple[str, str]] = set()  # (row, assignment) left without a grade
    left_out = []
    for result in results:
        key = result.identity.get("student_id") or result.identity.get("email") or result.student
        row = rows.setdefault(key, StudentGrades(result.identity, result.student))
        wanted = ([Column(result.assignment, task, m) for task, (_, m) in result.task_scores().items()] if per_task
                  else [Column(result.assignment, None, result.max_score)])
        known = []
        for column in wanted:
            found = next((c for c in columns if (c.assignment, c.task) == (column.assignment, column.task)), None)
            if found is None:
                columns.append(column)
                found = column
            known.append((found, column))
        if (key, result.assignment) in held:
            continue
        unattributed = next((n for n in result.notices if n.startswith(UNATTRIBUTED)), None)
        if unattributed or result.assignment in row.feedback:
            held.add((key, result.assignment))
            row.grades = {c: v for c, v in row.grades.items() if c.assignment != result.assignment}
            row.feedback[result.assignment] = unattributed or TO_CHECK
            left_out.append(f"{row.student}: several deliveries of {result.assignment} may be this student's; the "
                            "row is marked and no grade is exported for it (the instructor decides)")
            continue
        for found, column in known:
            row.grades[found] = (_task_points(result, column.task) if column.task is not None
                                 else result.final_score)
        row.feedback[result.assignment] = _feedback(result)
    missing = [row.student for row in rows.values() if not row.identity]
    if missing:
        left_out.append(f"no roster columns for {', '.join(missing)} (the LMS cannot match them)")
    return columns, list(rows.values()), left_out
