"""What changed between two exports of a batch folder: per student and per check, old -> new points, and why.

Each export of a batch folder (``autograder grade --out DIR``, ``autograder report DIR``) leaves a snapshot of the
grades it wrote (``.state/exported.json``: per student, the notebook's fingerprint, the graders' version, each
check's points and how they were set, the late penalty). The next export compares its grades with that
snapshot: every check whose points moved, and every late penalty that moved, is a :class:`Change`, with its
reason, the first that applies:

* ``override``: an instructor's override was set, changed or removed (``--overrides``);
* ``submission``: the student's notebook changed (another fingerprint);
* ``graders``: the graders changed (another graders' version: a grader fixed, a check added);
* ``late_policy``: the late penalty moved (a new policy, deadline, extension or hand-in time);
* ``regraded``: same notebook, same graders: the grading itself gave another result (see the class page's
  instability alarm).

The change sets are kept, newest first, in ``.state/changes.json``: nothing is replaced silently. The results
replaced by a regrading are kept too (:class:`autograder.results.StoredGrading`'s ``replaced``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from autograder.export.files import write_atomically
from autograder.results import StoredGrading

SNAPSHOT, HISTORY = "exported.json", "changes.json"
#: Change sets kept in ``changes.json``.
KEPT = 20
REASONS_FR = {"override": "note fixée par l'enseignant", "submission": "notebook modifié",
              "graders": "correcteurs modifiés", "late_policy": "pénalité de retard", "regraded": "nouvelle correction"}
REASONS_EN = {"override": "instructor override", "submission": "notebook changed", "graders": "graders changed",
              "late_policy": "late penalty", "regraded": "regraded (same notebook and graders)"}
LATE = "(retard)"


@dataclass(frozen=True)
class Change:
    """One check's (or the late penalty's) points before and after, for one student.

    Attributes:
        check: the check's name, or :data:`LATE` for the late penalty (points taken off).
        old, new: points (None: the check was not graded then).
        max_score: the check's points at stake now.
        reason: one of :data:`REASONS_FR`' keys.
        detail: e.g. the two graders' versions.
    """

    student: str
    assignment: str
    check: str
    title: str
    old: float | None
    new: float | None
    max_score: float
    reason: str
    detail: str = ""


@dataclass
class ChangeSet:
    """The changes of one export, and when it was made (ISO 8601, UTC)."""

    at: str
    changes: list[Change] = field(default_factory=list)

    def students(self) -> list[str]:
        return list(dict.fromkeys(change.student for change in self.changes))


def snapshot(gradings: list[StoredGrading]) -> dict[str, dict]:
    """What an export wrote, per student (results after overrides and penalties)."""
    shot = {}
    for grading in gradings:
        result = grading.result
        shot[result.student] = {
            "assignment": result.assignment, "fingerprint": grading.fingerprint, "graders": grading.graders,
            "checks": {t.name: [t.score, t.max_score, t.graded_by, t.title] for t in result.tests},
            "late": result.late.points if result.late else 0.0,
        }
    return shot


def _reason(before: dict, after: dict, old: list | None, new: list | None) -> tuple[str, str]:
    if "instructor" in {(old or [None] * 3)[2], (new or [None] * 3)[2]}:
        return "override", ""
    if before.get("fingerprint") != after.get("fingerprint"):
        return "submission", ""
    if before.get("graders") != after.get("graders"):
        return "graders", f"{before.get('graders') or '?'} -> {after.get('graders') or '?'}"
    return "regraded", ""


def compare(before: dict[str, dict], after: dict[str, dict]) -> list[Change]:
    """Every check whose points (or points at stake) moved between two snapshots, for students in both."""
    changes = []
    for student, now in after.items():
        then = before.get(student)
        if then is None:
            continue
        names = list(dict.fromkeys([*now["checks"], *then["checks"]]))
        for name in names:
            old, new = then["checks"].get(name), now["checks"].get(name)
            if old is not None and new is not None and old[:2] == new[:2] and old[2] == new[2]:
                continue
            reason, detail = _reason(then, now, old, new)
            title = (new or old)[3]
            changes.append(Change(student, now["assignment"], name, title, old[0] if old else None,
                                  new[0] if new else None, (new or old)[1], reason, detail))
        if round(then.get("late", 0.0), 4) != round(now.get("late", 0.0), 4):
            changes.append(Change(student, now["assignment"], LATE, "pénalité de retard (points retirés)",
                                  then.get("late", 0.0), now.get("late", 0.0), 0.0, "late_policy"))
    return changes


def record(state: Path, gradings: list[StoredGrading]) -> ChangeSet:
    """Compare this export with the previous one of the folder, keep the change set (if any) and the snapshot."""
    now = snapshot(gradings)
    try:
        before = json.loads((state / SNAPSHOT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        before = {}
    found = ChangeSet(datetime.now(UTC).isoformat(timespec="seconds"), compare(before, now))
    if found.changes:
        history = [asdict(found), *(asdict(c) for c in history_of(state))][:KEPT]
        write_atomically(state / HISTORY, json.dumps(history, indent=1, ensure_ascii=False))
    write_atomically(state / SNAPSHOT, json.dumps({**before, **now}, indent=1, ensure_ascii=False))
    return found


def history_of(state: Path) -> list[ChangeSet]:
    """The folder's change sets, newest first."""
    try:
        data = json.loads((state / HISTORY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [ChangeSet(entry["at"], [Change(**c) for c in entry["changes"]]) for entry in data]


def _points(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def format_changes(changes: ChangeSet | None) -> str:
    """The change set for the terminal (instructor's, English), one line per check."""
    if changes is None or not changes.changes:
        return "no grade changed since the previous export"
    lines = [f"grades changed since the previous export ({len(changes.students())} student(s), {changes.at}):"]
    width = max(len(c.student) for c in changes.changes)
    for change in changes.changes:
        detail = f" ({change.detail})" if change.detail else ""
        lines.append(f"  {change.student:<{width}}  {change.check:<28} {_points(change.old):>6} -> "
                     f"{_points(change.new):<6} {REASONS_EN[change.reason]}{detail}")
    return "\n".join(lines)
