"""Inputs of 06_cnn_resnet's tests (no expected values): sent to the sandbox, recomputed here to judge."""

from __future__ import annotations

import numpy as np

NUM_CLASSES = 10
IMAGE_SHAPE = (32, 32, 3)
CONTENT_LAYER = "block5_conv2"
STYLE_LAYERS = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1")
VGG_MEANS_BGR = np.array([103.939, 116.779, 123.68])
#: Training curves (4 epochs) drawn by plot_history; they must come back unchanged.
CURVES = {"accuracy": [0.45, 0.62, 0.74, 0.83], "val_accuracy": [0.55, 0.64, 0.69, 0.71],
          "loss": [1.5, 1.05, 0.73, 0.49], "val_loss": [1.25, 1.02, 0.9, 0.93]}
#: The functions the student writes (the backend check reads them once all are written).
GRADED_FUNCTIONS = ("preprocess_images", "encode_labels", "build_cnn", "residual_block", "build_mini_resnet",
                    "train_model", "evaluate_model", "plot_history", "build_feature_extractor", "preprocess_vgg",
                    "deprocess_vgg", "gram_matrix", "content_loss", "style_loss", "total_loss",
                    "build_detection_head", "detection_loss")


def raw_images(n: int, seed: int, brightest: int = 255, size: int = 32) -> np.ndarray:
    """uint8 images (n, size, size, 3) like ``cifar10.load_data()``'s, pixels 0 to ``brightest`` (both present)."""
    images = np.random.default_rng(seed).integers(0, brightest + 1, size=(n, size, size, 3)).astype(np.uint8)
    images.reshape(-1)[[0, -1]] = (0, brightest)
    return images


def rgb_images(n: int, seed: int, size: tuple[int, int] = (8, 8)) -> np.ndarray:
    """float32 RGB images (n, H, W, 3), pixels in [0, 255], each channel with its own range (a swap shows)."""
    rng = np.random.default_rng(seed)
    images = rng.uniform(0, 255, size=(n, *size, 3))
    images[..., 0] *= 0.3  # red dark, blue bright: channels in the wrong order differ by far more than noise
    images[..., 2] = 150 + images[..., 2] * 0.4
    return images.astype(np.float32)


def features(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Random float32 features (batch, H, W, C), positive like ReLU activations."""
    return np.abs(np.random.default_rng(seed).normal(size=shape)).astype(np.float32)


def layer_features(seed: int, batch: int = 1) -> list[np.ndarray]:
    """Features of three "layers" of decreasing size and increasing depth."""
    return [features((batch, 8, 8, 4), seed), features((batch, 4, 4, 6), seed + 1),
            features((batch, 2, 2, 8), seed + 2)]


def labelled_images(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """float32 images (n, 32, 32, 3) in [0, 1] and one-hot labels (n, 10)."""
    rng = np.random.default_rng(seed)
    images = rng.random((n, *IMAGE_SHAPE), dtype=np.float32)
    return images, np.eye(NUM_CLASSES, dtype=np.float32)[rng.integers(0, NUM_CLASSES, n)]


def detection_sample(n: int, classes: int, seed: int) -> list[np.ndarray]:
    """``[class_true one-hot, class_pred probabilities, box_true, box_pred]``, float32, rows of (n, ...)."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(n, classes))
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return [np.eye(classes)[rng.integers(0, classes, n)].astype(np.float32), probabilities.astype(np.float32),
            rng.random((n, 4)).astype(np.float32), rng.random((n, 4)).astype(np.float32)]
