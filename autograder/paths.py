"""Folders of the kit: where solutions, student notebooks and graders live."""

from __future__ import annotations

from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS_DIR = KIT_ROOT / "solutions"
ASSIGNMENTS_DIR = KIT_ROOT / "assignments"
GRADERS_DIR = KIT_ROOT / "tests" / "graders"
EXAMPLES_DIR = KIT_ROOT / "tests" / "submissions"
