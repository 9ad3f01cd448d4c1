"""Public checks of 03_fashion_cnn: students run these with ``autograder check``.

Every function is checked on small synthetic inputs built here, or with the grader's own
copy of what it works with (a tiny reference model for ``train_model`` and ``predict_classes``,
a reference augmentation for ``make_augmented_dataset``): a mistake costs its own points only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.checks.classification import expect_classification_report, expect_confusion_matrix
from autograder.checks.expect import expect_close, expect_equal, expect_keys, expect_true, fail
from autograder.checks.figures import describe_figure, expect_curves
from autograder.checks.keras_model import describe_keras_model, expect_layers
from autograder.grading.spec import Arrays, Check, Submission

CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]
NUM_CLASSES = 10
SHIRT = 6
IMAGE_SHAPE = (28, 28, 1)

# ------------------------------------------------------------------------------------------------ data


def raw_images(n: int, seed: int) -> np.ndarray:
    """uint8 images of shape (n, 28, 28), like ``fashion_mnist.load_data()``, with 0 and 255 present."""
    images = np.random.default_rng(seed).integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    images[0, 0, 0], images[-1, -1, -1] = 0, 255
    return images


def shape_images(n: int, seed: int) -> np.ndarray:
    """float32 images (n, 28, 28, 1) in [0, 1]: a few bright rectangles of various grey levels on black."""
    rng = np.random.default_rng(seed)
    images = np.zeros((n, *IMAGE_SHAPE), dtype=np.float32)
    for image in images:
        for _ in range(3):
            top, left = rng.integers(4, 16, size=2)
            height, width = rng.integers(4, 10, size=2)
            image[top:top + height, left:left + width, 0] = rng.uniform(0.3, 1.0)
    return images


PLATEAU_BASE, PLATEAU_STEP = 0.2, 0.02


def plateau_images(n: int) -> np.ndarray:
    """Image ``k``: a centred 12×8 rectangle of grey level ``0.2 + 0.02 k`` on black.

    Rotations of 10°, shifts of 10 % and zooms of 10 % keep part of the rectangle's inside,
    so the brightest pixel of an augmented image still tells which image it came from.
    """
    images = np.zeros((n, *IMAGE_SHAPE), dtype=np.float32)
    for k in range(n):
        images[k, 8:20, 10:18, 0] = PLATEAU_BASE + PLATEAU_STEP * k
    return images


def plateau_index(image: np.ndarray) -> int:
    """Which plateau image an (augmented) image came from."""
    return int(np.round((float(np.max(image)) - PLATEAU_BASE) / PLATEAU_STEP))


def reference_augmentation() -> Any:
    """The grader's own augmentation (rotation 10°, shifts and zoom of 10 %)."""
    import keras

    return keras.Sequential([
        keras.layers.RandomRotation(10 / 360, fill_mode="constant"),
        keras.layers.RandomTranslation(0.1, 0.1, fill_mode="constant"),
        keras.layers.RandomZoom(0.1, fill_mode="constant"),
    ])


def as_float_array(value: Any) -> np.ndarray:
    """A numpy float array from a numpy array, a tensor or a list."""
    array = np.asarray(value)
    expect_true(array.dtype.kind in "biuf", f"Un tableau de nombres était attendu, pas {array.dtype}.")
    return array


# ------------------------------------------------------------------------------------------ preprocess


def collect_preprocessed(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    array = as_float_array(sub.function("preprocess_images")(raw_images(6, 10)))
    return {"shape": list(array.shape), "dtype": array.dtype.str, "min": float(array.min()),
            "max": float(array.max())}


def judge_preprocessed(found: dict[str, Any], secrets: Arrays) -> None:
    expect_equal("Forme de preprocess_images(images) pour 6 images 28×28", [6, 28, 28, 1], found["shape"],
                 "Ajoutez l'axe du canal : reshape(-1, 28, 28, 1).")
    expect_equal("Type des pixels", np.dtype(np.float32).str, found["dtype"], "Convertissez avec astype('float32').")
    if not (found["min"] >= 0.0 and found["max"] <= 1.0):
        fail("Plage des pixels normalisés", "[0, 1]", f"[{found['min']:.4g}, {found['max']:.4g}]", "Divisez par 255.")
    expect_close("Valeur d'un pixel à 255 après normalisation", 1.0, found["max"], hint="Divisez par 255.")


ENCODE_SAMPLE = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3, 6])


def collect_encoded(sub: Submission, inputs: Arrays) -> np.ndarray:
    return as_float_array(sub.function("encode_labels")(ENCODE_SAMPLE.copy())).astype(float)


def judge_encoded(found: np.ndarray, secrets: Arrays) -> None:
    expect_equal("Forme de encode_labels(labels) pour 12 étiquettes", [12, NUM_CLASSES], list(found.shape),
                 "Encodage one-hot : une colonne par classe (keras.utils.to_categorical).")
    expect_close("Encodage one-hot de [0, 1, …, 9, 3, 6]", np.eye(NUM_CLASSES)[ENCODE_SAMPLE], found)


# -------------------------------------------------------------------------------------------- baseline

EXPECTED_BASELINE = [
    {"type": "Flatten"},
    {"type": "Dense", "units": 128, "activation": "relu"},
    {"type": "Dropout", "rate": 0.2},
    {"type": "Dense", "units": 10, "activation": "linear"},
    {"type": "Softmax"},
]
BASELINE_PARAMS = 101_770  # 784×128+128 + 128×10+10


def softmax_as_layer(found: dict[str, Any]) -> dict[str, Any]:
    """``layers.Activation("softmax")`` counts as the separate Softmax layer it is."""
    layers = [{"type": "Softmax"} if layer["type"] == "Activation" and layer.get("activation") == "softmax"
              else layer for layer in found["layers"]]
    return {**found, "layers": layers}


def collect_baseline(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    return describe_keras_model(sub.function("build_dense_baseline")(), IMAGE_SHAPE)


def judge_baseline_layers(found: dict[str, Any], secrets: Arrays) -> None:
    expect_layers(softmax_as_layer(found), EXPECTED_BASELINE)


def judge_baseline_params(found: dict[str, Any], secrets: Arrays) -> None:
    expect_equal("Nombre de paramètres du réseau dense", BASELINE_PARAMS, found["params"],
                 "784×128+128 + 128×10+10 = 101 770 : entrée (28, 28, 1).")
    expect_equal("Forme de sortie", [None, NUM_CLASSES], found["output_shape"])


# ------------------------------------------------------------------------------------------------- cnn

EXPECTED_CNN = [
    {"type": "Conv2D", "filters": 32, "kernel_size": [3, 3], "activation": "relu"},
    {"type": "MaxPooling2D", "pool_size": [2, 2]},
    {"type": "Dropout", "rate": 0.25},
    {"type": "Conv2D", "filters": 64, "kernel_size": [3, 3], "activation": "relu"},
    {"type": "MaxPooling2D", "pool_size": [2, 2]},
    {"type": "Dropout", "rate": 0.25},
    {"type": "Flatten"},
    {"type": "Dense", "units": 128, "activation": "relu"},
    {"type": "Dropout", "rate": 0.5},
    {"type": "Dense", "units": 10, "activation": "softmax"},
]
CNN_PARAMS = 225_034  # 320 + 18 496 + (5×5×64)×128+128 + 128×10+10


def collect_cnn(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    return describe_keras_model(sub.function("build_cnn")(), IMAGE_SHAPE)


def judge_cnn_layers(found: dict[str, Any], secrets: Arrays) -> None:
    expect_layers(found, EXPECTED_CNN)


def judge_cnn_params(found: dict[str, Any], secrets: Arrays) -> None:
    expect_equal("Nombre de paramètres du CNN", CNN_PARAMS, found["params"],
                 "Convolutions 3×3 sans padding (28 → 26 → 13 → 11 → 5) : 320 + 18 496 + 204 928 + 1 290.")
    expect_equal("Forme de sortie", [None, NUM_CLASSES], found["output_shape"])


# --------------------------------------------------------------------------------------------- augment

EXPECTED_AUGMENTATION = [{"type": "RandomRotation"}, {"type": "RandomTranslation"}, {"type": "RandomZoom"}]


def collect_augmentation(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    return describe_keras_model(sub.function("build_augmentation")(), IMAGE_SHAPE)


def judge_augmentation_layers(found: dict[str, Any], secrets: Arrays) -> None:
    expect_layers(found, EXPECTED_AUGMENTATION)


def collect_augmented_images(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    images = shape_images(16, 20)
    augmentation = sub.function("build_augmentation")()
    return {"source": images, "augmented": as_float_array(augmentation(images, training=True)).astype(np.float32)}


def judge_augmented_images(found: dict[str, Any], secrets: Arrays) -> None:
    source, augmented = found["source"], found["augmented"]
    expect_equal("Forme des images augmentées", list(source.shape), list(augmented.shape),
                 "L'augmentation ne change pas la taille des images.")
    if not (np.all(np.isfinite(augmented)) and augmented.min() >= -1e-4 and augmented.max() <= 1 + 1e-4):
        fail("Plage des pixels des images augmentées", "[0, 1]",
             f"[{np.nanmin(augmented):.4g}, {np.nanmax(augmented):.4g}]")
    changed = int(np.sum(np.abs(augmented - source).reshape(len(source), -1).max(axis=1) > 1e-3))
    if changed < len(source) - 2:
        fail(f"Images modifiées par l'augmentation (sur {len(source)})", f"au moins {len(source) - 2}", changed,
             "Des facteurs nuls ne transforment rien.")
    flat_a, flat_s = augmented.reshape(len(source), -1), source.reshape(len(source), -1)
    correlations = [np.corrcoef(a, s)[0, 1] for a, s in zip(flat_a, flat_s, strict=True)]
    similarity = float(np.nanmean(correlations))
    if not similarity > 0.4:  # reference: 0.65-0.71 over seeds 0-3
        fail("Corrélation moyenne entre images augmentées et originales", "plus de 0.4", round(similarity, 3),
             "Les transformations sont trop fortes : les facteurs sont des fractions, pas des degrés ni des pixels.")


def iterate_dataset(dataset: Any, max_batches: int = 100) -> dict[str, Any]:
    """The images and labels of one pass over a ``tf.data.Dataset`` (or any iterable of pairs)."""
    images, labels, sizes = [], [], []
    for count, batch in enumerate(dataset):
        expect_true(count < max_batches, "Le jeu de données ne s'arrête pas : n'utilisez pas repeat().")
        expect_true(isinstance(batch, (tuple, list)) and len(batch) == 2,
                    "Chaque élément du jeu de données doit être un couple (images, étiquettes).")
        x, y = as_float_array(batch[0]), np.asarray(batch[1])
        sizes.append(len(x))
        images.append(x.astype(np.float32))
        labels.append(y)
    expect_true(bool(sizes), "Le jeu de données ne contient aucun lot : au moins un lot (images, étiquettes) attendu.")
    return {"sizes": sizes, "images": np.concatenate(images), "labels": np.concatenate(labels)}


N_PLATEAUS, DATASET_BATCH = 32, 10


def collect_dataset(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    images, labels = plateau_images(N_PLATEAUS), np.arange(N_PLATEAUS)
    dataset = sub.function("make_augmented_dataset")(images, labels, reference_augmentation(),
                                                     batch_size=DATASET_BATCH)
    return iterate_dataset(dataset)


def judge_dataset(found: dict[str, Any], secrets: Arrays) -> None:
    expect_equal("Tailles des lots pour 32 images et batch_size=10", [10, 10, 10, 2], found["sizes"],
                 "Regroupez les images en lots avec .batch(batch_size), une seule passe.")
    images, labels = found["images"], found["labels"]
    expect_equal("Forme d'une image du jeu augmenté", list(IMAGE_SHAPE), list(images.shape[1:]))
    expect_equal("Étiquettes du jeu augmenté (triées)", list(range(N_PLATEAUS)), sorted(labels.ravel().tolist()),
                 "Chaque image garde son étiquette : ne modifiez pas les étiquettes.")
    sources = [plateau_index(image) for image in images]
    wrong = [i for i, (label, source) in enumerate(zip(labels.ravel(), sources, strict=True)) if label != source]
    if wrong:
        fail(f"Images qui gardent leur étiquette (sur {len(labels)})", len(labels), len(labels) - len(wrong),
             "Mélangez images et étiquettes ensemble : un seul Dataset.from_tensor_slices((images, labels)).")
    originals = plateau_images(N_PLATEAUS)[labels.ravel().astype(int)]
    changed = int(np.sum(np.abs(images - originals).reshape(len(images), -1).max(axis=1) > 1e-3))
    if changed < len(images) - 2:
        fail(f"Images transformées par l'augmentation (sur {len(images)})", f"au moins {len(images) - 2}", changed,
             "Appliquez l'augmentation reçue aux images de chaque lot (map).")


# ----------------------------------------------------------------------------------------------- train


def tiny_model() -> Any:
    """A small compiled classifier of 28×28×1 images (one-hot labels) for checking ``train_model``."""
    import keras

    model = keras.Sequential([keras.Input(IMAGE_SHAPE), keras.layers.Flatten(),
                              keras.layers.Dense(NUM_CLASSES, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def training_sample(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    images = rng.random((n, *IMAGE_SHAPE), dtype=np.float32)
    return images, np.eye(NUM_CLASSES, dtype=np.float32)[rng.integers(0, NUM_CLASSES, n)]


def history_dict(history: Any) -> dict[str, list[float]]:
    return {key: [float(v) for v in values] for key, values in dict(getattr(history, "history", {})).items()}


def collect_history(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    x, y = training_sample(120, 30)
    validation = training_sample(40, 31)
    history = sub.function("train_model")(tiny_model(), x, y, validation, epochs=2, batch_size=40)
    return {"history": history_dict(history)}


def judge_history(found: dict[str, Any], secrets: Arrays) -> None:
    history = found["history"]
    expect_keys("Clés de history.history (renvoyez l'objet History de model.fit, avec validation_data)",
                {"loss", "accuracy", "val_loss", "val_accuracy"}, history)
    for key in ("accuracy", "val_accuracy"):
        expect_equal(f"Nombre de valeurs de {key} pour epochs=2", 2, len(history[key]))


# -------------------------------------------------------------------------------------------- evaluate


def indicator_images(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Images whose first ten pixels hold a random permutation; the class is where the largest one is."""
    rng = np.random.default_rng(seed)
    images = np.zeros((n, *IMAGE_SHAPE), dtype=np.float32)
    for image in images:
        image[0, :NUM_CLASSES, 0] = rng.permutation(NUM_CLASSES) / NUM_CLASSES
    return images, images[:, 0, :NUM_CLASSES, 0].argmax(axis=1)


def indicator_model() -> Any:
    """Softmax over the first ten pixels: predicts the class where :func:`indicator_images` put its maximum."""
    import keras

    model = keras.Sequential([keras.Input(IMAGE_SHAPE), keras.layers.Flatten(),
                              keras.layers.Dense(NUM_CLASSES, activation="softmax")])
    kernel = np.zeros((28 * 28, NUM_CLASSES), dtype=np.float32)
    kernel[np.arange(NUM_CLASSES), np.arange(NUM_CLASSES)] = 20.0
    model.layers[-1].set_weights([kernel, np.zeros(NUM_CLASSES, dtype=np.float32)])
    return model


def collect_predictions(sub: Submission, inputs: Arrays) -> np.ndarray:
    images, _ = indicator_images(50, 40)
    return np.asarray(sub.function("predict_classes")(indicator_model(), images))


def judge_predictions(found: np.ndarray, secrets: Arrays) -> None:
    _, expected = indicator_images(50, 40)
    expect_equal("Forme de predict_classes(model, images) pour 50 images", [50], list(found.shape),
                 "Une classe par image : argmax des probabilités sur l'axe 1.")
    expect_true(found.dtype.kind in "iu", f"Des numéros de classe entiers étaient attendus, obtenu {found.dtype}.")
    expect_equal("Classes prédites (argmax des probabilités)", expected.tolist(), found.tolist())


def labelled_sample(n: int, seed: int, classes: int = NUM_CLASSES) -> tuple[np.ndarray, np.ndarray]:
    """True classes and predictions right about 60 % of the time, among ``classes`` classes."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, classes, n)
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, classes, n))
    return y_true, y_pred


def plain(value: Any) -> Any:
    """A report as plain data: dicts, floats, strings."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (str, bool)) or value is None:
        return value
    return float(value)


def collect_report(sub: Submission, inputs: Arrays) -> Any:
    return plain(sub.function("classification_summary")(*labelled_sample(300, 50)))


def judge_report_f1(found: Any, secrets: Arrays) -> None:
    y_true, y_pred = labelled_sample(300, 50)
    expect_classification_report(found, y_true, y_pred, CLASS_NAMES, fields=("f1-score", "support"))
    expect_close("Accuracy du rapport (clé « accuracy »)", float(np.mean(y_true == y_pred)), found.get("accuracy"))


def synthetic_report() -> dict[str, Any]:
    """A report shaped like ``classification_report(..., output_dict=True)``, one F1 per class."""
    report: dict[str, Any] = {name: {"precision": 0.9, "recall": 0.8, "f1-score": 0.5 + 0.04 * i, "support": 100}
                              for i, name in enumerate(CLASS_NAMES)}
    report["accuracy"] = 0.81
    report["macro avg"] = report["weighted avg"] = {"precision": 0.9, "recall": 0.8, "f1-score": 0.68,
                                                    "support": 1000}
    return report


def collect_class_f1(sub: Submission, inputs: Arrays) -> dict[str, float]:
    function = sub.function("class_f1")
    return {str(index): float(function(synthetic_report(), index)) for index in (SHIRT, 0, 9)}


def judge_class_f1(found: dict[str, float], secrets: Arrays) -> None:
    report = synthetic_report()
    for index in (SHIRT, 0, 9):
        name = CLASS_NAMES[index]
        expect_close(f"class_f1(rapport, {index}) : F1 de la classe {index} ({name})", report[name]["f1-score"],
                     found[str(index)], hint="La classe i est CLASS_NAMES[i] ; 6 est « Shirt ».")


def collect_confusion(sub: Submission, inputs: Arrays) -> np.ndarray:
    return as_float_array(sub.function("confusion")(*labelled_sample(300, 60)))


def judge_confusion(found: np.ndarray, secrets: Arrays) -> None:
    expect_confusion_matrix(found, *labelled_sample(300, 60), NUM_CLASSES)


# ---------------------------------------------------------------------------------------------- curves


def fake_history(values: dict[str, list[float]]) -> Any:
    import keras

    history = keras.callbacks.History()
    history.history = {key: list(v) for key, v in values.items()}
    history.epoch = list(range(len(next(iter(values.values())))))
    return history


CURVES_CNN = {"loss": [1.2, 0.8, 0.6, 0.5], "accuracy": [0.55, 0.7, 0.78, 0.81],
              "val_loss": [0.9, 0.7, 0.62, 0.6], "val_accuracy": [0.66, 0.74, 0.77, 0.79]}
CURVES_AUGMENTED = {"loss": [1.4, 1.0, 0.8, 0.7], "accuracy": [0.48, 0.62, 0.7, 0.74],
                    "val_loss": [1.0, 0.75, 0.66, 0.61], "val_accuracy": [0.63, 0.72, 0.76, 0.785]}


def collect_curves(sub: Submission, inputs: Arrays) -> dict[str, Any]:
    return describe_figure(sub.function("plot_accuracy_curves")({"CNN": fake_history(CURVES_CNN)}), png=True)


def judge_curves(found: dict[str, Any], secrets: Arrays) -> None:
    expect_curves(found, {"accuracy d'entraînement (accuracy)": np.array(CURVES_CNN["accuracy"]),
                          "accuracy de validation (val_accuracy)": np.array(CURVES_CNN["val_accuracy"])})


CHECKS = [
    Check("preprocess", "preprocess_images", "Prétraitement : forme (n, 28, 28, 1), float32, pixels dans [0, 1]", 1,
          collect_preprocessed, judge_preprocessed),
    Check("preprocess", "encode_labels", "Étiquettes encodées en one-hot (n, 10)", 1, collect_encoded, judge_encoded),
    Check("baseline", "baseline_layers",
          "Réseau dense : Flatten → Dense(128, relu) → Dropout(0.2) → Dense(10) → Softmax", 2,
          collect_baseline, judge_baseline_layers),
    Check("baseline", "baseline_params", "Réseau dense : 101 770 paramètres, sortie (None, 10)", 1,
          collect_baseline, judge_baseline_params),
    Check("cnn", "cnn_layers", "CNN : deux blocs Conv2D + MaxPooling + Dropout, puis Dense(128) + Dropout, softmax", 2,
          collect_cnn, judge_cnn_layers),
    Check("cnn", "cnn_params", "CNN : 225 034 paramètres, sortie (None, 10)", 1, collect_cnn, judge_cnn_params),
    Check("augment", "augment_layers", "Augmentation : RandomRotation → RandomTranslation → RandomZoom", 1,
          collect_augmentation, judge_augmentation_layers),
    Check("augment", "augment_changes_images",
          "Augmentation : les images changent, gardent leur forme et restent reconnaissables", 1,
          collect_augmented_images, judge_augmented_images),
    Check("augment", "augmented_dataset_batches",
          "Jeu augmenté : lots de batch_size images transformées, chacune avec son étiquette", 1,
          collect_dataset, judge_dataset),
    Check("train", "train_history", "Entraînement : history contient accuracy et val_accuracy pour chaque époque", 1,
          collect_history, judge_history),
    Check("evaluate", "predict_classes", "predict_classes : une classe entière par image (argmax)", 1,
          collect_predictions, judge_predictions),
    Check("evaluate", "report_f1", "Rapport de classification : F1 et effectif de chaque classe, accuracy", 1,
          collect_report, judge_report_f1),
    Check("evaluate", "class_f1", "class_f1 : F1 de la classe demandée (6 = Shirt)", 1,
          collect_class_f1, judge_class_f1),
    Check("evaluate", "confusion_matrix", "Matrice de confusion 10×10 (lignes = classes réelles)", 1,
          collect_confusion, judge_confusion),
    Check("curves", "curves_accuracy",
          "Courbes d'accuracy : entraînement et validation, étiquetées, légende, axes nommés", 1,
          collect_curves, judge_curves, timeout_s=15),
]
