"""Example submissions derived from an assignment's notebooks, each with its exact expected outcome.

A :class:`Variant` starts from the reference solution (``solutions/``) or the student
notebook (``assignments/``), replaces some cells (found by their nbgrader ``grade_id``), and
lists the checks a careful instructor expects to fail. ``python -m tests.submissions.build``
writes them under ``tests/submissions/<assignment>/``; the kit's tests grade them and compare.
"""

from __future__ import annotations

import ast
import copy
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.grading.assignments import Assignment
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


@functools.cache
def _read_base(assignment: str, base: str) -> nbformat.NotebookNode:
    """The base notebook, read once per process (callers copy it before changing it)."""
    return nbformat.read(base_notebook(assignment, base), as_version=4)


@functools.cache
def reference_cells(assignment: str) -> dict[str, str]:
    """The reference's solution code cells by grade_id, without their BEGIN/END SOLUTION markers."""
    markers = ("### BEGIN SOLUTION", "### END SOLUTION")
    return {cell.metadata["nbgrader"]["grade_id"]:
            "\n".join(line for line in cell.source.splitlines() if not any(m in line for m in markers))
            for cell in _read_base(assignment, "solution").cells
            if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code"}


def changed(assignment: str, grade_id: str, *edits: tuple[str, str]) -> dict[str, str]:
    """``{grade_id: the reference cell with each (old, new) edit applied}`` (each ``old`` must match exactly once):
    a wrong submission that differs from the reference by its mistakes only."""
    source = reference_cells(assignment)[grade_id]
    for old, new in edits:
        if source.count(old) != 1:
            raise ValueError(f"{grade_id}: {old!r} found {source.count(old)} times")
        source = source.replace(old, new)
    return {grade_id: source}


def render(assignment: str, variant: Variant) -> str:
    """The variant's notebook file content."""
    notebook = copy.deepcopy(_read_base(assignment, variant.base))
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


def defined_names(source: str) -> set[str]:
    """Functions and classes a cell's source defines, nested ones included (what a traced grading records)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.ClassDef))}


def checks_to_grade(assignment: Assignment, variant: Variant, called: dict[str, set[str]]) -> frozenset[str] | None:
    """The checks whose outcome the variant can change, from a traced grading of the reference (None: all).

    The variant's notebook is compared with the reference, cell by cell. One that changes the sources of
    solution cells only (by ``replace`` or by an ``edit``) can change three kinds of checks: those whose
    requests ran a function those cells define (``called``: check -> functions, from
    ``grade_notebook(..., called=...)``), every check of the task each changed cell belongs to (the task
    of the next graded cell: constants such as ``DOCKERFILE`` are read, not called), and every check that
    reads the notebook's text (style, report). Every other check runs the reference's own code on the
    grader's inputs: its outcome is the reference's. Variants of the student notebook, or that change a
    locked cell, the cells' number, kinds or metadata, or the file's text, are graded in full.
    """
    if variant.base != "solution" or variant.transform is not None:
        return None
    cells = _read_base(assignment.name, "solution").cells
    changed = nbformat.reads(render(assignment.name, variant), as_version=4).cells
    if [(c.cell_type, c.metadata) for c in cells] != [(c.cell_type, c.metadata) for c in changed]:
        return None
    names: set[str] = set()
    tasks: set[str] = set()
    for position, (cell, new) in enumerate(zip(cells, changed, strict=True)):
        if cell.source == new.source:
            continue
        if not cell.metadata.get("nbgrader", {}).get("solution"):
            return None  # a locked cell (imports, given helpers) can change anything
        names |= defined_names(cell.source) | defined_names(new.source)
        owner = next((c.metadata["nbgrader"]["grade_id"].removeprefix("test_") for c in cells[position:]
                      if c.get("metadata", {}).get("nbgrader", {}).get("grade") and c.cell_type == "code"), None)
        tasks |= {owner} if owner else set()
    return frozenset(check.name for check in assignment.checks
                     if check.reads_notebook or check.task in tasks or called.get(check.name, set()) & names)
