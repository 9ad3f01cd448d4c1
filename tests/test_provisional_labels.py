"""Provisional points (automatic estimates of criteria graded by hand, 08_attention and 09_mini_project) are labelled
in every export that counts them, with one French wording; a result without any carries no such label.

Each batch is written by :func:`write_batch_outputs` (every export at once) and read back from its files.
"""

from __future__ import annotations

import csv
import json
import re
from html import unescape
from pathlib import Path
from xml.etree import ElementTree

from autograder.class_report.stats import class_stats
from autograder.export import write_batch_outputs
from autograder.report import PROVISIONAL, PROVISIONAL_STAR, provisional_part
from autograder.results import Status, StoredGrading, SubmissionResult
from autograder.results import TestResult as Outcome  # not collected by pytest

ASSIGNMENT = "09_mini_project"
REPORT_TITLE = "Rapport : sections rédigées (estimation provisoire)"


def _alice() -> SubmissionResult:
    """3/3 automatic points, 1.5/2 provisional ones in ``report``, 0.5/1 set by the instructor."""
    tests = [Outcome("model_check", "Modèle", "model", 3, 3, False, Status.PASSED),
             Outcome("report_sections", REPORT_TITLE, "report", 2, 1.5, False, Status.FAILED, "1 section sur 4 vide",
                     graded_by="provisional"),
             Outcome("report_content", "Contenu", "report", 1, 0.5, False, Status.FAILED, graded_by="instructor",
                     auto_score=0.0)]
    return SubmissionResult("alice.ipynb", ASSIGNMENT, "alice", tests, duration_s=1.5)


def _bob() -> SubmissionResult:
    """Automatic points only."""
    return SubmissionResult("bob.ipynb", ASSIGNMENT, "bob",
                            [Outcome("model_check", "Modèle", "model", 3, 1, False, Status.FAILED, "attendu 3")],
                            duration_s=1.0)


def _exports(results: list[SubmissionResult], out: Path) -> dict[str, object]:
    """What the batch's exports say, read back from their files."""
    write_batch_outputs([StoredGrading(r) for r in results], out, 10.0, 1)
    return {
        "feedback": {r.student: unescape((out / r.student / "feedback.html").read_text(encoding="utf-8"))
                     for r in results},
        "gradescope": {r.student: json.loads((out / r.student / "results.json").read_text(encoding="utf-8"))
                       for r in results},
        "csv": {row["student"]: row for row in csv.DictReader((out / "gradebook.csv").open(encoding="utf-8"))},
        "junit": ElementTree.parse(out / "junit.xml").getroot(),
        "classroom": json.loads((out / "github-classroom.json").read_text(encoding="utf-8")),
        "page": unescape((out / "index.html").read_text(encoding="utf-8")),
    }


def _suite_properties(junit: ElementTree.Element, student: str) -> dict[str, str]:
    suite = junit.find(f"testsuite[@name='{ASSIGNMENT}.{student}']")
    assert suite is not None
    return {p.get("name", ""): p.get("value", "") for p in suite.iter("property")}


def test_every_export_says_which_points_are_provisional(tmp_path):
    alice, bob = _alice(), _bob()
    label = provisional_part(*alice.provisional_score())
    assert alice.provisional_score() == (1.5, 2) and alice.provisional_score("model") == (0, 0)
    assert label == f"dont 1.5/2 points provisoires ({PROVISIONAL})"
    found = _exports([alice, bob], tmp_path)

    assert f"Note : 5 / 6</strong>, {label}</p>" in found["feedback"]["alice"]
    assert "provisoire" not in found["feedback"]["bob"]

    gradescope = found["gradescope"]["alice"]
    assert gradescope["score"] == 5 and gradescope["output"].splitlines()[0] == label
    report = next(t for t in gradescope["tests"] if t["number"] == "report_sections")
    assert REPORT_TITLE in report["name"] and REPORT_TITLE in report["output"]
    assert found["gradescope"]["bob"]["output"] == ""

    rows = found["csv"]
    assert (rows["alice"]["score"], rows["alice"]["report"]) == ("5", "2")
    assert (rows["alice"]["provisional"], rows["alice"]["provisional_tasks"]) == ("1.5", "report")
    assert (rows["bob"]["provisional"], rows["bob"]["provisional_tasks"]) == ("", "")

    assert _suite_properties(found["junit"], "alice") == {"score": "5/6", "provisional": label}
    assert _suite_properties(found["junit"], "bob") == {"score": "1/3"}

    classroom = found["classroom"]
    assert (classroom["alice"]["points"], classroom["alice"]["provisional"]) == ("Points 5/6", label)
    assert any(REPORT_TITLE in t["name"] and REPORT_TITLE in t["message"]
               for t in classroom["alice"]["result"]["tests"])
    assert classroom["bob"]["provisional"] == ""

    page = found["page"]
    (section,) = class_stats([StoredGrading(alice), StoredGrading(bob)]).assignments
    assert section.total.provisional == (0.75, 2) and section.tasks["report"].provisional == (1.5, 2)
    assert section.tasks["model"].provisional == (0, 0)
    assert f", {provisional_part(0.75, 2)}</span>" in page and PROVISIONAL_STAR in page
    assert "<th>report*</th>" in page and "<td>report*</td>" in page and "<th>model</th>" in page
    assert f'<span class="provisional" title="{label}">*</span>' in page
    assert re.search(r'data-student="bob">.*?</tr>', page, re.S).group().count("*") == 0


def test_a_batch_without_provisional_points_says_nothing_of_them(tmp_path):
    found = _exports([_bob()], tmp_path)
    texts = [*found["feedback"].values(), json.dumps(found["gradescope"], ensure_ascii=False),
             json.dumps(found["csv"]), ElementTree.tostring(found["junit"], encoding="unicode"),
             json.dumps(found["classroom"], ensure_ascii=False), found["page"]]
    assert not [text for text in texts if "provisoire" in text or PROVISIONAL in text]
    assert "*" not in re.sub(r"<style>.*?</style>|data:image/png;base64,[^\"]+", "", found["page"], flags=re.S)
