"""Hidden-only judging of 00_fundamentals: used by ``test_hidden.py`` alone, so never shipped to students."""

from __future__ import annotations

from typing import Any

import numpy as np


def numpy_sigmoid(x: Any) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(np.asarray(x, dtype=float) / 2.0))
