"""A real semester's plumbing on plain data, no grading: rosters as the LMSs export them, their download layouts,
hand-in times, the late policy (and nbgrader's late-penalty step computing the same), the LMS grade imports and
the regrade diff. The end-to-end batch is tests/test_semester_batch.py."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from nbgrader.preprocessors import AssignLatePenalties
from traitlets.config import Config

from autograder.export.canvas import canvas_csv
from autograder.export.lms_grades import grade_table
from autograder.export.moodle import moodle_csv
from autograder.intake import MISSING, NO_NOTEBOOK, SUBMITTED, TO_ATTRIBUTE, Arrival, Intake, attach, set_times, take_in
from autograder.late_policy import PolicyError, delay_text, parse_policy, penalty, read_policy
from autograder.lms_layouts import deliveries
from autograder.regrade import compare, record, snapshot
from autograder.results import Status, StoredGrading, SubmissionResult, TestResult
from autograder.roster import RosterError, csv_rows, read_roster
from autograder.submission_times import Handed, parse_time
from autograder.submissions import Job, discover

MOODLE_ROSTER = ("\ufeffPrénom;Nom;Numéro d'identification;Institution;Département;Adresse de courriel;Groupes\n"
                 "Marie-Hélène;Dupont;22001;;;mh.dupont@univ.fr;TD1\n"
                 "Jean;Martin;22002;;;jean.martin@univ.fr;TD1\n"
                 "Zoé;L'Hôte-Lefèvre;22003;;;zoe.lefevre@univ.fr;TD2\n"
                 "Ali;Ben Salah;22004;;;ali@univ.fr;TD2\n")
CANVAS_ROSTER = ('Student,ID,SIS User ID,SIS Login ID,Section,TP1 (4401)\n'
                 '    Points Possible,,,,,4\n'
                 '"Dupont, Marie-Hélène",501,22001,mdupont,Groupe A,\n'
                 '"Martin, Jean",502,22002,jmartin,Groupe A,\n'
                 '"Ben Salah, Ali",504,22004,abensalah,Groupe B,\n'
                 '"Student, Test",999,,,Groupe A,\n')
POLICY = """
time_zone = "Europe/Paris"
[assignments."01_regression"]
deadline = "2025-03-14 23:59"
opens = "2025-03-07 23:59"
grace = "10min"
penalty = { per = "hour", percent = 5, max_percent = 50, cutoff = "3d" }
[accommodations]
tiers-temps = "1/3"
[students."22002"]
extensions = { "01_regression" = "2d" }
[students."ali@univ.fr"]
accommodations = ["tiers-temps"]
"""


def _result(student: str, scores: dict[str, float], assignment: str = "01_regression",
            notices: list[str] | None = None) -> SubmissionResult:
    tests = [TestResult(name, name.replace("_", " "), name.split("_")[0], 1.0, score, False,
                        Status.PASSED if score == 1 else Status.FAILED) for name, score in scores.items()]
    return SubmissionResult(f"{student}.ipynb", assignment, student, tests, notices or [])


def test_moodle_roster_in_french_with_bom_semicolons_and_accents(tmp_path):
    path = tmp_path / "participants.csv"
    path.write_text(MOODLE_ROSTER, encoding="utf-8")
    roster = read_roster(path)
    assert [s.key for s in roster.students] == ["22001", "22002", "22003", "22004"]
    zoe = roster.students[2]
    assert (zoe.first_name, zoe.last_name, zoe.email, zoe.group) == ("Zoé", "L'Hôte-Lefèvre", "zoe.lefevre@univ.fr",
                                                                      "TD2")
    assert roster.find("Zoe L Hote Lefevre") is zoe and roster.find("LEFÈVRE zoé l'hôte") is zoe
    assert roster.find("ZOE.LEFEVRE@univ.fr") is zoe and roster.find("22003") is zoe
    assert roster.find("Someone Else") is None


def test_windows_roster_and_a_roster_that_names_nobody(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("student_id;name;email\n7;Hélène Côté;hc@u.fr\n".encode("cp1252"))
    assert read_roster(path).students[0].name == "Hélène Côté"
    (tmp_path / "bad.csv").write_text("colour,size\nred,2\n")
    with pytest.raises(RosterError, match="no column names a student"):
        read_roster(tmp_path / "bad.csv")


def test_canvas_roster_skips_points_possible_and_the_test_student(tmp_path):
    path = tmp_path / "canvas.csv"
    path.write_text(CANVAS_ROSTER)
    students = read_roster(path).students
    assert [(s.key, s.first_name, s.last_name, s.lms_id, s.login, s.group) for s in students] == [
        ("22001", "Marie-Hélène", "Dupont", "501", "mdupont", "Groupe A"),
        ("22002", "Jean", "Martin", "502", "jmartin", "Groupe A"),
        ("22004", "Ali", "Ben Salah", "504", "abensalah", "Groupe B")]


def _notebook(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def _moodle_inbox(root: Path) -> Path:
    inbox = root / "moodle"
    _notebook(inbox / "Marie-Hélène Dupont_1001_assignsubmission_file_" / "TP1.ipynb")
    (inbox / "Jean Martin_1002_assignsubmission_file_").mkdir(parents=True)
    (inbox / "Jean Martin_1002_assignsubmission_file_" / "rapport.pdf").write_bytes(b"%PDF")
    archive = inbox / "Zoé L'Hôte-Lefèvre_1003_assignsubmission_file_" / "TP1.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("TP1/01_regression.ipynb", _notebook(root / "tmp.ipynb").read_text())
    (inbox / ".DS_Store").write_text("")
    return inbox


def test_moodle_download_joined_to_the_roster(tmp_path):
    """A PDF-only student has a row naming the PDF, an absent one a row, a zip is named after its student."""
    (tmp_path / "roster.csv").write_text(MOODLE_ROSTER)
    intake = take_in([_moodle_inbox(tmp_path)], "01_regression", tmp_path / "scratch",
                     read_roster(tmp_path / "roster.csv"))
    rows = {a.student: (a.status, a.files, a.layout, job.problem) for job, a in zip(intake.jobs, intake.arrivals,
                                                                                       strict=True)}
    assert rows["22001"][:3] == (SUBMITTED, ["TP1.ipynb"], "moodle")
    assert rows["22002"][:2] == (NO_NOTEBOOK, ["rapport.pdf"]) and "reçu rapport.pdf" in rows["22002"][3]
    assert rows["22003"][:2] == (SUBMITTED, ["TP1.zip"])
    assert rows["22004"][:2] == (MISSING, []) and rows["22004"][3] == "Aucune remise reçue pour ce devoir."
    assert [j.assignment for j in intake.jobs] == ["01_regression"] * 4 and not intake.warnings


def test_moodle_flat_download_and_blind_marking(tmp_path):
    inbox = tmp_path / "flat"
    _notebook(inbox / "Jean Martin_1002_assignsubmission_file_TP1.ipynb")
    _notebook(inbox / "Participant_1009_assignsubmission_file_TP1.ipynb")
    found, strays = deliveries(inbox)
    assert strays == []
    assert [(d.label, d.lms_id, d.layout) for d in found] == [("Jean Martin", "1002", "moodle"),
                                                              ("Participant", "1009", "moodle")]
    intake = take_in([inbox], None, tmp_path / "scratch")
    assert [a.student for a in intake.arrivals] == ["Jean_Martin", "Participant_1009"]


def _canvas_inbox(root: Path) -> Path:
    inbox = root / "canvas"
    _notebook(inbox / "dupontmarie-helene_501_7001_TP1.ipynb")
    _notebook(inbox / "martinjean_LATE_502_7002_TP1-1.ipynb")
    (inbox / "bensalahali_LATE_504_7004_rapport.docx").write_bytes(b"doc")
    _notebook(inbox / "inconnu_777_7007_TP1.ipynb")
    return inbox


def test_canvas_download_by_user_id_late_flag_and_strangers(tmp_path):
    (tmp_path / "roster.csv").write_text(CANVAS_ROSTER)
    intake = take_in([_canvas_inbox(tmp_path)], "01_regression", tmp_path / "scratch",
                     read_roster(tmp_path / "roster.csv"))
    rows = {a.student: (a.status, a.lms_late, a.enrolled, a.files) for a in intake.arrivals}
    assert rows == {"22001": (SUBMITTED, False, True, ["TP1.ipynb"]),
                    "22002": (SUBMITTED, True, True, ["TP1-1.ipynb"]),
                    "22004": (NO_NOTEBOOK, True, True, ["rapport.docx"]),
                    "inconnu": (SUBMITTED, False, False, ["TP1.ipynb"])}
    assert intake.warnings == ["not in the roster (graded, exported without roster columns): inconnu"]


def test_the_lms_zip_itself_is_read_as_its_layout(tmp_path):
    inbox = _canvas_inbox(tmp_path)
    archive = tmp_path / "submissions.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in inbox.iterdir():
            zipped.write(path, path.name)
    intake = take_in([archive], None, tmp_path / "scratch")
    assert {a.layout for a in intake.arrivals} == {"canvas"} and len(intake.arrivals) == 4


def test_plain_inbox_zip_named_after_its_student_and_pdf_only_rows(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "alice" / "rendu").mkdir(parents=True)
    with zipfile.ZipFile(inbox / "alice" / "rendu" / "TP1.zip", "w") as zipped:
        zipped.writestr("01_regression.ipynb", _notebook(tmp_path / "n.ipynb").read_text())
    (inbox / "bob").mkdir()
    (inbox / "bob" / "rapport.pdf").write_bytes(b"%PDF")
    (inbox / "carol.docx").write_bytes(b"doc")
    jobs = discover([inbox], None, tmp_path / "scratch")
    assert [(j.student, j.problem is None) for j in jobs] == [("alice", True), ("bob", False), ("carol", False)]
    assert "reçu rapport.pdf" in jobs[1].problem and "reçu carol.docx" in jobs[2].problem


def test_hand_in_times_from_every_source(tmp_path):
    assert parse_time("2025-03-14 22:12:00.123456 UTC") == datetime(2025, 3, 14, 22, 12, 0, 123456, UTC)
    assert parse_time("2025-03-14 23:12:00 Europe/Paris").utcoffset().total_seconds() == 3600
    assert parse_time("Friday, 14 March 2025, 11:12 PM", "UTC") == datetime(2025, 3, 14, 23, 12, tzinfo=UTC)
    assert parse_time("vendredi 14 mars 2025, 23:12", "UTC") == datetime(2025, 3, 14, 23, 12, tzinfo=UTC)
    (tmp_path / "roster.csv").write_text(MOODLE_ROSTER)
    intake = take_in([_moodle_inbox(tmp_path)], "01_regression", tmp_path / "scratch",
                     read_roster(tmp_path / "roster.csv"))
    worksheet = tmp_path / "worksheet.csv"  # Moodle's grading worksheet, as it comes
    worksheet.write_text("Identifier,Full name,Email address,Status,Last modified (submission)\n"
                         "Participant 1001,Marie-Hélène Dupont,mh.dupont@univ.fr,Submitted,"
                         '"Saturday, 15 March 2025, 2:09 AM"\n'
                         "Participant 1002,Jean Martin,jean.martin@univ.fr,Submitted,-\n")
    set_times(intake, worksheet, None, "Europe/Paris", file_times=False)
    times = {a.student: (a.submitted_at, a.time_source) for a in intake.arrivals}
    assert times["22001"] == ("2025-03-15T02:09:00+01:00", "csv")
    assert times["22003"] == ("", "")  # no time anywhere, and modification times are not trusted by default
    set_times(intake, None, None, "Europe/Paris", file_times=True)  # only where the policy says so
    assert {a.student: a.time_source for a in intake.arrivals} == {"22001": "mtime", "22002": "", "22003": "mtime",
                                                                    "22004": ""}


def test_late_policy_rules_extensions_and_tiers_temps():
    policy = parse_policy(__import__("tomllib").loads(POLICY))
    due = datetime(2025, 3, 14, 23, 59, tzinfo=parse_time("2025-03-14 23:59", "Europe/Paris").tzinfo)

    def late(labels, after_s, score=10.0):
        handed = Handed(due.fromtimestamp(due.timestamp() + after_s, due.tzinfo), "csv")
        return penalty(policy, "01_regression", labels, handed, score)

    assert late(("22001",), -60) is None
    assert late(("22001",), 9 * 60).note == "remis avec 9 min de retard, dans le délai de grâce : aucune pénalité"
    two_hours_ten = late(("22001",), 2 * 3600 + 600)
    assert (two_hours_ten.percent, two_hours_ten.points) == (15, 1.5)
    assert two_hours_ten.note == "remis avec 2 h 10 de retard : −15 %"
    assert late(("22001",), 20 * 3600).percent == 50  # capped
    assert late(("22001",), 3 * 86400 + 1).percent == 100  # past the cut-off
    assert late(("22002",), 2 * 86400 - 1) is None  # two days' extension
    extended = late(("22002",), 2 * 86400 + 3600)
    assert extended.percent == 5 and "prolongation de 2 j" in extended.note
    assert late(("x", "ali@univ.fr"), 2 * 86400 + 8 * 3600 - 60) is None  # a third of 7 days: 2 d 8 h
    assert "aménagement tiers-temps (2 j 8 h)" in late(("ali@univ.fr",), 3 * 86400).note
    unknown = penalty(policy, "01_regression", ("22001",), None, 10, lms_late=True)
    assert unknown.points == 0 and "heure inconnue" in unknown.note
    assert penalty(policy, "02_mnist_cnn", ("22001",), None, 10) is None
    assert delay_text(3 * 86400 + 4 * 3600) == "3 j 4 h"


def test_policy_files_in_toml_and_yaml_and_their_errors(tmp_path):
    (tmp_path / "p.yaml").write_text("time_zone: Europe/Paris\nassignments:\n  '*':\n    deadline: 2025-03-14 23:59\n"
                                     "    penalty: {per: day, percent: 10}\n")
    policy = read_policy(tmp_path / "p.yaml")
    assert policy.rule("anything").penalty.percent == 10
    for text, message in (('[assignments.a]\ndeadline = "soon"\n', "unreadable time"),
                          ('[assignments.a]\ndeadline = "2025-01-01"\npenalty = {per = "week"}\n', "hour or day"),
                          ('[students.x]\naccommodations = ["tiers-temps"]\n', "not defined"),
                          ('[assignments.a]\ndeadline = "2025-01-01"\ngrace = "5 parsecs"\n', "unknown unit")):
        (tmp_path / "bad.toml").write_text(text)
        with pytest.raises(PolicyError, match=message):
            read_policy(tmp_path / "bad.toml")


def test_nbgrader_late_step_gives_the_kits_penalty(tmp_path):
    """nbgrader's AssignLatePenalties asks its plugin with the notebook's score; the policy answers the kit's."""
    (tmp_path / "policy.toml").write_text(POLICY)
    policy = read_policy(tmp_path / "policy.toml")
    stored = datetime(2025, 3, 15, 1, 9)  # naive UTC, as nbgrader stores timestamp.txt: 02:09 in Paris
    submission = SimpleNamespace(timestamp=stored)
    config = Config()  # as nbgrader_config.py would set it
    config.AssignLatePenalties.plugin_class = "autograder.nbgrader_late.PolicyLatePlugin"
    config.PolicyLatePlugin.policy_file = str(tmp_path / "policy.toml")
    step = AssignLatePenalties(config=config)
    step.assignment_id = "01_regression"  # what AssignLatePenalties.preprocess sets, with its open gradebook
    step.gradebook = SimpleNamespace(find_submission=lambda assignment, student: submission)
    step.init_plugin()
    plugin = step.plugin_inst
    kit = penalty(policy, "01_regression", ("22001",), Handed(stored.replace(tzinfo=UTC), "nbgrader"), 7.0)
    assert plugin.late_submission_penalty("22001", 7.0, 7800.0) == kit.points == 1.05
    assert plugin.late_submission_penalty("22002", 7.0, 7800.0) is None  # extended: on time


def test_lms_imports_have_the_documented_columns():
    results = [_result("22001", {"split_a": 1, "split_b": 1, "model_c": 0}),
               _result("22004", {"split_a": 0, "split_b": 0, "model_c": 0}, notices=["Aucune remise reçue."])]
    results[0].identity = {"first_name": "Marie-Hélène", "last_name": "Dupont", "name": "Marie-Hélène Dupont",
                           "student_id": "22001", "email": "mh@u.fr", "group": "A", "lms_id": "501", "login": "md"}
    results[0].tests[0].score = 1
    from autograder.results import LatePenalty

    results[0].late = LatePenalty("2025-03-15T02:09:00+01:00", "csv", "", 7800, 50, 1.0, "remis avec 2 h 10 de "
                                  "retard : −50 %")
    text, left_out = moodle_csv(results)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["First name", "Last name", "ID number", "Institution", "Department", "Email address",
                       "01_regression (Real)", "01_regression (Feedback)"]
    assert rows[1][:6] == ["Marie-Hélène", "Dupont", "22001", "", "", "mh@u.fr"] and rows[1][6] == "1"
    assert rows[1][7].startswith("remis avec 2 h 10 de retard : −50 % (−1 point)")
    assert rows[2][6:] == ["0", "Aucune remise reçue."] and left_out == ["no roster columns for 22004 (the LMS "
                                                                          "cannot match them)"]
    per_task = list(csv.reader(io.StringIO(moodle_csv(results, per_task=True)[0])))
    assert per_task[0][6:] == ["01_regression — split (Real)", "01_regression — model (Real)",
                               "01_regression (Feedback)"] and per_task[1][6:8] == ["1", "0"]
    canvas = list(csv.reader(io.StringIO(canvas_csv(results)[0])))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "01_regression"]
    assert canvas[1] == ["    Points Possible", "", "", "", "", "3"]
    assert canvas[2] == ["Dupont, Marie-Hélène", "501", "22001", "md", "A", "1"]
    assert canvas[3] == ["22004", "", "", "", "", "0"]


def test_regrade_diff_per_check_with_its_reason(tmp_path):
    before = [StoredGrading(_result("ann", {"split_a": 1, "model_b": 0}), "f1", graders="g1"),
              StoredGrading(_result("ben", {"split_a": 1, "model_b": 1}), "f2", graders="g1")]
    assert not record(tmp_path, before).changes
    after = [StoredGrading(_result("ann", {"split_a": 1, "model_b": 1}), "f1", graders="g2"),
             StoredGrading(_result("ben", {"split_a": 0, "model_b": 1}), "f3", graders="g2")]
    found = record(tmp_path, after).changes
    assert [(c.student, c.check, c.old, c.new, c.reason, c.detail) for c in found] == [
        ("ann", "model_b", 0, 1, "graders", "g1 -> g2"), ("ben", "split_a", 1, 0, "submission", "")]
    again = snapshot(after)
    after[0].result.tests[0].graded_by, after[0].result.tests[0].score = "instructor", 0.5
    assert [(c.check, c.reason) for c in compare(again, snapshot(after))] == [("split_a", "override")]


def test_attach_gives_identity_and_penalty_from_the_arrival(tmp_path):
    (tmp_path / "roster.csv").write_text(MOODLE_ROSTER)
    intake = take_in([_moodle_inbox(tmp_path)], "01_regression", tmp_path / "s", read_roster(tmp_path / "roster.csv"))
    intake.arrivals[1].submitted_at, intake.arrivals[1].time_source = "2025-03-15T02:09:00+01:00", "csv"
    results = [_result(a.student, {"split_a": 1}) for a in intake.arrivals]
    attach(results, intake.by_student(), parse_policy(__import__("tomllib").loads(POLICY)))
    by_student = {r.student: r for r in results}
    assert by_student["22001"].late.percent == 15 and by_student["22001"].final_score == 0.85
    assert by_student["22001"].identity["email"] == "mh.dupont@univ.fr"
    assert by_student["22003"].late.note.startswith("heure de remise inconnue")
    assert by_student["22002"].late is None  # no notebook: no penalty on a zero


PAIR = "student_id,name,email\n1001,Alice Martin,alice@u.fr\n1002,Bob Durand,bob@u.fr\n"


def _rows(intake) -> dict[str, tuple[str, bool | None, str]]:
    return {a.student: (a.status, a.enrolled, a.ambiguous) for a in intake.arrivals}


def test_a_notebooks_file_name_in_a_student_folder_is_no_identity(tmp_path):
    """Red team 6: alice's ``1002.ipynb`` does not take Bob's row; a flat file's name that collides with another
    delivery's student is attributed to neither, and that student's LMS grade is left empty."""
    (tmp_path / "roster.csv").write_text(PAIR)
    roster = read_roster(tmp_path / "roster.csv")
    inbox = tmp_path / "inbox"
    _notebook(inbox / "alice" / "1002.ipynb")
    _notebook(inbox / "bob durand" / "01_regression.ipynb")
    intake = take_in([inbox], "01_regression", tmp_path / "s1", roster)
    jobs = {j.student: j.path for j in intake.jobs}
    assert jobs["1002"].parent.name == "bob durand" and _rows(intake)["alice/1002"][:2] == (SUBMITTED, False)
    assert _rows(intake)["1001"][0] == MISSING
    flat = tmp_path / "flat"
    _notebook(flat / "1002.ipynb")
    _notebook(flat / "bob durand" / "01_regression.ipynb")
    intake = take_in([flat], "01_regression", tmp_path / "s2", roster)
    rows = _rows(intake)
    assert rows["1002"] == (TO_ATTRIBUTE, True, "1002_non_attribue, bob durand/01_regression")
    assert rows["1002_non_attribue"][:2] == rows["bob durand/01_regression"][:2] == (SUBMITTED, False)
    assert any("several deliveries match this student" in w for w in intake.warnings)
    held = next(j for j in intake.jobs if j.student == "1002")
    results = [_result("1002", {"a_x": 0}, notices=[held.problem]), _result("1002_non_attribue", {"a_x": 1})]
    attach(results, intake.by_student(), None)
    _, table, left_out = grade_table(results, per_task=False)
    bob = next(r for r in table if r.identity.get("student_id") == "1002")
    assert bob.grades == {} and bob.feedback["01_regression"].startswith("À attribuer")
    assert any("no grade is exported" in line for line in left_out)


def test_hand_in_times_match_identifiers_only_and_ambiguities_apply_none(tmp_path):
    """Red teams 7 and 8: a shared group or last name gives nobody another's time; a ``Participant`` label
    without digits names nobody; a row naming two students, or two times for one, applies no time."""
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,first_name,last_name,email,group,submitted_at\n"
                      "1001,Jean,Martin,jean@u.fr,TD1,2025-03-10 10:00\n"
                      "1002,Paul,Martin,paul@u.fr,TD1,2025-03-20 10:00\n")
    inbox = tmp_path / "inbox"
    for key in ("1001", "1002"):
        _notebook(inbox / key / "01_regression.ipynb")
    intake = take_in([inbox], "01_regression", tmp_path / "s", read_roster(roster))
    set_times(intake, None, csv_rows(roster), "Europe/Paris", False)
    assert {a.student: a.submitted_at[:10] for a in intake.arrivals} == {"1001": "2025-03-10", "1002": "2025-03-20"}
    times = tmp_path / "times.csv"
    times.write_text("Identifier,Full name,Email address,Last modified (submission)\n"
                     "Participant,Jean Martin,,2025-03-01 10:00\n")
    set_times(intake, times, None, "Europe/Paris", False)
    assert {a.submitted_at for a in intake.arrivals} == {""}
    times.write_text("student_id,email,submitted_at\n1001,paul@u.fr,2025-03-01 10:00\n")
    set_times(intake, times, None, "Europe/Paris", False)
    assert {(a.submitted_at, a.time_source) for a in intake.arrivals} == {("", "ambiguous")}
    times.write_text("student_id,submitted_at\n1001,2025-03-01 10:00\n1001,2025-03-02 10:00\n"
                     "1002,2025-03-03 10:00\n")
    intake.warnings.clear()
    set_times(intake, times, None, "Europe/Paris", False)
    assert {a.student: (a.submitted_at[:10], a.time_source) for a in intake.arrivals} == {
        "1001": ("", "ambiguous"), "1002": ("2025-03-03", "csv")}
    assert len(intake.warnings) == 1 and "heure de remise ambiguë" in intake.warnings[0]


def test_the_instructors_times_win_over_nbgraders_timestamp(tmp_path):
    folder = tmp_path / "submitted" / "1001" / "01_regression"
    notebook = _notebook(folder / "01_regression.ipynb")
    (folder / "timestamp.txt").write_text("2025-03-01 10:00:00 UTC")
    intake = Intake([Job(notebook, "1001", "01_regression", origin="nbgrader")],
                    [Arrival("1001", SUBMITTED, ["01_regression.ipynb"], "nbgrader", "1001", {"student_id": "1001"},
                             True)])
    set_times(intake, None, None, "UTC", False)
    assert (intake.arrivals[0].submitted_at, intake.arrivals[0].time_source) == ("2025-03-01T10:00:00+00:00",
                                                                                  "nbgrader")
    (tmp_path / "times.csv").write_text("student_id,submitted_at\n1001,2025-03-20 10:00\n")
    set_times(intake, tmp_path / "times.csv", None, "UTC", False)
    assert (intake.arrivals[0].submitted_at, intake.arrivals[0].time_source) == ("2025-03-20T10:00:00+00:00",
                                                                                  "csv")


def _moodle(root: Path, *folders: str) -> Path:
    for name in folders:
        _notebook(root / f"{name}_assignsubmission_file_" / "01_regression.ipynb")
    return root


def test_moodle_participant_ids_first_and_namesakes_never_merged(tmp_path):
    """Red team 9: Alice renamed "Bob Durand" keeps her own row when the roster has Moodle's participant IDs;
    without them, both "Bob Durand" deliveries are to attribute; two real namesakes are never merged."""
    worksheet = tmp_path / "worksheet.csv"
    worksheet.write_text("Identifier,Full name,Email address,ID number\n"
                         "Participant 111,Alice Martin,alice@u.fr,1001\nParticipant 222,Bob Durand,bob@u.fr,1002\n")
    renamed = _moodle(tmp_path / "renamed", "Bob Durand_111", "Bob Durand_222")
    intake = take_in([renamed], "01_regression", tmp_path / "s1", read_roster(worksheet))
    assert {a.student: a.lms_id for a in intake.arrivals} == {"1001": "111", "1002": "222"}
    (tmp_path / "roster.csv").write_text(PAIR)
    intake = take_in([renamed], "01_regression", tmp_path / "s2", read_roster(tmp_path / "roster.csv"))
    assert _rows(intake) == {"Bob_Durand_111": (SUBMITTED, False, "1002"),
                             "Bob_Durand_222": (SUBMITTED, False, "1002"), "1001": (MISSING, True, ""),
                             "1002": (TO_ATTRIBUTE, True, "Bob_Durand_111, Bob_Durand_222")}
    (tmp_path / "namesakes.csv").write_text("ID number,First name,Last name,Email address\n"
                                            "3001,Jean,Dupont,j1@u.fr\n3002,Jean,Dupont,j2@u.fr\n")
    twins = _moodle(tmp_path / "twins", "Jean Dupont_301", "Jean Dupont_302")
    intake = take_in([twins], "01_regression", tmp_path / "s3", read_roster(tmp_path / "namesakes.csv"))
    rows = _rows(intake)
    assert rows["Jean_Dupont_301"] == rows["Jean_Dupont_302"] == (SUBMITTED, False, "3001, 3002")
    assert rows["3001"][0] == rows["3002"][0] == TO_ATTRIBUTE
    assert sum("several students of that name" in w for w in intake.warnings) == 2
    _, table, _ = grade_table([_result("Jean_Dupont", {"a_x": 1}), _result("Jean_Dupont~2", {"a_x": 0})], False)
    assert [(r.student, list(r.grades.values())) for r in table] == [("Jean_Dupont", [1.0]), ("Jean_Dupont~2", [0.0])]


def test_two_results_for_one_roster_row_export_no_grade():
    results = [_result("1001", {"a_x": 1}), _result("1001/other", {"a_x": 0})]
    for result in results:
        result.identity = {"student_id": "1001", "name": "Alice Martin"}
    _, table, left_out = grade_table(results, False)
    assert len(table) == 1 and table[0].grades == {} and table[0].feedback["01_regression"].startswith("À VÉRIFIER")
    assert "1001" in moodle_csv(results)[0] and any("no grade is exported" in line for line in left_out)


def test_canvas_late_flag_in_lower_case(tmp_path):
    _notebook(tmp_path / "cv" / "durandbob_late_5002_9002_01_regression.ipynb")
    _notebook(tmp_path / "cv" / "martinalice_5001_9001_01_regression.ipynb")
    found, strays = deliveries(tmp_path / "cv")
    assert strays == [] and [(d.label, d.lms_id, d.late) for d in found] == [("durandbob", "5002", True),
                                                                             ("martinalice", "5001", False)]
