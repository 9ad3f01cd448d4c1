"""Read a notebook without running it (``Check.inspect``): report sections, code style, docstrings.

Everything here runs in the grading process on the parsed ``nbformat`` notebook and
executes none of the student's code: markdown headings are parsed as text, code cells
with :mod:`ast`, and the linter (ruff) reads the notebook from its standard input.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import unicodedata
from typing import Any

import nbformat

from autograder.metadata import section as nb_section

#: Ruff rules of ``lint_student_cells``: pyflakes (undefined or unused names...), pycodestyle errors
#: (statements, syntax, line length) without E402 (imports in the middle of a notebook are usual).
RUFF_SELECT = "E4,E7,E9,E501,F"
RUFF_IGNORE = "E402"
RUFF_LINE_LENGTH = 120


def cell_source(cell: Any) -> str:
    """A cell's source as one string (nbformat may store it as a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def normalize(text: str) -> str:
    """Lower case, without accents, numbering, emphasis or trailing punctuation: ``## 2. Modèle`` -> ``modele``."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[*_`]", "", text)
    text = re.sub(r"^\s*(?:[0-9]+|[ivx]+)\s*[.):\-–—]?\s+", "", text)  # "2. ", "iv) ", "3 - "
    text = re.sub(r"\s+", " ", text)
    return text.strip(" .:;!?-–—")


def markdown_sections(notebook: nbformat.NotebookNode) -> list[dict[str, Any]]:
    """Every ATX heading (``#`` to ``######``) of the markdown cells, in order, with the text under it.

    A section's text runs to the next heading of the same or a higher level, across cells;
    fenced code blocks are skipped.

    Returns:
        ``[{"level": int, "title": str, "key": normalized title, "text": str, "cell": index}]``
    """
    headings: list[dict[str, Any]] = []
    lines: list[tuple[int | None, str]] = []  # (heading index or None, line)
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "markdown":
            continue
        fenced = False
        for line in cell_source(cell).splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
                continue
            match = None if fenced else re.match(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$", line)
            if match:
                title = match.group(2)
                headings.append({"level": len(match.group(1)), "title": title, "key": normalize(title),
                                 "text": "", "cell": index})
                lines.append((len(headings) - 1, ""))
            else:
                lines.append((None, line))
    texts: dict[int, list[str]] = {i: [] for i in range(len(headings))}
    open_sections: list[int] = []
    for heading, line in lines:
        if heading is not None:
            level = headings[heading]["level"]
            open_sections = [s for s in open_sections if headings[s]["level"] < level] + [heading]
            for section in open_sections[:-1]:
                texts[section].append(headings[heading]["title"])
            continue
        for section in open_sections:
            texts[section].append(line)
    for index, heading in enumerate(headings):
        heading["text"] = "\n".join(texts[index]).strip()
    return headings


def find_section(sections: list[dict[str, Any]], title: str) -> dict[str, Any] | None:
    """The first section whose normalized title starts with ``title`` (normalized), or None."""
    key = normalize(title)
    for section in sections:
        if section["key"] == key or section["key"].startswith(key + " ") or section["key"].startswith(key + ","):
            return section
    return None


def word_count(text: str) -> int:
    """Words of a markdown text (letters or digits), markup and mark-scheme delimiters ignored."""
    text = re.sub(r"===\s*(BEGIN|END) MARK SCHEME\s*===", " ", text)
    return len(re.findall(r"[^\W_]+(?:['’-][^\W_]+)*", text))


def is_student_cell(cell: Any) -> bool:
    """A code cell the student wrote or completed: not a locked cell (given code, graded tests)."""
    meta = nb_section(cell, "nbgrader")
    return cell.get("cell_type") == "code" and not meta.get("locked", False) and not meta.get("grade", False)


def lint_student_cells(notebook: nbformat.NotebookNode, select: str = RUFF_SELECT, ignore: str = RUFF_IGNORE,
                       line_length: int = RUFF_LINE_LENGTH) -> list[dict[str, Any]]:
    """Ruff's diagnostics located in the student's code cells.

    The whole notebook is linted (names imported in given cells are defined), but only
    diagnostics in :func:`is_student_cell` cells are returned. Outputs are stripped first.

    Returns:
        ``[{"cell": 1-based cell number, "row": int, "code": str, "message": str}]``
    """
    clean = nbformat.from_dict(json.loads(json.dumps(notebook)))
    for cell in clean.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    clean.setdefault("nbformat", 4)
    clean.setdefault("nbformat_minor", 5)
    completed = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--select", select, "--ignore", ignore,
         "--line-length", str(line_length), "--output-format", "json", "--exit-zero",
         "--stdin-filename", "notebook.ipynb", "-"],
        input=json.dumps(clean), capture_output=True, text=True, timeout=60, check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"ruff a échoué : {completed.stderr.strip()[-500:]}")
    cells = notebook.get("cells", [])
    found = []
    for item in json.loads(completed.stdout or "[]"):
        number = item.get("cell") or 0
        if 1 <= number <= len(cells) and is_student_cell(cells[number - 1]):
            found.append({"cell": number, "row": item["location"]["row"], "code": item.get("code") or "",
                          "message": item.get("message", "")})
    return found


def expect_written(functions: dict[str, dict[str, Any]], required: tuple[str, ...] | list[str]) -> None:
    """A Failure (in French) when one of ``required`` is missing from :func:`function_definitions`' result or is
    still a stub: code that is not written yet cannot be read for quality."""
    from autograder.grading.spec import Failure

    missing = [name for name in required if name not in functions]
    if missing:
        raise Failure(f"Fonctions attendues introuvables dans le notebook : {', '.join(missing)}.")
    stubs = [name for name in required if functions[name]["stub"]]
    if stubs:
        raise Failure(f"Fonctions pas encore écrites (raise NotImplementedError) : {', '.join(stubs)} ; "
                      "le code ne peut pas encore être évalué.")


def _parsed_cells(notebook: nbformat.NotebookNode) -> list[tuple[int, Any, ast.Module]]:
    from IPython.core.inputtransformer2 import TransformerManager

    transformer = TransformerManager()
    parsed = []
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        try:
            parsed.append((index, cell, ast.parse(transformer.transform_cell(cell_source(cell)))))
        except (SyntaxError, ValueError):
            continue
    return parsed


def _is_stub(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """The body is only a docstring, ``pass``/``...`` and ``raise NotImplementedError``."""
    body = list(function.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    for statement in body:
        if isinstance(statement, ast.Pass) or (isinstance(statement, ast.Expr)
                                              and isinstance(statement.value, ast.Constant)):
            continue
        if isinstance(statement, ast.Raise) and statement.exc is not None:
            target = statement.exc.func if isinstance(statement.exc, ast.Call) else statement.exc
            if isinstance(target, ast.Name) and target.id == "NotImplementedError":
                continue
        return False
    return True


def function_definitions(notebook: nbformat.NotebookNode) -> dict[str, dict[str, Any]]:
    """The top-level functions of the code cells (the last definition of a name wins).

    Returns:
        ``{name: {"docstring": str, "stub": bool, "cell": 1-based cell number}}``; ``stub``
        when the body still only raises ``NotImplementedError``.
    """
    functions: dict[str, dict[str, Any]] = {}
    for index, _, tree in _parsed_cells(notebook):
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions[node.name] = {"docstring": ast.get_docstring(node) or "", "stub": _is_stub(node),
                                        "cell": index + 1}
    return functions


#: Modules whose direct use ties Keras 3 code to one backend (``tf.reduce_sum``, ``keras.backend.mean``...).
BACKEND_MODULES = ("tensorflow", "tf_keras", "keras.backend")


def _dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for an attribute chain rooted at a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _backend_module(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in BACKEND_MODULES)


def backend_specific_uses(notebook: nbformat.NotebookNode) -> list[dict[str, Any]]:
    """Uses of TensorFlow or of ``keras.backend`` inside the functions of the student's cells (read with ast).

    Names bound by any cell's imports are followed (``import tensorflow as tf``, ``from keras import backend
    as K``, ``from tensorflow import math``); ``keras.backend.…`` spelled out is found too. Only code inside
    the functions (and classes) of :func:`is_student_cell` cells counts: given cells and top-level
    experiments are not the student's graded code.

    Returns:
        ``[{"cell": 1-based cell number, "line": int, "use": dotted name}]``, one per use, in order.
    """
    parsed = _parsed_cells(notebook)
    aliases: dict[str, str] = {}  # local name -> the backend module (or member) it stands for
    for _, _, tree in parsed:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if _backend_module(alias.name):
                        bound = alias.asname or alias.name.split(".")[0]
                        aliases[bound] = alias.name if alias.asname else bound
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    if _backend_module(node.module) or _backend_module(full):
                        aliases[alias.asname or alias.name] = full
    found = []
    for index, cell, tree in parsed:
        if not is_student_cell(cell):
            continue
        for definition in tree.body:
            if not isinstance(definition, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            outer: set[int] = set()
            for node in ast.walk(definition):
                if isinstance(node, ast.Attribute):
                    outer.add(id(node.value))
            for node in ast.walk(definition):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                    if isinstance(node, ast.ImportFrom):
                        modules += [f"{node.module}.{a.name}" for a in node.names]
                    if any(_backend_module(m) for m in modules):
                        found.append({"cell": index + 1, "line": node.lineno, "use": f"import {modules[0]}"})
                    continue
                if not isinstance(node, (ast.Attribute, ast.Name)) or id(node) in outer:
                    continue
                dotted = _dotted(node)
                if dotted is None:
                    continue
                root, _, rest = dotted.partition(".")
                resolved = f"{aliases[root]}.{rest}".rstrip(".") if root in aliases else dotted
                if _backend_module(resolved) and (rest or root in aliases):
                    found.append({"cell": index + 1, "line": node.lineno, "use": dotted})
    return sorted(found, key=lambda use: (use["cell"], use["line"]))


def expect_backend_portable(notebook: nbformat.NotebookNode, graded_functions: tuple[str, ...]) -> None:
    """A Failure (in French) unless every one of ``graded_functions`` is written and none of the student's
    functions uses TensorFlow or ``keras.backend`` (:func:`backend_specific_uses`): code for every Keras 3
    backend. Nothing runs; an unwritten notebook fails (the stubs cannot be read for portability)."""
    from autograder.checks.expect import fail

    expect_written(function_definitions(notebook), graded_functions)
    uses = backend_specific_uses(notebook)
    if uses:
        shown = " ; ".join(f"cellule {u['cell']} ligne {u['line']} : {u['use']}" for u in uses[:5])
        fail("Appels propres à un backend dans vos fonctions", 0, len(uses),
             f"({shown}). Utilisez keras.ops (ops.sum, ops.matmul...) et keras.layers.")
