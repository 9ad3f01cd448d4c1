"""``autograder classroom ASSIGNMENT --out DIR``: a GitHub Classroom assignment repository.

The repository holds the student notebook, the public graders (``graders/``, to read and to
run with ``pytest``), the student package (``.dlkit/*.whl``) and
``.github/workflows/classroom.yml``. On every push the workflow:

* restores the kit's virtual environment, frameworks included, from the repository's Actions cache
  (keyed on the runner's Python and the package's requirements: about 8 GB that the first push
  installs and the later ones reuse), then installs the package itself and prepares the data;
* lets bubblewrap confine the student's code (installed; Ubuntu 24.04's AppArmor rule against
  unprivileged user namespaces lifted on the throw-away runner);
* grades the notebook once, in the kit's sandbox (``autograder grade --json``), and hands
  ``classroom-resources/autograding-grading-reporter`` one runner per check
  (:func:`autograder.export.github.runner_documents`), each worth that check's points: the grade
  the reporter notifies, and the totals its log shows, are the kit's score; a partly correct task
  keeps the points of its passing checks, as ``autograder grade`` gives them.

Every action is pinned by its commit (:data:`ACTIONS`). No checkout keeps a credential on disk
(``persist-credentials: false``). Steps grade with the installed package's graders, not with the
repository's ``graders/`` folder, so editing that folder changes no grade. With
``private_graders`` (``owner/repo``), a checkout reads that private repository (the kit's full
``tests/graders`` folder) with the ``DLKIT_GRADERS_TOKEN`` secret, keeps no credential, and the
graders are moved out of the workspace into the runner's temporary folder before any grading:
hidden checks count, and the student's code, confined by the sandbox, sees neither them nor a token.
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import yaml

from autograder.distribution.bundle import build, grader_files
from autograder.grading.assignments import load_assignment, package_name
from autograder.paths import ASSIGNMENTS_DIR, GRADERS_DIR

WORKFLOW = Path(".github") / "workflows" / "classroom.yml"
PRIVATE_CHECKOUT = ".dlkit-graders"
PYTHON_VERSION = "3.11"
#: Minutes for the whole grading of one notebook (every task's sandbox and checks), with a wide margin.
GRADING_TIMEOUT_MIN = 30
#: Minutes for the install (about 8 GB of frameworks when the cache is cold) and the datasets.
INSTALL_TIMEOUT_MIN = 40
#: The grading step, whose outputs (one per check) the reporter reads.
GRADING_ID = "grading"
#: The kit's virtual environment on the runner (cached between runs).
VENV = "~/.dlkit-venv"
#: Actions, pinned by full commit SHA (``uses: owner/repo@SHA # tag``): a tag can be moved, a commit cannot.
ACTIONS = {
    "checkout": ("actions/checkout", "3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "setup-python": ("actions/setup-python", "5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "cache": ("actions/cache", "27d5ce7f107fe9357f9df03efb73ab90386fccae", "v5.0.5"),
    "reporter": ("classroom-resources/autograding-grading-reporter", "d13b5912daf5042ac1b71bc38bdb4a6bcd61d8ca",
                 "v1"),
}


def uses(action: str) -> str:
    """``owner/repo@SHA`` of one of :data:`ACTIONS` (:func:`workflow_text` writes its tag after it)."""
    repository, commit, _ = ACTIONS[action]
    return f"{repository}@{commit}"


def requirements_digest(wheel: Path) -> str:
    """A short digest of the wheel's requirements (``Requires-Dist``): the frameworks' cache key."""
    with zipfile.ZipFile(wheel) as opened:
        (metadata,) = [n for n in opened.namelist() if n.endswith(".dist-info/METADATA")]
        text = opened.read(metadata).decode("utf-8")
    requires = sorted(line for line in text.splitlines() if line.startswith("Requires-Dist:"))
    return hashlib.sha256("\n".join(requires).encode()).hexdigest()[:16]


def install_script(wheel_name: str) -> str:
    """The install step: the kit's venv (restored from the cache, else made), the package, the datasets."""
    venv = VENV.replace("~", "$HOME")
    return (f'[ -x "{venv}/bin/python" ] || python -m venv "{venv}"\n'
            f'"{venv}/bin/python" -m pip install --disable-pip-version-check "./.dlkit/{wheel_name}[frameworks]"\n'
            f'"{venv}/bin/autograder" data prepare\n')


def grading_script(assignment: str, runners: list[str]) -> str:
    """The grading step: one sandboxed grading, then one output per check (``runners``) for the reporter.

    Nothing printed while grading is read as a workflow command (``::stop-commands::``): a student's
    error message could otherwise set outputs or masks. The outputs come from the results file the
    grading process writes (``--json``), which the student's code, in the sandbox, cannot reach.
    """
    venv = VENV.replace("~", "$HOME")
    return f"""marker="dlkit-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \\n')"
echo "::stop-commands::$marker"
status=0
"{venv}/bin/autograder" grade "{assignment}.ipynb" --assignment {assignment} --json "$RUNNER_TEMP/results.json" \\
  > "$RUNNER_TEMP/grading.out" 2>&1 || status=$?
cat "$RUNNER_TEMP/grading.out"
echo "::$marker::"
if [ "$status" -ne 0 ]; then
  echo "::error::the notebook could not be graded (autograder exited with $status)"
  exit 1
fi
"{venv}/bin/python" -m autograder.export.github "$RUNNER_TEMP/results.json" --runners {",".join(runners)} \\
  >> "$GITHUB_OUTPUT"
"""


SANDBOX_SCRIPT = """sudo apt-get update -q
sudo apt-get install -y -q --no-install-recommends bubblewrap
if [ -e /proc/sys/kernel/apparmor_restrict_unprivileged_userns ]; then
  sudo sysctl -q -w kernel.apparmor_restrict_unprivileged_userns=0
fi
"""


def workflow(assignment: str, wheel: Path | str, private_graders: str | None = None,
             digest: str | None = None) -> dict:
    """The workflow document. ``digest``: the frameworks' cache key part (default: from ``wheel``'s requirements)."""
    wheel_name = Path(wheel).name
    digest = digest or requirements_digest(Path(wheel))
    prepare = [
        {"name": "Checkout code", "uses": uses("checkout"), "with": {"persist-credentials": False}},
        {"name": "Set up Python", "id": "python", "uses": uses("setup-python"),
         "with": {"python-version": PYTHON_VERSION}},
        {"name": "Cache the frameworks", "uses": uses("cache"),
         "with": {"path": VENV, "key": "dlkit-venv-${{ runner.os }}-${{ runner.arch }}-"
                                       f"py${{{{ steps.python.outputs.python-version }}}}-{digest}"}},
        {"name": "Cache datasets", "uses": uses("cache"),
         "with": {"path": "~/.cache/dlkit\n~/scikit_learn_data\n~/.keras/datasets", "key": "dlkit-datasets-v1"}},
        {"name": "Install the course kit and its datasets", "timeout-minutes": INSTALL_TIMEOUT_MIN,
         "run": install_script(wheel_name)},
        {"name": "Let bubblewrap confine the student's code", "run": SANDBOX_SCRIPT},
    ]
    grading_env = {}
    if private_graders:
        prepare += [
            {"name": "Fetch the hidden graders", "uses": uses("checkout"),
             "with": {"repository": private_graders, "token": "${{ secrets.DLKIT_GRADERS_TOKEN }}",
                      "path": PRIVATE_CHECKOUT, "persist-credentials": False}},
            {"name": "Move the hidden graders out of the workspace",
             "run": f'mv {PRIVATE_CHECKOUT} "$RUNNER_TEMP/dlkit-graders"\nrm -rf "$RUNNER_TEMP/dlkit-graders/.git"\n'},
        ]
        grading_env = {"env": {"DLKIT_GRADERS": "${{ runner.temp }}/dlkit-graders"}}
    runners = [check.name for check in load_assignment(assignment, include_hidden=private_graders is not None).checks]
    grading = {"name": "Grade the notebook", "id": GRADING_ID, "timeout-minutes": GRADING_TIMEOUT_MIN,
               **grading_env, "run": grading_script(assignment, runners)}
    reporter = {"name": "Autograding Reporter", "uses": uses("reporter"),
                "env": {f"{name.upper()}_RESULTS": f"${{{{ steps.{GRADING_ID}.outputs.{name} }}}}" for name in runners},
                "with": {"runners": ",".join(runners)}}
    return {
        "name": "Autograding Tests",
        "on": ["push", "repository_dispatch", "workflow_dispatch"],
        "permissions": {"contents": "read"},
        # A new push cancels the grading of the previous one: its result would be replaced anyway.
        "concurrency": {"group": "${{ github.workflow }}-${{ github.ref }}", "cancel-in-progress": True},
        "jobs": {"run-autograding-tests": {
            "name": "Autograding",
            "runs-on": "ubuntu-latest",
            "if": "github.actor != 'github-classroom[bot]'",
            "steps": [*prepare, grading, reporter],
        }},
    }


#: Comments written after these lines of the workflow (zizmor's auditor persona asks for the first two).
COMMENTS = {
    "contents: read": "the checkouts read repositories; the job needs nothing else",
    "token: ${{ secrets.DLKIT_GRADERS_TOKEN }}": "zizmor: ignore[secrets-outside-env] an organisation secret: "
                                                 "students' repositories have no deployment environment",
}


class _WorkflowDumper(yaml.SafeDumper):
    """Multi-line strings (``run:`` scripts, cache paths) as literal blocks, as workflows are written by hand."""


_WorkflowDumper.add_representer(str, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None))


def workflow_text(document: dict) -> str:
    """The workflow's YAML, each pinned action followed by its tag as a comment."""
    text = yaml.dump(document, Dumper=_WorkflowDumper, sort_keys=False, allow_unicode=True, width=120)
    comments = {**{f"uses: {repository}@{commit}": tag for repository, commit, tag in ACTIONS.values()}, **COMMENTS}
    return "".join(f"{line} # {comments[line.strip()]}\n" if line.strip() in comments else f"{line}\n"
                   for line in text.splitlines())


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
    path.write_text(workflow_text(workflow(assignment, wheel, private_graders)), encoding="utf-8")
    (out / ".gitignore").write_text(".ipynb_checkpoints/\n__pycache__/\n", encoding="utf-8")
    return path
