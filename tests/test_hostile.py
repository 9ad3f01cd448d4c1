"""A corpus of hostile and broken submissions: each gets its exact expected outcome and gains nothing."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from autograder.export.gradescope import write_gradescope
from autograder.grading.assignments import load_assignment
from autograder.grading.batch import grade_many
from autograder.paths import GRADERS_DIR
from autograder.results import SubmissionResult
from autograder.submissions import Job
from tests.conftest import PARALLEL
from tests.submissions.hostile import ASSIGNMENT, VARIANTS
from tests.submissions.variants import Variant, render

#: The slow threshold check is left out: every hostile behaviour here targets the other functions.
CHECKS = frozenset(c.name for c in load_assignment(ASSIGNMENT).checks) - {"quality_rmse"}
HIDDEN_SOURCE = (GRADERS_DIR / "a01_regression" / "test_hidden.py").read_text()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[dict[str, SubmissionResult], Path, list[bytes]]:
    """Grade every hostile submission once; return results, the results folder and what the server received."""
    folder = tmp_path_factory.mktemp("hostile")
    results_dir = folder / "results"
    results_dir.mkdir()
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.1)
    jobs = []
    for variant in VARIANTS:
        text = (render(ASSIGNMENT, variant).replace("@RESULTS@", str(results_dir / "results.json"))
                .replace("@GRADERS@", str(GRADERS_DIR)).replace("@PORT@", str(server.getsockname()[1]))
                .replace("@FOLDER@", str(folder)))
        path = folder / f"{variant.name}.ipynb"
        path.write_text(text, encoding="utf-8")
        jobs.append(Job(path, variant.name, ASSIGNMENT))
    results = grade_many(jobs, PARALLEL, only=CHECKS, private_folders=(results_dir,))
    received = []
    try:
        while True:
            connection, _ = server.accept()
            received.append(connection.recv(100))
    except OSError:
        pass
    server.close()
    return {job.student: result for job, result in zip(jobs, results, strict=True)}, results_dir, received


def test_corpus_is_large_enough():
    assert len(VARIANTS) >= 40


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_hostile_submission_gets_its_exact_outcome(corpus, variant: Variant):
    results, _, _ = corpus
    result = results[variant.name]
    failing = CHECKS if variant.failing == {"*"} else variant.failing
    assert {t.name for t in result.tests} == CHECKS
    assert {t.name for t in result.tests if not t.passed} == failing, {t.name: t.message for t in result.tests}
    assert result.score == sum(t.max_score for t in result.tests if t.name not in failing)
    for check, text in variant.messages.items():
        for test in result.tests:
            if check in ("*", test.name):
                assert text in test.message, (test.name, test.message)
    for text in variant.notices:
        assert any(text in notice for notice in result.notices), result.notices
    for test in result.tests:
        assert "def test_" not in test.message and "RMSE_THRESHOLD" not in test.message


def test_sandbox_reports_its_isolation(corpus):
    results, _, _ = corpus
    isolation = results["wrong_kernel"].isolation
    assert isolation == {"network": True, "loopback": True, "files": True, "memory_cgroup": True}


def test_no_network_from_the_sandbox(corpus):
    _, _, received = corpus
    assert received == []


def test_results_file_and_graders_cannot_be_overwritten(corpus):
    results, results_dir, _ = corpus
    result = results["write_results_file"]
    write_gradescope(result, results_dir / "results.json")
    assert f'"score": {result.score}' in (results_dir / "results.json").read_text()
    assert (GRADERS_DIR / "a01_regression" / "test_hidden.py").read_text() == HIDDEN_SOURCE
