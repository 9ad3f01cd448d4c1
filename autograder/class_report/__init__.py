"""The instructor's view of a batch: class statistics (:mod:`.stats`), item analysis (:mod:`.items`) and
grader alarms (:mod:`.alarms`).

The page itself is rendered by :mod:`autograder.export.class_page`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from autograder.class_report.alarms import Alarm, alarms
from autograder.class_report.items import ItemStats, item_analysis
from autograder.class_report.stats import ClassStats, by_assignment, class_stats
from autograder.results import StoredGrading


@dataclass
class ClassReport:
    """A batch's statistics and, per assignment, its grader alarms and its checks' item analysis."""

    stats: ClassStats
    alarms: dict[str, list[Alarm]]
    items: dict[str, list[ItemStats]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (``autograder report DIR --json``): the statistics the page shows, alarms and items included."""
        return {"stats": asdict(self.stats), "alarms": {name: [asdict(a) for a in found]
                                                        for name, found in self.alarms.items()},
                "items": {name: [asdict(item) for item in found] for name, found in self.items.items()}}


def build_report(gradings: list[StoredGrading], wall_s: float | None = None, jobs: int | None = None) -> ClassReport:
    """The class report of a batch's gradings (results after overrides)."""
    groups = by_assignment(gradings)
    return ClassReport(class_stats(gradings, wall_s, jobs), {name: alarms(group) for name, group in groups.items()},
                       {name: item_analysis([g.result for g in group]) for name, group in groups.items()})
