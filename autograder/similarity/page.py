"""The instructor's similarity page (``similarity.html``) and its section of the class page, in French.

Pairs are ranked by score; each flagged pair (and the first pairs below the threshold) shows its shared
fragments side by side, both students' code or text escaped, the shared parts marked by copydetect's
``highlight_overlap``. Each name links to the student's feedback page when the page has one beside it.
Nothing here accuses: the page says that a score is a lead to read, and it changes no grade.
"""

from __future__ import annotations

import bisect
from html import escape

import numpy as np

from autograder.similarity.compare import Comparison, Fragment, Pair, Submission
from autograder.similarity.units import WORD, Unit

#: Pairs listed per assignment, and pairs shown in detail (the first ones: flagged pairs come first).
LISTED, DETAILED = 300, 40
#: Flagged pairs listed per assignment in the class page's section.
IN_CLASS_PAGE = 10
NOTICE = ("Réservé aux enseignants. Une similarité élevée est une piste à lire, pas une preuve : des réponses "
          "courtes ou imposées par l'énoncé se ressemblent, et un travail en groupe autorisé aussi. Cette page "
          "n'apparaît dans aucun retour aux étudiants, n'est livrée dans aucun paquet étudiant et ne change aucune "
          "note.")
METHOD = ("Seul le travail de l'étudiant est comparé : le code et le texte du notebook distribué (squelettes, "
          "cellules fournies, docstrings, consignes) sont retirés, ainsi que ce que plus de 10 % de la promotion "
          "écrit à l'identique. Le code est analysé (nbformat, ast) puis comparé fonction par fonction et cellule "
          "par cellule, par empreintes (winnowing de copydetect) : renommer les variables, changer les "
          "commentaires, la mise en forme ou l'ordre des fonctions et des cellules n'y change rien. Les réponses "
          "rédigées sont comparées paragraphe par paragraphe, comme texte. La similarité d'une paire est la part "
          "d'une fonction, d'une cellule ou d'un paragraphe retrouvée chez l'autre (le plus fort de ses passages).")
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 90rem; margin: 2rem auto; color: #222; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1rem; }
td, th { border-bottom: 1px solid #ddd; padding: .3rem .4rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.notice { border: 2px solid #8a6d00; background: #fff8e1; padding: .5rem 1rem; }
table.side td { width: 50%; } pre { white-space: pre-wrap; background: #f6f6f6; padding: .3rem; font-size: .8rem; }
mark { background: #ffd54f; } tr.flagged td.num { font-weight: bold; color: #b3261e; }
.external { font-style: italic; }
"""


def _percent(value: float) -> str:
    return f"{100 * value:.0f} %"


def name_html(submission: Submission) -> str:
    """The submission's name, linked to its feedback page when it has one; an external source says so."""
    if submission.external:
        return f'<span class="external" title="source externe">{escape(submission.name)}</span>'
    if submission.page:
        return f'<a href="{escape(submission.page)}">{escape(submission.name)}</a>'
    return escape(submission.name)


def _text_slices(unit: Unit, slices: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """Slices of a paragraph's normalised words mapped back onto the paragraph as written."""
    words = list(WORD.finditer(unit.code))
    starts, position = [], 0
    for word in words:
        starts.append(position)
        position += len(word.group()) + 1
    mapped = []
    for start, end in slices:
        first = max(0, bisect.bisect_right(starts, start) - 1)
        last = max(0, bisect.bisect_right(starts, max(start, end - 1)) - 1)
        mapped.append((words[first].start(), words[last].end()))
    return tuple(mapped)


def highlighted(unit: Unit, slices: tuple[tuple[int, int], ...]) -> str:
    """The unit's code or paragraph, escaped, its shared parts in ``<mark>`` (copydetect's ``highlight_overlap``)."""
    from copydetect.utils import highlight_overlap

    if unit.kind == "text":
        slices = _text_slices(unit, slices)
    if not slices:
        return escape(unit.code)
    text, _ = highlight_overlap(unit.code, np.array(slices).T, "<mark>", "</mark>", escape_html=True)
    return text


def _fragment(pair: Pair, fragment: Fragment) -> str:
    kind = "code" if fragment.left.kind == "code" else "texte"
    sides = [(pair.left, fragment.left, fragment.left_slices), (pair.right, fragment.right, fragment.right_slices)]
    heads = "".join(f"<th>{name_html(s)} — {escape(u.label)}</th>" for s, u, _ in sides)
    cells = "".join(f"<td><pre>{highlighted(u, slices)}</pre><details><summary>cellule telle qu'écrite</summary>"
                    f"<pre>{escape(u.original)}</pre></details></td>" for _, u, slices in sides)
    return (f'<h4 data-similarity="{fragment.similarity:.3f}">{kind} : {_percent(fragment.similarity)} en commun</h4>'
            f'<table class="side"><tr>{heads}</tr><tr>{cells}</tr></table>')


def pair_id(comparison: Comparison, rank: int) -> str:
    return f"{comparison.assignment}-{rank}"


def _row(comparison: Comparison, rank: int, pair: Pair, href: str = "") -> str:
    best = pair.fragments[0] if pair.fragments else None
    where = f"{escape(best.left.label)} / {escape(best.right.label)}" if best else "—"
    flagged = pair.score >= comparison.threshold
    return (f'<tr class="{"flagged" if flagged else ""}" data-left="{escape(pair.left.name)}" '
            f'data-right="{escape(pair.right.name)}" data-score="{pair.score:.3f}">'
            f'<td><a href="{href}#{pair_id(comparison, rank)}">{rank}</a></td><td>{name_html(pair.left)}</td>'
            f'<td>{name_html(pair.right)}</td><td class="num">{_percent(pair.score)}</td>'
            f'<td class="num">{_percent(pair.shares["code"])}</td><td class="num">{_percent(pair.shares["text"])}</td>'
            f"<td>{where}</td></tr>")


HEADER = ("<tr><th>#</th><th>Soumission</th><th>Soumission</th><th>Similarité</th><th>Empreintes de code communes"
          "</th><th>Empreintes de texte communes</th><th>Passage le plus proche</th></tr>")


def _clusters(comparison: Comparison) -> str:
    if not comparison.clusters:
        return ""
    by_name = {s.name: s for s in comparison.submissions}
    items = "".join(f"<li>{len(group)} soumissions : {', '.join(name_html(by_name[n]) for n in group)}</li>"
                    for group in comparison.clusters)
    return f'<h3>Groupes de trois soumissions ou plus</h3><ul class="clusters">{items}</ul>'


def _assignment(comparison: Comparison) -> str:
    flagged = comparison.flagged
    listed = comparison.pairs[:LISTED]
    rows = "".join(_row(comparison, rank, pair) for rank, pair in enumerate(listed, 1))
    unlisted = (f"<p>… et {len(comparison.pairs) - LISTED} autres paires, dont {max(0, len(flagged) - LISTED)} "
                f"au-dessus du seuil (voir les groupes).</p>" if len(comparison.pairs) > LISTED else "")
    shown = listed[:DETAILED]
    details = "".join(
        f'<section class="pair" id="{pair_id(comparison, rank)}"><h3>{rank}. {name_html(pair.left)} et '
        f"{name_html(pair.right)} : {_percent(pair.score)}</h3>"
        + "".join(_fragment(pair, fragment) for fragment in pair.fragments) + "</section>"
        for rank, pair in enumerate(shown, 1) if pair.fragments)
    batch = [s for s in comparison.submissions if not s.external]
    external = len(comparison.submissions) - len(batch)
    return f"""<section class="assignment" data-assignment="{escape(comparison.assignment)}">
<h2>{escape(comparison.assignment)}</h2>
<ul><li>Soumissions comparées : <strong data-count="submissions">{len(batch)}</strong>
{f" ; sources externes : <span data-count='external'>{external}</span>" if external else ""}</li>
<li>Paires au-dessus du seuil ({_percent(comparison.threshold)}) : <strong data-count="flagged">{len(flagged)}</strong>
sur {len(batch) * (len(batch) - 1) // 2 + len(batch) * external} comparées</li>
<li>Empreintes communes à plus de 10 % de la promotion, ignorées : {comparison.common}</li>
<li>Durée de la comparaison : {comparison.seconds:.1f} s</li></ul>
{_clusters(comparison)}
<h3>Paires, de la plus semblable à la moins semblable</h3>
<table class="pairs">{HEADER}{rows}</table>{unlisted}
<p>Passages communs des {len(shown)} premières paires :</p>
{details}
</section>"""


def _skipped(skipped: list[tuple[str, str]]) -> str:
    if not skipped:
        return ""
    items = "".join(f"<li>{escape(name)} : {escape(why)}</li>" for name, why in skipped)
    return f'<h2>Non comparées ({len(skipped)})</h2><ul class="skipped">{items}</ul>'


def similarity_page(comparisons: list[Comparison], skipped: list[tuple[str, str]]) -> str:
    """The whole page: the notice, the method, then one section per assignment."""
    names = ", ".join(escape(c.assignment) for c in comparisons) or "aucun devoir"
    sections = "".join(_assignment(c) for c in comparisons) or "<p>Aucune soumission à comparer.</p>"
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Similarité des soumissions — {names}</title>
<style>{STYLE}</style></head><body>
<h1>Similarité des soumissions — {names}</h1>
<p class="notice">{NOTICE}</p>
<p>{METHOD}</p>
{sections}
{_skipped(skipped)}
</body></html>
"""


def class_section(comparisons: list[Comparison], skipped: list[tuple[str, str]], href: str) -> str:
    """The class page's section: each assignment's flagged pairs and clusters, linking to the full page."""
    parts = []
    for comparison in comparisons:
        flagged = comparison.flagged[:IN_CLASS_PAGE]
        rows = "".join(_row(comparison, rank, pair, href) for rank, pair in enumerate(flagged, 1))
        table = f'<table class="pairs">{HEADER}{rows}</table>' if rows else "<p>Aucune paire au-dessus du seuil.</p>"
        more = len(comparison.flagged) - len(flagged)
        parts.append(f'<div data-assignment="{escape(comparison.assignment)}"><h3>{escape(comparison.assignment)} : '
                     f'<span data-count="flagged">{len(comparison.flagged)}</span> paire(s) au-dessus du seuil '
                     f"({_percent(comparison.threshold)})</h3>{table}"
                     f"{f'<p>… et {more} autres.</p>' if more > 0 else ''}{_clusters(comparison)}</div>")
    missing = (f"<p>Non comparées ({len(skipped)}) : " + ", ".join(escape(f"{n} ({why})") for n, why in skipped[:20])
               + (" …" if len(skipped) > 20 else "") + "</p>") if skipped else ""
    return (f'<section class="similarity" id="similarity"><h2>Similarité du code et des textes</h2>'
            f'<p class="notice">{NOTICE} Détail des passages communs, côte à côte : <a href="{escape(href)}">'
            f"{escape(href)}</a>.</p>{''.join(parts)}{missing}</section>")
