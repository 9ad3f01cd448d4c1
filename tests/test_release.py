"""Student notebooks are generated from the sources, carry the graders' points and leak nothing."""

from __future__ import annotations

import nbformat
import pytest

from autograder.grading.assignments import available_assignments, load_assignment
from autograder.release import generate_in_scratch, secret_lines
from tests.conftest import reference_notebook, student_notebook

ASSIGNMENTS = available_assignments()


def _strip_volatile(notebook: nbformat.NotebookNode) -> list[tuple[str, str, dict]]:
    return [(c.cell_type, c.source, dict(c.metadata.get("nbgrader", {}))) for c in notebook.cells]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_notebook_is_in_sync_with_its_source(assignment, tmp_path):
    release = generate_in_scratch(assignment, tmp_path) / f"{assignment}.ipynb"
    fresh = nbformat.read(release, as_version=4)
    committed = nbformat.read(student_notebook(assignment), as_version=4)
    assert _strip_volatile(committed) == _strip_volatile(fresh), (
        f"run: nbgrader generate_assignment {assignment} --force"
    )


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_notebook_leaks_no_solution_nor_hidden_test(assignment):
    text = student_notebook(assignment).read_text(encoding="utf-8")
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "run_hidden", "MARK SCHEME"):
        assert marker not in text
    leaked = {line for line in secret_lines(reference_notebook(assignment)) if line in text}
    assert leaked == set()


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_public_graders_hold_no_hidden_check(assignment):
    public = load_assignment(assignment, include_hidden=False)
    assert public.checks and not any(c.hidden for c in public.checks)
    hidden_names = {c.name for c in load_assignment(assignment).checks if c.hidden}
    assert hidden_names, "every assignment keeps some checks hidden"
    assert not hidden_names & {c.name for c in public.checks}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_nbgrader_points_equal_grader_points(assignment):
    """A task's autograded cell ``test_<task>`` (or, for provisional tasks, its manual cell ``<task>``)
    carries the points of the task's checks."""
    notebook = nbformat.read(reference_notebook(assignment), as_version=4)
    cells = {
        c.metadata["nbgrader"]["grade_id"]: (c.cell_type, c.metadata["nbgrader"]["points"])
        for c in notebook.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    }
    spec = load_assignment(assignment)
    for task, points in spec.task_points().items():
        provisional = all(c.provisional for c in spec.checks if c.task == task)
        grade_id = task if provisional else f"test_{task}"
        assert cells.get(grade_id, (None, None))[1] == points, f"{grade_id}: {cells.get(grade_id)} != {points}"
        if not provisional:
            assert cells[grade_id][0] == "code"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_notebook_declares_its_assignment(assignment):
    for path in (reference_notebook(assignment), student_notebook(assignment)):
        assert nbformat.read(path, as_version=4).metadata["dlkit"]["assignment"] == assignment
