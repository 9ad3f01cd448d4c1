"""GitHub Classroom autograding output.

GitHub Classroom's grading reporter reads, per runner, a base64 JSON document (``version``,
``status``, ``max_score``, ``tests``); the classic autograding action also reads a
``Points X/Y`` line. Both come from the same result. The Classroom repository's workflow
(:mod:`autograder.distribution.classroom`) hands the reporter one runner per check
(:func:`runner_documents`, through ``python -m autograder.export.github``).
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
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


def runner_documents(result: SubmissionResult) -> dict[str, dict[str, Any]]:
    """One reporter runner per check: ``{check name: its runner document}``.

    The reporter's console counts a runner's passing tests as equal shares of its ``max_score``, while
    the grade it notifies adds up the tests' scores: with one check per runner, both give the check's
    points, so the log and the grade agree on a total that is :attr:`SubmissionResult.score`.
    """
    document = classroom_dict(result)
    return {test.name: {**document, "status": entry["status"], "max_score": test.max_score, "tests": [entry]}
            for test, entry in zip(result.tests, document["tests"], strict=True)}


def main(argv: list[str] | None = None) -> int:
    """``python -m autograder.export.github RESULTS_JSON --runners CHECK,...``: the grading step's outputs.

    Reads the file ``autograder grade --json`` wrote for one submission and prints one ``CHECK=<base64>``
    line per runner, for ``$GITHUB_OUTPUT``. Fails if the graded checks are not exactly the runners the
    workflow names (graders changed since the workflow was generated: points would be lost silently).
    """
    parser = argparse.ArgumentParser(prog="python -m autograder.export.github", description=main.__doc__)
    parser.add_argument("results", help="the --json file of `autograder grade` (one submission)")
    parser.add_argument("--runners", required=True, help="the workflow's runners: check names, comma-separated")
    args = parser.parse_args(argv)
    with open(args.results, encoding="utf-8") as stream:
        (result,) = [SubmissionResult.from_dict(data) for data in json.load(stream)]
    documents = runner_documents(result)
    expected = args.runners.split(",")
    if sorted(documents) != sorted(expected):
        print(f"error: graded checks {sorted(documents)} differ from the workflow's runners {sorted(expected)}: "
              "generate the Classroom repository again with the current graders", file=sys.stderr)
        return 1
    for name in expected:
        encoded = base64.b64encode(json.dumps(documents[name], ensure_ascii=False).encode()).decode()
        print(f"{name}={encoded}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
