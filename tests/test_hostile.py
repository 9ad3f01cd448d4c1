"""A corpus of hostile and broken submissions: each gets its exact expected outcome and gains nothing."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from autograder.export.gradescope import write_gradescope
from autograder.paths import GRADERS_DIR
from autograder.results import SubmissionResult
from tests.conftest import HOSTILE_CHECKS as CHECKS
from tests.submissions.hostile import DAEMON_MARK, VARIANTS
from tests.submissions.variants import Variant

#: On the pytest-xdist worker that grades 01_regression's examples, with the class page (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("01_regression")
HIDDEN_SOURCE = (GRADERS_DIR / "a01_regression" / "test_hidden.py").read_text()


@pytest.fixture
def corpus(hostile_corpus) -> tuple[dict[str, SubmissionResult], Path, list[bytes]]:
    """The corpus graded once per session (``tests/conftest.py``), shared with the class report's test."""
    return hostile_corpus


def test_corpus_is_large_enough():
    assert len(VARIANTS) >= 65


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
    assert isolation == {"bubblewrap": True, "network": True, "loopback": True,
                         "memory_cgroup": os.geteuid() == 0}


def test_nothing_outlives_the_sandbox(corpus):
    """No process of any submission is left (the corpus's daemons among them), no jail folder, nothing planted."""
    left = [pid for pid in os.listdir("/proc") if pid.isdigit() and _command(pid).endswith(f"sleep {DAEMON_MARK}")]
    assert left == []
    planted = [p for folder in ("/tmp", "/dev/shm", "/var/tmp") for p in Path(folder).glob("*planted*")]
    assert planted == []
    results, results_dir, _ = corpus
    time.sleep(1)  # a daemon left running would rewrite the results file by now
    write_gradescope(results["daemon_rewrites_results"], results_dir / "check.json")
    assert '"score": 21}' not in (results_dir / "check.json").read_text()
    assert not (results_dir / "results.json").exists() or "21" not in (results_dir / "results.json").read_text()


def _command(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def test_no_network_from_the_sandbox(corpus):
    _, _, received = corpus
    assert received == []


def test_results_file_and_graders_cannot_be_overwritten(corpus):
    results, results_dir, _ = corpus
    result = results["write_results_file"]
    write_gradescope(result, results_dir / "results.json")
    assert f'"score": {result.score}' in (results_dir / "results.json").read_text()
    assert (GRADERS_DIR / "a01_regression" / "test_hidden.py").read_text() == HIDDEN_SOURCE
