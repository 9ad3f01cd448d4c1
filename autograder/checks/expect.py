"""Expectations that raise :class:`Failure` with "attendu / obtenu" feedback in French.

They judge values whose type is the student's: each checks the type it needs before using the
value, so that an unexpected type (an array where a list was expected, None, a string) is a
failure that says what came, never an exception of the judge (see :mod:`autograder.grading.blame`
for the checks' own code).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograder.grading.spec import Failure


def _show(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"tableau de forme {value.shape}" if value.size > 8 else np.array2string(value, precision=4)
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value)


def describe(value: Any) -> str:
    """What a value is, in French, for feedback: its type with its shape, length or keys, never all of it."""
    if value is None:
        return "None (aucune valeur : manque-t-il un « return » ?)"
    if isinstance(value, (bool, np.bool_)):
        return f"le booléen {bool(value)}"
    if isinstance(value, (int, float, np.number)):
        return f"le nombre {_show(value.item() if isinstance(value, np.number) else value)}"
    if isinstance(value, np.ndarray):
        return f"un tableau numpy de forme {value.shape} ({value.dtype})"
    if isinstance(value, str):
        return f"la chaîne {value[:40]!r}{'…' if len(value) > 40 else ''}"
    if isinstance(value, dict):
        keys = sorted(str(key)[:30] for key in value)
        return "un dictionnaire " + (f"de clés {', '.join(keys[:8])}{'…' if len(keys) > 8 else ''}" if keys else "vide")
    if isinstance(value, (list, tuple)):
        noun = "une liste" if isinstance(value, list) else "un tuple"
        return f"{noun} de {len(value)} élément{'s' if len(value) > 1 else ''}"
    return f"une valeur de type {type(value).__name__}"


def _family(value: Any) -> type:
    """The kind of plain value (numbers together, lists with tuples: the codec sends tuples as lists)."""
    if isinstance(value, (bool, int, float, np.number)):
        return float
    return list if isinstance(value, tuple) else type(value)


def _equal(expected: Any, found: Any) -> bool:
    """``expected == found`` that never raises: an array equals only an array of the same shape and values."""
    if isinstance(expected, np.ndarray) and isinstance(found, np.ndarray):
        return expected.shape == found.shape and bool(np.array_equal(expected, found))
    if isinstance(expected, np.ndarray) or isinstance(found, np.ndarray):  # an array equals a number only
        array, other = (expected, found) if isinstance(expected, np.ndarray) else (found, expected)
        return array.size == 1 and _family(other) is float and bool(array.item() == other)
    if isinstance(expected, (list, tuple)) and isinstance(found, (list, tuple)):
        return len(expected) == len(found) and all(_equal(e, f) for e, f in zip(expected, found, strict=True))
    if isinstance(expected, dict) and isinstance(found, dict):
        return expected.keys() == found.keys() and all(_equal(expected[key], found[key]) for key in expected)
    try:
        return bool(expected == found)
    except (TypeError, ValueError):
        return False


def fail(what: str, expected: Any, found: Any, hint: str = "") -> None:
    """Raise a Failure that shows what was expected against what was found."""
    message = f"{what} : attendu {_show(expected)}, obtenu {_show(found)}."
    raise Failure(message + (f" {hint}" if hint else ""))


def expect_equal(what: str, expected: Any, found: Any, hint: str = "") -> None:
    """``found`` equals ``expected`` (plain data); a value of another kind says which it is."""
    if _equal(expected, found):
        return
    if _family(expected) is not _family(found):
        message = f"{what} : attendu {_show(expected)}, obtenu {describe(found)}."
        raise Failure(message + (f" {hint}" if hint else ""))
    fail(what, expected, found, hint)


def expect_true(condition: bool, message: str) -> None:
    if not condition:
        raise Failure(message)


def _floats(what: str, found: Any, hint: str) -> np.ndarray:
    """The student's numbers as a float array, else a Failure that says what came instead."""
    try:
        if not isinstance(found, (str, bytes, dict)) and found is not None:
            return np.asarray(found, dtype=float)
    except (TypeError, ValueError):
        pass
    raise Failure(f"{what} : attendu des nombres, obtenu {describe(found)}." + (f" {hint}" if hint else ""))


def expect_close(what: str, expected: Any, found: Any, rtol: float = 1e-5, atol: float = 1e-8, hint: str = "") -> None:
    """Numbers or arrays equal within tolerance; shapes must match exactly."""
    expected_arr, found_arr = np.asarray(expected, dtype=float), _floats(what, found, hint)
    if expected_arr.shape != found_arr.shape:
        fail(f"{what} (forme)", expected_arr.shape, found_arr.shape, hint)
    if not np.allclose(found_arr, expected_arr, rtol=rtol, atol=atol, equal_nan=False):
        if expected_arr.ndim == 0:
            fail(what, float(expected_arr), float(found_arr), hint)
        worst = int(np.argmax(np.abs(found_arr - expected_arr)))
        fail(f"{what} (écart maximal à l'indice {worst})", expected_arr.flat[worst], found_arr.flat[worst], hint)


def expect_close_or_consistent(what: str, expected: Any, found: Any, consistent: Any = None, rtol: float = 1e-5,
                               atol: float = 1e-8, hint: str = "") -> None:
    """``found`` equals ``expected``, or ``consistent``: the value implied by the student's own helpers.

    A function built on another of the student's functions (a style loss on their Gram matrix, a
    Dice loss on their Dice coefficient) is judged on its own step: a mistake in the helper costs the
    helper's check, not this one as well. ``consistent`` is None when the helper gave nothing; the
    failure message always shows the correct ``expected``.
    """
    if consistent is not None:
        consistent_arr, found_arr = np.asarray(consistent, dtype=float), _floats(what, found, hint)
        if consistent_arr.shape == found_arr.shape and np.allclose(found_arr, consistent_arr, rtol=rtol, atol=atol):
            return
    expect_close(what, expected, found, rtol=rtol, atol=atol, hint=hint)


def expect_keys(what: str, expected: set[str], found: Any) -> None:
    if not isinstance(found, dict):
        fail(what, f"un dictionnaire avec les clés {sorted(expected)}", type(found).__name__)
    missing = expected - set(found)
    if missing:
        fail(f"{what} (clés manquantes)", sorted(expected), sorted(found))


def expect_number(what: str, found: Any) -> float:
    """``found`` as a float (a number or a 0-d array), else a Failure saying what came instead."""
    if isinstance(found, bool) or not isinstance(found, (int, float, np.ndarray)) or np.size(found) != 1:
        fail(what, "un nombre", type(found).__name__ if not isinstance(found, np.ndarray) else found)
    return float(np.asarray(found, dtype=float).reshape(()))


def expect_arrays(what: str, found: Any, count: int) -> list[np.ndarray]:
    """``found`` as ``count`` numeric arrays (a tuple or list of them, dtypes kept), else a Failure."""
    if not isinstance(found, (list, tuple)) or len(found) != count:
        size = len(found) if isinstance(found, (list, tuple)) else type(found).__name__
        fail(what, f"{count} tableaux", size)
    arrays = []
    for position, part in enumerate(found, start=1):
        try:
            array = np.asarray(part)
        except (TypeError, ValueError):
            array = np.asarray([None], dtype=object)
        if array.dtype.kind not in "biuf":
            fail(f"{what}, élément {position}", "un tableau de nombres", type(part).__name__)
        arrays.append(array)
    return arrays


def numeric_array(value: Any) -> np.ndarray:
    """A numpy array of numbers from a numpy array, a tensor or a list (else the student's Failure)."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):  # a ragged list
        raise Failure(f"Un tableau de nombres était attendu, pas {describe(value)}.") from None
    expect_true(array.dtype.kind in "biuf", f"Un tableau de nombres était attendu, pas {array.dtype}.")
    return array


def numbers_or_none(compute: Callable[[], Any]) -> np.ndarray | None:
    """``numeric_array(compute())``, or None when the student's code raises or gives no numbers.

    For a helper's value used only to judge a function built on it (see
    :func:`expect_close_or_consistent`): the helper's own check reports its errors.
    """
    try:
        return numeric_array(compute()).astype(np.float64)
    except Exception:  # noqa: BLE001 - any error of the student's helper means "no consistent value"
        return None
