"""Inputs of 05_improving_networks' tests (no expected values): sent to the sandbox, recomputed here to judge."""

from __future__ import annotations

import numpy as np

N_FEATURES = 784
NUM_CLASSES = 10
#: Index arrays shaped like MNIST's 60 000 training examples: row k of ``x`` is (2k, 2k + 1), ``y[k]`` is k.
MNIST_TRAIN = 60_000
#: Training curves (4 epochs) drawn by plot_history; they must come back unchanged.
CURVES = {"accuracy": [0.86, 0.93, 0.955, 0.968], "val_accuracy": [0.91, 0.94, 0.951, 0.957],
          "loss": [0.48, 0.24, 0.16, 0.11], "val_loss": [0.3, 0.2, 0.17, 0.16]}
#: Experiments, runs and metric names that the statement prescribes (the seed's names).
COMPARISON_EXPERIMENT = "Optimizer Comparison"
OPTIMIZERS = ("SGD", "RMSprop", "Adam")
BATCHNORM_EXPERIMENT, BATCHNORM_RUN = "Batch Normalization Test", "Model_With_BatchNorm"
EPOCH_METRICS = {"training_accuracy": "accuracy", "validation_accuracy": "val_accuracy",
                 "training_loss": "loss", "validation_loss": "val_loss"}
FINAL_METRICS = ("final_test_accuracy", "final_test_loss")
#: The grader's own experiment, in which it opens the run that log_epoch_metrics writes to.
PROBE_EXPERIMENT, PROBE_RUN = "Correcteur", "log_epoch_metrics"
TRACKED_EPOCHS, TRACKED_BATCH = 2, 64


def index_arrays(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``x`` of shape (n, 2) and ``y`` of shape (n,), int32: every row tells where it came from."""
    return np.arange(2 * n, dtype=np.int32).reshape(n, 2), np.arange(n, dtype=np.int32)


def digit_images(n: int, seed: int, brightest: int = 255) -> np.ndarray:
    """uint8 images (n, 28, 28) like ``load_mnist()``'s, pixels 0 to ``brightest`` (both present)."""
    images = np.random.default_rng(seed).integers(0, brightest + 1, size=(n, 28, 28)).astype(np.uint8)
    images.reshape(-1)[[0, -1]] = (0, brightest)
    return images


def epochs_of(train: list[float], validation: list[float]) -> dict[str, list[float]]:
    """A history's values from its training and validation accuracies (losses made up to match)."""
    return {"accuracy": list(train), "val_accuracy": list(validation),
            "loss": [round(1.0 - a, 4) for a in train], "val_loss": [round(1.1 - a, 4) for a in validation]}


def learnable_sample(n: int, seed: int) -> list[np.ndarray]:
    """``[x, y]``: x float32 (n, 784) in [0, 1], y int64 (n,) the index of the largest of the first ten features."""
    x = np.random.default_rng(seed).random((n, N_FEATURES), dtype=np.float32)
    return [x, x[:, :NUM_CLASSES].argmax(axis=1).astype(np.int64)]


def tracked_data() -> list[list[np.ndarray]]:
    """Training, validation and test pairs for the tracking functions (small: two epochs in a second)."""
    return [learnable_sample(256, 50), learnable_sample(64, 51), learnable_sample(64, 52)]
