"""The real nbgrader flow in a scratch course: generate_assignment, autograde submissions, export grades."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder.grading.assignments import available_assignments, load_assignment
from autograder.paths import KIT_ROOT
from autograder.release import generate_in_scratch, tool_environment
from tests.conftest import reference_notebook, student_notebook
from tests.submissions.build import example_modules, example_path


def _nbgrader(course, *args: str) -> None:
    env = {**tool_environment(), "DLKIT_QUICK": "1", "PYTHONPATH": str(KIT_ROOT)}
    completed = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                               capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]


def _autograded_points(assignment: str, failing: frozenset[str] = frozenset()) -> float:
    """Points nbgrader's autograded cells should give: manual (provisional) tasks count 0 until graded."""
    return sum(c.points for c in load_assignment(assignment).checks if not c.provisional and c.name not in failing)


def _notebook_points(assignment: str) -> float:
    """All points of the source notebook's graded cells, autograded and manual."""
    notebook = nbformat.read(reference_notebook(assignment), as_version=4)
    return sum(c.metadata["nbgrader"]["points"] for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade"))


@pytest.mark.parametrize("assignment", available_assignments())
def test_nbgrader_autogrades_and_exports_partial_credit(assignment, tmp_path):
    generate_in_scratch(assignment, tmp_path)
    students = {"alice": (reference_notebook(assignment), frozenset())}
    variants = [v for m in example_modules() if m.ASSIGNMENT == assignment for v in m.VARIANTS]
    if variants and assignment == "01_regression":  # partial credit through nbgrader, shown once
        students["bob"] = (example_path(assignment, variants[0]), variants[0].failing)
    for student, (source, _) in students.items():
        folder = tmp_path / "submitted" / student / assignment
        folder.mkdir(parents=True)
        shutil.copy(source, folder / f"{assignment}.ipynb")

    _nbgrader(tmp_path, "autograde", assignment, "--create", "--force")
    _nbgrader(tmp_path, "export", "--to", str(tmp_path / "grades.csv"))

    with open(tmp_path / "grades.csv", newline="") as stream:
        exported = {row["student_id"]: row for row in csv.DictReader(stream)}
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gradebook:
        for student, (_, failing) in students.items():
            assert float(exported[student]["score"]) == pytest.approx(_autograded_points(assignment, failing))
            assert float(exported[student]["max_score"]) == pytest.approx(_notebook_points(assignment))
            for task, points in load_assignment(assignment).task_points().items():
                checks = [c for c in load_assignment(assignment).checks if c.task == task]
                if all(c.provisional for c in checks):
                    continue
                grade = gradebook.find_grade(f"test_{task}", assignment, assignment, student)
                lost = sum(c.points for c in checks if c.name in failing)
                assert grade.auto_score == pytest.approx(points - lost), (student, task)
    assert os.path.exists(tmp_path / "autograded" / "alice" / assignment / f"{assignment}.ipynb")


#: Kernel-level tampering tried through the real ``nbgrader autograde`` on the untouched student notebook
#: (every function raises NotImplementedError: 0 points). Each is a cell put first in the notebook.
KERNEL_TAMPERING = {
    "patched_graded_task": '''
import autograder.notebook_api as api
api.GradedTask.run_public = lambda self: None
api.GradedTask.score = property(lambda self: 1000.0)
''',
    "float_display_formatter": '''
import re
_shell = get_ipython()
def _points_of_cell(value, printer, cycle):
    found = re.search(r"\\((\\d+(?:\\.\\d+)?) points?\\)", _shell.user_ns["In"][-1])
    printer.text(found.group(1) if found else repr(value))
_shell.display_formatter.formatters["text/plain"].for_type(float, _points_of_cell)
''',
    "patched_runner": '''
import autograder.grading.runner as runner
import autograder.pytest_plugin as plugin
from autograder.results import Status
plugin.outcome = lambda error, title: (Status.PASSED, "")
runner.run_graders = lambda assignment, context, extra=(): 0
''',
    "patched_numpy": '''
import numpy as np
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones_like(np.asarray(a), dtype=bool)
''',
    "fake_results_printed": '''
print("✔ Découpage 80/20 : formes et types des quatre tableaux : 1/1")
print('{"score": 23, "max_score": 23}')
import sys
sys.displayhook = lambda value: print(repr(3.0))
''',
}


def test_nbgrader_scores_cannot_be_forged_from_the_kernel(tmp_path):
    """Each tampered notebook gets exactly the points of the same notebook without the tampering cell."""
    assignment = "01_regression"
    generate_in_scratch(assignment, tmp_path)
    students = {"plain": None, **{name: source for name, source in KERNEL_TAMPERING.items()}}
    for student, source in students.items():
        notebook = nbformat.read(student_notebook(assignment), as_version=4)
        if source is not None:
            notebook.cells.insert(0, nbformat.v4.new_code_cell(source.strip("\n")))
        folder = tmp_path / "submitted" / student / assignment
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / f"{assignment}.ipynb")

    _nbgrader(tmp_path, "autograde", assignment, "--create", "--force")

    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gradebook:
        scores = {student: gradebook.find_submission(assignment, student).score for student in students}
        graded_cell = gradebook.find_grade("test_split", assignment, assignment, "float_display_formatter")
        assert graded_cell.auto_score == 0
    assert scores == dict.fromkeys(students, 0.0)
    feedback = nbformat.read(tmp_path / "autograded" / "patched_numpy" / assignment / f"{assignment}.ipynb",
                             as_version=4)
    split_cell = next(c for c in feedback.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_split")
    assert "NotImplementedError" in split_cell.outputs[0]["text"]
