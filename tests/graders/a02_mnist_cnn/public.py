"""Public checks of 02_mnist_cnn: students run these with ``autograder check``.

PyTorch is imported inside the ``collect`` halves only: the grading process judges plain data.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from autograder.checks.classification import expect_confusion_matrix
from autograder.checks.expect import expect_close, expect_equal, expect_true, fail
from autograder.checks.torch_model import (
    AnyOf,
    describe_torch_model,
    expect_operation_shapes,
    expect_param_count,
    expect_torch_layers,
    single_threaded,
)
from autograder.grading.spec import Arrays, Check, Failure, Submission

MEAN, STD = 0.1307, 0.3081  # MNIST pixel statistics, after ToTensor
IMAGE_SHAPE = (1, 28, 28)
PARAMS = 206_922  # 1×16×9+16 + 16×32×9+32 + 1568×128+128 + 128×10+10


def to_numpy(value: Any) -> np.ndarray:
    """A tensor, array, number or list of numbers as a numpy array (gradients detached)."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise Failure(f"Un tableau de nombres (ou un tenseur) était attendu, obtenu {type(value).__name__}.")
    return array


def as_number(value: Any, what: str) -> float:
    """A Python float from a number, a numpy scalar or a one-element tensor."""
    try:
        return float(to_numpy(value).reshape(()))
    except (Failure, ValueError, TypeError) as error:
        raise Failure(f"{what} : un nombre était attendu, obtenu {type(value).__name__}.") from error


# ---------------------------------------------------------------------------------------------- data


def gradient_image() -> np.ndarray:
    """A 28×28 uint8 image whose pixels run through every value from 0 to 255."""
    return (np.arange(28 * 28) * 255 // (28 * 28 - 1)).astype(np.uint8).reshape(28, 28)


def collect_transform(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    from PIL import Image

    transform = sub.function("build_transform")()
    result = transform(Image.fromarray(gradient_image()))
    return {"type": type(result).__name__, "values": to_numpy(result).astype(float)}


def judge_transform(found: dict[str, Any], secrets: Arrays) -> None:
    values = found["values"]
    expect_equal("Type renvoyé par la transformation d'une image", "Tensor", found["type"],
                 "La transformation doit commencer par transforms.ToTensor().")
    expect_equal("Forme d'une image transformée (canaux, hauteur, largeur)", [1, 28, 28], list(values.shape))
    pixels = gradient_image() / 255.0
    if np.allclose(values[0], pixels, atol=1e-5):
        fail("Pixels transformés", "(x - 0.1307) / 0.3081", "x dans [0, 1], non normalisé",
             "Ajoutez transforms.Normalize((0.1307,), (0.3081,)) après ToTensor().")
    expect_close("Pixels après ToTensor puis Normalize((0.1307,), (0.3081,))", ((pixels - MEAN) / STD)[None],
                 values, atol=1e-5,
                 hint="ToTensor ramène les pixels dans [0, 1], puis Normalize calcule (x - 0.1307) / 0.3081.")


def describe_loader(loader: Any) -> dict[str, Any]:
    """Plain data about a DataLoader and its first batch."""
    images, labels = next(iter(loader))
    return {
        "batch_size": getattr(loader, "batch_size", None),
        "size": len(loader.dataset),
        "images": list(images.shape),
        "images_dtype": str(images.dtype),
        "labels": list(labels.shape),
        "labels_dtype": str(labels.dtype),
    }


def build_loaders(sub: Submission) -> tuple[Any, Any]:
    loaders = sub.function("build_loaders")()
    expect_true(isinstance(loaders, tuple | list) and len(loaders) == 2,
                "build_loaders doit renvoyer deux DataLoader : (train_loader, test_loader).")
    return loaders[0], loaders[1]


def collect_loaders(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    train, test = build_loaders(sub)
    return {"train": describe_loader(train), "test": describe_loader(test)}


def judge_loaders(found: dict[str, Any], secrets: Arrays) -> None:
    for key, name, size, batch in (("train", "d'entraînement", 60000, 64), ("test", "de test", 10000, 1000)):
        loader = found[key]
        expect_equal(f"Nombre d'images du jeu {name}", size, loader["size"],
                     "MNIST(..., train=True) pour l'entraînement, train=False pour le test.")
        expect_equal(f"Taille de lot (batch_size) du chargeur {name}", batch, loader["batch_size"])
        expect_equal(f"Forme du premier lot d'images {name}", [batch, 1, 28, 28], loader["images"])
        expect_equal(f"Type des images {name}", "torch.float32", loader["images_dtype"])
        expect_equal(f"Forme du premier lot d'étiquettes {name}", [batch], loader["labels"])
        expect_equal(f"Type des étiquettes {name}", "torch.int64", loader["labels_dtype"])


# ---------------------------------------------------------------------------------------------- model

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


@single_threaded
def collect_model(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    return describe_torch_model(sub.function("MnistCNN")(), IMAGE_SHAPE)


def judge_model_layers(found: dict[str, Any], secrets: Arrays) -> None:
    expect_torch_layers(found, EXPECTED_LAYERS, hint=LAYERS_HINT)


def judge_model_shapes(found: dict[str, Any], secrets: Arrays) -> None:
    expect_equal("Forme de la sortie pour un lot de 2 images", [2, 10], found["output_shape"],
                 "Une ligne de 10 scores (logits) par image.")
    pooling = "Chaque bloc : convolution (padding=1 garde la taille), ReLU, puis MaxPool2d(2) divise la taille par 2."
    expect_operation_shapes(found, [("MaxPool2d", 1, "output", (16, 14, 14)),
                                    ("MaxPool2d", 2, "output", (32, 7, 7))], pooling)
    expect_operation_shapes(found, [("Linear", 1, "input", (1568,))],
                            "Aplatissez : 32 × 7 × 7 = 1568 valeurs par image.")
    expect_operation_shapes(found, [("Linear", 1, "output", (128,)), ("Linear", 2, "output", (10,))])


def judge_model_params(found: dict[str, Any], secrets: Arrays) -> None:
    expect_param_count(found, PARAMS, "1×16×9+16 + 16×32×9+32 + 1568×128+128 + 128×10+10 = 206 922.")


# ---------------------------------------------------------------------------------------------- train


def recording_tools(model: Any, optimizer_class: Any, **options: Any) -> tuple[Any, Any, dict[str, Any]]:
    """A CrossEntropyLoss and an optimizer that record what a training loop does with them.

    The loss records each batch's value, size and the model's mode, and the gradient of that
    batch alone; the optimizer records, at each ``step``, whether the parameters' gradients are
    exactly that batch's (they are not when ``zero_grad`` was forgotten).
    """
    import torch

    params = list(model.parameters())
    log: dict[str, Any] = {"losses": [], "sizes": [], "training": [], "steps": 0, "fresh": []}
    last: dict[str, Any] = {}

    class RecordingLoss(torch.nn.CrossEntropyLoss):
        def forward(self, outputs: Any, targets: Any) -> Any:
            loss = super().forward(outputs, targets)
            log["losses"].append(float(loss.detach()))
            log["sizes"].append(int(targets.shape[0]))
            log["training"].append(bool(model.training))
            if loss.requires_grad:
                last["grads"] = torch.autograd.grad(loss, params, retain_graph=True, allow_unused=True)
            return loss

    class RecordingOptimizer(optimizer_class):
        def step(self, closure: Any = None) -> Any:
            grads = last.get("grads")
            fresh = grads is not None and all(
                g is not None and p.grad is not None and torch.allclose(p.grad, g, rtol=1e-4, atol=1e-7)
                for p, g in zip(params, grads, strict=True))
            log["fresh"].append(bool(fresh))
            log["steps"] += 1
            return super().step(closure)

    return RecordingLoss(), RecordingOptimizer(params, **options), log


def small_classification() -> tuple[np.ndarray, np.ndarray]:
    """256 examples of 20 features in 5 classes (a linear rule): 8 batches of 32."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(256, 20)).astype(np.float32)
    return X, (X @ rng.normal(size=(20, 5))).argmax(axis=1).astype(np.int64)


@single_threaded
def collect_training_log(sub: Submission, inputs: Arrays, start_in_eval: bool = False) -> dict[str, Any]:
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    X, y = small_classification()
    model = torch.nn.Sequential(torch.nn.Linear(20, 16), torch.nn.ReLU(), torch.nn.Linear(16, 5))
    if start_in_eval:
        model.eval()
    before = [p.detach().clone() for p in model.parameters()]
    loss_fn, optimizer, log = recording_tools(model, torch.optim.SGD, lr=0.1)
    loader = DataLoader(TensorDataset(torch.from_numpy(X), torch.from_numpy(y)), batch_size=32, shuffle=False)
    returned = sub.function("train_one_epoch")(model, loader, optimizer, loss_fn)
    log["returned"] = None if returned is None else as_number(returned, "Valeur renvoyée par train_one_epoch")
    log["changed"] = any(not torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
    return log


def judge_train_mean_loss(found: dict[str, Any], secrets: Arrays) -> None:
    expect_true(bool(found["losses"]), "loss_fn doit calculer la perte de chaque lot, loss_fn(sorties, étiquettes) : "
                                       "elle n'a jamais été appelée.")
    expect_true(found["returned"] is not None,
                "train_one_epoch doit renvoyer la perte moyenne de l'époque (un nombre).")
    losses, sizes = np.array(found["losses"]), np.array(found["sizes"])
    per_batch, per_example = losses.mean(), (losses * sizes).sum() / sizes.sum()
    returned = found["returned"]
    if np.isclose(returned, per_example, rtol=1e-4):
        return
    hint = "Additionnez loss.item() de chaque lot, puis divisez par le nombre de lots (len(loader))."
    if np.isclose(returned, losses.sum(), rtol=1e-4):
        hint = "Vous renvoyez la somme des pertes : divisez-la par le nombre de lots. " + hint
    elif np.isclose(returned, losses[-1], rtol=1e-4):
        hint = "Vous renvoyez la perte du dernier lot seulement. " + hint
    expect_close("Perte moyenne renvoyée (moyenne des pertes des 8 lots)", per_batch, returned, rtol=1e-4, hint=hint)


def judge_train_updates(found: dict[str, Any], secrets: Arrays) -> None:
    expect_equal("Appels à optimizer.step() pour 8 lots", 8, found["steps"],
                 "Un pas d'optimisation par lot : optimizer.step() dans la boucle sur les lots.")
    stale = [i + 1 for i, fresh in enumerate(found["fresh"]) if not fresh]
    expect_true(not stale, f"Au lot {stale[0] if stale else 0}, les gradients utilisés par optimizer.step() ne sont "
                           "pas ceux du lot courant : appelez optimizer.zero_grad() avant loss.backward(), "
                           "sinon les gradients s'accumulent d'un lot à l'autre.")
    expect_true(found["changed"], "Les poids du modèle n'ont pas changé pendant l'époque.")


# ---------------------------------------------------------------------------------------------- evaluate


def evaluation_problem() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A linear classifier (weights, bias), 250 inputs and labels; batches of 100 are 80 %, 70 %, 90 % right."""
    rng = np.random.default_rng(7)
    weights = rng.normal(size=(4, 6)).astype(np.float32)
    bias = rng.normal(size=4).astype(np.float32)
    X = rng.normal(size=(250, 6)).astype(np.float32)
    labels = (X @ weights.T + bias).argmax(axis=1)
    wrong = np.concatenate([np.arange(0, 20), np.arange(100, 130), np.arange(200, 205)])
    labels[wrong] = (labels[wrong] + 1) % 4
    return weights, bias, X, labels.astype(np.int64)


def expected_evaluation() -> tuple[float, np.ndarray]:
    weights, bias, X, labels = evaluation_problem()
    predictions = (X @ weights.T + bias).argmax(axis=1)
    return float(np.mean(predictions == labels)), predictions


def evaluation_model(dropout: bool = False) -> Any:
    import torch

    weights, bias, _, _ = evaluation_problem()
    linear = torch.nn.Linear(6, 4)
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(weights))
        linear.bias.copy_(torch.from_numpy(bias))
    return torch.nn.Sequential(linear, torch.nn.Dropout(0.5)) if dropout else torch.nn.Sequential(linear)


def run_evaluate(sub: Submission, model: Any) -> dict[str, Any]:
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    _, _, X, labels = evaluation_problem()
    loader = DataLoader(TensorDataset(torch.from_numpy(X), torch.from_numpy(labels)), batch_size=100)
    result = sub.function("evaluate")(model, loader)
    expect_true(isinstance(result, tuple | list) and len(result) == 2,
                "evaluate doit renvoyer deux valeurs : (accuracy, predictions).")
    return {"accuracy": as_number(result[0], "Accuracy renvoyée par evaluate"),
            "predictions": to_numpy(result[1]).astype(np.int64)}


@single_threaded
def collect_evaluate(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    return run_evaluate(sub, evaluation_model())


def judge_evaluate_accuracy(found: dict[str, Any], secrets: Arrays) -> None:
    expected, _ = expected_evaluation()
    accuracy = found["accuracy"]
    expect_true(0.0 <= accuracy <= 1.0, f"L'accuracy doit être une proportion entre 0 et 1, obtenu {accuracy:g} : "
                                        "divisez le nombre de bonnes réponses par le nombre d'images.")
    expect_close("Accuracy sur 250 exemples (lots de 100, 100 et 50)", expected, accuracy, atol=1e-6,
                 hint="Comptez les bonnes réponses sur tous les lots puis divisez par le nombre total d'exemples "
                      "(len(loader.dataset)), pas par le nombre de lots.")


def judge_evaluate_predictions(found: dict[str, Any], secrets: Arrays) -> None:
    _, expected = expected_evaluation()
    predictions = found["predictions"]
    expect_equal("Forme des prédictions (une classe par exemple, dans l'ordre du chargeur)", [250],
                 list(predictions.shape))
    expect_close("Classes prédites (argmax des scores)", expected, predictions, atol=0,
                 hint="La classe prédite est l'indice du plus grand score : sorties.argmax(dim=1).")


# ---------------------------------------------------------------------------------------------- confusion


def confusion_sample() -> tuple[np.ndarray, np.ndarray]:
    """60 labels in classes 0-8 (9 never occurs) and predictions right 60 % of the time."""
    rng = np.random.default_rng(11)
    y_true = rng.integers(0, 9, 60)
    y_pred = np.where(rng.random(60) < 0.6, y_true, rng.integers(0, 9, 60))
    return y_true, y_pred


def collect_confusion(sub: Submission, inputs: Arrays) -> np.ndarray:
    y_true, y_pred = confusion_sample()
    return to_numpy(sub.function("compute_confusion_matrix")(y_true, y_pred, 10))


def judge_confusion(found: np.ndarray, secrets: Arrays) -> None:
    y_true, y_pred = confusion_sample()
    expect_confusion_matrix(found, y_true, y_pred, 10)


# ---------------------------------------------------------------------------------------------- graph


@single_threaded
def collect_graph(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    import torch

    model = torch.nn.Sequential(torch.nn.Linear(6, 4), torch.nn.ReLU(), torch.nn.Linear(4, 3))
    saved = os.environ.get("PATH", "")
    os.environ["PATH"] = ""  # Graphviz's `dot` is never there: the function builds the graph, show_graph draws it
    try:
        graph = sub.function("computation_graph")(model, torch.randn(2, 6))
    finally:
        os.environ["PATH"] = saved
    return {"class": type(graph).__name__, "source": str(getattr(graph, "source", ""))}


def judge_graph_built(found: dict[str, Any], secrets: Arrays) -> None:
    expect_equal("Type renvoyé par computation_graph", "Digraph", found["class"],
                 "Renvoyez le graphe construit par torchviz.make_dot(...).")
    for node, meaning in (("AddmmBackward0", "les couches Linear"), ("ReluBackward0", "la ReLU")):
        expect_true(node in found["source"], f"Le graphe ne contient pas le nœud {node} ({meaning}) : construisez-le "
                                             "à partir de la sortie model(x) du modèle reçu en argument.")


def judge_graph_parameters(found: dict[str, Any], secrets: Arrays) -> None:
    names = ["0.weight", "0.bias", "2.weight", "2.bias"]
    missing = [name for name in names if f'"{name}' not in found["source"]]
    expect_equal("Paramètres nommés dans le graphe", names, [n for n in names if n not in missing],
                 "Passez params=dict(model.named_parameters()) à make_dot pour nommer les poids.")


CHECKS = [
    Check("data", "data_transform", "Transformation : ToTensor puis Normalize((0.1307,), (0.3081,))", 1,
          collect_transform, judge_transform),
    Check("data", "data_loaders", "Chargeurs : 60 000 / 10 000 images, lots de 64 et de 1000, tenseurs (N, 1, 28, 28)",
          2, collect_loaders, judge_loaders),
    Check("model", "model_layers", "Architecture : Conv(1→16) ReLU Pool, Conv(16→32) ReLU Pool, Linear(1568→128) "
          "ReLU, Linear(128→10)", 2, collect_model, judge_model_layers),
    Check("model", "model_shapes", "Formes intermédiaires : 16×14×14, 32×7×7, 1568, 128, 10", 2, collect_model,
          judge_model_shapes),
    Check("model", "model_params", "Nombre de paramètres (206 922)", 1, collect_model, judge_model_params),
    Check("train", "train_mean_loss", "Entraînement : renvoie la perte moyenne des lots de l'époque", 1,
          collect_training_log, judge_train_mean_loss),
    Check("train", "train_updates", "Entraînement : zero_grad, backward et step à chaque lot", 1,
          collect_training_log, judge_train_updates),
    Check("evaluate", "evaluate_accuracy", "Évaluation : accuracy = bonnes réponses / nombre d'exemples", 1,
          collect_evaluate, judge_evaluate_accuracy),
    Check("evaluate", "evaluate_predictions", "Évaluation : une classe prédite (argmax) par exemple, dans l'ordre", 1,
          collect_evaluate, judge_evaluate_predictions),
    Check("confusion", "confusion_counts", "Matrice de confusion 10×10 (lignes = vraies classes)", 1,
          collect_confusion, judge_confusion),
    Check("graph", "graph_built", "Graphe de calcul torchviz construit à partir de model(x)", 1, collect_graph,
          judge_graph_built),
    Check("graph", "graph_parameters", "Graphe de calcul : paramètres nommés (params=...)", 1, collect_graph,
          judge_graph_parameters),
]
