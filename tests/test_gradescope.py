"""Gradescope's autograder zip, rehearsed in a scratch copy of Gradescope's container layout.

``/autograder/{source,submission,results}`` is a temporary folder (``AUTOGRADER_ROOT``); the
interpreter is a fresh virtual environment (``DLKIT_PYTHON``), where ``setup.sh`` installs the
graders' wheel from the zip, as Gradescope runs it once when it builds the image.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import zipfile

from autograder.data.locations import default_mirror
from autograder.distribution.gradescope import write_zip
from autograder.grading.assignments import load_assignment
from tests.conftest import reference_notebook, student_notebook
from tests.submissions.hostile import ALL_ISOLATION_ATTACKS, render_hostile

ASSIGNMENT = "01_regression"


def _run(script, root, grader_env) -> subprocess.CompletedProcess:
    env = grader_env.environ(AUTOGRADER_ROOT=str(root), DLKIT_PYTHON=str(grader_env.python),
                             DLKIT_DATASET_MIRROR=str(default_mirror() or ""))
    return subprocess.run(["bash", str(root / "source" / script)], cwd=root / "source", env=env,
                          capture_output=True, text=True, timeout=900)


def _results(root, submission, grader_env) -> dict:
    folder = root / "submission"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    if submission is not None:
        shutil.copy(submission, folder / "devoir.ipynb")  # students upload under any name
    completed = _run("run_autograder", root, grader_env)
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def test_gradescope_zip_grades_reference_untouched_and_empty_submissions(grader_env, tmp_path):
    archive = write_zip(ASSIGNMENT, tmp_path / "autograder.zip")
    root = tmp_path / "autograder"
    with zipfile.ZipFile(archive) as opened:
        assert sorted(opened.namelist()) == sorted(["setup.sh", "run_autograder", grader_env.wheel.name])
        for name in ("setup.sh", "run_autograder"):
            assert opened.getinfo(name).external_attr >> 16 & 0o111  # executable
        opened.extractall(root / "source")
    (root / "results").mkdir()
    setup = _run("setup.sh", root, grader_env)
    assert setup.returncode == 0, setup.stdout[-2000:] + setup.stderr[-2000:]

    graders = load_assignment(ASSIGNMENT)
    total = sum(c.points for c in graders.checks)
    reference = _results(root, reference_notebook(ASSIGNMENT), grader_env)
    assert reference["score"] == reference["max_score"] == total
    visibility = {t["number"]: t["visibility"] for t in reference["tests"]}
    assert visibility == {c.name: "after_published" if c.hidden else "visible" for c in graders.checks}

    with socket.socket() as server:  # the reference, split_data trying every isolation attack first
        server.bind(("127.0.0.1", 0))
        attacks = tmp_path / "attacks.ipynb"
        attacks.write_text(render_hostile(ALL_ISOLATION_ATTACKS, tmp_path / "others", server.getsockname()[1]),
                           encoding="utf-8")  # "others": a folder the jail must not see, and does not hold
        attacked = _results(root, attacks, grader_env)
    assert attacked["score"] == total, [t["output"] for t in attacked["tests"] if t["score"] < t["max_score"]]

    untouched = _results(root, student_notebook(ASSIGNMENT), grader_env)
    assert (untouched["score"], untouched["max_score"]) == (0, total)
    assert all("NotImplementedError" in t["output"] for t in untouched["tests"] if t["visibility"] == "visible")

    empty = _results(root, None, grader_env)
    assert (empty["score"], empty["max_score"]) == (0, total)
    assert "Aucun notebook" in empty["output"]
