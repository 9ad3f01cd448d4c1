"""The GitHub Classroom repository: its workflow, and each step's command run here as the runner would."""

from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import yaml

from autograder.data.locations import default_mirror
from autograder.distribution.bundle import grader_files
from autograder.distribution.classroom import PRIVATE_CHECKOUT, WORKFLOW, workflow, write_repository
from autograder.grading.assignments import load_assignment
from autograder.paths import GRADERS_DIR
from tests.conftest import PARALLEL, reference_notebook, student_notebook
from tests.environments import Environment, bare_environment

ASSIGNMENT = "09_mini_project"  # the fewest public tasks: one grading per task and notebook
COMMAND_GRADER = "classroom-resources/autograding-command-grader@v1"


def _grading_steps(document: dict) -> list[dict]:
    return [s for s in document["jobs"]["run-autograding-tests"]["steps"] if s.get("uses") == COMMAND_GRADER]


def _expect_steps_match(document: dict, include_hidden: bool) -> None:
    points = {task: p for task, p in load_assignment(ASSIGNMENT, include_hidden).task_points().items() if p}
    steps = _grading_steps(document)
    assert {s["with"]["test-name"]: s["with"]["max-score"] for s in steps} == points
    assert all(isinstance(s["with"]["timeout"], int) and s["with"]["timeout"] > 0 for s in steps)
    reporter = document["jobs"]["run-autograding-tests"]["steps"][-1]
    assert reporter["uses"] == "classroom-resources/autograding-grading-reporter@v1"
    assert reporter["with"]["runners"].split(",") == [s["id"] for s in steps]
    assert reporter["env"] == {f"{s['id'].upper()}_RESULTS": f"${{{{steps.{s['id']}.outputs.result}}}}"
                               for s in steps}


def test_classroom_repository_workflow_and_steps(tmp_path):
    """The workflow's own install step builds the environment; then each grading step runs as the runner would."""
    repository = tmp_path / "repository"
    write_repository(ASSIGNMENT, repository)
    document = yaml.safe_load((repository / WORKFLOW).read_text(encoding="utf-8"))
    assert set(document[True] if True in document else document["on"]) >= {"push"}  # YAML 1.1 reads `on` as True
    _expect_steps_match(document, include_hidden=False)
    install = next(s for s in document["jobs"]["run-autograding-tests"]["steps"] if "pip install" in s.get("run", ""))
    (wheel,) = (repository / ".dlkit").glob("*.whl")
    assert f"./.dlkit/{wheel.name}[frameworks]" in install["run"]
    runner = Environment(bare_environment(tmp_path / "runner"), wheel)
    installed = runner.run("bash", "-c", install["run"], cwd=repository, PIP_NO_INDEX="1",
                           DLKIT_DATASET_MIRROR=str(default_mirror() or ""))
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-2000:]
    runner.check_isolated(tmp_path)

    shipped = sorted(p.relative_to(repository).as_posix() for p in repository.rglob("*") if p.is_file())
    public = sorted(f"graders/a{ASSIGNMENT}/{p.name}" for p in grader_files(GRADERS_DIR / f"a{ASSIGNMENT}", False))
    assert shipped == sorted([".github/workflows/classroom.yml", ".gitignore", f".dlkit/{wheel.name}",
                              f"{ASSIGNMENT}.ipynb", *public])

    def run_all(notebook) -> dict[str, int]:
        folder = tmp_path / notebook.parent.parent.name
        shutil.copytree(repository, folder)
        shutil.copy(notebook, folder / f"{ASSIGNMENT}.ipynb")

        def run(step: dict) -> tuple[str, int]:
            completed = subprocess.run(["bash", "-c", step["with"]["command"]], cwd=folder, capture_output=True,
                                       text=True, env=runner.environ(), timeout=60 * step["with"]["timeout"])
            return step["with"]["test-name"], completed.returncode

        with ThreadPoolExecutor(PARALLEL) as pool:
            return dict(pool.map(run, _grading_steps(document)))

    assert set(run_all(reference_notebook(ASSIGNMENT)).values()) == {0}  # every step: its full points
    assert set(run_all(student_notebook(ASSIGNMENT)).values()) == {1}  # every step: 0


def test_classroom_workflow_with_private_graders_counts_hidden_points():
    document = workflow(ASSIGNMENT, "dlkit_student-0.1.0-py3-none-any.whl", "course-team/graders-private")
    _expect_steps_match(document, include_hidden=True)
    fetch = next(s for s in document["jobs"]["run-autograding-tests"]["steps"]
                 if s.get("name") == "Fetch the hidden graders")
    assert fetch["with"] == {"repository": "course-team/graders-private", "path": PRIVATE_CHECKOUT,
                             "token": "${{ secrets.DLKIT_GRADERS_TOKEN }}"}
    assert all(s["with"]["command"].startswith(f"DLKIT_GRADERS={PRIVATE_CHECKOUT} ")
               for s in _grading_steps(document))
