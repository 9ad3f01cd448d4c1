"""Example submissions derived from an assignment's notebooks, each with its exact expected outcome.

A :class:`Variant` starts from the reference solution (``solutions/``) or the student
notebook (``assignments/``), replaces some cells (found by their nbgrader ``grade_id``), and
lists the checks a careful instructor expects to fail. ``python -m tests.submissions.build``
writes them under ``tests/submissions/<assignment>/``; the kit's tests grade them and compare.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.paths import ASSIGNMENTS_DIR, SOLUTIONS_DIR


@dataclass(frozen=True)
class Variant:
    """One example submission.

    Attributes:
        name: file stem, e.g. ``wrong_scaler_fit_on_all``.
        description: the mistake, in English, for the instructor.
        failing: checks expected to fail; every other check must pass.
        replace: ``{grade_id: new cell source}``.
        base: ``solution`` (reference notebook) or ``release`` (untouched student notebook).
        edit: optional change of the notebook's structure (delete, duplicate cells, metadata).
        transform: optional last step on the file's text, for broken files.
        messages: ``{check: text}`` that the check's feedback must contain.
        notices: texts that the submission's notices must contain.
    """

    name: str
    description: str
    failing: frozenset[str]
    replace: dict[str, str] = field(default_factory=dict)
    base: str = "solution"
    edit: Callable[[nbformat.NotebookNode], None] | None = None
    transform: Callable[[str], str] | None = None
    messages: dict[str, str] = field(default_factory=dict)
    notices: tuple[str, ...] = ()


def base_notebook(assignment: str, base: str) -> Path:
    folder = SOLUTIONS_DIR if base == "solution" else ASSIGNMENTS_DIR
    return folder / assignment / f"{assignment}.ipynb"


def render(assignment: str, variant: Variant) -> str:
    """The variant's notebook file content."""
    notebook = nbformat.read(base_notebook(assignment, variant.base), as_version=4)
    notebook = copy.deepcopy(notebook)
    found = set()
    for cell in notebook.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in variant.replace:
            cell.source = variant.replace[grade_id].strip("\n")
            found.add(grade_id)
    missing = set(variant.replace) - found
    if missing:
        raise KeyError(f"{variant.name}: no cell with grade_id {sorted(missing)}")
    if variant.edit is not None:
        variant.edit(notebook)
    text = nbformat.writes(notebook)
    return variant.transform(text) if variant.transform else text
