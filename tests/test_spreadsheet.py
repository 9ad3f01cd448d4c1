"""Exports are neutralised against CSV injection (OWASP): no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io

import pytest

from autograder.export.gradebook_csv import gradebook_csv
from autograder.export.spreadsheet import csv_text, neutralised
from autograder.results import Status, SubmissionResult
from autograder.results import TestResult as Outcome  # not collected as a test class

FORMULA = "=2+5+cmd|' /C calc'!A0"


@pytest.mark.parametrize(("cell", "written"), [
    (FORMULA, "'" + FORMULA),
    ("+1+1", "'+1+1"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("-", "'-"),
    ("-inf", "'-inf"),
    ("-1.5", "-1.5"),
    ("+2", "+2"),
    ("-2.5e-3", "-2.5e-3"),
    (-1.5, "-1.5"),
    ("alice", "alice"),
    ("a=1", "a=1"),
    ("", ""),
    (None, ""),
])
def test_a_cell_that_a_spreadsheet_reads_as_a_formula_is_quoted_numbers_are_kept(cell, written):
    assert neutralised(cell) == written


def test_csv_text_neutralises_every_cell_and_quotes_as_csv_does():
    text = csv_text([["name", "note"], [FORMULA, 'a "b", c'], ["-3", "@x"]])
    assert list(csv.reader(io.StringIO(text))) == [["name", "note"], ["'" + FORMULA, 'a "b", c'], ["-3", "'@x"]]


def test_gradebook_of_a_hostile_student_holds_no_formula():
    tests = [Outcome("split", "Découpage", "split", 2.0, -1.5, False, Status.FAILED, "=1+1")]
    result = SubmissionResult(f"/inbox/{FORMULA}.ipynb", "01_regression", FORMULA, tests,
                              ["@cmd|' /C calc'!A0", "-x"], duration_s=1.0)
    (row,) = csv.DictReader(io.StringIO(gradebook_csv([result])))
    assert row["student"] == "'" + FORMULA
    assert row["split"] == row["score"] == "-1.5"  # a number, even negative, stays a number
    assert row["notices"] == "'@cmd|' /C calc'!A0 | -x"
    formula_starts = tuple("=+-@\t\r")
    assert not [cell for cell in row.values() if cell.startswith(formula_starts) and cell != "-1.5"]
