"""Public tests of 08_attention: students run these with ``autograder check``.

Each function is tested on its own, on small inputs built here: attention against numpy, the layer with weights
set by the grader, the windows on the grader's series, ``train_seq2seq`` and ``forecast`` on a tiny model of the
grader's, the research article read (not run) for provisional estimates.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from a08_attention import probes
from a08_attention.inputs import (
    CLASSES,
    EXPERIMENT,
    LENGTH,
    NOISE,
    RUN,
    attention_inputs,
    deterministic_part,
    grader_series,
    grader_windows,
    marker_data,
    shifted,
)
from a08_attention.judging import expect_attention, seq2seq_params, temporal_attention
from a08_attention.quiz import QUESTIONS
from autograder.checks.content import Content, read_sections, sections_to_judge
from autograder.checks.expect import expect_close, expect_equal, expect_true, fail
from autograder.checks.figures import expect_curves
from autograder.checks.inspection import expect_backend_portable
from autograder.checks.keras_model import expect_layers
from autograder.checks.mlflow_store import expect_finished, expect_single_run, tracked_run
from autograder.checks.qcm import expect_answered
from autograder.grader import graded
from autograder.grading.spec import Failure

# ------------------------------------------------------------------------------------------------ attention


@graded(1, task="attention")
def test_attention_numpy(student):
    """Attention comparée à numpy : sortie (2, 3, 6) et poids (2, 3, 5) sans masque"""
    q, k, v = attention_inputs(1, (2,), 3, 5, 4, 6)
    expect_attention(student.run(probes.attention, q, k, v), "lot de 2, 3 requêtes, 5 clés, d_k = 4", q, k, v)


@graded(1, task="attention")
def test_attention_rows_sum_to_one(student):
    """Attention : poids positifs, chaque ligne (une requête) somme à 1 sur les clés"""
    q, k, v = attention_inputs(2, (3,), 4, 7, 5, 2)
    weights = student.run(probes.attention, q, k, v)["weights"]
    expect_equal("Forme des poids (3 lots, 4 requêtes, 7 clés)", [3, 4, 7], list(weights.shape),
                 "Scores Q·Kᵀ : (..., T_q, T_k).")
    expect_true(bool((weights >= -1e-7).all()), "Les poids d'attention doivent être positifs (softmax).")
    expect_close("Somme de chaque ligne de poids sur les 7 clés", np.ones((3, 4)), weights.sum(axis=-1), atol=1e-5,
                 hint="La softmax se prend sur le dernier axe, celui des clés (axis=-1).")


@graded(1, task="attention")
def test_attention_mask(student):
    """Attention avec masque : positions masquées à un poids 0, sortie comparée à numpy"""
    q, k, v = attention_inputs(3, (2,), 3, 6, 4, 3)
    mask = np.random.default_rng(3).random((2, 3, 6)) > 0.4
    mask[..., 0] = True
    found = student.run(probes.attention, q, k, v, mask)
    masked = float(np.abs(found["weights"][~mask]).max()) if found["weights"].shape == mask.shape else None
    expect_true(masked is not None and masked < 1e-6,
                f"Poids des positions masquées (mask False) : attendu 0, obtenu jusqu'à {masked}. Remplacez leurs "
                "scores par un très grand nombre négatif avant la softmax (ops.where).")
    expect_attention(found, "masque booléen (2, 3, 6)", q, k, v, mask)


GRADED_FUNCTIONS = ("scaled_dot_product_attention", "build_marker_model", "make_series", "make_windows",
                    "split_windows", "teacher_forcing_inputs", "build_seq2seq", "train_seq2seq", "forecast",
                    "evaluate_forecast", "plot_forecast")


@graded(1, task="attention")
def test_backend_portable(notebook):
    """Deux backends : ni tf.… ni keras.backend dans vos fonctions et classes"""
    expect_backend_portable(notebook, GRADED_FUNCTIONS)


# ---------------------------------------------------------------------------------------------------- layer

LAYER_X = np.random.default_rng(10).normal(size=(3, 7, 5)).astype(np.float32)


@graded(1, task="layer")
def test_layer_outputs(student):
    """TemporalAttention : poids W (d, 1) et b (T, 1), contexte (batch, d), poids (batch, T) de somme 1"""
    found = student.run(probes.layer_outputs, LAYER_X)
    expect_equal("Formes des poids de la couche pour une entrée (3, 7, 5)", [[5, 1], [7, 1]], found["shapes"],
                 "W de forme (d, 1) puis b de forme (T, 1), créés dans build avec self.add_weight.")
    expect_equal("Forme du contexte", [3, 5], list(found["context"].shape), "Σ_t α_t x_t : (batch, d).")
    expect_equal("Forme des poids d'attention", [3, 7], list(found["weights"].shape),
                 "(batch, T) : supprimez le dernier axe de taille 1 (ops.squeeze).")
    expect_close("Somme des poids d'attention sur le temps", np.ones(3), found["weights"].sum(axis=1), atol=1e-5,
                 hint="softmax sur l'axe du temps (axis=1), pas sur le dernier axe.")


@graded(1, task="layer")
def test_layer_values(student):
    """TemporalAttention : contexte et poids comparés à numpy, pour des poids W et b fixés"""
    rng = np.random.default_rng(11)
    W, b = rng.normal(size=(5, 1)).astype(np.float32), rng.normal(size=(7, 1)).astype(np.float32)
    found = student.run(probes.layer_outputs, LAYER_X, {"W": W, "b": b})
    context, weights = temporal_attention(LAYER_X, W, b)
    expect_close("Poids d'attention pour W et b fixés", weights, found["weights"], rtol=1e-4, atol=1e-6,
                 hint="e = tanh(x·W + b), α = softmax(e) sur le temps.")
    expect_close("Contexte pour W et b fixés", context, found["context"], rtol=1e-4, atol=1e-6,
                 hint="contexte = Σ_t α_t x_t.")


# --------------------------------------------------------------------------------------------------- marker

MARKER_PARAMS = 1_630  # 12×16 + (2×16×32 + 32) + (32 + 20) + (32×10 + 10)


@graded(1, task="marker")
def test_marker_model(student):
    """Modèle du marqueur : Embedding(12, 16) → Conv1D(32, 2, causal) → TemporalAttention → Dense(10), 1 630
    paramètres, compilé ; attention_model partage ses couches et donne (batch, 20)"""
    tokens = marker_data(4, 12)[0]
    found = student.run(probes.marker_model, tokens)
    expect_layers(found, [{"type": "Embedding"},
                          {"type": "Conv1D", "filters": 32, "kernel_size": [2], "padding": "causal",
                           "activation": "relu"},
                          {"type": "TemporalAttention"}, {"type": "Dense", "units": CLASSES, "activation": "softmax"}])
    expect_equal("Embedding (vocabulaire, dimension)", [[12, 16]], found["embedding"])
    expect_equal("Nombre de paramètres du modèle", MARKER_PARAMS, found["params"])
    compiled = found["compile"]
    expect_true(compiled is not None, "Le modèle doit être compilé (model.compile) avant d'être renvoyé.")
    expect_equal("Compilation (optimiseur, perte)", ["adam", "sparse_categorical_crossentropy"],
                 [compiled["optimizer"], compiled["loss"]])
    expect_close("Taux d'apprentissage", 1e-2, compiled["learning_rate"], rtol=1e-5)
    expect_equal("Forme de sortie de attention_model", [None, LENGTH], found["attention_output_shape"],
                 "keras.Model(entrée, poids) : les poids (batch, length) de TemporalAttention.")
    expect_true(bool(found["attention_layers"]) and found["shared_layers"] >= 3,
                "attention_model doit réutiliser les couches du modèle (mêmes objets Embedding, Conv1D, "
                "TemporalAttention), pas en créer de nouvelles.")


# -------------------------------------------------------------------------------------------------- windows


@graded(1, task="windows")
def test_series(student):
    """Série : 2 000 points float32, partie déterministe du TP, bruit d'écart type 0,1 tiré de la graine"""
    found = student.run(probes.series, 2000, 4)
    expect_equal("Forme de make_series(2000, 4)", [2000], list(found.shape))
    expect_equal("Type", np.dtype(np.float32).str, found.dtype.str, "Utilisez float32.")
    residual = found.astype(np.float64) - deterministic_part(2000)
    expect_close("Moyenne de la série moins 0,5 sin(t/20) + 0,3 sin(t/10) + 0,2 t/2000", 0.0, residual.mean(),
                 atol=0.01, hint="Vérifiez les trois termes déterministes.")
    expect_close("Écart type du bruit", NOISE, residual.std(), rtol=0, atol=0.01, hint="0.1 × normal(size=n).")
    again = student.run(probes.series, 2000, 4)
    expect_true(np.array_equal(found, again), "make_series(2000, 4) doit redonner la même série (générateur créé "
                                              "avec la graine reçue).")


@graded(1, task="windows")
def test_windows(student):
    """Fenêtres : 2 000 points → 1 941 fenêtres (50, 1) → (10, 1), glissantes de pas 1"""
    values = grader_series(2000, 5)
    found = student.run(probes.windows, values)
    X, Y = grader_windows(values, 50, 10)
    for key, want in (("X", X), ("Y", Y)):
        expect_equal(f"Forme de {key}", list(want.shape), list(found[key].shape),
                     "N = len(series) − 50 − 10 + 1 fenêtres, un axe de caractéristiques de taille 1.")
        expect_close(f"Valeurs de {key}", want, found[key], rtol=0, atol=1e-6,
                     hint="Fenêtre i : entrée series[i:i+50], cible series[i+50:i+60].")


# ------------------------------------------------------------------------------------------- teacher forcing


@graded(1, task="teacher_forcing")
def test_teacher_forcing(student):
    """Teacher forcing : la cible décalée d'un pas vers la droite, 0 au premier pas"""
    Y = np.arange(1, 25, dtype=np.float32).reshape(4, 6, 1)
    found = student.run(probes.teacher, Y)
    expect_close("teacher_forcing_inputs sur des cibles (4, 6, 1) valant 1, 2, 3…", shifted(Y), found["inputs"],
                 rtol=0, atol=0, hint="Entrée du décodeur au pas t = cible au pas t − 1 ; 0 au pas 0.")


# -------------------------------------------------------------------------------------------------- seq2seq

SEQ2SEQ_TYPES = ["Bidirectional", "Concatenate", "Concatenate", "LSTM", "Attention", "Concatenate", "Dense"]


@pytest.fixture(scope="module")
def seq2seq(student) -> dict[str, Any]:
    """``build_seq2seq()`` described."""
    return student.run(probes.seq2seq_graph)


@graded(1, task="seq2seq")
def test_seq2seq_params(seq2seq):
    """Seq2seq : entrées (50, 1) et (10, 1), sortie (None, 10, 1), 100 609 paramètres"""
    expect_equal("Formes des entrées [encodeur, décodeur]", [[None, 50, 1], [None, 10, 1]], seq2seq["input_shapes"])
    expect_equal("Forme de sortie", [None, 10, 1], seq2seq["output_shape"], "Dense(1) à chaque pas du décodeur.")
    expect_equal("Nombre de paramètres", seq2seq_params(64), seq2seq["params"],
                 "Bidirectional(LSTM(64)) 33 792 + LSTM(128) 66 560 + Dense(1) sur 256 valeurs 257.")


@graded(1, task="seq2seq")
def test_seq2seq_layers(seq2seq):
    """Seq2seq : Bi-LSTM(64) avec états, états concaténés, décodeur LSTM(128) initialisé, Attention, Dense(1)"""
    types = sorted(layer["type"] for layer in seq2seq["graph"])
    if types != sorted(SEQ2SEQ_TYPES):
        fail("Couches du modèle (dans un ordre quelconque)", sorted(SEQ2SEQ_TYPES), types)
    layers = {layer["type"]: layer for layer in seq2seq["graph"] if layer["type"] != "Concatenate"}
    encoder, decoder = layers["Bidirectional"], layers["LSTM"]
    expect_equal("Encodeur : LSTM de Bidirectional (unités, return_sequences, return_state)", [64, True, True],
                 [encoder.get("units"), encoder.get("return_sequences"), encoder.get("return_state")])
    expect_equal("Décodeur : LSTM (unités, return_sequences)", [128, True],
                 [decoder.get("units"), decoder.get("return_sequences")])
    expect_equal("Entrées du décodeur LSTM (séquence, état h, état c)", 3, len(decoder["inputs"]),
                 "layers.LSTM(...)(decoder_inputs, initial_state=[state_h, state_c]).")


# ------------------------------------------------------------------------------------------------- training


@graded(1, task="training")
def test_training_run(tracking):
    """train_seq2seq : expérience « TimeSeries_Seq2Seq_Attention », un run terminé « LSTM_CrossAttention_Baseline »"""
    run = expect_single_run(tracking["runs"], EXPERIMENT)
    expect_equal("Nom du run", RUN, run.name, 'mlflow.start_run(run_name="LSTM_CrossAttention_Baseline").')
    expect_finished(run)


@graded(1, task="training")
def test_training_params(tracking):
    """train_seq2seq : paramètres input_len, output_len, epochs et batch_size"""
    run = tracked_run(tracking["runs"], EXPERIMENT)
    found = {key: re.sub(r"\.0$", "", value) for key, value in run.params.items()}
    want = {"input_len": "12", "output_len": "4", "epochs": "2", "batch_size": "16"}
    if found != want:
        fail(f"Paramètres du run « {run.name} » (fenêtres 12 → 4, 2 époques, lots de 16)", want, run.params)


# ------------------------------------------------------------------------------------------------ inference


@graded(1, task="inference")
def test_forecast_step_by_step(forecasts):
    """forecast : décodage pas à pas (chaque prédiction devient l'entrée suivante), comparé à celui du correcteur"""
    expect_close("Prévision de forecast(model, X, 5) sur le petit modèle du correcteur", forecasts["grader"],
                 forecasts["forecast"], rtol=1e-4, atol=1e-5,
                 hint="Entrée du décodeur à 0, puis à chaque pas t la prédiction du pas t placée au pas t + 1.")


@graded(1, task="inference")
def test_persistence(forecasts):
    """evaluate_forecast : MSE de la prévision et MSE de la persistance (dernière valeur répétée)"""
    X, Y, evaluation = forecasts["X"], forecasts["Y"], forecasts["evaluations"][0]
    missing = sorted({"forecast", "mse", "persistence_mse"} - set(evaluation))
    if missing:
        fail("Clés du dictionnaire de evaluate_forecast", ["forecast", "mse", "persistence_mse"], sorted(evaluation))
    expect_equal("Forme de la prévision de evaluate_forecast", list(Y.shape), list(evaluation["forecast"].shape),
                 "forecast(model, X, Y.shape[1]) : output_len pas.")
    persistence = np.repeat(X[:, -1:, :], Y.shape[1], axis=1)
    expect_close("persistence_mse", np.mean((persistence - Y) ** 2), evaluation["persistence_mse"], rtol=1e-4,
                 hint="Dernière valeur de chaque fenêtre d'entrée, répétée sur les output_len pas.")
    expect_close("mse de la prévision", np.mean((evaluation["forecast"] - Y) ** 2), evaluation["mse"], rtol=1e-4)


# --------------------------------------------------------------------------------------------------- figure


def figure_inputs() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X, Y = grader_windows(grader_series(80, 90), 50, 10)
    return X[0], Y[0], Y[0] + 0.05


@graded(1, task="figure", timeout_s=30)
def test_forecast_figure(student):
    """Figure : l'entrée, la vraie suite et la prévision tracées, étiquetées, légende et titres des axes"""
    inputs, target, prediction = figure_inputs()
    found = student.run(probes.forecast_figure, inputs, target, prediction)
    expect_curves(found, {"entrée": inputs.ravel(), "vraie suite": target.ravel(), "prévision": prediction.ravel()})


# ------------------------------------------------------------------------------------------------------ qcm


@graded(1, task="qcm")
def test_qcm_format(answers):
    """QCM : une lettre valide pour chacune des 6 questions"""
    expect_answered(answers, QUESTIONS)


# ------------------------------------------------------------------------------------------------- research
# The article (read, not run): provisional estimates of the criteria the instructor grades by hand. Only what the
# article really says counts (autograder/checks/content.py): written sentences, once each, formulas beside them,
# distinct references; padding earns nothing.

SECTIONS = ("Analyse de l'article", "Méthode proposée", "Évaluation prévue", "Limites attendues", "Références")
BODY = SECTIONS[:-1]
MINIMUM_WORDS = {"Analyse de l'article": 200, "Méthode proposée": 250, "Évaluation prévue": 200,
                 "Limites attendues": 60}
#: About four pages of a two-column conference article: the words of its sentences (an inline formula is one),
#: display equations and references aside. The reference article has 1 134.
TOTAL_WORDS = 1050
COUNTED = "Seules comptent les phrases rédigées, chacune une fois (ni listes de mots, ni texte répété)."


@pytest.fixture(scope="module")
def article(notebook) -> dict[str, Content | None]:
    """What each section of :data:`SECTIONS` counts (:func:`read_sections`; None: no such heading)."""
    return read_sections(notebook, SECTIONS)


def written(title: str, section: Content | None) -> bool:
    """Whether a section is there with content of its own: sentences, or for the references, distinct entries."""
    return section is not None and (bool(section.entries) if title == "Références" else section.has_content)


def present(article: dict[str, Content | None], titles: tuple[str, ...]) -> dict[str, Content]:
    """The sections among ``titles`` that a content check judges (:func:`sections_to_judge`)."""
    return sections_to_judge(article, titles, "de l'article", written)


@graded(1.5, task="research", provisional=True)
def test_research_sections(article):
    """Article : les cinq sections (analyse, méthode, évaluation, limites, références) rédigées, dans l'ordre (estimation provisoire)"""  # noqa: E501
    missing = [title for title in SECTIONS if article[title] is None]
    if missing:
        raise Failure("Sections de l'article attendues introuvables (titres Markdown « ## … ») : "
                      + ", ".join(missing) + ".")
    empty = [title for title in SECTIONS if not written(title, article[title])]
    expect_true(not empty, "Sections de l'article sans texte rédigé (des phrases à elles, pas un titre seul ni un "
                           "texte répété d'une autre section ; des références, une par ligne) : "
                           + ", ".join(empty) + ".")
    order = sorted(SECTIONS, key=lambda title: article[title].position)
    expect_equal("Ordre des sections de l'article", list(SECTIONS), order)


@graded(1.5, task="research", provisional=True)
def test_research_equations(article):
    """Article : la méthode proposée écrite avec ses équations en LaTeX, dont l'attention (estimation provisoire)"""
    section = present(article, ("Méthode proposée",))["Méthode proposée"]
    found = [formula for formula in section.formulas if re.search(r"[=\\^_]", formula)]
    expect_true(len(found) >= 3, f"La section « Méthode proposée » doit formaliser la méthode par des équations "
                                 f"LaTeX ($…$ ou $$…$$), dans ses phrases ou juste avant ou après l'une d'elles, "
                                 f"chacune une fois : attendu au moins 3, obtenu {len(found)}.")
    expect_true(any("softmax" in f.lower() for f in found),
                "Les équations de « Méthode proposée » doivent écrire l'attention (softmax(QKᵀ/√d_k)V ou une lecture "
                "de mémoire par softmax) : aucune ne contient softmax.")


@graded(1.5, task="research", provisional=True)
def test_research_length(article):
    """Article : la longueur d'un article de 4 pages, chaque section développée (estimation provisoire)"""
    sections = present(article, tuple(MINIMUM_WORDS))
    counts = {title: section.words for title, section in sections.items()}
    short = {title: counts[title] for title, minimum in MINIMUM_WORDS.items()
             if title in counts and counts[title] < minimum}
    if short:
        fail("Mots rédigés des sections trop courtes", {t: MINIMUM_WORDS[t] for t in short}, short,
             "Développez ces sections. " + COUNTED)
    total = sum(counts.values())
    expect_true(total >= TOTAL_WORDS, f"Longueur de l'article (sans les équations ni les références) : attendu au "
                                      f"moins {TOTAL_WORDS} mots rédigés (4 pages), obtenu {total}. {COUNTED}")


@graded(1.5, task="research", provisional=True)
def test_research_references(article):
    """Article : au moins trois références datées, dont l'article TAP (estimation provisoire)"""
    entries = present(article, ("Références",))["Références"].entries
    present(article, BODY)  # references without an article are not an article's references
    expect_true(len(entries) >= 3, f"La section « Références » doit lister au moins 3 références différentes (une "
                                   f"par ligne « - … »), obtenu {len(entries)}.")
    expect_true(any("temporal latent space" in e.lower() or re.search(r"\bTAP\b", e) for e in entries),
                "Les références doivent citer l'article étudié, « Temporal Latent Space Modeling for Video "
                "Generation » (TAP).")
    dated = [e for e in entries if re.search(r"\b(19|20)\d{2}\b", e)]
    expect_true(len(dated) >= 2, f"Les références doivent donner leur année : obtenu {len(dated)} référence(s) "
                                 "datée(s) sur au moins 2 attendues (en plus de TAP).")
