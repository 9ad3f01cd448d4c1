"""Public checks of 09_mini_project: students run these with ``autograder check``.

Conventions checked here (they are explained in the notebook):

* every builder ``create_*()`` returns a pair ``(model, fit_kwargs)``: a compiled Keras model
  and a dict of extra ``model.fit`` settings among ``batch_size``, ``callbacks`` and ``epochs``
  (``{}`` for the defaults: batch 128, the epochs given to ``evaluate_model``);
* ``BEST_MODEL`` is a literal string naming the best improved builder.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from typing import Any

import numpy as np

from autograder.checks.expect import expect_close, expect_equal, expect_keys, expect_true, fail
from autograder.checks.inspection import (
    figure_count,
    find_section,
    function_definitions,
    lint_student_cells,
    markdown_sections,
    word_count,
)
from autograder.checks.keras_model import canonical, expect_layers
from autograder.grading.spec import Arrays, Check, Failure, MissingDefinition, Submission

BASELINE = "create_baseline_model"
IMPROVED = ("create_improved_model_1", "create_improved_model_2", "create_improved_model_3")
BUILDERS = (BASELINE, *IMPROVED)
FIT_KEYS = ("batch_size", "callbacks", "epochs")
DEFAULT_BATCH = 128
DEFAULT_EPOCHS = 5
#: Functions whose code and docstrings the code-quality checks read.
REQUIRED_FUNCTIONS = (*BUILDERS, "evaluate_model", "analyze_errors", "add_gaussian_noise", "rotate_randomly",
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
# Builders: run them in the sandbox and describe what they return as plain data.
# ---------------------------------------------------------------------------------------------


def reference_baseline() -> tuple[Any, dict[str, Any]]:
    """The course's baseline CNN, built by the grader (never by the student's code)."""
    import keras
    from keras import layers

    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model, {}


def unpack(built: Any, name: str) -> tuple[Any, dict[str, Any]]:
    """``(model, fit_kwargs)`` from what a builder returned (a bare model counts as ``(model, {})``)."""
    import keras

    if isinstance(built, keras.Model):
        return built, {}
    expect_true(isinstance(built, (tuple, list)) and len(built) == 2,
                f"{name}() doit renvoyer un couple (model, fit_kwargs), pas {type(built).__name__}.")
    model, fit_kwargs = built
    expect_true(isinstance(model, keras.Model),
                f"{name}() : le premier élément doit être un modèle Keras, pas {type(model).__name__}.")
    expect_true(isinstance(fit_kwargs, dict),
                f"{name}() : le second élément doit être un dictionnaire (fit_kwargs), "
                f"pas {type(fit_kwargs).__name__}.")
    unknown = sorted(set(fit_kwargs) - set(FIT_KEYS))
    expect_true(not unknown,
                f"{name}() : clés de fit_kwargs : attendu parmi {list(FIT_KEYS)}, obtenu aussi {unknown}.")
    return model, dict(fit_kwargs)


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def _flat_layers(model: Any) -> list[Any]:
    """The layers of a model, nested models (an augmentation block) expanded in place."""
    import keras

    found = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            found.extend(_flat_layers(layer))
        else:
            found.append(layer)
    return found


LAYER_KEYS = ("units", "filters", "kernel_size", "pool_size", "strides", "padding", "rate", "momentum", "factor",
              "height_factor", "width_factor", "mode", "stddev")


def describe_layer(layer: Any) -> dict[str, Any]:
    config = layer.get_config()
    entry: dict[str, Any] = {"type": type(layer).__name__}
    for key in LAYER_KEYS:
        if key in config:
            entry[key] = _plain(config[key])
    if "activation" in config:
        entry["activation"] = canonical(config["activation"])
    regularizers = {}
    for key, value in config.items():
        if key.endswith("_regularizer") and value:
            inner = value.get("config", {}) if isinstance(value, dict) else {}
            regularizers[key] = {"class": value.get("class_name", "") if isinstance(value, dict) else str(value),
                                 "l1": float(inner.get("l1", 0.0) or 0.0), "l2": float(inner.get("l2", 0.0) or 0.0)}
    entry["regularizers"] = regularizers
    entry["constraints"] = sorted(k for k, v in config.items() if k.endswith("_constraint") and v)
    return entry


def describe_optimizer(model: Any) -> dict[str, Any]:
    optimizer = model.optimizer
    config = optimizer.get_config()
    rate = config.get("learning_rate")
    schedule = None
    if isinstance(rate, dict):
        schedule, rate = str(rate.get("class_name", "schedule")), None
    elif not isinstance(rate, (int, float)):
        schedule, rate = type(rate).__name__, None
    return {"class": type(optimizer).__name__, "learning_rate": None if rate is None else float(rate),
            "schedule": schedule, "weight_decay": float(config.get("weight_decay") or 0.0)}


def describe_fit(fit_kwargs: dict[str, Any]) -> dict[str, Any]:
    callbacks = fit_kwargs.get("callbacks") or []
    if not isinstance(callbacks, (list, tuple)):
        callbacks = [callbacks]
    return {"batch_size": _plain(fit_kwargs.get("batch_size")), "epochs": _plain(fit_kwargs.get("epochs")),
            "callbacks": [type(c).__name__ for c in callbacks]}


def describe_built(model: Any, fit_kwargs: dict[str, Any]) -> dict[str, Any]:
    """Plain-data description of one builder's model and training settings (runs in the sandbox)."""
    if not model.built:
        model.build((None, 28, 28, 1))
    compiled = None
    if model.compiled and model.optimizer is not None:
        config = model.get_compile_config()
        loss = config.get("loss")
        metrics = config.get("metrics") or []
        metrics = metrics if isinstance(metrics, (list, tuple)) else [metrics]
        smoothing = loss.get("config", {}).get("label_smoothing", 0.0) if isinstance(loss, dict) else 0.0
        compiled = {"loss": canonical(loss), "label_smoothing": float(smoothing or 0.0),
                    "metrics": [canonical(m) for m in metrics], "optimizer": describe_optimizer(model)}
    images = np.random.default_rng(0).random((3, 28, 28, 1)).astype("float32")
    images[0] = 0.0
    probabilities = np.asarray(model.predict(images, verbose=0), dtype=float)
    return {
        "layers": [describe_layer(layer) for layer in _flat_layers(model)],
        "params": int(model.count_params()),
        "input_shape": _plain(model.input_shape),
        "output_shape": _plain(model.output_shape),
        "probabilities": probabilities,
        "compile": compiled,
        "fit": describe_fit(fit_kwargs),
    }


def best_model_name(sub: Submission) -> str:
    """The literal constant ``BEST_MODEL``, checked against the improved builders' names."""
    name = sub.namespace.get("BEST_MODEL")
    if name is None:
        raise MissingDefinition("La constante `BEST_MODEL` est introuvable : elle doit nommer votre meilleur "
                                "constructeur, par exemple BEST_MODEL = \"create_improved_model_2\" (une chaîne "
                                "littérale, seule sur sa ligne).")
    expect_true(isinstance(name, str) and name in IMPROVED,
                f"BEST_MODEL : attendu le nom d'un des constructeurs {list(IMPROVED)}, obtenu {name!r}.")
    return name


_DESCRIBED: dict[tuple[Any, ...], dict[str, Any]] = {}


def collect_builders(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    """Every builder's description, the grader's own baseline's, and ``BEST_MODEL`` (cached per definitions)."""
    functions = tuple((name, sub.function(name)) for name in BUILDERS)
    key = (*functions, sub.namespace.get("BEST_MODEL"))
    if key not in _DESCRIBED:
        described = {name: describe_built(*unpack(function(), name)) for name, function in functions}
        described["reference"] = describe_built(*reference_baseline())
        best = sub.namespace.get("BEST_MODEL")
        described["best"] = {"present": "BEST_MODEL" in sub.namespace, "value": best if isinstance(best, str)
                             else repr(best)}
        _DESCRIBED[key] = described
    return _DESCRIBED[key]


def _expect_valid(name: str, found: dict[str, Any]) -> None:
    expect_equal(f"{name} : forme d'entrée du modèle", [None, 28, 28, 1], found["input_shape"],
                 "Le modèle reçoit des images (28, 28, 1) normalisées dans [0, 1].")
    expect_equal(f"{name} : forme de sortie du modèle", [None, 10], found["output_shape"])
    probabilities = found["probabilities"]
    expect_true(bool(np.all(probabilities >= -1e-6)) and bool(np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-3)),
                f"{name} : les sorties ne sont pas des probabilités (attendu une dernière activation softmax).")
    compiled = found["compile"]
    if compiled is None:
        raise Failure(f"{name} : le modèle n'est pas compilé ; appelez model.compile(...) avant de le renvoyer.")
    expect_equal(f"{name} : fonction de coût", "categorical_crossentropy", compiled["loss"],
                 "Les étiquettes sont en one-hot (to_categorical) : gardez la perte categorical_crossentropy.")
    expect_true(bool({"accuracy", "categorical_accuracy"} & set(compiled["metrics"])),
                f"{name} : métriques : attendu 'accuracy', obtenu {compiled['metrics']}.")


def judge_valid_models(found: dict[str, Any], secrets: Arrays) -> None:
    for name in BUILDERS:
        _expect_valid(name, found[name])
    if not found["best"]["present"]:
        raise Failure("La constante `BEST_MODEL` est introuvable : elle doit nommer votre meilleur constructeur, "
                      "par exemple BEST_MODEL = \"create_improved_model_2\" (une chaîne littérale).")
    expect_true(found["best"]["value"] in IMPROVED, f"BEST_MODEL : attendu le nom d'un des constructeurs "
                                                    f"{list(IMPROVED)}, obtenu {found['best']['value']!r}.")


def judge_baseline(found: dict[str, Any], secrets: Arrays) -> None:
    baseline = found[BASELINE]
    expect_layers({"layers": [layer for layer in baseline["layers"] if layer["type"] != "InputLayer"]},
                  EXPECTED_BASELINE)
    expect_equal("Nombre de paramètres du modèle de référence", BASELINE_PARAMS, baseline["params"])
    compiled = baseline["compile"] or {}
    optimizer = compiled.get("optimizer") or {}
    expect_equal("Optimiseur du modèle de référence", "Adam", optimizer.get("class"))
    expect_close("Taux d'apprentissage du modèle de référence", 0.001, optimizer.get("learning_rate") or np.nan,
                 rtol=1e-4, hint="Le modèle de référence garde optimizer=\"adam\" (taux 0,001).")
    fit = baseline["fit"]
    expect_true(not fit["callbacks"] and fit["batch_size"] in (None, DEFAULT_BATCH)
                and fit["epochs"] in (None, DEFAULT_EPOCHS),
                f"Le modèle de référence garde l'entraînement par défaut : attendu fit_kwargs = {{}}, obtenu {fit}.")


# ---------------------------------------------------------------------------------------------
# Functions of the study: evaluate_model, compare_models (synthetic data, no dataset needed).
# ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def closing_new_figures() -> Iterator[None]:
    """Close the figures the student's functions open during a check (the notebook's own stay)."""
    import matplotlib.pyplot as plt

    before = set(plt.get_fignums())
    try:
        yield
    finally:
        for number in set(plt.get_fignums()) - before:
            plt.close(number)


def synthetic_digits(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random images in [0, 1] of shape (n, 28, 28, 1) and one-hot labels (n, 10)."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 10
    images = rng.random((n, 28, 28, 1)).astype("float32") * 0.3
    for index, label in enumerate(labels):  # a bright row per class: learnable, not trivial
        images[index, 2 + 2 * label, :, 0] = 1.0
    return images, np.eye(10, dtype="float32")[labels]


def _tiny_model() -> Any:
    import keras

    model = keras.Sequential([keras.Input(shape=(28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def collect_evaluate(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    import keras

    class Recorder(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.epochs, self.steps = 0, None

        def on_train_begin(self, logs: Any = None) -> None:
            self.steps = (self.params or {}).get("steps")

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            self.epochs += 1

    X, Y = synthetic_digits(500)
    recorder, built = Recorder(), []

    def creator() -> tuple[Any, dict[str, Any]]:
        built.append(_tiny_model())
        return built[-1], {"batch_size": 50, "callbacks": [recorder]}

    started = time.perf_counter()
    with closing_new_figures():
        result = sub.function("evaluate_model")(creator, "Modèle de test", X[:400], Y[:400], X[400:], Y[400:],
                                                epochs=2)
    elapsed = time.perf_counter() - started
    expect_equal("Appels de model_creator() par evaluate_model", 1, len(built))
    expect_true(isinstance(result, dict), f"evaluate_model doit renvoyer un dictionnaire, pas {type(result).__name__}.")
    model = built[0]
    history = result.get("history")
    history = getattr(history, "history", history)
    return {
        "keys": sorted(map(str, result)),
        "accuracy": float(np.asarray(result.get("accuracy", np.nan), dtype=float)),
        "expected_accuracy": float(model.evaluate(X[400:], Y[400:], verbose=0)[1]),
        "training_time": float(np.asarray(result.get("training_time", np.nan), dtype=float)),
        "elapsed": elapsed,
        "history": {str(k): len(v) for k, v in dict(history or {}).items()},
        "steps": recorder.steps,
        "epochs_seen": recorder.epochs,
        "model_returned": result.get("model") is model,
    }


def judge_evaluate(found: dict[str, Any], secrets: Arrays) -> None:
    expect_keys("Clés du dictionnaire renvoyé par evaluate_model", {"accuracy", "training_time", "history", "model"},
                dict.fromkeys(found["keys"]))
    expect_equal("Époques d'entraînement pour epochs=2 (comptées par un callback de fit_kwargs)", 2,
                 found["epochs_seen"], "Passez à model.fit les réglages de fit_kwargs, dont callbacks.")
    expect_equal("Pas par époque pour 400 images, validation_split=0.2 et fit_kwargs = {'batch_size': 50}", 7,
                 found["steps"], "320 images d'entraînement / 50 = 7 pas : validation_split=0.2 et batch_size "
                                 "de fit_kwargs (128 par défaut).")
    for key in ("loss", "val_loss", "accuracy", "val_accuracy"):
        expect_equal(f"Longueur de history[{key!r}] pour epochs=2", 2, found["history"].get(key))
    expect_close("Précision renvoyée, comparée à model.evaluate sur le jeu de test", found["expected_accuracy"],
                 found["accuracy"], atol=1e-4, hint="accuracy = précision sur X_test (une fraction entre 0 et 1).")
    expect_true(0 < found["training_time"] <= found["elapsed"] + 1e-3,
                f"training_time doit être la durée de model.fit en secondes : obtenu {found['training_time']:.4g}.")
    expect_true(found["model_returned"], "evaluate_model doit renvoyer le modèle entraîné sous la clé 'model'.")


COMPARE_RESULTS = {
    "Référence": {"accuracy": 0.9125, "training_time": 12.5},
    "Amélioré A": {"accuracy": 0.9550, "training_time": 20.25},
    "Amélioré B": {"accuracy": 0.9375, "training_time": 8.0},
}


def collect_compare(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    import pandas as pd
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    results = {name: {**values, "history": {"loss": [1.0, 0.5], "val_loss": [1.1, 0.6],
                                             "accuracy": [0.8, 0.9], "val_accuracy": [0.79, 0.88]}}
               for name, values in COMPARE_RESULTS.items()}
    with closing_new_figures():
        returned = sub.function("compare_models")(results)
        expect_true(isinstance(returned, (tuple, list)) and len(returned) == 2,
                    "compare_models doit renvoyer un couple (table, figure).")
        table, figure = returned
        expect_true(isinstance(table, pd.DataFrame),
                    f"La table doit être un pandas.DataFrame, pas {type(table).__name__}.")
        expect_true(isinstance(figure, Figure),
                    f"La figure doit être une figure matplotlib, pas {type(figure).__name__}.")
        bars = [[float(p.get_height()) for p in ax.patches if isinstance(p, Rectangle)] for ax in figure.axes]
    return {"index": [str(i) for i in table.index],
            "columns": {str(c): np.asarray(table[c], dtype=float) for c in table.columns
                        if pd.api.types.is_numeric_dtype(table[c])},
            "bars": bars}


def _matches(values: np.ndarray, expected: np.ndarray) -> bool:
    values = np.asarray(values, dtype=float)
    return values.shape == expected.shape and (bool(np.allclose(values, expected, rtol=1e-3))
                                               or bool(np.allclose(values, 100 * expected, rtol=1e-3)))


def judge_compare(found: dict[str, Any], secrets: Arrays) -> None:
    names = list(COMPARE_RESULTS)
    accuracy = np.array([v["accuracy"] for v in COMPARE_RESULTS.values()])
    times = np.array([v["training_time"] for v in COMPARE_RESULTS.values()])
    expect_equal("Lignes de la table (une par modèle, dans l'ordre du dictionnaire)", names, found["index"])
    expect_keys("Colonnes numériques de la table", {"accuracy", "training_time"}, found["columns"])
    if not _matches(found["columns"]["accuracy"], accuracy):
        fail("Colonne accuracy", 100 * accuracy, found["columns"]["accuracy"], "Précisions en %.")
    expect_close("Colonne training_time (s)", times, found["columns"]["training_time"], rtol=1e-6)
    bars = [np.array(b) for b in found["bars"]]
    expect_true(any(_matches(b, accuracy) for b in bars),
                "Figure : attendu un diagramme en barres des précisions des trois modèles (plt.bar / ax.bar), "
                "aucun trouvé.")
    expect_true(any(_matches(b, times) for b in bars),
                "Figure : attendu un diagramme en barres des temps d'entraînement des trois modèles, aucun trouvé.")


# ---------------------------------------------------------------------------------------------
# Checks that read the notebook itself: code style, docstrings, report (no code runs).
# ---------------------------------------------------------------------------------------------


def _not_collected(sub: Submission, inputs: Arrays) -> None:
    raise RuntimeError("inspect-only check")


def _unwritten(functions: dict[str, dict[str, Any]]) -> None:
    missing = [name for name in REQUIRED_FUNCTIONS if name not in functions]
    if missing:
        raise Failure(f"Fonctions attendues introuvables dans le notebook : {', '.join(missing)}.")
    stubs = [name for name in REQUIRED_FUNCTIONS if functions[name]["stub"]]
    if stubs:
        raise Failure(f"Fonctions pas encore écrites (raise NotImplementedError) : {', '.join(stubs)} ; "
                      "le code ne peut pas encore être évalué.")


def inspect_style(notebook: Any) -> dict[str, Any]:
    return {"functions": function_definitions(notebook), "diagnostics": lint_student_cells(notebook)}


def judge_style(found: dict[str, Any], secrets: Arrays) -> None:
    _unwritten(found["functions"])
    diagnostics = found["diagnostics"]
    if diagnostics:
        shown = " ; ".join(f"cellule {d['cell']} ligne {d['row']} : {d['code']} {d['message']}"
                           for d in diagnostics[:5])
        raise Failure(f"Erreurs du linter ruff dans vos cellules : attendu 0, obtenu {len(diagnostics)} ({shown}). "
                      "Vérifiez avec : ruff check --select E4,E7,E9,E501,F --ignore E402 --line-length 120 "
                      "09_mini_project.ipynb")


def inspect_docstrings(notebook: Any) -> dict[str, Any]:
    return {"functions": function_definitions(notebook)}


def judge_docstrings(found: dict[str, Any], secrets: Arrays) -> None:
    functions = found["functions"]
    _unwritten(functions)
    short = [name for name in REQUIRED_FUNCTIONS if word_count(functions[name]["docstring"]) < 5]
    if short:
        raise Failure(f"Docstrings : attendu au moins 5 mots par fonction ; absentes ou trop courtes : "
                      f"{', '.join(short)}.")
    for name in IMPROVED:
        _at_least(f"Mots de la docstring de {name}", 15, word_count(functions[name]["docstring"]),
                  " (la modification et sa justification)")
    docstrings = [" ".join(functions[name]["docstring"].split()) for name in IMPROVED]
    expect_true(len(set(docstrings)) == len(docstrings),
                "Docstrings des trois modèles améliorés : attendu une description propre à chacun, obtenu des "
                "docstrings identiques.")


def inspect_report(notebook: Any) -> dict[str, Any]:
    sections = markdown_sections(notebook)
    found = {}
    for title in REPORT_SECTIONS:
        section = find_section(sections, title)
        found[title] = None if section is None else {"position": sections.index(section), "text": section["text"],
                                                     "words": word_count(section["text"])}
    return {"sections": found, "figures": figure_count(notebook)}


def _sections(found: dict[str, Any], titles: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    missing = [title for title in titles if found["sections"][title] is None]
    if missing:
        raise Failure("Sections du rapport attendues introuvables (titres Markdown, par exemple « ## " + missing[0]
                      + " ») : " + ", ".join(missing) + ".")
    return {title: found["sections"][title] for title in titles}


def _at_least(what: str, minimum: int, found: Any, detail: str = "", hint: str = "") -> None:
    """Raise the usual "attendu … obtenu …" failure for counts (no quotes around the expectation)."""
    count = len(found) if isinstance(found, (list, set, tuple)) else found
    if count < minimum:
        shown = f"{count} ({', '.join(sorted(map(str, found)))})" if isinstance(found, (list, set, tuple)) and found \
            else str(count)
        raise Failure(f"{what} : attendu au moins {minimum}{detail}, obtenu {shown}." + (f" {hint}" if hint else ""))


def _expect_words(sections: dict[str, dict[str, Any]], minimum: dict[str, int]) -> None:
    for title, words in minimum.items():
        _at_least(f"Mots de la section « {title} »", words, sections[title]["words"])


NUMBER = re.compile(r"\d+(?:[.,]\d+)?\s*%|\b\d+[.,]\d+\b")


def _numbers(text: str) -> set[str]:
    return {re.sub(r"\s", "", m) for m in NUMBER.findall(text)}


def judge_documentation_sections(found: dict[str, Any], secrets: Arrays) -> None:
    sections = _sections(found, REPORT_SECTIONS)
    order = sorted(REPORT_SECTIONS, key=lambda title: sections[title]["position"])
    expect_equal("Ordre des sections du rapport", list(REPORT_SECTIONS), order)


def judge_documentation_content(found: dict[str, Any], secrets: Arrays) -> None:
    sections = _sections(found, DOCUMENTATION_SECTIONS)
    _expect_words(sections, {"Introduction": 40, "Modèle de référence": 40, "Améliorations proposées": 120,
                             "Résultats comparatifs": 50})
    text = sections["Améliorations proposées"]["text"]
    for number in (1, 2, 3):
        pattern = rf"(?:improved_model_|am[ée]lior[ée]s?\s*(?:n[o°]\s*)?|mod[èe]le\s*(?:n[o°]\s*)?){number}\b"
        expect_true(re.search(pattern, text, re.I) is not None,
                    f"La section « Améliorations proposées » doit présenter le modèle amélioré {number} "
                    f"(« Modèle amélioré {number} » ou create_improved_model_{number}).")
    _at_least("Résultats chiffrés dans « Résultats comparatifs »", 4,
              len(_numbers(sections["Résultats comparatifs"]["text"])), " (un par modèle)")


def judge_documentation_figures(found: dict[str, Any], secrets: Arrays) -> None:
    _at_least("Figures dans les sorties enregistrées de vos cellules", 4, found["figures"],
              " (courbes, erreurs, robustesse, comparaison)",
              "Figures introuvables : exécutez le notebook et enregistrez-le avec ses sorties.")


def judge_analysis_sections(found: dict[str, Any], secrets: Arrays) -> None:
    sections = _sections(found, ANALYSIS_SECTIONS)
    _expect_words(sections, {"Analyse des erreurs": 60, "Test de robustesse": 60, "Conclusion": 50})


DIGIT = re.compile(r"(?<![\d.,])[0-9](?![\d.,%])")
STRENGTHS = ("force", "avantage", "gain", "amélior", "meilleur", "robuste", "efficace")
WEAKNESSES = ("faiblesse", "limite", "inconvénient", "coût", "fragil", "confusion", "confond", "baisse", "chute",
              "moins ", "sensible", "difficile")
RECOMMENDATIONS = ("recommand", "conseill", "préconis", "suggér", "propos", "piste")


def judge_analysis_evidence(found: dict[str, Any], secrets: Arrays) -> None:
    sections = _sections(found, ("Analyse des erreurs", "Test de robustesse"))
    _at_least("Chiffres (classes 0 à 9) cités dans « Analyse des erreurs »", 2,
              set(DIGIT.findall(sections["Analyse des erreurs"]["text"])), " (les confusions observées)")
    _at_least("Résultats chiffrés dans « Test de robustesse »", 2,
              len(_numbers(sections["Test de robustesse"]["text"])), " (bruit, rotation)")


def judge_analysis_critique(found: dict[str, Any], secrets: Arrays) -> None:
    sections = _sections(found, ("Conclusion",))
    text = " ".join(found["sections"][t]["text"] for t in ANALYSIS_SECTIONS if found["sections"][t]).lower()
    expect_true(any(w in text for w in STRENGTHS) and any(w in text for w in WEAKNESSES),
                "L'analyse doit discuter à la fois des forces et des faiblesses (limites) des modèles.")
    expect_true(any(w in sections["Conclusion"]["text"].lower() for w in RECOMMENDATIONS),
                "La conclusion doit formuler des recommandations pour l'entreprise.")


def _inspect(task: str, name: str, title: str, points: float, inspect: Any, judge: Any,
             provisional: bool = False) -> Check:
    return Check(task, name, title, points, _not_collected, judge, inspect=inspect, provisional=provisional)


CHECKS = [
    Check("relevance", "relevance_valid_models",
          "Les quatre constructeurs renvoient (modèle compilé, fit_kwargs) : 28×28×1 → 10 probabilités, "
          "categorical_crossentropy, accuracy ; BEST_MODEL nomme l'un des trois modèles améliorés", 1,
          collect_builders, judge_valid_models),
    Check("relevance", "relevance_baseline",
          "Modèle de référence : Conv(32)-Pool-Conv(64)-Pool-Dense(128)-Dense(10), adam, entraînement par défaut", 1,
          collect_builders, judge_baseline),
    _inspect("code_quality", "code_style", "Style : aucune erreur du linter ruff dans vos cellules", 1,
             inspect_style, judge_style),
    _inspect("code_quality", "code_docstrings",
             "Documentation du code : une docstring par fonction, la modification justifiée pour chaque modèle "
             "amélioré", 1, inspect_docstrings, judge_docstrings),
    Check("code_quality", "code_evaluate",
          "evaluate_model : fit avec fit_kwargs et validation_split=0.2, précision de test, durée, historique", 0.5,
          collect_evaluate, judge_evaluate),
    Check("code_quality", "code_compare", "compare_models : table (DataFrame) et diagrammes en barres", 0.5,
          collect_compare, judge_compare, timeout_s=30),
    _inspect("documentation", "documentation_sections",
             "Rapport complet : les sept sections du cours, dans l'ordre (estimation provisoire)", 1,
             inspect_report, judge_documentation_sections, provisional=True),
    _inspect("documentation", "documentation_content",
             "Rapport : sections développées, chaque amélioration présentée, résultats chiffrés (estimation "
             "provisoire)", 1, inspect_report, judge_documentation_content, provisional=True),
    _inspect("documentation", "documentation_figures",
             "Rapport illustré : au moins 4 figures dans les sorties du notebook (estimation provisoire)", 1,
             inspect_report, judge_documentation_figures, provisional=True),
    _inspect("analysis", "analysis_sections",
             "Analyse : erreurs, robustesse et conclusion développées (estimation provisoire)", 1,
             inspect_report, judge_analysis_sections, provisional=True),
    _inspect("analysis", "analysis_evidence",
             "Analyse appuyée sur les résultats : chiffres confondus, précisions sur données altérées (estimation "
             "provisoire)", 1, inspect_report, judge_analysis_evidence, provisional=True),
    _inspect("analysis", "analysis_critique",
             "Analyse critique : forces et faiblesses, recommandations (estimation provisoire)", 1,
             inspect_report, judge_analysis_critique, provisional=True),
]
