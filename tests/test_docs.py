"""The documentation site: it builds in strict mode, and the commands it shows exist.

``mkdocs build --strict`` fails on a broken link or anchor, a page missing from the navigation or a page the
navigation names that does not exist (``mkdocs.yml``'s ``validation``); its command reference is generated
from :func:`autograder.cli.build_parser` by ``docs/hooks/cli_reference.py``. Every ``autograder ...`` line of
a code block in the pages (the students', the instructors', every other page) and in the README is parsed by
that same parser, so that a page cannot show a subcommand or an option the CLI does not have.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})")


def _code_lines(text: str) -> list[str]:
    """The lines inside the fenced code blocks of a Markdown text, a line continued by ``\\`` joined to the next."""
    lines, fence, pending = [], None, ""
    for line in text.splitlines():
        match = FENCE.match(line)
        if fence is None:
            if match:
                fence = match["fence"]
            continue
        if match and match["fence"].startswith(fence) and not line.strip().strip(fence[0]):
            fence, pending = None, ""
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        lines.append(pending + line)
        pending = ""
    return lines


def _autograder_arguments(line: str) -> list[str] | None:
    """The arguments of an ``autograder`` command line (``$ ``, ``!`` for a notebook cell, ``python -m
    autograder``, ``.venv/bin/autograder``), comments dropped; None for any other line."""
    text = line.strip().removeprefix("$ ").removeprefix("!")
    try:
        tokens = shlex.split(text, comments=True)
    except ValueError:
        return None
    if tokens and (tokens[0] == "autograder" or tokens[0].endswith("/bin/autograder")):
        return tokens[1:]
    if len(tokens) >= 3 and Path(tokens[0]).name.startswith("python") and tokens[1:3] == ["-m", "autograder"]:
        return tokens[3:]
    return None


def documented_commands(path: Path) -> list[tuple[str, list[str]]]:
    """``(line, arguments)`` of every ``autograder`` command line in a page's code blocks."""
    found = []
    for line in _code_lines(path.read_text(encoding="utf-8")):
        arguments = _autograder_arguments(line)
        if arguments is not None:
            found.append((line.strip(), arguments))
    return found


def _pages(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (DOCS / folder).rglob("*.md"))


def _parse(arguments: list[str]) -> tuple[argparse.Namespace | None, str]:
    """The parser's namespace for these arguments (empty for an option that answers and exits, ``--help``,
    ``--version``), or None with what argparse said."""
    errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
            return build_parser().parse_args(arguments), ""
    except SystemExit as stop:
        return (argparse.Namespace(), "") if stop.code == 0 else (None, errors.getvalue().strip())


def test_code_blocks_are_read_as_commands(tmp_path):
    """The extraction finds commands in their usual forms and nothing else."""
    text = "\n".join(["Prose: `autograder nonsense` is not in a code block.", "```bash",
                      "autograder grade inbox/ --out graded/ \\", "    --jobs 2   # a comment",
                      "$ autograder check tp.ipynb --task split", "!autograder data prepare",
                      "python -m autograder start 01_regression --to 'my folder'", "nbgrader autograde 01",
                      "autograder/        the grading engine (package + CLI: python -m autograder)",
                      "from autograder.cli import main", "```", "```python", "!pip install -q wheel.whl", "```"])
    page = tmp_path / "page.md"
    page.write_text(text, encoding="utf-8")
    assert [arguments for _, arguments in documented_commands(page)] == [
        ["grade", "inbox/", "--out", "graded/", "--jobs", "2"], ["check", "tp.ipynb", "--task", "split"],
        ["data", "prepare"], ["start", "01_regression", "--to", "my folder"]]
    namespace, said = _parse(["grade", "inbox/", "--no-such-option"])
    assert namespace is None and "--no-such-option" in said
    namespace, said = _parse(["no-such-command"])
    assert namespace is None and "no-such-command" in said
    assert _parse(["--help"]) == (argparse.Namespace(), "")


@pytest.mark.parametrize("readers", ["students", "instructors"])
def test_readers_pages_show_commands(readers):
    """The students' and instructors' pages do show commands (the extraction is not silently blind)."""
    commands = {tuple(arguments[:1]) for page in _pages(readers) for _, arguments in documented_commands(page)}
    expected = {"students": {("data",), ("start",), ("check",)},
                "instructors": {("grade",), ("report",), ("bundle",), ("classroom",), ("gradescope",)}}[readers]
    assert expected <= commands


def test_every_documented_command_parses():
    """Each ``autograder`` line of the site's code blocks and of the README names a subcommand and options that
    the CLI's parser accepts, with valid values."""
    pages = [*_pages("."), ROOT / "README.md"]
    refused = {}
    for page in pages:
        for line, arguments in documented_commands(page):
            namespace, said = _parse(arguments)
            if namespace is None:
                refused[f"{page.relative_to(ROOT)}: {line}"] = said.splitlines()[-1] if said else "exit"
    assert refused == {}


def test_readme_test_command_is_what_ci_runs():
    """CI (``.ci/run``) runs the README's test command, ``./run.sh test``, and ``run.sh`` has a ``docs`` command."""
    blocks = _code_lines((ROOT / "README.md").read_text(encoding="utf-8"))
    commands = [shlex.split(line, comments=True) for line in blocks if line.strip().startswith("./run.sh")]
    assert ["./run.sh"] in commands and ["./run.sh", "test"] in commands
    assert "exec ./run.sh test" in (ROOT / ".ci" / "run").read_text()
    run_sh = (ROOT / "run.sh").read_text()
    assert re.search(r"^\s*docs\)", run_sh, re.MULTILINE) and "mkdocs build --strict" in run_sh


def test_site_builds_in_strict_mode(tmp_path):
    """``mkdocs build --strict`` succeeds, and the generated command reference documents every command."""
    site = tmp_path / "site"
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    completed = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
                                str(ROOT / "mkdocs.yml"), "--site-dir", str(site)], cwd=ROOT, env=environment,
                               capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    reference = (site / "reference" / "cli" / "index.html").read_text(encoding="utf-8")
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    for name, command in commands.items():
        subcommands = [a for a in command._actions if isinstance(a, argparse._SubParsersAction)]
        for path in ([f"{name}-{sub}" for sub in subcommands[0].choices] if subcommands else [name]):
            assert f'id="{path}"' in reference, path
    assert "--fail-unless-full" in reference
    for page in ("students/installer", "instructors/batches", "authors/how-grading-works",
                 "operations/threat-model", "measurements/grading-time"):
        assert (site / page / "index.html").is_file(), page


def test_readme_links_lead_to_pages():
    """The README's links into the site name pages that exist (the strict build does not read the README)."""
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", (ROOT / "README.md").read_text(encoding="utf-8"))
    local = [t for t in targets if "://" not in t]
    assert local and [t for t in local if not (ROOT / t).is_file()] == []
