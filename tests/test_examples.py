"""Graders are right: full marks for the reference, 0 for the untouched notebook, exact partial credit."""

from __future__ import annotations

import pytest

from autograder.grading.assignments import load_assignment
from autograder.results import Status
from tests.submissions.build import example_modules, example_path
from tests.submissions.variants import render

MODULES = list(example_modules())
#: One pytest-xdist worker runs all the tests of an assignment's examples (``--dist loadgroup``, tests/conftest.py).
ASSIGNMENTS = [pytest.param(m.ASSIGNMENT, marks=pytest.mark.xdist_group(m.ASSIGNMENT)) for m in MODULES]
VARIANTS = [pytest.param(m.ASSIGNMENT, v, id=f"{m.ASSIGNMENT}/{v.name}", marks=pytest.mark.xdist_group(m.ASSIGNMENT))
            for m in MODULES for v in m.VARIANTS]


def _grader_errors(result) -> dict[str, str]:
    """Tests that broke on the grader's side: always a defect of the kit, never the student's 0."""
    return {t.name: t.message for t in result.tests if t.status is Status.GRADER_ERROR}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reference_solution_gets_full_marks(graded_examples, assignment):
    result = graded_examples(assignment)[f"{assignment}/reference"]
    failed = {t.name: t.message for t in result.tests if not t.passed}
    assert failed == {}
    assert result.score == result.max_score == sum(c.points for c in load_assignment(assignment).checks)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_untouched_student_notebook_gets_zero(graded_examples, assignment):
    result = graded_examples(assignment)[f"{assignment}/untouched"]
    assert _grader_errors(result) == {}
    assert result.score == 0
    assert all(t.status in (Status.ERROR, Status.FAILED) for t in result.tests)
    assert all("NotImplementedError" in t.message or "introuvable" in t.message for t in result.tests)


@pytest.mark.parametrize(("assignment", "variant"), VARIANTS)
def test_wrong_submission_gets_expected_partial_credit(graded_examples, assignment, variant):
    result = graded_examples(assignment)[f"{assignment}/{variant.name}"]
    assert _grader_errors(result) == {}
    graded = {t.name for t in result.tests}  # the checks the variant can change (see tests/conftest.py)
    assert set(variant.failing) <= graded, sorted(set(variant.failing) - graded)
    failed = {t.name for t in result.tests if not t.passed}
    assert failed == set(variant.failing), {t.name: t.message for t in result.tests if not t.passed}
    lost = sum(load_assignment(assignment).check(name).points for name in variant.failing)
    assert result.score == result.max_score - lost
    for check, text in variant.messages.items():
        assert text in next(t.message for t in result.tests if t.name == check), check
    for test in result.tests:
        if not test.passed:
            assert "attendu" in test.message or "doit" in test.message or "pas" in test.message, test.message


@pytest.mark.parametrize(("assignment", "variant"), VARIANTS)
def test_example_files_are_in_sync_with_their_definitions(assignment, variant):
    assert example_path(assignment, variant).read_text(encoding="utf-8") == render(assignment, variant), (
        "run: python -m tests.submissions.build"
    )
