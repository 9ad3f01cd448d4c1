"""The terminal score table: one table per assignment, each with its own task columns."""

from __future__ import annotations

from autograder.report import format_table
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
