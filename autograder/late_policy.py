"""A course's deadlines, late penalties, extensions and accommodations, and the penalty each submission gets.

The policy file is TOML (``.toml``) or YAML (``.yaml``/``.yml``)::

    time_zone = "Europe/Paris"          # of every date written without an offset
    file_times = false                  # true: a file's modification time stands for a missing submission time

    [assignments.01_regression]
    deadline = "2025-03-14 23:59"
    opens = "2025-03-07 08:00"          # needed by accommodations given as a fraction of the working time
    grace = "15min"                     # a submission this late is on time
    penalty = { per = "hour", percent = 2, max_percent = 50 }
    # penalty = { per = "day", percent = 10, cutoff = "3d" }   # 0 after three days late
    # penalty = { per = "day", percent = 0, cutoff = "2025-03-16 23:59" }  # accepted until then, 0 after

    [accommodations]
    tiers-temps = "1/3"                 # a third of the working time (deadline - opens) more
    amenagement-48h = "48h"

    [students."22004512"]               # a roster identifier: number, e-mail, login or batch key
    accommodations = ["tiers-temps"]
    extensions = { "01_regression" = "2d", "*" = "0h" }   # "*": every assignment

``[assignments."*"]`` applies to assignments not named. Durations: ``90s``, ``15min``, ``2h``, ``3d``, ``1w``
(or combined: ``1d 12h``). A student's deadline is the assignment's plus their extension (the assignment's
own, else ``*``) plus their accommodations. A submission later than that by no more than the grace period is on
time; otherwise each started period (hour or day) late costs ``percent`` percent, at most ``max_percent``; past
the cut-off (a duration after the student's deadline, or a date) it costs 100 %. A penalty is a percentage of the
points earned: the grade is multiplied by ``1 - percent / 100``, so that it never goes below 0 and agrees with
nbgrader's late-penalty step, which takes points off a notebook's score (:mod:`autograder.nbgrader_late`).
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

from autograder.results import LatePenalty
from autograder.submission_times import Handed, TimeError, parse_time, zone

UNITS = {"s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600, "d": 86400, "j": 86400, "w": 604800}
PERIODS = {"hour": 3600, "heure": 3600, "day": 86400, "jour": 86400}


class PolicyError(ValueError):
    """The policy file is malformed (its message names the entry)."""


def duration_s(text: str | int | float) -> float:
    """Seconds of ``"1d 12h"``, ``"15min"``, ``"90s"`` (a bare number: seconds).

    Raises:
        PolicyError: not a duration.
    """
    if isinstance(text, int | float):
        return float(text)
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([a-z]+)", text.strip().lower())
    if not parts or re.sub(r"[\d.\s]|[a-z]", "", text.lower()):
        raise PolicyError(f"not a duration: {text!r} (e.g. 15min, 2h, 3d, 1d 12h)")
    try:
        return sum(float(value) * UNITS[unit] for value, unit in parts)
    except KeyError as error:
        raise PolicyError(f"unknown unit {error.args[0]!r} in {text!r} (s, min, h, d, w)") from None


@dataclass(frozen=True)
class PenaltyRule:
    """How lateness costs.

    Attributes:
        period_s: the period each started one of which costs ``percent`` (3600: per hour, 86400: per day).
        percent: percent of the points earned per started period.
        max_percent: the most it costs before the cut-off.
        cutoff_s: past this many seconds late, 100 % (None: never).
        cutoff_at: past this time, 100 % (None: never).
    """

    period_s: float = 86400
    percent: float = 0.0
    max_percent: float = 100.0
    cutoff_s: float | None = None
    cutoff_at: datetime | None = None

    def percent_for(self, seconds_late: float, submitted_at: datetime | None = None) -> float:
        """The penalty in percent for ``seconds_late`` past the student's deadline (grace already judged)."""
        if seconds_late <= 0:
            return 0.0
        if self.cutoff_s is not None and seconds_late > self.cutoff_s:
            return 100.0
        if self.cutoff_at is not None and submitted_at is not None and submitted_at > self.cutoff_at:
            return 100.0
        return min(self.max_percent, math.ceil(seconds_late / self.period_s - 1e-9) * self.percent, 100.0)


@dataclass(frozen=True)
class AssignmentRule:
    """One assignment's deadline (aware), opening time, grace period (s) and penalty."""

    deadline: datetime
    opens: datetime | None = None
    grace_s: float = 0.0
    penalty: PenaltyRule = field(default_factory=PenaltyRule)


@dataclass(frozen=True)
class Terms:
    """What one student is granted: extensions (seconds, per assignment or ``*``) and accommodations (names)."""

    extensions: dict[str, float] = field(default_factory=dict)
    accommodations: tuple[str, ...] = ()


@dataclass
class CoursePolicy:
    """The whole policy (see the module)."""

    time_zone: str = "UTC"
    file_times: bool = False
    assignments: dict[str, AssignmentRule] = field(default_factory=dict)
    accommodations: dict[str, float | Fraction] = field(default_factory=dict)  # seconds, or a fraction
    students: dict[str, Terms] = field(default_factory=dict)

    def rule(self, assignment: str) -> AssignmentRule | None:
        return self.assignments.get(assignment) or self.assignments.get("*")

    def terms(self, *labels: str) -> Terms:
        """The terms of the first label the policy names (a student's identifiers, most specific first)."""
        for label in labels:
            if label and label in self.students:
                return self.students[label]
        return Terms()

    def extra_s(self, assignment: str, terms: Terms) -> tuple[float, list[str]]:
        """Seconds added to the student's deadline and what grants them (French)."""
        rule = self.rule(assignment)
        extra, why = 0.0, []
        own = terms.extensions.get(assignment, terms.extensions.get("*", 0.0))
        if own:
            extra += own
            why.append(f"prolongation de {delay_text(own)}")
        for name in terms.accommodations:
            grant = self.accommodations.get(name)
            if grant is None:
                raise PolicyError(f"accommodation {name!r} is not defined in [accommodations]")
            if isinstance(grant, Fraction):
                if rule is None or rule.opens is None:
                    raise PolicyError(f"accommodation {name!r} is a fraction of the working time: "
                                      f"{assignment} needs 'opens'")
                seconds = float((rule.deadline - rule.opens).total_seconds() * grant)
            else:
                seconds = grant
            extra += seconds
            why.append(f"aménagement {name} ({delay_text(seconds)})")
        return extra, why


def delay_text(seconds: float) -> str:
    """A delay in French: ``45 s``, ``12 min``, ``2 h 10``, ``3 j 4 h``."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d}" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} j {hours} h" if hours else f"{days} j"


def percent_text(value: float) -> str:
    return f"{value:g}".replace(".", ",") + " %"


#: The note of a submission whose hand-in time is unknown, and of one whose recorded time cannot be read.
UNKNOWN_TIME = "heure de remise inconnue : aucune pénalité de retard appliquée"
UNREADABLE_TIME = "heure de remise illisible : pénalité à fixer par l'enseignant"


def unreadable_time(late: LatePenalty | None) -> LatePenalty | None:
    """``late`` (a penalty computed without a time) saying that the recorded time could not be read."""
    if late is None or late.submitted_at:
        return late
    if not late.note.startswith(UNKNOWN_TIME):  # the LMS marked it late: the note already leaves it to the teacher
        return late
    return replace(late, note=UNREADABLE_TIME + late.note.removeprefix(UNKNOWN_TIME))


def penalty(policy: CoursePolicy, assignment: str, labels: tuple[str, ...], handed: Handed | None,
            score: float, lms_late: bool = False) -> LatePenalty | None:
    """The penalty of one submission (None: no deadline for the assignment, or on time).

    Args:
        labels: the student's identifiers, most specific first (roster number, e-mail, batch key).
        handed: when it was handed in (None: unknown; a submission the LMS marked late then says so, with no
            penalty, for the instructor to settle).
        score: the raw score, in points.
    """
    rule = policy.rule(assignment)
    if rule is None:
        return None
    extra, why = policy.extra_s(assignment, policy.terms(*labels))
    due = rule.deadline + timedelta(seconds=extra)
    granted = f" (échéance personnelle : {why_text(due, why)})" if why else ""
    if handed is None:
        note = (UNKNOWN_TIME if not lms_late else
                "remis en retard selon la plateforme, heure inconnue : pénalité à fixer par l'enseignant")
        return LatePenalty("", "", due.isoformat(), None, 0.0, 0.0, note + granted)
    late_s = (handed.at - due).total_seconds()
    if late_s <= 0:
        return None
    if late_s <= rule.grace_s:
        return LatePenalty(handed.at.isoformat(), handed.source_label, due.isoformat(), late_s, 0.0, 0.0,
                           f"remis avec {delay_text(late_s)} de retard, dans le délai de grâce : aucune pénalité"
                           + granted)
    percent = rule.penalty.percent_for(late_s, handed.at)
    points = round(score * percent / 100, 4)
    note = f"remis avec {delay_text(late_s)} de retard : −{percent_text(percent)}"
    if percent >= 100:
        note += " (au-delà de la date limite d'acceptation)"
    return LatePenalty(handed.at.isoformat(), handed.source_label, due.isoformat(), late_s, percent, points,
                       note + granted)


def why_text(due: datetime, why: list[str]) -> str:
    return f"{due.strftime('%d/%m/%Y %H:%M')}, {' ; '.join(why)}"


def _rule(name: str, data: dict[str, Any], tz: str) -> AssignmentRule:
    try:
        deadline = parse_time(str(data["deadline"]), data.get("time_zone", tz))
    except KeyError:
        raise PolicyError(f"assignment {name}: no deadline") from None
    local = data.get("time_zone", tz)
    opens = parse_time(str(data["opens"]), local) if data.get("opens") else None
    spec = data.get("penalty") or {}
    per = str(spec.get("per", "day")).lower()
    if per not in PERIODS:
        raise PolicyError(f"assignment {name}: penalty per {per!r} (hour or day)")
    cutoff, cutoff_s, cutoff_at = spec.get("cutoff"), None, None
    if cutoff is not None:
        try:
            cutoff_s = duration_s(cutoff)
        except PolicyError:
            cutoff_at = parse_time(str(cutoff), local)
    rule = PenaltyRule(PERIODS[per], float(spec.get("percent", 0)), float(spec.get("max_percent", 100)),
                       cutoff_s, cutoff_at)
    if not 0 <= rule.percent <= 100 or not 0 <= rule.max_percent <= 100:
        raise PolicyError(f"assignment {name}: percentages must be between 0 and 100")
    return AssignmentRule(deadline, opens, duration_s(data.get("grace", 0)), rule)


def _grant(name: str, value: Any) -> float | Fraction:
    text = str(value).strip()
    if re.fullmatch(r"\d+\s*/\s*\d+|0?\.\d+", text):
        return Fraction(text.replace(" ", ""))
    return duration_s(value)


def parse_policy(data: dict[str, Any]) -> CoursePolicy:
    """The policy from its parsed file.

    Raises:
        PolicyError: an entry is malformed.
    """
    tz = str(data.get("time_zone", "UTC"))
    try:
        zone(tz)
        assignments = {str(n): _rule(str(n), d, tz) for n, d in (data.get("assignments") or {}).items()}
        accommodations = {str(n): _grant(str(n), v) for n, v in (data.get("accommodations") or {}).items()}
    except TimeError as error:
        raise PolicyError(str(error)) from None
    students = {}
    for label, entry in (data.get("students") or {}).items():
        extensions = {str(a): duration_s(v) for a, v in (entry.get("extensions") or {}).items()}
        students[str(label)] = Terms(extensions, tuple(str(a) for a in entry.get("accommodations") or ()))
    policy = CoursePolicy(tz, bool(data.get("file_times", False)), assignments, accommodations, students)
    for terms in students.values():
        for name in terms.accommodations:
            if name not in accommodations:
                raise PolicyError(f"accommodation {name!r} is not defined in [accommodations]")
    return policy


def read_policy(path: Path) -> CoursePolicy:
    """The policy in a TOML or YAML file.

    Raises:
        PolicyError: unreadable or malformed.
    """
    text = path.read_text(encoding="utf-8-sig")
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text) or {}
        else:
            data = tomllib.loads(text)
    except Exception as error:  # noqa: BLE001 - tomllib's and yaml's own errors
        raise PolicyError(f"{path}: {error}") from None
    if not isinstance(data, dict):
        raise PolicyError(f"{path}: not a table of settings")
    try:
        return parse_policy(data)
    except PolicyError as error:
        raise PolicyError(f"{path}: {error}") from None
