"""The real nbgrader flow in scratch courses: the whole exchange cycle, autograde, exports, forgeries."""

from __future__ import annotations

import csv
import os
import re
import shutil
import socket
import subprocess
import sys
from dataclasses import replace

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder.distribution.leaks import collect_secrets, scan_folder
from autograder.grading.assignments import load_assignment
from autograder.paths import KIT_ROOT
from autograder.release import generate_in_scratch, tool_environment
from tests.conftest import reference_notebook, student_notebook
from tests.submissions.build import example_modules, example_path
from tests.submissions.hostile import ALL_ISOLATION_ATTACKS, render_hostile
from tests.submissions.variants import reference_cells


def _nbgrader(course, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**tool_environment(), "DLKIT_QUICK": "1", "PYTHONPATH": str(KIT_ROOT)}
    completed = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                               capture_output=True, text=True, timeout=900)
    if check:
        assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "is not absolute" not in completed.stderr  # the kit's config gives nbgrader an absolute course root
    return completed


def _autograded_points(assignment: str, failing: frozenset[str] = frozenset()) -> float:
    """Points nbgrader's autograded cells should give: manual (provisional) tasks count 0 until graded."""
    return sum(c.points for c in load_assignment(assignment).checks if not c.provisional and c.name not in failing)


def _notebook_points(assignment: str) -> float:
    """All points of the source notebook's graded cells, autograded and manual."""
    notebook = nbformat.read(reference_notebook(assignment), as_version=4)
    return sum(c.metadata["nbgrader"]["points"] for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade"))


def _check_gradebook(course, assignment: str, students: dict[str, frozenset[str]]) -> None:
    """Each student's total and per-task autograded scores: full points less the failing checks'."""
    _nbgrader(course, "export", "--to", str(course / "grades.csv"))
    with open(course / "grades.csv", newline="") as stream:
        exported = {row["student_id"]: row for row in csv.DictReader(stream)}
    graders = load_assignment(assignment)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student, failing in students.items():
            assert float(exported[student]["score"]) == pytest.approx(_autograded_points(assignment, failing))
            assert float(exported[student]["max_score"]) == pytest.approx(_notebook_points(assignment))
            for task, points in graders.task_points().items():
                checks = [c for c in graders.checks if c.task == task]
                if all(c.provisional for c in checks):
                    continue
                grade = gradebook.find_grade(f"test_{task}", assignment, assignment, student)
                lost = sum(c.points for c in checks if c.name in failing)
                assert grade.auto_score == pytest.approx(points - lost), (student, task)


CYCLE_ASSIGNMENT = "01_regression"
COURSE_ID = "dl-course"


def test_nbgrader_exchange_cycle_with_two_students(tmp_path):
    """release, fetch, submit, collect, autograde, generate and release feedback, fetch feedback; validate."""
    assignment, course, exchange = CYCLE_ASSIGNMENT, tmp_path / "course", tmp_path / "exchange"
    course.mkdir()
    exchange.mkdir()
    exchange.chmod(0o777)  # nbgrader wants a world-writable exchange
    generate_in_scratch(assignment, course)
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as config:
        config.write(f"\nc.CourseDirectory.course_id = {COURSE_ID!r}\nc.Exchange.root = {str(exchange)!r}\n")

    def as_student(home) -> tuple[str, ...]:  # each student's own submission cache, as each unix user has
        return "--course", COURSE_ID, f"--Exchange.root={exchange}", f"--Exchange.cache={home / 'cache'}"

    wrong = next(v for m in example_modules() if m.ASSIGNMENT == assignment for v in m.VARIANTS if v.failing)
    work = {"alice": (reference_notebook(assignment), frozenset()),
            "bob": (example_path(assignment, wrong), wrong.failing)}

    _nbgrader(course, "release_assignment", assignment)
    released = [p for p in exchange.rglob("*") if p.is_file()]
    assert [p.name for p in released] == [f"{assignment}.ipynb"]
    release_folder = [p for p in (course / "assignments").rglob("*") if p.is_file()]  # the course's release/
    assert [p.name for p in release_folder] == [f"{assignment}.ipynb"]
    assert scan_folder(exchange) == scan_folder(course / "assignments") == []
    for student, (source, _) in work.items():
        home = tmp_path / student
        home.mkdir()
        _nbgrader(home, "fetch_assignment", assignment, *as_student(home))
        fetched = home / assignment / f"{assignment}.ipynb"
        assert fetched.read_bytes() == student_notebook(assignment).read_bytes()
        shutil.copy(source, fetched)  # the student's work
        _nbgrader(home, "submit", assignment, *as_student(home), f"--student={student}")

    untouched = tmp_path / "untouched"
    untouched.mkdir()
    shutil.copy(student_notebook(assignment), untouched / f"{assignment}.ipynb")
    validated = _nbgrader(untouched, "validate", f"{assignment}.ipynb", check=False)
    assert "VALIDATION FAILED" in validated.stdout, validated.stdout[-2000:]
    first = load_assignment(assignment, include_hidden=False).checks[0]
    assert "non réussi(s)" in validated.stdout and f"- {first.title}" in validated.stdout

    _nbgrader(course, "collect", assignment)
    assert sorted(p.name for p in (course / "submitted").iterdir()) == ["alice", "bob"]
    _nbgrader(course, "autograde", assignment, "--create", "--force")
    _check_gradebook(course, assignment, {student: failing for student, (_, failing) in work.items()})
    _nbgrader(course, "generate_feedback", assignment, "--force")
    _nbgrader(course, "release_feedback", assignment)

    graders = load_assignment(assignment)
    secrets = collect_secrets()
    for student, (_, failing) in work.items():
        home = tmp_path / student
        _nbgrader(home, "fetch_feedback", assignment, *as_student(home), f"--student={student}")
        found = sorted((home / assignment / "feedback").rglob("*.html"))
        assert len(found) == 1, found
        html = found[0]
        text = html.read_text(encoding="utf-8")
        for check in graders.checks:
            if check.provisional:
                continue
            mark = "✘" if check.name in failing else "✔"
            assert f"{mark} {check.title}" in text, (student, check.name)
        assert not [name for name in secrets.names if name in text]  # hidden tests' names and code never shown
        assert not [line for line, what in secrets.lines.items() if "hidden code" in what and line in text]


def _checksum_warnings(log: str) -> dict[str, list[str]]:
    """nbgrader's "checksum ... has changed!" warnings by student, from ``autograde``'s log (its sanitizing step)."""
    warnings: dict[str, list[str]] = {}
    student = None
    for line in log.splitlines():
        sanitizing = re.search(r"Sanitizing .*[/\\]submitted[/\\]([^/\\]+)[/\\]", line)
        if sanitizing:
            student = sanitizing.group(1)
            warnings[student] = []
        elif "Autograding" in line:
            student = None
        elif student and "checksum" in line.lower():
            warnings[student].append(line)
    return warnings


def test_nbgrader_warns_of_edited_test_cells_only(tmp_path):
    """The kit's own config with the real commands: no root warning; untouched and completed notebooks raise no
    checksum warning (their test cells lost only their hidden tests in the release); an edited test cell does."""
    assignment = CYCLE_ASSIGNMENT
    shutil.copy(KIT_ROOT / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    shutil.copytree(KIT_ROOT / "solutions" / assignment, tmp_path / "solutions" / assignment)
    _nbgrader(tmp_path, "generate_assignment", assignment, "--force")
    released = tmp_path / "assignments" / assignment / f"{assignment}.ipynb"
    assert released.read_bytes() == student_notebook(assignment).read_bytes()

    completed = nbformat.read(released, as_version=4)
    for cell in completed.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in reference_cells(assignment):
            cell.source = reference_cells(assignment)[grade_id]
    tampered = nbformat.read(released, as_version=4)
    (edited,) = [c for c in tampered.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_split"]
    edited.source = edited.source.replace("tache.run_public()", "tache.run_public = lambda: None")
    assert edited.metadata["nbgrader"]["locked"] and "tache.run_public = lambda" in edited.source
    for student, notebook in {"untouched": nbformat.read(released, as_version=4), "completed": completed,
                              "tampered": tampered}.items():
        folder = tmp_path / "submitted" / student / assignment
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / f"{assignment}.ipynb")

    log = _nbgrader(tmp_path, "autograde", assignment, "--create", "--force").stderr
    warnings = _checksum_warnings(log)
    assert warnings.keys() == {"untouched", "completed", "tampered"}, log[-3000:]
    assert warnings["untouched"] == warnings["completed"] == []
    assert len(warnings["tampered"]) == 1 and "test_split" in warnings["tampered"][0], warnings["tampered"]
    autograded = nbformat.read(tmp_path / "autograded" / "tampered" / assignment / f"{assignment}.ipynb", as_version=4)
    (restored,) = [c for c in autograded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_split"]
    assert "tache.run_public()" in restored.source and "lambda" not in restored.source  # nbgrader put it back
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gradebook:
        assert gradebook.find_submission(assignment, "completed").score == pytest.approx(_autograded_points(assignment))
    _nbgrader(tmp_path, "generate_feedback", assignment, "--force")


#: Beside the cycle's Keras assignment: a PyTorch one, and the mini-project with its manually graded cells. The
#: others' cell points are checked against their graders statically (``tests/test_release.py``).
AUTOGRADED_TOO = ("02_mnist_cnn", "09_mini_project")


@pytest.mark.parametrize("assignment", AUTOGRADED_TOO)
def test_nbgrader_autogrades_the_reference(assignment, tmp_path):
    generate_in_scratch(assignment, tmp_path)
    folder = tmp_path / "submitted" / "alice" / assignment
    folder.mkdir(parents=True)
    shutil.copy(reference_notebook(assignment), folder / f"{assignment}.ipynb")
    _nbgrader(tmp_path, "autograde", assignment, "--create", "--force")
    _check_gradebook(tmp_path, assignment, {"alice": frozenset()})
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
    with socket.socket() as server:  # the untouched notebook, split_data correct after every isolation attack
        server.bind(("127.0.0.1", 0))
        attacker = render_hostile(replace(ALL_ISOLATION_ATTACKS, base="release"), tmp_path / "submitted",
                                  server.getsockname()[1])
    folder = tmp_path / "submitted" / "attacker" / assignment
    folder.mkdir(parents=True)
    (folder / f"{assignment}.ipynb").write_text(attacker, encoding="utf-8")
    for student, source in students.items():
        notebook = nbformat.read(student_notebook(assignment), as_version=4)
        if source is not None:
            notebook.cells.insert(0, nbformat.v4.new_code_cell(source.strip("\n")))
        folder = tmp_path / "submitted" / student / assignment
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / f"{assignment}.ipynb")

    _nbgrader(tmp_path, "autograde", assignment, "--create", "--force")

    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gradebook:
        scores = {student: gradebook.find_submission(assignment, student).score for student in [*students, "attacker"]}
        graded_cell = gradebook.find_grade("test_split", assignment, assignment, "float_display_formatter")
        assert graded_cell.auto_score == 0
    split = load_assignment(assignment).task_points()["split"]
    assert scores == {**dict.fromkeys(students, 0.0), "attacker": split}
    feedback = nbformat.read(tmp_path / "autograded" / "patched_numpy" / assignment / f"{assignment}.ipynb",
                             as_version=4)
    split_cell = next(c for c in feedback.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_split")
    assert "NotImplementedError" in split_cell.outputs[0]["text"]
