"""Hidden-only probes of 05_improving_networks: used by ``test_hidden.py`` alone, so never shipped to students."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.grading.spec import Submission


def trained_predictions(sub: Submission, builder: str, optimizer: str | None, x_train: np.ndarray,
                        y_train: np.ndarray, tests: dict[str, np.ndarray], epochs: int,
                        batch_size: int) -> dict[str, np.ndarray]:
    """The student's ``builder`` trained by the grader, and the class it predicts for each image of ``tests``.

    Args:
        optimizer: ``"make_optimizer:<name>"`` builds with the student's ``make_optimizer(name)``; any other
            string is handed to the builder as is (``"adam"``).

    The images come as uint8 (n, 28, 28), like ``load_mnist()``: they get the grader's own preprocessing
    (pixel / 255, 784 values). The labels are the integers the models' sparse loss expects.
    """
    def scaled(images: np.ndarray) -> np.ndarray:
        return images.reshape(len(images), -1).astype(np.float32) / 255.0

    prefix, _, name = (optimizer or "").partition(":")
    chosen: Any = sub.function("make_optimizer")(name) if prefix == "make_optimizer" else optimizer
    network = sub.function(builder)(chosen)
    network.fit(scaled(x_train), y_train, epochs=epochs, batch_size=batch_size, verbose=0)
    return {key: np.asarray(network.predict(scaled(images), batch_size=1000, verbose=0)).argmax(axis=1)
            for key, images in tests.items()}
