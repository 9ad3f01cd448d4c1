"""Public tests of 02_mnist_cnn: students run these with ``autograder check``.

PyTorch runs in the sandbox only (``probes.py``): these tests judge plain data with numpy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from a02_mnist_cnn import probes
from a02_mnist_cnn.inputs import MEAN, STD, confusion_sample, evaluation_problem, gradient_image, small_classification
from autograder.checks.classification import expect_confusion_matrix
from autograder.checks.expect import expect_close, expect_equal, expect_true, fail
from autograder.checks.torch_model import AnyOf, expect_operation_shapes, expect_param_count, expect_torch_layers
from autograder.grader import graded

PARAMS = 206_922  # 1×16×9+16 + 16×32×9+32 + 1568×128+128 + 128×10+10
EXPECTED_LAYERS = [
    {"type": "Conv2d", "in_channels": 1, "out_channels": 16, "kernel_size": 3, "padding": AnyOf(1, "same")},
    {"type": "ReLU"},
    {"type": "MaxPool2d", "kernel_size": 2, "stride": 2},
    {"type": "Conv2d", "in_channels": 16, "out_channels": 32, "kernel_size": 3, "padding": AnyOf(1, "same")},
    {"type": "ReLU"},
    {"type": "MaxPool2d", "kernel_size": 2, "stride": 2},
    {"type": "Linear", "in_features": 1568, "out_features": 128},
    {"type": "ReLU"},
    {"type": "Linear", "in_features": 128, "out_features": 10},
]
LAYERS_HINT = ("Attendu : conv1 = Conv2d → ReLU → MaxPool2d, conv2 = Conv2d → ReLU → MaxPool2d, aplatissement, "
               "fc1 = Linear → ReLU, fc2 = Linear, sans softmax final.")
LOADERS = (("train", "d'entraînement", 60000, 64), ("test", "de test", 10000, 1000))


# ---------------------------------------------------------------------------------------------- data


@graded(1, task="data")
def test_data_transform(student):
    """Transformation : ToTensor puis Normalize((0.1307,), (0.3081,))"""
    found = student.run(probes.transform, gradient_image())
    if not found["tensor"]:
        fail("Type renvoyé par la transformation d'une image", "un tenseur torch (Tensor)", found["type"],
             "La transformation doit commencer par transforms.ToTensor().")
    values = found["values"]
    expect_equal("Forme d'une image transformée (canaux, hauteur, largeur)", [1, 28, 28], list(values.shape))
    pixels = gradient_image() / 255.0
    if np.allclose(values[0], pixels, atol=1e-5):
        fail("Pixels transformés", "(x - 0.1307) / 0.3081", "x dans [0, 1], non normalisé",
             "Ajoutez transforms.Normalize((0.1307,), (0.3081,)) après ToTensor().")
    expect_close("Pixels après ToTensor puis Normalize((0.1307,), (0.3081,))", ((pixels - MEAN) / STD)[None],
                 values, atol=1e-5,
                 hint="ToTensor ramène les pixels dans [0, 1], puis Normalize calcule (x - 0.1307) / 0.3081.")


@graded(2, task="data")
def test_data_loaders(student):
    """Chargeurs : 60 000 / 10 000 images, lots de 64 et de 1000, tenseurs (N, 1, 28, 28)"""
    found = student.run(probes.loaders)
    for key, name, size, batch in LOADERS:
        loader = found[key]
        expect_equal(f"Nombre d'images du jeu {name}", size, loader["size"],
                     "MNIST(..., train=True) pour l'entraînement, train=False pour le test.")
        expect_equal(f"Taille de lot (batch_size) du chargeur {name}", batch, loader["batch_size"])
        expect_equal(f"Forme du premier lot d'images {name}", [batch, 1, 28, 28], loader["images"])
        expect_equal(f"Type des images {name}", "torch.float32", loader["images_dtype"])
        expect_equal(f"Forme du premier lot d'étiquettes {name}", [batch], loader["labels"])
        expect_equal(f"Type des étiquettes {name}", "torch.int64", loader["labels_dtype"])


# ---------------------------------------------------------------------------------------------- model


@pytest.fixture(scope="module")
def cnn(student) -> dict[str, Any]:
    """``MnistCNN()`` described by :func:`probes.model`."""
    return student.run(probes.model)


@graded(2, task="model")
def test_model_layers(cnn):
    """Architecture : Conv(1→16) ReLU Pool, Conv(16→32) ReLU Pool, Linear(1568→128) ReLU, Linear(128→10)"""
    expect_torch_layers(cnn, EXPECTED_LAYERS, hint=LAYERS_HINT)


@graded(2, task="model")
def test_model_shapes(cnn):
    """Formes intermédiaires : 16×14×14, 32×7×7, 1568, 128, 10"""
    expect_equal("Forme de la sortie pour un lot de 2 images", [2, 10], cnn["output_shape"],
                 "Une ligne de 10 scores (logits) par image.")
    pooling = "Chaque bloc : convolution (padding=1 garde la taille), ReLU, puis MaxPool2d(2) divise la taille par 2."
    expect_operation_shapes(cnn, [("MaxPool2d", 1, "output", (16, 14, 14)),
                                  ("MaxPool2d", 2, "output", (32, 7, 7))], pooling)
    expect_operation_shapes(cnn, [("Linear", 1, "input", (1568,))], "Aplatissez : 32 × 7 × 7 = 1568 valeurs par image.")
    expect_operation_shapes(cnn, [("Linear", 1, "output", (128,)), ("Linear", 2, "output", (10,))])


@graded(1, task="model")
def test_model_params(cnn):
    """Nombre de paramètres (206 922)"""
    expect_param_count(cnn, PARAMS, "1×16×9+16 + 16×32×9+32 + 1568×128+128 + 128×10+10 = 206 922.")


# ---------------------------------------------------------------------------------------------- train


@pytest.fixture(scope="module")
def training_log(student) -> dict[str, Any]:
    """``train_one_epoch`` on 8 batches of 32 (:func:`small_classification`), as :func:`probes.training_log` saw it."""
    return student.run(probes.training_log, *small_classification(), batch_size=32)


@graded(1, task="train")
def test_train_mean_loss(training_log):
    """Entraînement : renvoie la perte moyenne des lots de l'époque"""
    expect_true(bool(training_log["losses"]), "loss_fn doit calculer la perte de chaque lot, "
                                              "loss_fn(sorties, étiquettes) : elle n'a jamais été appelée.")
    returned = training_log["returned"]
    expect_true(returned is not None, "train_one_epoch doit renvoyer la perte moyenne de l'époque (un nombre).")
    expect_true(not training_log["returned_graph"], "train_one_epoch doit renvoyer un nombre (float), pas un tenseur "
                                                    "relié au graphe de calcul : additionnez loss.item(), sinon le "
                                                    "graphe de chaque lot reste en mémoire pendant toute l'époque.")
    losses, sizes = np.array(training_log["losses"]), np.array(training_log["sizes"])
    per_batch, per_example = losses.mean(), (losses * sizes).sum() / sizes.sum()
    if np.isclose(returned, per_example, rtol=1e-4):
        return
    hint = "Additionnez loss.item() de chaque lot, puis divisez par le nombre de lots (len(loader))."
    if np.isclose(returned, losses.sum(), rtol=1e-4):
        hint = "Vous renvoyez la somme des pertes : divisez-la par le nombre de lots. " + hint
    elif np.isclose(returned, losses[-1], rtol=1e-4):
        hint = "Vous renvoyez la perte du dernier lot seulement. " + hint
    expect_close("Perte moyenne renvoyée (moyenne des pertes des 8 lots)", per_batch, returned, rtol=1e-4, hint=hint)


@graded(1, task="train")
def test_train_updates(training_log):
    """Entraînement : zero_grad, backward et step à chaque lot"""
    expect_equal("Appels à optimizer.step() pour 8 lots", 8, training_log["steps"],
                 "Un pas d'optimisation par lot : optimizer.step() dans la boucle sur les lots.")
    stale = [i + 1 for i, fresh in enumerate(training_log["fresh"]) if not fresh]
    expect_true(not stale, f"Au lot {stale[0] if stale else 0}, les gradients utilisés par optimizer.step() ne sont "
                           "pas ceux du lot courant : appelez optimizer.zero_grad() avant loss.backward(), "
                           "sinon les gradients s'accumulent d'un lot à l'autre.")
    expect_true(training_log["changed"], "Les poids du modèle n'ont pas changé pendant l'époque.")


# ---------------------------------------------------------------------------------------------- evaluate


@pytest.fixture(scope="module")
def evaluation(student) -> dict[str, Any]:
    """``evaluate`` on :func:`evaluation_problem`'s linear model (batches of 100, 100 and 50)."""
    return student.run(probes.evaluation, *evaluation_problem())


@graded(1, task="evaluate")
def test_evaluate_accuracy(evaluation, evaluation_answer):
    """Évaluation : accuracy = bonnes réponses / nombre d'exemples"""
    accuracy = evaluation["accuracy"]
    expect_true(0.0 <= accuracy <= 1.0, f"L'accuracy doit être une proportion entre 0 et 1, obtenu {accuracy:g} : "
                                        "divisez le nombre de bonnes réponses par le nombre d'images.")
    expect_close("Accuracy sur 250 exemples (lots de 100, 100 et 50)", evaluation_answer["accuracy"], accuracy,
                 atol=1e-6, hint="Comptez les bonnes réponses sur tous les lots puis divisez par le nombre total "
                                 "d'exemples (len(loader.dataset)), pas par le nombre de lots.")


@graded(1, task="evaluate")
def test_evaluate_predictions(evaluation, evaluation_answer):
    """Évaluation : une classe prédite (argmax) par exemple, dans l'ordre"""
    predictions = evaluation["predictions"]
    expect_equal("Forme des prédictions (une classe par exemple, dans l'ordre du chargeur)", [250],
                 list(predictions.shape))
    expect_close("Classes prédites (argmax des scores)", evaluation_answer["predictions"], predictions, atol=0,
                 hint="La classe prédite est l'indice du plus grand score : sorties.argmax(dim=1).")


# ---------------------------------------------------------------------------------------------- confusion


@graded(1, task="confusion")
def test_confusion_counts(student):
    """Matrice de confusion 10×10 (lignes = vraies classes)"""
    y_true, y_pred = confusion_sample()
    expect_confusion_matrix(student.run(probes.confusion, y_true, y_pred, 10), y_true, y_pred, 10)


# ---------------------------------------------------------------------------------------------- graph


@pytest.fixture(scope="module")
def graph(student) -> dict[str, Any]:
    """``computation_graph`` of a small MLP, built without Graphviz (:func:`probes.graph`)."""
    return student.run(probes.graph)


@graded(1, task="graph")
def test_graph_built(graph):
    """Graphe de calcul torchviz construit à partir de model(x)"""
    expect_equal("Type renvoyé par computation_graph", "Digraph", graph["class"],
                 "Renvoyez le graphe construit par torchviz.make_dot(...).")
    for node, meaning in (("AddmmBackward0", "les couches Linear"), ("ReluBackward0", "la ReLU")):
        expect_true(node in graph["source"], f"Le graphe ne contient pas le nœud {node} ({meaning}) : construisez-le "
                                             "à partir de la sortie model(x) du modèle reçu en argument.")


@graded(1, task="graph")
def test_graph_parameters(graph):
    """Graphe de calcul : paramètres nommés (params=...)"""
    names = ["0.weight", "0.bias", "2.weight", "2.bias"]
    expect_equal("Paramètres nommés dans le graphe", names, [n for n in names if f'"{n}' in graph["source"]],
                 "Passez params=dict(model.named_parameters()) à make_dot pour nommer les poids.")
