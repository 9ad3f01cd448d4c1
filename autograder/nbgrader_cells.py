"""nbgrader's autograde recognises a locked cell that the student left exactly as it was released.

``nbgrader generate_assignment`` saves each source cell in the gradebook (text and checksum) before
it removes the hidden tests (and mark schemes) from the released copy. The kit's test cells all hold
hidden tests, so every untouched test cell of every submission then differs from its gradebook
checksum, and ``autograde``'s ``OverwriteCells`` reports "Attribute 'checksum' for cell ... has
changed!" for each (jupyter/nbgrader#1961): seven false tampering warnings per student for
01_regression, in which a real one cannot be seen.

:class:`RestoreReleasedCells` runs in ``Autograde.sanitize_preprocessors`` just before
``OverwriteCells``: a locked cell whose text is exactly what the release made of its source cell
gets the source cell's full text back (what ``OverwriteCells`` would have written over it anyway),
so its checksum matches. A locked cell that differs from its release in any way is left as it is:
``OverwriteCells`` still warns and restores it.
"""

from __future__ import annotations

import copy
from typing import Any

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme, NbGraderPreprocessor
from nbgrader.utils import compute_checksum

from autograder.metadata import section


class RestoreReleasedCells(NbGraderPreprocessor):
    """Give each locked cell left as released its source cell's full text (hidden tests, mark scheme)."""

    def preprocess(self, nb: nbformat.NotebookNode, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gradebook:
            try:
                notebook = gradebook.find_notebook(info["notebook"], info["assignment"])
            except MissingEntry:
                return nb, resources  # OverwriteCells reports the unknown notebook's cells
            sources = {cell.name: (cell.source, cell.checksum) for cell in notebook.source_cells if cell.locked}
        release = [ClearHiddenTests(parent=self), ClearMarkScheme(parent=self)]  # generate_assignment, after SaveCells
        for index, cell in enumerate(nb.cells):
            grade_id = section(cell, "nbgrader").get("grade_id")
            if grade_id not in sources or cell.source == sources[grade_id][0]:
                continue
            full = copy.deepcopy(cell)
            full.source = sources[grade_id][0]
            if compute_checksum(full) != sources[grade_id][1]:
                continue  # its type, points or flags changed: OverwriteCells reports it
            released = copy.deepcopy(full)
            for step in release:
                released, _ = step.preprocess_cell(released, resources, index)
            if released.source == cell.source:
                cell.source = full.source
        return nb, resources
