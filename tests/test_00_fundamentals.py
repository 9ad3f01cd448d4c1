"""00_fundamentals: the quiz's answer key stays out of every file a student gets, and out of the sandbox;
the "written by hand" checks see library calls."""

from __future__ import annotations

import ast
import importlib
import json
import os
import re
import subprocess
import sys

import nbformat
import numpy as np
import pytest

from autograder.grading.assignments import describe_assignment, load_assignment
from autograder.grading.spec import Failure, Submission
from autograder.grading.student import KernelBackend, Student
from autograder.paths import GRADERS_DIR, KIT_ROOT
from tests.conftest import reference_notebook, student_notebook

ASSIGNMENT = "00_fundamentals"
PACKAGE = "a00_fundamentals"
FOLDER = GRADERS_DIR / PACKAGE
#: The only grader file that never ships to students nor enters the sandbox.
HIDDEN_FILE = "test_hidden.py"


def _graders(module: str):
    if str(GRADERS_DIR) not in sys.path:
        sys.path.insert(0, str(GRADERS_DIR))
    return importlib.import_module(f"{PACKAGE}.{module}")


@pytest.fixture(scope="module")
def key() -> dict[str, tuple[str, str]]:
    return _graders("test_hidden").ANSWER_KEY


def _public_files() -> list:
    """Every grader file but the hidden tests: they ship with the public tests, or run in the sandbox."""
    files = sorted(FOLDER.glob("*.py"))
    assert FOLDER / HIDDEN_FILE in files
    return [path for path in files if path.name != HIDDEN_FILE]


def _student_sources() -> dict[str, str]:
    """Every text a student receives for this assignment: the notebook's cells and the public grader files."""
    notebook = nbformat.read(student_notebook(ASSIGNMENT), as_version=4)
    sources = {f"cellule {i + 1}": cell.source for i, cell in enumerate(notebook.cells)}
    sources.update({path.name: path.read_text(encoding="utf-8") for path in _public_files()})
    return sources


def _literal_dicts(source: str) -> list[dict]:
    """Every dictionary written literally in a Python source (unparsable sources: none)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            try:
                found.append(ast.literal_eval(node))
            except ValueError:
                continue
    return found


def test_answer_key_is_complete_and_matches_the_reference_notebook(key):
    questions = _graders("quiz").QUESTIONS
    assert len(questions) >= 20
    assert list(key) == [q.id for q in questions]
    assert all(letter in q.letters for q, (letter, _) in zip(questions, key.values(), strict=True))
    notebook = nbformat.read(reference_notebook(ASSIGNMENT), as_version=4)
    (cell,) = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "reponses"]
    answers = [d for d in _literal_dicts(cell.source) if set(d) == set(key)]
    assert answers[-1] == {q: letter for q, (letter, _) in key.items()}  # the last assignment wins


def test_one_hidden_test_per_question():
    checks = load_assignment(ASSIGNMENT).checks
    quiz = [c for c in checks if c.task == "qcm" and c.hidden]
    assert [c.name for c in quiz] == [f"qcm_{q.id}" for q in _graders("quiz").QUESTIONS]
    assert [c.name for c in checks if c.task == "qcm" and not c.hidden] == ["qcm_format"]


def test_student_files_hold_no_answer_key(key):
    for where, source in _student_sources().items():
        for mapping in _literal_dicts(source):
            right = {q for q, (letter, _) in key.items() if mapping.get(q) == letter}
            assert not right, f"{where}: a literal dictionary gives the right answer to {sorted(right)}"
        for question, (letter, explanation) in key.items():
            assert not re.search(rf"""["']{question}["']\s*:\s*["']{letter}["']""", source), (where, question)
            assert explanation not in source, (where, question)


def test_public_graders_expose_no_answer_key(key):
    for path in _public_files():
        module = _graders(path.stem) if path.stem != "__init__" else importlib.import_module(PACKAGE)
        names = {name.lower() for name in vars(module)}
        assert not names & {"answer_key", "answers_key", "key", "corrige", "reponses", "solutions"}, path.name
        for name, value in vars(module).items():
            if isinstance(value, dict):
                assert not {q for q, (letter, _) in key.items() if value.get(q) == letter}, (path.name, name)


def test_quiz_in_the_student_notebook_is_the_graded_one():
    notebook = nbformat.read(student_notebook(ASSIGNMENT), as_version=4)
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    for question in _graders("quiz").QUESTIONS:
        assert question.markdown() in markdown
        assert f'"{question.id}": "",' in code  # the template the student fills in


def test_answer_key_never_enters_the_sandbox(key):
    """The sandbox's worker imports the frameworks and the probes before the student's code, and nothing else
    of the graders: no module it has loaded holds the key (nor test_hidden, which holds it)."""
    assignment = describe_assignment(ASSIGNMENT)
    script = (
        "import json, sys\n"
        "from autograder.grading.worker import preload\n"
        f"preload({list(assignment.preload)!r})\n"
        f"for module in {list(assignment.probe_modules)!r}:\n"
        "    __import__(module)\n"
        "files = [getattr(m, '__file__', None) for m in list(sys.modules.values())]\n"
        f"print(json.dumps({{'graders': sorted(n for n in sys.modules if n.startswith({PACKAGE!r})),\n"
        "                  'files': sorted({f for f in files if f and f.endswith('.py')})}))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(KIT_ROOT), str(GRADERS_DIR)]),
           "PYTHONDONTWRITEBYTECODE": "1"}
    completed = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300,
                               check=True)
    loaded = json.loads(completed.stdout.strip().splitlines()[-1])
    assert f"{PACKAGE}.probes" in loaded["graders"]
    assert f"{PACKAGE}.test_hidden" not in loaded["graders"]
    graders_files = [f for f in loaded["files"] if f.startswith(str(FOLDER))]
    assert str(FOLDER / "probes.py") in graders_files
    assert str(FOLDER / HIDDEN_FILE) not in graders_files
    for path in graders_files:
        source = open(path, encoding="utf-8").read()
        assert not [q for q, (_, explanation) in key.items() if explanation in source], path


def _student(namespace: dict) -> Student:
    """The test functions' ``student`` for definitions held in this process (as in a notebook's kernel)."""
    _graders("probes"), _graders("hidden_probes")
    return Student(KernelBackend(namespace, PACKAGE))


def test_library_activations_are_detected_and_torch_is_restored():
    import torch
    import torch.nn.functional as F

    probes, hidden = _graders("hidden_probes"), _graders("test_hidden")
    before = {name: getattr(torch, name) for name in ("relu", "sigmoid", "softmax")}
    namespace = {"relu": lambda x: torch.relu(x), "sigmoid": lambda x: x.sigmoid(),
                 "softmax": lambda x, dim=-1: F.softmax(x, dim=dim)}
    found = probes.activation_library_calls(Submission(namespace), np.ones((2, 3), dtype=np.float32))
    assert {"torch.relu", "Tensor.sigmoid", "torch.nn.functional.softmax"} <= set(found)
    with pytest.raises(Failure, match=r"torch\.nn\.functional\.softmax"):
        hidden.test_activations_by_hand(_student(namespace))
    assert {name: getattr(torch, name) for name in before} == before
    assert "softmax" not in vars(torch.Tensor)


def test_imported_library_convolution_is_detected():
    """``from torch.nn.functional import conv2d`` binds the original before the spy: the name is seen instead."""
    hidden = _graders("test_hidden")
    namespace: dict = {}
    exec("from torch.nn.functional import conv2d\n"  # a notebook's cells, as the sandbox runs them
         "def conv2d_by_hand(image, kernel):\n"
         "    return conv2d(image[None, None], kernel[None, None])[0, 0]\n", namespace)
    found = _graders("hidden_probes").convolution_library_calls(
        Submission(namespace), np.ones((4, 4), dtype=np.float32), np.ones((2, 2), dtype=np.float32))
    assert found == ["torch.nn.functional.conv2d"]
    with pytest.raises(Failure, match=r"torch\.nn\.functional\.conv2d"):
        hidden.test_conv_by_hand(_student(namespace))
