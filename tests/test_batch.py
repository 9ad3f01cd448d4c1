"""Batch grading from the command line: inputs of every shape, exports, resume after interruption."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from nbgrader.api import Gradebook

from autograder.grading import zygote
from autograder.grading.assignments import describe_assignment
from autograder.grading.batch import grade_many
from autograder.grading.executors import with_lookahead
from autograder.grading.sandbox import Limits, SandboxSetup, jail_spec
from autograder.grading.tasks import Task
from autograder.paths import KIT_ROOT
from autograder.release import generate_in_scratch
from autograder.submissions import Job, discover
from tests.conftest import reference_notebook, student_notebook

EXAMPLES = KIT_ROOT / "tests" / "submissions" / "01_regression"
#: Cheap checks only: these tests are about the batch machinery, not the graders.
CHECKS = ("split_shapes", "metrics_rmse", "plot_learning_curve")


def _autograder(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "autograder", *args]
    for check in CHECKS:
        command += ["--check", check]
    return subprocess.run(command, cwd=KIT_ROOT, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def inbox(tmp_path) -> Path:
    """alice.ipynb, bob.zip, a corrupt carol.zip, and sub/dave.ipynb (the reference)."""
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(EXAMPLES / "wrong_rmse_is_mse.ipynb", folder / "alice.ipynb")
    with zipfile.ZipFile(folder / "bob.zip", "w") as archive:
        archive.write(EXAMPLES / "wrong_plot_without_legend.ipynb", "01_regression.ipynb")
    (folder / "carol.zip").write_text("not a zip")
    shutil.copy(reference_notebook("01_regression"), folder / "sub" / "dave.ipynb")
    return folder


def test_discover_refuses_zip_path_traversal(tmp_path):
    archive = tmp_path / "eve.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("../../escape.ipynb", "{}")
    (job,) = discover([archive], "01_regression", tmp_path / "scratch")
    assert job.problem and "chemin interdit" in job.problem
    assert not (tmp_path / "escape.ipynb").exists()


def test_same_named_zip_files_of_two_students_are_graded_as_each_student(tmp_path):
    """inbox/<student>/submission.zip: each archive extracts apart and is graded under its student's name."""
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    sources = {"alice": reference_notebook("01_regression"), "bob": EXAMPLES / "wrong_rmse_is_mse.ipynb"}
    for student, source in sources.items():
        (inbox / student).mkdir(parents=True)
        with zipfile.ZipFile(inbox / student / "submission.zip", "w") as archive:
            archive.write(source, "01_regression.ipynb")
    jobs = discover([inbox], "01_regression", tmp_path / "scratch")
    assert {job.student: job.path.read_bytes() for job in jobs} == {s: p.read_bytes() for s, p in sources.items()}
    done = _autograder("grade", str(inbox), "--assignment", "01_regression", "--out", str(out))
    assert done.returncode == 0, done.stderr
    scores = {row["student"]: row["score"] for row in csv.DictReader((out / "gradebook.csv").open())}
    assert scores == {"alice": "4", "bob": "3"}


def test_batch_exports_every_format_and_resumes(inbox, tmp_path):
    out = tmp_path / "out"
    first = _autograder("grade", str(inbox), "--assignment", "01_regression", "--out", str(out), "--jobs", "2")
    assert first.returncode == 0, first.stderr
    scores = {row["student"]: row for row in csv.DictReader((out / "gradebook.csv").open())}
    assert {k: (v["score"], v["max_score"]) for k, v in scores.items()} == {
        "alice": ("3", "4"), "bob": ("2", "4"), "carol": ("0", "4"), "sub/dave": ("4", "4")}
    assert "illisible" in scores["carol"]["notices"]
    gradescope = json.loads((out / "alice" / "results.json").read_text())
    assert gradescope["score"] == 3 and gradescope["max_score"] == 4
    assert {t["visibility"] for t in gradescope["tests"]} == {"visible"}
    suites = ElementTree.parse(out / "junit.xml").getroot()
    assert len(suites) == 4 and sum(int(s.get("failures")) for s in suites) == 2
    classroom = json.loads((out / "github-classroom.json").read_text())
    assert classroom["bob"]["points"] == "Points 2/4" and classroom["bob"]["result"]["status"] == "fail"
    page = (out / "bob" / "feedback.html").read_text()
    assert "data:image/png;base64," in page and "étiquette" in page and "def collect_" not in page
    index = (out / "index.html").read_text()
    assert 'href="sub/dave/feedback.html"' in index and 'data-total="3"' in index and "illisibles (<span" in index
    assert json.loads((out / ".state" / "batch.json").read_text())["students"] == list(scores)

    started = time.monotonic()
    again = _autograder("grade", str(inbox), "--assignment", "01_regression", "--out", str(out), "--jobs", "2")
    assert again.returncode == 0
    assert again.stderr.count("(already graded)") == 4
    assert time.monotonic() - started < 30


def test_interrupted_batch_keeps_finished_results(inbox, tmp_path):
    for number in range(6):  # a pre-started worker grades these cheap checks in about a second each: room to stop
        shutil.copy(reference_notebook("01_regression"), inbox / "sub" / f"extra_{number}.ipynb")
    total = len(list(inbox.rglob("*.ipynb"))) + len(list(inbox.glob("*.zip")))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "autograder", "grade", str(inbox), "--assignment", "01_regression",
               "--out", str(out)] + [arg for check in CHECKS for arg in ("--check", check)]
    process = subprocess.Popen(command, cwd=KIT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    state = out / ".state"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(list(state.rglob("result.json"))) < 2:
        time.sleep(0.5)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finished = len(list(state.rglob("result.json")))
    assert 2 <= finished < total
    for stored in state.rglob("result.json"):
        json.loads(stored.read_text())  # never half a file
    resumed = _autograder("grade", str(inbox), "--assignment", "01_regression", "--out", str(out))
    assert resumed.returncode == 0
    assert resumed.stderr.count("(already graded)") == finished


def test_nbgrader_tree_scores_go_to_the_gradebook(tmp_path):
    generate_in_scratch("01_regression", tmp_path)
    for student, source in (("ann", reference_notebook("01_regression")),
                            ("ben", EXAMPLES / "wrong_rmse_is_mse.ipynb")):
        folder = tmp_path / "submitted" / student / "01_regression"
        folder.mkdir(parents=True)
        shutil.copy(source, folder / "01_regression.ipynb")
    database = f"sqlite:///{tmp_path / 'gradebook.db'}"
    done = _autograder("grade", str(tmp_path), "--nbgrader-db", database)
    assert done.returncode == 0, done.stderr
    with Gradebook(database) as gradebook:
        assert gradebook.find_grade("test_metrics", "01_regression", "01_regression", "ann").auto_score == 1
        assert gradebook.find_grade("test_metrics", "01_regression", "01_regression", "ben").auto_score == 0
        assert gradebook.find_grade("test_plot", "01_regression", "01_regression", "ben").auto_score == 2


def test_single_submission_writes_gradescope_and_github_outputs(tmp_path):
    results = tmp_path / "results.json"
    done = _autograder("grade", str(EXAMPLES / "wrong_rmse_is_mse.ipynb"), "--results", str(results), "--github")
    assert done.returncode == 0
    assert "Points 3/4" in done.stdout and "results=" in done.stdout
    data = json.loads(results.read_text())
    assert set(data) >= {"score", "max_score", "tests"}
    assert all(set(t) >= {"name", "score", "max_score", "visibility", "output"} for t in data["tests"])


def test_unknown_task_or_check_is_refused_before_grading(capsys):
    from autograder.cli import main

    notebook = str(student_notebook("01_regression"))
    assert main(["check", notebook, "--task", "splt"]) == 2
    assert main(["grade", notebook, "--check", "split_shape"]) == 2
    errors = capsys.readouterr().err
    assert "aucun test ni aucune tâche ne s'appelle splt. Tâches : metrics, model, plot, scale, split, train" in errors
    assert "aucun test ni aucune tâche ne s'appelle split_shape. Tâches : metrics, model, plot, quality, " in errors


def _task(assignment: str | None) -> Task:
    return Task("key", b"{}", "x.ipynb", "x", assignment, None, True)


def test_a_jail_is_started_ahead_only_for_a_submission_this_process_grades_next():
    alone, same, other = _task("01_regression"), _task("01_regression"), _task("03_fashion_cnn")
    assert not with_lookahead(alone, [], 1).ahead
    assert not with_lookahead(alone, [other], 1).ahead
    assert with_lookahead(alone, [other, same], 1).ahead
    assert not with_lookahead(alone, [same], 2).ahead  # the other process may take it
    assert with_lookahead(alone, [same, same], 2).ahead
    assert not with_lookahead(_task(None), [_task(None)], 1).ahead


def test_the_last_submission_of_a_batch_starts_no_jail_for_nobody():
    jobs = [Job(EXAMPLES / "wrong_rmse_is_mse.ipynb", name, "01_regression") for name in ("ann", "ben")]
    described = describe_assignment("01_regression")
    spec = jail_spec(SandboxSetup(described.package, described.preload, described.probe_modules, (),
                                  warm=described.warm_modules), Limits(wall_s=described.time_limit_s))
    results = grade_many(jobs, 1, only=frozenset(CHECKS))
    assert [r.score for r in results] == [3.0, 3.0]
    assert not zygote._starting.get(spec), "a jail was started ahead after the batch's last submission"
