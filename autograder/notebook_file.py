"""The notebook file a graded cell's kernel runs: where it is, which kit it needs, whether it holds the kernel's code.

A graded cell tests the kernel's definitions, but what is graded is the notebook file the student hands
in. Three things tie the two, all read from the file, never guessed:

* :func:`locate`: the notebook of this kernel, by the path its front end gives. ipykernel (6.x and later)
  sets ``__session__`` in the kernel's namespace from ``JPY_SESSION_NAME``, which Jupyter Server sets to
  the notebook's path when it starts the kernel; VS Code sets ``__vsc_ipynb_file__``; Colab, whose kernel
  runs in ``/content`` far from the notebook, answers ``get_ipynb`` with the notebook itself. Nothing else
  is tried: the first ``*.ipynb`` of the working folder may be another notebook (a renamed copy's
  original). When none is found, :attr:`Located.problem` says why, in French.
* :func:`newer_kit`: the kit version the notebook was released with (``metadata.dlkit.kit_version``),
  when it is newer than the installed ``autograder``.
* :func:`drift`: the graded definitions of the file compared with the kernel's, as syntax trees (``ast``):
  a cell that does not parse, a function the file lacks or holds in another version. The kernel's source
  is the cell IPython compiled it from (``linecache``, as :func:`inspect.getsource` reads it).
"""

from __future__ import annotations

import ast
import inspect
import linecache
import os
import sys
import types
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import nbformat

from autograder.grading.notebook import NotebookError, assignment_of, definitions, read_notebook
from autograder.metadata import section, text

#: Namespace entries that name the kernel's notebook file: ipykernel's (from ``JPY_SESSION_NAME``), VS Code's.
PATH_GLOBALS = ("__session__", "__vsc_ipynb_file__")
SESSION_ENV = "JPY_SESSION_NAME"
#: Seconds Colab's front end is given to send the notebook.
COLAB_TIMEOUT_S = 5
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass(frozen=True)
class Located:
    """The kernel's notebook, or why it was not found.

    Attributes:
        notebook: the notebook read (nbformat), or None.
        where: the file's path, or ``"Colab"``; "" when not found.
        problem: why it was not found, in French (a sentence ending with a full stop); "" when found.
    """

    notebook: Any = None
    where: str = ""
    problem: str = ""


def _session_paths(namespace: dict[str, Any]) -> list[Path]:
    """The notebook paths the front end gave the kernel, in order of trust."""
    named = [namespace.get(name) for name in PATH_GLOBALS] + [os.environ.get(SESSION_ENV)]
    paths: list[Path] = []
    for value in named:
        if not isinstance(value, str) or not value.endswith(".ipynb"):
            continue
        path = Path(value).expanduser()
        # An older server gave a path relative to its root: the kernel runs in the notebook's folder.
        candidates = [path] if path.is_absolute() else [Path.cwd() / path, Path.cwd() / path.name]
        paths += [p for p in candidates if p not in paths]
    return paths


def _colab_notebook() -> Any:
    """The notebook Colab's front end holds, or None outside Colab (or when it does not answer)."""
    if "google.colab" not in sys.modules:
        return None
    try:
        from google.colab import _message  # type: ignore[import-not-found]

        reply = _message.blocking_request("get_ipynb", request="", timeout_sec=COLAB_TIMEOUT_S)
        return nbformat.from_dict(reply["ipynb"])
    except Exception:  # noqa: BLE001 - Colab's private channel: any failure means "not available"
        return None


def locate(namespace: dict[str, Any], assignment: str) -> Located:
    """The notebook of the kernel whose namespace is ``namespace`` (a graded cell's ``globals()``)."""
    wrong = ""
    for path in _session_paths(namespace):
        if not path.is_file():
            continue
        try:
            notebook = read_notebook(path)
        except NotebookError as error:
            return Located(problem=str(error))
        recorded = assignment_of(notebook)
        if recorded not in (None, assignment):
            wrong = f"Le notebook ouvert ({path.name}) est celui du TP {recorded}, pas de {assignment}."
            continue
        return Located(notebook, str(path))
    notebook = _colab_notebook()
    if notebook is not None and assignment_of(notebook) in (None, assignment):
        return Located(notebook, "Colab")
    return Located(problem=wrong or "Le noyau ne sait pas quel fichier .ipynb il exécute (Colab sans accès au "
                                    "notebook, exécution hors de Jupyter…).")


def newer_kit(notebook: Any, installed: str) -> str | None:
    """The kit version ``notebook`` was released with, when newer than ``installed``; else None."""
    from packaging.version import InvalidVersion, Version

    recorded = text(section(notebook, "dlkit"), "kit_version")
    if not recorded:
        return None
    try:
        return str(recorded) if Version(str(recorded)) > Version(installed) else None
    except InvalidVersion:
        return None


# --------------------------------------------------------------------------------------------------- drift


@dataclass(frozen=True)
class ReleasedTask:
    """What the kit's own copy of the released notebook says of one task's graded cell.

    Attributes:
        points: the cell's nbgrader points (public and hidden checks), None without such a cell.
        solutions: ``{grade_id: names defined}`` of the solution cells above it (the graded definitions).
    """

    points: float | None
    solutions: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for names in self.solutions.values() for name in names)


def _defined(source: str) -> list[ast.stmt]:
    """Top-level function and class definitions of a cell's Python source (none if it does not parse)."""
    try:
        return [s for s in ast.parse(source).body if isinstance(s, DEFINITIONS)]
    except SyntaxError:
        return []


@cache
def released_task(assignment: str, task: str) -> ReleasedTask:
    """The task's graded cell in the kit's released notebook (``test_<task>``, or ``<task>`` for an answer cell)."""
    from autograder.paths import ASSIGNMENTS_DIR

    try:
        notebook = read_notebook(ASSIGNMENTS_DIR / assignment / f"{assignment}.ipynb")
    except NotebookError:
        return ReleasedTask(None)
    sources = {cell.index: cell.source for cell in definitions(notebook)}
    solutions: dict[str, tuple[str, ...]] = {}
    for index, cell in enumerate(notebook.cells):
        meta = section(cell, "nbgrader")
        if meta.get("grade") and meta.get("grade_id") in (f"test_{task}", task):
            return ReleasedTask(float(meta.get("points", 0)), solutions)
        if meta.get("solution") and cell.get("cell_type") == "code":
            solutions[meta.get("grade_id", "")] = tuple(node.name for node in _defined(sources.get(index, "")))
    return ReleasedTask(None, solutions)


def _span(node: ast.stmt) -> range:
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    return range(first, (node.end_lineno or node.lineno) + 1)


def _code_objects(value: Any) -> list[types.CodeType]:
    """The code objects that say where ``value`` (a function or a class) was compiled."""
    value = inspect.unwrap(value) if callable(value) else value
    if isinstance(value, types.FunctionType):
        return [value.__code__]
    if isinstance(value, type):
        members = [getattr(m, "__func__", m) for m in vars(value).values()]
        members += [m.fget for m in vars(value).values() if isinstance(m, property) and m.fget is not None]
        return [m.__code__ for m in members if isinstance(m, types.FunctionType)]
    return []


def kernel_definition(value: Any) -> ast.stmt | None:
    """The definition statement the kernel compiled ``value`` from, parsed from its cell; None if unknown (not
    defined by a cell: imported from a module)."""
    from IPython.core.inputtransformer2 import TransformerManager

    name = getattr(value, "__name__", None)
    if getattr(value, "__module__", None) != "__main__":
        return None
    for code in _code_objects(value):
        lines = linecache.getlines(code.co_filename)
        if not lines:
            continue
        try:
            tree = ast.parse(TransformerManager().transform_cell("".join(lines)))
        except (SyntaxError, ValueError):
            continue
        for node in tree.body:
            if isinstance(node, DEFINITIONS) and node.name == name and code.co_firstlineno in _span(node):
                return node
    return None


@dataclass(frozen=True)
class Drift:
    """How the file's graded definitions differ from the kernel's.

    Attributes:
        unparsed: the cells of the file that do not parse and hold graded definitions: their error, in French
            (``cellule 5 : erreur de syntaxe (ligne 3) : ...``), and the graded names the released cell defines.
        missing: graded names the kernel defines and the file does not.
        different: graded names the file defines otherwise than the kernel.
    """

    unparsed: tuple[tuple[str, tuple[str, ...]], ...] = ()
    missing: tuple[str, ...] = ()
    different: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.unparsed or self.missing or self.different)


def drift(notebook: Any, namespace: dict[str, Any], released: ReleasedTask) -> Drift:
    """The graded definitions up to the task's cell (``released``) in ``notebook``, compared with the kernel's.

    Only what the kernel defines is compared (a function the kernel lacks fails its tests anyway). The file's
    definition of a name is its last one in a cell that parses, as grading keeps it.
    """
    cells = definitions(notebook)
    grade_ids = [section(notebook.cells[c.index], "nbgrader").get("grade_id") for c in cells]
    saved: dict[str, ast.stmt] = {}
    for cell in cells:
        saved |= {node.name: node for node in _defined(cell.source)}
    broken = [(grade_id, cell.error) for cell, grade_id in zip(cells, grade_ids, strict=True) if cell.error]
    unparsed = [(error, released.solutions[g]) for g, error in broken if g in released.solutions]
    explained = {name for g, _ in broken if g in released.solutions for name in released.solutions[g]}
    missing, different = [], []
    for name in released.names:
        value = namespace.get(name)
        kernel = kernel_definition(value) if value is not None else None
        if kernel is None or name in explained:
            continue
        if name not in saved:
            missing.append(name)
        elif ast.dump(saved[name]) != ast.dump(kernel):
            different.append(name)
    if missing:  # a cell without nbgrader metadata may hold it
        unparsed += [(error, ()) for g, error in broken if g not in released.solutions]
    return Drift(tuple(unparsed), tuple(missing), tuple(different))
