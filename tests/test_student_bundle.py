"""What students install: a wheel with nothing hidden in it, giving the feedback of the instructor's checkout.

The wheel is installed in a fresh virtual environment (``student_env``, see
``tests/environments.py``); everything here runs in that environment from scratch folders.
"""

from __future__ import annotations

import ast
import itertools
import json
import re
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import nbformat
import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from autograder.distribution.bundle import BundleError, build, grader_files, with_kit_version
from autograder.distribution.leaks import collect_secrets, scan_folder, scan_wheel
from autograder.grading.assignments import available_assignments, load_assignment
from autograder.paths import ASSIGNMENTS_DIR, GRADERS_DIR, SOLUTIONS_DIR
from tests.conftest import reference_notebook, student_notebook
from tests.environments import Environment, bare_environment
from tests.kernels import Cell, kernel

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
#: Each platform's environment markers, and the frameworks the students' package installs there.
PLATFORMS = {
    "linux-x86_64": ({"sys_platform": "linux", "platform_machine": "x86_64"},
                     {"torch", "torchvision", "tensorflow-cpu", "keras", "torchviz"}),
    "linux-aarch64": ({"sys_platform": "linux", "platform_machine": "aarch64"},
                      {"torch", "torchvision", "tensorflow", "keras", "torchviz"}),
    "macos-arm64": ({"sys_platform": "darwin", "platform_machine": "arm64"},
                    {"torch", "torchvision", "tensorflow", "keras", "torchviz"}),
    "macos-x86_64": ({"sys_platform": "darwin", "platform_machine": "x86_64"}, set()),  # no torch 2.14 build
    "windows-x86_64": ({"sys_platform": "win32", "platform_machine": "AMD64"},
                       {"torch", "torchvision", "tensorflow-cpu", "keras", "torchviz"}),
}


def wheel_version(wheel: Path) -> str:
    return wheel.name.split("-")[1]


def wheel_metadata(wheel: Path) -> list[tuple[str, str]]:
    """The ``METADATA`` file's fields, in order."""
    with zipfile.ZipFile(wheel) as archive:
        info = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        header = archive.read(info).decode().split("\n\n", 1)[0]
    return [(key, value.strip()) for key, value in (line.split(":", 1) for line in header.splitlines()
                                                    if ":" in line and not line.startswith(" "))]


def test_student_wheel_holds_public_graders_and_notebooks_only(student_env):
    with zipfile.ZipFile(student_env.wheel) as archive:
        names = archive.namelist()
        for assignment in available_assignments():
            package = f"a{assignment}"
            shipped = sorted(Path(n).name for n in names if n.startswith(f"autograder/course/graders/{package}/"))
            assert shipped == sorted(p.name for p in grader_files(GRADERS_DIR / package, include_hidden=False))
            assert "test_public.py" in shipped and "test_hidden.py" not in shipped
            notebook = f"autograder/course/assignments/{assignment}/{assignment}.ipynb"
            assert archive.read(notebook).decode() == with_kit_version(
                student_notebook(assignment).read_text(encoding="utf-8"), wheel_version(student_env.wheel))
    for instructor_only in ("autograder/release.py", "autograder/nbgrader_scores.py", "autograder/authoring.py",
                            "autograder/grading/cluster.py"):
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
    declared = [value for key, value in wheel_metadata(student_env.wheel) if key == "Requires-Dist"]
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
    started_text = (work / f"{ASSIGNMENT}.ipynb").read_text(encoding="utf-8")
    assert started_text == with_kit_version((ASSIGNMENTS_DIR / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text(
        encoding="utf-8"), wheel_version(student_env.wheel))
    again = student_env.run("autograder", "start", ASSIGNMENT, "--to", work, cwd=tmp_path)
    assert again.returncode == 2 and "votre travail est conservé" in again.stderr

    hidden_only = student_env.run("autograder", "check", f"{ASSIGNMENT}.ipynb", "--task", "quality", cwd=work)
    assert hidden_only.returncode == 2, hidden_only.stderr
    assert "erreur : la tâche quality n'a pas de test public" in hidden_only.stderr  # not "no task quality"

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


def test_installed_package_says_its_version_and_shows_students_their_commands(student_env, tmp_path):
    """``autograder --version`` is the wheel's; ``--help`` lists the students' commands only, in French."""
    version = wheel_version(student_env.wheel)
    printed = student_env.run("autograder", "--version", cwd=tmp_path)
    assert printed.returncode == 0 and printed.stdout == f"autograder {version}\n"
    imported = student_env.run("python", "-c", "import autograder; print(autograder.__version__)", cwd=tmp_path)
    assert imported.stdout.strip() == version
    helped = student_env.run("autograder", "--help", cwd=tmp_path, COLUMNS="200")
    assert helped.returncode == 0 and helped.stdout.startswith("utilisation : autograder")
    commands = re.findall(r"^    (\S+)", helped.stdout.split("commandes:")[1], re.M)
    assert commands == ["start", "check", "data"] and "lance les tests publics sur votre notebook" in helped.stdout
    every = student_env.run("autograder", "--help-all", cwd=tmp_path, COLUMNS="200")
    assert set(re.findall(r"^    (\S+)", every.stdout.split("commandes:")[1], re.M)) == {
        "start", "check", "data", "grade", "report"}  # no Dask worker, demo nor delivery tool in the package
    assert student_env.wheel.stat().st_size < 1_000_000


def test_wheel_requires_python_311_and_frameworks_that_exist_on_each_platform(student_env):
    fields = wheel_metadata(student_env.wheel)
    assert ("Requires-Python", ">=3.11") in fields  # enum.StrEnum, datetime.UTC
    declared = [Requirement(value) for key, value in fields if key == "Requires-Dist"]
    core = {canonicalize_name(r.name) for r in declared if not r.marker}
    # What students use, nothing more: a new requirement is either added here or kept for the instructor
    # (INSTRUCTOR_REQUIREMENTS: nbgrader, Dask, pytest-xdist, mkdocs... never reach a student's machine).
    assert core == {"scikit-learn", "numpy", "matplotlib", "pandas", "nbformat", "nbclient", "ipykernel", "pytest",
                    "ruff", "mlflow", "flask", "dockerfile-parse"}
    for platform, (markers, frameworks) in PLATFORMS.items():
        environment = {**default_environment(), **markers, "extra": "frameworks"}
        chosen = {r.name for r in declared if r.marker and r.marker.evaluate(environment)
                  and "extra" in str(r.marker) and r.name != "jupyterlab"}
        assert chosen == frameworks, platform
    assert {str(r.specifier) for r in declared if r.name in {"torch", "torchvision", "tensorflow", "tensorflow-cpu"}
            } == {"==2.14.1", "==0.29.1", "==2.21.*"}
    assert Requirement("torch==2.14.1").specifier.contains("2.14.1+cpu")  # README: PyTorch's CPU index on Linux


def _graded_cell(environment: Environment, folder: Path, notebook: Path) -> Cell:
    """01's split cell of ``notebook`` (its function solved, run and saved) in a kernel of ``environment``."""
    def by_id(path: Path) -> tuple[nbformat.NotebookNode, dict[str, nbformat.NotebookNode]]:
        read = nbformat.read(path, as_version=4)
        return read, {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in read.cells}

    released, cells = by_id(notebook)
    solved = by_id(reference_notebook(ASSIGNMENT))[1]["split_data"].source
    cells["split_data"].source = solved
    nbformat.write(released, notebook)
    with kernel(environment, folder, session=notebook) as k:
        assert k.where()["python"] == str(environment.python)
        assert k.run("from sklearn.model_selection import train_test_split").status == "ok"  # the imports cell's
        assert k.run(solved).status == "ok"
        return k.run(cells["test_split"].source)


def test_a_newer_build_replaces_an_older_one_without_force_reinstall(student_env, tmp_path):
    """A student who installs the course's newer wheel gets it: newer commits give greater versions.

    Before, in a real kernel, the newer notebook's graded cell stops with the French message naming the command
    that updates the kit; after the update (``pip install`` of the newer wheel, no ``--force-reinstall``) and a
    new kernel, the same cell passes."""
    older = build("student", tmp_path / "dist", version="0.1.0.dev1+g0000000")
    newer = wheel_version(student_env.wheel)
    assert Version(wheel_version(older)) < Version(newer)
    environment = Environment(bare_environment(tmp_path), older)
    notebook = tmp_path / f"{ASSIGNMENT}.ipynb"
    notebook.write_text(with_kit_version(student_notebook(ASSIGNMENT).read_text(encoding="utf-8"), newer),
                        encoding="utf-8")  # as ``autograder start`` of the newer kit writes it
    for wheel in (older, student_env.wheel):
        installed = environment.run("python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                                    "--no-index", wheel, cwd=tmp_path)
        assert installed.returncode == 0, installed.stdout + installed.stderr
        printed = environment.run("autograder", "--version", cwd=tmp_path)
        assert printed.stdout == f"autograder {wheel_version(wheel)}\n", printed.stderr
        graded = _graded_cell(environment, tmp_path, notebook)
        if wheel == older:
            assert graded.status == "error" and graded.stdout == "", graded
            assert graded.error == (
                f"Kit trop ancien : ce notebook a été publié avec le kit {newer}, le kit installé est la version "
                f"{wheel_version(older)}, plus ancienne ; ses tests ne sont pas ceux de ce notebook.\n"
                "Mettez le kit à jour avec la roue (.whl) du cours, puis redémarrez le noyau :\n"
                f"    pip install --upgrade dlkit_student-{newer}-py3-none-any.whl"), graded.error
        else:
            assert graded.status == "ok" and "✔ Découpage 80/20" in graded.stdout, graded
            assert "⚠" not in graded.stdout and "Kit trop ancien" not in graded.stdout
    notebook.unlink()
    started = environment.run("autograder", "start", ASSIGNMENT, cwd=tmp_path)
    assert started.returncode == 0, started.stderr
    recorded = json.loads((tmp_path / f"{ASSIGNMENT}.ipynb").read_text(encoding="utf-8"))["metadata"]["dlkit"]
    assert recorded == {"assignment": ASSIGNMENT, "kit_version": wheel_version(student_env.wheel)}
