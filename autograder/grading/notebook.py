"""Read a submitted notebook and keep only the definitions the graders need.

The notebook is parsed with nbformat, IPython magics are translated to Python, and each
code cell's syntax tree is filtered: imports, function and class definitions and
assignments of literal constants are kept; everything else (training runs, plots,
exploration, top-level monkeypatching) is dropped and never executed.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path

import nbformat
from IPython.core.inputtransformer2 import TransformerManager

from autograder.metadata import section, text

KEPT_STATEMENTS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class NotebookError(Exception):
    """The file is not a readable notebook; the message is in French."""


@dataclass(frozen=True)
class DefinitionCell:
    """The kept part of one code cell.

    Attributes:
        index: position of the cell in the notebook (0-based, all cell types counted).
        source: Python source of the kept statements (may be empty).
        error: French description of why the cell could not be parsed, if it could not.
    """

    index: int
    source: str
    error: str | None = None

    @property
    def filename(self) -> str:
        """Pseudo file name used in tracebacks shown to the student."""
        return f"<cellule {self.index + 1}>"


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read and validate a notebook file.

    Raises:
        NotebookError: missing file, invalid JSON, or not a notebook (French message).
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise NotebookError(f"Le fichier {Path(path).name} est illisible : {error}.") from error
    try:
        notebook = nbformat.reads(text, as_version=4)
    except (json.JSONDecodeError, nbformat.reader.NotJSONError) as error:
        raise NotebookError(
            f"Le fichier {Path(path).name} n'est pas un notebook valide (JSON incorrect : {error})."
        ) from error
    except Exception as error:  # nbformat raises several unrelated types for bad structure
        raise NotebookError(f"Le fichier {Path(path).name} n'est pas un notebook Jupyter : {error}.") from error
    if not isinstance(notebook.get("cells"), list):
        raise NotebookError(f"Le fichier {Path(path).name} ne contient pas de cellules.")
    return notebook


def _is_literal(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _kept(statement: ast.stmt) -> bool:
    if isinstance(statement, KEPT_STATEMENTS):
        return True
    if isinstance(statement, ast.Assign):
        return all(isinstance(t, ast.Name) for t in statement.targets) and _is_literal(statement.value)
    if isinstance(statement, ast.AnnAssign):
        return isinstance(statement.target, ast.Name) and statement.value is not None and _is_literal(statement.value)
    return False


def definitions(notebook: nbformat.NotebookNode) -> list[DefinitionCell]:
    """The definitions of every code cell, in notebook order."""
    transformer = TransformerManager()
    cells = []
    for index, cell in enumerate(notebook.cells):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        try:
            transformed = transformer.transform_cell(source)
            tree = ast.parse(transformed)
        except (SyntaxError, ValueError) as error:
            line = getattr(error, "lineno", None)
            where = f" (ligne {line})" if line else ""
            cells.append(DefinitionCell(index, "", f"cellule {index + 1} : erreur de syntaxe{where} : {error.args[0]}"))
            continue
        cells.append(DefinitionCell(index, _blank_dropped(transformed, tree)))
    return cells


def _span(statement: ast.stmt) -> range:
    decorators = getattr(statement, "decorator_list", [])
    first = min([statement.lineno] + [d.lineno for d in decorators])
    return range(first, (statement.end_lineno or statement.lineno) + 1)


def _blank_dropped(source: str, tree: ast.Module) -> str:
    """The source with dropped statements blanked, so that line numbers stay those of the cell."""
    kept = [s for s in tree.body if _kept(s)]
    if not kept:
        return ""
    lines = source.splitlines()
    keep_lines = {line for s in kept for line in _span(s)}
    drop_lines = {line for s in tree.body if not _kept(s) for line in _span(s)}
    if keep_lines & drop_lines:  # statements sharing a line: fall back to regenerated code
        return ast.unparse(ast.Module(body=kept, type_ignores=[]))
    return "\n".join(line if number not in drop_lines else "" for number, line in enumerate(lines, 1))


def assignment_of(notebook: nbformat.NotebookNode) -> str | None:
    """The assignment name recorded in the notebook's metadata (``metadata.dlkit.assignment``)."""
    return text(section(notebook, "dlkit"), "assignment")


def imported_modules(cells: list[DefinitionCell]) -> list[str]:
    """The absolute modules the kept definitions import (``from keras import layers`` gives ``keras``), in order."""
    modules: list[str] = []
    for cell in cells:
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            modules += [name for name in names if name not in modules]
    return modules
