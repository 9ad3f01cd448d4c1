"""Public tests of 00_fundamentals: students run these with ``autograder check``.

Every expected value is computed here with numpy (or comes from running the revision sheet's
own code), never by torch inside the sandbox. The quiz's questions are public (``quiz.py``);
its answer key lives only in ``test_hidden.py``.
"""

from __future__ import annotations

import numpy as np

from a00_fundamentals import probes
from a00_fundamentals.inputs import SHEET_IMAGE, SHEET_KERNEL, SHEET_SCORES, linear_problem, regression_inputs
from a00_fundamentals.judging import (
    expect_batches,
    expect_descent,
    expect_float,
    expect_items,
    expect_numbers,
    expect_trained_line,
    numpy_cross_correlation,
    numpy_softmax,
    reference_linear_training,
    values_of,
)
from a00_fundamentals.quiz import QUESTIONS
from autograder.checks.expect import expect_close, expect_equal, expect_keys, expect_true
from autograder.checks.keras_model import expect_layers
from autograder.checks.qcm import expect_answered
from autograder.grader import graded

# --- 1. Activation functions -------------------------------------------------------------------


@graded(1, task="activations")
def test_activations_examples(student):
    """ReLU, sigmoïde et softmax sur les exemples de la fiche"""
    found = {"relu": student.run(probes.on_tensors, "relu", np.array([-1.0, 0.0, 1.0], dtype=np.float32)),
             "sigmoid": student.run(probes.on_tensors, "sigmoid", np.array([0.0], dtype=np.float32)),
             "softmax": student.run(probes.on_tensors, "softmax", SHEET_SCORES, dim=0)}
    expect_close("relu(tensor([-1., 0., 1.]))", [0.0, 0.0, 1.0], values_of(found["relu"]), hint="ReLU(x) = max(0, x).")
    expect_close("sigmoid(tensor([0.]))", [0.5], values_of(found["sigmoid"]), hint="sigmoïde(x) = 1 / (1 + exp(-x)).")
    expect_close("softmax(tensor([1., 2., 3.]), dim=0)", numpy_softmax(SHEET_SCORES), values_of(found["softmax"]),
                 hint="softmax(x) = exp(x) / somme des exp(x) : des valeurs positives de somme 1.")
    expect_equal("Types renvoyés", {"relu": "Tensor", "sigmoid": "Tensor", "softmax": "Tensor"},
                 {name: value["type"] for name, value in found.items()},
                 "Calculez avec des opérations de torch et renvoyez des tenseurs.")


# --- 2. Tensors, linspace, arange --------------------------------------------------------------

SHEET_TENSORS = {
    "matrix": ([2, 2], np.array([[1.0, 2.0], [3.0, 4.0]])),
    "zeros": ([3, 3], np.zeros((3, 3))),
    "normal": ([3, 3], None),
    "linspace": ([5], np.array([0.0, 2.5, 5.0, 7.5, 10.0])),
    "arange": ([5], np.array([0.0, 2.0, 4.0, 6.0, 8.0])),
}


@graded(1, task="tensors")
def test_tensors_values(tensors):
    """Tenseurs de la fiche : formes et valeurs (tensor, zeros, randn, linspace, arange)"""
    expect_keys("Clés du dictionnaire renvoyé par sheet_tensors", set(SHEET_TENSORS), tensors)
    for key, (shape, values) in SHEET_TENSORS.items():
        found = values_of(tensors[key])
        expect_equal(f"Forme de « {key} »", shape, list(found.shape))
        if values is not None:
            expect_close(f"Valeurs de « {key} »", values, found)


# --- 3. Autograd ----------------------------------------------------------------------------------


@graded(1, task="autograd")
def test_grad_square(student):
    """Autograd : dérivée de x² en 1 (exemple de la fiche) et en d'autres points"""
    found = student.run(probes.derivatives, [("square", 1.0), ("square", 3.0), ("square", -2.5)])
    first, *others = (expect_float("Valeur renvoyée par derivative", value) for value in found)
    expect_close("derivative(x ↦ x², 1.0), l'exemple de la fiche", 2.0, first, hint="(x²)' = 2x.")
    expect_close("derivative(x ↦ x², x0) pour x0 = 3 et -2,5", [6.0, -5.0], others)


# --- 4. Gradient descent ------------------------------------------------------------------------

#: Running the sheet's own code (θ0 = 0.2, α = 0.01, limite = 100, ε = 0.01) gives θ and cpt.
SHEET_DESCENT = (1.7612848281860352, 100)


@graded(1, task="descent")
def test_descent_sheet(student):
    """Descente de gradient de la fiche : θ final (un float) et nombre d'itérations"""
    found = student.run(probes.descent, "sheet_quadratic", theta0=0.2, alpha=0.01, limit=100, epsilon=0.01)
    expect_descent("f(θ) = (θ − 2)², θ0 = 0,2, α = 0,01, limite 100, ε = 0,01", SHEET_DESCENT, found["result"])
    expect_equal("Type du θ final renvoyé", "float", found["types"][0],
                 "Renvoyez un nombre : theta.item(), pas le tenseur θ.")


# --- 5. SGD with momentum --------------------------------------------------------------------------


@graded(1, task="momentum")
def test_momentum_optimizer(student):
    """Optimiseur SGD avec momentum (lr=0.01, momentum=0.9) sur tout le modèle"""
    found = student.run(probes.optimizer)
    expect_equal("Type de l'optimiseur", "SGD", found["type"], "Utilisez torch.optim.SGD.")
    expect_true(found["covers_model"], "L'optimiseur doit recevoir tous les paramètres du modèle : "
                                       "model.parameters() (poids et biais).")
    for group in found["groups"]:
        expect_close("Taux d'apprentissage lr", 0.01, expect_float("Taux d'apprentissage lr", group["lr"]))
        expect_close("momentum", 0.9, expect_float("momentum", group["momentum"]),
                     hint="La fiche utilise momentum=0.9.")
        expect_equal("nesterov", False, group["nesterov"])


@graded(1, task="momentum")
def test_train_steps_losses(student):
    """Boucle d'entraînement : pertes (des floats) des 5 premiers pas de SGD simple"""
    X, y = linear_problem(20)
    found = student.run(probes.train_steps, X, y, 5, lr=0.1, momentum=0.0)
    losses = expect_numbers("train_steps", found["losses"], "une liste de pertes (floats)")
    expected, _, _ = reference_linear_training(found["weight"], found["bias"], X, y, 5, lr=0.1, momentum=0.0)
    expect_equal("Nombre de pertes renvoyées pour steps=5", 5, len(losses))
    expect_close("Pertes MSE avant chacun des 5 pas (SGD simple, lr=0.1)", expected, losses, rtol=1e-4,
                 hint="À chaque pas : optimizer.zero_grad(), perte MSE sur tout le lot, loss.backward(), "
                      "optimizer.step() ; gardez loss.item().")
    expect_equal("Types des pertes renvoyées", ["float"] * 5, found["loss_types"],
                 "Gardez loss.item() (un float) : le tenseur loss retient tout son graphe de calcul.")


# --- 6. Linear regression -----------------------------------------------------------------------


@graded(1, task="regression")
def test_regression_data(student):
    """Données de la fiche : X = linspace(0, 10, 100) en colonne, y = 3X + bruit"""
    found = student.run(probes.returned, "make_linear_data")
    X, y = expect_items("make_linear_data", found, 2, "un couple (X, y)")
    expect_equal("Types de X et y", ["Tensor", "Tensor"], [X["type"], y["type"]])
    X, y = values_of(X), values_of(y)
    expect_equal("Forme de X (une colonne, comme l'attend nn.Linear(1, 1))", (100, 1), X.shape,
                 "Utilisez .reshape(-1, 1).")
    expect_equal("Forme de y", (100, 1), y.shape)
    expect_close("X = linspace(0, 10, 100)", np.linspace(0, 10, 100).reshape(-1, 1), X, rtol=1e-5, atol=1e-5)
    noise = y - 3 * X
    expect_close("Écart-type du bruit y − 3X (bruit normal d'écart-type 2)", 2.0, float(noise.std()), rtol=0.25)
    expect_close("Moyenne du bruit y − 3X", 0.0, float(noise.mean()), atol=0.8)


@graded(1, task="regression")
def test_regression_model(student):
    """Régression : un nn.Linear(1, 1) entraîné est renvoyé"""
    found = student.run(probes.fit, *regression_inputs(), epochs=5, lr=0.01)
    expect_trained_line(found)
    expect_equal("Forme des prédictions pour X de forme (100, 1)", [100, 1], found["prediction_shape"])


# --- 7. Convolution -----------------------------------------------------------------------------------


@graded(1, task="convolution")
def test_conv_sheet(student):
    """Convolution à la main : l'exemple de la fiche"""
    found = values_of(student.run(probes.on_tensors, "conv2d_by_hand", SHEET_IMAGE, SHEET_KERNEL))
    expected = numpy_cross_correlation(SHEET_IMAGE, SHEET_KERNEL)  # [[-4, -4], [-4, -4]]
    flipped = numpy_cross_correlation(SHEET_IMAGE, np.flip(SHEET_KERNEL))
    hint = ("Vous avez retourné le noyau (convolution mathématique) : conv2d et les couches Conv2D ne le "
            "retournent pas (corrélation croisée)." if found.shape == flipped.shape and np.allclose(found, flipped)
            else "Chaque sortie est la somme des produits terme à terme du noyau et de la fenêtre de l'image "
                 "qu'il recouvre.")
    expect_close("Convolution de l'image 3×3 de la fiche par le noyau [[1, 0], [0, -1]]", expected, found, hint=hint)


# --- 8. Loss functions ----------------------------------------------------------------------------------

#: ``choose_loss`` may return the loss module or its functional form (same loss, same values).
FUNCTIONAL_LOSSES = {"mse_loss": "MSELoss", "binary_cross_entropy": "BCELoss"}


def loss_class(found: dict[str, str]) -> str:
    """The loss module's class name, also for its ``torch.nn.functional`` form (``F.mse_loss``: ``MSELoss``)."""
    if found["module"] == "torch.nn.functional":
        return FUNCTIONAL_LOSSES.get(found["name"], found["type"])
    return found["type"]


@graded(1, task="losses")
def test_losses_choice(student):
    """Choix de la perte : MSE pour la régression, BCE pour le binaire"""
    found = student.run(probes.loss_choices, ["regression", "binary"])
    expect_equal("Perte choisie pour une régression", "MSELoss", loss_class(found["regression"]),
                 "Régression : erreur quadratique moyenne, nn.MSELoss().")
    expect_equal("Perte choisie pour une classification binaire", "BCELoss", loss_class(found["binary"]),
                 "Classification binaire avec une sortie sigmoïde : nn.BCELoss().")


# --- 9. Batching with a DataLoader ----------------------------------------------------------------


@graded(1, task="batching")
def test_batching_counts(student):
    """DataLoader : nombre de lots et taille du dernier lot"""
    found = student.run(probes.loader_epochs, 100, None)
    expect_equal("Type renvoyé", "DataLoader", found["type"], "Utilisez torch.utils.data.DataLoader.")
    expect_equal("Nombre de lots pour 100 exemples et batch_size=32 (valeur par défaut)", 4, found["length"])
    expect_equal("Tailles des lots d'une époque", [32, 32, 32, 4],
                 [len(batch["rows"]) for batch in expect_batches(found["epochs"][0])],
                 "Le dernier lot garde les 100 − 3 × 32 = 4 exemples restants (drop_last=False).")


# --- 10. The sheet's Keras CNN ------------------------------------------------------------------------

EXPECTED_CNN = [
    {"type": "Conv2D", "filters": 8, "kernel_size": [3, 3], "strides": [3, 3], "padding": "same",
     "activation": "relu"},
    {"type": "BatchNormalization"},
    {"type": "MaxPooling2D", "pool_size": [2, 2], "strides": [2, 2], "padding": "same"},
    {"type": "Conv2D", "filters": 16, "kernel_size": [3, 3], "strides": [3, 3], "padding": "same",
     "activation": "relu"},
    {"type": "BatchNormalization"},
    {"type": "MaxPooling2D", "pool_size": [2, 2], "strides": [2, 2], "padding": "same"},
    {"type": "Flatten"},
    {"type": "Dense", "units": 10, "activation": "softmax"},
]


@graded(1, task="cnn")
def test_cnn_layers(cnn):
    """CNN de la fiche : couches et hyperparamètres"""
    expect_layers(cnn, EXPECTED_CNN)


@graded(1, task="cnn")
def test_cnn_labels(student):
    """Étiquettes en format catégorique (one-hot)"""
    found = student.run(probes.returned, "one_hot_labels", np.array([3, 0, 9, 3]), 10)
    expected = np.zeros((4, 10))
    expected[[0, 1, 2, 3], [3, 0, 9, 3]] = 1.0
    expect_close("one_hot_labels([3, 0, 9, 3], 10)", expected, values_of(found),
                 hint="Chaque étiquette k devient un vecteur de 10 zéros avec un 1 en position k (to_categorical).")


# --- 11. Multiple-choice quiz -----------------------------------------------------------------------


@graded(1, task="qcm")
def test_qcm_format(answers):
    """QCM : une lettre valide pour chacune des 24 questions"""
    expect_answered(answers, QUESTIONS)
