"""The instructor's class report: statistics and alarms on constructed results, ``autograder report`` on a store."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from autograder.class_report import build_report
from autograder.class_report.alarms import (
    grader_errors,
    nearly_all_fail,
    threshold_cluster,
    unstable_outcomes,
)
from autograder.class_report.stats import class_stats, is_unreadable
from autograder.cli import main
from autograder.grading.batch import ResultStore
from autograder.grading.tasks import result_key
from autograder.results import Status, StoredGrading, SubmissionResult
from autograder.results import TestResult as Outcome  # not collected by pytest
from autograder.submissions import Job

#: The constructed assignment: (check, task, points); ``quality`` is a threshold check (accuracy ≥ 0.9).
CHECKS = (("split_shapes", "split", 1.0), ("split_seeded", "split", 1.0), ("model_layers", "model", 2.0),
          ("quality", "quality", 3.0))
LIMIT = 0.9


def submission(student: str, failing: dict[str, Status] | None = None, measure: float = 0.95,
               message: str = "attendu 3, obtenu 4.") -> SubmissionResult:
    """A result of the constructed assignment: every check passes except ``failing`` (check: status)."""
    failing = failing or {}
    tests = []
    for name, task, points in CHECKS:
        status = failing.get(name, Status.PASSED)
        tests.append(Outcome(name, f"titre {name}", task, points, points if status is Status.PASSED else 0.0,
                             name == "quality", status, "" if status is Status.PASSED else message, 0.5,
                             measure=measure if name == "quality" else None,
                             limit=LIMIT if name == "quality" else None))
    if failing.get("quality") is None and measure < LIMIT:
        raise ValueError("a passing quality check needs a measure above the limit")
    return SubmissionResult(f"/inbox/{student}.ipynb", "01_regression", student, tests, duration_s=2.0)


def clean_batch() -> list[StoredGrading]:
    """Eight submissions with ordinary mistakes spread over the checks: no alarm is due."""
    results = [submission(f"s{i}") for i in range(4)]
    results.append(submission("s4", {"split_shapes": Status.FAILED}))
    results.append(submission("s5", {"model_layers": Status.ERROR}))
    results.append(submission("s6", {"quality": Status.FAILED}, measure=0.5))
    results.append(submission("s7", {"split_seeded": Status.TIMEOUT, "model_layers": Status.FAILED}))
    return [StoredGrading(r, f"sha-{r.student}") for r in results]


def test_statistics_are_the_gradebook_numbers():
    gradings = clean_batch()
    tests = [Outcome(n, n, t, p, 0.0, False, Status.ERROR, "JSON invalide") for n, t, p in CHECKS]
    unreadable = SubmissionResult("/inbox/bad.ipynb", "01_regression", "bad", tests, ["JSON invalide"])
    gradings.append(StoredGrading(unreadable))
    (stats,) = class_stats(gradings, wall_s=12.5, jobs=2).assignments
    assert stats.submissions == 9 and stats.unreadable == ["bad"]
    assert stats.total.scores == [7, 7, 7, 7, 6, 5, 4, 4, 0] and stats.total.max_score == 7
    assert stats.total.mean == round(47 / 9, 4) and stats.total.median == 6
    assert stats.tasks["split"].scores == [2, 2, 2, 2, 1, 2, 2, 1, 0] and stats.tasks["quality"].max_score == 3
    assert [c.name for c in stats.checks][:2] == ["model_layers", "split_shapes"]  # the most failed first
    layers = stats.checks[0]
    assert (layers.passed, layers.graded, layers.statuses) == (6, 9, {"error": 2, "failed": 1})
    assert stats.timeouts == 1 and stats.crashes == 0 and stats.grader_errors == 0
    assert stats.grading_s == 16.0
    rows = {row.student: row for row in stats.students}
    assert rows["s7"].tasks == {"split": 1, "model": 0, "quality": 3} and rows["s7"].page == "s7/feedback.html"
    assert is_unreadable(unreadable) and not is_unreadable(gradings[0].result)


def test_messages_are_grouped_counted_and_anonymised():
    results = [submission(f"eleve{i}", {"split_shapes": Status.FAILED}, message=f"attendu 80, obtenu {i}.")
               for i in range(5)]
    results.append(submission("zoe", {"split_shapes": Status.ERROR},
                              message="NameError dans /inbox/zoe.ipynb (zoe) : split_data manque."))
    stats = class_stats([StoredGrading(r) for r in results]).assignments[0]
    (check,) = [c for c in stats.checks if c.name == "split_shapes"]
    first, second = check.messages
    assert (first.pattern, first.count, len(first.examples)) == ("attendu …, obtenu ….", 5, 3)
    assert second.examples == ["NameError dans ‹fichier› (‹étudiant›) : split_data manque."]


def test_no_alarm_on_a_clean_batch():
    assert build_report(clean_batch()).alarms == {"01_regression": []}


def test_nearly_all_fail_fires_on_a_check_failed_by_students_who_pass_the_rest():
    gradings = [StoredGrading(submission(f"s{i}", {"split_seeded": Status.FAILED})) for i in range(9)]
    gradings.append(StoredGrading(submission("s9")))
    (alarm,) = nearly_all_fail(gradings)
    assert alarm.check == "split_seeded" and len(alarm.students) == 9 and "9 soumissions sur 10" in alarm.message
    weak = [StoredGrading(submission(f"w{i}", {"split_seeded": Status.FAILED, "split_shapes": Status.FAILED,
                                                 "model_layers": Status.FAILED})) for i in range(10)]
    assert [a.check for a in nearly_all_fail(weak)] == []  # a weak class, not a wrong check


def test_grader_errors_fire_on_any_grader_error():
    gradings = clean_batch()
    gradings[0].result.tests[2].status = Status.GRADER_ERROR
    (alarm,) = grader_errors(gradings)
    assert alarm.check == "model_layers" and alarm.students == ["s0"]
    broken = [StoredGrading(submission(f"b{i}", {"model_layers": Status.GRADER_ERROR})) for i in range(10)]
    assert [a.check for a in grader_errors(broken)] == ["model_layers"]
    assert nearly_all_fail(broken) == []  # the grader broke: not a check the class fails


def test_threshold_cluster_fires_on_measures_just_under_the_limit():
    gradings = clean_batch()
    gradings += [StoredGrading(submission(f"n{i}", {"quality": Status.FAILED}, measure=LIMIT - 0.01 * i))
                 for i in range(1, 4)]
    (alarm,) = threshold_cluster(gradings)
    assert alarm.check == "quality" and alarm.students == ["n1", "n2", "n3"]
    assert str(LIMIT) not in alarm.message  # a hidden check's limit is not stated
    far = clean_batch() + [StoredGrading(submission(f"f{i}", {"quality": Status.FAILED}, measure=0.6))
                           for i in range(3)]
    assert threshold_cluster(far) == []


def test_unstable_outcomes_fire_on_two_gradings_of_one_notebook():
    copies = [StoredGrading(submission("ann"), "same-sha"),
              StoredGrading(submission("ben", {"model_layers": Status.TIMEOUT}), "same-sha")]
    (alarm,) = unstable_outcomes(clean_batch() + copies)
    assert alarm.check == "model_layers" and alarm.students == ["ann", "ben"] and "passed, timeout" in alarm.message
    regraded = StoredGrading(submission("cy"), "sha-cy", [submission("cy", {"quality": Status.FAILED}, 0.89)])
    assert [a.check for a in unstable_outcomes([regraded])] == ["quality"]


def _store(out: Path, results: list[SubmissionResult]) -> list[Job]:
    """Results stored as ``grade --out`` stores them, each for a small notebook file of its own."""
    store = ResultStore(out / ".state")
    jobs = []
    for result in results:
        notebook = out.parent / "inbox" / f"{result.student}.ipynb"
        notebook.parent.mkdir(parents=True, exist_ok=True)
        notebook.write_text(json.dumps({"student": result.student}))
        jobs.append(Job(notebook, result.student, result.assignment))
        store.save(jobs[-1], result_key(jobs[-1], True, None), result)
    store.save_batch([job.student for job in jobs], 30.0, 2)
    return jobs


def test_store_keeps_earlier_gradings_of_the_same_notebook(tmp_path):
    (job,) = _store(tmp_path / "out", [submission("ann")])
    store = ResultStore(tmp_path / "out" / ".state")
    store.save(job, result_key(job, True, None), submission("ann", {"quality": Status.FAILED}, 0.5))
    stored = store.grading("ann")
    assert stored.fingerprint == job.fingerprint() and stored.result.tests[3].status is Status.FAILED
    assert [r.tests[3].status for r in stored.earlier] == [Status.PASSED]
    job.path.write_text("changed")
    store.save(job, result_key(job, True, None), submission("ann"))
    assert store.grading("ann").earlier == []


def test_report_rebuilds_the_page_and_exports_with_overrides(tmp_path, capsys):
    out = tmp_path / "out"
    _store(out, [g.result for g in clean_batch()])
    overrides = tmp_path / "overrides.csv"
    overrides.write_text("student,check,points,comment\ns6,quality,2,presque\n")
    assert main(["report", str(out), "--overrides", str(overrides), "--json", str(tmp_path / "stats.json")]) == 0
    rows = {row["student"]: row for row in csv.DictReader((out / "gradebook.csv").open())}
    assert rows["s6"]["score"] == "6" and rows["s6"]["by_hand"] == "quality"
    data = json.loads((tmp_path / "stats.json").read_text())
    (assignment,) = data["stats"]["assignments"]
    totals = {row["student"]: row["score"] for row in assignment["students"]}
    assert totals == {student: float(row["score"]) for student, row in rows.items()}
    assert data["stats"]["wall_s"] == 30.0 and data["alarms"] == {"01_regression": []}
    page = (out / "index.html").read_text()
    assert 'href="s6/feedback.html"' in page and "data:image/png;base64," in page and "Aucune alarme" in page
    (out / "gradebook.csv").unlink()
    capsys.readouterr()
    assert main(["report", str(out), "--json"]) == 0  # the overrides the folder was built with, kept
    assert json.loads(capsys.readouterr().out)["stats"]["assignments"][0]["students"][6]["score"] == 6
    assert {row["student"]: row["score"] for row in csv.DictReader((out / "gradebook.csv").open())}["s6"] == "6"


def test_report_refuses_a_folder_without_stored_results(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "holds no stored results" in capsys.readouterr().err
