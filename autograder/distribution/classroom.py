"""``autograder classroom ASSIGNMENT --out DIR``: a GitHub Classroom assignment repository.

The repository holds the student notebook, the public graders (``graders/``, to read and to
run with ``pytest``), the student package (``.dlkit/*.whl``) and
``.github/workflows/classroom.yml``: on every push it installs the package, prepares the data
and runs one ``classroom-resources/autograding-command-grader`` step per task (the task's
points if all its checks pass), then GitHub's ``autograding-grading-reporter``.

Steps grade with the installed package's graders, not with the repository's ``graders/``
folder, so editing that folder changes no grade. With ``private_graders`` (``owner/repo``), a
step first checks out that private repository (the kit's full ``tests/graders`` folder, read
with the ``DLKIT_GRADERS_TOKEN`` secret) and the steps grade with it: hidden checks count.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from autograder.distribution.bundle import build, grader_files
from autograder.grading.assignments import load_assignment, package_name
from autograder.paths import ASSIGNMENTS_DIR, GRADERS_DIR

WORKFLOW = Path(".github") / "workflows" / "classroom.yml"
PRIVATE_CHECKOUT = ".dlkit-graders"
PYTHON_VERSION = "3.11"
#: Minutes per step: the task's sandbox start (a framework import) and its checks, with a wide margin.
STEP_TIMEOUT_MIN = 10


@dataclass(frozen=True)
class Step:
    """One autograding step: a task graded all or nothing."""

    task: str
    command: str
    max_score: int

    @property
    def ident(self) -> str:
        return self.task.replace("_", "-")


def steps(assignment: str, with_hidden: bool) -> list[Step]:
    """One step per task that has points (public ones only unless ``with_hidden``)."""
    graders = load_assignment(assignment, include_hidden=with_hidden)
    prefix = f"DLKIT_GRADERS={PRIVATE_CHECKOUT} " if with_hidden else ""
    found = []
    for task, points in graders.task_points().items():
        if points <= 0:
            continue
        if points != int(points):
            raise ValueError(f"{assignment}/{task}: {points} points; Classroom's max-score is a whole number")
        found.append(Step(task, f"{prefix}autograder grade {assignment}.ipynb --task {task} --fail-unless-full",
                          int(points)))
    return found


def workflow(assignment: str, wheel_name: str, private_graders: str | None = None) -> dict:
    """The workflow document (GitHub Classroom's own layout)."""
    graded = steps(assignment, with_hidden=private_graders is not None)
    prepare = [
        {"name": "Checkout code", "uses": "actions/checkout@v4"},
        {"uses": "actions/setup-python@v5", "with": {"python-version": PYTHON_VERSION}},
        {"name": "Cache datasets", "uses": "actions/cache@v4",
         "with": {"path": "~/.cache/dlkit\n~/scikit_learn_data\n~/.keras/datasets", "key": "dlkit-datasets-v1"}},
        {"name": "Install the course kit and its datasets",
         "run": f'python -m pip install "./.dlkit/{wheel_name}[frameworks]"\nautograder data prepare'},
    ]
    if private_graders:
        prepare.append({"name": "Fetch the hidden graders", "uses": "actions/checkout@v4",
                        "with": {"repository": private_graders, "token": "${{ secrets.DLKIT_GRADERS_TOKEN }}",
                                 "path": PRIVATE_CHECKOUT}})
    grading = [
        {"name": step.task, "id": step.ident, "uses": "classroom-resources/autograding-command-grader@v1",
         "with": {"test-name": step.task, "setup-command": "", "command": step.command,
                  "timeout": STEP_TIMEOUT_MIN, "max-score": step.max_score}}
        for step in graded
    ]
    reporter = {
        "name": "Autograding Reporter", "uses": "classroom-resources/autograding-grading-reporter@v1",
        "env": {f"{step.ident.upper()}_RESULTS": f"${{{{steps.{step.ident}.outputs.result}}}}" for step in graded},
        "with": {"runners": ",".join(step.ident for step in graded)},
    }
    return {
        "name": "Autograding Tests",
        "on": ["push", "repository_dispatch", "workflow_dispatch"],
        "permissions": {"checks": "write", "actions": "read", "contents": "read"},
        "jobs": {"run-autograding-tests": {
            "runs-on": "ubuntu-latest",
            "if": "github.actor != 'github-classroom[bot]'",
            "steps": [*prepare, *grading, reporter],
        }},
    }


class _WorkflowDumper(yaml.SafeDumper):
    """Multi-line strings (``run:`` scripts, cache paths) as literal blocks, as workflows are written by hand."""


_WorkflowDumper.add_representer(str, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None))


def write_repository(assignment: str, out: Path, private_graders: str | None = None) -> Path:
    """Write the Classroom repository of ``assignment`` into ``out``; return the workflow's path."""
    load_assignment(assignment)  # an unknown assignment fails before anything is written
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(ASSIGNMENTS_DIR / assignment / f"{assignment}.ipynb", out / f"{assignment}.ipynb")
    graders = out / "graders" / package_name(assignment)
    graders.mkdir(parents=True, exist_ok=True)
    for path in grader_files(GRADERS_DIR / package_name(assignment), include_hidden=False):
        shutil.copy(path, graders / path.name)
    wheel = build("student", out / ".dlkit")
    path = out / WORKFLOW
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.dump(workflow(assignment, wheel.name, private_graders), Dumper=_WorkflowDumper,
                              sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")
    (out / ".gitignore").write_text(".ipynb_checkpoints/\n__pycache__/\n", encoding="utf-8")
    return path
