"""Observations travel from the sandbox as JSON; numpy arrays as base64 of their raw bytes.

Never pickle: the grading process must not execute anything the sandbox sends.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np

ALLOWED_KINDS = "biuf"  # bool, int, unsigned, float: no object arrays
MAX_MESSAGE_BYTES = 64 * 2**20


class CodecError(ValueError):
    """A message from the sandbox is malformed or too large."""


def _default(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in ALLOWED_KINDS:
            raise TypeError(f"array of dtype {value.dtype} cannot be sent")
        array = np.ascontiguousarray(value)
        return {
            "__ndarray__": base64.b64encode(array.tobytes()).decode("ascii"),
            "dtype": array.dtype.str,
            "shape": list(array.shape),
        }
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, bytes):
        return {"__bytes__": base64.b64encode(value).decode("ascii")}
    raise TypeError(f"{type(value).__name__} cannot be sent")


def _hook(obj: dict[str, Any]) -> Any:
    if "__ndarray__" in obj:
        dtype = np.dtype(obj["dtype"])
        if dtype.kind not in ALLOWED_KINDS:
            raise CodecError(f"refused array dtype {dtype}")
        data = base64.b64decode(obj["__ndarray__"])
        return np.frombuffer(data, dtype=dtype).reshape(obj["shape"]).copy()
    if "__bytes__" in obj:
        return base64.b64decode(obj["__bytes__"])
    return obj


def encode(message: dict[str, Any]) -> bytes:
    """One JSON line."""
    return (json.dumps(message, default=_default, allow_nan=True) + "\n").encode("utf-8")


def decode(line: bytes) -> dict[str, Any]:
    """Parse one line; raise :class:`CodecError` for anything but a JSON object."""
    if len(line) > MAX_MESSAGE_BYTES:
        raise CodecError("message too large")
    try:
        message = json.loads(line, object_hook=_hook)
    except (ValueError, TypeError) as error:
        raise CodecError(str(error)) from error
    if not isinstance(message, dict):
        raise CodecError("not an object")
    return message
