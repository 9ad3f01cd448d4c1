"""What a batch folder keeps for a semester besides its results, and the exports built from it.

``<out>/.state/`` holds, next to the stored results: ``intake.json`` (how each submission arrived:
:mod:`autograder.intake`), a copy of the course policy the exports were built with (``policy.toml`` or
``policy.yaml``: :mod:`autograder.late_policy`), the last export's grades and the change sets
(:mod:`autograder.regrade`). ``autograder report DIR`` rebuilds every export from them, with no grading.
"""

from __future__ import annotations

from pathlib import Path

from autograder.export.canvas import canvas_csv
from autograder.export.files import write_atomically
from autograder.export.intake_page import add_sections, changes_section, intake_section
from autograder.export.moodle import moodle_csv
from autograder.intake import Arrival, Intake
from autograder.late_policy import CoursePolicy, read_policy
from autograder.regrade import ChangeSet, history_of, record
from autograder.results import StoredGrading, SubmissionResult

INTAKE = "intake.json"
POLICY_NAMES = ("policy.toml", "policy.yaml")
#: ``--export`` formats: the files each writes in the batch folder.
LMS_EXPORTS = {"moodle": ("moodle-grades.csv", "moodle-grades-tasks.csv"),
               "canvas": ("canvas-grades.csv", "canvas-grades-tasks.csv")}


def keep_intake(state: Path, intake: Intake) -> None:
    write_atomically(state / INTAKE, intake.to_json())


def load_arrivals(state: Path) -> dict[str, Arrival]:
    """The stored arrivals by student (none for a folder graded without an intake record)."""
    try:
        return Intake.from_json((state / INTAKE).read_text(encoding="utf-8")).by_student()
    except (OSError, ValueError, TypeError):
        return {}


def keep_policy(state: Path, path: Path | None) -> None:
    """Keep a copy of the policy the exports are built with (None: remove any older copy)."""
    for name in POLICY_NAMES:
        (state / name).unlink(missing_ok=True)
    if path is not None:
        name = "policy.yaml" if path.suffix.lower() in (".yaml", ".yml") else "policy.toml"
        write_atomically(state / name, path.read_text(encoding="utf-8-sig"))


def stored_policy(state: Path) -> Path | None:
    return next((state / name for name in POLICY_NAMES if (state / name).is_file()), None)


def load_policy(path: Path | None) -> CoursePolicy | None:
    return read_policy(path) if path else None


def finish(out: Path, state: Path, gradings: list[StoredGrading], arrivals: dict[str, Arrival]) -> ChangeSet:
    """After the kit's exports: record what changed since the previous export (returned) and add the hand-ins
    section and the latest change set (this export's, else the last one recorded) to the class page."""
    changes = record(state, gradings)
    results = [grading.result for grading in gradings]
    latest = changes if changes.changes else next(iter(history_of(state)), None)  # the page keeps the last one
    add_sections(out / "index.html", intake_section(results, arrivals), changes_section(latest))
    return changes


def lms_exports(out: Path, results: list[SubmissionResult], formats: list[str]) -> list[str]:
    """Write each format's files (totals per assignment, and per task); return the lines to print."""
    lines = []
    for name in formats:
        build = moodle_csv if name == "moodle" else canvas_csv
        for filename, per_task in zip(LMS_EXPORTS[name], (False, True), strict=True):
            text, left_out = build(results, per_task)
            write_atomically(out / filename, text)
            lines.append(f"{out / filename}: {name} grade import{' (per task)' if per_task else ''}")
        lines += [f"warning: {line}" for line in dict.fromkeys(left_out)]
    return lines
