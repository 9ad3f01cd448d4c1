"""Gradescope's autograder zip, rehearsed in a scratch copy of Gradescope's container layout.

``/autograder/{source,submission,results}`` is a temporary folder (``AUTOGRADER_ROOT``); the kit's
environment is a fresh virtual environment (``DLKIT_GRADESCOPE_VENV``, made beforehand: installing the
frameworks again would take gigabytes), where ``setup.sh`` installs the graders' wheel from the zip, as
Gradescope runs it once when it builds the image. How ``setup.sh`` makes that environment itself, from an
externally managed (PEP 668) or too old Python, is rehearsed with a small stand-in wheel and a fake ``apt-get``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import zipfile
from pathlib import Path

import pytest

from autograder.data.locations import default_mirror
from autograder.distribution.gradescope import run_script, setup_script, write_zip
from autograder.grading.assignments import load_assignment
from tests.conftest import reference_notebook, student_notebook
from tests.submissions.hostile import ALL_ISOLATION_ATTACKS, render_hostile

ASSIGNMENT = "01_regression"


def _run(script, root, grader_env) -> subprocess.CompletedProcess:
    env = grader_env.environ(AUTOGRADER_ROOT=str(root), DLKIT_GRADESCOPE_VENV=str(grader_env.root),
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
        names = sorted(opened.namelist())  # a build's version has its time when the tree is dirty: not the fixture's
        assert names[1:] == ["run_autograder", "setup.sh"] and names[0].startswith("dlkit_grader-"), names
        assert names[0].endswith("-py3-none-any.whl"), names
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


#: The system Python of a Debian 12 / Ubuntu 23.04+ machine, marked "externally managed" (PEP 668).
SYSTEM_PYTHON = Path("/usr/bin/python3")
#: A stand-in for the grader wheel: its ``python -m autograder`` records where it runs and with which arguments.
STAND_IN = "dlkit_grader-0.0.0-py3-none-any.whl"
STAND_IN_MAIN = """import json, os, sys
with open(os.environ["DLKIT_TEST_CALLS"], "a") as calls:
    calls.write(json.dumps({"prefix": sys.prefix, "args": sys.argv[1:]}) + "\\n")
"""


def _externally_managed(python: Path) -> bool:
    if not python.exists():
        return False
    found = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
                           capture_output=True, text=True)
    return found.returncode == 0 and (Path(found.stdout.strip()) / "EXTERNALLY-MANAGED").is_file()


def _stand_in_zip(root: Path) -> None:
    """``root/source``: the zip's scripts with the stand-in wheel (no dependency: nothing to download)."""
    source = root / "source"
    source.mkdir(parents=True)
    info = "dlkit_grader-0.0.0.dist-info"
    files = {"autograder/__init__.py": "", "autograder/__main__.py": STAND_IN_MAIN,
             f"{info}/METADATA": "Metadata-Version: 2.1\nName: dlkit-grader\nVersion: 0.0.0\n",
             f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    files[f"{info}/RECORD"] = "".join(f"{name},,\n" for name in [*files, f"{info}/RECORD"])
    with zipfile.ZipFile(source / STAND_IN, "w") as wheel:
        for name, text in files.items():
            wheel.writestr(name, text)
    (source / "setup.sh").write_text(setup_script(STAND_IN), encoding="utf-8")
    (source / "run_autograder").write_text(run_script(ASSIGNMENT), encoding="utf-8")
    for folder in ("submission", "results"):
        (root / folder).mkdir()


def _fake_tools(folder: Path, **tools: str) -> Path:
    """``folder`` with executable bash scripts ``{name: body}``, for the front of PATH."""
    folder.mkdir()
    for name, body in tools.items():
        (folder / name).write_text(f"#!/bin/bash\n{body}\n", encoding="utf-8")
        (folder / name).chmod(0o755)
    return folder


APT_LOG = 'echo "$*" >> "$DLKIT_TEST_APT"'


@pytest.mark.skipif(not _externally_managed(SYSTEM_PYTHON), reason=f"{SYSTEM_PYTHON} is not an externally managed "
                    "(PEP 668) Python 3 with venv here, as on Debian 12 or Ubuntu 23.04+")
def test_gradescope_setup_makes_its_own_environment_on_an_externally_managed_python(tmp_path):
    root = tmp_path / "autograder"
    _stand_in_zip(root)
    refused = subprocess.run([str(SYSTEM_PYTHON), "-m", "pip", "install", "--no-index",
                              str(root / "source" / STAND_IN)], capture_output=True, text=True)
    if "No module named pip" not in refused.stderr:  # the system pip, where there is one, refuses to install
        assert refused.returncode != 0 and "externally-managed-environment" in refused.stderr, refused.stderr

    venv, calls, apt = tmp_path / "dlkit-venv", tmp_path / "calls.jsonl", tmp_path / "apt.log"
    env = {**{k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")},
           "PATH": f"{_fake_tools(tmp_path / 'bin', **{'apt-get': APT_LOG})}{os.pathsep}{os.environ['PATH']}",
           "AUTOGRADER_ROOT": str(root), "DLKIT_PYTHON": str(SYSTEM_PYTHON), "DLKIT_GRADESCOPE_VENV": str(venv),
           "DLKIT_TEST_CALLS": str(calls), "DLKIT_TEST_APT": str(apt), "PIP_NO_INDEX": "1"}
    for script in ("setup.sh", "run_autograder"):
        completed = subprocess.run(["bash", str(root / "source" / script)], cwd=root / "source", env=env,
                                   capture_output=True, text=True, timeout=300)
        assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    assert "bubblewrap" in apt.read_text(encoding="utf-8")
    assert f"home = {SYSTEM_PYTHON.parent}" in (venv / "pyvenv.cfg").read_text(encoding="utf-8")
    made = [json.loads(line) for line in calls.read_text(encoding="utf-8").splitlines()]
    assert [call["prefix"] for call in made] == [str(venv)] * 2  # setup.sh and run_autograder: the kit's venv
    assert made[0]["args"] == ["data", "prepare"]
    assert made[1]["args"][:2] == ["grade", str(root / "submission")] and ASSIGNMENT in made[1]["args"]


def test_gradescope_setup_names_the_base_image_when_python_is_too_old(tmp_path):
    """An Ubuntu 22.04 image (python3 is 3.10) where python3.11 cannot be installed: the message says what to choose."""
    root = tmp_path / "autograder"
    _stand_in_zip(root)
    old = 'if [ "$1" = --version ]; then echo "Python 3.10.12"; exit 0; fi; exit 1'
    tools = _fake_tools(tmp_path / "bin", **{"apt-get": APT_LOG, "python3": old})
    bash = shutil.which("bash")
    env = {"PATH": str(tools), "AUTOGRADER_ROOT": str(root), "DLKIT_GRADESCOPE_VENV": str(tmp_path / "venv"),
           "DLKIT_TEST_APT": str(tmp_path / "apt.log")}  # no other Python on PATH: only the old python3
    completed = subprocess.run([bash, str(root / "source" / "setup.sh")], cwd=root, env=env,
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "python3.11 python3.11-venv" in (tmp_path / "apt.log").read_text(encoding="utf-8")  # it tried first
    message = " ".join(completed.stderr.split())
    assert "needs Python 3.11 or newer; this image has: Python 3.10.12." in message, message
    assert "Base Image" in message and "Ubuntu 24.04" in message and "DLKIT_PYTHON" in message
    assert not (tmp_path / "venv").exists()


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="no shellcheck here (apt-get install shellcheck)")
def test_gradescope_scripts_pass_shellcheck(tmp_path):
    for name, text in (("setup.sh", setup_script(STAND_IN)), ("run_autograder", run_script(ASSIGNMENT))):
        (tmp_path / name).write_text(text, encoding="utf-8")
    checked = subprocess.run(["shellcheck", "--shell=bash", "setup.sh", "run_autograder"], cwd=tmp_path,
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout
