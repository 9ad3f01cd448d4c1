"""Submissions for the code-similarity comparison (``autograder similarity``): copies disguised as a student
would disguise them, and independent work taken from the example submissions.

* :func:`disguised`: a cell's code with its variables and arguments renamed (function and class names stay:
  the graders call them), reformatted by ``ast.unparse``, commented, its functions in reverse order;
* :func:`independent`: the released notebook with only a ``valid_*`` example's rewritten cells filled in, each
  function kept only where it differs from the reference's (what that example wrote on its own);
* :func:`notebook`: the released notebook with cells replaced (by ``grade_id``), cells reversed on demand.
"""

from __future__ import annotations

import ast
import builtins
import copy
import importlib
import random

import nbformat

from tests.submissions.variants import base_notebook, reference_cells

KEEP = frozenset(dir(builtins)) | {"self", "cls"}
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class _Renamer(ast.NodeTransformer):
    """Renames every variable and argument a cell binds (not its imports, functions, classes or attributes)."""

    def __init__(self, tree: ast.AST, rng: random.Random) -> None:
        fixed = set(KEEP)
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                fixed |= {(a.asname or a.name).split(".")[0] for a in node.names}
            elif isinstance(node, DEFINITIONS):
                fixed.add(node.name)
        bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        bound |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments)
                  for a in [*n.posonlyargs, *n.args, *n.kwonlyargs, n.vararg, n.kwarg] if a is not None}
        words = ["val", "tmp", "res", "data", "item", "acc", "buf", "out", "elt", "cur", "arr", "obj"]
        self.names = {name: f"{rng.choice(words)}_{i}{rng.randrange(100)}"
                      for i, name in enumerate(sorted(bound - fixed))}

    def visit_Name(self, node: ast.Name) -> ast.Name:
        node.id = self.names.get(node.id, node.id)
        return node

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.arg = self.names.get(node.arg, node.arg)
        return node


def disguised(source: str, seed: int) -> str:
    """``source`` renamed, reformatted, commented and with its top-level statements' definitions reversed."""
    tree = ast.parse(source)
    renamer = _Renamer(tree, random.Random(seed))
    tree = renamer.visit(tree)
    definitions = [n for n in tree.body if isinstance(n, DEFINITIONS)]
    others = [n for n in tree.body if n not in definitions]
    tree.body = others[:1] + definitions[::-1] + others[1:]
    blocks = [f"# part {i} of my solution\n{ast.unparse(node)}" for i, node in enumerate(tree.body)]
    return "\n\n\n".join(blocks) + "\n"


def solution_ids(assignment: str) -> list[str]:
    """The grade_ids of the reference's solution code cells, in order."""
    return list(reference_cells(assignment))


def notebook(assignment: str, replace: dict[str, str], reverse: bool = False) -> nbformat.NotebookNode:
    """The released notebook with ``replace``'s cells (by grade_id); ``reverse``: the solution cells reversed."""
    released = nbformat.read(base_notebook(assignment, "release"), as_version=4)
    for cell in released.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in replace:
            cell.source = replace[grade_id].strip("\n")
    if reverse:
        positions = [i for i, c in enumerate(released.cells)
                     if c.get("metadata", {}).get("nbgrader", {}).get("solution") and c.cell_type == "code"]
        cells = [released.cells[i] for i in positions][::-1]
        for position, cell in zip(positions, cells, strict=True):
            released.cells[position] = cell
    return released


def reference(assignment: str) -> nbformat.NotebookNode:
    """The released notebook completed with the reference's code (no mark scheme: that is not a student's)."""
    return notebook(assignment, reference_cells(assignment))


def disguised_reference(assignment: str, seed: int) -> nbformat.NotebookNode:
    """The reference, every cell disguised, the solution cells in reverse order."""
    cells = reference_cells(assignment)
    replace = {}
    for grade_id, source in cells.items():
        try:
            replace[grade_id] = disguised(source, seed)
        except SyntaxError:  # a cell with IPython magics: kept as it is
            replace[grade_id] = source
    return notebook(assignment, replace, reverse=True)


def _dump(node: ast.AST) -> str:
    """A definition's syntax tree without its docstring."""
    node = copy.deepcopy(node)
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        node.body = body[1:]
    return ast.dump(node)


def own_code(assignment: str, grade_id: str, source: str) -> str:
    """``source`` without the top-level definitions that are the reference's (docstrings aside)."""
    reference = ast.parse(reference_cells(assignment).get(grade_id, ""))
    same = {n.name: _dump(n) for n in reference.body if isinstance(n, DEFINITIONS)}
    tree = ast.parse(source)
    tree.body = [n for n in tree.body if not (isinstance(n, DEFINITIONS) and same.get(n.name) == _dump(n))]
    return ast.unparse(tree)


def independent(assignment: str, replace: dict[str, str]) -> nbformat.NotebookNode:
    """The released notebook completed with what a ``valid_*`` example wrote on its own (its rewritten cells)."""
    return notebook(assignment, {gid: own_code(assignment, gid, source) for gid, source in replace.items()})


def valid_examples(assignment: str) -> dict[str, dict[str, str]]:
    """Each ``valid_*`` example of ``assignment``: its rewritten cells (``{grade_id: source}``)."""
    module = importlib.import_module(f"tests.submissions.examples_{assignment}")
    return {v.name: v.replace for v in module.VARIANTS if v.name.startswith("valid_")}


def own_cells(assignment: str) -> dict[str, str]:
    """What the ``valid_*`` examples wrote on their own, merged into one student's cells (the first example
    that rewrites a cell gives it)."""
    cells: dict[str, str] = {}
    for replace in valid_examples(assignment).values():
        for grade_id, source in replace.items():
            own = own_code(assignment, grade_id, source)
            if grade_id not in cells and own.strip():
                cells[grade_id] = own
    return cells


def functions(cells: dict[str, str]) -> list[str]:
    """The top-level functions and classes ``cells`` define."""
    return [n.name for source in cells.values() for n in ast.parse(source).body if isinstance(n, DEFINITIONS)]


def with_copied_function(assignment: str, cells: dict[str, str], name: str, seed: int) -> dict[str, str]:
    """``cells`` whose definition of ``name`` is replaced by the reference's, disguised."""
    copied = next(n for source in reference_cells(assignment).values() for n in ast.parse(source).body
                  if isinstance(n, DEFINITIONS) and n.name == name)
    replacement = ast.parse(disguised(ast.unparse(copied), seed)).body[0]
    changed = {}
    for grade_id, source in cells.items():
        tree = ast.parse(source)
        tree.body = [replacement if isinstance(n, DEFINITIONS) and n.name == name else n for n in tree.body]
        changed[grade_id] = ast.unparse(tree)
    return changed
