"""Judging helpers shared by 08_attention's public and hidden tests (grading process only)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.checks.expect import expect_close, expect_equal


def attention(queries: np.ndarray, keys: np.ndarray, values: np.ndarray, mask: np.ndarray | None = None,
              scaled: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """softmax(Q·Kᵀ / √d_k) · V in float64, masked scores at −∞ (their weight 0); ``scaled=False``: no √d_k."""
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (queries, keys, values))
    scores = q @ np.swapaxes(k, -1, -2) / (np.sqrt(k.shape[-1]) if scaled else 1.0)
    if mask is not None:
        scores = np.where(np.broadcast_to(np.asarray(mask, dtype=bool), scores.shape), scores, -np.inf)
    scores = scores - scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ v, weights


def expect_attention(found: dict[str, Any], what: str, queries: np.ndarray, keys: np.ndarray, values: np.ndarray,
                     mask: np.ndarray | None = None) -> None:
    """The student's ``(output, weights)`` (:func:`a08_attention.probes.attention`) equal numpy's."""
    output, weights = attention(queries, keys, values, mask)
    expect_equal(f"Forme des poids ({what})", list(weights.shape), list(found["weights"].shape),
                 "(..., T_q, T_k) : un poids par couple (requête, clé).")
    expect_equal(f"Forme de la sortie ({what})", list(output.shape), list(found["output"].shape),
                 "(..., T_q, d_v).")
    expect_close(f"Poids d'attention ({what})", weights, found["weights"], rtol=1e-4, atol=1e-5,
                 hint="softmax(Q·Kᵀ / √d_k) sur le dernier axe (celui des clés).")
    expect_close(f"Sortie de l'attention ({what})", output, found["output"], rtol=1e-4, atol=1e-5,
                 hint="Sortie = poids · V.")


def temporal_attention(x: np.ndarray, W: np.ndarray, b: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The additive layer in float64: e = tanh(x·W + b), α = softmax over time, context = Σ α x."""
    x = np.asarray(x, dtype=np.float64)
    scores = np.tanh(x @ W + (0.0 if b is None else b))[..., 0]
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    return (x * weights[..., None]).sum(axis=1), weights


def lstm_params(inputs: int, units: int) -> int:
    """Parameters of an LSTM layer: 4 gates, each with input and recurrent kernels and a bias."""
    return 4 * (units * (inputs + units) + units)


def seq2seq_params(latent: int) -> int:
    """Parameters of the statement's seq2seq for one input feature: Bi-LSTM(latent), LSTM(2·latent), Dense(1)."""
    return 2 * lstm_params(1, latent) + lstm_params(1, 2 * latent) + (4 * latent + 1)
