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
import pytest

from autograder.grading.spec import Failure, Submission
from autograder.paths import GRADERS_DIR, KIT_ROOT
from tests.conftest import reference_notebook, student_notebook

ASSIGNMENT = "00_fundamentals"
PUBLIC_FILE = GRADERS_DIR / "a00_fundamentals" / "public.py"


def _graders(module: str):
    if str(GRADERS_DIR) not in sys.path:
        sys.path.insert(0, str(GRADERS_DIR))
    return importlib.import_module(f"a00_fundamentals.{module}")


@pytest.fixture(scope="module")
def key() -> dict[str, tuple[str, str]]:
    return _graders("hidden").ANSWER_KEY


def _student_sources() -> dict[str, str]:
    """Every text a student receives for this assignment: the notebook's cells and the public graders."""
    notebook = nbformat.read(student_notebook(ASSIGNMENT), as_version=4)
    sources = {f"cellule {i + 1}": cell.source for i, cell in enumerate(notebook.cells)}
    sources["public.py"] = PUBLIC_FILE.read_text(encoding="utf-8")
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
    questions = _graders("public").QUESTIONS
    assert len(questions) >= 20
    assert list(key) == [q.id for q in questions]
    assert all(letter in q.letters for q, (letter, _) in zip(questions, key.values(), strict=True))
    notebook = nbformat.read(reference_notebook(ASSIGNMENT), as_version=4)
    (cell,) = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "reponses"]
    answers = [d for d in _literal_dicts(cell.source) if set(d) == set(key)]
    assert answers[-1] == {q: letter for q, (letter, _) in key.items()}  # the last assignment wins


def test_student_files_hold_no_answer_key(key):
    for where, source in _student_sources().items():
        for mapping in _literal_dicts(source):
            right = {q for q, (letter, _) in key.items() if mapping.get(q) == letter}
            assert not right, f"{where}: a literal dictionary gives the right answer to {sorted(right)}"
        for question, (letter, explanation) in key.items():
            assert not re.search(rf"""["']{question}["']\s*:\s*["']{letter}["']""", source), (where, question)
            assert explanation not in source, (where, question)


def test_public_graders_expose_no_answer_key(key):
    public = _graders("public")
    names = {name.lower() for name in vars(public)}
    assert not names & {"answer_key", "answers", "key", "corrige", "reponses", "solutions"}
    for name, value in vars(public).items():
        if isinstance(value, dict):
            assert not {q for q, (letter, _) in key.items() if value.get(q) == letter}, name


def test_quiz_in_the_student_notebook_is_the_graded_one():
    notebook = nbformat.read(student_notebook(ASSIGNMENT), as_version=4)
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    for question in _graders("public").QUESTIONS:
        assert question.markdown() in markdown
        assert f'"{question.id}": "",' in code  # the template the student fills in


def test_answer_key_never_enters_the_sandbox():
    """The sandbox's worker imports the hidden graders next to the student's code: there the key is empty."""
    script = (
        "import json, sys\n"
        "import a00_fundamentals.hidden as hidden\n"
        "print(json.dumps([len(hidden.ANSWER_KEY), sum(c.task == 'qcm' for c in hidden.CHECKS)]))\n"
    )
    env = {**os.environ, "DLKIT_RESULT_FD": "99",
           "PYTHONPATH": os.pathsep.join([str(KIT_ROOT), str(GRADERS_DIR)]), "PYTHONDONTWRITEBYTECODE": "1"}
    completed = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300,
                               check=True)
    assert json.loads(completed.stdout.strip().splitlines()[-1]) == [0, 24]


def test_library_activations_are_detected_and_torch_is_restored():
    import torch
    import torch.nn.functional as F

    hidden = _graders("hidden")
    before = {name: getattr(torch, name) for name in ("relu", "sigmoid", "softmax")}
    namespace = {"relu": lambda x: torch.relu(x), "sigmoid": lambda x: x.sigmoid(),
                 "softmax": lambda x, dim=-1: F.softmax(x, dim=dim)}
    found = hidden.collect_activations_by_hand(Submission(namespace), {})
    assert {"torch.relu", "Tensor.sigmoid", "torch.nn.functional.softmax"} <= set(found["used"])
    with pytest.raises(Failure, match=r"torch\.nn\.functional\.softmax"):
        hidden.judge_activations_by_hand(found, {})
    assert {name: getattr(torch, name) for name in before} == before
    assert "softmax" not in vars(torch.Tensor)


def test_imported_library_convolution_is_detected():
    """``from torch.nn.functional import conv2d`` binds the original before the spy: the name is seen instead."""
    hidden = _graders("hidden")
    namespace: dict = {}
    exec("from torch.nn.functional import conv2d\n"  # a notebook's cells, as the sandbox runs them
         "def conv2d_by_hand(image, kernel):\n"
         "    return conv2d(image[None, None], kernel[None, None])[0, 0]\n", namespace)
    found = hidden.collect_convolution_by_hand(Submission(namespace), {})
    assert found["used"] == ["torch.nn.functional.conv2d"]
