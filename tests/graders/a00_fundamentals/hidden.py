"""Hidden checks of 00_fundamentals: run only at grading time, never shipped to students.

The quiz's answer key lives here only, and only outside the sandbox (see
:func:`autograder.checks.qcm.in_sandbox`): the student's code, which runs in the sandbox
next to these graders, only ever sees an empty key.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from a00_fundamentals.public import (
    QCM_POINTS,
    QUESTIONS,
    activation_functions,
    as_array,
    collect_cnn,
    describe_cnn,
    expect_descent,
    linear_problem,
    loader_epochs,
    numpy_cross_correlation,
    numpy_sigmoid,
    numpy_softmax,
    reference_linear_training,
    run_descent,
    run_training_steps,
    type_name,
)
from autograder.checks.calls import referenced_functions, spy_calls
from autograder.checks.expect import expect_close, expect_equal, expect_true
from autograder.checks.keras_model import expect_compiled
from autograder.checks.qcm import in_sandbox, question_checks
from autograder.checks.thresholds import Threshold, threshold_check
from autograder.grading.spec import Arrays, Check, Submission

# --- 1. Activation functions -------------------------------------------------------------------


def activation_inputs() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(10)
    return {"matrix": (3 * rng.normal(size=(4, 5))).astype(np.float32),
            "cube": (2 * rng.normal(size=(2, 3, 4))).astype(np.float32)}


def collect_activations_random(sub: Submission, inputs: Arrays) -> dict[str, np.ndarray]:
    import torch

    relu, sigmoid, softmax = activation_functions(sub)
    data = {key: torch.from_numpy(value) for key, value in activation_inputs().items()}
    return {"relu": as_array(relu(data["matrix"])), "sigmoid": as_array(sigmoid(data["matrix"])),
            "softmax_last": as_array(softmax(data["matrix"])), "softmax_0": as_array(softmax(data["matrix"], dim=0)),
            "softmax_cube_1": as_array(softmax(data["cube"], dim=1))}


def judge_activations_random(found: dict[str, np.ndarray], secrets: Arrays) -> None:
    data = activation_inputs()
    matrix = data["matrix"]
    expect_close("relu sur un tenseur aléatoire 4×5", np.maximum(matrix, 0), found["relu"], atol=1e-6)
    expect_close("sigmoid sur un tenseur aléatoire 4×5", numpy_sigmoid(matrix), found["sigmoid"], atol=1e-6)
    expect_close("softmax sur un tenseur 4×5 (dim=-1 par défaut)", numpy_softmax(matrix), found["softmax_last"],
                 atol=1e-6, hint="Normalisez sur la dimension dim (sommes avec keepdim=True).")
    expect_close("softmax(x, dim=0) sur un tenseur 4×5", numpy_softmax(matrix, axis=0), found["softmax_0"],
                 atol=1e-6, hint="Respectez l'argument dim : chaque colonne doit sommer à 1.")
    expect_close("softmax(x, dim=1) sur un tenseur 2×3×4", numpy_softmax(data["cube"], axis=1),
                 found["softmax_cube_1"], atol=1e-6)


LARGE_SCORES = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0]], dtype=np.float32)
EXTREME_INPUTS = np.array([-100.0, -20.0, 20.0, 100.0], dtype=np.float32)


def collect_activations_stable(sub: Submission, inputs: Arrays) -> dict[str, np.ndarray]:
    import torch

    _, sigmoid, softmax = activation_functions(sub)
    return {"softmax": as_array(softmax(torch.from_numpy(LARGE_SCORES), dim=1)),
            "sigmoid": as_array(sigmoid(torch.from_numpy(EXTREME_INPUTS)))}


def judge_activations_stable(found: dict[str, np.ndarray], secrets: Arrays) -> None:
    expect_close("softmax([[1000, 1001, 1002], [-1000, -1001, -1002]], dim=1)", numpy_softmax(LARGE_SCORES, 1),
                 found["softmax"], atol=1e-6,
                 hint="exp(1000) déborde (inf / inf = nan) : soustrayez le maximum de chaque ligne avant "
                      "l'exponentielle, softmax(x) = softmax(x − max x).")
    expect_close("sigmoid([-100, -20, 20, 100])", numpy_sigmoid(EXTREME_INPUTS), found["sigmoid"], atol=1e-6,
                 hint="Écrivez 1 / (1 + exp(−x)) : exp(x) / (1 + exp(x)) donne inf / inf = nan pour x grand.")


def activation_library_functions() -> list[tuple[Any, str]]:
    """The library versions of the activations, which the student must not call."""
    import torch
    import torch.nn.functional as F

    names = ("relu", "relu_", "sigmoid", "softmax", "log_softmax")
    return ([(torch, n) for n in names] + [(torch.Tensor, n) for n in names] + [(F, n) for n in names]
            + [(torch.special, n) for n in ("expit", "softmax", "log_softmax")])


def collect_activations_by_hand(sub: Submission, inputs: Arrays) -> dict[str, list[str]]:
    import torch

    functions = activation_functions(sub)
    targets = activation_library_functions()
    named = sorted({label for f in functions for label in referenced_functions(f, targets)})
    x = torch.from_numpy(activation_inputs()["matrix"])
    with spy_calls(targets) as used:
        for function in functions:
            function(x)
    return {"used": sorted(set(used) | set(named))}


def judge_activations_by_hand(found: dict[str, list[str]], secrets: Arrays) -> None:
    expect_equal("Fonctions d'activation toutes faites appelées par relu, sigmoid ou softmax", [], found["used"],
                 "Écrivez les formules vous-même avec des opérations élémentaires (torch.exp, torch.clamp, "
                 "torch.maximum, sommes…), sans torch.relu, torch.sigmoid ni torch.softmax.")


# --- 2. Tensors -------------------------------------------------------------------------------------

EXPECTED_DTYPES = {"matrix": "torch.float32", "zeros": "torch.float32", "normal": "torch.float32",
                   "linspace": "torch.float32", "arange": "torch.int64"}


def collect_tensor_dtypes(sub: Submission, inputs: Arrays) -> dict[str, list[str]]:
    result = sub.function("sheet_tensors")()
    expect_true(isinstance(result, dict), f"sheet_tensors doit renvoyer un dictionnaire, pas {type_name(result)}.")
    return {key: [type_name(result.get(key)), str(getattr(result.get(key), "dtype", ""))] for key in EXPECTED_DTYPES}


def judge_tensor_dtypes(found: dict[str, list[str]], secrets: Arrays) -> None:
    for key, dtype in EXPECTED_DTYPES.items():
        expect_equal(f"Type de « {key} »", "Tensor", found[key][0], "Créez des tenseurs torch, pas des tableaux numpy.")
        hint = ("arange(0, 10, 2) avec des bornes entières donne des entiers (int64)." if key == "arange"
                else "Valeurs réelles : float32, le type par défaut de torch.")
        expect_equal(f"dtype de « {key} »", dtype, found[key][1], hint)


NORMAL_DRAWS = 200


def collect_normal_draws(sub: Submission, inputs: Arrays) -> np.ndarray:
    sheet_tensors = sub.function("sheet_tensors")
    return np.stack([as_array(sheet_tensors()["normal"]) for _ in range(NORMAL_DRAWS)])


def judge_normal_draws(found: np.ndarray, secrets: Arrays) -> None:
    expect_equal("Forme de 200 tirages de « normal »", (NORMAL_DRAWS, 3, 3), found.shape)
    expect_true(not np.allclose(found[0], found[1]),
                "Deux appels de sheet_tensors donnent le même tenseur « normal » : tirez-le avec torch.randn à "
                "chaque appel.")
    expect_close("Moyenne de 1 800 valeurs de « normal » (loi normale centrée réduite)", 0.0, float(found.mean()),
                 atol=0.1, hint="torch.randn tire selon N(0, 1) ; torch.rand tire uniformément dans [0, 1).")
    expect_close("Écart-type de 1 800 valeurs de « normal »", 1.0, float(found.std()), atol=0.1)


# --- 3. Autograd ----------------------------------------------------------------------------------


def cubic(x: Any) -> Any:
    return x**3 - 2 * x


def wave(x: Any) -> Any:
    import torch

    return x * torch.sin(x)


def growth(x: Any) -> Any:
    import torch

    return torch.exp(2 * x)


def sheet_quadratic(x: Any) -> Any:
    return (x - 2) ** 2


GRADIENT_CASES = [  # (function, x0, f'(x0), description)
    (cubic, 2.0, 10.0, "x³ − 2x en 2"),
    (wave, 0.5, float(np.sin(0.5) + 0.5 * np.cos(0.5)), "x·sin(x) en 0,5"),
    (growth, 0.0, 2.0, "exp(2x) en 0"),
    (sheet_quadratic, 0.2, -3.6, "(x − 2)² en 0,2"),
]


def collect_gradients(sub: Submission, inputs: Arrays) -> list[float]:
    derivative = sub.function("derivative")
    return [float(derivative(function, x0)) for function, x0, _, _ in GRADIENT_CASES]


def judge_gradients(found: list[float], secrets: Arrays) -> None:
    for (_, _, expected, what), value in zip(GRADIENT_CASES, found, strict=True):
        expect_close(f"Dérivée de {what}", expected, value, rtol=1e-5, atol=1e-6)


class RecordingFunction:
    """f(x) = x³ that records what it receives: a tensor that requires a gradient, or not."""

    def __init__(self) -> None:
        self.calls: list[list[bool]] = []

    def __call__(self, x: Any) -> Any:
        import torch

        self.calls.append([isinstance(x, torch.Tensor), bool(getattr(x, "requires_grad", False))])
        return x**3


def collect_autograd_used(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    f = RecordingFunction()
    value = float(sub.function("derivative")(f, 1.5))
    return {"calls": f.calls, "value": value}


def judge_autograd_used(found: dict[str, Any], secrets: Arrays) -> None:
    expect_true(bool(found["calls"]), "derivative n'a pas appelé f.")
    expect_true(all(tensor and grad for tensor, grad in found["calls"]),
                "derivative doit appeler f sur un tenseur créé avec requires_grad=True, puis utiliser backward() "
                "et x.grad : pas de différences finies.")
    expect_close("Dérivée de x³ en 1,5", 6.75, found["value"], rtol=1e-5)


# --- 4. Gradient descent ------------------------------------------------------------------------
#: Expected (θ, cpt): the sheet's own code run with these parameters, f(θ) = (θ − 2)², θ0 = 0.2.
STOPPING_CASES = [
    ({"alpha": 0.1, "limit": 100, "epsilon": 0.01}, (1.9965183734893799, 28), "α = 0,1 (arrêt par ε)"),
    ({"alpha": 0.1, "limit": 100, "epsilon": 0.5}, (1.8067264556884766, 10), "α = 0,1, ε = 0,5"),
    ({"alpha": 0.01, "limit": 1, "epsilon": 0.01}, (0.23600000143051147, 1), "limite = 1"),
]


def collect_descent_stopping(sub: Submission, inputs: Arrays) -> list[dict[str, Any]]:
    return [run_descent(sub, sheet_quadratic, theta0=0.2, **kwargs) for kwargs, _, _ in STOPPING_CASES]


def judge_descent_stopping(found: list[dict[str, Any]], secrets: Arrays) -> None:
    for (_, expected, what), value in zip(STOPPING_CASES, found, strict=True):
        expect_descent(what, expected, value,
                       "Arrêt dès que |gradient| ≤ ε ou que cpt atteint la limite ; la première mise à jour compte "
                       "pour cpt = 1 ; utilisez les arguments alpha, limit et epsilon.")


class RecordingQuadratic:
    """3 (θ + 1)² + 0.5, recording whether it receives a tensor that requires a gradient."""

    def __init__(self) -> None:
        self.calls: list[bool] = []

    def __call__(self, theta: Any) -> Any:
        self.calls.append(bool(getattr(theta, "requires_grad", False)))
        return 3 * (theta + 1) ** 2 + 0.5


def quartic(theta: Any) -> Any:
    return (theta - 1) ** 4


def collect_descent_other(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    quadratic = RecordingQuadratic()
    first = run_descent(sub, quadratic, theta0=4.0, alpha=0.05, limit=500, epsilon=1e-3)
    second = run_descent(sub, quartic, theta0=3.0, alpha=0.01, limit=50, epsilon=0.01)
    return {"quadratic": first, "quartic": second, "calls": quadratic.calls}


def judge_descent_other(found: dict[str, Any], secrets: Arrays) -> None:
    expect_true(bool(found["calls"]) and all(found["calls"]),
                "gradient_descent doit appeler f sur un tenseur θ créé avec requires_grad=True et obtenir le "
                "gradient par backward().")
    # The sheet's own code on these functions gives these values.
    expect_descent("f(θ) = 3(θ + 1)² + 0,5, θ0 = 4, α = 0,05, limite 500, ε = 0,001", (-0.9998872876167297, 30),
                   found["quadratic"], "Utilisez la fonction f reçue en argument et theta0.")
    expect_descent("f(θ) = (θ − 1)⁴, θ0 = 3, α = 0,01, limite 50", (1.475011944770813, 50), found["quartic"])


# --- 5. SGD with momentum --------------------------------------------------------------------------
MOMENTUM_STEPS = 30


def collect_momentum_trajectory(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    return run_training_steps(sub, seed=21, steps=MOMENTUM_STEPS, lr=0.01, momentum=0.9)


def judge_momentum_trajectory(found: dict[str, Any], secrets: Arrays) -> None:
    X, y = linear_problem(21)
    losses, W, b = reference_linear_training(found["weight"], found["bias"], X, y, MOMENTUM_STEPS, 0.01, 0.9)
    hint = ("Un seul pas de l'optimiseur reçu par itération, après optimizer.zero_grad() : sans remise à zéro, "
            "les gradients s'additionnent d'un pas à l'autre.")
    expect_equal("Nombre de pertes renvoyées", MOMENTUM_STEPS, len(found["losses"]))
    expect_close("Pertes des 30 pas de SGD avec momentum 0,9", losses, found["losses"], rtol=1e-4, hint=hint)
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


def collect_slope(sub: Submission, inputs: Arrays) -> float:
    import torch

    X = torch.linspace(0, 10, 100).reshape(-1, 1)
    y = 3 * X + torch.randn(X.size()) * 2
    model = sub.function("fit_linear_regression")(X, y, epochs=SLOPE_EPOCHS, lr=SLOPE_LR)
    return float(as_array(model.weight).ravel()[0])


def slope_error(slope: float, secrets: Arrays) -> float:
    return abs(slope - 3.0)


def collect_fit_arguments(sub: Submission, inputs: Arrays) -> dict[str, float]:
    import torch

    X = torch.linspace(0, 10, 50).reshape(-1, 1)
    model = sub.function("fit_linear_regression")(X, -2 * X + 5, epochs=1000, lr=0.02)
    return {"slope": float(as_array(model.weight).ravel()[0]), "bias": float(as_array(model.bias).ravel()[0])}


def judge_fit_arguments(found: dict[str, float], secrets: Arrays) -> None:
    hint = "Utilisez les arguments epochs et lr, et un nn.Linear avec biais."
    expect_close("Pente apprise sur y = −2x + 5 sans bruit (1 000 époques, lr = 0,02)", -2.0, found["slope"],
                 rtol=0, atol=0.02, hint=hint)
    expect_close("Ordonnée à l'origine apprise sur y = −2x + 5", 5.0, found["bias"], rtol=0, atol=0.1, hint=hint)


# --- 7. Convolution -----------------------------------------------------------------------------------
CONVOLUTION_SHAPES = [((5, 7), (3, 2)), ((6, 6), (1, 1)), ((4, 5), (4, 5)), ((8, 3), (2, 3))]


def convolution_inputs() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(40)
    return [(rng.normal(size=image).astype(np.float32), rng.normal(size=kernel).astype(np.float32))
            for image, kernel in CONVOLUTION_SHAPES]


def collect_convolution_random(sub: Submission, inputs: Arrays) -> list[np.ndarray]:
    import torch

    conv = sub.function("conv2d_by_hand")
    return [as_array(conv(torch.from_numpy(image), torch.from_numpy(kernel))) for image, kernel in convolution_inputs()]


def judge_convolution_random(found: list[np.ndarray], secrets: Arrays) -> None:
    for (image, kernel), value in zip(convolution_inputs(), found, strict=True):
        expect_close(f"Image {image.shape[0]}×{image.shape[1]}, noyau {kernel.shape[0]}×{kernel.shape[1]}, comparée "
                     "à torch.nn.functional.conv2d", numpy_cross_correlation(image, kernel), value, atol=1e-5,
                     hint="Sortie de forme (H − kh + 1, W − kw + 1) ; parcourez lignes et colonnes séparément.")


def convolution_library_functions() -> list[tuple[Any, str]]:
    import sys

    import torch
    import torch.nn.functional as F

    targets = [(torch, "conv2d"), (F, "conv2d"), (torch, "convolution"), (torch, "conv1d"), (F, "conv1d")]
    signal = sys.modules.get("scipy.signal")
    if signal is not None:
        targets += [(signal, n) for n in ("correlate2d", "convolve2d", "correlate", "convolve")]
    return targets


def collect_convolution_by_hand(sub: Submission, inputs: Arrays) -> dict[str, list[str]]:
    import torch

    conv = sub.function("conv2d_by_hand")
    targets = convolution_library_functions()
    named = referenced_functions(conv, targets)
    image, kernel = convolution_inputs()[0]
    with spy_calls(targets) as used:
        conv(torch.from_numpy(image), torch.from_numpy(kernel))
    return {"used": sorted(set(used) | set(named))}


def judge_convolution_by_hand(found: dict[str, list[str]], secrets: Arrays) -> None:
    expect_equal("Fonctions de convolution toutes faites appelées par conv2d_by_hand", [], found["used"],
                 "Faites glisser le noyau vous-même (deux boucles et une somme de produits) ; conv2d ne sert "
                 "qu'à vérifier.")


# --- 8. Loss functions ----------------------------------------------------------------------------------


def collect_loss_values(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    import torch

    choose = sub.function("choose_loss")
    prediction, target = torch.tensor([[0.5], [2.0], [-1.0]]), torch.tensor([[1.0], [1.5], [0.0]])
    probability, label = torch.tensor([0.9, 0.2, 0.6]), torch.tensor([1.0, 0.0, 0.0])
    try:
        choose("clustering")
        raised = None
    except Exception as error:  # noqa: BLE001 - which exception is what we record
        raised = type_name(error)
    return {"mse": float(choose("regression")(prediction, target)), "bce": float(choose("binary")(probability, label)),
            "unknown": raised}


def judge_loss_values(found: dict[str, Any], secrets: Arrays) -> None:
    expect_close("Perte de régression sur 3 exemples (moyenne des carrés des écarts)", (0.25 + 0.25 + 1.0) / 3,
                 found["mse"], hint="nn.MSELoss() avec sa réduction par défaut (la moyenne).")
    p, t = np.array([0.9, 0.2, 0.6]), np.array([1.0, 0.0, 0.0])
    expect_close("Perte binaire sur 3 probabilités", float(-np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))),
                 found["bce"], rtol=1e-5,
                 hint="nn.BCELoss() reçoit des probabilités (sortie de sigmoïde) ; BCEWithLogitsLoss attend des "
                      "scores bruts.")
    expect_equal("Exception levée par choose_loss(\"clustering\")", "ValueError", found["unknown"],
                 "Pour une tâche inconnue, levez ValueError (raise ValueError(...)).")


# --- 9. Batching ------------------------------------------------------------------------------------------


def collect_loader_shuffle(sub: Submission, inputs: Arrays) -> list[np.ndarray]:
    epochs = loader_epochs(sub, 100, 32, epochs=2)["epochs"]
    return [np.concatenate([batch["rows"] for batch in batches]) for batches in epochs]


def judge_loader_shuffle(found: list[np.ndarray], secrets: Arrays) -> None:
    first, second = found
    hint = "Passez shuffle=True au DataLoader : l'ordre des exemples change à chaque époque."
    expect_true(not np.array_equal(first, np.sort(first)),
                "Les lots d'une époque arrivent dans l'ordre des données : attendu un ordre mélangé. " + hint)
    expect_true(not np.array_equal(first, second),
                "Deux époques donnent le même ordre : attendu un nouveau mélange à chaque époque. " + hint)


def collect_loader_pairs(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    found = loader_epochs(sub, 45, 10)
    batches = found["epochs"][0]
    return {"length": found["length"], "sizes": [len(batch["rows"]) for batch in batches],
            "rows": np.concatenate([batch["rows"] for batch in batches]),
            "y": np.concatenate([batch["y"].ravel() for batch in batches])}


def judge_loader_pairs(found: dict[str, Any], secrets: Arrays) -> None:
    expect_equal("Nombre de lots pour 45 exemples et batch_size=10", 5, found["length"],
                 "Utilisez l'argument batch_size.")
    expect_equal("Tailles des lots pour 45 exemples et batch_size=10", [10, 10, 10, 10, 5], sorted(found["sizes"],
                 reverse=True))
    expect_equal("Exemples vus en une époque (chacun une fois)", list(range(45)), sorted(found["rows"].tolist()))
    expect_close("Cibles y alignées sur les lignes de X dans chaque lot", 10.0 * found["rows"], found["y"],
                 hint="Le DataLoader doit porter les couples (X[i], y[i]) : TensorDataset(X, y).")


# --- 10. The sheet's Keras CNN ------------------------------------------------------------------------
EXPECTED_SHAPES = [[10, 10, 8], [10, 10, 8], [5, 5, 8], [2, 2, 16], [2, 2, 16], [1, 1, 16], [16], [10]]


def judge_cnn_shapes(found: dict[str, Any], secrets: Arrays) -> None:
    expect_equal("Formes de sortie des couches, sans la dimension du lot", EXPECTED_SHAPES, found["shapes"],
                 "Conv2D(strides=3, padding='same') : plafond(28 / 3) = 10 ; MaxPooling2D(2, padding='same') : "
                 "plafond(10 / 2) = 5 ; puis 2, 1, et Flatten donne 1 × 1 × 16 = 16.")


def collect_cnn_params(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    return {"10": describe_cnn(sub, 10)["params"], "3": describe_cnn(sub, 3)["params"]}


def judge_cnn_params(found: dict[str, Any], secrets: Arrays) -> None:
    expect_equal("Nombre de paramètres du CNN à 10 classes", 1514, found["10"],
                 "3×3×1×8+8 = 80, BatchNormalization 4×8 = 32, 3×3×8×16+16 = 1 168, 4×16 = 64, 16×10+10 = 170.")
    expect_equal("Nombre de paramètres du CNN pour n_classes=3", 1395, found["3"],
                 "La couche de sortie doit avoir n_classes neurones.")


def judge_cnn_compile(found: dict[str, Any], secrets: Arrays) -> None:
    expect_compiled(found, optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])


# --- 11. Multiple-choice quiz -----------------------------------------------------------------------
#: ``{question: (letter, explanation)}``; explanations name the concept, never show code.
ANSWER_KEY: dict[str, tuple[str, str]] = {} if in_sandbox() else {
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


def answer_key() -> dict[str, tuple[str, str]]:
    if not ANSWER_KEY:
        raise RuntimeError("the answer key is only available outside the sandbox")
    return ANSWER_KEY


CHECKS = [
    Check("activations", "activations_random", "Activations comparées à torch sur des tenseurs aléatoires, "
          "argument dim de softmax", 1, collect_activations_random, judge_activations_random, hidden=True),
    Check("activations", "activations_stable", "Stabilité numérique : softmax et sigmoïde sur de grandes valeurs", 1,
          collect_activations_stable, judge_activations_stable, hidden=True),
    Check("activations", "activations_by_hand", "Activations écrites à la main (sans torch.relu, torch.sigmoid, "
          "torch.softmax)", 1, collect_activations_by_hand, judge_activations_by_hand, hidden=True),
    Check("tensors", "tensors_dtypes", "Types des tenseurs (float32, int64 pour arange)", 1, collect_tensor_dtypes,
          judge_tensor_dtypes, hidden=True),
    Check("tensors", "tensors_normal", "randn : un nouveau tirage normal centré réduit à chaque appel", 1,
          collect_normal_draws, judge_normal_draws, hidden=True),
    Check("autograd", "grad_functions", "Autograd : dérivées de quatre autres fonctions", 1, collect_gradients,
          judge_gradients, hidden=True),
    Check("autograd", "grad_autograd_used", "Autograd utilisé (requires_grad, backward), pas de différences finies",
          1, collect_autograd_used, judge_autograd_used, hidden=True),
    Check("descent", "descent_stopping", "Descente de gradient : conditions d'arrêt (ε, limite) et arguments", 1,
          collect_descent_stopping, judge_descent_stopping, hidden=True),
    Check("descent", "descent_other_functions", "Descente de gradient sur d'autres fonctions, avec autograd", 1,
          collect_descent_other, judge_descent_other, hidden=True),
    Check("momentum", "momentum_trajectory", "Entraînement avec momentum : pertes et poids identiques à la "
          "référence", 1, collect_momentum_trajectory, judge_momentum_trajectory, hidden=True),
    threshold_check("regression", "regression_slope", "Régression : pente apprise proche de 3", 2, collect_slope,
                    slope_error, SLOPE_THRESHOLD, f"{SLOPE_EPOCHS} époques (SGD, lr = {SLOPE_LR})", timeout_s=60),
    Check("regression", "regression_arguments", "Régression : epochs et lr respectés, pente et biais retrouvés", 1,
          collect_fit_arguments, judge_fit_arguments, hidden=True),
    Check("convolution", "conv_random", "Convolution comparée à conv2d sur des images et noyaux d'autres tailles", 1,
          collect_convolution_random, judge_convolution_random, hidden=True),
    Check("convolution", "conv_by_hand", "Convolution écrite à la main (sans conv2d)", 1, collect_convolution_by_hand,
          judge_convolution_by_hand, hidden=True),
    Check("losses", "losses_values", "Pertes : valeurs de MSE et BCE, ValueError pour une tâche inconnue", 1,
          collect_loss_values, judge_loss_values, hidden=True),
    Check("batching", "batching_shuffle", "DataLoader : exemples mélangés à chaque époque", 1, collect_loader_shuffle,
          judge_loader_shuffle, hidden=True),
    Check("batching", "batching_pairs", "DataLoader : batch_size respecté, chaque couple (X, y) vu une fois", 1,
          collect_loader_pairs, judge_loader_pairs, hidden=True),
    Check("cnn", "cnn_shapes", "CNN : forme de sortie de chaque couche", 1, collect_cnn, judge_cnn_shapes, hidden=True),
    Check("cnn", "cnn_params", "CNN : nombre de paramètres (1 514 pour 10 classes)", 1, collect_cnn_params,
          judge_cnn_params, hidden=True),
    Check("cnn", "cnn_compile", "CNN : compilation (rmsprop, categorical_crossentropy, accuracy)", 1, collect_cnn,
          judge_cnn_compile, hidden=True),
    *question_checks("qcm", QUESTIONS, answer_key, QCM_POINTS),
]
