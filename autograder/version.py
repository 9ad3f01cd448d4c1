"""The kit's version: one per build of the students' package, newer for a newer commit.

``BASE.dev<N>+g<sha>``, where ``N`` counts the commits of the repository's ``HEAD`` and ``<sha>`` is
its abbreviated hash: ``0.1.0.dev196+g4cd3d3ace``. A newer commit has a greater ``N``, so PEP 440 sorts
its build after an older one and ``pip install new.whl`` replaces the older build (no
``--force-reinstall``). A build from a working tree whose shipped files differ from ``HEAD`` adds
``.dirty<UTC time>`` to the local label, so that two such builds differ too.

The version is fixed when the wheel is built (:mod:`autograder.distribution.bundle` writes
``autograder/_version.py`` into the wheel); the instructor's checkout asks git each time a process
needs it (``autograder --version``, the bundle), and a copy without either says ``BASE``.
The released notebooks in the students' wheel record it under ``metadata["dlkit"]["kit_version"]``.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from autograder.paths import KIT_ROOT

#: The release the development builds lead to; raise it for a new course year.
BASE = "0.1.0"
#: What a student runs to replace the installed kit with the newer one the course publishes.
UPDATE_COMMAND = "pip install --upgrade dlkit_student-<version>-py3-none-any.whl"
#: The paths of the checkout a build of the students' package is made from (a change there makes it dirty).
SHIPPED_PATHS = ("autograder", "tests/graders", "assignments", "requirements.txt", "pyproject.toml")


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True,
                          timeout=30).stdout.strip()


def repository_version(root: Path = KIT_ROOT, stamp: datetime | None = None) -> str | None:
    """The version of the checkout in ``root`` (None: not a git checkout, or git is missing).

    ``stamp`` is the build time that a dirty tree's version carries (none: ``.dirty`` alone).
    """
    if not (root / ".git").exists():  # an installed copy inside someone's repository is not the kit's checkout
        return None
    try:
        count = _git(root, "rev-list", "--count", "HEAD")
        sha = _git(root, "rev-parse", "--short=9", "HEAD")
        dirty = _git(root, "status", "--porcelain", "--", *SHIPPED_PATHS)
    except (OSError, subprocess.SubprocessError):
        return None
    label = f"g{sha}"
    if dirty:
        label += ".dirty" + (stamp.astimezone(UTC).strftime("%Y%m%d%H%M%S") if stamp else "")
    return f"{BASE}.dev{count}+{label}"


@cache
def kit_version() -> str:
    """This copy's version: the one the wheel was built with, else the checkout's, else :data:`BASE`."""
    try:
        from autograder._version import VERSION  # written into the wheel by the bundle
    except ImportError:
        return repository_version() or BASE
    return VERSION
