"""Every points label of a notebook, solution and student's, equals the real points of what it labels.

A label is written ``(N points)`` or ``(N pts)`` (``N`` as the notebooks write numbers: ``1``, ``0,5``),
optionally named, ``(documentation, 3 points)``, or followed by a comment, ``(6 points, à la main)``,
``(2 points ; …)``. Signed differences, ``(+0,25 point)``, and counts inside a sentence,
``(barème : 1 point pour …)``, ``(1,5 point chacune : …)``, are not labels. What a label labels follows
from where it is written:

* in a graded cell, its first label titles the cell (a test cell's ``# Tests automatiques : … (N points)``, a
  mark scheme's ``Barème (N points)``); the later ones are the mark scheme's items and add up to the cell;
* in the rubric, a markdown cell holding a table with a ``Points`` column: each row's criterion, and each
  paragraph titled ``**<criteria>.**`` (``A et B``: both), whose labels add up to its criteria;
* in any other markdown cell: the graded cells that follow it, one each, in order (the heading
  ``## 10. Interprétation (correction manuelle, 2 points)`` above its answer cell).

A graded cell's real points are its nbgrader points and, for a task's cell, the sum of the graders' checks
of that task, public and hidden. A criterion is named as its cell is titled: the title of its test cell, or
the name of a label of its answer cell.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import nbformat
import pytest

from autograder.grading.assignments import available_assignments, load_assignment
from tests.conftest import reference_notebook, student_notebook

LABEL = re.compile(r"\((?:(?P<name>[^\W\d][^(),;:]*), )?(?P<points>\d+(?:,\d+)?) (?:points?|pts?)"
                   r"(?:\s*[,;][^()]*)?\)", re.IGNORECASE)
TEST_CELL_TITLE = re.compile(r"^# Tests automatiques : (?P<title>.+?) \(")
RUBRIC_HEADER = re.compile(r"^\|(?P<columns>.*\|\s*Points\s*\|.*)$", re.MULTILINE)
CRITERIA = re.compile(r"^\*\*(?P<criteria>[^*]+?)\.\*\*")


def _number(text: str) -> float:
    return float(text.replace(",", "."))


class _Labels:
    """The labels of one notebook, each compared with the points of what it labels."""

    def __init__(self, assignment: str, path: Path) -> None:
        self.notebook = nbformat.read(path, as_version=4)
        spec = load_assignment(assignment)
        # A task's cell: ``test_<task>``, or a provisional task's answer cell ``<task>`` (as in tests/test_release.py).
        self.graders = {task if all(c.provisional for c in spec.checks if c.task == task) else f"test_{task}": points
                        for task, points in spec.task_points().items()}
        self.graded = [index for index, cell in enumerate(self.notebook.cells)
                       if cell.metadata.get("nbgrader", {}).get("grade")]
        self.titles: dict[str, set[int]] = {}
        self.labelled: set[int] = set()
        self.problems: list[str] = []

    def grade_id(self, index: int) -> str:
        return self.notebook.cells[index].metadata["nbgrader"]["grade_id"]

    def real(self, indexes: list[int]) -> dict[str, float]:
        """``{"nbgrader": …, "graders": …}``: the cells' nbgrader points, and their tasks' points where they are
        tasks (the graders' checks, public and hidden)."""
        points = {"nbgrader": sum(self.notebook.cells[i].metadata["nbgrader"]["points"] for i in indexes)}
        if all(self.grade_id(i) in self.graders for i in indexes):
            points["graders"] = sum(self.graders[self.grade_id(i)] for i in indexes)
        return points

    def expect(self, where: int, label: str, points: float, indexes: list[int]) -> None:
        self.labelled |= set(indexes)
        real = self.real(indexes)
        if any(value != points for value in real.values()):
            names = ", ".join(self.grade_id(i) for i in indexes)
            self.problems.append(f"cell {where}: {label!r} labels {names}, worth {real}")

    def read(self) -> list[str]:
        """Every label of the notebook checked: the problems found, one line each (none when all are right)."""
        rubrics = []
        for index, cell in enumerate(self.notebook.cells):
            labels = list(LABEL.finditer(cell.source))
            if index in self.graded:
                self.titled(index, cell, labels)
            elif cell.cell_type == "markdown" and RUBRIC_HEADER.search(cell.source):
                rubrics.append(index)
            elif labels and cell.cell_type == "markdown":
                self.introduced(index, labels)
            elif labels:
                self.problems.append(f"cell {index}: {labels[0].group(0)!r} in an ungraded code cell labels nothing")
        for index in rubrics:
            self.rubric(index, self.notebook.cells[index].source)
        unlabelled = [self.grade_id(i) for i in self.graded if i not in self.labelled]
        if unlabelled:
            self.problems.append(f"graded cells without a points label: {unlabelled}")
        return self.problems

    def titled(self, index: int, cell: nbformat.NotebookNode, labels: list[re.Match]) -> None:
        """A graded cell's own labels: its title, then its mark scheme's items."""
        title = TEST_CELL_TITLE.match(cell.source)
        if title:
            self.titles.setdefault(title["title"].casefold(), set()).add(index)
        if labels:
            self.expect(index, labels[0].group(0), _number(labels[0]["points"]), [index])
        if len(labels) > 1:
            items = labels[1:]
            self.expect(index, " + ".join(item.group(0) for item in items),
                        sum(_number(item["points"]) for item in items), [index])

    def introduced(self, index: int, labels: list[re.Match]) -> None:
        """A markdown cell's labels: the graded cells that follow it, one each."""
        following = [i for i in self.graded if i > index][:len(labels)]
        if len(following) < len(labels):
            self.problems.append(f"cell {index}: {labels[len(following)].group(0)!r} has no graded cell after it")
        for label, target in zip(labels, following, strict=False):
            self.expect(index, label.group(0), _number(label["points"]), [target])
            if label["name"]:
                self.titles.setdefault(label["name"].casefold(), set()).add(target)

    def criteria(self, index: int, text: str) -> list[int] | None:
        """The graded cells a criterion names (``A et B``: both), or None, recorded as a problem."""
        name = text.strip().casefold()
        parts = [name] if name in self.titles else name.split(" et ")
        if not all(len(self.titles.get(part, ())) == 1 for part in parts):
            self.problems.append(f"cell {index}: criterion {text.strip()!r} names no single titled cell "
                                 f"(titles: {sorted(self.titles)})")
            return None
        return [next(iter(self.titles[part])) for part in parts]

    def rubric(self, index: int, source: str) -> None:
        """The rubric's table rows, and its paragraphs titled by their criteria."""
        header = RUBRIC_HEADER.search(source)
        column = [name.strip() for name in header["columns"].split("|")].index("Points")
        lines = source.splitlines()
        start = lines.index(header.group(0)) + 2  # after the header and its |---| line
        for row in (line.strip("|").split("|") for line in itertools.takewhile(lambda line: line.startswith("|"),
                                                                               lines[start:])):
            cells = self.criteria(index, row[0])
            if cells is not None:
                self.expect(index, f"| {row[0].strip()} | {row[column].strip()} |", _number(row[column].strip()),
                            cells)
        for paragraph in source.split("\n\n"):
            labels = list(LABEL.finditer(paragraph))
            if not labels or paragraph.startswith("|"):
                continue
            title = CRITERIA.match(paragraph)
            if title is None:
                self.problems.append(f"cell {index}: {labels[0].group(0)!r} in a rubric paragraph that no "
                                     "**criterion.** titles")
                continue
            cells = self.criteria(index, LABEL.sub("", title["criteria"]))
            if cells is not None:
                self.expect(index, " + ".join(label.group(0) for label in labels),
                            sum(_number(label["points"]) for label in labels), cells)


@pytest.mark.parametrize("notebook", ["solution", "student"])
@pytest.mark.parametrize("assignment", available_assignments())
def test_points_labels_equal_real_points(assignment, notebook):
    path = reference_notebook(assignment) if notebook == "solution" else student_notebook(assignment)
    assert _Labels(assignment, path).read() == []
