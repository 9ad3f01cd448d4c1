"""Gradescope's ``results.json`` (also read by many CI graders)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from autograder.report import format_test
from autograder.results import SubmissionResult

#: Hidden tests are shown once grades are published; their output never contains test code.
VISIBILITY = {False: "visible", True: "after_published"}


def gradescope_dict(result: SubmissionResult) -> dict[str, Any]:
    """The ``results.json`` structure: score, max_score, tests[name, score, max_score, visibility, output]."""
    return {
        "score": result.score,
        "max_score": result.max_score,
        "execution_time": round(result.duration_s, 2),
        "output": "\n".join(result.notices),
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


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename: never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_gradescope(result: SubmissionResult, path: Path) -> None:
    write_atomically(path, json.dumps(gradescope_dict(result), indent=2, ensure_ascii=False))
