"""A corpus of hostile and broken submissions: each gets its exact expected outcome and gains nothing."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from autograder.data.locations import keras_datasets_dir, kit_data_home, sklearn_data_home
from autograder.export.gradescope import write_gradescope
from autograder.paths import GRADERS_DIR, KIT_ROOT
from autograder.results import SubmissionResult
from tests.conftest import HOSTILE_CHECKS as CHECKS
from tests.submissions.hostile import (
    ALL_ISOLATION_ATTACKS,
    ASSIGNMENT,
    DAEMON_MARK,
    ISOLATION_VARIANTS,
    VARIANTS,
    render_hostile,
)
from tests.submissions.variants import Variant

#: On the pytest-xdist worker that grades 01_regression's examples, with the class page (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("01_regression")
HIDDEN_SOURCE = (GRADERS_DIR / "a01_regression" / "test_hidden.py").read_text()


@pytest.fixture
def corpus(hostile_corpus) -> tuple[dict[str, SubmissionResult], Path, list[bytes]]:
    """The corpus graded once per session (``tests/conftest.py``), shared with the class report's test."""
    return hostile_corpus


def test_corpus_is_large_enough():
    assert len(VARIANTS) >= 68


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


#: The sandbox's user when the grading process is root; here, the unprivileged user who grades.
UNPRIVILEGED = 65534


def as_unprivileged_user(command: list[str], home: Path) -> list[str]:
    """``command`` run as :data:`UNPRIVILEGED`, who can read the interpreter and the datasets even where they lie in
    root's private home (a root-run bubblewrap lays them out read-only over an empty home, then ``setpriv``)."""
    own_home = Path.home().resolve()
    needed = [Path(sys.base_prefix), Path(sys.prefix), KIT_ROOT, kit_data_home(), sklearn_data_home(),
              keras_datasets_dir().parent]
    tops = {own_home / path.resolve().relative_to(own_home).parts[0] for path in needed
            if own_home in path.resolve().parents and path.exists()}  # bound whole: bwrap makes new folders 0700
    binds = [arg for path in sorted(tops) for arg in ("--ro-bind", str(path), str(path))]
    return ["bwrap", "--dev-bind", "/", "/", "--tmpfs", str(own_home), *binds, "--die-with-parent",
            "--cap-add", "CAP_SETUID,CAP_SETGID", "--", "setpriv", f"--reuid={UNPRIVILEGED}",
            f"--regid={UNPRIVILEGED}", "--clear-groups", "--", "env", f"HOME={home}",
            f"DLKIT_DATA={kit_data_home()}", f"SCIKIT_LEARN_DATA={sklearn_data_home()}",
            f"KERAS_HOME={keras_datasets_dir().parent}", *command]


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("bwrap"), reason="becoming another user needs root")
def test_isolation_attacks_graded_by_an_unprivileged_user():
    """The isolation attacks, graded in a batch by an ordinary user: bubblewrap confines them as well."""
    folder = Path(tempfile.mkdtemp(prefix="dlkit-unprivileged-"))
    try:
        inbox, home = folder / "inbox", folder / "home"
        for path in (folder, inbox, home):
            path.mkdir(exist_ok=True)
            os.chown(path, UNPRIVILEGED, UNPRIVILEGED)
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        for variant in ISOLATION_VARIANTS:
            text = render_hostile(variant, inbox, server.getsockname()[1])
            (inbox / f"{variant.name}.ipynb").write_text(text, encoding="utf-8")
        command = [sys.executable, "-m", "autograder", "grade", str(inbox), "--assignment", ASSIGNMENT, "--jobs", "2",
                   "--check", "split_shapes", "--json", str(folder / "all.json")]
        done = subprocess.run(as_unprivileged_user(command, home), cwd=KIT_ROOT, capture_output=True, text=True,
                              timeout=900)
        server.close()
        assert done.returncode == 0, done.stderr[-3000:]
        results = {r["student"]: r for r in json.loads((folder / "all.json").read_text(encoding="utf-8"))}
        assert set(results) == {variant.name for variant in ISOLATION_VARIANTS}
        for name, result in results.items():
            assert result["score"] == result["max_score"] == 1, (name, [t["message"] for t in result["tests"]])
            assert result["isolation"]["bubblewrap"] and not result["isolation"]["memory_cgroup"], name
        left = [pid for pid in os.listdir("/proc") if pid.isdigit() and _command(pid).endswith(f"sleep {DAEMON_MARK}")]
        assert left == []
        assert sorted(p.name for p in folder.iterdir()) == ["all.json", "home", "inbox"]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_isolation_attacks_through_pytest_notebook(tmp_path):
    """``pytest <graders> --notebook X``: every isolation attack in one submission gains nothing there either."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        notebook = tmp_path / "attacks.ipynb"
        notebook.write_text(render_hostile(ALL_ISOLATION_ATTACKS, tmp_path, server.getsockname()[1]), encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "pytest", str(GRADERS_DIR / "a01_regression"), "--notebook",
                               str(notebook), "-k", "split_shapes", "-p", "no:cacheprovider", "-v"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and "PASSED (1/1)" in done.stdout, done.stdout[-3000:]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["attacks.ipynb"]
