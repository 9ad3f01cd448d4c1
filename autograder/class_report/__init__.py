"""The instructor's view of a batch: class statistics (:mod:`.stats`) and grader alarms (:mod:`.alarms`).

The page itself is rendered by :mod:`autograder.export.class_page`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from autograder.class_report.alarms import Alarm, alarms
from autograder.class_report.stats import ClassStats, by_assignment, class_stats
from autograder.results import StoredGrading


@dataclass
class ClassReport:
    """A batch's statistics and, per assignment, its grader alarms."""

    stats: ClassStats
    alarms: dict[str, list[Alarm]]

    def to_dict(self) -> dict[str, Any]:
        """Plain data (``autograder report DIR --json``): the statistics the page shows, alarms included."""
        return {"stats": asdict(self.stats), "alarms": {name: [asdict(a) for a in found]
                                                        for name, found in self.alarms.items()}}


def build_report(gradings: list[StoredGrading], wall_s: float | None = None, jobs: int | None = None) -> ClassReport:
    """The class report of a batch's gradings (results after overrides)."""
    return ClassReport(class_stats(gradings, wall_s, jobs),
                       {name: alarms(group) for name, group in by_assignment(gradings).items()})
