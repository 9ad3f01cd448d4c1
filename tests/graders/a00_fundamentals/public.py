"""Public checks of 00_fundamentals: students run these with ``autograder check``.

Every expected value is computed here with numpy (or comes from running the revision sheet's
own code), never by torch inside the sandbox. The quiz's questions live here; its answer key
lives only in ``hidden.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.checks.expect import expect_close, expect_equal, expect_keys, expect_true
from autograder.checks.keras_model import describe_keras_model, expect_layers
from autograder.checks.qcm import Question, format_check
from autograder.grading.spec import Arrays, Check, Submission


def as_array(value: Any) -> np.ndarray:
    """A tensor, array or list as a float64 numpy array (detached from autograd)."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=float)


def plain(value: Any) -> Any:
    """Tuples as lists, recursively: observations look the same in the sandbox and in a notebook's kernel."""
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def type_name(value: Any) -> str:
    return type(value).__name__


# --- 1. Activation functions -------------------------------------------------------------------

def numpy_sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(np.asarray(x, dtype=float) / 2.0))


def numpy_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    exps = np.exp(x - x.max(axis=axis, keepdims=True))
    return exps / exps.sum(axis=axis, keepdims=True)


def activation_functions(sub: Submission) -> tuple[Any, Any, Any]:
    return sub.function("relu"), sub.function("sigmoid"), sub.function("softmax")


def collect_activation_examples(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    import torch

    relu, sigmoid, softmax = activation_functions(sub)
    outputs = {"relu": relu(torch.tensor([-1.0, 0.0, 1.0])), "sigmoid": sigmoid(torch.tensor([0.0])),
               "softmax": softmax(torch.tensor([1.0, 2.0, 3.0]), dim=0)}
    return {"types": {k: type_name(v) for k, v in outputs.items()}, **{k: as_array(v) for k, v in outputs.items()}}


def judge_activation_examples(found: dict[str, Any], secrets: Arrays) -> None:
    expect_close("relu(tensor([-1., 0., 1.]))", [0.0, 0.0, 1.0], found["relu"], hint="ReLU(x) = max(0, x).")
    expect_close("sigmoid(tensor([0.]))", [0.5], found["sigmoid"], hint="sigmoïde(x) = 1 / (1 + exp(-x)).")
    expect_close("softmax(tensor([1., 2., 3.]), dim=0)", numpy_softmax([1.0, 2.0, 3.0]), found["softmax"],
                 hint="softmax(x) = exp(x) / somme des exp(x) : des valeurs positives de somme 1.")
    expect_equal("Types renvoyés", {"relu": "Tensor", "sigmoid": "Tensor", "softmax": "Tensor"}, found["types"],
                 "Calculez avec des opérations de torch et renvoyez des tenseurs.")


# --- 2. Tensors, linspace, arange --------------------------------------------------------------

SHEET_TENSORS = {
    "matrix": ([2, 2], np.array([[1.0, 2.0], [3.0, 4.0]])),
    "zeros": ([3, 3], np.zeros((3, 3))),
    "normal": ([3, 3], None),
    "linspace": ([5], np.array([0.0, 2.5, 5.0, 7.5, 10.0])),
    "arange": ([5], np.array([0.0, 2.0, 4.0, 6.0, 8.0])),
}


def collect_sheet_tensors(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    result = sub.function("sheet_tensors")()
    expect_true(isinstance(result, dict), f"sheet_tensors doit renvoyer un dictionnaire, pas {type_name(result)}.")
    return {key: {"type": type_name(value), "dtype": str(getattr(value, "dtype", "")),
                  "shape": list(np.shape(as_array(value))), "values": as_array(value)}
            for key, value in result.items() if key in SHEET_TENSORS}


def judge_sheet_tensors(found: dict[str, Any], secrets: Arrays) -> None:
    expect_keys("Clés du dictionnaire renvoyé par sheet_tensors", set(SHEET_TENSORS), found)
    for key, (shape, values) in SHEET_TENSORS.items():
        expect_equal(f"Forme de « {key} »", shape, found[key]["shape"])
        if values is not None:
            expect_close(f"Valeurs de « {key} »", values, found[key]["values"])


# --- 3. Autograd ----------------------------------------------------------------------------------

def square(x: Any) -> Any:
    return x**2


def collect_square_gradients(sub: Submission, inputs: Arrays) -> list[float]:
    derivative = sub.function("derivative")
    return [float(derivative(square, x0)) for x0 in (1.0, 3.0, -2.5)]


def judge_square_gradients(found: list[float], secrets: Arrays) -> None:
    expect_close("derivative(x ↦ x², 1.0), l'exemple de la fiche", 2.0, found[0], hint="(x²)' = 2x.")
    expect_close("derivative(x ↦ x², x0) pour x0 = 3 et -2,5", [6.0, -5.0], found[1:])


# --- 4. Gradient descent ------------------------------------------------------------------------

def sheet_function(theta: Any) -> Any:
    """The sheet's f(θ) = (θ − 2)²."""
    return (theta - 2) ** 2


#: Running the sheet's own code (θ0 = 0.2, α = 0.01, limite = 100, ε = 0.01) gives θ and cpt.
SHEET_DESCENT = (1.7612848281860352, 100)
THETA_ATOL = 1e-4


def run_descent(sub: Submission, f: Any, **kwargs: float) -> dict[str, Any]:
    result = sub.function("gradient_descent")(f, **kwargs)
    expect_true(isinstance(result, (tuple, list)) and len(result) == 2,
                f"gradient_descent doit renvoyer un couple (theta, cpt), pas {type_name(result)}.")
    theta, count = result
    return {"theta": float(theta), "count": int(count)}


def expect_descent(what: str, expected: tuple[float, int], found: dict[str, Any], hint: str = "") -> None:
    expect_equal(f"{what} : nombre d'itérations cpt", expected[1], found["count"], hint)
    expect_close(f"{what} : θ final", expected[0], found["theta"], rtol=0, atol=THETA_ATOL, hint=hint)


def collect_sheet_descent(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    return run_descent(sub, sheet_function, theta0=0.2, alpha=0.01, limit=100, epsilon=0.01)


def judge_sheet_descent(found: dict[str, Any], secrets: Arrays) -> None:
    expect_descent("f(θ) = (θ − 2)², θ0 = 0,2, α = 0,01, limite 100, ε = 0,01", SHEET_DESCENT, found,
                   "Reprenez la boucle de la fiche : une première mise à jour (cpt = 1), puis tant que "
                   "|gradient| > ε et cpt < limite, remise à zéro du gradient, nouveau calcul, mise à jour, cpt += 1.")


# --- 5. SGD with momentum --------------------------------------------------------------------------

def linear_problem(seed: int, n: int = 20, d: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """A small regression problem: X (n, d), y (n, 1), float32."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).astype(np.float32)
    y = (X @ rng.normal(size=(d, 1)) + 0.5 + 0.1 * rng.normal(size=(n, 1))).astype(np.float32)
    return X, y


def reference_linear_training(weight: np.ndarray, bias: np.ndarray, X: np.ndarray, y: np.ndarray, steps: int,
                              lr: float, momentum: float) -> tuple[list[float], np.ndarray, np.ndarray]:
    """Full-batch MSE training of a linear layer with torch's SGD rule, in numpy (float64).

    torch.optim.SGD: ``buf = g`` at the first step, then ``buf = momentum * buf + g``; ``p -= lr * buf``.
    """
    W, b = np.array(weight, dtype=float), np.array(bias, dtype=float)
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    buffers: list[np.ndarray] | None = None
    losses = []
    for _ in range(steps):
        error = X @ W.T + b - y
        losses.append(float(np.mean(error**2)))
        grad_output = 2.0 * error / error.size
        grads = [grad_output.T @ X, grad_output.sum(axis=0)]
        buffers = grads if buffers is None or momentum == 0 else [momentum * v + g for v, g in
                                                                   zip(buffers, grads, strict=True)]
        W, b = W - lr * buffers[0], b - lr * buffers[1]
    return losses, W, b


def collect_optimizer(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    import torch

    model = torch.nn.Linear(3, 2)
    optimizer = sub.function("make_optimizer")(model)
    groups = getattr(optimizer, "param_groups", [])
    covered = {id(p) for group in groups for p in group.get("params", [])}
    keys = ("lr", "momentum", "dampening", "nesterov", "weight_decay")
    return {"type": type_name(optimizer),
            "groups": [{k: group.get(k) for k in keys} for group in groups],
            "covers_model": covered == {id(p) for p in model.parameters()}}


def judge_optimizer(found: dict[str, Any], secrets: Arrays) -> None:
    expect_equal("Type de l'optimiseur", "SGD", found["type"], "Utilisez torch.optim.SGD.")
    expect_true(found["covers_model"], "L'optimiseur doit recevoir tous les paramètres du modèle : "
                                       "model.parameters() (poids et biais).")
    for group in found["groups"]:
        expect_close("Taux d'apprentissage lr", 0.01, group["lr"])
        expect_close("momentum", 0.9, group["momentum"], hint="La fiche utilise momentum=0.9.")
        expect_equal("nesterov", False, group["nesterov"])


def run_training_steps(sub: Submission, seed: int, steps: int, lr: float, momentum: float) -> dict[str, Any]:
    """The student's ``train_steps`` on a fresh linear layer, with an optimizer the grader builds."""
    import torch

    X, y = linear_problem(seed)
    model = torch.nn.Linear(X.shape[1], 1)
    weight, bias = model.weight.detach().numpy().copy(), model.bias.detach().numpy().copy()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    losses = sub.function("train_steps")(model, optimizer, torch.from_numpy(X), torch.from_numpy(y), steps)
    expect_true(isinstance(losses, (list, tuple)), f"train_steps doit renvoyer une liste, pas {type_name(losses)}.")
    return {"weight": weight, "bias": bias, "losses": [float(v) for v in losses],
            "final_weight": as_array(model.weight), "final_bias": as_array(model.bias)}


def collect_plain_steps(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    return run_training_steps(sub, seed=20, steps=5, lr=0.1, momentum=0.0)


def judge_plain_steps(found: dict[str, Any], secrets: Arrays) -> None:
    X, y = linear_problem(20)
    losses, _, _ = reference_linear_training(found["weight"], found["bias"], X, y, 5, lr=0.1, momentum=0.0)
    expect_equal("Nombre de pertes renvoyées pour steps=5", 5, len(found["losses"]))
    expect_close("Pertes MSE avant chacun des 5 pas (SGD simple, lr=0.1)", losses, found["losses"], rtol=1e-4,
                 hint="À chaque pas : optimizer.zero_grad(), perte MSE sur tout le lot, loss.backward(), "
                      "optimizer.step() ; gardez loss.item().")


# --- 6. Linear regression -----------------------------------------------------------------------

def regression_inputs(n: int = 100) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(30)
    X = np.linspace(0, 10, n, dtype=np.float32).reshape(-1, 1)
    return X, (3 * X + 2 * rng.normal(size=X.shape)).astype(np.float32)


def collect_linear_data(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    X, y = sub.function("make_linear_data")()
    return {"types": [type_name(X), type_name(y)], "X": as_array(X), "y": as_array(y)}


def judge_linear_data(found: dict[str, Any], secrets: Arrays) -> None:
    X, y = found["X"], found["y"]
    expect_equal("Types de X et y", ["Tensor", "Tensor"], found["types"])
    expect_equal("Forme de X (une colonne, comme l'attend nn.Linear(1, 1))", (100, 1), X.shape,
                 "Utilisez .reshape(-1, 1).")
    expect_equal("Forme de y", (100, 1), y.shape)
    expect_close("X = linspace(0, 10, 100)", np.linspace(0, 10, 100).reshape(-1, 1), X, rtol=1e-5, atol=1e-5)
    noise = y - 3 * X
    expect_close("Écart-type du bruit y − 3X (bruit normal d'écart-type 2)", 2.0, float(noise.std()), rtol=0.25)
    expect_close("Moyenne du bruit y − 3X", 0.0, float(noise.mean()), atol=0.8)


def collect_regression_model(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    import torch

    X, y = (torch.from_numpy(a) for a in regression_inputs())
    model = sub.function("fit_linear_regression")(X, y, epochs=5, lr=0.01)
    weight = getattr(model, "weight", None)
    with torch.no_grad():
        prediction = model(X)
    return {"type": type_name(model), "weight_shape": list(np.shape(as_array(weight))),
            "prediction_shape": list(np.shape(as_array(prediction)))}


def judge_regression_model(found: dict[str, Any], secrets: Arrays) -> None:
    expect_equal("Type du modèle renvoyé", "Linear", found["type"], "Renvoyez le modèle nn.Linear entraîné.")
    expect_equal("Forme des poids (nn.Linear(in_features=1, out_features=1))", [1, 1], found["weight_shape"])
    expect_equal("Forme des prédictions pour X de forme (100, 1)", [100, 1], found["prediction_shape"])


# --- 7. Convolution -----------------------------------------------------------------------------------

SHEET_IMAGE = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]
SHEET_KERNEL = [[1.0, 0.0], [0.0, -1.0]]


def numpy_cross_correlation(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Valid 2-D cross-correlation (what conv2d computes): no flip, stride 1, no padding."""
    image, kernel = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
    kh, kw = kernel.shape
    out = np.empty((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out


def collect_sheet_convolution(sub: Submission, inputs: Arrays) -> np.ndarray:
    import torch

    return as_array(sub.function("conv2d_by_hand")(torch.tensor(SHEET_IMAGE), torch.tensor(SHEET_KERNEL)))


def judge_sheet_convolution(found: np.ndarray, secrets: Arrays) -> None:
    expected = numpy_cross_correlation(SHEET_IMAGE, SHEET_KERNEL)  # [[-4, -4], [-4, -4]]
    flipped = numpy_cross_correlation(SHEET_IMAGE, np.flip(SHEET_KERNEL))
    hint = ("Vous avez retourné le noyau (convolution mathématique) : conv2d et les couches Conv2D ne le "
            "retournent pas (corrélation croisée)." if found.shape == flipped.shape and np.allclose(found, flipped)
            else "Chaque sortie est la somme des produits terme à terme du noyau et de la fenêtre de l'image "
                 "qu'il recouvre.")
    expect_close("Convolution de l'image 3×3 de la fiche par le noyau [[1, 0], [0, -1]]", expected, found, hint=hint)


# --- 8. Loss functions ----------------------------------------------------------------------------------

def collect_loss_types(sub: Submission, inputs: Arrays) -> dict[str, str]:
    choose = sub.function("choose_loss")
    return {task: type_name(choose(task)) for task in ("regression", "binary")}


def judge_loss_types(found: dict[str, str], secrets: Arrays) -> None:
    expect_equal("Perte choisie pour une régression", "MSELoss", found["regression"],
                 "Régression : erreur quadratique moyenne, nn.MSELoss().")
    expect_equal("Perte choisie pour une classification binaire", "BCELoss", found["binary"],
                 "Classification binaire avec une sortie sigmoïde : nn.BCELoss().")


# --- 9. Batching with a DataLoader ----------------------------------------------------------------

def loader_epochs(sub: Submission, n: int, batch_size: int | None, epochs: int = 1) -> dict[str, Any]:
    """The batches of ``epochs`` passes over X (n, 2), whose first column numbers the rows, and y = 10 × row."""
    import torch

    X = torch.stack([torch.arange(n, dtype=torch.float32), torch.ones(n)], dim=1)
    y = 10 * torch.arange(n, dtype=torch.float32)
    make_loader = sub.function("make_loader")
    loader = make_loader(X, y) if batch_size is None else make_loader(X, y, batch_size=batch_size)
    passes = []
    for _ in range(epochs):
        batches = []
        for batch in loader:
            expect_true(isinstance(batch, (list, tuple)) and len(batch) == 2,
                        "Chaque lot doit être un couple (X_lot, y_lot) : utilisez TensorDataset(X, y).")
            batches.append({"rows": as_array(batch[0])[:, 0].astype(int), "y": as_array(batch[1])})
        passes.append(batches)
    return {"type": type_name(loader), "length": len(loader), "epochs": passes}


def collect_loader_counts(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    found = loader_epochs(sub, 100, None)
    return {"type": found["type"], "length": found["length"],
            "sizes": [len(batch["rows"]) for batch in found["epochs"][0]]}


def judge_loader_counts(found: dict[str, Any], secrets: Arrays) -> None:
    expect_equal("Type renvoyé", "DataLoader", found["type"], "Utilisez torch.utils.data.DataLoader.")
    expect_equal("Nombre de lots pour 100 exemples et batch_size=32 (valeur par défaut)", 4, found["length"])
    expect_equal("Tailles des lots d'une époque", [32, 32, 32, 4], found["sizes"],
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


def describe_cnn(sub: Submission, n_classes: int) -> dict[str, Any]:
    """The student's CNN: layers, parameter count, compilation and each layer's output shape (batch left out)."""
    model = sub.function("build_cnn")(n_classes)
    description = plain(describe_keras_model(model, (28, 28, 1)))
    description["shapes"] = [list(layer.output.shape)[1:] for layer in model.layers]
    return description


def collect_cnn(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    return describe_cnn(sub, 10)


def judge_cnn_layers(found: dict[str, Any], secrets: Arrays) -> None:
    expect_layers(found, EXPECTED_CNN)


def collect_one_hot(sub: Submission, inputs: Arrays) -> np.ndarray:
    return as_array(sub.function("one_hot_labels")(np.array([3, 0, 9, 3]), 10))


def judge_one_hot(found: np.ndarray, secrets: Arrays) -> None:
    expected = np.zeros((4, 10))
    expected[[0, 1, 2, 3], [3, 0, 9, 3]] = 1.0
    expect_close("one_hot_labels([3, 0, 9, 3], 10)", expected, found,
                 hint="Chaque étiquette k devient un vecteur de 10 zéros avec un 1 en position k (to_categorical).")


# --- 11. Multiple-choice quiz -----------------------------------------------------------------------

def _question(number: int, topic: str, text: str, *choices: str) -> Question:
    return Question(f"q{number:02d}", topic, text, tuple(zip("abcd", choices, strict=True)))


QUESTIONS = [
    _question(1, "neurone", "Que calcule un neurone artificiel ?",
              "Le maximum de ses entrées, sans paramètre à apprendre.",
              "La somme de ses entrées pondérées par des poids, plus un biais, passée dans une fonction "
              "d'activation.",
              "La moyenne de ses poids, sans tenir compte des entrées.",
              "Le produit de ses entrées, passé dans la fonction de perte."),
    _question(2, "rôle des activations", "Pourquoi place-t-on des fonctions d'activation dans un réseau ?",
              "Pour introduire de la non-linéarité : sans elles, un empilement de couches reste une fonction "
              "linéaire.",
              "Pour normaliser les données d'entrée entre 0 et 1.",
              "Pour réduire le nombre de paramètres du réseau.",
              "Pour mélanger les exemples à chaque époque."),
    _question(3, "ReLU", "Que renvoie `torch.relu(torch.tensor([-1.0, 0.0, 1.0]))` ?",
              "`tensor([-1., 0., 1.])`", "`tensor([1., 0., 1.])`", "`tensor([0., 0., 1.])`",
              "`tensor([0.2689, 0.5000, 0.7311])`"),
    _question(4, "sortie d'un classifieur binaire",
              "Quelle activation placer en sortie d'un classifieur binaire qui prédit la probabilité de la "
              "classe 1 ?",
              "ReLU.", "Sigmoïde.", "Aucune activation.", "Tangente hyperbolique (valeurs entre −1 et 1)."),
    _question(5, "softmax", "Que produit softmax appliquée aux K scores d'un classifieur à K classes ?",
              "L'indice de la classe de plus grand score.",
              "K valeurs entre −1 et 1.",
              "Le score maximal, les autres étant mis à 0.",
              "K valeurs positives de somme 1, que l'on lit comme des probabilités."),
    _question(6, "torch.linspace", "Que renvoie `torch.linspace(0, 10, 5)` ?",
              "`tensor([0, 2, 4, 6, 8])`", "`tensor([0., 2., 4., 6., 8., 10.])`",
              "`tensor([0.0, 2.5, 5.0, 7.5, 10.0])`", "Cinq valeurs tirées au hasard entre 0 et 10."),
    _question(7, "torch.arange", "Que renvoie `torch.arange(0, 10, 2)` ?",
              "`tensor([0, 2, 4, 6, 8])`", "`tensor([0, 2, 4, 6, 8, 10])`",
              "`tensor([0.0, 2.5, 5.0, 7.5, 10.0])`", "`tensor([2, 4, 6, 8, 10])`"),
    _question(8, "autograd",
              "Après `x = torch.tensor(1.0, requires_grad=True)`, `y = x ** 2` et `y.backward()`, que vaut "
              "`x.grad` ?",
              "`tensor(1.)`", "`None` : backward() ne remplit pas x.grad.", "`tensor(0.)`", "`tensor(2.)`"),
    _question(9, "rétropropagation", "À quoi sert la rétropropagation (backpropagation) ?",
              "À calculer le gradient de la perte par rapport à chaque poids, pour ajuster les poids et réduire "
              "l'erreur.",
              "À faire passer les données de la sortie vers l'entrée pour prédire.",
              "À découper le jeu de données en lots.",
              "À choisir automatiquement le nombre de couches."),
    _question(10, "couche dense",
              "Combien de paramètres (poids et biais) compte la couche dense `nn.Linear(in_features=3, "
              "out_features=2)` ?",
              "5", "6", "8", "9"),
    _question(11, "train_test_split",
              "`train_test_split(X, y, test_size=0.2)` sur 1 000 exemples : combien d'exemples dans le jeu de "
              "test ?",
              "20", "200", "800", "2"),
    _question(12, "époque", "Une époque (epoch), c'est :",
              "une mise à jour des poids calculée sur un seul lot ;",
              "un passage complet sur toutes les données d'entraînement ;",
              "le temps de calcul d'une prédiction ;",
              "un sous-ensemble de 32 exemples."),
    _question(13, "DataLoader",
              "`DataLoader(dataset, batch_size=32, shuffle=True)` sur 1 000 exemples produit, à chaque époque :",
              "31 lots de 32 exemples ; les 8 derniers exemples sont ignorés ;",
              "32 lots dans le même ordre à chaque époque ;",
              "1 000 lots d'un exemple ;",
              "32 lots (31 de 32 exemples et un dernier de 8), dans un ordre mélangé à chaque époque."),
    _question(14, "perte pour la régression", "Quelle fonction de perte PyTorch pour une régression ?",
              "`nn.BCELoss()`", "`nn.Sigmoid()`", "`nn.MSELoss()`", "`torch.optim.SGD(...)`"),
    _question(15, "entropie croisée binaire", "`nn.BCELoss()` attend comme prédictions :",
              "des probabilités entre 0 et 1, par exemple la sortie d'une sigmoïde ;",
              "des valeurs quelconques, positives ou négatives ;",
              "des indices de classes entiers ;",
              "des vecteurs one-hot à 10 composantes."),
    _question(16, "pas de descente de gradient",
              "Quelle est la mise à jour d'une étape de descente de gradient (α : taux d'apprentissage) ?",
              "θ ← θ + α · f'(θ)", "θ ← θ · α", "θ ← θ − f'(θ) / α", "θ ← θ − α · f'(θ)"),
    _question(17, "remise à zéro du gradient",
              "Dans la boucle de descente de gradient de la fiche, pourquoi remet-on le gradient de θ à zéro "
              "(`zero_()`) avant chaque `backward()` ?",
              "Pour remettre θ à sa valeur initiale.",
              "Parce que PyTorch additionne les gradients à chaque backward() : sans remise à zéro, on "
              "utiliserait la somme des gradients précédents.",
              "Pour arrêter la boucle quand le gradient est nul.",
              "Pour désactiver le calcul du gradient pendant la mise à jour."),
    _question(18, "taux d'apprentissage trop grand", "Que risque-t-on avec un taux d'apprentissage α trop grand ?",
              "Une convergence plus lente, mais toujours garantie.",
              "Rien : seul le nombre d'itérations compte.",
              "Des pas trop grands : la descente oscille autour du minimum ou diverge.",
              "Un gradient toujours nul."),
    _question(19, "momentum",
              "Que change `torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)` par rapport au SGD "
              "simple ?",
              "Chaque pas ajoute 0,9 fois le pas précédent (une « vitesse ») : la descente accélère dans les "
              "directions constantes et oscille moins.",
              "Le taux d'apprentissage est multiplié par 0,9 à chaque époque.",
              "L'entraînement s'arrête quand la perte stagne.",
              "90 % des gradients sont ignorés à chaque pas."),
    _question(20, "EarlyStopping",
              "Que fait le callback `EarlyStopping(monitor='val_loss', patience=5)` passé à `model.fit` ?",
              "Il arrête l'entraînement après exactement 5 époques.",
              "Il sauvegarde le modèle toutes les 5 époques.",
              "Il arrête l'entraînement quand la perte de validation ne s'est pas améliorée depuis 5 époques.",
              "Il divise le taux d'apprentissage par 5."),
    _question(21, "history", "Après `history = model.fit(...)`, que contient `history.history['loss']` ?",
              "Les prédictions du modèle sur le jeu d'entraînement.",
              "La perte sur le jeu de test, calculée une fois à la fin.",
              "Les poids du modèle à chaque époque.",
              "La perte d'entraînement à la fin de chaque époque."),
    _question(22, "exemple de convolution",
              "Image 3×3 `[[1, 2, 3], [4, 5, 6], [7, 8, 9]]`, noyau 2×2 `[[1, 0], [0, -1]]`, sans remplissage, "
              "pas de 1, sans retourner le noyau (comme Conv2D) : quelle carte de caractéristiques obtient-on ?",
              "`[[4, 4], [4, 4]]`", "Une matrice 3×3.", "`[[1, 2], [4, 5]]`", "`[[-4, -4], [-4, -4]]`"),
    _question(23, "forme de sortie d'une convolution",
              "`Conv2D(8, (3, 3), padding='same', strides=3)` appliquée à une image 28×28×1 : quelle forme de "
              "sortie ?",
              "28×28×8", "10×10×8", "26×26×8", "9×9×8"),
    _question(24, "BatchNormalization", "À quoi sert `BatchNormalization()` dans le CNN de la fiche ?",
              "À normaliser les activations sur chaque lot (moyenne 0, variance 1, puis échelle et décalage "
              "appris), ce qui stabilise et accélère l'entraînement.",
              "À diviser la hauteur et la largeur des cartes par 2.",
              "À convertir les étiquettes en vecteurs one-hot.",
              "À mélanger les exemples de chaque lot."),
]
QCM_POINTS = 0.5


CHECKS = [
    Check("activations", "activations_examples", "ReLU, sigmoïde et softmax sur les exemples de la fiche", 1,
          collect_activation_examples, judge_activation_examples),
    Check("tensors", "tensors_values", "Tenseurs de la fiche : formes et valeurs (tensor, zeros, randn, linspace, "
          "arange)", 1, collect_sheet_tensors, judge_sheet_tensors),
    Check("autograd", "grad_square", "Autograd : dérivée de x² en 1 (exemple de la fiche) et en d'autres points", 1,
          collect_square_gradients, judge_square_gradients),
    Check("descent", "descent_sheet", "Descente de gradient de la fiche : θ final et nombre d'itérations", 1,
          collect_sheet_descent, judge_sheet_descent),
    Check("momentum", "momentum_optimizer", "Optimiseur SGD avec momentum (lr=0.01, momentum=0.9) sur tout le "
          "modèle", 1, collect_optimizer, judge_optimizer),
    Check("momentum", "train_steps_losses", "Boucle d'entraînement : pertes des 5 premiers pas de SGD simple", 1,
          collect_plain_steps, judge_plain_steps),
    Check("regression", "regression_data", "Données de la fiche : X = linspace(0, 10, 100) en colonne, "
          "y = 3X + bruit", 1, collect_linear_data, judge_linear_data),
    Check("regression", "regression_model", "Régression : un nn.Linear(1, 1) entraîné est renvoyé", 1,
          collect_regression_model, judge_regression_model),
    Check("convolution", "conv_sheet", "Convolution à la main : l'exemple de la fiche", 1,
          collect_sheet_convolution, judge_sheet_convolution),
    Check("losses", "losses_choice", "Choix de la perte : MSE pour la régression, BCE pour le binaire", 1,
          collect_loss_types, judge_loss_types),
    Check("batching", "batching_counts", "DataLoader : nombre de lots et taille du dernier lot", 1,
          collect_loader_counts, judge_loader_counts),
    Check("cnn", "cnn_layers", "CNN de la fiche : couches et hyperparamètres", 1, collect_cnn, judge_cnn_layers),
    Check("cnn", "cnn_labels", "Étiquettes en format catégorique (one-hot)", 1, collect_one_hot, judge_one_hot),
    format_check("qcm", "qcm_format", "QCM : une lettre valide pour chacune des 24 questions", 1, QUESTIONS),
]
