"""Example submissions of 09_mini_project and the exact outcome a careful instructor expects."""

from __future__ import annotations

import re

import nbformat

from tests.submissions.variants import Variant

ASSIGNMENT = "09_mini_project"


def _without_section(grade_id: str, title: str):
    """An ``edit`` that removes one ``## title`` section (heading and text) from the report cell ``grade_id``."""

    def edit(notebook: nbformat.NotebookNode) -> None:
        (cell,) = [c for c in notebook.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id]
        section = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |^### END SOLUTION)", re.M | re.S)
        cell.source, count = section.subn("", cell.source)
        if count != 1:
            raise ValueError(f"no section {title!r} in the cell {grade_id}")

    return edit


SINGLE_FAMILY = {
    "create_improved_model_1": '''
def create_improved_model_1():
    """Hyper-paramètres : batchs de 32 images au lieu de 128, soit quatre fois plus
    de mises à jour des poids à chaque époque pour le même coût de calcul."""
    model, _ = create_baseline_model()
    return model, {"batch_size": 32}
''',
    "create_improved_model_2": '''
def create_improved_model_2():
    """Hyper-paramètres : taux d'apprentissage d'Adam doublé (0,002) pour converger
    plus vite quand le nombre d'époques est limité."""
    model, _ = create_baseline_model()
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.002),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model, {}
''',
    "create_improved_model_3": '''
def create_improved_model_3():
    """Hyper-paramètres : optimiseur RMSprop et batchs de 64, un autre compromis
    entre vitesse de convergence et stabilité des mises à jour."""
    model, _ = create_baseline_model()
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model, {"batch_size": 64}
''',
    "best_model": 'BEST_MODEL = "create_improved_model_1"',
}

WORSE_THAN_BASELINE = {
    "create_improved_model_2": '''
def create_improved_model_2():
    """Régularisation et hyper-paramètres : Dropout(0.25) et descente de gradient
    stochastique (SGD) à 0,01, réputée plus stable qu'Adam."""
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.25),
            layers.Dense(128, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model, {}
''',
}

INCOMPLETE_REPORT = {
    "documentation": """
## Améliorations proposées

J'ai testé trois modèles. Le modèle amélioré 1 ajoute un troisième bloc de convolution en padding "same" et un
Dropout de 0,3 : plus de filtres pour reconnaître des formes plus complexes, et le dropout pour ne pas
sur-apprendre. Le modèle amélioré 2 garde l'architecture mais ajoute du Dropout, double le taux d'apprentissage
d'Adam et divise la taille des batchs par deux, ce qui fait plus de mises à jour par époque. Le modèle amélioré 3
ajoute des rotations, zooms et décalages aléatoires pendant l'entraînement, avec un arrêt anticipé et une baisse du
taux d'apprentissage quand la validation stagne. Chaque modèle change une ou deux choses seulement pour que l'on
puisse comprendre d'où vient le gain, et tous sont entraînés avec la même graine et les mêmes données.

## Résultats comparatifs

Le modèle de référence obtient 98,9 %, le modèle 1 99,1 %, le modèle 2 99,0 % et le modèle 3 98,8 % de précision
sur le test. Le modèle 1 est le plus lent à entraîner à cause du troisième bloc. Les écarts sont faibles mais
réguliers sur les courbes de validation, qui montrent aussi moins de sur-apprentissage avec le dropout.
""",
    "analysis": """
## Analyse des erreurs

Le meilleur modèle se trompe surtout sur les 9 pris pour des 4 et les 7 pris pour des 2 : ces chiffres ont des
tracés proches quand la boucle du 9 est ouverte ou quand le 7 a une barre. Les autres chiffres ont des taux d'erreur
très faibles, en dessous de 1 %. Beaucoup d'images mal classées sont d'ailleurs difficiles à lire même pour un humain,
ce qui montre une limite des données plus que du modèle.

## Conclusion

Le modèle amélioré 2 est le meilleur compromis : il gagne en précision sans coûter plus cher à entraîner. Sa
faiblesse reste la confusion entre 4 et 9. Je recommande à l'entreprise de l'utiliser, en ajoutant de l'augmentation
de données et en faisant vérifier par un humain les prédictions peu sûres.
""",
}

SLOPPY_CODE = {
    "create_improved_model_1": '''
def create_improved_model_1():
    # modele 1
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, kernel_size=(3, 3), padding="same", activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), padding="same", activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(128, kernel_size=(3, 3), padding="same", activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.3),
            layers.Dense(128, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model, {}
''',
    "evaluate_model": '''
import os


def evaluate_model(model_creator, model_name, X_train, y_train, X_test, y_test, epochs=5):
    """Entraîne et évalue un modèle."""
    model, fit_kwargs = model_creator()
    start = time.perf_counter()
    history = model.fit(X_train, y_train, epochs=epochs, batch_size=128, validation_split=0.2, verbose=0)
    training_time = time.perf_counter() - start
    loss, accuracy = model.evaluate(X_test, y_test, verbose=0)
    plt.plot(history.history["accuracy"], label="train")
    plt.plot(history.history["val_accuracy"], label="val")
    plt.title(model_name)
    plt.legend()
    plt.show()
    return {"accuracy": accuracy, "training_time": training_time, "history": history.history, "model": model}
''',
}

BUILDER_RETURNS_LIST = {
    "create_improved_model_3": '''
def create_improved_model_3():
    """Stratégie d'entraînement : le modèle de référence, avec un arrêt anticipé et une réduction du taux
    d'apprentissage quand la perte de validation ne baisse plus."""
    model, _ = create_baseline_model()
    callbacks = [
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True),
    ]
    return model, callbacks
''',
}

#: The four builders with the functional API (keras.Input + keras.Model), and loss, optimizer and metric objects.
FUNCTIONAL_API = {
    "create_baseline_model": '''
def create_baseline_model():
    """Modèle de référence de l'entreprise : CNN Conv(32)-Pool-Conv(64)-Pool-Dense(128)-Dense(10).

    Returns:
        (model, fit_kwargs) : le modèle compilé (Adam, entropie croisée, précision) et {}.
    """
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(32, 3, activation="relu")(inputs)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(128, activation="relu")(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs, outputs, name="reference")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss=keras.losses.CategoricalCrossentropy(),
        metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")],
    )
    return model, {}
''',
    "create_improved_model_1": '''
def create_improved_model_1():
    """Architecture et régularisation : trois blocs de convolution (32, 64, 128 filtres) en padding "same",
    qui gardent les bords de l'image, puis un Dropout(0.3) contre le sur-apprentissage de ce réseau plus grand."""
    inputs = keras.Input(shape=(28, 28, 1))
    x = inputs
    for filters in (32, 64, 128):
        x = layers.Conv2D(filters, (3, 3), padding="same", activation="relu")(x)
        x = layers.MaxPooling2D((2, 2))(x)
    x = layers.Dropout(0.3)(layers.Flatten()(x))
    x = layers.Dense(128, activation="relu")(x)
    model = keras.Model(inputs, layers.Dense(10, activation="softmax")(x))
    model.compile(
        optimizer=keras.optimizers.Adam(),
        loss=keras.losses.CategoricalCrossentropy(),
        metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")],
    )
    return model, {}
''',
    "create_improved_model_2": '''
def create_improved_model_2():
    """Régularisation et hyper-paramètres : Dropout(0.25) après Flatten et après la couche dense, Adam à 0,002
    et batchs de 64, pour plus de mises à jour des poids par époque sans sur-apprendre."""
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(32, (3, 3), activation="relu")(inputs)
    x = layers.MaxPooling2D((2, 2))(x)
    x = layers.Conv2D(64, (3, 3), activation="relu")(x)
    x = layers.MaxPooling2D((2, 2))(x)
    x = layers.Dropout(0.25)(layers.Flatten()(x))
    x = layers.Dropout(0.25)(layers.Dense(128, activation="relu")(x))
    model = keras.Model(inputs, layers.Dense(10, activation="softmax")(x))
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.002),
        loss=keras.losses.CategoricalCrossentropy(),
        metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")],
    )
    return model, {"batch_size": 64}
''',
    "create_improved_model_3": '''
def create_improved_model_3():
    """Augmentation de données et stratégie d'entraînement : un bloc de rotations (±15°), zooms et décalages
    aléatoires devant le réseau de référence, et des callbacks qui réduisent le taux d'apprentissage puis
    arrêtent l'entraînement quand la validation stagne."""
    augmentation = keras.Sequential(
        [layers.RandomRotation(0.04), layers.RandomZoom(0.1), layers.RandomTranslation(0.1, 0.1)],
        name="augmentation",
    )
    inputs = keras.Input(shape=(28, 28, 1))
    x = augmentation(inputs)
    x = layers.MaxPooling2D((2, 2))(layers.Conv2D(32, (3, 3), activation="relu")(x))
    x = layers.MaxPooling2D((2, 2))(layers.Conv2D(64, (3, 3), activation="relu")(x))
    x = layers.Dense(128, activation="relu")(layers.Flatten()(x))
    model = keras.Model(inputs, layers.Dense(10, activation="softmax")(x))
    model.compile(
        optimizer=keras.optimizers.Adam(),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.0),
        metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")],
    )
    callbacks = [
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True),
    ]
    return model, {"callbacks": callbacks}
''',
}

#: The study's functions written other ways: model.evaluate, History objects, numpy arrays of rates,
#: subplot / barh / pandas plotting.
ALTERNATIVE_FUNCTIONS = {
    "evaluate_model": '''
def evaluate_model(model_creator, model_name, X_train, y_train, X_test, y_test, epochs=5):
    """Entraîne le modèle d'un constructeur (réglages de fit_kwargs prioritaires), mesure sa précision de test
    avec model.evaluate et trace ses courbes d'apprentissage."""
    model, fit_kwargs = model_creator()
    start = time.perf_counter()
    history = model.fit(
        X_train,
        y_train,
        epochs=fit_kwargs.get("epochs", epochs),
        batch_size=fit_kwargs.get("batch_size", 128),
        callbacks=fit_kwargs.get("callbacks"),
        validation_split=0.2,
        verbose=0,
    )
    training_time = time.perf_counter() - start
    _, accuracy = model.evaluate(X_test, y_test, verbose=0)

    plt.figure(figsize=(12, 4))
    for position, key in enumerate(("accuracy", "loss"), start=1):
        plt.subplot(1, 2, position)
        plt.plot(history.history[key], label="entraînement")
        plt.plot(history.history["val_" + key], label="validation")
        plt.title(f"{model_name} : {key}")
        plt.legend()
    plt.show()
    return {"accuracy": accuracy, "training_time": training_time, "history": history, "model": model}
''',
    "analyze_errors": '''
def analyze_errors(model, X, y, name="Meilleur modèle"):
    """Indices des images mal classées et taux d'erreur de chaque chiffre (tableau numpy de 10 valeurs)."""
    y = np.asarray(y)
    true_classes = np.argmax(y, axis=-1) if y.ndim > 1 else y.astype(int)
    pred_classes = np.argmax(model.predict(X, verbose=0), axis=-1)
    wrong = pred_classes != true_classes
    error_by_digit = np.bincount(true_classes[wrong], minlength=10) / np.maximum(
        np.bincount(true_classes, minlength=10), 1
    )
    fig, ax = plt.subplots()
    ax.bar(np.arange(10), error_by_digit)
    ax.set_title(f"Taux d'erreur par chiffre - {name}")
    plt.show()
    shown = np.where(wrong)[0][:6]
    if len(shown):
        fig, axes = plt.subplots(1, len(shown), squeeze=False)
        for ax, index in zip(axes[0], shown):
            ax.imshow(X[index, :, :, 0], cmap="gray")
            ax.set_xlabel(f"{true_classes[index]} lu {pred_classes[index]}")
        plt.show()
    return {"misclassified": list(np.where(wrong)[0]), "error_by_digit": error_by_digit}
''',
    "add_gaussian_noise": '''
def add_gaussian_noise(X, sigma=0.1, seed=0):
    """Bruit gaussien d'écart-type sigma ajouté aux images, valeurs bornées à [0, 1] ; X reste inchangé."""
    noise = sigma * np.random.default_rng(seed).standard_normal(X.shape)
    return np.minimum(np.maximum(X + noise, 0.0), 1.0)
''',
    "rotate_randomly": '''
def rotate_randomly(X, max_angle=15, seed=0):
    """Chaque image tournée d'un angle tiré uniformément dans [-max_angle, max_angle] degrés."""
    angles = np.random.default_rng(seed).uniform(-max_angle, max_angle, len(X))
    return np.stack([rotate(image, angle, axes=(0, 1), reshape=False) for image, angle in zip(X, angles)])
''',
    "test_robustness": '''
def test_robustness(model, X, y, seed=0, name="Meilleur modèle"):
    """Précisions du modèle sur les images normales, bruitées (σ = 0,1) et tournées (±15°), en fractions."""
    labels = np.asarray(y)
    if labels.ndim > 1:
        labels = labels.argmax(axis=-1)
    scores = {}
    for key, images in (
        ("normal", X),
        ("noisy", add_gaussian_noise(X, 0.1, seed)),
        ("rotated", rotate_randomly(X, 15, seed)),
    ):
        probabilities = keras.ops.convert_to_numpy(model(images, training=False))
        scores[key] = float((probabilities.argmax(axis=-1) == labels).mean())
    fig, axes = plt.subplots(1, 3)
    for ax, key in zip(axes, scores):
        ax.set_title(f"{key} : {scores[key]:.1%}")
    plt.show()
    return scores
''',
    "compare_models": '''
def compare_models(results):
    """Table des précisions (%) et des temps d'entraînement, avec deux diagrammes en barres (barh et pandas)."""
    table = pd.DataFrame.from_dict(
        {name: {"accuracy": 100 * r["accuracy"], "training_time": r["training_time"]} for name, r in results.items()},
        orient="index",
    )
    fig = plt.figure(figsize=(12, 4))
    ax_accuracy = fig.add_subplot(1, 2, 1)
    ax_accuracy.barh(table.index, table["accuracy"])
    ax_accuracy.set_xlabel("Précision (%)")
    ax_time = fig.add_subplot(1, 2, 2)
    table["training_time"].plot.bar(ax=ax_time, title="Temps d'entraînement (s)")
    return table, fig
''',
}

VARIANTS = [
    Variant(
        "wrong_single_family",
        "Three 'improvements' that only tune hyper-parameters (batch size, learning rate, optimizer): the best one "
        "beats the baseline, but only one family of modification is explored.",
        frozenset({"relevance_families"}),
        SINGLE_FAMILY,
    ),
    Variant(
        "wrong_worse_than_baseline",
        "BEST_MODEL swaps Adam for plain SGD at 0.01: under the grader's budget it learns far more slowly and is "
        "worse than the baseline.",
        frozenset({"improvement_beats_baseline", "improvement_gain"}),
        WORSE_THAN_BASELINE,
    ),
    Variant(
        "wrong_incomplete_report",
        "The report lacks Introduction, Modèle de référence and Test de robustesse: the provisional check that "
        "names missing sections fails (an instructor confirms or overrides it); the content checks judge the "
        "sections that are there, which are complete, so the missing sections are not deducted again.",
        frozenset({"documentation_sections"}),
        INCOMPLETE_REPORT,
        messages={"documentation_sections": "Introduction, Modèle de référence, Test de robustesse"},
    ),
    Variant(
        "wrong_missing_one_section",
        "The reference report without its Introduction: it costs documentation_sections only (before the "
        "fairness fix, documentation_content failed too, for the same missing section).",
        frozenset({"documentation_sections"}),
        edit=_without_section("documentation", "Introduction"),
        messages={"documentation_sections": "« ## Introduction »"},
    ),
    Variant(
        "wrong_builder_returns_list",
        "create_improved_model_3 returns (model, callbacks) with a list instead of the fit_kwargs dict: only "
        "relevance_valid_models fails; the other builders are still judged (before, every relevance check "
        "failed for this one mistake).",
        frozenset({"relevance_valid_models"}),
        BUILDER_RETURNS_LIST,
        messages={"relevance_valid_models": "le second élément doit être un dictionnaire (fit_kwargs), pas list"},
    ),
    Variant(
        "wrong_sloppy_code",
        "Working models, but an unused import, a builder documented by a bare comment instead of a docstring, and "
        "evaluate_model ignoring fit_kwargs (the builders' batch sizes and callbacks are lost).",
        frozenset({"code_style", "code_docstrings", "code_evaluate"}),
        SLOPPY_CODE,
    ),
    Variant(
        "valid_functional_api",
        "The four builders written with keras.Input + keras.Model (the augmentation as a nested Sequential "
        "block), compiled with optimizer, loss and metric objects (CategoricalAccuracy named 'accuracy').",
        frozenset(),
        FUNCTIONAL_API,
    ),
    Variant(
        "valid_alternative_functions",
        "The study's functions written other ways: evaluate_model with model.evaluate and the History object, "
        "analyze_errors with a numpy array of rates and a list of indices, noise and rotation with other numpy "
        "and scipy calls, test_robustness calling the model directly, compare_models with fig.add_subplot, "
        "horizontal bars (barh) and a pandas bar plot.",
        frozenset(),
        ALTERNATIVE_FUNCTIONS,
    ),
]
