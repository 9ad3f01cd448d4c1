"""Hidden-only inputs of 01_regression: used by ``test_hidden.py`` alone, so never shipped to students."""

from __future__ import annotations

import numpy as np

from autograder.checks.expect import expect_equal


def row_numbers(parts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The row numbers (column 0 of :func:`synthetic_dataset`) of X_train and X_test.

    Raises:
        Failure: X_train and X_test are not 2-D and y_train and y_test not 1-D (e.g. X and y swapped).
    """
    expect_equal("Dimensions de (X_train, X_test, y_train, y_test)", [2, 2, 1, 1], [p.ndim for p in parts],
                 "train_test_split(X, y, ...) renvoie X_train, X_test, y_train, y_test, dans cet ordre.")
    return parts[0][:, 0], parts[1][:, 0]
