"""Kit tests of what 09_mini_project added: notebook inspection (report sections, figures, ruff, docstrings),
the detection of modification families, the descriptions of functional and Sequential models, checks that
do not count one mistake twice (a missing report section, a builder that raises), and instructor overrides
of automatic and provisional points."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.authoring import readonly, solution
from autograder.checks.content import read_sections
from autograder.checks.inspection import (
    find_section,
    function_definitions,
    lint_student_cells,
    markdown_sections,
    normalize,
    word_count,
)
from autograder.grading.assignments import load_assignment
from autograder.grading.spec import Failure, StudentError
from autograder.overrides import OverrideError, apply_overrides, read_overrides
from autograder.results import Status, SubmissionResult
from tests.test_provisional_estimates import markdown_of, notebook_of, reference_report

ASSIGNMENT = "09_mini_project"


def test_sections_are_found_whatever_their_numbering_and_accents():
    notebook = new_notebook(cells=[
        new_markdown_cell("# Rapport\n## 1. Introduction\nDu texte ici.\n### Détail\nEncore un mot."),
        new_code_cell("x = 1"),
        new_markdown_cell("suite de l'introduction\n## **Modele de reference**\nBaseline.\n```\n## pas un titre\n```"),
        new_markdown_cell("## Étape 5 : analyse des erreurs\nconsigne\n"
                          "## Analyse des erreurs du meilleur modèle\n4 et 9"),
    ])
    sections = markdown_sections(notebook)
    introduction = find_section(sections, "Introduction")
    assert introduction["text"].split() == ["Du", "texte", "ici.", "Détail", "Encore", "un", "mot.", "suite", "de",
                                            "l'introduction"]
    assert find_section(sections, "Modèle de référence")["text"].startswith("Baseline.")
    assert "pas un titre" not in [s["title"] for s in sections]
    assert find_section(sections, "Analyse des erreurs")["text"] == "4 et 9"  # not the instructions' heading
    assert find_section(sections, "Conclusion") is None
    assert normalize("IV) Test de *robustesse* :") == "test de robustesse"
    assert word_count("Le modèle d'entreprise, 98,5 % !") == 5


def test_ruff_reports_only_the_students_cells():
    given = readonly("imports", "import os\nimport numpy as np")
    written = solution("f", "def f():\n    unused = 1\n    return np.zeros(3)")
    added = new_code_cell("%matplotlib inline\nprint(f(), undefined_name)")
    found = lint_student_cells(new_notebook(cells=[new_markdown_cell("# T"), given, written, added]))
    assert [(d["cell"], d["code"]) for d in found] == [(3, "F841"), (4, "F821")]


def test_stubs_and_docstrings_are_read_without_running_anything():
    notebook = new_notebook(cells=[
        solution("a", 'def a():\n    """Fait quelque chose."""\n    # VOTRE CODE ICI\n    raise NotImplementedError()'),
        solution("b", 'def b():\n    """Écrite."""\n    return 1'),
        new_code_cell("def c(:\n    pass"),  # a syntax error is skipped, not fatal
        new_code_cell("!ls\ndef d():\n    ..."),
    ])
    found = function_definitions(notebook)
    assert {name: (f["stub"], f["docstring"]) for name, f in found.items()} == {
        "a": (True, "Fait quelque chose."), "b": (False, "Écrite."), "d": (True, "")}


@pytest.fixture(scope="module")
def graders():
    """The grader modules of 09_mini_project (imported as the grading process imports them)."""
    load_assignment(ASSIGNMENT)
    import a09_mini_project.builders as builders
    import a09_mini_project.hidden_builders as hidden_builders
    import a09_mini_project.test_hidden as hidden
    import a09_mini_project.test_public as public

    return SimpleNamespace(hidden=hidden, public=public, builders=builders, hidden_builders=hidden_builders)


@pytest.fixture(scope="module")
def describe():
    pytest.importorskip("keras")
    load_assignment(ASSIGNMENT)
    from a09_mini_project.probes import describe_built, reference_baseline

    return describe_built, reference_baseline


def _conv_block(keras, layers, *, batch_norm: bool = False):
    if batch_norm:
        convolution = [layers.Conv2D(32, (3, 3), use_bias=False), layers.BatchNormalization(),
                       layers.Activation("relu")]
    else:
        convolution = [layers.Conv2D(32, 3, activation="relu")]
    return [keras.Input(shape=(28, 28, 1)), *convolution, layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2), layers.Flatten(),
            layers.Dense(128, activation="relu"), layers.Dense(10, activation="softmax")]


def test_families_of_real_keras_models(graders, describe):
    import keras
    from keras import layers

    hidden = graders.hidden
    describe_built, reference_baseline = describe
    reference = describe_built(*reference_baseline())

    def families(model_layers, optimizer="adam", fit=None):
        model = keras.Sequential(model_layers)
        model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
        return hidden.families(describe_built(model, fit or {}), reference)

    assert families(_conv_block(keras, layers)) == set()
    # Conv → BatchNormalization → Activation: regularisation only, the architecture is unchanged.
    assert families(_conv_block(keras, layers, batch_norm=True)) == {hidden.REGULARISATION}
    assert families(_conv_block(keras, layers), keras.optimizers.Adam(0.001)) == set()
    assert families(_conv_block(keras, layers), keras.optimizers.SGD(0.01), {"batch_size": 64}) == {
        hidden.HYPERPARAMETERS}
    schedule = keras.optimizers.schedules.ExponentialDecay(0.001, 100, 0.9)
    assert families(_conv_block(keras, layers), keras.optimizers.Adam(schedule)) == {hidden.TRAINING}
    augmentation = keras.Sequential([layers.RandomRotation(0.04), layers.RandomZoom(0.1)])
    with_augmentation = _conv_block(keras, layers)
    with_augmentation.insert(1, augmentation)
    assert families(with_augmentation, fit={"callbacks": [keras.callbacks.EarlyStopping()]}) == {
        hidden.AUGMENTATION, hidden.TRAINING}
    wider = _conv_block(keras, layers)
    wider[1] = layers.Conv2D(48, 3, activation="relu", kernel_regularizer=keras.regularizers.l2(1e-4))
    assert families(wider) == {hidden.ARCHITECTURE, hidden.REGULARISATION}


def test_functional_models_describe_like_sequential_ones(graders, describe):
    """keras.Input + keras.Model, loss, optimizer and metric objects: the same description as the course's baseline."""
    import keras
    from keras import layers

    describe_built, reference_baseline = describe
    inputs = keras.Input(shape=(28, 28, 1))
    x = inputs
    for block in _conv_block(keras, layers)[1:]:
        x = block(x)
    model = keras.Model(inputs, x)
    model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.CategoricalCrossentropy(),
                  metrics=[keras.metrics.CategoricalAccuracy()])
    functional, reference = describe_built(model, {}), describe_built(*reference_baseline())
    assert "InputLayer" not in [layer["type"] for layer in functional["layers"]]
    assert functional["layers"] == reference["layers"] and functional["params"] == reference["params"] == 225_034
    assert functional["compile"]["loss"] == "categorical_crossentropy"
    assert functional["compile"]["metrics"] == ["categorical_accuracy"]
    assert functional["compile"]["optimizer"] == reference["compile"]["optimizer"]
    assert graders.hidden.families(functional, reference) == set()
    graders.public._expect_valid("create_baseline_model", functional)
    graders.public.test_relevance_baseline({"create_baseline_model": functional})


def test_unsuitable_settings_are_explained(graders):
    model = {"layers": [{"type": "RandomFlip"}, {"type": "RandomRotation", "factor": [-0.5, 0.5]},
                        {"type": "Dropout", "rate": 0.8}],
             "compile": {"optimizer": {"class": "Adam", "learning_rate": 0.1}}, "fit": {"batch_size": 4}}
    reasons = graders.hidden.unsuitable("create_improved_model_1", model)
    assert len(reasons) == 5
    assert "miroir" in reasons[0] and "6 tourné devient un 9" in reasons[1]


def test_a_builder_that_raises_fails_only_the_checks_that_need_it(graders):
    error = StudentError("exception", "Votre code a levé une exception : ValueError")
    built = {"create_baseline_model": {"layers": []}, "create_improved_model_1": {"layers": [1]},
             "create_improved_model_2": error, "create_improved_model_3": {"layers": [3]}}
    improved = ("create_improved_model_1", "create_improved_model_2", "create_improved_model_3")
    with pytest.raises(StudentError, match="ValueError") as raised:
        graders.builders.described(built, ("create_baseline_model", *improved))
    assert raised.value.kind == "exception"
    assert graders.builders.described(built, ("create_baseline_model",)) == {"create_baseline_model": {"layers": []}}
    working = list(graders.hidden_builders.working(built, improved))
    assert working == ["create_improved_model_1", "create_improved_model_3"]
    with pytest.raises(StudentError, match="ValueError"):
        graders.hidden_builders.working(built, ("create_improved_model_2",))


REPORT_TESTS = ("documentation_sections", "documentation_content", "analysis_sections", "analysis_evidence",
                "analysis_critique")


def _failing(public, sections: dict[str, str]) -> dict[str, str]:
    """The report tests that fail on the report made of ``sections`` (``{title: text}``), with their messages
    (none may raise anything but a Failure)."""
    report = read_sections(notebook_of(markdown_of(sections), []), public.REPORT_SECTIONS)
    failing = {}
    for name in REPORT_TESTS:
        try:
            getattr(public, f"test_{name}")(report)
        except Failure as failure:
            failing[name] = str(failure)
    return failing


def _renamed(sections: dict[str, str], title: str) -> dict[str, str]:
    return {("Autre titre" if t == title else t): text for t, text in sections.items()}


#: A robustness section without any result: written, long enough, but with no number to back it.
UNSUPPORTED_ROBUSTNESS = (
    "Le bruit gaussien gêne très peu le meilleur modèle, car les convolutions et le pooling moyennent les pixels "
    "voisins et effacent une grande partie des perturbations. Les rotations aléatoires coûtent davantage : le modèle "
    "n'a jamais vu de chiffres tournés pendant son entraînement, et il se trompe plus souvent sur les chiffres "
    "penchés. L'augmentation de données du troisième modèle devrait corriger ce défaut, mais nous ne l'avons pas "
    "mesurée sur les images altérées.")


def test_a_missing_or_empty_section_costs_the_sections_check_only(graders):
    public = graders.public
    reference = reference_report()
    assert _failing(public, reference) == {}
    for title in ("Introduction", "Améliorations proposées", "Résultats comparatifs", "Analyse des erreurs",
                  "Test de robustesse", "Conclusion"):
        failing = _failing(public, _renamed(reference, title))
        assert list(failing) == ["documentation_sections"], (title, failing)
        assert title in failing["documentation_sections"] and "introuvables" in failing["documentation_sections"]
        # A heading without text of its own (or with an earlier section's text) is no better than no heading.
        earlier = list(reference)[list(reference).index(title) - 1]
        for text in ("", reference[earlier]) if title != "Introduction" else ("",):
            failing = _failing(public, {**reference, title: text})
            assert list(failing) == ["documentation_sections"], (title, failing)
            assert "sans texte rédigé" in failing["documentation_sections"] and title in failing[
                "documentation_sections"]
    # What is there is still judged: a section without its results fails its content check, once.
    thin = _failing(public, {**_renamed(reference, "Introduction"), "Test de robustesse": UNSUPPORTED_ROBUSTNESS})
    assert set(thin) == {"documentation_sections", "analysis_evidence"}
    # With fewer than half of its sections there is too little to judge: the content check fails too.
    analysis = {t: reference[t] for t in public.ANALYSIS_SECTIONS}
    nothing = _failing(public, {"Autre titre": reference["Introduction"], **analysis})
    assert set(nothing) == {"documentation_sections", "documentation_content"}
    assert "introuvables" in nothing["documentation_content"]
    one = _failing(public, {"Résultats comparatifs": reference["Résultats comparatifs"], **analysis})
    assert set(one) == {"documentation_sections", "documentation_content"}


def _overrides(tmp_path, rows: str):
    path = tmp_path / "corrections.csv"
    path.write_text("student,check,points,comment\n" + rows, encoding="utf-8")
    return read_overrides(path)


@pytest.mark.xdist_group(ASSIGNMENT)  # on the worker that grades 09's examples (tests/conftest.py)
def test_instructor_overrides_automatic_and_provisional_points(graded_examples, tmp_path):
    graded = graded_examples(ASSIGNMENT)[f"{ASSIGNMENT}/reference"]
    result = SubmissionResult.from_dict(copy.deepcopy(graded.to_dict()))
    student = result.student
    assert {t.graded_by for t in result.tests if t.task in ("analysis", "documentation")} == {"provisional"}
    assert {t.graded_by for t in result.tests if t.task not in ("analysis", "documentation")} == {"auto"}
    assert result.score == 20

    overrides = _overrides(tmp_path, f'{student},relevance_families,1,"Deux familles vraiment distinctes"\n'
                                     '*,analysis_critique,0.5,Recommandations trop vagues\n'
                                     'someone_else,code_style,0,ignored\n')
    apply_overrides(result, overrides)
    tests_by_name = {t.name: t for t in result.tests}
    families, critique = tests_by_name["relevance_families"], tests_by_name["analysis_critique"]
    assert (families.graded_by, families.auto_score, families.score, families.status) == (
        "instructor", 2.0, 1.0, Status.FAILED)
    assert families.comment == "Deux familles vraiment distinctes"
    assert (critique.graded_by, critique.auto_score, critique.score) == ("instructor", 1.0, 0.5)
    assert tests_by_name["code_style"].graded_by == "auto" and tests_by_name["code_style"].score == 1
    assert tests_by_name["analysis_sections"].graded_by == "provisional"
    assert result.score == 18.5 and result.max_score == 20
    assert dict(result.task_scores())["relevance"] == (5.0, 6.0)

    again = SubmissionResult.from_dict(result.to_dict())  # exported results keep who graded what
    assert {t.name: (t.graded_by, t.auto_score) for t in again.tests}["relevance_families"] == ("instructor", 2.0)

    # A second pass (a corrected CSV) keeps the first automatic score.
    apply_overrides(result, _overrides(tmp_path, f"{student},relevance_families,2,\n"))
    assert (families.score, families.auto_score, families.status) == (2.0, 2.0, Status.PASSED)

    with pytest.raises(OverrideError, match="no check"):
        apply_overrides(result, _overrides(tmp_path, "*,relevance_magic,1,\n"))
    with pytest.raises(OverrideError, match="outside"):
        apply_overrides(result, _overrides(tmp_path, "*,code_style,3,\n"))
