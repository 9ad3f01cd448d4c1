"""Find an assignment's graders: ``tests/graders/a<NAME>/{__init__,public,hidden}.py``.

``__init__.py`` describes the assignment (``TASKS``, ``PRELOAD``, ``TIME_LIMIT_S``);
``public.py`` and ``hidden.py`` each define ``CHECKS`` and may define ``fixtures()``.
Only ``public.py`` ships to students: without ``hidden.py`` the public checks still run.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

from autograder.grading.spec import Check, Fixtures
from autograder.paths import GRADERS_DIR


class UnknownAssignment(LookupError):
    """No graders exist for the requested assignment."""


@dataclass(frozen=True)
class Assignment:
    """An assignment's graders.

    Attributes:
        name: e.g. ``01_regression``.
        tasks: graded steps in notebook order; one nbgrader autograded cell each.
        checks: ordered by task, public before hidden.
        preload: modules the sandbox imports before the student's code (``tensorflow``, ``torch``).
        time_limit_s: wall-time limit for grading one submission, in seconds.
        fixture_builders: functions returning the :class:`Fixtures` of each grader module.
    """

    name: str
    tasks: tuple[str, ...]
    checks: tuple[Check, ...]
    preload: tuple[str, ...]
    time_limit_s: float
    fixture_builders: tuple[Callable[[], Fixtures], ...]

    @property
    def package(self) -> str:
        return package_name(self.name)

    def check(self, name: str) -> Check:
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(name)

    def task_points(self) -> dict[str, float]:
        """``{task: points}`` over all checks, in task order."""
        return {task: sum(c.points for c in self.checks if c.task == task) for task in self.tasks}

    def fixtures(self) -> Fixtures:
        merged = Fixtures()
        for build in self.fixture_builders:
            merged = merged.merged(build())
        return merged


def package_name(assignment: str) -> str:
    """Python package holding an assignment's graders: ``01_regression`` -> ``a01_regression``."""
    return "a" + assignment


def _import(module: str, graders_dir: Path) -> ModuleType | None:
    if str(graders_dir) not in sys.path:
        sys.path.insert(0, str(graders_dir))
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name == module:
            return None
        raise


def available_assignments(graders_dir: Path = GRADERS_DIR) -> list[str]:
    """Names of the assignments that have graders, sorted."""
    return sorted(p.name[1:] for p in graders_dir.glob("a*/public.py") for p in [p.parent])


@cache
def load_assignment(name: str, include_hidden: bool = True, graders_dir: Path = GRADERS_DIR) -> Assignment:
    """Import an assignment's grader modules.

    Raises:
        UnknownAssignment: no ``tests/graders/a<name>/`` package exists.
    """
    package = package_name(name)
    meta = _import(package, graders_dir)
    if meta is None:
        raise UnknownAssignment(
            f"no graders for assignment {name!r}; known: {', '.join(available_assignments(graders_dir))}"
        )
    modules = [_import(f"{package}.public", graders_dir)]
    if include_hidden:
        modules.append(_import(f"{package}.hidden", graders_dir))
    present = [m for m in modules if m is not None]
    tasks = tuple(meta.TASKS)
    checks = [c for m in present for c in m.CHECKS]
    checks.sort(key=lambda c: (tasks.index(c.task), c.hidden))
    return Assignment(
        name=name,
        tasks=tasks,
        checks=tuple(checks),
        preload=tuple(getattr(meta, "PRELOAD", ())),
        time_limit_s=float(getattr(meta, "TIME_LIMIT_S", 300)),
        fixture_builders=tuple(m.fixtures for m in present if hasattr(m, "fixtures")),
    )
