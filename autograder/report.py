"""Readable summaries of results for the terminal, in French for students."""

from __future__ import annotations

from autograder.results import Status, SubmissionResult, TestResult

SYMBOLS = {Status.PASSED: "✔", Status.FAILED: "✘", Status.ERROR: "✘", Status.TIMEOUT: "⏱", Status.CRASHED: "☠",
           Status.GRADER_ERROR: "⚠"}


#: Told wherever provisional points are counted: the terminal, every export (README, "Provisional estimates").
PROVISIONAL = "estimations automatiques de critères notés à la main, à confirmer par l'enseignant"
#: The note under a table whose starred columns count provisional points.
PROVISIONAL_STAR = f"* points provisoires, comptés dans le total : {PROVISIONAL}"


def provisional_part(score: float, at_stake: float) -> str:
    """What part of a total is provisional (``score`` of ``at_stake`` points), in French; "" when none is."""
    return f"dont {score:g}/{at_stake:g} points provisoires ({PROVISIONAL})" if at_stake else ""


def late_part(result: SubmissionResult) -> str:
    """The late penalty's line, in French (``remis avec 2 h 10 de retard : −10 % (−0.4 point) ; note après
    pénalité : 3.6/4``); "" when the submission was on time or no deadline applies."""
    late = result.late
    if late is None:
        return ""
    if not late.points:
        return late.note
    return (f"{late.note} (−{late.points:g} point{'s' if late.points > 1 else ''}) ; note après pénalité : "
            f"{result.final_score:g}/{result.max_score:g}")


def format_test(test: TestResult) -> str:
    """One line (plus indented feedback) for a test; a score set by the instructor says so (a provisional check's
    title says it is an estimate)."""
    kind = " [caché]" if test.hidden else ""
    kind += " [fixé par l'enseignant]" if test.graded_by == "instructor" else ""
    line = f"{SYMBOLS[test.status]} {test.title}{kind} : {test.score:g}/{test.max_score:g}"
    if test.message and not test.passed:
        line += "\n    " + test.message.replace("\n", "\n    ")
    return line


def format_submission(result: SubmissionResult) -> str:
    """A readable report of one submission: every test, then the total per task."""
    lines = [f"{result.student} — {result.assignment} — {result.score:g}/{result.max_score:g} "
             f"({result.duration_s:.1f} s)"]
    if provisional := provisional_part(*result.provisional_score()):
        lines.append(f"  {provisional}")
    if late_line := late_part(result):
        lines.append(f"  {late_line}")
    lines += [f"  ! {notice}" for notice in result.notices]
    lines += ["  " + format_test(test).replace("\n", "\n  ") for test in result.tests]
    return "\n".join(lines)


def format_table(results: list[SubmissionResult]) -> str:
    """Score tables of many submissions: one table per assignment, one row per submission, per-task scores.

    Each assignment's columns are the tasks its results report, in the order they first appear
    (a submission that could not be graded at all has no task and shows its total only).
    """
    if not results:
        return "(aucune soumission)"
    by_assignment: dict[str, list[SubmissionResult]] = {}
    for result in results:
        by_assignment.setdefault(result.assignment, []).append(result)
    return "\n\n".join(_assignment_table(name, group) for name, group in by_assignment.items())


def _assignment_table(assignment: str, results: list[SubmissionResult]) -> str:
    """One assignment's table; a task with provisional points is starred, and a last line says what that means."""
    tasks = list(dict.fromkeys(task for result in results for task in result.task_scores()))
    provisional = {test.task for result in results for test in result.tests if test.graded_by == "provisional"}
    labels = [f"{task}*" if task in provisional else task for task in tasks]
    width = max(len(r.student) for r in results)
    columns = [max(len(t), 9) for t in labels]
    header = f"{'submission':<{width}}  " + "  ".join(f"{t:>{w}}" for t, w in zip(labels, columns, strict=True))
    header += "       total     time"
    rows = [f"== {assignment or '?'}", header, "-" * len(header)]
    for result in results:
        per_task = result.task_scores()
        cells = "  ".join(f"{_fraction(*per_task[t]) if t in per_task else '-':>{w}}"
                          for t, w in zip(tasks, columns, strict=True))
        rows.append(f"{result.student:<{width}}  {cells}  {_fraction(result.score, result.max_score):>10}"
                    f"{result.duration_s:>8.1f}s")
    if provisional:
        rows.append(PROVISIONAL_STAR)
    return "\n".join(rows)


def _fraction(score: float, max_score: float) -> str:
    return f"{score:g}/{max_score:g}"
