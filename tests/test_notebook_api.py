"""A notebook's graded cell runs the task's public tests on the kernel's own definitions."""

from __future__ import annotations

import pytest

from autograder.grading.notebook import definitions, read_notebook
from autograder.notebook_api import HIDDEN_NOTE, GradedTask, PublicTestsFailed
from autograder.results import Status
from tests.conftest import reference_notebook, student_notebook


def _namespace(path) -> dict:
    """What a kernel holds after running the notebook's definitions."""
    namespace: dict = {}
    for cell in definitions(read_notebook(path)):
        exec(compile(cell.source, f"<cellule {cell.index + 1}>", "exec"), namespace)
    return namespace


def test_graded_cell_gives_public_feedback(capsys):
    task = GradedTask("01_regression", "metrics", _namespace(reference_notebook("01_regression")))
    task.run_public()
    task.run_hidden()
    printed = capsys.readouterr().out
    assert task.score == 2
    assert [r.name for r in task.results] == ["metrics_mse", "metrics_rmse"]
    assert "✔ Métrique rmse comparée à numpy : 1/1" in printed
    assert HIDDEN_NOTE in printed and "mae" not in printed


def test_graded_cell_on_the_untouched_notebook_says_what_to_do(capsys):
    task = GradedTask("01_regression", "split", _namespace(student_notebook("01_regression")))
    with pytest.raises(PublicTestsFailed, match=r"1 test\(s\) public\(s\) sur 1 non réussi\(s\) \(0 point\(s\)\) :\n"
                                                r"- Découpage 80/20"):
        task.run_public()
    assert task.score == 0
    (result,) = task.results
    assert result.status is Status.ERROR
    assert "NotImplementedError" in result.message and "NotImplementedError" in capsys.readouterr().out
