"""Two sections of the class page (``index.html``), in French: the hand-ins, and the grades a regrading changed.

* "Remises et retards": every student of the batch with their roster columns, what arrived (``remis``,
  ``aucun notebook``, ``aucune remise``), when, the late penalty and the score before and after it;
* "Dernières notes modifiées": :mod:`autograder.regrade`'s latest change set, per student and check, old -> new
  points and the reason.

They are added to the page the class report wrote (:func:`add_sections`), before its end.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from autograder.export.files import write_atomically
from autograder.intake import MISSING, NO_NOTEBOOK, TO_ATTRIBUTE, Arrival
from autograder.regrade import LATE, REASONS_FR, ChangeSet
from autograder.results import SubmissionResult
from autograder.submission_times import SOURCES


def _when(arrival: Arrival | None) -> str:
    if arrival is not None and arrival.time_source == "ambiguous":
        return f"<small>{escape(SOURCES['ambiguous'])}</small>"
    if arrival is None or not arrival.submitted_at:
        return "—"
    at = arrival.submitted_at.replace("T", " ")[:16]
    return f"{escape(at)} <small>({escape(SOURCES.get(arrival.time_source, arrival.time_source))})</small>"


def intake_section(results: list[SubmissionResult], arrivals: dict[str, Arrival]) -> str:
    """The hand-ins table; "" when the batch has no intake record (no roster, no policy, no LMS layout)."""
    if not arrivals:
        return ""
    rows, counts = [], {"remis": 0, NO_NOTEBOOK: 0, MISSING: 0, "late": 0}
    for result in results:
        arrival = arrivals.get(result.student)
        status = arrival.status if arrival else "remis"
        counts[status] = counts.get(status, 0) + 1
        late = result.late
        counts["late"] += bool(late and late.points)
        sent = ", ".join(arrival.files) if arrival and arrival.files else ""
        who = result.identity.get("name") or result.student
        number = result.identity.get("student_id", "")
        enrolled = "" if arrival is None or arrival.enrolled is not False else " <small>(hors liste)</small>"
        if arrival is not None and arrival.ambiguous and arrival.status != TO_ATTRIBUTE:
            enrolled = f" <small>(à attribuer : peut-être {escape(arrival.ambiguous)})</small>"
        elif arrival is not None and arrival.status == TO_ATTRIBUTE:
            sent = f"remises possibles : {arrival.ambiguous}"
        rows.append(
            f'<tr data-intake="{escape(result.student)}" data-status="{escape(status)}" '
            f'data-late-penalty="{late.points if late else 0:g}"><td>{escape(who)}{enrolled}</td>'
            f"<td>{escape(number)}</td><td>{escape(result.identity.get('group', ''))}</td>"
            f"<td>{escape(status)}<br><small>{escape(sent)}</small></td><td>{_when(arrival)}</td>"
            f"<td>{escape(late.note) if late else ''}</td>"
            f'<td class="num">{result.score:g}</td><td class="num" data-final="{result.final_score:g}">'
            f"{result.final_score:g}/{result.max_score:g}</td></tr>")
    summary = (f"{counts['remis']} remis, {counts[NO_NOTEBOOK]} sans notebook, {counts[MISSING]} sans remise, "
               f"{counts['late']} pénalisé(s) pour retard")
    return (f'<section id="intake"><h2>Remises et retards</h2><p data-count="intake">{escape(summary)}.</p>'
            "<table><tr><th>Étudiant</th><th>Numéro</th><th>Groupe</th><th>Remise</th><th>Heure de remise</th>"
            "<th>Retard</th><th>Note brute</th><th>Note finale</th></tr>" + "".join(rows) + "</table></section>")


def _points(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def changes_section(changes: ChangeSet | None) -> str:
    """A change set's grades ("" when there is none)."""
    if changes is None or not changes.changes:
        return ""
    rows = "".join(
        f'<tr data-change="{escape(c.student)}" data-check="{escape(c.check)}" data-reason="{c.reason}">'
        f"<td>{escape(c.student)}</td><td>{escape(c.title if c.check == LATE else c.check)}</td>"
        f'<td class="num">{_points(c.old)}</td><td class="num">{_points(c.new)}</td>'
        f"<td>{escape(REASONS_FR[c.reason])}{' (' + escape(c.detail) + ')' if c.detail else ''}</td></tr>"
        for c in changes.changes)
    return (f'<section id="changes"><h2>Dernières notes modifiées</h2><p>Le {escape(changes.at)}, par rapport à '
            f"l'export d'avant : {len(changes.students())} étudiant(s), {len(changes.changes)} vérification(s) ; les "
            "résultats remplacés sont conservés dans <code>.state/</code>.</p><table><tr><th>Étudiant</th>"
            f"<th>Vérification</th><th>Avant</th><th>Après</th><th>Raison</th></tr>{rows}</table></section>")


def add_sections(page: Path, *sections: str) -> None:
    """Add ``sections`` to the class page, before its end (nothing when they are all empty)."""
    extra = "".join(sections)
    if not extra:
        return
    html = page.read_text(encoding="utf-8")
    at = html.rfind("</body>")
    write_atomically(page, html[:at] + extra + "\n" + html[at:] if at >= 0 else html + extra)
