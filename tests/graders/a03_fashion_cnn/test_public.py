"""Public tests of 03_fashion_cnn: students run these with ``autograder check``.

Every function is tested on small synthetic inputs built here, or with the grader's own copy of
what it works with (see :mod:`a03_fashion_cnn.probes`): a mistake costs its own points only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from a03_fashion_cnn import probes
from a03_fashion_cnn.inputs import (
    CLASS_NAMES,
    CURVES_CNN,
    DATASET_BATCH,
    ENCODE_SAMPLE,
    IMAGE_SHAPE,
    N_PLATEAUS,
    NUM_CLASSES,
    SHIRT,
    indicator_images,
    labelled_sample,
    plateau_images,
    plateau_index,
    raw_images,
    shape_images,
    synthetic_report,
    training_sample,
)
from a03_fashion_cnn.judging import expect_one_hot, expect_size
from autograder.checks.classification import (
    expect_classification_report,
    expect_confusion_matrix,
    per_class_scores,
)
from autograder.checks.expect import expect_close, expect_equal, expect_keys, expect_number, expect_true, fail
from autograder.checks.figures import expect_curves
from autograder.checks.keras_model import expect_layers
from autograder.grader import graded

EXPECTED_BASELINE = [
    {"type": "Flatten"},
    {"type": "Dense", "units": 128, "activation": "relu"},
    {"type": "Dropout", "rate": 0.2},
    {"type": "Dense", "units": 10, "activation": "linear"},
    {"type": "Softmax"},
]
BASELINE_PARAMS = 101_770  # 784×128+128 + 128×10+10
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
CNN_SIZE_HINT = "Convolutions 3×3 sans padding (28 → 26 → 13 → 11 → 5) : 320 + 18 496 + 204 928 + 1 290."
EXPECTED_AUGMENTATION = [{"type": "RandomRotation"}, {"type": "RandomTranslation"}, {"type": "RandomZoom"}]


# ------------------------------------------------------------------------------------------ preprocess


@graded(1, task="preprocess")
def test_preprocess_images(student):
    """Prétraitement : forme (n, 28, 28, 1), float32, pixels dans [0, 1]"""
    values = student.run(probes.preprocessed, raw_images(6, 10))["values"]
    expect_equal("Forme de preprocess_images(images) pour 6 images 28×28", [6, 28, 28, 1], list(values.shape),
                 "Ajoutez l'axe du canal : reshape(-1, 28, 28, 1).")
    expect_equal("Type des pixels", np.dtype(np.float32).str, values.dtype.str, "Convertissez avec astype('float32').")
    low, high = float(values.min()), float(values.max())
    if not (low >= 0.0 and high <= 1.0):
        fail("Plage des pixels normalisés", "[0, 1]", f"[{low:.4g}, {high:.4g}]", "Divisez par 255.")
    expect_close("Valeur d'un pixel à 255 après normalisation", 1.0, high, hint="Divisez par 255.")


@graded(1, task="preprocess")
def test_encode_labels(student):
    """Étiquettes encodées en one-hot (n, 10)"""
    expect_one_hot(student.run(probes.returned_array, "encode_labels", ENCODE_SAMPLE), ENCODE_SAMPLE,
                   "Forme de encode_labels(labels) pour 12 étiquettes",
                   "Encodage one-hot : une colonne par classe (keras.utils.to_categorical).",
                   "Encodage one-hot de [0, 1, …, 9, 3, 6]")


# -------------------------------------------------------------------------------------------- baseline


def softmax_as_layer(found: dict[str, Any]) -> dict[str, Any]:
    """``layers.Activation("softmax")`` counts as the separate Softmax layer it is."""
    layers = [{"type": "Softmax"} if layer["type"] == "Activation" and layer.get("activation") == "softmax"
              else layer for layer in found["layers"]]
    return {**found, "layers": layers}


@graded(2, task="baseline")
def test_baseline_layers(baseline):
    """Réseau dense : Flatten → Dense(128, relu) → Dropout(0.2) → Dense(10) → Softmax"""
    expect_layers(softmax_as_layer(baseline), EXPECTED_BASELINE)


@graded(1, task="baseline")
def test_baseline_params(baseline):
    """Réseau dense : entrée (28, 28, 1), 101 770 paramètres, sortie (None, 10)"""
    expect_size(baseline, "Nombre de paramètres du réseau dense", BASELINE_PARAMS,
                "784×128+128 + 128×10+10 = 101 770 : entrée (28, 28, 1).")


# ------------------------------------------------------------------------------------------------- cnn


@graded(2, task="cnn")
def test_cnn_layers(cnn):
    """CNN : deux blocs Conv2D + MaxPooling + Dropout, puis Dense(128) + Dropout, softmax"""
    expect_layers(cnn, EXPECTED_CNN)


@graded(1, task="cnn")
def test_cnn_params(cnn):
    """CNN : entrée (28, 28, 1), 225 034 paramètres, sortie (None, 10)"""
    expect_size(cnn, "Nombre de paramètres du CNN", CNN_PARAMS, CNN_SIZE_HINT)


# --------------------------------------------------------------------------------------------- augment


@graded(1, task="augment")
def test_augment_layers(augmentation):
    """Augmentation : RandomRotation → RandomTranslation → RandomZoom"""
    expect_layers(augmentation, EXPECTED_AUGMENTATION)


def changed_images(images: np.ndarray, originals: np.ndarray) -> int:
    """How many images differ from their original by more than 1e-3 somewhere."""
    return int(np.sum(np.abs(images - originals).reshape(len(images), -1).max(axis=1) > 1e-3))


@graded(1, task="augment")
def test_augment_changes_images(student):
    """Augmentation : les images changent, gardent leur forme et restent reconnaissables"""
    source = shape_images(16, 20)
    augmented = student.run(probes.augmented, source)
    expect_equal("Forme des images augmentées", list(source.shape), list(augmented.shape),
                 "L'augmentation ne change pas la taille des images.")
    if not (np.all(np.isfinite(augmented)) and augmented.min() >= -1e-4 and augmented.max() <= 1 + 1e-4):
        fail("Plage des pixels des images augmentées", "[0, 1]",
             f"[{np.nanmin(augmented):.4g}, {np.nanmax(augmented):.4g}]")
    changed = changed_images(augmented, source)
    if changed < len(source) - 2:
        fail(f"Images modifiées par l'augmentation (sur {len(source)})", f"au moins {len(source) - 2}", changed,
             "Des facteurs nuls ne transforment rien.")
    flat_a, flat_s = augmented.reshape(len(source), -1), source.reshape(len(source), -1)
    with np.errstate(invalid="ignore", divide="ignore"):  # an all-black augmented image has no correlation
        correlations = [np.corrcoef(a, s)[0, 1] for a, s in zip(flat_a, flat_s, strict=True)]
    similarity = float(np.nanmean(correlations)) if not np.all(np.isnan(correlations)) else float("nan")
    if not similarity > 0.4:  # reference: 0.65-0.71 over seeds 0-3
        fail("Corrélation moyenne entre images augmentées et originales", "plus de 0.4", round(similarity, 3),
             "Les transformations sont trop fortes : les facteurs sont des fractions, pas des degrés ni des pixels.")


@graded(1, task="augment")
def test_augmented_dataset_batches(student):
    """Jeu augmenté : lots de batch_size images transformées, chacune avec son étiquette"""
    (found,) = student.run(probes.dataset_passes, plateau_images(N_PLATEAUS), np.arange(N_PLATEAUS), DATASET_BATCH)
    expect_equal("Tailles des lots pour 32 images et batch_size=10", [10, 10, 10, 2], found["sizes"],
                 "Regroupez les images en lots avec .batch(batch_size), une seule passe.")
    images, labels = found["images"], found["labels"].ravel()
    expect_equal("Forme d'une image du jeu augmenté", list(IMAGE_SHAPE), list(images.shape[1:]))
    expect_equal("Étiquettes du jeu augmenté (triées)", list(range(N_PLATEAUS)), sorted(labels.tolist()),
                 "Chaque image garde son étiquette : ne modifiez pas les étiquettes.")
    kept = sum(int(label == plateau_index(image)) for label, image in zip(labels, images, strict=True))
    if kept < len(labels):
        fail(f"Images qui gardent leur étiquette (sur {len(labels)})", len(labels), kept,
             "Mélangez images et étiquettes ensemble : un seul Dataset.from_tensor_slices((images, labels)).")
    changed = changed_images(images, plateau_images(N_PLATEAUS)[labels.astype(int)])
    if changed < len(images) - 2:
        fail(f"Images transformées par l'augmentation (sur {len(images)})", f"au moins {len(images) - 2}", changed,
             "Appliquez l'augmentation reçue aux images de chaque lot (map).")


# ----------------------------------------------------------------------------------------------- train


@graded(1, task="train")
def test_train_history(student):
    """Entraînement : history contient accuracy et val_accuracy pour chaque époque"""
    history = student.run(probes.training, *training_sample(120, 30), *training_sample(40, 31), epochs=2,
                          batch_size=40)["history"]
    expect_keys("Clés de history.history (renvoyez l'objet History de model.fit, avec validation_data)",
                {"loss", "accuracy", "val_loss", "val_accuracy"}, history)
    for key in ("accuracy", "val_accuracy"):
        expect_equal(f"Nombre de valeurs de {key} pour epochs=2", 2, len(history[key]))


# -------------------------------------------------------------------------------------------- evaluate


@graded(1, task="evaluate")
def test_predict_classes(student):
    """predict_classes : une classe entière par image (argmax)"""
    images = indicator_images(50, 40)
    found = student.run(probes.predicted_classes, images)
    expect_equal("Forme de predict_classes(model, images) pour 50 images", [50], list(found.shape),
                 "Une classe par image : argmax des probabilités sur l'axe 1.")
    expect_true(found.dtype.kind in "iu", f"Des numéros de classe entiers étaient attendus, obtenu {found.dtype}.")
    expected = images[:, 0, :NUM_CLASSES, 0].argmax(axis=1)
    expect_equal("Classes prédites (argmax des probabilités)", expected.tolist(), found.tolist())


@graded(1, task="evaluate")
def test_report_f1(report):
    """Rapport de classification : F1 et effectif de chaque classe, accuracy, F1 moyen sur les 10 classes"""
    y_true, y_pred = labelled_sample(300, 50)
    # The arguments' order is test_report_precision_recall's point: a report of (y_pred, y_true) passes here.
    expect_classification_report(report, y_true, y_pred, CLASS_NAMES, fields=("f1-score", "support"), either_order=True)
    what = "Accuracy du rapport (clé « accuracy »)"
    expect_close(what, float(np.mean(y_true == y_pred)), expect_number(what, report.get("accuracy")))
    what = "F1 moyen du rapport (clé « macro avg »), sur les 10 classes"
    macro = report.get("macro avg")
    expect_close(what, float(np.mean(per_class_scores(y_true, y_pred, NUM_CLASSES)["f1-score"])),
                 expect_number(what, macro.get("f1-score") if isinstance(macro, dict) else macro),
                 hint="labels=list(range(10)) : exactement les 10 classes.")


@graded(1, task="evaluate")
def test_class_f1(student):
    """class_f1 : F1 de la classe demandée (6 = Shirt)"""
    report = synthetic_report()
    for index in (SHIRT, 0, 9):
        name = CLASS_NAMES[index]
        what = f"class_f1(rapport, {index}) : F1 de la classe {index} ({name})"
        expect_close(what, report[name]["f1-score"], expect_number(what, student.call("class_f1", report, index)),
                     hint="La classe i est CLASS_NAMES[i] ; 6 est « Shirt ».")


@graded(1, task="evaluate")
def test_confusion_matrix(student):
    """Matrice de confusion 10×10 (lignes = classes réelles)"""
    y_true, y_pred = labelled_sample(300, 60)
    expect_confusion_matrix(student.run(probes.returned_array, "confusion", y_true, y_pred), y_true, y_pred,
                            NUM_CLASSES)


# ---------------------------------------------------------------------------------------------- curves


@graded(1, task="curves", timeout_s=15)
def test_curves_accuracy(student):
    """Courbes d'accuracy : entraînement et validation, étiquetées, légende, axes nommés"""
    expect_curves(student.run(probes.accuracy_curves, {"CNN": CURVES_CNN}),
                  {"accuracy d'entraînement (accuracy)": np.array(CURVES_CNN["accuracy"]),
                   "accuracy de validation (val_accuracy)": np.array(CURVES_CNN["val_accuracy"])})
