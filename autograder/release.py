"""Instructor tools around nbgrader: regenerate the student notebooks, and what they must not contain."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from autograder.paths import KIT_ROOT

SOLUTION_REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
HIDDEN_REGION = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)


def tool_environment() -> dict[str, str]:
    """The environment for nbgrader's subprocesses: this interpreter's scripts (alembic, jupyter) on PATH."""
    scripts = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": os.pathsep.join([scripts, os.environ.get("PATH", "")])}


def generate_assignment(name: str, course_root: Path = KIT_ROOT) -> Path:
    """Run ``nbgrader generate_assignment NAME`` in ``course_root``; return the release folder."""
    subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", name, "--force"],
        cwd=course_root, check=True, capture_output=True, text=True, env=tool_environment(),
    )
    return course_root / "assignments" / name


def generate_in_scratch(name: str, scratch: Path) -> Path:
    """Generate the release of ``name`` in a scratch course built from this kit's sources.

    ``name`` may be an nbgrader pattern: ``"*"`` generates every assignment in one nbgrader run (about 2 s
    each instead of 6.7 s each). Returns the release folder ``scratch/assignments/<name>`` (for a pattern,
    ``scratch/assignments`` holds one such folder per assignment).
    """
    shutil.copy(KIT_ROOT / "nbgrader_config.py", scratch / "nbgrader_config.py")
    for source in (KIT_ROOT / "solutions").glob(name):
        shutil.copytree(source, scratch / "solutions" / source.name)
    return generate_assignment(name, scratch)


def secret_lines(source_notebook: Path, min_length: int = 12) -> set[str]:
    """Lines of the reference solution, hidden tests and mark schemes that students must not see.

    Only lines of at least ``min_length`` characters count (``return model`` is no secret).
    """
    notebook = nbformat.read(source_notebook, as_version=4)
    lines = set()
    for cell in notebook.cells:
        for region in (SOLUTION_REGION, HIDDEN_REGION):
            for block in region.findall(cell.source + "\n"):
                lines |= {line.strip() for line in block.splitlines() if len(line.strip()) >= min_length}
    return lines
