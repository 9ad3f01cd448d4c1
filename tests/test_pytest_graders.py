"""Graders are pytest files: pytest runs them on a notebook, and outcomes are scored as the kit says."""

from __future__ import annotations

import subprocess
import sys
from xml.etree import ElementTree

import pytest

from autograder.grading.student import KernelBackend, Student
from autograder.paths import GRADERS_DIR, KIT_ROOT
from autograder.pytest_plugin import GradingContext, GradingPlugin
from autograder.results import Status
from tests.conftest import reference_notebook

GRADERS = GRADERS_DIR / "a01_regression"
WRONG_RMSE = KIT_ROOT / "tests" / "submissions" / "01_regression" / "wrong_rmse_is_mse.ipynb"
CHEAP = "split or metrics"


def _pytest(*args: str, cwd) -> subprocess.CompletedProcess:
    """``pytest <01_regression's graders> ARGS``, from ``cwd``, with its own cache (``--lf``)."""
    return subprocess.run([sys.executable, "-m", "pytest", str(GRADERS), "-o", f"cache_dir={cwd / 'cache'}", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=600)


def test_pytest_grades_a_notebook_with_points_and_junit_properties(tmp_path):
    report = tmp_path / "junit.xml"
    completed = _pytest("--notebook", str(reference_notebook("01_regression")), "-k", CHEAP, "-v",
                        "--junitxml", str(report), cwd=tmp_path)
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert "PASSED (1/1)" in completed.stdout
    assert "Total : 7/7 points" in completed.stdout
    cases = ElementTree.parse(report).getroot().iter("testcase")
    properties = {case.get("name"): {p.get("name"): p.get("value") for p in case.iter("property")} for case in cases}
    assert properties["test_metrics_mae"] == {"points": "1.0", "max_points": "1.0", "visibility": "hidden",
                                              "task": "metrics"}
    assert properties["test_split_shapes"]["visibility"] == "visible"
    assert len(properties) == 7


def test_pytest_exit_status_selection_and_last_failed(tmp_path):
    wrong = _pytest("--notebook", str(WRONG_RMSE), "-k", "metrics", cwd=tmp_path)
    assert wrong.returncode == 1
    assert "Total : 3/4 points" in wrong.stdout
    assert "RMSE sur 50 valeurs aléatoires : attendu" in wrong.stdout
    again = _pytest("--notebook", str(WRONG_RMSE), "--lf", "-v", cwd=tmp_path)
    assert "test_metrics[rmse] FAILED (0/1)" in again.stdout, again.stdout[-2000:]
    assert again.stdout.count("PASSED") == 0
    first = _pytest("--notebook", str(WRONG_RMSE), "-k", "metrics", "-x", "-v", cwd=tmp_path)
    assert "stopping after 1 failures" in first.stdout


TESTS = '''
import pytest
from autograder.checks.expect import expect_equal
from autograder.grader import graded


@graded(1, task="a")
def test_right(student):
    """Bonne réponse"""
    expect_equal("Somme", 3, student.call("add", 1, 2))


@graded(2, task="a")
def test_wrong(student):
    """Mauvaise réponse"""
    expect_equal("Produit", 6, student.call("multiply", 2, 3))


@graded(1, task="b")
def test_plain_assert(student):
    """Assertion simple"""
    assert student.call("add", 2, 2) == 5


@graded(1, task="b")
def test_student_raises(student):
    """Le code lève une exception"""
    student.call("broken")


@graded(1, task="b")
def test_missing(student):
    """Fonction absente"""
    student.call("absent")


@graded(1, task="b")
def test_grader_bug(student):
    """Correcteur défectueux"""
    return student.call("add", 1, 1)["key"]


@graded(1, task="b")
@pytest.mark.parametrize("value", [1, 2], ids=["one", "two"])
def test_param(student, value):
    """Paramètre {value}"""
    expect_equal("Identité", value, student.call("identity", value))
'''


def _kernel_namespace() -> dict:
    def broken():
        raise ValueError("pas fini")

    return {"add": lambda a, b: a + b, "multiply": lambda a, b: a + b, "broken": broken,
            "identity": lambda value: value}


def test_outcomes_are_scored_student_failure_apart_from_grader_error(pytester):
    pytester.makepyfile(test_public=TESTS)
    context = GradingContext(Student(KernelBackend(_kernel_namespace(), "none")), tasks=("a", "b"))
    pytester.inline_run("-p", "no:cacheprovider", plugins=[GradingPlugin(context)])
    results = {r.name: r for r in context.ordered()}
    assert {name: r.status for name, r in results.items()} == {
        "right": Status.PASSED, "wrong": Status.FAILED, "plain_assert": Status.FAILED,
        "student_raises": Status.ERROR, "missing": Status.ERROR, "grader_bug": Status.GRADER_ERROR,
        "param_one": Status.PASSED, "param_two": Status.PASSED}
    assert results["wrong"].message == "Produit : attendu 6, obtenu 5."
    assert results["plain_assert"].message.startswith("Attendu : assertion simple")
    assert "student.call" not in results["plain_assert"].message  # the test's code is never shown
    assert "ValueError: pas fini" in results["student_raises"].message
    assert "introuvable" in results["missing"].message
    assert "Erreur du correcteur" in results["grader_bug"].message
    assert results["param_two"].title == "Paramètre 2"
    assert [r.score for r in results.values()] == [1, 0, 0, 0, 0, 0, 1, 1]


def test_hidden_tests_only_in_hidden_files(pytester):
    pytester.makepyfile(test_public='''
from autograder.grader import graded, hidden

@hidden
@graded(1, task="a")
def test_secret(student):
    """Caché au mauvais endroit"""
''')
    context = GradingContext(Student(KernelBackend({}, "none")), tasks=("a",))
    result = pytester.inline_run("-p", "no:cacheprovider", plugins=[GradingPlugin(context)])
    assert result.ret == pytest.ExitCode.INTERNAL_ERROR or result.ret == pytest.ExitCode.USAGE_ERROR
