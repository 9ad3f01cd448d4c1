"""Expectations that raise :class:`Failure` with "attendu / obtenu" feedback in French."""

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


def fail(what: str, expected: Any, found: Any, hint: str = "") -> None:
    """Raise a Failure that shows what was expected against what was found."""
    message = f"{what} : attendu {_show(expected)}, obtenu {_show(found)}."
    raise Failure(message + (f" {hint}" if hint else ""))


def expect_equal(what: str, expected: Any, found: Any, hint: str = "") -> None:
    if expected != found:
        fail(what, expected, found, hint)


def expect_true(condition: bool, message: str) -> None:
    if not condition:
        raise Failure(message)


def expect_close(what: str, expected: Any, found: Any, rtol: float = 1e-5, atol: float = 1e-8, hint: str = "") -> None:
    """Numbers or arrays equal within tolerance; shapes must match exactly."""
    expected_arr, found_arr = np.asarray(expected, dtype=float), np.asarray(found, dtype=float)
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
        consistent_arr, found_arr = np.asarray(consistent, dtype=float), np.asarray(found, dtype=float)
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
    array = np.asarray(value)
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
