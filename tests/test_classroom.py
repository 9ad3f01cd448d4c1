"""The GitHub Classroom repository: its workflow, and its install and grading steps run here as the runner would."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from autograder.data.locations import default_mirror, keras_datasets_dir, kit_data_home, sklearn_data_home
from autograder.distribution.bundle import grader_files
from autograder.distribution.classroom import (
    ACTIONS,
    GRADING_ID,
    PRIVATE_CHECKOUT,
    VENV,
    WORKFLOW,
    requirements_digest,
    workflow,
    workflow_text,
    write_repository,
)
from autograder.export.github import main as github_outputs
from autograder.grading.assignments import load_assignment
from autograder.paths import GRADERS_DIR
from autograder.results import Status, SubmissionResult
from autograder.results import TestResult as CheckResult  # not collected by pytest
from tests.conftest import PARALLEL, reference_notebook, student_notebook
from tests.environments import Environment, bare_environment
from tests.submissions.build import example_modules, example_path

ASSIGNMENT = "09_mini_project"  # the fewest public tasks
#: Fails code_style, code_docstrings and code_evaluate but passes code_compare: a task partly right.
PARTIAL = "wrong_sloppy_code"
REPORTER = ACTIONS["reporter"][0]


def _steps(document: dict) -> list[dict]:
    return document["jobs"]["run-autograding-tests"]["steps"]


def _step(document: dict, name: str) -> dict:
    (found,) = [s for s in _steps(document) if s.get("name") == name]
    return found


def _expect_hardened(document: dict, text: str, include_hidden: bool = False) -> None:
    """Actions pinned by commit (tag in a comment), no credential kept, one reporter runner per check."""
    for step in _steps(document):
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
            tag = next(t for r, c, t in ACTIONS.values() if step["uses"] == f"{r}@{c}")
            assert f"uses: {step['uses']} # {tag}\n" in text
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False
    assert document["permissions"] == {"contents": "read"}
    checks = [c.name for c in load_assignment(ASSIGNMENT, include_hidden=include_hidden).checks]
    reporter = _steps(document)[-1]
    assert reporter["uses"].startswith(f"{REPORTER}@") and reporter["with"]["runners"].split(",") == checks
    assert reporter["env"] == {f"{c.upper()}_RESULTS": f"${{{{ steps.{GRADING_ID}.outputs.{c} }}}}" for c in checks}
    grading = _step(document, "Grade the notebook")
    assert grading["id"] == GRADING_ID and grading["timeout-minutes"] > 0
    assert f"--runners {','.join(checks)} " in grading["run"]
    secrets = [s["name"] for s in _steps(document) if "secrets." in json.dumps(s)]
    assert secrets == (["Fetch the hidden graders"] if include_hidden else [])


def _reported(output: Path) -> tuple[float, float, dict[str, dict]]:
    """What the reporter makes of the step's outputs: (points, max points, the runners' documents).

    Points as its notice adds them up (every test's score); each runner's console share (its passing
    tests as equal parts of its max_score) must give the same points, or the log would disagree.
    """
    documents = {name: json.loads(base64.b64decode(value)) for name, value in
                 (line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines())}
    for name, document in documents.items():
        console = sum(t["status"] == "pass" for t in document["tests"]) / len(document["tests"]) * document["max_score"]
        assert console == sum(t["score"] for t in document["tests"]), (name, document)
    return (sum(t["score"] for d in documents.values() for t in d["tests"]),
            sum(d["max_score"] for d in documents.values()), documents)


def test_classroom_repository_workflow_and_steps(tmp_path):
    """The install step on a restored cache, then the grading step: every check's points count (partial credit)."""
    repository = tmp_path / "repository"
    write_repository(ASSIGNMENT, repository)
    text = (repository / WORKFLOW).read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    assert set(document[True] if True in document else document["on"]) >= {"push"}  # YAML 1.1 reads `on` as True
    _expect_hardened(document, text)
    (wheel,) = (repository / ".dlkit").glob("*.whl")
    cache = _step(document, "Cache the frameworks")["with"]
    assert cache["path"] == VENV and cache["key"].endswith(f"-{requirements_digest(wheel)}")
    assert "steps.python.outputs.python-version" in cache["key"]  # the venv's interpreter is that exact Python

    home = tmp_path / "home"  # the runner's home, the kit's venv as the cache restores it (frameworks, no kit)
    home.mkdir()
    bare_environment(tmp_path).rename(home / ".dlkit-venv")
    runner = Environment(home / ".dlkit-venv", wheel)
    data = {"DLKIT_DATA": str(kit_data_home()), "SCIKIT_LEARN_DATA": str(sklearn_data_home()),
            "KERAS_HOME": str(keras_datasets_dir().parent)}  # the datasets this machine has prepared already
    install = _step(document, "Install the course kit and its datasets")["run"]
    assert f"./.dlkit/{wheel.name}[frameworks]" in install
    installed = runner.run("bash", "-e", "-c", install, cwd=repository, HOME=str(home), PIP_NO_INDEX="1",
                           DLKIT_DATASET_MIRROR=str(default_mirror() or ""), **data)
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-2000:]
    runner.check_isolated(tmp_path)

    shipped = sorted(p.relative_to(repository).as_posix() for p in repository.rglob("*") if p.is_file())
    public = sorted(f"graders/a{ASSIGNMENT}/{p.name}" for p in grader_files(GRADERS_DIR / f"a{ASSIGNMENT}", False))
    assert shipped == sorted([".github/workflows/classroom.yml", ".gitignore", f".dlkit/{wheel.name}",
                              f"{ASSIGNMENT}.ipynb", *public])

    grading = _step(document, "Grade the notebook")["run"]
    hidden_grading = _step(workflow(ASSIGNMENT, wheel, "course-team/graders-private"), "Grade the notebook")["run"]

    def grade(name: str, notebook: Path, **env: str) -> tuple[float, float, dict[str, dict]]:
        folder = tmp_path / name
        shutil.copytree(repository, folder)
        shutil.copy(notebook, folder / f"{ASSIGNMENT}.ipynb")
        (folder / "temp").mkdir()
        script = hidden_grading if "DLKIT_GRADERS" in env else grading
        completed = subprocess.run(["bash", "-e", "-c", script], cwd=folder, capture_output=True, text=True,
                                   env=runner.environ(HOME=str(home), RUNNER_TEMP=str(folder / "temp"),
                                                      GITHUB_OUTPUT=str(folder / "output"), **data, **env),
                                   timeout=60 * _step(document, "Grade the notebook")["timeout-minutes"])
        assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
        assert completed.stdout.startswith("::stop-commands::dlkit-")  # no workflow command from the grading's output
        return _reported(folder / "output")

    (partial,) = [v for m in example_modules() if m.ASSIGNMENT == ASSIGNMENT for v in m.VARIANTS if v.name == PARTIAL]
    public_checks = load_assignment(ASSIGNMENT, include_hidden=False).checks
    every_check = load_assignment(ASSIGNMENT, include_hidden=True).checks
    total = sum(c.points for c in public_checks)
    with ThreadPoolExecutor(PARALLEL) as pool:
        runs = {
            "reference": pool.submit(grade, "reference", reference_notebook(ASSIGNMENT)),
            "untouched": pool.submit(grade, "untouched", student_notebook(ASSIGNMENT)),
            "partial": pool.submit(grade, "partial", example_path(ASSIGNMENT, partial)),
            # the private graders' step: the kit's full graders where the workflow moves the private checkout
            "hidden": pool.submit(grade, "hidden", reference_notebook(ASSIGNMENT), DLKIT_GRADERS=str(GRADERS_DIR)),
        }
        results = {name: future.result() for name, future in runs.items()}
    assert results["reference"][:2] == (total, total)
    assert results["untouched"][:2] == (0, total)
    lost = sum(c.points for c in public_checks if c.name in partial.failing)
    task = {c.task for c in public_checks if c.name in partial.failing}
    assert len(task) == 1 and sum(c.points for c in public_checks if c.task in task) > lost  # a task partly right
    assert results["partial"][:2] == (total - lost, total)
    assert results["hidden"][:2] == (sum(c.points for c in every_check),) * 2
    assert sorted(results["hidden"][2]) == sorted(c.name for c in every_check)


def test_classroom_workflow_with_private_graders_keeps_no_token():
    document = workflow(ASSIGNMENT, "dlkit_student-0.1.0-py3-none-any.whl", "course-team/graders-private",
                        digest="0" * 16)
    text = workflow_text(document)
    _expect_hardened(document, text, include_hidden=True)
    fetch = _step(document, "Fetch the hidden graders")
    assert fetch["with"] == {"repository": "course-team/graders-private", "path": PRIVATE_CHECKOUT,
                             "token": "${{ secrets.DLKIT_GRADERS_TOKEN }}", "persist-credentials": False}
    names = [s.get("name") for s in _steps(document)]
    moved = _step(document, "Move the hidden graders out of the workspace")
    assert f'mv {PRIVATE_CHECKOUT} "$RUNNER_TEMP/dlkit-graders"' in moved["run"]
    assert names.index("Fetch the hidden graders") + 1 == names.index(moved["name"]) < names.index("Grade the notebook")
    assert _step(document, "Grade the notebook")["env"] == {"DLKIT_GRADERS": "${{ runner.temp }}/dlkit-graders"}


def _zizmor() -> str | None:
    return shutil.which("zizmor") or next((str(p) for p in [Path(sys.executable).parent / "zizmor"] if p.exists()),
                                          None)


@pytest.mark.skipif(_zizmor() is None, reason="zizmor is not installed (pip install zizmor)")
@pytest.mark.parametrize("private", [None, "course-team/graders-private"])
def test_classroom_workflow_passes_zizmor(tmp_path, private):
    """zizmor, offline, with its most demanding persona: no finding (one documented ignore)."""
    path = tmp_path / WORKFLOW
    path.parent.mkdir(parents=True)
    path.write_text(workflow_text(workflow(ASSIGNMENT, "dlkit_student-0.1.0-py3-none-any.whl", private,
                                           digest="0" * 16)), encoding="utf-8")
    checked = subprocess.run([_zizmor(), "--offline", "--persona=auditor", "--no-progress", str(path)],
                             capture_output=True, text=True, cwd=tmp_path,
                             env={**os.environ, "NO_COLOR": "1"}, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "No findings to report" in checked.stdout + checked.stderr


def test_classroom_outputs_refuse_checks_the_workflow_does_not_name(tmp_path, capsys):
    """Graders changed since the workflow was generated: the step fails rather than drop a check's points."""
    tests = [CheckResult(name, name, "task", 1.0, score, False, Status.PASSED if score else Status.FAILED)
             for name, score in (("first", 1.0), ("second", 0.0))]
    path = tmp_path / "results.json"
    path.write_text(json.dumps([SubmissionResult("n.ipynb", ASSIGNMENT, "s", tests).to_dict()]), encoding="utf-8")
    assert github_outputs([str(path), "--runners", "first,second"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("=", 1)[0] for line in lines] == ["first", "second"]
    assert json.loads(base64.b64decode(lines[1].split("=", 1)[1]))["max_score"] == 1.0
    assert github_outputs([str(path), "--runners", "first"]) == 1
    assert "generate the Classroom repository again" in capsys.readouterr().err
