"""A semester's batch end to end: inboxes laid out as Moodle and Canvas download them, graded against their
rosters with a late policy, every export's rows, the feedback, the class page, the LMS grade imports, and a
regrade after a grader changed. Three gradings of one cheap check in all (the plumbing is tested on plain data
in tests/test_semester.py)."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from autograder.paths import GRADERS_DIR, KIT_ROOT
from tests.conftest import reference_notebook
from tests.test_semester import CANVAS_ROSTER, MOODLE_ROSTER, POLICY

CHECK = "split_shapes"


def _autograder(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "autograder", *args], cwd=KIT_ROOT, capture_output=True,
                          text=True, timeout=600, env={**os.environ, **(env or {})})
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _grade(inbox: Path, roster: Path, out: Path, policy: Path, times: Path, env=None) -> subprocess.CompletedProcess:
    return _autograder("grade", str(inbox), "--assignment", "01_regression", "--check", CHECK, "--roster", str(roster),
                       "--policy", str(policy), "--times", str(times), "--out", str(out), env=env)


def _rows(path: Path) -> dict[str, dict[str, str]]:
    return {row["student"]: row for row in csv.DictReader(path.open(encoding="utf-8"))}


def _csv(path: Path) -> list[list[str]]:
    return list(csv.reader(path.open(encoding="utf-8")))


def test_moodle_inbox_against_its_roster(tmp_path):
    """A PDF-only student, an absent one, and a zipped notebook handed in 2 h 10 late without extension."""
    inbox = tmp_path / "moodle"
    (inbox / "Jean Martin_1002_assignsubmission_file_").mkdir(parents=True)
    (inbox / "Jean Martin_1002_assignsubmission_file_" / "rapport.pdf").write_bytes(b"%PDF-1.4")
    zipped = inbox / "Zoé L'Hôte-Lefèvre_1003_assignsubmission_file_" / "TP1.zip"
    zipped.parent.mkdir()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.write(reference_notebook("01_regression"), "TP1/01_regression.ipynb")
    (tmp_path / "roster.csv").write_text(MOODLE_ROSTER, encoding="utf-8")
    (tmp_path / "policy.toml").write_text(POLICY)
    (tmp_path / "times.csv").write_text("Identifier,Full name,Last modified (submission)\n"
                                        'Participant 1003,Zoé L\'Hôte-Lefèvre,"Saturday, 15 March 2025, 2:09 AM"\n')
    out = tmp_path / "out"
    done = _grade(inbox, tmp_path / "roster.csv", out, tmp_path / "policy.toml", tmp_path / "times.csv")
    assert "no grade changed since the previous export" in done.stdout

    rows = _rows(out / "gradebook.csv")
    assert list(rows) == ["22002", "22003", "22001", "22004"]  # the inbox's order, then the absent students
    view = {s: (r["name"], r["email"], r["group"], r["score"], r["late_penalty"], r["final_score"])
            for s, r in rows.items()}
    assert view == {"22002": ("Jean Martin", "jean.martin@univ.fr", "TD1", "0", "", "0"),
                    "22003": ("Zoé L'Hôte-Lefèvre", "zoe.lefevre@univ.fr", "TD2", "1", "0.15", "0.85"),
                    "22001": ("Marie-Hélène Dupont", "mh.dupont@univ.fr", "TD1", "0", "", "0"),
                    "22004": ("Ali Ben Salah", "ali@univ.fr", "TD2", "0", "", "0")}
    assert "reçu rapport.pdf" in rows["22002"]["notices"] and rows["22001"]["notices"] == rows["22004"]["notices"]
    assert rows["22003"]["late"] == "remis avec 2 h 10 de retard : −15 %"
    assert rows["22003"]["submitted_at"] == "2025-03-15T02:09:00+01:00"

    feedback = (out / "22003" / "feedback.html").read_text()
    assert "remis avec 2 h 10 de retard : −15 % (−0.15 point) ; note après pénalité : 0.85/1" in feedback
    assert "Note : 1 / 1" in feedback  # the raw score stays, the penalty is its own line
    gradescope = json.loads((out / "22003" / "results.json").read_text())
    assert gradescope["score"] == 0.85 and [t["score"] for t in gradescope["tests"]] == [1]
    suite = next(s for s in ElementTree.parse(out / "junit.xml").getroot() if s.get("name").endswith("22003"))
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties["final_score"] == "0.85/1" and properties["student_id"] == "22003"

    page = (out / "index.html").read_text()
    statuses = dict(re.findall(r'data-intake="([^"]+)" data-status="([^"]+)"', page))
    assert statuses == {"22002": "aucun notebook", "22003": "remis", "22001": "aucune remise",
                        "22004": "aucune remise"}
    assert 'data-final="0.85"' in page and "1 remis, 1 sans notebook, 2 sans remise, 1 pénalisé(s)" in page

    exported = _autograder("report", str(out), "--export", "moodle", "--changes")
    assert "no grade changed" in exported.stdout
    moodle = _csv(out / "moodle-grades.csv")
    assert moodle[0] == ["First name", "Last name", "ID number", "Institution", "Department", "Email address",
                         "01_regression (Real)", "01_regression (Feedback)"]
    assert {row[2]: row[6] for row in moodle[1:]} == {"22002": "0", "22003": "0.85", "22001": "0", "22004": "0"}
    assert moodle[2][:6] == ["Zoé", "L'Hôte-Lefèvre", "22003", "", "", "zoe.lefevre@univ.fr"]
    assert moodle[2][7].startswith("remis avec 2 h 10 de retard") and "Aucune remise" in moodle[3][7]
    assert _csv(out / "moodle-grades-tasks.csv")[0][6:] == ["01_regression — split (Real)",
                                                            "01_regression (Feedback)"]


def test_canvas_inbox_late_with_an_extension_then_a_changed_grader(tmp_path):
    """Canvas's flat files: a PDF-only student, an absent one, one marked _LATE_ but within their two days'
    extension plus an hour (−5 %); then a grader worth twice as much: the regrade shows old -> new and why."""
    inbox = tmp_path / "canvas"
    inbox.mkdir()
    shutil.copy(reference_notebook("01_regression"), inbox / "martinjean_LATE_502_7002_TP1.ipynb")
    (inbox / "dupontmarie-helene_501_7001_rapport.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "roster.csv").write_text(CANVAS_ROSTER)
    (tmp_path / "policy.toml").write_text(POLICY)
    (tmp_path / "times.csv").write_text("SIS User ID,submitted_at\n22002,2025-03-17T00:59:00+01:00\n")
    out = tmp_path / "out"
    _grade(inbox, tmp_path / "roster.csv", out, tmp_path / "policy.toml", tmp_path / "times.csv")
    rows = _rows(out / "gradebook.csv")
    assert {s: (r["score"], r["final_score"], r["notices"][:22]) for s, r in rows.items()} == {
        "22001": ("0", "0", "Aucun notebook (.ipynb"), "22002": ("1", "0.95", ""),
        "22004": ("0", "0", "Aucune remise reçue po")}
    assert rows["22002"]["late"] == ("remis avec 1 h de retard : −5 % (échéance personnelle : 16/03/2025 23:59, "
                                     "prolongation de 2 j)")

    _autograder("report", str(out), "--export", "canvas")
    canvas = _csv(out / "canvas-grades.csv")
    assert canvas[:2] == [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "01_regression"],
                          ["    Points Possible", "", "", "", "", "1"]]
    assert canvas[2:] == [["Dupont, Marie-Hélène", "501", "22001", "mdupont", "Groupe A", "0"],
                          ["Martin, Jean", "502", "22002", "jmartin", "Groupe A", "0.95"],
                          ["Ben Salah, Ali", "504", "22004", "abensalah", "Groupe B", "0"]]

    graders = tmp_path / "graders"  # the graders fixed: split_shapes now worth 2 points
    shutil.copytree(GRADERS_DIR, graders)
    public = graders / "a01_regression" / "test_public.py"
    text = public.read_text()
    public.write_text(text.replace('@graded(1, task="split")\ndef test_split_shapes', '@graded(2, task="split")\n'
                                   "def test_split_shapes"))
    assert public.read_text() != text
    again = _grade(inbox, tmp_path / "roster.csv", out, tmp_path / "policy.toml", tmp_path / "times.csv",
                   env={"DLKIT_GRADERS": str(graders)})
    changed = [line.split() for line in again.stdout.splitlines() if line.startswith("  ")]
    assert [line[:5] for line in changed] == [
        ["22001", CHECK, "0", "->", "0"], ["22002", CHECK, "1", "->", "2"], ["22002", "(retard)", "0.05", "->", "0.1"],
        ["22004", CHECK, "0", "->", "0"]]
    assert "graders changed" in again.stdout and "late penalty" in again.stdout
    assert _rows(out / "gradebook.csv")["22002"]["final_score"] == "1.9"
    stored = json.loads((out / ".state" / "22002" / "result.json").read_text())
    assert [r["result"]["score"] for r in stored["replaced"]] == [1]  # the replaced result is kept
    report = _autograder("report", str(out), "--changes")  # nothing moved since: the last change set
    assert re.search(r"22002 +split_shapes +1 -> 2 +graders changed", report.stdout), report.stdout
    page = (out / "index.html").read_text()
    assert 'data-change="22002" data-check="split_shapes" data-reason="graders"' in page
    assert "Dernières notes modifiées" in page
