"""GitHub Classroom autograding output.

GitHub Classroom's grading reporter reads, per runner, a base64 JSON document (``version``,
``status``, ``max_score``, ``tests``); the classic autograding action also reads a
``Points X/Y`` line. Both come from the same result.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from autograder.report import format_test
from autograder.results import SubmissionResult


def classroom_dict(result: SubmissionResult) -> dict[str, Any]:
    """The runner result document of GitHub Classroom's autograding reporter."""
    return {
        "version": 1,
        "status": "pass" if result.score == result.max_score else "fail",
        "max_score": result.max_score,
        "tests": [
            {
                "name": f"{test.task} — {test.title}",
                "status": "pass" if test.passed else ("error" if test.status.value != "failed" else "fail"),
                "score": test.score,
                "message": format_test(test),
                "test_code": "",  # never the check's code, hidden or not
                "filename": "",
                "line_no": 0,
                "execution_time": f"{test.duration_s:.2f}s",
            }
            for test in result.tests
        ],
    }


def classroom_encoded(result: SubmissionResult) -> str:
    """The base64 value to export as the runner's ``<ID>_RESULTS`` output."""
    return base64.b64encode(json.dumps(classroom_dict(result), ensure_ascii=False).encode()).decode()


def points_line(result: SubmissionResult) -> str:
    """The line the classic autograding action parses."""
    return f"Points {result.score:g}/{result.max_score:g}"
