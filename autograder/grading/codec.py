"""Observations travel from the sandbox as JSON; numpy arrays as base64 of their raw bytes.

Never pickle: the grading process must not execute anything the sandbox sends. A message is
also refused, in both directions, when it is too large or nested deeper than :data:`MAX_DEPTH`
(json's recursive parser would raise ``RecursionError`` in the grading process, and the judge
would meet a value that its comparisons cannot handle): the sandbox then reports the student's
value as impossible to send, and the grading process never parses a forged over-deep line.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np

ALLOWED_KINDS = "biuf"  # bool, int, unsigned, float: no object arrays
MAX_MESSAGE_BYTES = 64 * 2**20
#: Deepest nesting of lists and objects in a message (an array adds two: an object holding its shape list).
MAX_DEPTH = 200
TOO_DEEP = f"structure imbriquée sur plus de {MAX_DEPTH} niveaux"
_NOT_BRACKET = bytes(sorted(set(range(256)) - set(b"[]{}")))
_NOT_OPENING = bytes(sorted(set(range(256)) - set(b"[{")))
_DEPTH_CHUNK = 1 << 20


class CodecError(ValueError):
    """A message from the sandbox is malformed, too large or too deep."""


def nesting_depth(line: bytes) -> int:
    """How deep lists and objects nest in a JSON text (brackets in strings left out); no recursion, bounded memory."""
    unescaped = line.replace(b"\\\\", b"__").replace(b'\\"', b"__")  # no quote left inside a string
    brackets = b"".join(unescaped.split(b'"')[::2]).translate(None, _NOT_BRACKET)  # outside strings only
    level = deepest = 0
    for start in range(0, len(brackets), _DEPTH_CHUNK):
        chunk = np.frombuffer(brackets, dtype=np.uint8, count=min(_DEPTH_CHUNK, len(brackets) - start), offset=start)
        levels = level + np.cumsum(np.where((chunk == ord("[")) | (chunk == ord("{")), 1, -1))
        deepest, level = max(deepest, int(levels.max())), int(levels[-1])
    return deepest


def _check_depth(line: bytes) -> None:
    opening = len(line.translate(None, _NOT_OPENING))  # fast: most messages open fewer brackets than the limit
    if opening > MAX_DEPTH and nesting_depth(line) > MAX_DEPTH:
        raise CodecError(TOO_DEEP)


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
    """An array or bytes from their encoding; anything malformed (a student's dictionary that only looks like one)
    is a :class:`CodecError`, never another exception in the judge."""
    try:
        if "__ndarray__" in obj:
            dtype = np.dtype(obj["dtype"])
            if dtype.kind not in ALLOWED_KINDS:
                raise CodecError(f"refused array dtype {dtype}")
            data = base64.b64decode(obj["__ndarray__"], validate=True)
            return np.frombuffer(data, dtype=dtype).reshape([int(n) for n in obj["shape"]]).copy()
        if "__bytes__" in obj:
            return base64.b64decode(obj["__bytes__"], validate=True)
    except CodecError:
        raise
    except Exception as error:  # noqa: BLE001 - KeyError, binascii.Error, a wrong size: all malformed
        raise CodecError(f"malformed encoded value: {type(error).__name__}: {error}"[:200]) from None
    return obj


def encode(message: dict[str, Any]) -> bytes:
    """One JSON line; :class:`CodecError` (a ``ValueError``: the worker reports it as the student's) when it nests
    deeper than :data:`MAX_DEPTH`."""
    try:
        line = (json.dumps(message, default=_default, allow_nan=True) + "\n").encode("utf-8")
    except RecursionError:
        raise CodecError(TOO_DEEP) from None
    _check_depth(line)
    return line


def decode(line: bytes) -> dict[str, Any]:
    """Parse one line; raise :class:`CodecError` for anything but a JSON object within the size and depth limits."""
    if len(line) > MAX_MESSAGE_BYTES:
        raise CodecError("message too large")
    _check_depth(line)
    try:
        message = json.loads(line, object_hook=_hook)
    except RecursionError:
        raise CodecError(TOO_DEEP) from None
    except (ValueError, TypeError) as error:
        raise CodecError(str(error)) from error
    if not isinstance(message, dict):
        raise CodecError("not an object")
    return message
