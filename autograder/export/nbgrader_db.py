"""Write autograder scores into nbgrader's gradebook, for submissions collected by nbgrader.

Each task's autograded cell is ``test_<task>``; its ``auto_score`` becomes the task's score,
so formgrader and ``nbgrader export`` show the same grades as ``autograder grade``; a late penalty of the
course policy is the notebook's ``late_submission_penalty`` (points), where nbgrader's own late-penalty step
puts it (:mod:`autograder.nbgrader_late` computes the same one inside nbgrader). nbgrader is
imported when grades are written: the students' package has the CLI without nbgrader.
"""

from __future__ import annotations

from autograder.results import SubmissionResult


def write_nbgrader_grades(db_url: str, results: list[SubmissionResult]) -> int:
    """Record each result's task scores; return how many grades were written.

    The assignment must exist in the gradebook (``nbgrader generate_assignment``); students
    and submissions are created when missing.
    """
    from nbgrader.api import Gradebook, MissingEntry

    written = 0
    with Gradebook(db_url) as gradebook:
        for result in results:
            gradebook.update_or_create_student(result.student)
            notebook = result.assignment
            try:
                gradebook.find_submission(result.assignment, result.student)
            except MissingEntry:
                gradebook.add_submission(result.assignment, result.student)
            for task, (score, _) in result.task_scores().items():
                try:
                    grade = gradebook.find_grade(f"test_{task}", notebook, result.assignment, result.student)
                except MissingEntry:
                    continue  # provisional tasks are graded by hand in formgrader
                grade.auto_score = score
                written += 1
            if result.late is not None:  # as nbgrader's AssignLatePenalties step records it (points off)
                notebook_entry = gradebook.find_submission_notebook(notebook, result.assignment, result.student)
                notebook_entry.late_submission_penalty = result.late.points or None
            gradebook.db.commit()
    return written
