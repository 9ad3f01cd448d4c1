"""What a grader module imports to declare its tests.

A grader is a pytest file; each ``test_…`` function is one graded check::

    from autograder.grader import graded, hidden
    from autograder.checks.expect import expect_close

    from a01_regression import probes

    @graded(1, task="metrics")
    def test_metrics_mse(student):
        \"\"\"MSE comparée à numpy\"\"\"
        found = student.call("compute_metrics", Y_TRUE, Y_PRED)
        expect_close("MSE sur 50 valeurs", np.mean((Y_TRUE - Y_PRED) ** 2), found["mse"])

* ``@graded(points, task, timeout_s=60, provisional=False)``: the points at stake, the graded
  step (one nbgrader autograded cell), the time limit of each request to the sandbox, and
  whether the points are an automatic estimate of a manually graded criterion;
* ``pytestmark = hidden`` at the top of ``test_hidden.py``: the file's tests are hidden
  (they never ship to students, and only that file may hold hidden tests);
* the docstring's first line is the test's French title (``{name}`` is filled from
  ``@pytest.mark.parametrize`` arguments);
* fixtures: ``student`` (see :mod:`autograder.grading.student`), ``notebook`` (the submitted
  notebook, parsed, for checks of its text and figures).
"""

from __future__ import annotations

import pytest

DEFAULT_TIMEOUT_S = 60.0


def graded(points: float, task: str, *, timeout_s: float = DEFAULT_TIMEOUT_S,
           provisional: bool = False) -> pytest.MarkDecorator:
    """Declare a test's points, task, time limit (seconds per request) and provisional status."""
    return pytest.mark.graded(points=points, task=task, timeout_s=timeout_s, provisional=provisional)


#: Mark of hidden tests (``pytestmark = hidden`` in ``test_hidden.py``).
hidden = pytest.mark.hidden
