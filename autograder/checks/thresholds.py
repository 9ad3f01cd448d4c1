"""Quality thresholds, each recorded with how the reference solution measured under the same budget."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from autograder.grading.spec import Failure


@dataclass(frozen=True)
class Threshold:
    """A limit on a metric, with its calibration.

    Attributes:
        metric: French name of the metric shown to students, e.g. ``RMSE sur le jeu de test``.
        limit: the value to beat.
        lower_is_better: True for errors (RMSE), False for scores (accuracy).
        calibration: how ``limit`` was chosen: the reference's measurements and the margin.
    """

    metric: str
    limit: float
    lower_is_better: bool
    calibration: str

    def passes(self, value: float) -> bool:
        return value <= self.limit if self.lower_is_better else value >= self.limit

    def expect(self, value: float, budget: str, record: Callable[[str, object], None] | None = None) -> None:
        """Raise :class:`Failure` unless ``value`` beats the limit.

        Args:
            budget: the training the grader gave the model, in French (``8 époques (batch 32)``).
            record: pytest's ``record_property``: the measured value and the limit are kept in the test's
                result (``measure``, ``limit``) for calibration and the instructor's alarms.
        """
        if record is not None:
            record("measure", float(value))
            record("limit", float(self.limit))
        if value == value and self.passes(value):  # NaN never passes
            return
        relation = "au plus" if self.lower_is_better else "au moins"
        raise Failure(
            f"{self.metric} après {budget} : attendu {relation} {self.limit:.4g}, obtenu {value:.4g}."
        )
