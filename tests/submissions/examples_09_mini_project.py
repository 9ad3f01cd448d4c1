"""Example submissions of 09_mini_project and the exact outcome a careful instructor expects."""

from __future__ import annotations

from tests.submissions.variants import Variant

ASSIGNMENT = "09_mini_project"

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
        "The report lacks Introduction, Modèle de référence and Test de robustesse (provisional checks of "
        "documentation and analysis fail; an instructor confirms or overrides them).",
        frozenset({"documentation_sections", "documentation_content", "analysis_sections", "analysis_evidence"}),
        INCOMPLETE_REPORT,
    ),
    Variant(
        "wrong_sloppy_code",
        "Working models, but an unused import, a builder documented by a bare comment instead of a docstring, and "
        "evaluate_model ignoring fit_kwargs (the builders' batch sizes and callbacks are lost).",
        frozenset({"code_style", "code_docstrings", "code_evaluate"}),
        SLOPPY_CODE,
    ),
]
