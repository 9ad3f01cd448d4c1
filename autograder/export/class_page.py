"""The instructor's class page (``index.html`` of a batch folder), in French, self-contained.

Score histograms are drawn with matplotlib and embedded as PNG (base64); each student's name
links to their feedback page. Feedback messages appear only as students already see them in
their own pages, anonymised; nothing of a check's code, and no hidden check's limit, is shown.
Scores that count provisional points (automatic estimates of criteria graded by hand) are starred,
with the shared French note (:data:`autograder.report.PROVISIONAL_STAR`). Each assignment's section opens
with a short summary and the students' table, then the histograms, the tasks, the checks' item analysis
(:mod:`autograder.class_report.items`) and every check's most frequent messages.
"""

from __future__ import annotations

import base64
import io
from html import escape

import numpy as np

from autograder.class_report import ClassReport
from autograder.class_report.alarms import Alarm
from autograder.class_report.items import ItemStats
from autograder.class_report.stats import AssignmentStats, CheckStats, ClassStats, ScoreSummary
from autograder.export.html import LABELS
from autograder.report import PROVISIONAL_STAR, provisional_part

#: Histogram bins at most, and the figure's size in inches and resolution (dots per inch).
MAX_BINS, FIGSIZE, DPI = 20, (4.2, 2.4), 80
STATUS_NAMES = {status.value: label for status, (label, _) in LABELS.items()}
RULE_NAMES = {"grader_errors": "Erreur du correcteur", "nearly_all_fail": "Échec presque général",
              "threshold_cluster": "Mesures juste sous le seuil", "unstable_outcomes": "Résultat instable",
              "negative_discrimination": "Discrimination négative"}
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; color: #222; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1rem; }
td, th { border-bottom: 1px solid #ddd; padding: .3rem .4rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.alarms { border: 2px solid #b3261e; background: #fdf0ef; padding: .5rem 1rem; }
.calm { border: 2px solid #1b7a3a; background: #eef8f0; padding: .5rem 1rem; }
.figures { display: flex; flex-wrap: wrap; gap: .5rem; } .figures img { border: 1px solid #ddd; }
pre.feedback { white-space: pre-wrap; background: #f6f6f6; padding: .3rem; margin: .2rem 0; font-size: .85rem; }
details { margin: .2rem 0; } .bar { background: #1b7a3a; height: .6rem; display: inline-block; }
.negative { color: #b3261e; font-weight: bold; }
.notice { border: 2px solid #8a6d00; background: #fff8e1; padding: .5rem 1rem; }
"""


def _points(value: float) -> str:
    return f"{value:g}"


def _starred(name: str, summary: ScoreSummary) -> str:
    """``name``, starred when ``summary``'s scores count provisional points."""
    return f"{name}*" if summary.provisional[1] else name


def histogram_png(summary: ScoreSummary, title: str) -> str:
    """The histogram of ``summary``'s scores (points, from 0 to the maximum) as base64 PNG."""
    from matplotlib.figure import Figure  # the command line starts without matplotlib (a student's ``check``)

    figure = Figure(figsize=FIGSIZE, dpi=DPI)
    figure.subplots_adjust(left=0.14, bottom=0.2, right=0.97, top=0.88)  # fixed margins: a layout engine costs more
    axes = figure.subplots()
    top = summary.max_score or 1.0
    if top <= MAX_BINS / 2:  # one bar per half point, centred on it
        edges = np.arange(-0.25, top + 0.5, 0.5)
    else:
        edges = np.linspace(0, top, MAX_BINS + 1)
    axes.hist(summary.scores, bins=edges, color="#3b6ea8", edgecolor="white")
    axes.axvline(summary.mean, color="#b3261e", linestyle="--", label=f"moyenne {summary.mean:.3g}")
    axes.set(title=title, xlabel="points", ylabel="soumissions", xlim=(edges[0], edges[-1]))
    axes.legend(fontsize="small")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode()


def _alarm(assignment: str, alarm: Alarm) -> str:
    students = ", ".join(escape(s) for s in alarm.students[:10]) + (" …" if len(alarm.students) > 10 else "")
    return (f'<li data-rule="{alarm.rule}" data-check="{escape(alarm.check)}"><strong>{RULE_NAMES[alarm.rule]}'
            f"</strong> — {escape(assignment)}, « {escape(alarm.title)} » (<code>{escape(alarm.check)}</code>) : "
            f"{escape(alarm.message)}<br><small>Soumissions : {students}</small></li>")


def _alarms(report: ClassReport) -> str:
    found = [_alarm(name, alarm) for name, alarms in report.alarms.items() for alarm in alarms]
    if not found:
        return ('<section class="calm" id="alarms"><h2>Alarmes du correcteur</h2><p>Aucune alarme : rien '
                "n'indique une erreur du correcteur.</p></section>")
    return (f'<section class="alarms" id="alarms"><h2>Alarmes du correcteur ({len(found)})</h2>'
            f"<p>À examiner avant de publier les notes.</p><ul>{''.join(found)}</ul></section>")


def _check(check: CheckStats) -> str:
    statuses = ", ".join(f"{STATUS_NAMES.get(s, s)} : {n}" for s, n in check.statuses.items()) or "—"
    groups = "".join(
        f"<details><summary>{group.count} × {escape(group.pattern[:160])}</summary>"
        + "".join(f'<pre class="feedback">{escape(text)}</pre>' for text in group.examples) + "</details>"
        for group in check.messages)
    hidden = " <small>(test caché)</small>" if check.hidden else ""
    apart = _apart(check.untouched, check.unreadable, check.not_attempted)
    apart = f'<br><small class="apart">Messages sans les soumissions comptées à part : {apart}</small>' if apart else ""
    return (f'<tr data-check="{escape(check.name)}"><td>{escape(check.task)}</td>'
            f"<td>{escape(check.title)}{hidden}<br><code>{escape(check.name)}</code>{groups}{apart}</td>"
            f'<td class="num" data-passed="{check.passed}" data-graded="{check.graded}">{check.passed}/{check.graded}'
            f'<br><span class="bar" style="width:{4 * check.pass_rate:.2f}rem"></span> {check.pass_rate:.0%}</td>'
            f"<td>{statuses}</td></tr>")


def _apart(untouched: int, unreadable: int, not_attempted: int, grader_errors: int = 0) -> str:
    """The submissions counted apart from a check's figures, in words ("" when none)."""
    counts = (("untouched", untouched, "notebook(s) non modifié(s)"), ("unreadable", unreadable, "illisible(s)"),
              ("not_attempted", not_attempted, "étape(s) non commencée(s)"),
              ("grader_errors", grader_errors, "erreur(s) du correcteur"))
    return " ; ".join(f'<span data-apart="{key}">{count}</span> {label}' for key, count, label in counts if count)


def _item(item: ItemStats) -> str:
    """One check's row of the item analysis table."""
    hidden = " <small>(test caché)</small>" if item.hidden else ""
    rate = (f"{item.passed}/{item.attempted} ({item.pass_rate:.0%})" if item.pass_rate is not None else "—")
    if item.discrimination is None:
        discrimination = "—"
    else:
        negative = ' class="negative"' if item.discrimination < 0 else ""
        discrimination = f"<span{negative}>{item.discrimination:+.2f}</span>"
    gap = (f"{item.median_gap:.1%} du seuil ({item.measured_failures} mesure(s))" if item.median_gap is not None
           else "—")
    return (f'<tr data-item="{escape(item.name)}" data-attempted="{item.attempted}" data-passed="{item.passed}" '
            f'data-discrimination="{"" if item.discrimination is None else f"{item.discrimination:.4f}"}">'
            f"<td>{escape(item.task)}</td><td>{escape(item.title)}{hidden}<br><code>{escape(item.name)}</code></td>"
            f'<td class="num">{rate}</td><td class="num">{discrimination}</td><td class="num">{gap}</td>'
            f"<td>{_apart(item.untouched, item.unreadable, item.not_attempted, item.grader_errors) or '—'}</td></tr>")


def _items(stats: AssignmentStats, items: list[ItemStats]) -> str:
    """The item analysis table of one assignment, in the assignment's order of checks."""
    if not items:
        return ""
    return f"""<h3>Analyse des vérifications (items)</h3>
<p><small>Calculée sur les soumissions qui ont traité l'étape : les notebooks non modifiés ou illisibles, les
étapes laissées telles que distribuées et les erreurs du correcteur sont comptés à part. Discrimination :
corrélation point-bisériale entre la réussite de la vérification et le reste de la note (le total moins les
points de cette vérification) ; proche de 0, la vérification ne sépare pas les meilleurs étudiants des plus
faibles ; négative, ce sont les plus faibles qui la réussissent. Écart au seuil : pour les vérifications à
seuil, médiane de l'écart relatif entre les mesures en échec et le seuil.</small></p>
<table class="items" data-assignment="{escape(stats.assignment)}"><tr><th>Étape</th><th>Vérification</th>
<th>Réussite (ont traité l'étape)</th><th>Discrimination</th><th>Écart des échecs au seuil</th>
<th>Comptés à part</th></tr>{"".join(_item(item) for item in items)}</table>"""


def _students(stats: AssignmentStats) -> str:
    """One row per student; a total that counts provisional points is starred, its title says how many."""
    tasks = list(stats.tasks)
    header = "".join(f"<th>{escape(_starred(t, stats.tasks[t]))}</th>" for t in tasks)
    rows = []
    for row in stats.students:
        cells = "".join(f'<td class="num" data-task="{escape(t)}">{_points(row.tasks[t]) if t in row.tasks else ""}'
                        "</td>" for t in tasks)
        flag = " <small>(illisible)</small>" if row.unreadable else ""
        provisional = provisional_part(*row.provisional)
        star = f'<span class="provisional" title="{escape(provisional)}">*</span>' if provisional else ""
        rows.append(f'<tr data-student="{escape(row.student)}"><td><a href="{escape(row.page)}">'
                    f"{escape(row.student)}</a>{flag}</td>{cells}"
                    f'<td class="num" data-total="{_points(row.score)}">{_points(row.score)}/{_points(row.max_score)}'
                    f'{star}</td><td class="num">{row.duration_s:.1f} s</td></tr>')
    return (f'<table class="students" data-assignment="{escape(stats.assignment)}"><tr><th>Étudiant</th>{header}'
            f"<th>Total</th><th>Durée</th></tr>{''.join(rows)}</table>")


def _assignment(stats: AssignmentStats, items: list[ItemStats]) -> str:
    figures = [histogram_png(stats.total, _starred(f"{stats.assignment} : note totale", stats.total))]
    figures += [histogram_png(summary, _starred(f"étape {task}", summary)) for task, summary in stats.tasks.items()]
    images = "".join(f'<img alt="histogramme des notes" src="data:image/png;base64,{png}">' for png in figures)
    unreadable = ", ".join(escape(s) for s in stats.unreadable) or "aucune"
    means = "".join(f"<tr><td>{escape(_starred(t, s))}</td><td class='num'>{s.mean:.3g} / {_points(s.max_score)}</td>"
                    f"<td class='num'>{s.median:g}</td><td class='num'>{len(s.scores)}</td></tr>"
                    for t, s in stats.tasks.items())
    checks = "".join(_check(check) for check in stats.checks)
    provisional = provisional_part(*stats.total.provisional)
    mean_note = f'<span data-provisional="total">, {escape(provisional)}</span>' if provisional else ""
    star_note = f'<li class="provisional">{escape(PROVISIONAL_STAR)}</li>' if provisional else ""
    return f"""<section class="assignment" data-assignment="{escape(stats.assignment)}">
<h2>{escape(stats.assignment)}</h2>
<ul><li>Soumissions : <strong data-count="submissions">{stats.submissions}</strong></li>
<li>Note moyenne : <strong data-mean="total">{stats.total.mean:.4g}</strong> / {_points(stats.total.max_score)}
(médiane {stats.total.median:g}){mean_note}</li>{star_note}
<li>Temps dépassé : <span data-count="timeouts">{stats.timeouts}</span> ; processus interrompu :
<span data-count="crashes">{stats.crashes}</span> ; falsification détectée :
<span data-count="tampering">{stats.tampering}</span> ; erreur du correcteur :
<span data-count="grader_errors">{stats.grader_errors}</span> (soumissions concernées)</li>
<li>Soumissions illisibles (<span data-count="unreadable">{len(stats.unreadable)}</span>) : {unreadable}</li>
<li>Temps de correction cumulé : {stats.grading_s:.1f} s</li></ul>
<h3>Étudiants</h3>
{_students(stats)}
<div class="figures">{images}</div>
<h3>Par étape</h3>
<table><tr><th>Étape</th><th>Moyenne</th><th>Médiane</th><th>Soumissions</th></tr>{means}</table>
{_items(stats, items)}
<h3>Vérifications, de la plus échouée à la plus réussie</h3>
<table class="checks"><tr><th>Étape</th><th>Vérification et messages les plus fréquents</th><th>Réussite</th>
<th>Échecs</th></tr>{checks}</table>
</section>"""


def _duration(stats: ClassStats) -> str:
    """How long the batch's gradings took: their own durations summed, and the last run's wall time when recorded
    (a resumed batch's last run may have graded little or nothing: it says so, with both figures)."""
    jobs = f" avec {stats.jobs} processus de correction" if stats.jobs else ""
    total = (f'somme des durées des {stats.submissions} corrections enregistrées : '
             f'<span data-duration="grading">{stats.grading_s:.1f} s</span>')
    if stats.wall_s is None:
        return f"durée de la correction non enregistrée ; {total}"
    wall = f'<span data-duration="wall">{stats.wall_s:.1f} s</span>'
    if stats.earlier_runs:
        return (f'<span data-duration="resumed">correction reprise</span> : la dernière exécution a duré {wall}{jobs}, '
                f"et au moins {stats.earlier_runs} des corrections viennent d'une exécution précédente ; {total}")
    return f"durée de la correction : {wall}{jobs} ; {total}"


def class_page(report: ClassReport, similarity: str = "") -> str:
    """The whole page: alarms first, then the batch, then one section per assignment, then ``similarity`` (the
    code similarity section, :mod:`autograder.similarity`, when given)."""
    stats = report.stats
    names = ", ".join(escape(a.assignment) for a in stats.assignments) or "aucun devoir"
    sections = "".join(_assignment(a, report.items.get(a.assignment, [])) for a in stats.assignments)
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Rapport de classe — {names}</title>
<style>{STYLE}</style></head><body>
<h1>Rapport de classe — {names}</h1>
{_alarms(report)}
<p><strong data-count="batch">{stats.submissions}</strong> soumissions ; {_duration(stats)}.
Chaque nom mène à la page de retour de l'étudiant.</p>
{sections}
{similarity}
</body></html>
"""
