"""A student-provoked exception in the judge is the student's failure, never a grader error.

A reply nested 200 000 deep, or a correct answer sent as an array where a list is expected, made the
grading process raise (``RecursionError`` in the decoder, "the truth value of an array ... is
ambiguous" in a check): "Erreur du correcteur", and the class page's grader-error alarm, on purpose.
The codec refuses over-deep messages (:mod:`autograder.grading.codec`), the judging helpers check
types first (:mod:`autograder.checks.expect`), and an exception of a check's own code on a value the
student sent is the student's (:mod:`autograder.grading.blame`); the grader's own bugs stay its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest

from autograder.checks.expect import expect_close, expect_equal
from autograder.grading import codec
from autograder.grading.blame import student_fault
from autograder.grading.engine import grade_notebook
from autograder.grading.spec import Failure
from autograder.grading.student import KernelBackend, Student
from autograder.pytest_plugin import GradingContext, GradingPlugin
from autograder.results import Status


def _nested(depth: int) -> list:
    """Lists nested ``depth`` deep."""
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


# ------------------------------------------------------------------------------------------------ codec


def test_codec_refuses_over_deep_messages_as_codec_errors():
    forged = b'{"type": "reply", "id": 0, "value": ' + b"[" * 200_000 + b"]" * 200_000 + b"}\n"
    with pytest.raises(codec.CodecError, match="imbriquée"):
        codec.decode(forged)
    for depth in (codec.MAX_DEPTH, 200_000):  # under the recursion limit, then far over it
        with pytest.raises(codec.CodecError, match="imbriquée"):
            codec.encode({"value": _nested(depth)})
    within = _nested(codec.MAX_DEPTH - 1)  # the message's own object is one more level
    assert codec.decode(codec.encode({"value": within}))["value"] == within


def test_codec_depth_leaves_brackets_in_strings_out():
    assert codec.nesting_depth(b'{"a": "[[[\\"[[{", "b": [[1, "]]\\\\"], {}]}') == 3
    text = "[" * 10_000 + '\\"' + "{" * 10_000
    assert codec.decode(codec.encode({"value": text}))["value"] == text


# ------------------------------------------------------------------------------------------ judging helpers


def test_expect_equal_says_which_type_came_instead_of_raising():
    with pytest.raises(Failure, match=r"attendu \[1, 2, 3\], obtenu un tableau numpy de forme \(3,\)"):
        expect_equal("Classes", [1, 2, 3], np.array([1, 2, 3]))
    with pytest.raises(Failure, match="obtenu None"):
        expect_equal("Classes", [[1, 0.3]], None)
    with pytest.raises(Failure, match="attendu"):
        expect_equal("Couples", [[1, 0.5]], [np.array([1, 0.5])])
    expect_equal("Forme", [3, 4], [3, 4])
    expect_equal("Nombre", 3, np.array(3))  # a one-value array equals its number, as before
    expect_equal("Tableau", np.arange(4), np.arange(4))
    with pytest.raises(Failure, match=r"attendu des nombres, obtenu la chaîne '0\.5'"):
        expect_close("Perte", 0.5, "0.5")
    with pytest.raises(Failure, match="attendu des nombres, obtenu une liste de 2"):
        expect_close("Perte", [0.5, 0.5], [[0.5], [0.5, 1.0]])


# ------------------------------------------------------------------------------------------------- blame


def _raised(judge: Any, found: Any) -> BaseException:
    try:
        judge(found)
    except Exception as error:  # noqa: BLE001 - the judge's exception is what is under test
        return error
    raise AssertionError("the judge did not raise")


def _compare(found: Any) -> None:
    if found == [0, 1, 2]:
        return


def _index(found: Any) -> Any:
    return found["mse"]


def _shape(found: Any) -> Any:
    return found["output"].shape


def _first(found: Any) -> Any:
    return found[0]


def _mean(found: Any) -> float:
    return sum(found) / len(found)


STUDENT_FAULTS = [  # (judge, origin, value, what the message says)
    (_compare, "call", np.arange(3), "un tableau numpy de forme (3,) (int64)"),
    (_index, "call", None, "obtenu None"),
    (_index, "call", {"rmse": 1.0}, "clé 'mse' absente"),
    (_shape, "probe", {"output": [1, 2]}, "une liste de 2 éléments"),
    (_first, "call", [], "une liste de 0 élément"),
    (_mean, "call", [], "ZeroDivisionError"),
    (_mean, "probe", "ab", "la chaîne 'ab'"),
]


@pytest.mark.parametrize(("judge", "origin", "value", "text"), STUDENT_FAULTS)
def test_a_checks_exception_on_the_students_value_is_the_students(judge, origin, value, text):
    fault = student_fault(_raised(judge, value), [(origin, value)])
    assert fault is not None and fault.startswith("obtenu ") and text in fault


def _typo_key(found: Any) -> Any:
    return found["biais"]


def _undefined(found: Any) -> Any:
    return undefined_helper(found)  # noqa: F821 - the grader's bug under test


def _typo_attribute(found: Any) -> Any:
    return found.shapee


def _wrong_keyword(found: Any) -> None:
    expect_close("Perte", 1.0, found, rtl=1e-3)


def _own_value(found: Any) -> Any:
    expected = [1, 2]
    return expected[5]


GRADER_FAULTS = [  # a KeyError on a probe's reply is a typo: the probe's keys are the kit's
    (_typo_key, "probe", {"bias": np.zeros(1)}),
    (_undefined, "call", [1]),
    (_typo_attribute, "call", np.arange(3)),
    (_wrong_keyword, "call", 1.0),
    (_own_value, "call", [1, 2]),
]


@pytest.mark.parametrize(("judge", "origin", "value"), GRADER_FAULTS)
def test_the_graders_own_bugs_stay_grader_errors(judge, origin, value):
    assert student_fault(_raised(judge, value), [(origin, value)]) is None


def test_nothing_received_is_never_the_students():
    assert student_fault(_raised(_compare, np.arange(3)), []) is None


# ------------------------------------------------------------------------------------ through the plugin

TESTS = '''
import pytest

from autograder.checks.expect import expect_equal
from autograder.grader import graded


@pytest.fixture
def metrics(student):
    return student.call("no_return")


@graded(1, task="a")
def test_helper(student):
    """Les classes, dans une liste"""
    expect_equal("Classes", [1, 2, 3], student.call("as_array"))


@graded(1, task="a")
def test_plain_comparison(student):
    """Les classes, comparées directement"""
    found = student.call("as_array")
    assert found == [1, 2, 3]


@graded(1, task="a")
def test_fixture_value(metrics):
    """Le MSE du dictionnaire"""
    assert metrics["mse"] >= 0


@graded(1, task="a")
def test_grader_bug(student):
    """Correcteur défectueux"""
    return undefined_helper(student.call("as_array"))
'''


def test_plugin_scores_the_students_unexpected_type_as_a_failure(pytester):
    pytester.makepyfile(test_public=TESTS)
    namespace = {"as_array": lambda: np.array([1, 2, 3]), "no_return": lambda: None}
    context = GradingContext(Student(KernelBackend(namespace, "none")), tasks=("a",))
    pytester.inline_run("-p", "no:cacheprovider", plugins=[GradingPlugin(context)])
    results = {r.name: r for r in context.ordered()}
    assert {name: r.status for name, r in results.items()} == {
        "helper": Status.FAILED, "plain_comparison": Status.FAILED, "fixture_value": Status.FAILED,
        "grader_bug": Status.GRADER_ERROR}
    assert "obtenu un tableau numpy de forme (3,)" in results["helper"].message
    assert results["plain_comparison"].message.startswith("Attendu : les classes, comparées directement ; obtenu "
                                                          "un tableau numpy de forme (3,) (int64)")
    assert "obtenu None" in results["fixture_value"].message and "TypeError" in results["fixture_value"].message
    assert "Erreur du correcteur" in results["grader_bug"].message


# ------------------------------------------------------------------------------------- real gradings

FORGED_REPLY = '''
def _forge_deep_reply():
    """Write an over-deep reply on the worker's result pipe, where the worker names it."""
    import os
    fd = os.environ.get("DLKIT_RESULT_FD")
    if fd is not None:
        os.write(int(fd), b'{"type": "reply", "id": 0, "value": ' + b"[" * 200_000 + b"]" * 200_000 + b"}\\n")
'''
ANSWERS = {
    "array": "def top_predictions(probabilities, k=3):\n"
             "    order = np.argsort(probabilities)[::-1][:k]\n"
             "    return np.array([[int(c), float(probabilities[c])] for c in order])\n",
    "deep": FORGED_REPLY + "\n\ndef top_predictions(probabilities, k=3):\n"
            "    _forge_deep_reply()\n"
            "    nested = []\n"
            "    for _ in range(200_000):\n"
            "        nested = [nested]\n"
            "    return nested\n",
}


def _notebook(folder: Path, name: str) -> Path:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import numpy as np"),
                                               nbformat.v4.new_code_cell(ANSWERS[name])])
    path = folder / f"{name}.ipynb"
    nbformat.write(notebook, path)
    return path


@pytest.mark.parametrize(("name", "status", "text"), [
    ("array", Status.FAILED, "obtenu un tableau numpy de forme (3, 2) (float64)"),
    ("deep", Status.ERROR, "structure imbriquée sur plus de 200 niveaux"),  # its reply, or a forged line
])
def test_real_grading_of_an_unexpected_reply_is_the_students_failure(tmp_path, name, status, text):
    result = grade_notebook(_notebook(tmp_path, name), "04_mnist_mlops", only=frozenset({"top_predictions"}))
    (test,) = result.tests
    assert (test.status, test.score) == (status, 0.0), test.message
    assert text in test.message and "Erreur du correcteur" not in test.message
