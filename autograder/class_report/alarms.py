"""Grader alarms: what an instructor looks at before publishing grades.

Each alarm is one function of one assignment's gradings (results after overrides, with the
notebook's fingerprint and its earlier gradings) returning :class:`Alarm` entries, in French.
Submissions that could not be read are left out of every rule (they fail every check for their
own reason). No alarm states a hidden check's limit or expected value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from autograder.class_report.items import item_analysis
from autograder.class_report.stats import check_outcomes, is_unreadable
from autograder.results import Status, StoredGrading, SubmissionResult, TestResult

#: Fewest readable submissions that ran a check before :func:`nearly_all_fail` judges it.
MIN_SUBMISSIONS = 5
#: :func:`nearly_all_fail`: share of submissions failing the check, and share of their other checks they pass.
FAIL_SHARE, OTHERS_PASS_SHARE = 0.9, 0.75
#: :func:`threshold_cluster`: "just under" is within this share of the limit (at least the absolute margin).
NEAR_SHARE, NEAR_ABSOLUTE = 0.05, 0.01
#: :func:`threshold_cluster`: fewest near misses, and their least share of the measured submissions.
NEAR_MIN_COUNT, NEAR_MIN_SHARE = 3, 0.2
#: :func:`negative_discrimination`: fewest submissions attempting the check, fewest of them passing it and failing
#: it, and the discrimination (point-biserial correlation) at or below which it fires.
DISCRIMINATION_MIN_ATTEMPTED, DISCRIMINATION_MIN_EACH, NEGATIVE_DISCRIMINATION = 10, 3, -0.3


@dataclass
class Alarm:
    """One alarm: its rule (the function's name), the check concerned, and what was seen, in French."""

    rule: str
    check: str
    title: str
    message: str
    students: list[str]


def _readable(gradings: list[StoredGrading]) -> list[SubmissionResult]:
    return [g.result for g in gradings if not is_unreadable(g.result)]


def _by_check(results: list[SubmissionResult]) -> dict[str, list[tuple[TestResult, SubmissionResult]]]:
    checks: dict[str, list[tuple[TestResult, SubmissionResult]]] = {}
    for result in results:
        for test in result.tests:
            checks.setdefault(test.name, []).append((test, result))
    return checks


def nearly_all_fail(gradings: list[StoredGrading]) -> list[Alarm]:
    """A check that nearly every student fails while their other checks pass.

    Fires when at least :data:`MIN_SUBMISSIONS` readable submissions ran the check, at least
    :data:`FAIL_SHARE` of them fail it, and those failing it pass on average at least
    :data:`OTHERS_PASS_SHARE` of their other checks: the check (or its limit) is likelier wrong
    than the class. Outcomes where the grader itself broke are :func:`grader_errors`' alarm, not this one.
    """
    alarms = []
    for name, every in _by_check(_readable(gradings)).items():
        outcomes = [(t, r) for t, r in every if t.status is not Status.GRADER_ERROR]
        failing = [(t, r) for t, r in outcomes if not t.passed]
        if len(outcomes) < MIN_SUBMISSIONS or len(failing) < FAIL_SHARE * len(outcomes):
            continue
        shares = []
        for test, result in failing:
            others = [t for t in result.tests if t is not test]
            if others:
                shares.append(sum(t.passed for t in others) / len(others))
        others_pass = sum(shares) / len(shares) if shares else 0.0
        if others_pass >= OTHERS_PASS_SHARE:
            alarms.append(Alarm("nearly_all_fail", name, failing[0][0].title,
                                f"échoue pour {len(failing)} soumissions sur {len(outcomes)}, qui réussissent "
                                f"pourtant {others_pass:.0%} de leurs autres vérifications : le test ou son seuil "
                                f"est peut-être faux.", [r.student for _, r in failing]))
    return alarms


def grader_errors(gradings: list[StoredGrading]) -> list[Alarm]:
    """A check that fails with an error of the grader rather than of the student's code.

    Fires for every check with at least one ``grader_error`` outcome (the test itself broke, or
    did not run): those points are not the student's to lose.
    """
    alarms = []
    for name, outcomes in _by_check([g.result for g in gradings]).items():
        broken = [r.student for t, r in outcomes if t.status is Status.GRADER_ERROR]
        if broken:
            alarms.append(Alarm("grader_errors", name, outcomes[0][0].title,
                                f"erreur du correcteur (pas du code de l'étudiant) pour {len(broken)} "
                                f"soumission(s) sur {len(outcomes)} : corrigez le test puis recorrigez-les.",
                                broken))
    return alarms


def near_limit(test: TestResult) -> bool:
    """A failed threshold check whose measure lies within the margin of its limit.

    The margin is :data:`NEAR_SHARE` of the limit's magnitude, and at least :data:`NEAR_ABSOLUTE`.
    """
    if test.passed or test.measure is None or test.limit is None or test.measure != test.measure:
        return False
    return abs(test.measure - test.limit) <= max(NEAR_SHARE * abs(test.limit), NEAR_ABSOLUTE)


def threshold_cluster(gradings: list[StoredGrading]) -> list[Alarm]:
    """A threshold check whose measured values cluster just under its limit.

    Fires when at least :data:`NEAR_MIN_COUNT` submissions, and at least :data:`NEAR_MIN_SHARE`
    of those with a measure, fail the check within the margin of :func:`near_limit`: the limit
    may be too tight for the grader's training budget (or its calibration is out of date).
    """
    alarms = []
    for name, outcomes in _by_check(_readable(gradings)).items():
        measured = [(t, r) for t, r in outcomes if t.measure is not None and t.limit is not None]
        near = [r.student for t, r in measured if near_limit(t)]
        if len(near) >= NEAR_MIN_COUNT and len(near) >= NEAR_MIN_SHARE * len(measured):
            alarms.append(Alarm("threshold_cluster", name, measured[0][0].title,
                                f"{len(near)} des {len(measured)} valeurs mesurées échouent de peu (à moins de "
                                f"{NEAR_SHARE:.0%} de la limite) : le seuil est peut-être trop strict pour le "
                                f"budget d'entraînement du correcteur.", near))
    return alarms


def _automatic(result: SubmissionResult) -> dict[str, Status]:
    """Each check's automatic outcome (checks set by an instructor are left out)."""
    return {t.name: t.status for t in result.tests if t.graded_by != "instructor"}


def unstable_outcomes(gradings: list[StoredGrading]) -> list[Alarm]:
    """A check whose outcome differs between two gradings of the same notebook.

    Two gradings of the same notebook are results with the same fingerprint (the notebook's
    SHA-256 and the selection of checks): identical files submitted by several students, and a
    notebook's earlier gradings kept by the store (``grade --no-resume`` on the same ``--out``).
    Fires for every check whose automatic outcome (status) is not the same in all of them: the
    grader is not deterministic (seeds, time limits, load).
    """
    groups: dict[str, list[tuple[str, SubmissionResult]]] = {}
    for grading in gradings:
        if grading.fingerprint:
            groups.setdefault(grading.fingerprint, []).extend(
                (grading.result.student, result) for result in [grading.result, *grading.earlier])
    differing: dict[str, tuple[str, set[str], set[str]]] = {}
    for copies in groups.values():
        outcomes = [(student, _automatic(result)) for student, result in copies]
        for name in set().union(*(o for _, o in outcomes)):
            seen = {o[name].value for _, o in outcomes if name in o}
            if len(seen) > 1:
                title = next(t.title for _, r in copies for t in r.tests if t.name == name)
                _, statuses, students = differing.setdefault(name, (title, set(), set()))
                statuses.update(seen)
                students.update(student for student, _ in copies)
    return [Alarm("unstable_outcomes", name, title,
                  f"résultat différent entre deux corrections du même notebook ({', '.join(sorted(statuses))}) : "
                  f"le correcteur n'est pas déterministe.", sorted(students))
            for name, (title, statuses, students) in sorted(differing.items())]


def negative_discrimination(gradings: list[StoredGrading]) -> list[Alarm]:
    """A check that the weaker students pass and the stronger ones fail.

    Fires when at least :data:`DISCRIMINATION_MIN_ATTEMPTED` submissions attempted the check's task
    (:mod:`autograder.class_report.items`: unreadable and untouched notebooks, tasks left as released and grader
    errors left out), at least :data:`DISCRIMINATION_MIN_EACH` of them pass it and as many fail it, and the
    point-biserial correlation of passing it with the rest of the score is at most
    :data:`NEGATIVE_DISCRIMINATION`: the check likely rewards a wrong answer or rejects a right one (an answer
    key swapped, a comparison reversed, a limit on the wrong side). The students named are those failing it,
    the strongest first.
    """
    results = [g.result for g in gradings]
    alarms = []
    for item in item_analysis(results):
        failed = item.attempted - item.passed
        if (item.discrimination is None or item.discrimination > NEGATIVE_DISCRIMINATION
                or item.attempted < DISCRIMINATION_MIN_ATTEMPTED
                or min(item.passed, failed) < DISCRIMINATION_MIN_EACH):
            continue
        failing = [(r.score - t.score, r.student) for t, r, standing in check_outcomes(results)[item.name]
                   if not standing and not t.passed and t.status is not Status.GRADER_ERROR]
        alarms.append(Alarm("negative_discrimination", item.name, item.title,
                            f"les soumissions qui réussissent cette vérification ont moins de points ailleurs que "
                            f"celles qui l'échouent (corrélation point-bisériale {item.discrimination:.2f} sur "
                            f"{item.attempted} soumissions ayant traité l'étape, {item.passed} réussites) : le test "
                            f"récompense peut-être une mauvaise réponse ou refuse une bonne (clé de réponse, "
                            f"comparaison inversée, seuil du mauvais côté). Les meilleures soumissions qui "
                            f"l'échouent sont nommées en premier.",
                            [student for _, student in sorted(failing, key=lambda f: (-f[0], f[1]))]))
    return alarms


RULES: tuple[Callable[[list[StoredGrading]], list[Alarm]], ...] = (
    grader_errors, nearly_all_fail, threshold_cluster, unstable_outcomes, negative_discrimination)


def alarms(gradings: list[StoredGrading]) -> list[Alarm]:
    """Every alarm of one assignment's gradings, rule by rule."""
    return [alarm for rule in RULES for alarm in rule(gradings)]
