"""Hidden-only probes of 06_cnn_resnet: used by ``test_hidden.py`` alone, so never shipped to students."""

from __future__ import annotations

from typing import Any

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


def resnet_stages(sub: Submission, images: np.ndarray) -> dict[str, Any]:
    """What flows through the student's ``build_mini_resnet()`` on ``images`` (n, 32, 32, 3), at inference.

    Returns the output shape of each addition of the model (``layers.Add`` or ``+``, in the order the data
    meets them), the smallest value of each input of the first addition (the stem's output is one of them),
    and the model's predictions for ``images``.
    """
    import keras

    network = sub.function("build_mini_resnet")()
    additions = [op for op in network.operations if type(op).__name__ == "Add"]
    minima: list[float] = []
    if additions:
        inputs = additions[0].input if isinstance(additions[0].input, (list, tuple)) else [additions[0].input]
        values = keras.Model(network.inputs, list(inputs))(images, training=False)
        minima = [float(np.min(keras.ops.convert_to_numpy(v))) for v in values]
    return {"additions": [list(op.output.shape) for op in additions], "first_addition_minima": minima,
            "predictions": np.asarray(network.predict(images, verbose=0), dtype=np.float64)}
