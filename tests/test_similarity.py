"""``autograder similarity``: planted copies rank above independent work; the starter code never counts.

A batch of 09_mini_project notebooks is written from the released notebook (no grading): the reference
solution and two disguised copies of it (variables and arguments renamed, reformatted, commented, functions
and cells reversed); two ``valid_*`` examples' own code (written another way than the reference); a student
made of the second example's code with one function of the first pasted in, disguised; two written reports,
one of them with a paragraph of the other pasted in among its own; the mark scheme as a third, independent
text; two untouched notebooks. Every planted pair must rank above every independent pair, on both sides of
the threshold, with the shared function or paragraph as its best fragment.
"""

from __future__ import annotations

import ast
import hashlib
import itertools
import json
from pathlib import Path

import nbformat
import pytest

from autograder.cli import main
from autograder.distribution.bundle import INSTRUCTOR_ONLY, INSTRUCTOR_REQUIREMENTS
from autograder.export import similarity_section, write_batch_outputs
from autograder.results import StoredGrading, SubmissionResult
from autograder.similarity.batch import PAGE, Entry, batch_section, run
from autograder.similarity.compare import THRESHOLD
from autograder.similarity.page import similarity_page
from tests.submissions.disguise import (
    disguised,
    disguised_reference,
    independent,
    notebook,
    own_code,
    reference,
    valid_examples,
)
from tests.submissions.examples_09_mini_project import INCOMPLETE_REPORT
from tests.submissions.variants import _read_base

ASSIGNMENT = "09_mini_project"
COPIED_FUNCTION = "create_improved_model_2"
SCRIPT = "<script>alert('copie')</script>"
OWN_REPORT = {
    "documentation": """
## Introduction

L'entreprise veut lire automatiquement les chiffres manuscrits de ses formulaires. Mon objectif était de battre le
réseau convolutif de départ sans rendre l'apprentissage beaucoup plus long, en gardant une seule graine pour que les
essais restent comparables entre eux.

## Démarche

J'ai d'abord regardé les courbes du modèle de départ : la perte de validation remonte après quelques époques, signe
de sur-apprentissage. J'ai donc commencé par la régularisation, puis j'ai essayé d'élargir les couches de
convolution, et enfin j'ai ajouté de la normalisation par lots avant chaque activation.

## Résultats

Le réseau régularisé gagne quelques dixièmes de point, le réseau élargi presque rien pour un coût double, et la
normalisation par lots donne le meilleur score tout en convergeant en moins d'époques.
""",
    "analysis": """
## Analyse

Les erreurs restantes touchent surtout des chiffres écrits à la hâte, coupés ou très penchés. Le bruit gaussien
fait peu baisser la précision, les rotations beaucoup plus : le réseau n'a jamais vu d'images tournées pendant
l'apprentissage, une augmentation par rotations serait la prochaine étape à tester.
""",
}


def _report_paragraph() -> str:
    """The longest paragraph of the example report: the one pasted into the other report."""
    return max(INCOMPLETE_REPORT["analysis"].strip().split("\n\n"), key=len)


def _own_function(examples: dict[str, dict[str, str]], name: str) -> str:
    """The ``valid_functional_api`` example's own ``name`` function."""
    source = own_code(ASSIGNMENT, name, examples["valid_functional_api"][name])
    return next(ast.unparse(n) for n in ast.parse(source).body if getattr(n, "name", None) == name)


def write_batch(folder: Path) -> dict[str, Path]:
    """The batch's notebooks by student."""
    examples = valid_examples(ASSIGNMENT)
    alternative = {gid: own_code(ASSIGNMENT, gid, source)
                   for gid, source in examples["valid_alternative_functions"].items()}
    pasted = disguised(_own_function(examples, COPIED_FUNCTION), seed=11)
    alternative["evaluate_model"] += f"\n\n# {SCRIPT}\n{pasted}"  # pasted into another cell, and escaped on the page
    scheme = {c.metadata["nbgrader"]["grade_id"]: c.source for c in _read_base(ASSIGNMENT, "solution").cells
              if c.cell_type == "markdown" and c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    own_report = dict(OWN_REPORT)
    own_report["analysis"] += "\n" + _report_paragraph() + "\n"
    notebooks = {
        "reference": reference(ASSIGNMENT),
        "disguised": disguised_reference(ASSIGNMENT, 3),
        "disguised_again": disguised_reference(ASSIGNMENT, 4),
        "functional_api": independent(ASSIGNMENT, examples["valid_functional_api"]),
        "one_function_pasted": notebook(ASSIGNMENT, alternative),
        "report": notebook(ASSIGNMENT, INCOMPLETE_REPORT),
        "report_with_paragraph": notebook(ASSIGNMENT, own_report),
        "mark_scheme": notebook(ASSIGNMENT, scheme),
        "untouched": notebook(ASSIGNMENT, {}),
        "untouched_again": notebook(ASSIGNMENT, {}),
    }
    folder.mkdir(parents=True)
    paths = {}
    for student, content in notebooks.items():
        paths[student] = folder / f"{student}.ipynb"
        nbformat.write(content, paths[student])
    return paths


PLANTED = {frozenset(p) for p in [("reference", "disguised"), ("reference", "disguised_again"),
                                  ("disguised", "disguised_again"), ("functional_api", "one_function_pasted"),
                                  ("report", "report_with_paragraph")]}


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory):
    """The batch's folder, its notebooks and their comparison (``page_dir`` holds two students' feedback pages)."""
    root = tmp_path_factory.mktemp("similarity")
    paths = write_batch(root / "inbox")
    for student in ("reference", "one_function_pasted"):
        (root / student).mkdir()
        (root / student / "feedback.html").write_text("<html></html>", encoding="utf-8")
    outcome = run([Entry(student, path) for student, path in paths.items()], page_dir=root)
    return root, paths, outcome


def test_planted_pairs_rank_above_independent_ones(compared) -> None:
    _, paths, outcome = compared
    assert not outcome.skipped
    [comparison] = outcome.comparisons
    assert comparison.assignment == ASSIGNMENT
    scores = {frozenset((p.left.name, p.right.name)): p.score for p in comparison.pairs}
    every_pair = {frozenset(p) for p in itertools.combinations(paths, 2)}
    planted = [scores.get(pair, 0.0) for pair in PLANTED]
    independent_scores = {tuple(sorted(pair)): scores.get(pair, 0.0) for pair in every_pair - PLANTED}
    assert min(planted) >= THRESHOLD > max(independent_scores.values()), (planted, independent_scores)
    assert min(planted) > max(independent_scores.values())
    assert {frozenset((p.left.name, p.right.name)) for p in comparison.flagged} == PLANTED
    assert comparison.clusters == [["disguised", "disguised_again", "reference"]]


def test_the_shared_function_and_paragraph_are_the_best_fragments(compared) -> None:
    [comparison] = compared[2].comparisons
    pairs = {frozenset((p.left.name, p.right.name)): p for p in comparison.pairs}
    function = pairs[frozenset(("functional_api", "one_function_pasted"))].fragments[0]
    assert (function.left.label, function.right.label) == (COPIED_FUNCTION, COPIED_FUNCTION)
    assert function.left.kind == "code" and function.similarity == pytest.approx(1.0)
    text = pairs[frozenset(("report", "report_with_paragraph"))]
    assert text.fragments[0].left.kind == "text" and text.score == pytest.approx(1.0)
    assert text.fragments[0].left.code.strip() == _report_paragraph().strip()
    # the disguised copy: every function the reference wrote is found, whatever it was renamed to
    copy = pairs[frozenset(("reference", "disguised"))]
    assert copy.shares["code"] == pytest.approx(1.0)


def test_template_code_never_counts(compared) -> None:
    [comparison] = compared[2].comparisons
    by_name = {s.name: s for s in comparison.submissions}
    assert by_name["untouched"].scored == [] and by_name["untouched_again"].scored == []
    assert not [p for p in comparison.pairs if {"untouched", "untouched_again"} & {p.left.name, p.right.name}]


def test_page_escapes_code_and_links_feedback_pages(compared) -> None:
    outcome = compared[2]
    page = similarity_page(outcome.comparisons, outcome.skipped)
    assert SCRIPT not in page and "&lt;script&gt;" in page
    assert '<a href="reference/feedback.html">reference</a>' in page
    assert '<a href="one_function_pasted/feedback.html">one_function_pasted</a>' in page
    assert 'href="disguised/feedback.html"' not in page  # no feedback page there: no link
    assert "<mark>" in page and "ne change aucune" in page


def test_command_compares_with_earlier_sources(tmp_path: Path) -> None:
    inbox, archive = tmp_path / "inbox", tmp_path / "archive" / "2025"
    inbox.mkdir()
    archive.mkdir(parents=True)
    nbformat.write(notebook(ASSIGNMENT, {}), inbox / "alice.ipynb")
    nbformat.write(independent(ASSIGNMENT, valid_examples(ASSIGNMENT)["valid_alternative_functions"]),
                   inbox / "bob.ipynb")
    tree = ast.parse(own_code(ASSIGNMENT, "analyze_errors",
                              valid_examples(ASSIGNMENT)["valid_alternative_functions"]["analyze_errors"]))
    (archive / "found_online.py").write_text(disguised(ast.unparse(tree), seed=2), encoding="utf-8")
    page = tmp_path / "similarity.html"
    assert main(["similarity", str(inbox), "--against", str(tmp_path / "archive"), "--out", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert 'data-left="bob" data-right="archive/2025/found_online.py"' in text
    assert 'class="flagged"' in text and "alice" not in text.split('<table class="pairs">')[1]


def _section(page: str) -> str:
    """The class page's similarity section."""
    return page[page.index('<section class="similarity"'):page.index("</section>", page.index('id="similarity"'))]


def test_class_page_section_from_a_batch_and_no_score_changed(compared, tmp_path: Path, monkeypatch) -> None:
    _, paths, _ = compared
    gradings = []
    for student in ("reference", "disguised", "report", "untouched"):
        digest = hashlib.sha256(paths[student].read_bytes()).hexdigest()
        gradings.append(StoredGrading(SubmissionResult(str(paths[student]), ASSIGNMENT, student), digest))
    gradings.append(StoredGrading(SubmissionResult(str(tmp_path / "gone.ipynb"), ASSIGNMENT, "gone"), "0" * 64))
    before = [g.result.to_dict() for g in gradings]
    out = tmp_path / "graded"
    write_batch_outputs(gradings, out)  # what grade --out and report write
    section = _section((out / "index.html").read_text(encoding="utf-8"))
    assert 'id="similarity"' in section and f'href="{PAGE}#{ASSIGNMENT}-1"' in section
    assert 'data-left="reference" data-right="disguised"' in section and "gone (notebook introuvable" in section
    assert (out / PAGE).is_file() and [g.result.to_dict() for g in gradings] == before
    stored = json.loads((out / ".state" / "similarity.json").read_text(encoding="utf-8"))
    assert _section(stored["section"]) == section
    # the same files again (``report`` after new overrides): the stored comparison, not a new one
    monkeypatch.setattr("autograder.similarity.batch.run", lambda *a, **k: pytest.fail("compared again"))
    assert _section(batch_section(gradings, out)) == section
    # a grading machine's bundle has no similarity package: the class page has no such section
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *a: None)
    assert similarity_section(gradings, out) == ""


def test_instructor_only() -> None:
    assert "similarity" in INSTRUCTOR_ONLY and "copydetect" in INSTRUCTOR_REQUIREMENTS
