"""Hidden tests of 00_fundamentals: run only at grading time, never shipped to students.

The quiz's answer key lives here only: this file runs in the grading process, and the sandbox,
where the student's code runs, imports ``probes`` alone (and what it imports), never this file.
"""

from __future__ import annotations

import numpy as np
import pytest

from a00_fundamentals import hidden_probes, probes
from a00_fundamentals.hidden_inputs import (
    EXTREME_INPUTS,
    LARGE_SCORES,
    activation_inputs,
    convolution_inputs,
    loss_inputs,
    noiseless_line,
)
from a00_fundamentals.hidden_judging import numpy_sigmoid
from a00_fundamentals.inputs import CNN_INPUT, linear_problem
from a00_fundamentals.judging import (
    expect_batches,
    expect_descent,
    expect_float,
    expect_numbers,
    expect_trained_line,
    numpy_cross_correlation,
    numpy_softmax,
    reference_linear_training,
    values_of,
)
from a00_fundamentals.quiz import QUESTIONS
from autograder.checks.expect import expect_close, expect_equal, expect_true
from autograder.checks.keras_model import expect_compiled
from autograder.checks.qcm import expect_answer
from autograder.checks.thresholds import Threshold
from autograder.grader import graded, hidden

pytestmark = hidden

# --- 1. Activation functions -------------------------------------------------------------------


@graded(1, task="activations")
def test_activations_random(student):
    """Activations comparées à torch sur des tenseurs aléatoires, argument dim de softmax"""
    data = activation_inputs()
    matrix, cube = data["matrix"], data["cube"]

    def run(name, x, **kwargs):
        return values_of(student.run(probes.on_tensors, name, x, **kwargs))

    expect_close("relu sur un tenseur aléatoire 4×5", np.maximum(matrix, 0), run("relu", matrix), atol=1e-6)
    expect_close("sigmoid sur un tenseur aléatoire 4×5", numpy_sigmoid(matrix), run("sigmoid", matrix), atol=1e-6)
    expect_close("softmax sur un tenseur 4×5 (dim=-1 par défaut)", numpy_softmax(matrix), run("softmax", matrix),
                 atol=1e-6, hint="Normalisez sur la dimension dim (sommes avec keepdim=True).")
    expect_close("softmax(x, dim=0) sur un tenseur 4×5", numpy_softmax(matrix, axis=0), run("softmax", matrix, dim=0),
                 atol=1e-6, hint="Respectez l'argument dim : chaque colonne doit sommer à 1.")
    expect_close("softmax(x, dim=1) sur un tenseur 2×3×4", numpy_softmax(cube, axis=1), run("softmax", cube, dim=1),
                 atol=1e-6)


@graded(1, task="activations")
def test_activations_stable(student):
    """Stabilité numérique : softmax et sigmoïde sur de grandes valeurs"""
    softmax = values_of(student.run(probes.on_tensors, "softmax", LARGE_SCORES, dim=1))
    sigmoid = values_of(student.run(probes.on_tensors, "sigmoid", EXTREME_INPUTS))
    # rtol 1e-4: near ±1000, float32's spacing is 6e-5, so a stable softmax that does not subtract the exact
    # maximum (exp(x − logsumexp(x))) is off by up to ~3e-5 relative; an unstable one gives nan.
    expect_close("softmax([[1000, 1001, 1002], [-1000, -1001, -1002]], dim=1)", numpy_softmax(LARGE_SCORES, 1),
                 softmax, rtol=1e-4, atol=1e-6,
                 hint="exp(1000) déborde (inf / inf = nan) : soustrayez le maximum de chaque ligne avant "
                      "l'exponentielle, softmax(x) = softmax(x − max x).")
    expect_close("sigmoid([-100, -20, 20, 100])", numpy_sigmoid(EXTREME_INPUTS), sigmoid, atol=1e-6,
                 hint="Écrivez 1 / (1 + exp(−x)) : exp(x) / (1 + exp(x)) donne inf / inf = nan pour x grand.")


@graded(1, task="activations")
def test_activations_by_hand(student):
    """Activations écrites à la main (sans torch.relu, torch.sigmoid, torch.softmax)"""
    used = student.run(hidden_probes.activation_library_calls, activation_inputs()["matrix"])
    expect_equal("Fonctions d'activation toutes faites appelées par relu, sigmoid ou softmax", [], used,
                 "Écrivez les formules vous-même avec des opérations élémentaires (torch.exp, torch.clamp, "
                 "torch.maximum, sommes…), sans torch.relu, torch.sigmoid ni torch.softmax.")


# --- 2. Tensors -------------------------------------------------------------------------------------

EXPECTED_DTYPES = {"matrix": "torch.float32", "zeros": "torch.float32", "normal": "torch.float32",
                   "linspace": "torch.float32", "arange": "torch.int64"}
NORMAL_DRAWS = 200


@graded(1, task="tensors")
def test_tensors_dtypes(tensors):
    """Types des tenseurs (float32, int64 pour arange)"""
    for key, dtype in EXPECTED_DTYPES.items():
        found = tensors.get(key, {"type": "NoneType", "dtype": ""})
        expect_equal(f"Type de « {key} »", "Tensor", found["type"], "Créez des tenseurs torch, pas des tableaux numpy.")
        hint = ("arange(0, 10, 2) avec des bornes entières donne des entiers (int64)." if key == "arange"
                else "Valeurs réelles : float32, le type par défaut de torch.")
        expect_equal(f"dtype de « {key} »", dtype, found["dtype"], hint)


@graded(1, task="tensors")
def test_tensors_normal(student):
    """randn : un nouveau tirage normal centré réduit à chaque appel"""
    found = student.run(hidden_probes.normal_draws, NORMAL_DRAWS)
    expect_true(isinstance(found, np.ndarray),
                f"sheet_tensors()[\"normal\"] : attendu un dictionnaire avec la clé « normal », obtenu {found}.")
    expect_equal("Forme de 200 tirages de « normal »", (NORMAL_DRAWS, 3, 3), found.shape)
    expect_true(not np.allclose(found[0], found[1]),
                "Deux appels de sheet_tensors donnent le même tenseur « normal » : tirez-le avec torch.randn à "
                "chaque appel.")
    expect_close("Moyenne de 1 800 valeurs de « normal » (loi normale centrée réduite)", 0.0, float(found.mean()),
                 atol=0.1, hint="torch.randn tire selon N(0, 1) ; torch.rand tire uniformément dans [0, 1).")
    expect_close("Écart-type de 1 800 valeurs de « normal »", 1.0, float(found.std()), atol=0.1)


# --- 3. Autograd ----------------------------------------------------------------------------------

GRADIENT_CASES = [  # (function of probes.FUNCTIONS, x0, f'(x0), description)
    ("cubic", 2.0, 10.0, "x³ − 2x en 2"),
    ("wave", 0.5, float(np.sin(0.5) + 0.5 * np.cos(0.5)), "x·sin(x) en 0,5"),
    ("growth", 0.0, 2.0, "exp(2x) en 0"),
    ("sheet_quadratic", 0.2, -3.6, "(x − 2)² en 0,2"),
]


@graded(1, task="autograd")
def test_grad_functions(student):
    """Autograd : dérivées de quatre autres fonctions"""
    found = student.run(probes.derivatives, [(function, x0) for function, x0, _, _ in GRADIENT_CASES])
    for (_, _, expected, what), value in zip(GRADIENT_CASES, found, strict=True):
        expect_close(f"Dérivée de {what}", expected, expect_float(f"Dérivée de {what}", value), rtol=1e-5, atol=1e-6)


@graded(1, task="autograd")
def test_grad_autograd_used(student):
    """Autograd utilisé (requires_grad, backward, un float renvoyé), pas de différences finies"""
    found = student.run(hidden_probes.recorded_derivative, "cube", 1.5)
    expect_true(bool(found["calls"]), "derivative n'a pas appelé f.")
    expect_true(all(tensor and grad for tensor, grad in found["calls"]),
                "derivative doit appeler f sur un tenseur créé avec requires_grad=True, puis utiliser backward() "
                "et x.grad : pas de différences finies.")
    expect_close("Dérivée de x³ en 1,5", 6.75, expect_float("Dérivée de x³ en 1,5", found["value"]), rtol=1e-5)
    expect_equal("Type de la valeur renvoyée par derivative", "float", found["type"],
                 "Renvoyez un nombre : x.grad.item(), pas le tenseur x.grad.")


# --- 4. Gradient descent ------------------------------------------------------------------------
#: Expected (θ, cpt): the sheet's own code run with these parameters, f(θ) = (θ − 2)², θ0 = 0.2 unless given.
STOPPING_CASES = [
    ({"alpha": 0.1, "limit": 100, "epsilon": 0.01}, (1.9965183734893799, 28), "α = 0,1 (arrêt par ε)"),
    ({"alpha": 0.1, "limit": 100, "epsilon": 0.5}, (1.8067264556884766, 10), "α = 0,1, ε = 0,5"),
    ({"alpha": 0.01, "limit": 1, "epsilon": 0.01}, (0.23600000143051147, 1), "limite = 1"),
    # θ0 = 1,75: the first gradient is exactly −0,5 = −ε, so the loop (|gradient| > ε) never runs.
    ({"theta0": 1.75, "alpha": 0.5, "limit": 100, "epsilon": 0.5}, (2.0, 1), "θ0 = 1,75, |gradient| = ε = 0,5"),
]


@graded(1, task="descent")
def test_descent_stopping(student):
    """Descente de gradient : conditions d'arrêt (ε, limite) et arguments"""
    for kwargs, expected, what in STOPPING_CASES:
        found = student.run(probes.descent, "sheet_quadratic", **{"theta0": 0.2, **kwargs})
        expect_descent(what, expected, found["result"],
                       "Arrêt dès que |gradient| ≤ ε ou que cpt atteint la limite ; la première mise à jour compte "
                       "pour cpt = 1 ; utilisez les arguments alpha, limit et epsilon.")


@graded(1, task="descent")
def test_descent_other_functions(student):
    """Descente de gradient sur d'autres fonctions, avec autograd"""
    quadratic = student.run(probes.descent, "shifted_quadratic", theta0=4.0, alpha=0.05, limit=500, epsilon=1e-3)
    quartic = student.run(probes.descent, "quartic", theta0=3.0, alpha=0.01, limit=50, epsilon=0.01)
    expect_true(bool(quadratic["calls"]) and all(grad for _, grad in quadratic["calls"]),
                "gradient_descent doit appeler f sur un tenseur θ créé avec requires_grad=True et obtenir le "
                "gradient par backward().")
    # The sheet's own code on these functions gives these values.
    expect_descent("f(θ) = 3(θ + 1)² + 0,5, θ0 = 4, α = 0,05, limite 500, ε = 0,001", (-0.9998872876167297, 30),
                   quadratic["result"], "Utilisez la fonction f reçue en argument et theta0.")
    expect_descent("f(θ) = (θ − 1)⁴, θ0 = 3, α = 0,01, limite 50", (1.475011944770813, 50), quartic["result"], "")


# --- 5. SGD with momentum --------------------------------------------------------------------------
MOMENTUM_STEPS = 30


@graded(1, task="momentum")
def test_momentum_trajectory(student):
    """Entraînement avec momentum : pertes et poids identiques à la référence"""
    X, y = linear_problem(21)
    found = student.run(probes.train_steps, X, y, MOMENTUM_STEPS, lr=0.01, momentum=0.9)
    losses = expect_numbers("train_steps", found["losses"], "une liste de pertes (floats)")
    expected, W, b = reference_linear_training(found["weight"], found["bias"], X, y, MOMENTUM_STEPS, 0.01, 0.9)
    hint = ("Un seul pas de l'optimiseur reçu par itération, après optimizer.zero_grad() : sans remise à zéro, "
            "les gradients s'additionnent d'un pas à l'autre.")
    expect_equal("Nombre de pertes renvoyées", MOMENTUM_STEPS, len(losses))
    expect_close("Pertes des 30 pas de SGD avec momentum 0,9", expected, losses, rtol=1e-4, hint=hint)
    expect_close("Poids après 30 pas", W, found["final_weight"], rtol=1e-4, atol=1e-6, hint=hint)
    expect_close("Biais après 30 pas", b, found["final_bias"], rtol=1e-4, atol=1e-6, hint=hint)


# --- 6. Linear regression -----------------------------------------------------------------------
SLOPE_EPOCHS, SLOPE_LR = 100, 0.01
#: Calibration (``python -m benchmarks.calibrate 00_fundamentals regression_slope --seeds 10``): with the
#: sheet's data (X = linspace(0, 10, 100), y = 3X + 2·N(0, 1), drawn after the grader seeds torch) and its
#: training (nn.Linear(1, 1), MSE, SGD lr=0.01, 100 full-batch epochs), the reference's slope is off 3 by
#: 0.002-0.135 over seeds 0-9 (mean 0.070). The limit, 0.25, keeps a margin of 0.115 over the worst seed; a
#: loop without zero_grad is off by 1.16-2.02 (seeds 0-4), an untrained layer by 2-4.
SLOPE_THRESHOLD = Threshold(
    metric="Écart |pente − 3| de la droite apprise (y = 3x + bruit)",
    limit=0.25,
    lower_is_better=True,
    calibration="reference 0.002-0.135 over seeds 0-9 at 100 epochs, lr 0.01 (mean 0.070)",
)


@graded(2, task="regression", timeout_s=60)
def test_regression_slope(student, record_property):
    """Régression : pente apprise proche de 3"""
    found = student.run(hidden_probes.fit_sheet_data, SLOPE_EPOCHS, SLOPE_LR)
    expect_trained_line(found)
    SLOPE_THRESHOLD.expect(abs(float(found["weight"].ravel()[0]) - 3.0),
                           f"{SLOPE_EPOCHS} époques (SGD, lr = {SLOPE_LR})", record=record_property)


@graded(1, task="regression")
def test_regression_arguments(student):
    """Régression : epochs et lr respectés, pente et biais retrouvés"""
    found = student.run(probes.fit, *noiseless_line(), epochs=1000, lr=0.02)
    expect_trained_line(found)
    hint = "Utilisez les arguments epochs et lr, et un nn.Linear avec biais."
    expect_close("Pente apprise sur y = −2x + 5 sans bruit (1 000 époques, lr = 0,02)", -2.0,
                 float(found["weight"].ravel()[0]), rtol=0, atol=0.02, hint=hint)
    expect_close("Ordonnée à l'origine apprise sur y = −2x + 5", 5.0, float(found["bias"].ravel()[0]), rtol=0,
                 atol=0.1, hint=hint)


# --- 7. Convolution -----------------------------------------------------------------------------------


@graded(1, task="convolution")
def test_conv_random(student):
    """Convolution comparée à conv2d sur des images et noyaux d'autres tailles"""
    for image, kernel in convolution_inputs():
        found = values_of(student.run(probes.on_tensors, "conv2d_by_hand", image, kernel))
        expect_close(f"Image {image.shape[0]}×{image.shape[1]}, noyau {kernel.shape[0]}×{kernel.shape[1]}, comparée "
                     "à torch.nn.functional.conv2d", numpy_cross_correlation(image, kernel), found, atol=1e-5,
                     hint="Sortie de forme (H − kh + 1, W − kw + 1) ; parcourez lignes et colonnes séparément.")


@graded(1, task="convolution")
def test_conv_by_hand(student):
    """Convolution écrite à la main (sans conv2d)"""
    used = student.run(hidden_probes.convolution_library_calls, *convolution_inputs()[0])
    expect_equal("Fonctions de convolution toutes faites appelées par conv2d_by_hand", [], used,
                 "Faites glisser le noyau vous-même (deux boucles et une somme de produits) ; conv2d ne sert "
                 "qu'à vérifier.")


# --- 8. Loss functions ----------------------------------------------------------------------------------


@graded(1, task="losses")
def test_losses_values(student):
    """Pertes : valeurs de MSE et BCE, ValueError pour une tâche inconnue"""
    data = loss_inputs()
    found = student.run(hidden_probes.loss_values, data, "clustering")
    error = np.asarray(data["prediction"], dtype=float) - np.asarray(data["target"], dtype=float)
    expect_close("Perte de régression sur 3 exemples (moyenne des carrés des écarts)", float(np.mean(error**2)),
                 expect_float("Perte de régression", found["mse"]),
                 hint="nn.MSELoss() avec sa réduction par défaut (la moyenne).")
    p, t = np.asarray(data["probability"], dtype=float), np.asarray(data["label"], dtype=float)
    expect_close("Perte binaire sur 3 probabilités", float(-np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))),
                 expect_float("Perte binaire", found["bce"]), rtol=1e-5,
                 hint="nn.BCELoss() reçoit des probabilités (sortie de sigmoïde) ; BCEWithLogitsLoss attend des "
                      "scores bruts.")
    if not found["unknown"]["value_error"]:  # a subclass of ValueError is a ValueError
        expect_equal("Exception levée par choose_loss(\"clustering\")", "ValueError", found["unknown"]["type"],
                     "Pour une tâche inconnue, levez ValueError (raise ValueError(...)).")


# --- 9. Batching ------------------------------------------------------------------------------------------


@graded(1, task="batching")
def test_batching_shuffle(student):
    """DataLoader : exemples mélangés à chaque époque"""
    epochs = student.run(probes.loader_epochs, 100, 32, epochs=2)["epochs"]
    first, second = (np.concatenate([batch["rows"] for batch in expect_batches(batches)]) for batches in epochs)
    hint = "Passez shuffle=True au DataLoader : l'ordre des exemples change à chaque époque."
    expect_true(not np.array_equal(first, np.sort(first)),
                "Les lots d'une époque arrivent dans l'ordre des données : attendu un ordre mélangé. " + hint)
    expect_true(not np.array_equal(first, second),
                "Deux époques donnent le même ordre : attendu un nouveau mélange à chaque époque. " + hint)


@graded(1, task="batching")
def test_batching_pairs(student):
    """DataLoader : batch_size respecté, chaque couple (X, y) vu une fois"""
    found = student.run(probes.loader_epochs, 45, 10)
    batches = expect_batches(found["epochs"][0])
    expect_equal("Nombre de lots pour 45 exemples et batch_size=10", 5, found["length"],
                 "Utilisez l'argument batch_size.")
    expect_equal("Tailles des lots pour 45 exemples et batch_size=10", [10, 10, 10, 10, 5],
                 sorted((len(batch["rows"]) for batch in batches), reverse=True))
    rows = np.concatenate([batch["rows"] for batch in batches])
    expect_equal("Exemples vus en une époque (chacun une fois)", list(range(45)), sorted(rows.tolist()))
    expect_close("Cibles y alignées sur les lignes de X dans chaque lot", 10.0 * rows,
                 np.concatenate([batch["y"] for batch in batches]),
                 hint="Le DataLoader doit porter les couples (X[i], y[i]) : TensorDataset(X, y).")


# --- 10. The sheet's Keras CNN ------------------------------------------------------------------------
EXPECTED_SHAPES = [[10, 10, 8], [10, 10, 8], [5, 5, 8], [2, 2, 16], [2, 2, 16], [1, 1, 16], [16], [10]]


@graded(1, task="cnn")
def test_cnn_shapes(cnn):
    """CNN : forme de l'entrée et forme de sortie de chaque couche"""
    expect_equal("Forme de l'entrée du CNN, sans la dimension du lot", list(CNN_INPUT), cnn["input_shape"],
                 "Images MNIST : keras.Input(shape=(28, 28, 1)).")
    expect_equal("Formes de sortie des couches, sans la dimension du lot", EXPECTED_SHAPES, cnn["shapes"],
                 "Conv2D(strides=3, padding='same') : plafond(28 / 3) = 10 ; MaxPooling2D(2, padding='same') : "
                 "plafond(10 / 2) = 5 ; puis 2, 1, et Flatten donne 1 × 1 × 16 = 16.")


@graded(1, task="cnn")
def test_cnn_params(student, cnn):
    """CNN : nombre de paramètres (1 514 pour 10 classes)"""
    expect_equal("Nombre de paramètres du CNN à 10 classes", 1514, cnn["params"],
                 "3×3×1×8+8 = 80, BatchNormalization 4×8 = 32, 3×3×8×16+16 = 1 168, 4×16 = 64, 16×10+10 = 170.")
    expect_equal("Nombre de paramètres du CNN pour n_classes=3", 1395, student.run(probes.cnn, 3, CNN_INPUT)["params"],
                 "La couche de sortie doit avoir n_classes neurones.")


@graded(1, task="cnn")
def test_cnn_compile(cnn):
    """CNN : compilation (rmsprop, categorical_crossentropy, accuracy)"""
    expect_compiled(cnn, optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])


# --- 11. Multiple-choice quiz -----------------------------------------------------------------------
QCM_POINTS = 0.5
#: ``{question: (letter, explanation)}``; explanations name the concept, never show code.
ANSWER_KEY: dict[str, tuple[str, str]] = {
    "q01": ("b", "Un neurone fait la somme de ses entrées pondérées par ses poids, ajoute un biais, puis applique "
                 "une fonction d'activation ; poids et biais sont les paramètres appris."),
    "q02": ("a", "Une composition de couches linéaires reste linéaire : les activations (ReLU, sigmoïde…) "
                 "apportent la non-linéarité qui permet de modéliser des relations complexes."),
    "q03": ("c", "ReLU(x) = max(0, x) : les valeurs négatives deviennent 0, les autres sont gardées ; [−1, 0, 1] "
                 "donne [0, 0, 1]."),
    "q04": ("b", "La sigmoïde ramène tout score entre 0 et 1 : on la lit comme la probabilité de la classe 1 "
                 "(sigmoïde(0) = 0,5)."),
    "q05": ("d", "Softmax passe chaque score à l'exponentielle puis divise par leur somme : K valeurs positives de "
                 "somme 1, une probabilité par classe."),
    "q06": ("c", "linspace(début, fin, n) donne n valeurs équidistantes, les deux bornes incluses : 0 ; 2,5 ; 5 ; "
                 "7,5 ; 10."),
    "q07": ("a", "arange(début, fin, pas) avance d'un pas fixe et exclut la borne de fin : 0, 2, 4, 6, 8, des "
                 "entiers."),
    "q08": ("d", "La dérivée de x² est 2x, soit 2 en x = 1 ; backward() la range dans le gradient de x."),
    "q09": ("a", "La rétropropagation applique la dérivation en chaîne de la sortie vers l'entrée pour obtenir le "
                 "gradient de la perte par rapport à chaque poids ; l'optimiseur s'en sert pour corriger les poids."),
    "q10": ("c", "Une couche dense relie chaque entrée à chaque sortie : 3 × 2 = 6 poids, plus un biais par sortie, "
                 "soit 8 paramètres."),
    "q11": ("b", "test_size=0.2 réserve 20 % des exemples au test : 200 sur 1 000 ; les 800 autres servent à "
                 "l'entraînement."),
    "q12": ("b", "Une époque est un passage complet sur toutes les données d'entraînement ; on en enchaîne "
                 "plusieurs pour que le modèle apprenne."),
    "q13": ("d", "1 000 = 31 × 32 + 8 : 31 lots complets et un dernier lot de 8, gardé par défaut ; shuffle=True "
                 "mélange l'ordre à chaque époque."),
    "q14": ("c", "Pour prédire une valeur continue, on minimise l'erreur quadratique moyenne (MSE) ; l'entropie "
                 "croisée binaire sert à la classification binaire."),
    "q15": ("a", "L'entropie croisée binaire compare une probabilité prédite à l'étiquette 0 ou 1 : elle attend "
                 "des valeurs entre 0 et 1, d'où la sigmoïde en sortie."),
    "q16": ("d", "On avance dans la direction opposée au gradient, d'un pas proportionnel au taux d'apprentissage : "
                 "θ moins α fois le gradient."),
    "q17": ("b", "PyTorch additionne les gradients à chaque backward() : sans remise à zéro avant chaque calcul, la "
                 "mise à jour utiliserait la somme des gradients passés."),
    "q18": ("c", "Un pas trop grand saute par-dessus le minimum : la perte oscille ou augmente (divergence). Un pas "
                 "trop petit converge lentement."),
    "q19": ("a", "Le momentum garde une vitesse : chaque pas ajoute 0,9 fois le pas précédent au gradient courant ; "
                 "la descente accélère dans les directions régulières et oscille moins."),
    "q20": ("c", "EarlyStopping surveille la perte de validation et arrête l'entraînement après 5 époques sans "
                 "amélioration (la patience), ce qui limite le sur-apprentissage."),
    "q21": ("d", "history.history garde une valeur par époque pour chaque perte et métrique : « loss » est la perte "
                 "d'entraînement, « val_loss » celle de validation."),
    "q22": ("d", "Le noyau glisse sans être retourné : en haut à gauche, 1×1 + 0×2 + 0×4 − 1×5 = −4, et chaque "
                 "position donne −4 ; la sortie fait (3 − 2 + 1) × (3 − 2 + 1) = 2 × 2."),
    "q23": ("b", "Avec padding='same' et un pas de 3, la sortie fait plafond(28 / 3) = 10 pixels de côté ; les 8 "
                 "filtres donnent 8 canaux : 10×10×8."),
    "q24": ("a", "BatchNormalization normalise les activations de chaque lot puis applique une échelle et un "
                 "décalage appris : l'entraînement est plus stable et plus rapide."),
}


@graded(QCM_POINTS, task="qcm")
@pytest.mark.parametrize("question", QUESTIONS, ids=[question.id for question in QUESTIONS])
def test_qcm(answers, question):
    """QCM {question.id} : {question.topic}"""
    expect_answer(answers, question, *ANSWER_KEY[question.id])
