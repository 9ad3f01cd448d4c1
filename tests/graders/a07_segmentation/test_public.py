"""Public tests of 07_segmentation: students run these with ``autograder check``.

Each function is tested on its own, on small inputs built here: the metrics on a few masks computed
again with numpy, the U-Net's graph described layer by layer, ``train_unet`` and ``predict_masks`` on
tiny models of the grader's, the Conv3D run read back from an MLflow store of the grader's.
"""

from __future__ import annotations

import re

import numpy as np

from a07_segmentation import probes
from a07_segmentation.inputs import (
    EXPERIMENT,
    GRADED_FUNCTIONS,
    NOISE,
    RUN,
    grader_discs,
    mask_pairs,
    probability_inputs,
)
from a07_segmentation.judging import expect_block, expect_disc_arrays, expect_metric, loss_from_dice, noise_sigma
from autograder.checks.expect import expect_close, expect_equal, expect_true, fail
from autograder.checks.inspection import expect_backend_portable
from autograder.checks.keras_model import expect_layers
from autograder.checks.mlflow_store import expect_finished, expect_single_run, tracked_run
from autograder.grader import graded

UNET_PARAMS = 353_233
CONV3D_PARAMS = 30_689  # 27×16+16 + 27×16×32+32 + 8×8×8×32+1

# ------------------------------------------------------------------------------------------------ data


@graded(1, task="data")
def test_discs_shapes(student, discs_sample):
    """Données : images et masques float32 (n, 128, 128, 1), masques de 0 et de 1, un disque chacun"""
    expect_disc_arrays(discs_sample, 8, 128)
    expect_disc_arrays(student.run(probes.discs, 3, 64, 4), 3, 64)


@graded(1, task="data")
def test_discs_noise(discs_sample):
    """Données : bruit gaussien d'écart type 0,1, image ramenée dans [0, 1]"""
    images, masks = discs_sample["images"], discs_sample["masks"]
    if images.ndim != 4 or masks.ndim != 4 or images.shape[:3] != masks.shape[:3]:
        fail("Formes des images et des masques de make_discs(8)", "(8, 128, 128, 1) toutes les deux",
             f"{images.shape} et {masks.shape}", "Le bruit se mesure pixel à pixel : image − masque.")
    images, masks = images[..., :1], masks[..., :1]  # a wrong channel count costs test_discs_shapes only
    expect_close("Écart type du bruit (image − masque), mesuré hors des disques", NOISE,
                 noise_sigma(images, masks), rtol=0, atol=0.01, hint="rng.normal(0.0, 0.1, ...) ajouté au masque.")
    expect_true(float(images.min()) >= 0.0 and float(images.max()) <= 1.0,
                f"Chaque image doit être ramenée dans [0, 1] (np.clip) : attendu des valeurs de 0 à 1, obtenu "
                f"de {float(images.min()):.3f} à {float(images.max()):.3f}.")
    background = images[masks < 0.5]
    zeros = float(np.mean(background == 0.0))
    expect_true(0.4 <= zeros <= 0.6,
                f"Hors des disques, environ la moitié des pixels (bruit négatif ramené à 0) doit valoir 0 : "
                f"obtenu {100 * zeros:.1f} %.")


# --------------------------------------------------------------------------------------------- metrics


def check_metric(student, name: str) -> None:
    for what, (y_true, y_pred) in mask_pairs(30).items():
        what = f"masques {what}, lot d'une image 6×6"
        if name == "dice_loss":  # judged on its own step: built on a wrong dice_coefficient, right if 1 − that
            parts = student.run(probes.loss_parts, y_true, y_pred)
            expect_metric(name, what, parts["loss"], y_true, y_pred, loss_from_dice(parts["dice"]))
        else:
            expect_metric(name, what, student.run(probes.metric, name, y_true, y_pred), y_true, y_pred)


@graded(1, task="metrics")
def test_dice_values(student):
    """Dice comparé à numpy : masques identiques, disjoints, probabilités"""
    check_metric(student, "dice_coefficient")


@graded(1, task="metrics")
def test_iou_values(student):
    """IoU comparé à numpy : masques identiques, disjoints, probabilités"""
    check_metric(student, "iou")


@graded(1, task="metrics")
def test_dice_loss_values(student):
    """Perte de Dice comparée à numpy : 1 − Dice"""
    check_metric(student, "dice_loss")


# ------------------------------------------------------------------------------------------------ unet


@graded(1, task="unet")
def test_conv_block_layers(student):
    """conv_block : deux fois Conv2D(3×3, same) → BatchNormalization → ReLU, 872 paramètres pour 3 → 8 canaux"""
    graph = student.run(probes.block_graph, (16, 16, 3), 8)
    expect_block(graph, 8, "conv_block(keras.Input((16, 16, 3)), 8)")
    expect_equal("Forme de sortie de conv_block(keras.Input((16, 16, 3)), 8)", [None, 16, 16, 8],
                 graph["output_shape"])
    expect_equal("Nombre de paramètres de conv_block(keras.Input((16, 16, 3)), 8)", 872, graph["params"],
                 "(3×3×3×8 + 8) + 4×8 + (3×3×8×8 + 8) + 4×8.")


@graded(1, task="unet")
def test_unet_params(student):
    """U-Net : entrée 128×128×1 par défaut, sortie (None, 128, 128, 1), 353 233 paramètres"""
    graph = student.run(probes.unet_graph, None)
    expect_equal("Forme d'entrée de build_unet()", [None, 128, 128, 1], graph["input_shape"])
    expect_equal("Forme de sortie de build_unet()", [None, 128, 128, 1], graph["output_shape"],
                 "Une probabilité par pixel : Conv2D(1, 1, activation=\"sigmoid\").")
    expect_equal("Nombre de paramètres de build_unet()", UNET_PARAMS, graph["params"],
                 "Encodeur 8-16-32, goulot 128, Conv2DTranspose 128-64-32 (2×2, stride 2) concaténés à "
                 "l'encodeur, blocs 32-16-8, sortie 1×1.")


# ----------------------------------------------------------------------------------------------- train

TRAIN_DATA = [*grader_discs(8, 16, 20), *grader_discs(4, 16, 21)]


@graded(1, task="train")
def test_train_compile(student):
    """train_unet : compilé avec Adam (1e-3), la perte dice_loss et les métriques Dice et IoU"""
    found = student.run(probes.trained, TRAIN_DATA, epochs=2, batch_size=3)
    compiled = found["compile"]
    expect_true(compiled is not None, "train_unet doit compiler le modèle reçu (model.compile) avant de l'entraîner.")
    expect_equal("Optimiseur", "adam", compiled["optimizer"])
    expect_close("Taux d'apprentissage", 1e-3, compiled["learning_rate"], rtol=1e-5)
    expect_true(found["loss_is_dice_loss"],
                f"La perte doit être votre fonction dice_loss (loss=dice_loss), obtenu {compiled['loss']!r}.")
    expect_equal("Métriques", ["dice_coefficient", "iou"], sorted(compiled["metrics"]),
                 "metrics=[dice_coefficient, iou] : vos fonctions.")


# ----------------------------------------------------------------------------------------- predictions


@graded(1, task="predictions")
def test_predict_threshold(student):
    """predict_masks : probabilités du modèle seuillées à 0,5, float32 de la forme des images"""
    images = probability_inputs(40, (0.5,))
    images[0, 0] = 0.5  # a probability of exactly 0.5 (sigmoid(0)), not above the threshold
    found = student.run(probes.thresholded, images, False)
    expect_equal("Forme des masques prédits", list(images.shape), list(found.shape))
    expect_equal("Type des masques prédits", np.dtype(np.float32).str, found.dtype.str, "Utilisez float32.")
    # The grader's model gives sigmoid(20·(x − 0.5)): above 0.5 exactly where x > 0.5 (0.5 itself at x = 0.5).
    expect_close("Masques prédits par un modèle de probabilité sigmoid(20·(x − 0.5)), dont 16 pixels à 0,5 tout juste",
                 (images > 0.5).astype(np.float32), found, rtol=0, atol=0,
                 hint="1.0 où la probabilité dépasse strictement le seuil (>), 0.0 ailleurs.")


@graded(1, task="predictions", timeout_s=30)
def test_segmentation_figure(student):
    """Figure : une ligne par image, entrée, masque vrai et prédiction dans cet ordre, titrées"""
    images, masks = grader_discs(2, 16, 50)
    predictions = np.roll(masks, 2, axis=2)
    found = student.run(probes.segmentation_figure, images, masks, predictions)
    shown = [(ax, ax["images"][0]) for ax in found["axes"] if ax["images"]]
    expect_equal("Nombre de graphiques montrant une image (2 images reçues, 3 colonnes)", 6, len(shown))
    columns = ("l'entrée", "le masque vrai", "la prédiction")
    place = {}
    for row in range(2):
        for column, (name, arrays) in enumerate(zip(columns, (images, masks, predictions), strict=True)):
            want = arrays[row, :, :, 0]
            matches = [ax for ax, data in shown if data.shape == want.shape and np.allclose(data, want)]
            if not matches:
                fail(f"Image {row + 1} : {name}", "un imshow de ce tableau 2-D", "aucun graphique ne le montre",
                     "imshow(tableau[i, :, :, 0]).")
            place[row, column] = matches[0]
    for row in range(2):
        xs = [place[row, column]["bounds"][0] for column in range(3)]
        expect_true(xs == sorted(xs) and len(set(xs)) == 3,
                    f"Ligne {row + 1} : attendu l'entrée, le masque vrai puis la prédiction, de gauche à droite.")
    expect_true(place[0, 0]["bounds"][1] > place[1, 0]["bounds"][1],
                "Lignes de la figure : attendu une ligne par image, la première en haut.")
    untitled = [columns[column] for column in range(3) if not place[0, column]["title"].strip()]
    expect_true(not untitled, "Titres : attendu un titre au-dessus de chaque colonne (ax.set_title), manquant "
                              f"au-dessus de : {', '.join(untitled)}.")


# ---------------------------------------------------------------------------------------------- conv3d


@graded(1, task="conv3d")
def test_conv3d_layers(student):
    """Conv3D : Conv3D(16) → MaxPooling3D → Conv3D(32) → MaxPooling3D → Flatten → Dense(1, sigmoid), 30 689
    paramètres"""
    found = student.run(probes.conv3d_model)
    conv = {"kernel_size": [3, 3, 3], "activation": "relu", "padding": "same"}
    expect_layers(found, [{"type": "Conv3D", "filters": 16, **conv}, {"type": "MaxPooling3D", "pool_size": [2, 2, 2]},
                          {"type": "Conv3D", "filters": 32, **conv}, {"type": "MaxPooling3D", "pool_size": [2, 2, 2]},
                          {"type": "Flatten"}, {"type": "Dense", "units": 1, "activation": "sigmoid"}])
    expect_equal("Nombre de paramètres du modèle Conv3D", CONV3D_PARAMS, found["params"],
                 "Entrée keras.Input(shape=(32, 32, 32, 1)).")
    expect_equal("Forme d'entrée", [None, 32, 32, 32, 1], found["input_shape"],
                 "Par défaut input_shape=(32, 32, 32, 1) : keras.Input(shape=input_shape).")
    expect_equal("Forme de sortie", [None, 1], found["output_shape"])


# -------------------------------------------------------------------------------------------- tracking


@graded(1, task="tracking")
def test_conv3d_run(tracking):
    """track_conv3d : expérience « 3D_Volumetric_Analysis », un run terminé « Conv3D_Baseline »"""
    run = expect_single_run(tracking["runs"], EXPERIMENT)
    expect_equal("Nom du run", RUN, run.name, 'mlflow.start_run(run_name="Conv3D_Baseline").')
    expect_finished(run)


def numbers(text: str) -> list[int]:
    """The integers written in a parameter's text: ``"(32, 32, 32, 1)"`` and ``"[32, 32, 32, 1]"`` read the same."""
    return [int(value) for value in re.findall(r"\d+", text)]


@graded(1, task="tracking")
def test_conv3d_params(tracking):
    """track_conv3d : paramètres optimizer, filters_start, input_shape et kernel_size"""
    run = tracked_run(tracking["runs"], EXPERIMENT)
    params = run.params
    expected = ["filters_start", "input_shape", "kernel_size", "optimizer"]
    if sorted(params) != expected:
        fail(f"Paramètres du run « {run.name} »", expected, sorted(params))
    found = {"optimizer": params["optimizer"].lower(), "filters_start": numbers(params["filters_start"]),
             "input_shape": numbers(params["input_shape"]), "kernel_size": sorted(set(numbers(params["kernel_size"])))}
    want = {"optimizer": "adam", "filters_start": [16], "input_shape": [32, 32, 32, 1], "kernel_size": [3]}
    if found != want:
        fail(f"Valeurs des paramètres du run « {run.name} »", want, params)


# --------------------------------------------------------------------------------------------- backend


@graded(1, task="backend")
def test_backend_portable(notebook):
    """Deux backends : ni tf.… ni keras.backend dans vos fonctions"""
    expect_backend_portable(notebook, GRADED_FUNCTIONS)
