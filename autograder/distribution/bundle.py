"""``autograder bundle student|grader``: the wheels a course hands out, built from this checkout.

* ``student`` (``dlkit-student``): what student notebooks and ``autograder check`` need: the
  kit's runtime (notebook API, sandbox, data preparation, exports), each assignment's public
  graders and its released student notebook. No hidden test, no ``hidden_*`` helper, no
  solution, no example submission, no instructor tool: the built wheel is scanned
  (:mod:`autograder.distribution.leaks`) and refused if anything secret is found in it.
* ``grader`` (``dlkit-grader``): what a grading machine needs (Gradescope's container, a CI
  runner): the same runtime and every grader, hidden tests included; still no solution and no
  example submission.

Which grader files ship is read from the imports (``ast``), not from a list: a public bundle
holds ``__init__.py``, ``conftest.py``, ``test_public.py`` and the package's modules they import,
transitively; a public file that imports ``test_hidden`` or a ``hidden_*`` module is an error.

The wheel is built by setuptools (``pip wheel``) from a staged copy: ``autograder/`` with the
graders under ``autograder/course/graders/`` and the notebooks under
``autograder/course/assignments/`` (:mod:`autograder.paths` finds them there once installed).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement

from autograder import __version__
from autograder.distribution.leaks import scan_wheel
from autograder.grading.assignments import PUBLIC_FILE, available_assignments, is_hidden_module, package_name
from autograder.paths import ASSIGNMENTS_DIR, GRADERS_DIR, KIT_ROOT, PACKAGE_DIR

#: Parts of the ``autograder`` package that stay with the instructor (paths relative to the package); the code
#: similarity comparison (``autograder similarity``) among them.
INSTRUCTOR_ONLY = ("distribution", "release.py", "nbgrader_scores.py", "authoring.py", "course", "similarity")
#: Requirements students do not need (instructor and test tools, copydetect for ``autograder similarity``; ruff
#: stays: a public check runs it).
INSTRUCTOR_REQUIREMENTS = frozenset({"nbgrader", "jupyter", "selenium", "gunicorn",  # gunicorn: kit tests
                                     "copydetect"})
#: Requirements of the optional ``frameworks`` extra (Colab and JupyterHub images usually have them).
FRAMEWORK_REQUIREMENTS = frozenset({"torch", "torchvision", "tensorflow-cpu", "keras", "torchviz"})
GRADER_ROOTS = ("__init__.py", "conftest.py", PUBLIC_FILE)


class BundleError(RuntimeError):
    """The bundle cannot be built as asked (a public grader imports a hidden module, a build failed)."""


@dataclass(frozen=True)
class Kind:
    """One kind of bundle: its distribution name and whether hidden graders ship in it."""

    distribution: str
    include_hidden: bool
    notebooks: bool
    summary: str


KINDS = {
    "student": Kind("dlkit-student", False, True, "Deep-learning course kit for students: notebooks and public tests"),
    "grader": Kind("dlkit-grader", True, False, "Deep-learning course kit for grading machines: all graders"),
}


def local_imports(path: Path, package: str) -> set[str]:
    """Modules of ``package`` that the file imports (``from a01_regression import probes``, ``.inputs``...)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if parts[0] == package and len(parts) > 1:
                found.add(parts[1])
            elif parts == [package]:
                found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith(package + ".")}
    return found


def grader_files(folder: Path, include_hidden: bool) -> list[Path]:
    """The files of one grader package that ship: public roots and what they import, then hidden ones if asked.

    Raises:
        BundleError: a public file imports a hidden module.
    """
    package = folder.name
    shipped = [folder / name for name in GRADER_ROOTS if (folder / name).is_file()]
    pending = list(shipped)
    while pending:
        path = pending.pop()
        for module in sorted(local_imports(path, package)):
            target = folder / f"{module}.py"
            if not target.is_file() or target in shipped:
                continue
            if is_hidden_module(module):
                raise BundleError(f"{path.relative_to(folder.parent)} imports {module}, which must stay hidden")
            shipped.append(target)
            pending.append(target)
    if include_hidden:
        shipped += [p for p in sorted(folder.glob("*.py")) if is_hidden_module(p.stem) and p not in shipped]
    return sorted(shipped)


def requirements() -> tuple[list[str], list[str]]:
    """The kit's requirements as ``(core, frameworks)``: instructor tools left out."""
    core, frameworks = [], []
    for line in (KIT_ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        if requirement.name in INSTRUCTOR_REQUIREMENTS:
            continue
        (frameworks if requirement.name in FRAMEWORK_REQUIREMENTS else core).append(str(requirement))
    return core, frameworks


def pyproject(kind: Kind) -> str:
    """The staged project's ``pyproject.toml``."""
    core, frameworks = requirements()

    def toml_list(items: list[str]) -> str:
        return "[" + ", ".join(f'"{item}"' for item in items) + "]"

    return f"""[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "{kind.distribution}"
version = "{__version__}"
description = "{kind.summary}"
requires-python = ">=3.10"
dependencies = {toml_list(core)}

[project.optional-dependencies]
frameworks = {toml_list(frameworks)}
lab = ["jupyterlab"]

[project.scripts]
autograder = "autograder.cli:main"

[project.entry-points.pytest11]
dlkit = "autograder.pytest_plugin"

[tool.setuptools.packages.find]
include = ["autograder*"]

[tool.setuptools.package-data]
"*" = ["*.ipynb", "*.json", "*.csv"]
"""


def _ignored(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n == "__pycache__" or n.endswith((".pyc", ".egg-info"))}


def stage(kind: Kind, root: Path) -> Path:
    """Lay out the project to build in ``root``; return the staged package folder."""
    package = root / "autograder"
    shutil.copytree(PACKAGE_DIR, package, ignore=_ignored)
    for name in INSTRUCTOR_ONLY:
        target = package / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    for assignment in available_assignments():
        graders = package / "course" / "graders" / package_name(assignment)
        graders.mkdir(parents=True)
        for path in grader_files(GRADERS_DIR / package_name(assignment), kind.include_hidden):
            shutil.copy(path, graders / path.name)
        if kind.notebooks:
            notebooks = package / "course" / "assignments" / assignment
            notebooks.mkdir(parents=True)
            shutil.copy(ASSIGNMENTS_DIR / assignment / f"{assignment}.ipynb", notebooks)
    (root / "pyproject.toml").write_text(pyproject(kind), encoding="utf-8")
    (root / "README.md").write_text(f"# {kind.distribution}\n\n{kind.summary}.\n", encoding="utf-8")
    return package


def build(kind_name: str, out: Path) -> Path:
    """Build the ``kind_name`` wheel into ``out``; return its path.

    Raises:
        BundleError: unknown kind, a public grader importing a hidden module, or the build failed.
    """
    if kind_name not in KINDS:
        raise BundleError(f"unknown bundle {kind_name!r}; choose among {', '.join(KINDS)}")
    kind = KINDS[kind_name]
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dlkit-bundle-") as scratch:
        stage(kind, Path(scratch))
        completed = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
             "--disable-pip-version-check", "--wheel-dir", str(out), scratch],
            capture_output=True, text=True, cwd=scratch)
        if completed.returncode != 0:
            raise BundleError(f"building {kind.distribution} failed:\n{completed.stderr[-3000:]}")
    wheel = out / f"{kind.distribution.replace('-', '_')}-{__version__}-py3-none-any.whl"
    if not wheel.is_file():
        raise BundleError(f"pip reported success but {wheel} is missing")
    if not kind.include_hidden and (findings := scan_wheel(wheel)):
        wheel.unlink()
        raise BundleError("the student bundle would leak (not written):\n" + "\n".join(findings))
    return wheel
