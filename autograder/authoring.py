"""Helpers to author nbgrader source notebooks in Python (cells with the right nbgrader metadata).

Example::

    cells = [md("# Titre"), solution("split_data", "def split_data(...): ..."),
             tests("01_regression", "split", 3, "découpage")]
    nbformat.write(notebook("01_regression", cells), "solutions/01_regression/01_regression.ipynb")
"""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

SCHEMA = 3


def _meta(grade_id: str, grade: bool, solution: bool, locked: bool, points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def md(text: str) -> nbformat.NotebookNode:
    """A plain markdown cell."""
    return new_markdown_cell(text.strip("\n"))


def code(text: str) -> nbformat.NotebookNode:
    """A plain code cell (exploration, experiments): never run by ``autograder grade``."""
    return new_code_cell(text.strip("\n"))


def readonly(grade_id: str, text: str) -> nbformat.NotebookNode:
    """A locked code cell (imports, given helpers)."""
    cell = code(text)
    cell.metadata["nbgrader"] = _meta(grade_id, grade=False, solution=False, locked=True)
    return cell


def solution(grade_id: str, text: str) -> nbformat.NotebookNode:
    """A cell the student completes; ``### BEGIN/END SOLUTION`` regions become stubs."""
    cell = code(text)
    cell.metadata["nbgrader"] = _meta(grade_id, grade=False, solution=True, locked=False)
    return cell


def tests(assignment: str, task: str, points: float, title: str) -> nbformat.NotebookNode:
    """The autograded cell of one task: public checks, then hidden ones; its value is the score."""
    plural = "s" if points > 1 else ""
    source = (
        f"# Tests automatiques : {title} ({points:g} point{plural})\n"
        "from autograder.notebook_api import GradedTask\n\n"
        f'tache = GradedTask("{assignment}", "{task}", globals())\n'
        "tache.run_public()\n"
        "### BEGIN HIDDEN TESTS\n"
        "tache.run_hidden()\n"
        "### END HIDDEN TESTS\n"
        "tache.score"
    )
    cell = code(source)
    cell.metadata["nbgrader"] = _meta(f"test_{task}", grade=True, solution=False, locked=True, points=points)
    return cell


def manual(grade_id: str, points: float, text: str) -> nbformat.NotebookNode:
    """A manually graded markdown answer; put the mark scheme inside ``### BEGIN/END SOLUTION``."""
    cell = md(text)
    cell.metadata["nbgrader"] = _meta(grade_id, grade=True, solution=True, locked=False, points=points)
    return cell


def notebook(assignment: str, cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    """A notebook that records its assignment in ``metadata.dlkit.assignment``."""
    result = new_notebook(cells=cells)
    result.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    result.metadata["language_info"] = {"name": "python"}
    result.metadata["dlkit"] = {"assignment": assignment}
    return result
