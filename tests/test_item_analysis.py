"""Item analysis, the negative-discrimination alarm and the class page's layout, on constructed results.

The batch (:func:`batch`) is built so that one check, ``x_check``, is passed by the weaker students and
failed by the stronger ones, beside notebooks that must be counted apart: untouched, unreadable, with
``x_check``'s task left as released, and a grader error. No grading runs: the figures are computed by hand.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

from autograder.class_report import build_report
from autograder.class_report.alarms import negative_discrimination
from autograder.class_report.items import item_analysis
from autograder.class_report.stats import is_untouched, standings
from autograder.cli import main
from autograder.export.class_page import class_page
from autograder.grading.batch import ResultStore
from autograder.grading.tasks import result_key
from autograder.results import Status, StoredGrading, SubmissionResult
from autograder.results import TestResult as Outcome  # not collected by pytest
from autograder.submissions import Job

#: (check, task, points): ``x_check`` is a threshold check (measure ≥ :data:`LIMIT`) worth 2 points.
CHECKS = (("a1", "a", 1.0), ("a2", "a", 1.0), ("b1", "b", 1.0), ("b2", "b", 1.0), ("x_check", "x", 2.0))
LIMIT = 0.8
STUB = "Fonction pas encore complétée (NotImplementedError) : remplacez le « raise » par votre code."
MISSING = "La fonction `predict` est introuvable dans le notebook."
UNREADABLE = "Notebook illisible : JSON invalide."
#: Each grading's own duration (s): 28 gradings, 116 s in all, as in the issue's resumed batch.
DURATION = 116 / 28


def result(student: str, outcomes: dict[str, tuple[Status, str]], x_measure: float | None = None,
           notices: list[str] | None = None) -> SubmissionResult:
    """A result of the constructed assignment: ``outcomes`` gives each check's (status, message)."""
    tests = []
    for name, task, points in CHECKS:
        status, message = outcomes[name]
        tests.append(Outcome(name, f"titre {name}", task, points, points if status is Status.PASSED else 0.0,
                             name == "x_check", status, message, 0.1,
                             measure=x_measure if name == "x_check" else None,
                             limit=LIMIT if name == "x_check" and x_measure is not None else None))
    return SubmissionResult(f"/inbox/{student}.ipynb", "05_improving_networks", student, tests, notices or [],
                            DURATION)


def attempted(student: str, passing: set[str], x_measure: float | None = None,
              x: tuple[Status, str] | None = None) -> SubmissionResult:
    """A notebook worked on: ``passing`` pass, the others fail with an ordinary message (``x``: x_check's)."""
    outcomes = {name: (Status.PASSED, "") if name in passing else (Status.FAILED, "attendu 3, obtenu 4.")
                for name, _, _ in CHECKS}
    if x is not None:
        outcomes["x_check"] = x
    return result(student, outcomes, x_measure)


def batch() -> list[StoredGrading]:
    """20 students who attempted every task, and 8 notebooks counted apart from x_check's figures.

    * ``weak0..9`` pass x_check (measure 0.9) and 0 (``weak0..4``) or 1 (``weak5..9``: a1) of the other checks;
    * ``strong0..9`` fail x_check (measure 0.6 for ``strong0..4``, 0.72 for ``strong5..9``) and pass 3
      (``strong0..4``: all but b2) or 4 of the other checks;
    * ``untouched0..2``: every check fails for code not written; ``unreadable0..1``: unreadable notebooks;
    * ``skipped0..1`` left x_check's task as released and passed the rest; ``broken`` met a grader error on it.
    """
    others = {"a1", "a2", "b1", "b2"}
    results = [attempted(f"weak{i}", {"x_check"} | ({"a1"} if i >= 5 else set()), 0.9) for i in range(10)]
    results += [attempted(f"strong{i}", others - ({"b2"} if i < 5 else set()), 0.6 if i < 5 else 0.72)
                for i in range(10)]
    results += [result(f"untouched{i}", {name: (Status.ERROR, MISSING if name == "b2" else STUB)
                                         for name, _, _ in CHECKS}) for i in range(3)]
    results += [result(f"unreadable{i}", {name: (Status.ERROR, UNREADABLE) for name, _, _ in CHECKS},
                       notices=[UNREADABLE]) for i in range(2)]
    results += [attempted(f"skipped{i}", others, x=(Status.ERROR, STUB)) for i in range(2)]
    results.append(attempted("broken", others, x=(Status.GRADER_ERROR, "Erreur du correcteur, pas de votre code.")))
    return [StoredGrading(r, f"sha-{r.student}") for r in results]


#: By hand. x_check's attempts: the 20 weak and strong students. Rest of the score (total minus x_check's
#: points): weak 0 (×5) and 1 (×5), strong 3 (×5) and 4 (×5): mean 2, population variance 2.5. Passing x_check:
#: the weak, mean rest 0.5; failing: the strong, mean rest 3.5; p = q = 1/2. Point-biserial
#: r = (M1 - M0) / s * sqrt(p q) = -3 / sqrt(2.5) * 1/2 = -3 / sqrt(10).
X_DISCRIMINATION = -3 / math.sqrt(10)
#: Failing measures' relative distance to 0.8: 0.25 (×5, from 0.6) and 0.1 (×5, from 0.72): median 0.175.
X_GAP = 0.175


def test_untouched_unreadable_and_unattempted_tasks_are_told_apart():
    found = {g.result.student: g.result for g in batch()}
    assert is_untouched(found["untouched0"]) and not is_untouched(found["unreadable0"])
    assert not is_untouched(found["weak0"])  # fails every check but the one it passes, for ordinary reasons
    assert standings(found["skipped0"]) == {"a": "", "b": "", "x": "not_attempted"}
    assert set(standings(found["unreadable1"]).values()) == {"unreadable"}
    assert set(standings(found["untouched2"]).values()) == {"untouched"}


def test_item_analysis_by_hand():
    items = {item.name: item for item in item_analysis([g.result for g in batch()])}
    x = items["x_check"]
    assert (x.submissions, x.untouched, x.unreadable, x.not_attempted, x.grader_errors) == (28, 3, 2, 2, 1)
    assert (x.attempted, x.passed, x.pass_rate) == (20, 10, 0.5)
    assert x.discrimination == pytest.approx(X_DISCRIMINATION, abs=1e-4)
    assert (x.measured_failures, x.median_gap) == (10, pytest.approx(X_GAP))
    # a1: attempted by the 20, both skipped and broken (task a worked on): 23; passed by weak5..9, the strong,
    # skipped and broken: 18.
    a1 = items["a1"]
    assert (a1.attempted, a1.passed, a1.pass_rate) == (23, 18, round(18 / 23, 4))
    assert (a1.untouched, a1.unreadable, a1.not_attempted, a1.grader_errors) == (3, 2, 0, 0)
    assert a1.discrimination > 0 and a1.median_gap is None  # the stronger students pass it
    # b2: passed by strong5..9, skipped and broken only: the stronger students.
    assert items["b2"].pass_rate == round(8 / 23, 4) and items["b2"].discrimination > 0


def test_discrimination_is_scipys_point_biserial():
    stats = pytest.importorskip("scipy.stats")
    attempts = [g.result for g in batch() if g.result.student.startswith(("weak", "strong"))]
    passed = [r.tests[4].passed for r in attempts]
    rest = [r.score - r.tests[4].score for r in attempts]
    assert stats.pointbiserialr(passed, rest).statistic == pytest.approx(X_DISCRIMINATION)


def test_negative_discrimination_is_an_alarm_with_enough_students():
    gradings = batch()
    (alarm,) = negative_discrimination(gradings)
    assert alarm.check == "x_check" and "-0.95" in alarm.message and "20 soumissions" in alarm.message
    assert alarm.students[:5] == [f"strong{i}" for i in range(5, 10)]  # the strongest failing it first
    assert sorted(alarm.students) == sorted(f"strong{i}" for i in range(10))
    assert str(LIMIT) not in alarm.message  # a hidden check's limit is not stated
    report = build_report(gradings)
    assert {(a.rule, a.check) for a in report.alarms["05_improving_networks"]} == {
        ("negative_discrimination", "x_check"), ("grader_errors", "x_check")}
    left_out = {f"weak{i}" for i in range(6)} | {f"strong{i}" for i in range(5)}
    few = [g for g in gradings if g.result.student not in left_out]  # weak6..9 pass it, strong5..9 fail it: r = -1
    assert [item.discrimination for item in item_analysis([g.result for g in few]) if item.name == "x_check"] == [-1]
    assert negative_discrimination(few) == []  # 9 students attempted it: too few to tell


def test_messages_leave_untouched_and_unreadable_notebooks_apart():
    report = build_report(batch())
    checks = {c.name: c for c in report.stats.assignments[0].checks}
    x = checks["x_check"]
    assert (x.graded, x.passed) == (28, 10)  # the gradebook's view: every submission that ran it
    assert (x.untouched, x.unreadable, x.not_attempted) == (3, 2, 2)
    assert [(m.pattern, m.count) for m in x.messages] == [("attendu …, obtenu ….", 10),
                                                          ("Erreur du correcteur, pas de votre code.", 1)]
    b2 = checks["b2"]
    assert all("NotImplementedError" not in m.pattern and "introuvable" not in m.pattern for m in b2.messages)
    assert sum(m.count for m in b2.messages) == 15  # weak0..9 and strong0..4; not the 5 counted apart


def _store(out: Path, gradings: list[StoredGrading], wall_s: float) -> None:
    """Results stored as ``grade --out`` stores them, then the batch's record of its last run."""
    store = ResultStore(out / ".state")
    for grading in gradings:
        notebook = out.parent / "inbox" / f"{grading.result.student}.ipynb"
        notebook.parent.mkdir(parents=True, exist_ok=True)
        notebook.write_text(json.dumps({"student": grading.result.student}))
        job = Job(notebook, grading.result.student, grading.result.assignment)
        store.save(job, result_key(job, True, None), grading.result)
    store.save_batch([g.result.student for g in gradings], wall_s, 2)


def test_resumed_batch_page_and_item_analysis_export(tmp_path):
    """A batch resumed with everything already graded: its last run took 0.1 s, its gradings 116 s."""
    out = tmp_path / "out"
    _store(out, batch(), 0.1)
    assert main(["report", str(out)]) == 0
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'data-duration="resumed">correction reprise' in page
    assert 'data-duration="wall">0.1 s' in page and 'data-duration="grading">116.0 s' in page
    assert "au moins 28 des corrections viennent d'une exécution précédente" in page
    students, items, checks = (page.index(f'<table class="{name}"') for name in ("students", "items", "checks"))
    assert page.index('data-count="submissions"') < students < page.index('class="figures"') < items < checks
    row = page[page.index('<tr data-item="x_check"'):]
    row = row[:row.index("</tr>")]
    assert 'data-attempted="20" data-passed="10"' in row and "10/20 (50%)" in row
    assert '<span class="negative">-0.95</span>' in row and "17.5% du seuil (10 mesure(s))" in row
    assert '<span data-apart="untouched">3</span> notebook(s) non modifié(s)' in row
    assert "Discrimination négative" in page and '<html lang="fr">' in page
    rows = {r["check"]: r for r in csv.DictReader((out / "item-analysis.csv").open(encoding="utf-8"))}
    x = rows["x_check"]
    assert (x["assignment"], x["attempted"], x["passed"], x["pass_rate"]) == ("05_improving_networks", "20", "10",
                                                                                "0.5")
    assert (x["untouched"], x["unreadable"], x["not_attempted"], x["grader_errors"]) == ("3", "2", "2", "1")
    assert float(x["discrimination"]) == pytest.approx(X_DISCRIMINATION, abs=1e-4)
    assert float(x["median_gap"]) == pytest.approx(X_GAP) and x["hidden"] == "yes"
    assert rows["a1"]["median_gap"] == "" and rows["a1"]["pass_rate"] == str(round(18 / 23, 4))


def test_a_fresh_batch_shows_its_wall_time_and_the_sum():
    page = class_page(build_report(batch()[:3], wall_s=30.0, jobs=2))
    assert 'durée de la correction : <span data-duration="wall">30.0 s</span> avec 2 processus' in page
    assert 'data-duration="grading">12.4 s' in page and "correction reprise" not in page
    assert "durée de la correction non enregistrée" in class_page(build_report(batch()[:3]))
