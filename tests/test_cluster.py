"""Batches beyond one grading process: memory shared out per host, a real Dask cluster, its faults survived.

Every test grades a few 01_regression notebooks on cheap checks only: they are about the batch machinery.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import distributed
import pytest

from autograder.grading.batch import BatchReport, grade_many
from autograder.grading.cluster import security
from autograder.grading.memory import MemoryLimit, sandbox_share
from autograder.paths import KIT_ROOT
from autograder.results import Status
from autograder.submissions import Job
from tests.conftest import reference_notebook
from tests.submissions.hostile import ASSIGNMENT, SCALE
from tests.submissions.variants import Variant, render

EXAMPLES = KIT_ROOT / "tests" / "submissions" / "01_regression"
CHECKS = ("split_shapes", "metrics_rmse")
EXPECTED = {"alice": 1.0, "bob": 2.0, "dave": 2.0}  # wrong RMSE, wrong legend (not graded here), reference
PROGRESSIVE_BOMB = Variant(
    "progressive_bomb", "scale_features takes 64 MiB more, written, until the limit stops it.", SCALE,
    {"scale_features": "def scale_features(X_train, X_test):\n    hog = []\n    while True:\n"
                       "        hog.append(b'x' * 2**26)"})


def _inbox(folder: Path, copies: int = 1) -> Path:
    folder.mkdir(parents=True)
    for number in range(copies):
        suffix = f"_{number}" if copies > 1 else ""
        shutil.copy(EXAMPLES / "wrong_rmse_is_mse.ipynb", folder / f"alice{suffix}.ipynb")
        shutil.copy(EXAMPLES / "wrong_plot_without_legend.ipynb", folder / f"bob{suffix}.ipynb")
        shutil.copy(reference_notebook("01_regression"), folder / f"dave{suffix}.ipynb")
    return folder


def _grade_command(inbox: Path, *options: str) -> list[str]:
    command = [sys.executable, "-m", "autograder", "grade", str(inbox), "--assignment", "01_regression", *options]
    return command + [arg for check in CHECKS for arg in ("--check", check)]


def _scores(path: Path) -> dict[str, tuple[float, list[tuple[str, str, float, str]]]]:
    """What a batch's ``--json`` says, less durations and paths: student -> (score, tests)."""
    return {r["student"]: (r["score"], [(t["name"], t["status"], t["score"], t["message"]) for t in r["tests"]])
            for r in json.loads(path.read_text())}


def test_progressive_memory_bombs_beside_a_reference(tmp_path):
    """Two sandboxes fill their memory at once next to a reference: each loses its own checks only."""
    jobs = []
    for number in range(2):
        path = tmp_path / f"bomb{number}.ipynb"
        path.write_text(render(ASSIGNMENT, PROGRESSIVE_BOMB), encoding="utf-8")
        jobs.append(Job(path, f"bomb{number}", ASSIGNMENT))
    jobs.append(Job(reference_notebook(ASSIGNMENT), "reference", ASSIGNMENT))
    only = frozenset({"scale_no_leakage", "split_shapes"})
    bomb0, bomb1, reference = grade_many(jobs, 3, only=only)
    assert reference.score == reference.max_score == 2, [t.message for t in reference.tests]
    for bomb in (bomb0, bomb1):
        status = {t.name: t.status.value for t in bomb.tests}
        assert status == {"split_shapes": "passed", "scale_no_leakage": "crashed"}, bomb.tests
    probe = MemoryLimit(2**30)  # whether this host lets a sandbox have its own memory cgroup
    assert reference.isolation["memory_cgroup"] is (probe.group is not None)
    probe.remove()
    assert 3 * sandbox_share(3) < os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def test_local_cluster_grades_like_grading_processes(tmp_path):
    inbox = _inbox(tmp_path / "inbox")
    for options, name in ((("--jobs", "2"), "jobs"), (("--jobs", "2", "--scheduler", "local"), "dask")):
        done = subprocess.run(_grade_command(inbox, *options, "--json", str(tmp_path / f"{name}.json")),
                              cwd=KIT_ROOT, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
    assert _scores(tmp_path / "jobs.json") == _scores(tmp_path / "dask.json")
    assert {k: v[0] for k, v in _scores(tmp_path / "dask.json").items()} == EXPECTED


def _stored(out: Path) -> int:
    return len(list((out / ".state").rglob("result.json")))


def _wait_for(condition, timeout: float = 400) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.3)


def _totals(path: Path) -> dict[str, float]:
    """What a batch's ``--json`` says: student -> score."""
    return {student: score for student, (score, _) in _scores(path).items()}


def _tls_options(certificates: tuple[str, str, str] | None) -> tuple[str, ...]:
    """The command-line options of an authority, certificate and key (none without them)."""
    names = ("--tls-ca-file", "--tls-cert", "--tls-key")
    return tuple(arg for name, path in zip(names, certificates or (), strict=False) for arg in (name, path))


class Cluster:
    """A real ``dask scheduler`` and ``autograder worker`` processes, each in its own session."""

    def __init__(self, folder: Path, worker_setup: tuple[Callable[[], None] | None, ...] = (None, None),
                 certificates: tuple[str, str, str] | None = None) -> None:
        """``worker_setup``: one per worker, run in its process before it starts (None: nothing);
        ``certificates``: the authority, certificate and key every process uses (then only TLS is spoken)."""
        tls = _tls_options(certificates)
        self.file = folder / "scheduler.json"
        self.file.unlink(missing_ok=True)
        self.processes: list[subprocess.Popen] = []
        self.scheduler = self._start([sys.executable, "-m", "distributed.cli.dask_scheduler", "--no-dashboard",
                                      "--scheduler-file", str(self.file), "--port", "0",  # tests on two workers
                                      *(("--protocol", "tls") if tls else ()),
                                      *tls])
        _wait_for(self.file.exists, 120)
        self.workers = [self._start([sys.executable, "-m", "autograder", "worker", "--scheduler-file",
                                     str(self.file), *tls], setup) for setup in worker_setup]
        secured = security(*certificates) if certificates else None
        with distributed.Client(scheduler_file=str(self.file), timeout=120, security=secured) as client:
            client.wait_for_workers(len(self.workers), timeout=300)  # every worker gets a share of the batch

    def _start(self, command: list[str], setup: Callable[[], None] | None = None) -> subprocess.Popen:
        process = subprocess.Popen(command, cwd=KIT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True, preexec_fn=setup)
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()


def _worker_processes(nanny_session: int) -> list[int]:
    """The Dask worker processes (the nanny's children) of one ``autograder worker`` session."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getsid(int(entry.name)) == nanny_session and b"spawn_main" in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.fixture
def cluster(tmp_path):
    started = Cluster(tmp_path)
    yield started
    started.stop()


def test_cluster_loses_nothing_to_a_dead_worker_launcher_or_scheduler(cluster, tmp_path):
    inbox = _inbox(tmp_path / "inbox", copies=3)
    out = tmp_path / "out"
    command = _grade_command(inbox, "--scheduler-file", str(cluster.file), "--out", str(out))
    launcher = subprocess.Popen(command, cwd=KIT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
    _wait_for(lambda: _stored(out) >= 1)
    victims = _worker_processes(cluster.workers[0].pid)
    assert victims
    os.kill(victims[0], signal.SIGKILL)  # one worker dies mid-batch: its nanny restarts it
    _wait_for(lambda: _stored(out) >= 4)
    os.killpg(launcher.pid, signal.SIGKILL)  # the launcher dies mid-batch
    launcher.wait()
    before = _stored(out)
    assert 4 <= before < 9
    rerun = subprocess.Popen([*command, "--json", str(tmp_path / "all.json")], cwd=KIT_ROOT,
                             stdout=subprocess.DEVNULL, stderr=(tmp_path / "rerun.log").open("w"), text=True)
    _wait_for(lambda: _stored(out) > before)
    cluster.scheduler.send_signal(signal.SIGKILL)  # the scheduler dies while the rerun goes on
    rerun.wait(timeout=300)
    errors = (tmp_path / "rerun.log").read_text()
    assert rerun.returncode == 3, errors[-2000:]
    assert "the Dask scheduler was lost" in errors and "run the same command again" in errors
    assert errors.count("(already graded)") == before
    cluster.stop()
    again = Cluster(tmp_path)
    cluster.processes += again.processes
    final = subprocess.run([*command, "--json", str(tmp_path / "all.json")], cwd=KIT_ROOT, capture_output=True,
                           text=True, timeout=600)
    assert final.returncode == 0, final.stderr[-2000:]
    assert final.stderr.count("(already graded)") >= before
    assert "infrastructure failure" not in final.stderr
    scores = _totals(tmp_path / "all.json")
    assert scores == {f"{name}_{n}": points for name, points in EXPECTED.items() for n in range(3)}


def _full_disk() -> None:
    """What a worker on a full disk meets: no file of more than 4 KiB can be written (Python ignores SIGXFSZ,
    so the write fails with ``OSError: File too large``, as it would with ``No space left on device``)."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))


def test_infrastructure_error_inside_a_task_is_retried_on_another_worker(tmp_path):
    """The first worker cannot write the notebooks it receives: each of its tasks is graded on the other one."""
    inbox = _inbox(tmp_path / "inbox")
    cluster = Cluster(tmp_path, worker_setup=(_full_disk, None))
    try:
        done = subprocess.run(_grade_command(inbox, "--scheduler-file", str(cluster.file), "--json",
                                             str(tmp_path / "all.json")),
                              cwd=KIT_ROOT, capture_output=True, text=True, timeout=600)
    finally:
        cluster.stop()
    assert done.returncode == 0, done.stderr[-2000:]
    retried = [line for line in done.stderr.splitlines() if line.startswith("retried elsewhere")]
    assert retried and all("File too large" in line for line in retried), done.stderr[-2000:]
    assert "infrastructure failure" not in done.stderr
    assert _totals(tmp_path / "all.json") == EXPECTED


def _certificates(folder: Path) -> tuple[str, str, str]:
    """A self-signed certificate as the authority, the certificate and its key, written to files: their paths."""
    made = distributed.Security.temporary()
    files = {"ca.pem": made.tls_ca_file, "cert.pem": made.tls_client_cert, "key.pem": made.tls_client_key}
    for name, text in files.items():
        (folder / name).write_text(text)
    return str(folder / "ca.pem"), str(folder / "cert.pem"), str(folder / "key.pem")


def test_tls_cluster_grades_and_turns_plain_clients_away(tmp_path):
    """Scheduler, workers and launcher speak TLS only; a launcher without the certificates is refused."""
    certificates = _certificates(tmp_path)
    tls = _tls_options(certificates)
    inbox = _inbox(tmp_path / "inbox")
    cluster = Cluster(tmp_path, worker_setup=(None,), certificates=certificates)
    try:
        assert json.loads(cluster.file.read_text())["address"].startswith("tls://")
        plain = subprocess.run(_grade_command(inbox, "--scheduler-file", str(cluster.file)), cwd=KIT_ROOT,
                               capture_output=True, text=True, timeout=300)
        secured = subprocess.run(_grade_command(inbox, "--scheduler-file", str(cluster.file), *tls, "--json",
                                                str(tmp_path / "all.json")),
                                 cwd=KIT_ROOT, capture_output=True, text=True, timeout=600)
    finally:
        cluster.stop()
    assert plain.returncode != 0 and "Traceback" not in plain.stderr, plain.stderr[-2000:]
    assert "the scheduler speaks TLS only: give --tls-ca-file" in plain.stderr, plain.stderr[-2000:]
    assert secured.returncode == 0, secured.stderr[-2000:]
    assert _totals(tmp_path / "all.json") == EXPECTED


#: split_data tries to kill the grading process above its sandbox (the parent of the process that forked it), as a
#: submission that "kills workers" would: in its jail, that parent is bubblewrap's init, which it cannot signal.
KILLER = Variant(
    "worker_killer", "split_data kills the grading process above its sandbox.", frozenset(),
    {"split_data": "def split_data(X, y, test_size=0.2, random_state=42):\n    import os\n"
                   "    zygote = os.getppid()\n"
                   "    with open(f'/proc/{zygote}/stat') as stat:\n"
                   "        grading = int(stat.read().rpartition(')')[2].split()[1])\n"
                   "    os.kill(grading, 9)"})


def test_submission_cannot_kill_its_grading_process(tmp_path):
    path = tmp_path / "killer.ipynb"
    path.write_text(render(ASSIGNMENT, KILLER), encoding="utf-8")
    report = BatchReport()
    killer, reference = grade_many([Job(path, "killer", ASSIGNMENT), Job(reference_notebook(ASSIGNMENT), "reference",
                                                                         ASSIGNMENT)],
                                   2, only=frozenset({"split_shapes"}), report=report)
    assert reference.score == reference.max_score == 1
    assert [t.status for t in killer.tests] == [Status.FAILED]  # its split_data returns nothing: its own mistake
    assert report.failures == [] and report.retried == []


def test_dask_is_not_imported_without_a_scheduler():
    code = ("import sys, autograder.cli, autograder.grading.batch, autograder.grading.executors\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'dask', 'distributed'}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=KIT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stderr
