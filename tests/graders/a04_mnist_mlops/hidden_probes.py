"""Hidden-only probes of 04_mnist_mlops: used by ``test_hidden.py`` alone, so never shipped to students."""

from __future__ import annotations

import numpy as np

from autograder.grading.spec import Submission


def trained_predictions(sub: Submission, x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray,
                        epochs: int, batch_size: int) -> np.ndarray:
    """The student's ``build_model()`` trained by the grader on :func:`vectors`; the class of each test image."""
    network = sub.function("build_model")()
    network.fit(vectors(x_train), y_train, epochs=epochs, batch_size=batch_size, verbose=0)
    return np.asarray(network.predict(vectors(x_test), batch_size=1000, verbose=0)).argmax(axis=1)


def vectors(images: np.ndarray) -> np.ndarray:
    """uint8 images (n, 28, 28) as the grader's own preprocessing makes them: float32 (n, 784) in [0, 1]."""
    return images.reshape(len(images), -1).astype(np.float32) / 255.0
