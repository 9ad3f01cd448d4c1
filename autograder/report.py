"""Readable summaries of results for the terminal, in French for students."""

from __future__ import annotations

from autograder.results import Status, SubmissionResult, TestResult

SYMBOLS = {Status.PASSED: "✔", Status.FAILED: "✘", Status.ERROR: "✘", Status.TIMEOUT: "⏱", Status.CRASHED: "☠"}


def format_test(test: TestResult) -> str:
    """One line (plus indented feedback) for a test."""
    kind = " [caché]" if test.hidden else ""
    line = f"{SYMBOLS[test.status]} {test.title}{kind} : {test.score:g}/{test.max_score:g}"
    if test.message and not test.passed:
        line += "\n    " + test.message.replace("\n", "\n    ")
    return line


def format_submission(result: SubmissionResult) -> str:
    """A readable report of one submission: every test, then the total per task."""
    lines = [f"{result.student} — {result.assignment} — {result.score:g}/{result.max_score:g} "
             f"({result.duration_s:.1f} s)"]
    lines += [f"  ! {notice}" for notice in result.notices]
    lines += ["  " + format_test(test).replace("\n", "\n  ") for test in result.tests]
    return "\n".join(lines)


def format_table(results: list[SubmissionResult]) -> str:
    """A score table of many submissions, one row each, with per-task scores."""
    if not results:
        return "(aucune soumission)"
    tasks = list(results[0].task_scores())
    width = max(len(r.student) for r in results)
    header = f"{'submission':<{width}}  " + "  ".join(f"{t:>8}" for t in tasks) + "     total    time"
    rows = [header, "-" * len(header)]
    for result in results:
        per_task = result.task_scores()
        cells = "  ".join(f"{per_task.get(t, (0, 0))[0]:>4g}/{per_task.get(t, (0, 0))[1]:<3g}" for t in tasks)
        rows.append(f"{result.student:<{width}}  {cells}  {result.score:>5g}/{result.max_score:<4g}"
                    f"{result.duration_s:>6.1f}s")
    return "\n".join(rows)
