"""Public tests of 09_mini_project: students run these with ``autograder check``.

The report's checks follow one rule: a missing section costs ``documentation_sections`` only
(the check that names it); the checks of the report's content judge the sections that are
there, and fail for a missing section only when none of the sections they judge is there.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from a09_mini_project import probes
from a09_mini_project.builders import described
from a09_mini_project.inputs import COMPARE_RESULTS, compare_results, synthetic_digits
from autograder.checks.content import Content, figure_count, read_sections, sections_to_judge
from autograder.checks.expect import expect_close, expect_equal, expect_keys, expect_true, fail
from autograder.checks.inspection import expect_written, function_definitions, lint_student_cells, word_count
from autograder.checks.keras_model import expect_layers
from autograder.grader import graded
from autograder.grading.spec import Failure

DEFAULT_EPOCHS = 5  # evaluate_model's default epochs
#: Functions whose code and docstrings the code-quality checks read.
REQUIRED_FUNCTIONS = (*probes.BUILDERS, "evaluate_model", "analyze_errors", "add_gaussian_noise", "rotate_randomly",
                      "test_robustness", "compare_models")

#: The report's sections, in the course's order; the first four are graded under "documentation",
#: the last three under "analysis".
DOCUMENTATION_SECTIONS = ("Introduction", "Modèle de référence", "Améliorations proposées", "Résultats comparatifs")
ANALYSIS_SECTIONS = ("Analyse des erreurs", "Test de robustesse", "Conclusion")
REPORT_SECTIONS = (*DOCUMENTATION_SECTIONS, *ANALYSIS_SECTIONS)

EXPECTED_BASELINE = [
    {"type": "Conv2D", "filters": 32, "kernel_size": [3, 3], "activation": "relu"},
    {"type": "MaxPooling2D", "pool_size": [2, 2]},
    {"type": "Conv2D", "filters": 64, "kernel_size": [3, 3], "activation": "relu"},
    {"type": "MaxPooling2D", "pool_size": [2, 2]},
    {"type": "Flatten"},
    {"type": "Dense", "units": 128, "activation": "relu"},
    {"type": "Dense", "units": 10, "activation": "softmax"},
]
BASELINE_PARAMS = 225_034  # 320 + 18 496 + 204 928 + 1 290


# ---------------------------------------------------------------------------------------------
# Relevance: the four builders and BEST_MODEL.
# ---------------------------------------------------------------------------------------------


def _expect_valid(name: str, found: dict[str, Any]) -> None:
    expect_equal(f"{name} : forme d'entrée du modèle", [None, 28, 28, 1], found["input_shape"],
                 "Le modèle reçoit des images (28, 28, 1) normalisées dans [0, 1].")
    expect_equal(f"{name} : forme de sortie du modèle", [None, 10], found["output_shape"])
    probabilities = np.asarray(found["probabilities"], dtype=float)
    expect_true(probabilities.ndim == 2 and bool(np.all(probabilities >= -1e-6))
                and bool(np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-3)),
                f"{name} : les sorties ne sont pas des probabilités (attendu une dernière activation softmax).")
    compiled = found["compile"]
    if compiled is None:
        raise Failure(f"{name} : le modèle n'est pas compilé ; appelez model.compile(...) avant de le renvoyer.")
    expect_equal(f"{name} : fonction de coût", "categorical_crossentropy", compiled["loss"],
                 "Les étiquettes sont en one-hot (to_categorical) : gardez la perte categorical_crossentropy.")
    expect_true(bool({"accuracy", "categorical_accuracy"} & set(compiled["metrics"])),
                f"{name} : métriques : attendu 'accuracy', obtenu {compiled['metrics']}.")


@graded(1, task="relevance")
def test_relevance_valid_models(student, builders):
    """Les quatre constructeurs renvoient (modèle compilé, fit_kwargs) : 28×28×1 → 10 probabilités, categorical_crossentropy, accuracy ; BEST_MODEL nomme l'un des trois modèles améliorés"""  # noqa: E501
    for name, found in described(builders, probes.BUILDERS).items():
        _expect_valid(name, found)
    best = student.run(probes.best_model)
    if not best["present"]:
        raise Failure("La constante `BEST_MODEL` est introuvable : elle doit nommer votre meilleur constructeur, "
                      "par exemple BEST_MODEL = \"create_improved_model_2\" (une chaîne littérale).")
    expect_true(best["value"] in probes.IMPROVED, f"BEST_MODEL : attendu le nom d'un des constructeurs "
                                                  f"{list(probes.IMPROVED)}, obtenu {best['value']!r}.")


@graded(1, task="relevance")
def test_relevance_baseline(builders):
    """Modèle de référence : Conv(32)-Pool-Conv(64)-Pool-Dense(128)-Dense(10), adam, entraînement par défaut"""
    baseline = described(builders, (probes.BASELINE,))[probes.BASELINE]
    expect_layers(baseline, EXPECTED_BASELINE)
    expect_equal("Nombre de paramètres du modèle de référence", BASELINE_PARAMS, baseline["params"])
    compiled = baseline["compile"] or {}
    optimizer = compiled.get("optimizer") or {}
    expect_equal("Optimiseur du modèle de référence", "Adam", optimizer.get("class"))
    expect_close("Taux d'apprentissage du modèle de référence", 0.001, optimizer.get("learning_rate") or np.nan,
                 rtol=1e-4, hint="Le modèle de référence garde optimizer=\"adam\" (taux 0,001).")
    fit = baseline["fit"]
    expect_true(not fit["callbacks"] and fit["batch_size"] in (None, probes.DEFAULT_BATCH)
                and fit["epochs"] in (None, DEFAULT_EPOCHS),
                f"Le modèle de référence garde l'entraînement par défaut : attendu fit_kwargs = {{}}, obtenu {fit}.")


# ---------------------------------------------------------------------------------------------
# Code quality: the notebook's code (read, not run), evaluate_model and compare_models.
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def functions(notebook) -> dict[str, dict[str, Any]]:
    """The notebook's top-level functions, read with :mod:`ast` (nothing runs)."""
    return function_definitions(notebook)


def _unwritten(functions: dict[str, dict[str, Any]]) -> None:
    expect_written(functions, REQUIRED_FUNCTIONS)


@graded(1, task="code_quality")
def test_code_style(notebook, functions):
    """Style : aucune erreur du linter ruff dans vos cellules"""
    _unwritten(functions)
    diagnostics = lint_student_cells(notebook)
    if diagnostics:
        shown = " ; ".join(f"cellule {d['cell']} ligne {d['row']} : {d['code']} {d['message']}"
                           for d in diagnostics[:5])
        raise Failure(f"Erreurs du linter ruff dans vos cellules : attendu 0, obtenu {len(diagnostics)} ({shown}). "
                      "Vérifiez avec : ruff check --select E4,E7,E9,E501,F --ignore E402 --line-length 120 "
                      "09_mini_project.ipynb")


def _at_least(what: str, minimum: int, found: Any, detail: str = "", hint: str = "") -> None:
    """Raise the usual "attendu … obtenu …" failure for counts (no quotes around the expectation)."""
    count = len(found) if isinstance(found, (list, set, tuple)) else found
    if count < minimum:
        shown = f"{count} ({', '.join(sorted(map(str, found)))})" if isinstance(found, (list, set, tuple)) and found \
            else str(count)
        raise Failure(f"{what} : attendu au moins {minimum}{detail}, obtenu {shown}." + (f" {hint}" if hint else ""))


@graded(1, task="code_quality")
def test_code_docstrings(functions):
    """Documentation du code : une docstring par fonction, la modification justifiée pour chaque modèle amélioré"""
    _unwritten(functions)
    short = [name for name in REQUIRED_FUNCTIONS if word_count(functions[name]["docstring"]) < 5]
    if short:
        raise Failure(f"Docstrings : attendu au moins 5 mots par fonction ; absentes ou trop courtes : "
                      f"{', '.join(short)}.")
    for name in probes.IMPROVED:
        _at_least(f"Mots de la docstring de {name}", 15, word_count(functions[name]["docstring"]),
                  " (la modification et sa justification)")
    docstrings = [" ".join(functions[name]["docstring"].split()) for name in probes.IMPROVED]
    expect_true(len(set(docstrings)) == len(docstrings),
                "Docstrings des trois modèles améliorés : attendu une description propre à chacun, obtenu des "
                "docstrings identiques.")


@graded(0.5, task="code_quality")
def test_code_evaluate(student):
    """evaluate_model : fit avec fit_kwargs et validation_split=0.2, précision de test, durée, historique, courbes"""
    X, Y = synthetic_digits(500)
    found = student.run(probes.evaluate, X[:400], Y[:400], X[400:], Y[400:], epochs=2, batch_size=50)
    expect_equal("Appels de model_creator() par evaluate_model", 1, found["builds"])
    expect_true(found["is_dict"], f"evaluate_model doit renvoyer un dictionnaire, pas {found['type']}.")
    expect_keys("Clés du dictionnaire renvoyé par evaluate_model", {"accuracy", "training_time", "history", "model"},
                dict.fromkeys(found["keys"]))
    expect_equal("Époques d'entraînement pour epochs=2 (comptées par un callback de fit_kwargs)", 2,
                 found["epochs_seen"], "Passez à model.fit les réglages de fit_kwargs, dont callbacks.")
    expect_equal("Pas par époque pour 400 images, validation_split=0.2 et fit_kwargs = {'batch_size': 50}", 7,
                 found["steps"], "320 images d'entraînement / 50 = 7 pas : validation_split=0.2 et batch_size "
                                 "de fit_kwargs (128 par défaut).")
    for key in ("loss", "val_loss", "accuracy", "val_accuracy"):
        expect_equal(f"Longueur de history[{key!r}] pour epochs=2", 2, found["history"].get(key))
    for key in ("accuracy", "val_accuracy", "loss", "val_loss"):
        values = found["history_values"][key]
        expect_true(any(c.shape == values.shape and bool(np.allclose(c, values, rtol=1e-4)) for c in found["curves"]),
                    f"Courbes d'apprentissage : attendu une courbe de history[{key!r}] dans les figures "
                    f"d'evaluate_model, obtenu {len(found['curves'])} courbe(s) sans correspondance (tracez "
                    "précision et perte, entraînement et validation).")
    expect_equal("Pas par époque pour 162 images, validation_split=0.2 et fit_kwargs sans batch_size (129 images "
                 "d'entraînement, batchs de 128 par défaut)", 2, student.run(probes.default_batch_steps, X[:162],
                                                                            Y[:162]),
                 "Sans batch_size dans fit_kwargs, evaluate_model entraîne par batchs de 128.")
    expect_close("Précision renvoyée, comparée à model.evaluate sur le jeu de test", found["expected_accuracy"],
                 found["accuracy"], atol=1e-4, hint="accuracy = précision sur X_test (une fraction entre 0 et 1).")
    expect_true(0 < found["training_time"] <= found["elapsed"] + 1e-3,
                f"training_time doit être la durée de model.fit en secondes : obtenu {found['training_time']:.4g}.")
    expect_true(found["model_returned"], "evaluate_model doit renvoyer le modèle entraîné sous la clé 'model'.")


def _matches(values: Any, expected: np.ndarray) -> bool:
    """The same values, as fractions or as percentages."""
    values = np.asarray(values, dtype=float)
    return values.shape == expected.shape and (bool(np.allclose(values, expected, rtol=1e-3))
                                               or bool(np.allclose(values, 100 * expected, rtol=1e-3)))


@graded(0.5, task="code_quality", timeout_s=30)
def test_code_compare(student):
    """compare_models : table (DataFrame) et diagrammes en barres"""
    found = student.run(probes.compare, compare_results())
    names = list(COMPARE_RESULTS)
    accuracy = np.array([v["accuracy"] for v in COMPARE_RESULTS.values()])
    times = np.array([v["training_time"] for v in COMPARE_RESULTS.values()])
    expect_equal("Lignes de la table (une par modèle, dans l'ordre du dictionnaire)", names, found["index"])
    expect_keys("Colonnes numériques de la table", {"accuracy", "training_time"}, found["columns"])
    if not _matches(found["columns"]["accuracy"], accuracy):
        fail("Colonne accuracy", 100 * accuracy, found["columns"]["accuracy"], "Précisions en %.")
    expect_close("Colonne training_time (s)", times, found["columns"]["training_time"], rtol=1e-6)
    bars = found["bars"]
    for what, expected in (("précisions", accuracy), ("temps d'entraînement", times)):
        drawn = [(b, limits) for b, limits in zip(bars, found["limits"], strict=True) if _matches(b, expected)]
        expect_true(bool(drawn), f"Figure : attendu un diagramme en barres des {what} des trois modèles "
                                 "(plt.bar / ax.bar), aucun trouvé.")
        expect_true(any(low < high and min(b) > low for b, (low, high) in drawn),
                    f"Figure : attendu des barres des {what} visibles, sur un axe croissant dont le bas est sous "
                    f"la plus petite barre ({min(drawn[0][0]):g}), obtenu les limites "
                    f"{[tuple(round(v, 2) for v in limits) for _, limits in drawn]}.")


# ---------------------------------------------------------------------------------------------
# The report (read, not run): provisional estimates of the manually graded criteria. Only what the
# report really says counts (autograder/checks/content.py): written sentences, once each, numbers and
# keywords inside them, real and distinct figures; padding earns nothing.
# ---------------------------------------------------------------------------------------------

#: Told with a word count: what counts.
COUNTED = "Seules comptent les phrases rédigées, chacune une fois (ni listes de mots, ni texte répété)."
NUMBERS = "Seuls comptent les nombres cités dans des phrases rédigées ou dans les lignes d'un tableau."


@pytest.fixture(scope="module")
def report(notebook) -> dict[str, Content | None]:
    """What each section of :data:`REPORT_SECTIONS` counts (:func:`read_sections`; None: no such heading)."""
    return read_sections(notebook, REPORT_SECTIONS)


def _missing(titles: list[str] | tuple[str, ...]) -> Failure:
    return Failure("Sections du rapport attendues introuvables (titres Markdown, par exemple « ## " + titles[0]
                   + " ») : " + ", ".join(titles) + ".")


def present(report: dict[str, Content | None], titles: tuple[str, ...]) -> dict[str, Content]:
    """The sections among ``titles`` that a content check judges (:func:`sections_to_judge`)."""
    return sections_to_judge(report, titles, "du rapport")


def _expect_words(sections: dict[str, Content], minimum: dict[str, int]) -> None:
    for title, words in minimum.items():
        if title in sections:
            _at_least(f"Mots rédigés de la section « {title} »", words, sections[title].words, "", COUNTED)


def _results(section: Content) -> set[str]:
    """The section's results: percentages and decimal numbers written in its sentences or its tables."""
    return {n for n in section.numbers if n.endswith("%") or re.search(r"\d[.,]\d", n)}


@graded(1, task="documentation", provisional=True)
def test_documentation_sections(report):
    """Rapport complet : les sept sections du cours, dans l'ordre (estimation provisoire)"""
    missing = [title for title in REPORT_SECTIONS if report[title] is None]
    if missing:
        raise _missing(missing)
    empty = [title for title in REPORT_SECTIONS if not report[title].has_content]
    expect_true(not empty, "Sections du rapport sans texte rédigé (au moins quelques phrases à elles, pas un titre "
                           "seul ni un texte répété d'une autre section) : " + ", ".join(empty) + ".")
    order = sorted(REPORT_SECTIONS, key=lambda title: report[title].position)
    expect_equal("Ordre des sections du rapport", list(REPORT_SECTIONS), order)


@graded(1, task="documentation", provisional=True)
def test_documentation_content(report):
    """Rapport : sections développées, chaque amélioration présentée, résultats chiffrés (estimation provisoire)"""
    sections = present(report, DOCUMENTATION_SECTIONS)
    _expect_words(sections, {"Introduction": 40, "Modèle de référence": 40, "Améliorations proposées": 120,
                             "Résultats comparatifs": 50})
    if "Améliorations proposées" in sections:
        text = sections["Améliorations proposées"].text
        for number in (1, 2, 3):
            pattern = rf"(?:improved_model_|am[ée]lior[ée]s?\s*(?:n[o°]\s*)?|mod[èe]le\s*(?:n[o°]\s*)?){number}\b"
            expect_true(re.search(pattern, text, re.I) is not None,
                        f"La section « Améliorations proposées » doit présenter le modèle amélioré {number} "
                        f"dans une phrase rédigée (« Modèle amélioré {number} » ou create_improved_model_{number}).")
    if "Résultats comparatifs" in sections:
        _at_least("Résultats chiffrés dans « Résultats comparatifs »", 4, _results(sections["Résultats comparatifs"]),
                  " (un par modèle)", NUMBERS)


@graded(1, task="documentation", provisional=True)
def test_documentation_figures(notebook):
    """Rapport illustré : au moins 4 figures dans les sorties du notebook (estimation provisoire)"""
    _at_least("Figures dans les sorties enregistrées de vos cellules", 4, figure_count(notebook),
              " (courbes, erreurs, robustesse, comparaison)",
              "Figures introuvables : exécutez le notebook et enregistrez-le avec ses sorties (seules comptent des "
              "figures différentes, lisibles et non vides).")


@graded(1, task="analysis", provisional=True)
def test_analysis_sections(report):
    """Analyse : erreurs, robustesse et conclusion développées (estimation provisoire)"""
    _expect_words(present(report, ANALYSIS_SECTIONS),
                  {"Analyse des erreurs": 60, "Test de robustesse": 60, "Conclusion": 50})


STRENGTHS = ("force", "avantage", "gain", "amélior", "meilleur", "robuste", "efficace")
WEAKNESSES = ("faiblesse", "limite", "inconvénient", "coût", "fragil", "confusion", "confond", "baisse", "chute",
              "moins ", "sensible", "difficile")
RECOMMENDATIONS = ("recommand", "conseill", "préconis", "suggér", "propos", "piste")


@graded(1, task="analysis", provisional=True)
def test_analysis_evidence(report):
    """Analyse appuyée sur les résultats : chiffres confondus, précisions sur données altérées (estimation provisoire)"""  # noqa: E501
    sections = present(report, ("Analyse des erreurs", "Test de robustesse"))
    if "Analyse des erreurs" in sections:
        digits = {n for n in sections["Analyse des erreurs"].numbers if len(n) == 1}
        _at_least("Chiffres (classes 0 à 9) cités dans les phrases de « Analyse des erreurs »", 2, digits,
                  " (les confusions observées)")
    if "Test de robustesse" in sections:
        _at_least("Résultats chiffrés dans « Test de robustesse »", 2, _results(sections["Test de robustesse"]),
                  " (bruit, rotation)", NUMBERS)


@graded(1, task="analysis", provisional=True)
def test_analysis_critique(report):
    """Analyse critique : forces et faiblesses, recommandations (estimation provisoire)"""
    sections = present(report, ANALYSIS_SECTIONS)
    text = " ".join(section.text for section in sections.values()).lower()
    expect_true(any(w in text for w in STRENGTHS) and any(w in text for w in WEAKNESSES),
                "L'analyse doit discuter, dans des phrases rédigées, à la fois des forces et des faiblesses "
                "(limites) des modèles.")
    if "Conclusion" in sections:
        expect_true(any(w in sections["Conclusion"].text.lower() for w in RECOMMENDATIONS),
                    "La conclusion doit formuler, dans des phrases rédigées, des recommandations pour l'entreprise.")
