"""The grading profile (issue 36, ``benchmarks.grading_profile``): opt-in, complete, and without effect on grades."""

from __future__ import annotations

import time
from typing import Any

from autograder.grading import profiling
from autograder.grading.engine import grade_notebook
from autograder.grading.sandbox import Limits, Observation
from autograder.grading.student import Student
from autograder.paths import SOLUTIONS_DIR
from benchmarks.grading_profile import profile_assignment

ASSIGNMENT = "01_regression"
#: a call, a probe that builds a model, a probe that trains one, a probe that renders a figure
CHECKS = frozenset({"split_shapes", "model_layers", "train_settings", "plot_learning_curve"})


class _Recording:
    """A backend that keeps the requests it is sent."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def request(self, request: dict[str, Any], timeout_s: float) -> tuple[int, Observation]:
        self.requests.append(request)
        return len(self.requests), Observation(value=1)


def test_requests_carry_the_profile_flag_only_while_recording() -> None:
    backend = _Recording()
    student = Student(backend)
    student.call("f")
    with profiling.recording() as recorder:
        recorder.begin_check("c")
        student.run("autograder.probes:anything")
        recorder.end_check("passed", 0)
    student.call("f")
    assert ["profile" in r for r in backend.requests] == [False, True, False]
    assert profiling.RECORDER is None
    assert [r.target for r in recorder.checks[0].requests] == ["autograder.probes:anything"]


def test_nested_regions_are_charged_once_and_training_wins() -> None:
    clock = profiling.Clock()
    with clock.region(profiling.STUDENT):
        time.sleep(0.02)
        with clock.region(profiling.TRAINING):
            with clock.region(profiling.STUDENT):  # student code called by a training: training
                time.sleep(0.03)
        time.sleep(0.01)
    clock.close()
    assert 0.025 <= clock.wall[profiling.TRAINING] < 0.1
    assert 0.025 <= clock.wall[profiling.STUDENT] < 0.1
    assert clock.wall[profiling.OTHER] < 0.02
    assert not clock.stack


def test_profile_adds_up_and_grades_do_not_change() -> None:
    plain = grade_notebook(SOLUTIONS_DIR / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", ASSIGNMENT, only=CHECKS,
                           limits=Limits(prestart=False))
    figures = profile_assignment(ASSIGNMENT, CHECKS)
    assert figures["not_passed"] == [] and figures["score"][0] == plain.score == figures["score"][1]
    assert [t.status for t in plain.tests] == ["passed"] * len(CHECKS)
    checks = {check["name"]: check for check in figures["checks"]}
    assert set(checks) == CHECKS
    for check in checks.values():
        parts = check["parts"]
        assert set(parts) == set(profiling.PARTS)
        assert all(part["wall"] >= 0 and part["cpu"] >= 0 for part in parts.values())
        assert abs(sum(part["wall"] for part in parts.values()) - check["wall"]) <= 0.05 + 0.02 * check["wall"]
        assert sum(part["cpu"] for part in parts.values()) <= check["cpu"] + 0.05
        assert check["requests"] and all(r["worker"].get("body_wall", 0) > 0 for r in check["requests"])
    assert checks["train_settings"]["parts"]["training"]["wall"] > 0.1
    assert checks["split_shapes"]["parts"]["training"]["wall"] == 0
    assert checks["split_shapes"]["parts"]["student"]["wall"] > 0
    assert checks["plot_learning_curve"]["rendered"] == checks["plot_learning_curve"]["figures"] == 1
    assert figures["floor_cpu"] > 0 and figures["jail"]["wall"] > 0 and figures["ratio"] > 1
