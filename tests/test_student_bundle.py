"""What students install: a wheel with nothing hidden in it, giving the feedback of the instructor's checkout.

The wheel is installed in a fresh virtual environment (``student_env``, see
``tests/environments.py``); everything here runs in that environment from scratch folders.
"""

from __future__ import annotations

import ast
import itertools
import json
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from autograder.distribution.bundle import BundleError, build, grader_files
from autograder.distribution.leaks import collect_secrets, scan_folder, scan_wheel
from autograder.grading.assignments import available_assignments, load_assignment
from autograder.paths import ASSIGNMENTS_DIR, GRADERS_DIR, SOLUTIONS_DIR
from tests.conftest import reference_notebook, student_notebook

#: Runs a notebook with nbclient; prints the imports cell's stderr and each graded cell's printed lines, as JSON.
EXECUTE = r'''
import json, sys
from pathlib import Path
import nbformat
from nbclient import NotebookClient

path = Path(sys.argv[1])
for attempt in range(3):  # a kernel whose random ports another process took meanwhile dies at start: start again
    notebook = nbformat.read(path, as_version=4)
    try:
        NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        break
    except RuntimeError as error:
        if "Kernel died before replying to kernel_info" not in str(error) or attempt == 2:
            raise
code = [c for c in notebook.cells if c.cell_type == "code"]
stderr = [o.get("text", "") for o in code[0].outputs if o.get("name") == "stderr"]
graded = {c.metadata["nbgrader"]["grade_id"]: "".join(o.get("text", "") for o in c.outputs
                                                     if o.output_type == "stream" and o.name == "stdout")
          for c in code if c.metadata.get("nbgrader", {}).get("grade")}
print(json.dumps({"imports_stderr": stderr, "graded": graded}, ensure_ascii=False))
'''
ASSIGNMENT = "01_regression"


def test_student_wheel_holds_public_graders_and_notebooks_only(student_env):
    with zipfile.ZipFile(student_env.wheel) as archive:
        names = archive.namelist()
        for assignment in available_assignments():
            package = f"a{assignment}"
            shipped = sorted(Path(n).name for n in names if n.startswith(f"autograder/course/graders/{package}/"))
            assert shipped == sorted(p.name for p in grader_files(GRADERS_DIR / package, include_hidden=False))
            assert "test_public.py" in shipped and "test_hidden.py" not in shipped
            notebook = f"autograder/course/assignments/{assignment}/{assignment}.ipynb"
            assert archive.read(notebook) == student_notebook(assignment).read_bytes()
    for instructor_only in ("autograder/release.py", "autograder/nbgrader_scores.py", "autograder/authoring.py"):
        assert instructor_only not in names
    assert not [n for n in names if n.startswith("autograder/distribution/") or "solutions/" in n
                or "submissions/" in n or "/hidden_" in n]
    assert scan_wheel(student_env.wheel) == []


def _needed_modules(wheel: Path) -> set[str]:
    """Third-party modules the wheel's code imports at module level or runs with ``python -m``."""
    found: set[str] = set()
    with zipfile.ZipFile(wheel) as archive:
        for name in (n for n in archive.namelist() if n.endswith(".py")):
            tree = ast.parse(archive.read(name))
            for node in tree.body:
                if isinstance(node, ast.Import):
                    found |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module.split(".")[0])
            for node in ast.walk(tree):
                if isinstance(node, ast.List | ast.Tuple):
                    values = [e.value if isinstance(e, ast.Constant) else None for e in node.elts]
                    found |= {v.split(".")[0] for flag, v in itertools.pairwise(values) if flag == "-m" and
                              isinstance(v, str)}
    graders = {f"a{a}" for a in available_assignments()}
    return {m for m in found if m not in sys.stdlib_module_names and m != "autograder" and m not in graders}


def _requirement_closure(requirements: list[str]) -> set[str]:
    """Distribution names the requirements install, transitively (as installed in this environment)."""
    seen: set[str] = set()
    pending = [Requirement(r) for r in requirements]
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        if name in seen or (requirement.marker and not requirement.marker.evaluate({"extra": "frameworks"})):
            continue
        seen.add(name)
        pending += [Requirement(r) for r in metadata.requires(name) or []]
    return seen


def test_student_wheel_declares_what_its_code_needs(student_env):
    """Every module the shipped code imports at load time (or runs, like ruff) comes with a declared requirement."""
    with zipfile.ZipFile(student_env.wheel) as archive:
        info = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        declared = [line.split(":", 1)[1].strip() for line in archive.read(info).decode().splitlines()
                    if line.startswith("Requires-Dist:")]
    provided = _requirement_closure(declared)
    distributions = metadata.packages_distributions()
    missing = {module: distributions.get(module) for module in _needed_modules(student_env.wheel)
               if not {canonicalize_name(d) for d in distributions.get(module, [module])} & provided}
    assert missing == {}


def test_leak_scan_finds_what_the_graders_wheel_holds(grader_env):
    """The scan is not blind: the graders' wheel (hidden tests included) is full of findings."""
    findings = scan_wheel(grader_env.wheel, collect_secrets())
    for assignment in available_assignments():
        package = f"a{assignment}"
        assert f"autograder/course/graders/{package}/test_hidden.py: a hidden grader file" in findings
        assert any(f.startswith(f"autograder/course/graders/{package}/test_hidden.py: name of hidden test")
                   for f in findings), assignment
    assert any("ANSWER_KEY" in line for line in collect_secrets().lines)  # the quiz's key is a secret
    solutions = scan_folder(SOLUTIONS_DIR)
    assert all(any(f.startswith(f"{a}/{a}.ipynb: file") for f in solutions) for a in available_assignments())
    assert scan_folder(ASSIGNMENTS_DIR) == []


def test_public_grader_importing_a_hidden_module_is_refused(tmp_path):
    folder = tmp_path / "a01_regression"
    shutil.copytree(GRADERS_DIR / "a01_regression", folder)
    conftest = folder / "conftest.py"
    conftest.write_text(conftest.read_text() + "\nfrom a01_regression import hidden_inputs  # noqa\n")
    with pytest.raises(BundleError, match=r"conftest\.py imports hidden_inputs, which must stay hidden"):
        grader_files(folder, include_hidden=False)


def test_leaking_bundle_is_not_written(tmp_path, monkeypatch):
    monkeypatch.setattr("autograder.distribution.bundle.scan_wheel", lambda wheel: ["x.py: hidden code"])
    with pytest.raises(BundleError, match="would leak"):
        build("student", tmp_path)
    assert list(tmp_path.glob("*.whl")) == []


def _execute(python: Path | str, notebook: Path, env: dict[str, str]) -> subprocess.Popen:
    script = notebook.parent / "execute.py"
    script.write_text(EXECUTE)
    return subprocess.Popen([str(python), str(script), str(notebook)], cwd=notebook.parent, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_graded_cells_give_the_same_feedback_as_in_the_instructors_checkout(student_env, tmp_path):
    runs = {}
    for where, python, env in (("student", student_env.python, student_env.environ(DLKIT_QUICK="1")),
                               ("instructor", sys.executable, {**student_env.environ(), "DLKIT_QUICK": "1",
                                                               "PATH": str(Path(sys.executable).parent)})):
        folder = tmp_path / where
        folder.mkdir()
        shutil.copy(reference_notebook(ASSIGNMENT), folder / f"{ASSIGNMENT}.ipynb")
        runs[where] = _execute(python, folder / f"{ASSIGNMENT}.ipynb", env)
    outputs = {}
    for where, process in runs.items():
        stdout, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr[-3000:]
        outputs[where] = json.loads(stdout.strip().splitlines()[-1])
    student, instructor = outputs["student"], outputs["instructor"]
    assert student["graded"] == instructor["graded"]
    public = load_assignment(ASSIGNMENT, include_hidden=False)
    printed = "\n".join(student["graded"].values())
    for check in public.checks:
        assert f"✔ {check.title} : " in printed
    assert "✘" not in printed
    assert student["imports_stderr"] == [] and instructor["imports_stderr"] == []  # no TensorFlow start-up noise


def test_check_grade_start_and_data_in_the_student_environment(student_env, tmp_path):
    work = tmp_path / "work"
    started = student_env.run("autograder", "start", ASSIGNMENT, "--to", work, cwd=tmp_path)
    assert started.returncode == 0, started.stderr
    assert (work / f"{ASSIGNMENT}.ipynb").read_bytes() == (ASSIGNMENTS_DIR / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
                                                           ).read_bytes()
    again = student_env.run("autograder", "start", ASSIGNMENT, "--to", work, cwd=tmp_path)
    assert again.returncode == 2 and "your work is kept" in again.stderr

    untouched = student_env.run("autograder", "check", f"{ASSIGNMENT}.ipynb", cwd=work)
    assert untouched.returncode == 1 and "NotImplementedError" in untouched.stdout

    shutil.copy(reference_notebook(ASSIGNMENT), work / "reference.ipynb")
    checked = student_env.run("autograder", "check", "reference.ipynb", cwd=work)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    public = load_assignment(ASSIGNMENT, include_hidden=False)
    assert f"{sum(c.points for c in public.checks):g}/{sum(c.points for c in public.checks):g}" in checked.stdout

    graded = student_env.run("autograder", "grade", "reference.ipynb", "--json", "results.json", cwd=work)
    assert graded.returncode == 0, graded.stderr
    (result,) = json.loads((work / "results.json").read_text())
    assert [t["name"] for t in result["tests"]] == [c.name for c in public.checks]  # hidden checks are absent
    assert result["score"] == result["max_score"] == sum(c.points for c in public.checks)
    assert not any(t["hidden"] for t in result["tests"])

    prepared = student_env.run("autograder", "data", "prepare", "--dataset", "california_housing", cwd=work)
    assert prepared.returncode == 0, prepared.stderr
