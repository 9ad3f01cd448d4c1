"""Hidden-only probes of 01_regression: used by ``test_hidden.py`` alone, so never shipped to students."""

from __future__ import annotations

import numpy as np

from autograder.grading.spec import Submission


def trained_predictions(sub: Submission, X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray,
                        epochs: int, batch_size: int) -> np.ndarray:
    """The student's ``build_model`` trained by the grader (validation_split 0.2), its predictions on ``X_test``."""
    network = sub.function("build_model")(X_train.shape[1])
    network.fit(X_train, y_train, epochs=epochs, batch_size=batch_size, validation_split=0.2, verbose=0)
    return np.asarray(network.predict(X_test, batch_size=1024, verbose=0), dtype=float).ravel()
