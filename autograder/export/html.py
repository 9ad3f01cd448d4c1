"""A feedback page per student, in French: every test's outcome and the student's own figures.

It never shows a check's code: results carry titles, messages and images only.
"""

from __future__ import annotations

from html import escape

from autograder.report import late_part, provisional_part
from autograder.results import Status, SubmissionResult, TestResult

LABELS = {
    Status.PASSED: ("réussi", "#1b7a3a"),
    Status.FAILED: ("échoué", "#b3261e"),
    Status.ERROR: ("erreur", "#b3261e"),
    Status.TIMEOUT: ("temps dépassé", "#a15c00"),
    Status.CRASHED: ("interrompu", "#a15c00"),
    Status.GRADER_ERROR: ("erreur du correcteur", "#6a1b9a"),
}
GRADED_BY = {"auto": "automatique", "provisional": "provisoire (à confirmer par l'enseignant)",
             "instructor": "fixé par l'enseignant"}
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; color: #222; }
table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 1px solid #ddd; padding: .4rem; }
.status { font-weight: bold; } pre { white-space: pre-wrap; background: #f6f6f6; padding: .5rem; margin: 0; }
img { max-width: 100%; border: 1px solid #ddd; } .notice { color: #a15c00; }
"""


def _row(test: TestResult) -> str:
    label, colour = LABELS[test.status]
    hidden = " <small>(test caché)</small>" if test.hidden else ""
    details = f"<pre>{escape(test.message)}</pre>" if test.message and not test.passed else ""
    if test.comment:
        details += f"<p><em>Commentaire de l'enseignant :</em> {escape(test.comment)}</p>"
    figures = "".join(f'<p><img alt="figure produite par votre code" src="data:image/png;base64,{png}"></p>'
                      for png in test.figures)
    return (f"<tr><td>{escape(test.task)}</td><td>{escape(test.title)}{hidden}{details}{figures}</td>"
            f'<td class="status" style="color:{colour}">{label}</td>'
            f"<td>{test.score:g}/{test.max_score:g}</td><td>{GRADED_BY.get(test.graded_by, test.graded_by)}</td></tr>")


def feedback_html(result: SubmissionResult) -> str:
    """A self-contained HTML page (images inline); the total says how many of its points are provisional."""
    provisional = provisional_part(*result.provisional_score())
    total = f", {escape(provisional)}" if provisional else ""
    notices = "".join(f'<p class="notice">{escape(n)}</p>' for n in result.notices)
    if late := late_part(result):
        notices = f'<p class="late" data-late-penalty="{result.late.points:g}">{escape(late)}</p>' + notices
    rows = "".join(_row(test) for test in result.tests)
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{escape(result.assignment)} — {escape(result.student)}</title>
<style>{STYLE}</style></head><body>
<h1>{escape(result.assignment)} — {escape(result.student)}</h1>
<p><strong>Note : {result.score:g} / {result.max_score:g}</strong>{total}</p>{notices}
<table><tr><th>Étape</th><th>Vérification</th><th>Résultat</th><th>Points</th><th>Notation</th></tr>{rows}</table>
</body></html>
"""
