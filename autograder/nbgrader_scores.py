"""nbgrader's autograde takes its scores from the kit's sandboxed grading, never from the student's kernel.

nbgrader executes a submission in a kernel the student's code controls, then reads each graded
cell's score from that kernel's output: a notebook can forge it (patch the kit, change how floats
are displayed, print fake results). Two preprocessors of the autograde pipeline close this:

* :class:`SandboxGrade`, before ``Execute``: grades the submitted notebook once with
  :func:`autograder.grading.engine.grade_notebook` (sandbox, public and hidden tests), before any
  of its code runs in a kernel, and keeps the result in the pipeline's resources;
* :class:`SandboxScores`, after ``Execute`` and before ``SaveAutoGrades``: replaces every
  autograded cell's outputs with that grading's feedback for the cell's task and its score,
  which is the only value ``SaveAutoGrades`` then reads.

``nbgrader_config.py`` puts them in ``Autograde.autograde_preprocessors``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.metadata import section
from autograder.results import Status, SubmissionResult

RESOURCE_KEY = "dlkit_result"
#: Folders of an nbgrader course the student's code must not see while it is graded.


def _task_of(cell: Any) -> str | None:
    """The task of an autograded test cell (``grade_id`` ``test_<task>``), else None."""
    meta = section(cell, "nbgrader")
    if cell.get("cell_type") != "code" or not meta.get("grade") or meta.get("solution"):
        return None
    grade_id = str(meta.get("grade_id", ""))
    return grade_id.removeprefix("test_") if grade_id.startswith("test_") else None


class SandboxGrade(NbGraderPreprocessor):
    """Grade the notebook in the kit's sandbox before its code runs anywhere else."""

    def preprocess(self, nb: nbformat.NotebookNode, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        from autograder.grading.engine import grade_notebook

        info = resources.get("nbgrader", {})
        assignment, student = info.get("assignment"), info.get("student")
        with tempfile.TemporaryDirectory(prefix="dlkit-nbgrader-") as scratch:
            path = Path(scratch) / f"{info.get('notebook', 'submission')}.ipynb"
            nbformat.write(nb, path)
            result = grade_notebook(path, assignment, student=student)  # its jail sees no course folder
        for test in result.tests:
            if test.status is Status.GRADER_ERROR:
                self.log.error("grader error in %s for %s: %s", test.name, student, test.message)
        resources[RESOURCE_KEY] = result
        return nb, resources


class SandboxScores(NbGraderPreprocessor):
    """Set every autograded cell's outputs to the sandboxed grading's feedback and score for its task."""

    def preprocess(self, nb: nbformat.NotebookNode, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        from autograder.report import format_test

        result: SubmissionResult | None = resources.get(RESOURCE_KEY)
        if result is None:
            raise RuntimeError("SandboxScores needs SandboxGrade earlier in Autograde.autograde_preprocessors")
        for cell in nb.cells:
            task = _task_of(cell)
            if task is None:
                continue
            tests = [t for t in result.tests if t.task == task]
            score = round(sum(t.score for t in tests), 4)
            lines = [format_test(t) for t in tests] + list(result.notices[:5])
            cell.outputs = [
                new_output("stream", name="stdout", text="\n".join(lines) + "\n"),
                new_output("execute_result", data={"text/plain": repr(float(score))}, execution_count=None),
            ]
        return nb, resources
