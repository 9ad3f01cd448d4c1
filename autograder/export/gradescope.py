"""Gradescope's ``results.json`` (also read by many CI graders)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from autograder.export.files import write_atomically
from autograder.report import format_test, late_part, provisional_part
from autograder.results import SubmissionResult

#: Hidden tests are shown once grades are published; their output never contains test code.
VISIBILITY = {False: "visible", True: "after_published"}


def gradescope_dict(result: SubmissionResult) -> dict[str, Any]:
    """The ``results.json`` structure: score, max_score, output, tests[name, score, max_score, visibility, output].

    The submission's ``output`` says how many points of the score are provisional, the late penalty, then the
    notices. ``score`` is the score after the late penalty (Gradescope takes it over the tests' sum); the tests
    keep their raw points.
    """
    lines = [line for line in (provisional_part(*result.provisional_score()), late_part(result)) if line]
    return {
        "score": result.final_score,
        "max_score": result.max_score,
        "execution_time": round(result.duration_s, 2),
        "output": "\n".join([*lines, *result.notices]),
        "tests": [
            {
                "name": f"{test.task} — {test.title}",
                "number": test.name,
                "score": test.score,
                "max_score": test.max_score,
                "status": "passed" if test.passed else "failed",
                "visibility": VISIBILITY[test.hidden],
                "output": format_test(test),
            }
            for test in result.tests
        ],
    }


def write_gradescope(result: SubmissionResult, path: Path) -> None:
    write_atomically(path, json.dumps(gradescope_dict(result), indent=2, ensure_ascii=False))
