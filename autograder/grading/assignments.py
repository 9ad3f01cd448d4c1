"""Find an assignment's graders: ``tests/graders/a<NAME>/``.

* ``__init__.py`` describes the assignment (``NAME``, ``TASKS``, ``PRELOAD``, ``TIME_LIMIT_S``);
* ``test_public.py`` holds the public tests (they ship to students), ``test_hidden.py`` the hidden
  ones (``pytestmark = hidden``; never shipped): without it the public tests still run;
* ``probes.py`` holds the sandbox-side helpers the tests run next to the student's code; it
  holds no expected value, and it is the only grader module the sandbox imports (with
  ``hidden_probes.py`` when hidden tests run);
* ``hidden_*.py`` modules hold what only the hidden tests use; like ``test_hidden.py`` they
  never ship to students (:mod:`autograder.distribution.bundle`).

The list of checks is read from the test files by pytest's own collection (markers and
docstrings): there is no second registry.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

from autograder.paths import GRADERS_DIR

PUBLIC_FILE = "test_public.py"
HIDDEN_FILE = "test_hidden.py"
HIDDEN_PREFIX = "hidden_"


class UnknownAssignment(LookupError):
    """No graders (or no student notebook) exist for the requested assignment.

    Most often a notebook newer than the installed kit: its message, in French, says how to update.
    """

    def __init__(self, name: str, known: tuple[str, ...] | list[str] = ()) -> None:
        super().__init__(name, tuple(known))  # the arguments, so that it survives pickling
        self.name, self.known = name, tuple(known)

    def __str__(self) -> str:
        from autograder.version import UPDATE_COMMAND, kit_version

        return (f"le devoir « {self.name} » n'est pas dans le kit installé (version {kit_version()}). Si ce "
                f"notebook vient d'une version plus récente du cours, mettez le kit à jour avec le fichier .whl "
                f"publié par le cours : {UPDATE_COMMAND} (puis redémarrez le noyau du notebook). Devoirs de ce "
                f"kit : {', '.join(self.known) or 'aucun'}.")


@dataclass(frozen=True)
class Assignment:
    """An assignment's graders.

    Attributes:
        name: e.g. ``01_regression``.
        tasks: graded steps in notebook order; one nbgrader autograded cell each.
        checks: every test's declaration (:class:`autograder.pytest_plugin.CheckInfo`), ordered by
            task, public before hidden.
        preload: modules the sandbox imports before the student's code (``tensorflow``, ``torch``).
        time_limit_s: wall-time limit for grading one submission, in seconds.
        folder: the grader package's folder.
        include_hidden: whether ``checks`` and :meth:`test_files` include the hidden tests.
    """

    name: str
    tasks: tuple[str, ...]
    checks: tuple
    preload: tuple[str, ...]
    time_limit_s: float
    folder: Path
    include_hidden: bool

    @property
    def package(self) -> str:
        return package_name(self.name)

    def check(self, name: str):
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(name)

    def task_points(self) -> dict[str, float]:
        """``{task: points}`` over all checks, in task order."""
        return {task: sum(c.points for c in self.checks if c.task == task) for task in self.tasks}

    def test_files(self) -> list[Path]:
        """The grader files to run: the public one, and the hidden one when included and present."""
        files = [self.folder / PUBLIC_FILE]
        if self.include_hidden and (self.folder / HIDDEN_FILE).is_file():
            files.append(self.folder / HIDDEN_FILE)
        return files

    @property
    def probe_modules(self) -> tuple[str, ...]:
        """The sandbox-side helper modules (imported in the sandbox before the student's code)."""
        public, hidden = probe_module_names(self.package)
        wanted = (public, hidden) if self.include_hidden else (public,)
        return tuple(m for m in wanted if (self.folder / f"{m.rpartition('.')[2]}.py").is_file())

    @property
    def warm_modules(self) -> tuple[str, ...]:
        """What a pre-started worker imports once for every sandbox it forks: the frameworks, the probe modules
        and the modules the released notebook imports (what nearly every submission imports again)."""
        return (*self.preload, *self.probe_modules, *released_imports(self.name))


@cache
def graders_version(name: str, graders_dir: Path = GRADERS_DIR) -> str:
    """SHA-256 (16 hex digits) of the assignment's grader files and of the kit's grading code: a change regrades."""
    import hashlib

    import autograder

    digest = hashlib.sha256()
    kit = Path(autograder.__file__).parent
    files = sorted((graders_dir / package_name(name)).glob("*.py")) + sorted((kit / "grading").glob("*.py"))
    for path in [*files, kit / "pytest_plugin.py"]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@cache
def released_imports(name: str) -> tuple[str, ...]:
    """The modules the assignment's released student notebook imports (none when it is not there)."""
    from autograder.grading.notebook import NotebookError, definitions, imported_modules, read_notebook
    from autograder.paths import ASSIGNMENTS_DIR

    try:
        return tuple(imported_modules(definitions(read_notebook(ASSIGNMENTS_DIR / name / f"{name}.ipynb"))))
    except NotebookError:
        return ()


def is_hidden_module(stem: str) -> bool:
    """``test_hidden`` and ``hidden_*`` modules of a grader package: only the hidden tests use them."""
    return stem == Path(HIDDEN_FILE).stem or stem.startswith(HIDDEN_PREFIX)


def probe_module_names(package: str) -> tuple[str, str]:
    """The public and the hidden probe module of a grader package."""
    return f"{package}.probes", f"{package}.hidden_probes"


@cache
def probe_files(package: str, modules: tuple[str, ...], graders_dir: Path = GRADERS_DIR) -> tuple[Path, ...]:
    """The files the sandbox needs to import ``modules`` of ``package``: theirs, the package's ``__init__.py``
    and the package modules they import (``inputs``), found with ``ast``; never a test file."""
    import ast

    folder = graders_dir / package
    wanted = [name.rpartition(".")[2] for name in modules if name.startswith(f"{package}.")]
    found: list[str] = []
    while wanted:
        name = wanted.pop()
        path = folder / f"{name}.py"
        if name in found or not path.is_file() or name.startswith("test_") or name == "conftest":
            continue
        found.append(name)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported = [node.module if not node.level else f"{package}.{node.module}"]
            elif isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            else:
                continue
            wanted += [module.rpartition(".")[2] for module in imported if module.startswith(f"{package}.")]
    init = folder / "__init__.py"
    return tuple([*([init] if found and init.is_file() else []), *(folder / f"{name}.py" for name in sorted(found))])


def package_name(assignment: str) -> str:
    """Python package holding an assignment's graders: ``01_regression`` -> ``a01_regression``."""
    return "a" + assignment


def import_graders_module(module: str, graders_dir: Path = GRADERS_DIR) -> ModuleType | None:
    """Import a module of the graders' folder (None if it does not exist)."""
    if str(graders_dir) not in sys.path:
        sys.path.insert(0, str(graders_dir))
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name == module:
            return None
        raise


def available_assignments(graders_dir: Path = GRADERS_DIR) -> list[str]:
    """Names of the assignments that have graders, sorted."""
    return sorted(p.parent.name[1:] for p in graders_dir.glob(f"a*/{PUBLIC_FILE}"))


@cache
def describe_assignment(name: str, include_hidden: bool = True, graders_dir: Path = GRADERS_DIR) -> Assignment:
    """An assignment's description from its package's ``__init__.py``, without its checks.

    Raises:
        UnknownAssignment: no ``tests/graders/a<name>/`` package exists.
    """
    package = package_name(name)
    meta = import_graders_module(package, graders_dir)
    if meta is None or not (graders_dir / package / PUBLIC_FILE).is_file():
        raise UnknownAssignment(name, available_assignments(graders_dir))
    return Assignment(
        name=name,
        tasks=tuple(meta.TASKS),
        checks=(),
        preload=tuple(getattr(meta, "PRELOAD", ())),
        time_limit_s=float(getattr(meta, "TIME_LIMIT_S", 300)),
        folder=graders_dir / package,
        include_hidden=include_hidden,
    )


@cache
def load_assignment(name: str, include_hidden: bool = True, graders_dir: Path = GRADERS_DIR) -> Assignment:
    """An assignment's description and the declarations of its tests (collected by pytest, nothing run).

    Raises:
        UnknownAssignment: no ``tests/graders/a<name>/`` package exists.
    """
    from autograder.grading.runner import collect_checks

    described = describe_assignment(name, include_hidden, graders_dir)
    return Assignment(**{**described.__dict__, "checks": tuple(collect_checks(described))})
