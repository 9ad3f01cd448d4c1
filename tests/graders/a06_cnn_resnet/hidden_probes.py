"""Hidden-only probes of 06_cnn_resnet: used by ``test_hidden.py`` alone, so never shipped to students."""

from __future__ import annotations

import numpy as np

from a06_cnn_resnet.inputs import NUM_CLASSES
from autograder.checks.keras_model import canonical
from autograder.grading.spec import Submission


def trained_predictions(sub: Submission, builder: str, x_train: np.ndarray, y_train: np.ndarray,
                        x_test: np.ndarray, epochs: int, batch_size: int) -> np.ndarray:
    """The student's ``builder()`` trained by the grader, and the class it predicts for each image of ``x_test``.

    The images come as uint8 (n, 32, 32, 3) like ``cifar10.load_data()``'s and get the grader's own
    preprocessing (pixel / 255); the labels (n, 1) are one-hot encoded here, unless the model was compiled with a
    sparse loss (that mistake costs the compilation check only).
    """
    network = sub.function(builder)()
    sparse = "sparse" in canonical(getattr(network, "loss", None) or "")
    labels = y_train.reshape(-1) if sparse else np.eye(NUM_CLASSES, dtype=np.float32)[y_train.reshape(-1)]
    network.fit(x_train.astype(np.float32) / 255.0, labels, epochs=epochs, batch_size=batch_size, verbose=0)
    return np.asarray(network.predict(x_test.astype(np.float32) / 255.0, batch_size=500, verbose=0)).argmax(axis=1)
