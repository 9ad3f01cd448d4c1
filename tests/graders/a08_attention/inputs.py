"""Inputs of 08_attention's tests (no expected values): sent to the sandbox, recomputed here to judge."""

from __future__ import annotations

import numpy as np

#: The statement's series: 0.5 sin(t/20) + 0.3 sin(t/10) + 0.2 t/2000 + NOISE · N(0, 1).
NOISE = 0.1
INPUT_LEN, OUTPUT_LEN, SERIES_LEN = 50, 10, 2000
#: MLflow names the statement prescribes (the seed's).
EXPERIMENT, RUN = "TimeSeries_Seq2Seq_Attention", "LSTM_CrossAttention_Baseline"
#: The marker task (the statement's ``make_marker_data``): marker token, lengths, classes.
MARKER, LENGTH, VOCAB, CLASSES = 1, 20, 12, 10


def deterministic_part(n: int) -> np.ndarray:
    """The series without its noise, float64 (n,)."""
    t = np.arange(n, dtype=np.float64)
    return 0.5 * np.sin(t / 20) + 0.3 * np.sin(t / 10) + 0.2 * t / 2000


def grader_series(n: int, seed: int) -> np.ndarray:
    """The grader's own series (never the student's make_series), float32 (n,)."""
    return (deterministic_part(n) + NOISE * np.random.default_rng(seed).normal(size=n)).astype(np.float32)


def grader_windows(series: np.ndarray, input_len: int, output_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Stride-1 windows ``(X (N, input_len, 1), Y (N, output_len, 1))`` of ``series``, float32."""
    count = len(series) - input_len - output_len + 1
    index = np.arange(count)[:, None]
    X = series[index + np.arange(input_len)][..., None]
    Y = series[index + input_len + np.arange(output_len)][..., None]
    return X.astype(np.float32), Y.astype(np.float32)


def grader_split(X: np.ndarray, Y: np.ndarray, fraction: float = 0.8) -> tuple[tuple, tuple]:
    """The statement's leak-free chronological split of the windows."""
    n_train = int(fraction * len(X))
    start = n_train + X.shape[1] + Y.shape[1] - 1
    return (X[:n_train], Y[:n_train]), (X[start:], Y[start:])


def shifted(Y: np.ndarray) -> np.ndarray:
    """Teacher forcing: ``Y`` shifted right by one step, 0 first (float64)."""
    result = np.zeros(np.shape(Y), dtype=np.float64)
    result[:, 1:] = np.asarray(Y, dtype=np.float64)[:, :-1]
    return result


def marker_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The grader's marker sequences: tokens int32 (n, LENGTH), labels int32 (n,), answer positions (n,)."""
    rng = np.random.default_rng(seed)
    tokens = rng.integers(2, VOCAB, size=(n, LENGTH))
    marker = rng.integers(0, LENGTH - 1, size=n)
    tokens[np.arange(n), marker] = MARKER
    positions = marker + 1
    return tokens.astype(np.int32), (tokens[np.arange(n), positions] - 2).astype(np.int32), positions


def attention_inputs(seed: int, batch: tuple[int, ...], tq: int, tk: int, dk: int, dv: int,
                     scale: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random float32 queries (*batch, tq, dk), keys (*batch, tk, dk) and values (*batch, tk, dv)."""
    rng = np.random.default_rng(seed)
    return (scale * rng.normal(size=(*batch, tq, dk))).astype(np.float32), \
        (scale * rng.normal(size=(*batch, tk, dk))).astype(np.float32), rng.normal(size=(*batch, tk, dv)).astype(
            np.float32)
