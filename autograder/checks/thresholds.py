"""Quality thresholds, each recorded with how the reference solution measured under the same budget."""

from __future__ import annotations

from dataclasses import dataclass

from autograder.grading.spec import Arrays, Check, Collect, Failure, Measure


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

    def expect(self, value: float, budget: str) -> None:
        """Raise :class:`Failure` unless ``value`` beats the limit."""
        if value == value and self.passes(value):  # NaN never passes
            return
        relation = "au plus" if self.lower_is_better else "au moins"
        raise Failure(
            f"{self.metric} après {budget} : attendu {relation} {self.limit:.4g}, obtenu {value:.4g}."
        )


def threshold_check(
    task: str,
    name: str,
    title: str,
    points: float,
    collect: Collect,
    measure: Measure,
    threshold: Threshold,
    budget: str,
    timeout_s: float = 120.0,
) -> Check:
    """A hidden check that passes when ``measure(observation, secrets)`` beats ``threshold``.

    ``collect`` returns predictions for held-out inputs; ``measure`` compares them with
    labels only the grading process holds. ``budget`` (French) describes the training the
    grader gave the model, e.g. ``8 époques (batch 32)``.
    """

    def judge(observation: object, secrets: Arrays) -> None:
        threshold.expect(measure(observation, secrets), budget)

    return Check(task, name, title, points, collect, judge, hidden=True, timeout_s=timeout_s, measure=measure)
