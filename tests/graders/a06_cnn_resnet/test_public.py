"""Public tests of 06_cnn_resnet: students run these with ``autograder check``.

Each function is tested on its own, on small inputs built here (random images and features, a tiny
model for the training functions, VGG16 at 32×32): a mistake costs its own points only.
"""

from __future__ import annotations

import numpy as np

from a06_cnn_resnet import probes
from a06_cnn_resnet.inputs import (
    CONTENT_LAYER,
    CURVES,
    GRADED_FUNCTIONS,
    IMAGE_SHAPE,
    NUM_CLASSES,
    STYLE_LAYERS,
    VGG_MEANS_BGR,
    detection_sample,
    features,
    labelled_images,
    layer_features,
    raw_images,
    rgb_images,
)
from a06_cnn_resnet.judging import expect_one_hot, gram, style, style_from_grams
from autograder.checks.expect import expect_close, expect_close_or_consistent, expect_equal, expect_number, expect_true
from autograder.checks.figures import expect_curves
from autograder.checks.inspection import expect_backend_portable
from autograder.checks.keras_model import expect_layers
from autograder.grader import graded

CNN_PARAMS = 2_122_186  # 896 + 18 496 + 4 096×512+512 + 5 130
RESNET_PARAMS, RESNET_NON_TRAINABLE = 153_098, 832  # 416 BatchNormalization channels × (moving mean, variance)

# ------------------------------------------------------------------------------------------------ data


@graded(1, task="data")
def test_preprocess_images(student):
    """Prétraitement : float32, pixel / 255, forme (n, 32, 32, 3) gardée"""
    images = raw_images(4, 10)
    values = student.run(probes.preprocessed, images)["values"]
    expect_equal("Forme de preprocess_images(images) pour 4 images 32×32×3", [4, 32, 32, 3], list(values.shape))
    expect_equal("Type des valeurs", np.dtype(np.float32).str, values.dtype.str, "Convertissez en float32.")
    expect_close("Valeurs normalisées (pixel / 255)", images / 255.0, values, rtol=0, atol=1e-6,
                 hint="Divisez par 255.")


@graded(1, task="data")
def test_encode_labels_column(student):
    """One-hot : étiquettes en colonne (n, 1) comme celles de cifar10.load_data()"""
    labels = np.array([[3], [0], [9], [1], [3], [7], [2], [4], [5], [6], [8]], dtype=np.uint8)
    found = student.run(probes.returned_array, "encode_labels", labels)
    expect_one_hot(found, labels, "11 étiquettes de forme (11, 1)",
                   "Les étiquettes de CIFAR-10 sont une colonne : aplatissez-les (reshape(-1)) avant l'encodage.")


# ------------------------------------------------------------------------------------------------- cnn


@graded(1, task="cnn")
def test_cnn_layers(cnn):
    """CNN : Conv(32)-Pool-Conv(64)-Pool-Flatten-Dense(512)-Dense(10), 3×3, relu, padding same"""
    conv = {"type": "Conv2D", "kernel_size": [3, 3], "activation": "relu", "padding": "same"}
    expect_layers(cnn, [{**conv, "filters": 32}, {"type": "MaxPooling2D", "pool_size": [2, 2]},
                        {**conv, "filters": 64}, {"type": "MaxPooling2D", "pool_size": [2, 2]},
                        {"type": "Flatten"}, {"type": "Dense", "units": 512, "activation": "relu"},
                        {"type": "Dense", "units": NUM_CLASSES, "activation": "softmax"}])


@graded(1, task="cnn")
def test_cnn_params(cnn):
    """CNN : 2 122 186 paramètres, une sortie par classe"""
    expect_equal("Nombre de paramètres du CNN", CNN_PARAMS, cnn["params"],
                 "Entrée keras.Input(shape=(32, 32, 3)), padding=\"same\" : 8×8×64 valeurs avant Dense(512).")
    expect_equal("Forme de sortie du CNN", [None, NUM_CLASSES], cnn["output_shape"])


# ---------------------------------------------------------------------------------------------- resnet


@graded(1, task="resnet")
def test_block_shapes(student):
    """Bloc résiduel : formes de sortie, raccourci identité ou projection 1×1"""
    cases = [([8, 8, 16], 16, 1, [None, 8, 8, 16], False, "même nombre de canaux, pas 1 (identité)"),
             ([8, 8, 16], 32, 2, [None, 4, 4, 32], True, "16 → 32 canaux, pas 2 (projection)"),
             ([8, 8, 16], 32, 1, [None, 8, 8, 32], True, "16 → 32 canaux, pas 1 (projection)"),
             ([8, 8, 16], 16, 2, [None, 4, 4, 16], True, "même nombre de canaux, pas 2 (projection)")]
    for shape, filters, stride, expected, projection, what in cases:
        found = student.run(probes.block_shape, shape, filters, stride)
        expect_equal(f"Forme de sortie du bloc, entrée {tuple(shape)}, {what}", expected, found["output_shape"],
                     "Première convolution avec strides=stride, padding=\"same\".")
        expect_equal(f"Convolutions 1×1 du bloc ({what})", 1 if projection else 0,
                     found["kernels"].count([1, 1]),
                     "Le raccourci est une Conv2D 1×1 (+ BatchNormalization) seulement si le pas ou le nombre "
                     "de canaux change ; sinon c'est l'entrée elle-même.")


@graded(1, task="resnet")
def test_resnet_params(resnet):
    """Mini-ResNet : 153 098 paramètres, dont 832 non entraînables"""
    expect_equal("Nombre de paramètres du mini-ResNet", RESNET_PARAMS, resnet["params"],
                 "Conv2D(32) + BN + ReLU, blocs (32, 1), (64, 2), (64, 1), GlobalAveragePooling2D, Dense(10).")
    expect_equal("Paramètres non entraînables (moyennes et variances mobiles des BatchNormalization)",
                 RESNET_NON_TRAINABLE, resnet["non_trainable"])
    expect_equal("Forme de sortie du mini-ResNet", [None, NUM_CLASSES], resnet["output_shape"])


# -------------------------------------------------------------------------------------------- training


@graded(1, task="training")
def test_train_settings(student):
    """Entraînement : epochs, batch_size et validation_split respectés"""
    x, y = labelled_images(100, 30)
    run = student.run(probes.training, x, y, epochs=2, batch_size=30, validation_split=0.1)
    expect_true(run["changed"], "Les poids du modèle n'ont pas changé : appelez model.fit.")
    expect_equal("Époques effectuées pour epochs=2", 2, run["params"].get("epochs"))
    expect_equal("Lots par époque pour 90 images d'entraînement (100 moins 10 % de validation) et batch_size=30",
                 3, run["params"].get("steps"), "Passez batch_size et validation_split à model.fit.")
    expect_equal("Valeurs de val_accuracy", 2, len(run["history"].get("val_accuracy", [])),
                 "Passez validation_split à model.fit.")


# ---------------------------------------------------------------------------------------------- curves


@graded(1, task="curves", timeout_s=15)
def test_curves_accuracy(student):
    """Courbes : accuracy d'entraînement et de validation, étiquetées, légende, axes nommés"""
    found = student.run(probes.history_figure, CURVES)
    expect_curves(found, {"accuracy d'entraînement (accuracy)": np.array(CURVES["accuracy"]),
                          "accuracy de validation (val_accuracy)": np.array(CURVES["val_accuracy"])})


# ------------------------------------------------------------------------------------------------- vgg


@graded(1, task="vgg", timeout_s=60)
def test_extractor_layers(extractor_32):
    """Extracteur VGG16 : sorties block5_conv2 puis block1_conv1 … block5_conv1"""
    expect_equal("Couches de VGG16 dont l'extracteur renvoie les sorties, dans l'ordre",
                 [CONTENT_LAYER, *STYLE_LAYERS], extractor_32["layers"],
                 "outputs = [vgg.get_layer(nom).output for nom in (CONTENT_LAYER, *STYLE_LAYERS)].")


@graded(1, task="vgg")
def test_preprocess_vgg(student):
    """Prétraitement VGG16 : RGB → BGR, moins les moyennes d'ImageNet"""
    images = rgb_images(2, 40)
    found = student.run(probes.returned_array, "preprocess_vgg", images)
    expect_close("preprocess_vgg de 2 images 8×8 (canaux B, V, R moins 103.939, 116.779, 123.68)",
                 images[..., ::-1] - VGG_MEANS_BGR, found, rtol=0, atol=1e-3,
                 hint="Inversez l'ordre des canaux (ops.flip(x, axis=-1)) puis retirez VGG_MEANS_BGR.")


# ----------------------------------------------------------------------------------------------- style


@graded(1, task="style")
def test_gram_single(student):
    """Matrice de Gram d'une image : FᵀF / (H·W), forme (1, C, C)"""
    sample = features((1, 4, 4, 3), 50)
    found = student.run(probes.returned_array, "gram_matrix", sample)
    expect_close("gram_matrix de caractéristiques (1, 4, 4, 3)", gram(sample), found, rtol=1e-4, atol=1e-6,
                 hint="G = FᵀF / (H·W), F de forme (H·W, C) ; résultat (batch, C, C).")


@graded(1, task="style")
def test_style_loss_weighted(student):
    """Perte de style sur trois couches, poids donnés puis par défaut (1/L), comparée à numpy"""
    style_features, generated, weights = layer_features(60), layer_features(70), [0.2, 0.3, 0.5]
    parts = student.run(probes.style_parts, style_features, generated, weights)
    found = expect_number("style_loss", parts["loss"])
    # Judged on its own step: built on a wrong gram_matrix, it is right if consistent with it.
    expect_close_or_consistent("style_loss sur trois couches, poids (0.2, 0.3, 0.5)",
                               style(style_features, generated, weights), found,
                               style_from_grams(parts["grams"], weights), rtol=1e-4,
                               hint="Σ w_l · mean((G(généré_l) − G(style_l))²).")
    parts = student.run(probes.style_parts, style_features, generated, None)
    default = [1 / 3] * 3
    expect_close_or_consistent("style_loss sur trois couches, poids par défaut (weights=None)",
                               style(style_features, generated, None), expect_number("style_loss", parts["loss"]),
                               style_from_grams(parts["grams"], default), rtol=1e-4,
                               hint="Par défaut, 1 / L pour chacune des L couches.")


# ------------------------------------------------------------------------------------------- detection


@graded(1, task="detection")
def test_detection_outputs(student):
    """Tête de détection : sorties (None, 10) puis (None, 4)"""
    found = student.run(probes.detection_head, labelled_images(3, 80)[0], IMAGE_SHAPE, NUM_CLASSES)
    expect_equal("Formes des sorties de build_detection_head((32, 32, 3), 10)", [[None, NUM_CLASSES], [None, 4]],
                 found["shapes"], "keras.Model(entrée, [classe, boîte]) : la classe d'abord, puis les 4 valeurs.")


@graded(1, task="detection")
def test_detection_loss(student):
    """Perte de détection : entropie croisée moyenne + MSE des boîtes"""
    class_true, class_pred, box_true, box_pred = detection_sample(6, NUM_CLASSES, 90)
    expected = (np.mean(-np.sum(class_true * np.log(class_pred), axis=1)) + np.mean((box_true - box_pred) ** 2))
    found = expect_number("detection_loss", student.run(probes.returned_array, "detection_loss", class_true,
                                                        class_pred, box_true, box_pred))
    expect_close("detection_loss sur un lot de 6 (box_weight=1)", expected, found, rtol=1e-4,
                 hint="Moyenne de l'entropie croisée sur le lot, plus la moyenne des carrés des écarts des boîtes.")


# --------------------------------------------------------------------------------------------- backend


@graded(1, task="backend")
def test_backend_portable(notebook):
    """Deux backends : ni tf.… ni keras.backend dans vos fonctions"""
    expect_backend_portable(notebook, GRADED_FUNCTIONS)
