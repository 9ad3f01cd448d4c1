"""Hidden-only probes of 03_fashion_cnn: used by ``test_hidden.py`` alone, so never shipped to students."""

from __future__ import annotations

import numpy as np

from a03_fashion_cnn.inputs import IMAGE_SHAPE, NUM_CLASSES
from autograder.checks.keras_model import canonical
from autograder.grading.spec import Submission


def trained_predictions(sub: Submission, builder: str, x_train: np.ndarray, y_train: np.ndarray,
                        tests: dict[str, np.ndarray], epochs: int, batch_size: int) -> dict[str, np.ndarray]:
    """The student's ``builder()`` trained by the grader, and the class it predicts for each image of ``tests``.

    The images come as uint8 (n, 28, 28), like ``load_data()`` (a request 4 times smaller than float32):
    they get the grader's own preprocessing (pixel / 255, one channel). The labels are integers, one-hot
    encoded here when the model's loss is not a sparse one.
    """
    import keras

    def scaled(images: np.ndarray) -> np.ndarray:
        return (images.astype(np.float32) / 255.0).reshape(-1, *IMAGE_SHAPE)

    network = sub.function(builder)()
    sparse = "sparse" in canonical(getattr(network, "loss", None) or "")
    labels = y_train if sparse else keras.utils.to_categorical(y_train, NUM_CLASSES)
    network.fit(scaled(x_train), labels, epochs=epochs, batch_size=batch_size, verbose=0)
    return {key: np.asarray(network.predict(scaled(images), batch_size=1000, verbose=0)).argmax(axis=1)
            for key, images in tests.items()}
