"""What must never reach students, and a scan of a built bundle for it.

Secrets, read from the checkout:

* each hidden test's name (``test_…`` in ``test_hidden.py``) and title (its docstring's first line);
* every line of the hidden grader files (``test_hidden.py``, ``hidden_*.py``: the answer key
  and the hidden checks' code) that no public grader file also holds;
* every line of the reference solutions, hidden tests and mark schemes of the source
  notebooks (:func:`autograder.release.secret_lines`);
* the solution notebooks and example submissions themselves (by content).

A name or line that also appears in what students see anyway (the kit's package, the grader
files not marked hidden, the student notebooks: :func:`public_texts`) is no secret.

:func:`scan_wheel` and :func:`scan_folder` read every file (notebooks by their cells' sources)
and report each secret found; :func:`autograder.distribution.bundle.build` refuses to keep a
student wheel with any finding, and the nbgrader cycle's test scans the release and exchange.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from autograder.grading.assignments import HIDDEN_FILE, is_hidden_module
from autograder.paths import ASSIGNMENTS_DIR, COURSE_DIR, EXAMPLES_DIR, GRADERS_DIR, PACKAGE_DIR, SOLUTIONS_DIR
from autograder.release import secret_lines

MIN_CODE_LINE = 24  # shorter hidden lines (``expect_true(found)``) are not telling on their own
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Secrets:
    """What must not be in a student bundle, each with what it is.

    Attributes:
        names: hidden test function names (matched as whole identifiers).
        titles: hidden test titles (matched as substrings).
        lines: hidden code and solution lines (matched as whole stripped lines).
        files: sha256 of solution notebooks and example submissions.
    """

    names: dict[str, str]
    titles: dict[str, str]
    lines: dict[str, str]
    files: dict[str, str]


def readable_text(name: str, data: bytes) -> str:
    """A file's text as a reader sees it: a notebook's cell sources, else the decoded bytes."""
    text = data.decode("utf-8", "replace")
    if name.endswith(".ipynb"):
        try:
            return "\n".join("".join(c.get("source", "")) for c in json.loads(text).get("cells", []))
        except (ValueError, AttributeError):
            return text
    return text


def stripped_lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines()}


def _hidden_files() -> list[Path]:
    return sorted(p for p in GRADERS_DIR.glob("a*/*.py") if is_hidden_module(p.stem))


def public_texts() -> list[str]:
    """What students may see anyway: the kit's package, the grader files not marked hidden, the student notebooks.

    A hidden line or name that also appears there (a shared import, a common idiom, a test name
    reused by another assignment's public tests) tells nothing and is not a secret.
    """
    hidden = set(_hidden_files())
    files = [p for p in PACKAGE_DIR.rglob("*.py") if COURSE_DIR not in p.parents]
    files += [p for p in GRADERS_DIR.glob("a*/*.py") if p not in hidden]
    files += sorted(ASSIGNMENTS_DIR.glob("*/*.ipynb"))
    return [readable_text(p.name, p.read_bytes()) for p in files]


def hidden_tests(path: Path) -> dict[str, str]:
    """``{test function name: docstring title}`` of a hidden test file."""
    found = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            found[node.name] = (ast.get_docstring(node) or "").split("\n")[0].strip()
    return found


def collect_secrets() -> Secrets:
    """Every secret of this checkout (see the module's docstring)."""
    public = public_texts()
    public_lines = set().union(*map(stripped_lines, public))
    public_words = set(WORD.findall("\n".join(public)))
    names: dict[str, str] = {}
    titles: dict[str, str] = {}
    lines: dict[str, str] = {}
    for path in _hidden_files():
        where = f"{path.parent.name}/{path.name}"
        if path.name == HIDDEN_FILE:
            for name, title in hidden_tests(path).items():
                if name not in public_words:
                    names[name] = f"name of hidden test {where}::{name}"
                if title and not any(title in text for text in public):
                    titles[title] = f"title of hidden test {where}::{name}"
        for line in stripped_lines(path.read_text(encoding="utf-8")) - public_lines:
            if len(line) >= MIN_CODE_LINE and not line.startswith(("from ", "import ")):
                lines.setdefault(line, f"hidden code of {where}")
    for notebook in sorted(SOLUTIONS_DIR.glob("*/*.ipynb")):
        for line in secret_lines(notebook) - public_lines:
            lines.setdefault(line, f"solution or hidden test of {notebook.name}")
    files = {hashlib.sha256(p.read_bytes()).hexdigest(): f"file {p.relative_to(p.parents[1])}"
             for p in [*SOLUTIONS_DIR.glob("*/*.ipynb"), *EXAMPLES_DIR.glob("*/*.ipynb")]}
    return Secrets(names, titles, lines, files)


def scan_file(name: str, data: bytes, secrets: Secrets) -> list[str]:
    """``"<name>: <what leaked>"`` for each secret in one file's bytes."""
    findings = []
    if name.endswith(".py") and is_hidden_module(Path(name).stem):
        findings.append(f"{name}: a hidden grader file")
    digest = hashlib.sha256(data).hexdigest()
    if digest in secrets.files:
        findings.append(f"{name}: {secrets.files[digest]}")
    text = readable_text(name, data)
    words, lines = set(WORD.findall(text)), stripped_lines(text)
    findings += [f"{name}: {what}" for secret, what in secrets.names.items() if secret in words]
    findings += [f"{name}: {what}" for secret, what in secrets.titles.items() if secret in text]
    findings += [f"{name}: {what}" for secret, what in secrets.lines.items() if secret in lines]
    return findings


def scan_folder(folder: Path, secrets: Secrets | None = None) -> list[str]:
    """The findings of every file under ``folder`` (an nbgrader release, an exchange's outbound folder)."""
    secrets = secrets or collect_secrets()
    return sorted({finding for path in sorted(folder.rglob("*")) if path.is_file()
                   for finding in scan_file(str(path.relative_to(folder)), path.read_bytes(), secrets)})


def scan_wheel(wheel: Path, secrets: Secrets | None = None) -> list[str]:
    """``"<file in the wheel>: <what leaked>"`` for each secret found in the wheel (empty: nothing leaked)."""
    secrets = secrets or collect_secrets()
    with zipfile.ZipFile(wheel) as archive:
        return sorted({finding for name in archive.namelist() for finding in scan_file(name, archive.read(name),
                                                                                       secrets)})
