"""Folders of the kit: where solutions, student notebooks and graders live.

In the instructor's checkout they are the repository's folders. In an installed bundle
(:mod:`autograder.distribution.bundle`: the students' package, the graders' package) the graders and the
released notebooks are package data under ``autograder/course/``; solutions and example
submissions exist only in the checkout. ``DLKIT_GRADERS`` names another graders folder, for
example the full graders (with the hidden tests) fetched from a private location at grading time.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
KIT_ROOT = PACKAGE_DIR.parent
COURSE_DIR = PACKAGE_DIR / "course"
BUNDLED = COURSE_DIR.is_dir()
SOLUTIONS_DIR = KIT_ROOT / "solutions"
EXAMPLES_DIR = KIT_ROOT / "tests" / "submissions"
ASSIGNMENTS_DIR = COURSE_DIR / "assignments" if BUNDLED else KIT_ROOT / "assignments"
GRADERS_DIR = Path(os.environ.get("DLKIT_GRADERS") or (COURSE_DIR / "graders" if BUNDLED else
                                                       KIT_ROOT / "tests" / "graders")).resolve()
