"""The terminal score table: one table per assignment, each with its own task columns; provisional points labelled."""

from __future__ import annotations

from autograder.report import format_submission, format_table
from autograder.results import Status, SubmissionResult
from autograder.results import TestResult as Outcome  # not collected by pytest


def _result(assignment: str, student: str, scores: dict[str, tuple[float, float]]) -> SubmissionResult:
    tests = [Outcome(f"{task}_check", task, task, max_score, score, False,
                     Status.PASSED if score == max_score else Status.FAILED)
             for task, (score, max_score) in scores.items()]
    return SubmissionResult(f"{student}.ipynb", assignment, student, tests, duration_s=1.5)


def test_each_assignment_gets_its_own_columns():
    table = format_table([
        _result("01_regression", "alice", {"split": (2, 2), "model": (1, 3)}),
        _result("02_mnist_cnn", "bob", {"data": (0, 4), "train": (2.5, 3)}),
        _result("01_regression", "carol", {"split": (0, 2), "model": (3, 3)}),
        SubmissionResult("broken.ipynb", "02_mnist_cnn", "dave", notices=["JSON invalide"]),
    ])
    first, second = table.split("\n\n")
    assert first.splitlines()[0] == "== 01_regression"
    assert first.splitlines()[1].split() == ["submission", "split", "model", "total", "time"]
    assert [line.split() for line in first.splitlines()[3:]] == [
        ["alice", "2/2", "1/3", "3/5", "1.5s"], ["carol", "0/2", "3/3", "3/5", "1.5s"]]
    assert second.splitlines()[1].split() == ["submission", "data", "train", "total", "time"]
    assert [line.split() for line in second.splitlines()[3:]] == [
        ["bob", "0/4", "2.5/3", "2.5/7", "1.5s"], ["dave", "-", "-", "0/0", "0.0s"]]


def test_no_submission_says_so():
    assert format_table([]) == "(aucune soumission)"


def test_provisional_points_are_labelled_wherever_they_are_counted():
    """Automatic estimates of hand-graded criteria count in the total until an instructor overrides them: the
    submission's total and the table's columns say so (each check's title does, tests/test_provisional_estimates.py),
    and an overridden check says who set it."""
    tests = [Outcome("model_check", "Modèle", "model", 3, 3, False, Status.PASSED),
             Outcome("report_sections", "Rapport (estimation provisoire)", "report", 1, 1, False, Status.PASSED,
                     graded_by="provisional"),
             Outcome("report_content", "Contenu", "report", 1, 0.5, False, Status.FAILED, graded_by="instructor",
                     auto_score=0.0)]
    result = SubmissionResult("alice.ipynb", "09_mini_project", "alice", tests, duration_s=1.5)
    assert result.provisional_score() == (1, 1)
    lines = format_submission(result).splitlines()
    assert lines[0] == "alice — 09_mini_project — 4.5/5 (1.5 s)"
    assert lines[1].startswith("  dont 1/1 points provisoires (estimations automatiques")
    assert "Rapport (estimation provisoire) : 1/1" in lines[3] and "Contenu [fixé par l'enseignant] : 0.5/1" in lines[4]
    assert "[" not in lines[2]
    table = format_table([result, _result("09_mini_project", "bob", {"model": (1, 3)})]).splitlines()
    assert table[1].split() == ["submission", "model", "report*", "total", "time"]
    assert table[-1].startswith("* points provisoires, comptés dans le total")
    assert "*" not in format_table([_result("01_regression", "carol", {"split": (2, 2)})])
