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

Each build has its own version, from the checkout's git state (:mod:`autograder.version`), written into
the wheel (``autograder/_version.py``) and into each bundled notebook's ``metadata["dlkit"]["kit_version"]``
(the committed notebooks do not change). The requirements are ``requirements.txt``'s, less the
instructor's tools; the frameworks are an extra whose environment markers pick, per platform, a build
that exists (``python -m benchmarks.install_size`` resolves them for each one).
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

from autograder.distribution.leaks import scan_wheel
from autograder.grading.assignments import PUBLIC_FILE, available_assignments, is_hidden_module, package_name
from autograder.paths import ASSIGNMENTS_DIR, GRADERS_DIR, KIT_ROOT, PACKAGE_DIR
from autograder.version import kit_version, repository_version

#: Parts of the ``autograder`` package that stay with the instructor (paths relative to the package): the
#: delivery and authoring tools, nbgrader's plugins (they import nbgrader, which students do not install), and
#: the code similarity comparison (``autograder similarity``).
INSTRUCTOR_ONLY = ("distribution", "release.py", "nbgrader_scores.py", "nbgrader_late.py", "nbgrader_cells.py",
                   "authoring.py", "course", "similarity")
#: Requirements no bundle needs: instructor tools (copydetect: ``autograder similarity``; mkdocs: the
#: documentation site) and the kit's own test tools (gunicorn, selenium, pytest-xdist, filelock). ruff stays:
#: a public check runs it.
INSTRUCTOR_REQUIREMENTS = frozenset({"nbgrader", "jupyter", "selenium", "gunicorn", "pytest-xdist", "filelock",
                                     "copydetect", "mkdocs", "mkdocs-material", "zizmor"})
#: Grading on a Dask cluster (``grade --scheduler``, ``worker``): in the graders' bundle only.
CLUSTER_MODULE, CLUSTER_REQUIREMENTS = "grading/cluster.py", frozenset({"dask", "distributed"})
#: Requirements of the optional ``frameworks`` extra (Colab and JupyterHub images usually have them).
FRAMEWORK_REQUIREMENTS = frozenset({"torch", "torchvision", "tensorflow-cpu", "tensorflow", "keras", "torchviz"})
#: What the kit's code needs: ``enum.StrEnum`` and ``datetime.UTC`` (3.11).
REQUIRES_PYTHON = ">=3.11"
GRADER_ROOTS = ("__init__.py", "conftest.py", PUBLIC_FILE)


class BundleError(RuntimeError):
    """The bundle cannot be built as asked (a public grader imports a hidden module, a build failed)."""


@dataclass(frozen=True)
class Kind:
    """One kind of bundle: its distribution name, whether hidden graders, notebooks and the Dask cluster ship."""

    distribution: str
    include_hidden: bool
    notebooks: bool
    summary: str
    cluster: bool


KINDS = {
    "student": Kind("dlkit-student", False, True, "Deep-learning course kit for students: notebooks and public tests",
                    cluster=False),
    "grader": Kind("dlkit-grader", True, False, "Deep-learning course kit for grading machines: all graders",
                   cluster=True),
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


def requirements(kind: Kind) -> tuple[list[str], list[str]]:
    """The kit's requirements for ``kind`` as ``(core, frameworks)``: instructor tools left out."""
    dropped = INSTRUCTOR_REQUIREMENTS | (frozenset() if kind.cluster else CLUSTER_REQUIREMENTS)
    core, frameworks = [], []
    for line in (KIT_ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        if requirement.name in dropped:
            continue
        (frameworks if requirement.name in FRAMEWORK_REQUIREMENTS else core).append(str(requirement))
    return core, frameworks


def pyproject(kind: Kind, version: str) -> str:
    """The staged project's ``pyproject.toml``."""
    core, frameworks = requirements(kind)

    def toml_list(items: list[str]) -> str:
        return "[" + ", ".join(json.dumps(item) for item in items) + "]"  # a JSON string is a TOML one

    return f"""[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "{kind.distribution}"
version = "{version}"
description = "{kind.summary}"
requires-python = "{REQUIRES_PYTHON}"
dependencies = {toml_list(core)}

[project.optional-dependencies]
frameworks = {toml_list(frameworks)}
lab = ["jupyterlab"]

[project.scripts]
autograder = "autograder.launcher:main"

[project.entry-points.pytest11]
dlkit = "autograder.pytest_plugin"

[tool.setuptools.packages.find]
include = ["autograder*"]

[tool.setuptools.package-data]
"*" = ["*.ipynb", "*.json", "*.csv"]
"""


def _ignored(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n == "__pycache__" or n.endswith((".pyc", ".egg-info"))}


def with_kit_version(text: str, version: str) -> str:
    """A notebook's JSON text recording ``version`` under ``metadata["dlkit"]["kit_version"]``.

    Written as nbformat and nbgrader write it (one-space indent, sorted keys), so nothing else changes.
    """
    notebook = json.loads(text)
    notebook.setdefault("metadata", {}).setdefault("dlkit", {})["kit_version"] = version
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def build_version() -> str:
    """The version a build made now gets (:mod:`autograder.version`; a dirty tree's with the time)."""
    return repository_version(stamp=datetime.now(UTC)) or kit_version()


def stage(kind: Kind, root: Path, version: str) -> Path:
    """Lay out the project to build in ``root``; return the staged package folder."""
    package = root / "autograder"
    shutil.copytree(PACKAGE_DIR, package, ignore=_ignored)
    for name in INSTRUCTOR_ONLY if kind.cluster else (*INSTRUCTOR_ONLY, CLUSTER_MODULE):
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
            source = ASSIGNMENTS_DIR / assignment / f"{assignment}.ipynb"
            (notebooks / source.name).write_text(with_kit_version(source.read_text(encoding="utf-8"), version),
                                                 encoding="utf-8")
    (package / "_version.py").write_text(f'"""Written by the bundle."""\n\nVERSION = "{version}"\n',
                                         encoding="utf-8")
    (root / "pyproject.toml").write_text(pyproject(kind, version), encoding="utf-8")
    (root / "README.md").write_text(f"# {kind.distribution}\n\n{kind.summary}.\n", encoding="utf-8")
    return package


def build(kind_name: str, out: Path, version: str | None = None) -> Path:
    """Build the ``kind_name`` wheel into ``out``; return its path.

    ``version``: the wheel's version (default: :func:`build_version`, from the checkout's state).

    Raises:
        BundleError: unknown kind, a public grader importing a hidden module, or the build failed.
    """
    if kind_name not in KINDS:
        raise BundleError(f"unknown bundle {kind_name!r}; choose among {', '.join(KINDS)}")
    kind = KINDS[kind_name]
    version = str(Version(version or build_version()))  # normalised, as the wheel's file name has it
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dlkit-bundle-") as scratch:
        stage(kind, Path(scratch), version)
        completed = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
             "--disable-pip-version-check", "--wheel-dir", str(out), scratch],
            capture_output=True, text=True, cwd=scratch)
        if completed.returncode != 0:
            raise BundleError(f"building {kind.distribution} failed:\n{completed.stderr[-3000:]}")
    wheel = out / f"{kind.distribution.replace('-', '_')}-{version}-py3-none-any.whl"
    if not wheel.is_file():
        raise BundleError(f"pip reported success but {wheel} is missing")
    if not kind.include_hidden and (findings := scan_wheel(wheel)):
        wheel.unlink()
        raise BundleError("the student bundle would leak (not written):\n" + "\n".join(findings))
    return wheel
