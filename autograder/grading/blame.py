"""Whose fault is an exception that a check raises while it judges the student's answer.

The sandbox sends only plain data, but its type and shape are the student's: a function expected
to return a list can return an array, None, a number, a dictionary without the key the check reads.
The check's own operations on such a value then raise (``TypeError``, ``ValueError``, "the truth
value of an array ... is ambiguous"), and that is the student's wrong answer, never a bug of the
grader: a student must not be able to raise the class page's grader-error alarm on purpose.

The rule (:func:`student_fault`). An exception is the student's when both hold:

* it is one that an operation raises on a value of the wrong type or shape: ``TypeError`` (but not
  a call's signature error, ``f() got an unexpected keyword argument``: no value of the student's
  changes a call's arity), ``ValueError``, ``IndexError``, ``ArithmeticError``; an
  ``AttributeError`` for an attribute that one of the plain types has (``.shape``, ``.get``: the
  check expected that type; a misspelt attribute stays the grader's); a ``KeyError`` on what the
  student's own function returned (``student.call``: its keys are the student's; a probe's keys
  are the kit's, so a ``KeyError`` there is a typo in the grader);
* the expression that raised it reads a variable bound to a value the student's code sent during
  this test (:attr:`Student.received`, and what the test's fixtures received), to a part of one or
  to a view of such an array. The expression is the one running in the innermost frame of judging
  code (the graders and the kit, not numpy or the standard library: ``np.allclose(found, ...)``
  counts, whatever numpy raised inside). Values are recognised by identity: the decoded reply and
  each list, dictionary, array, string and number in it are the very objects the judge reads.

Everything else (``NameError``, ``ImportError``, a ``KeyError`` on a probe's reply, an exception on
the grader's own values, in a helper given the student's value too) stays a grader error. What the
rule cannot tell apart: a grader bug of the same kinds in an expression that reads the student's
value (a wrong shape assumed for every answer). It then fails every submission, the reference
solution included: the kit's tests grade every reference with every grader, and in a batch the
class page's "nearly every student fails" alarm names the check.
"""

from __future__ import annotations

import linecache
import os
import re
import sysconfig
from collections.abc import Sequence
from itertools import islice
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import numpy as np

from autograder.checks.expect import describe

#: Exceptions that an operation raises on a value of the wrong type or shape.
WRONG_VALUE = (TypeError, ValueError, IndexError, ArithmeticError, AttributeError, KeyError)
#: The types the codec rebuilds: an attribute one of them has is one a check may expect.
PLAIN_TYPES = (dict, list, tuple, str, bytes, int, float, bool, type(None), np.ndarray)
#: ``TypeError`` messages of a call that does not match its function's signature.
SIGNATURE = re.compile(r"unexpected keyword argument|required (positional|keyword-only) argument|positional "
                       r"arguments? but|takes exactly|takes no (keyword )?arguments|multiple values for|"
                       r"expected (at most |at least )?\d+ arguments?, got|is not callable")
IDENTIFIER = re.compile(r"[^\W\d]\w*")
MAX_PARTS = 1_000_000  # parts of the received values recognised (a reply is at most 64 MiB)
#: Where libraries' code lives (numpy, pytest, the standard library), and the kit's (which may be installed there).
LIBRARIES = tuple(sorted({sysconfig.get_path(name) + os.sep for name in ("stdlib", "platstdlib", "purelib",
                                                                           "platlib")}))
KIT = str(Path(__file__).resolve().parents[1]) + os.sep

#: What a test received from the student's code: ("call" or "probe", the decoded value).
Received = tuple[str, Any]
_NOTHING = object()


def _parts(received: Sequence[Received]) -> dict[int, str]:
    """The id of every received value and of each of their parts, with where it came from ("call" wins)."""
    origins: dict[int, str] = {}
    stack = [(origin, value) for origin, value in received]
    while stack and len(origins) < MAX_PARTS:
        origin, value = stack.pop()
        if origins.get(id(value)) in (origin, "call"):
            continue
        origins[id(value)] = origin
        if isinstance(value, dict):
            stack += [(origin, part) for item in value.items() for part in item]
        elif isinstance(value, (list, tuple)):
            stack += [(origin, part) for part in value]
    return origins


def _judging(frame: FrameType) -> bool:
    """Whether the frame runs the graders' or the kit's code, not a library's."""
    path = frame.f_code.co_filename
    return path.startswith(KIT) or not (path.startswith("<") or path.startswith(LIBRARIES))


def _innermost_judging(traceback: TracebackType | None) -> TracebackType | None:
    found = None
    while traceback is not None:
        if _judging(traceback.tb_frame):
            found = traceback
        traceback = traceback.tb_next
    return found


def _expression(frame: FrameType, lasti: int, line: int) -> str:
    """The source of the expression that was running in ``frame`` (its whole line where positions are unknown)."""
    code = frame.f_code
    start, end, column, end_column = next(islice(code.co_positions(), lasti // 2, None), (None, None, None, None))
    if start is None or end is None or column is None or end_column is None:
        return linecache.getline(code.co_filename, line)
    lines = [linecache.getline(code.co_filename, number).encode() for number in range(start, end + 1)]
    lines[-1] = lines[-1][:end_column]  # positions count bytes of UTF-8
    lines[0] = lines[0][column:]
    return b"\n".join(lines).decode(errors="replace")


def _origin(value: Any, origins: dict[int, str]) -> str | None:
    """Where a value came from ("call", "probe"), a view of an array counting as the array; None: not the student."""
    while True:
        origin = origins.get(id(value))
        if origin is not None or not isinstance(value, np.ndarray) or value.base is None:
            return origin
        value = value.base


def _culprit(error: BaseException, origins: dict[int, str]) -> Any:
    """The student's value that the raising expression reads, or ``_NOTHING``."""
    traceback = _innermost_judging(error.__traceback__)
    if traceback is None:
        return _NOTHING
    local = traceback.tb_frame.f_locals
    for name in IDENTIFIER.findall(_expression(traceback.tb_frame, traceback.tb_lasti, traceback.tb_lineno)):
        origin = _origin(local[name], origins) if name in local else None
        if origin is None or (isinstance(error, KeyError) and origin != "call"):
            continue
        failed_on = getattr(error, "obj", None) if isinstance(error, AttributeError) else None
        return failed_on if failed_on is not None and _origin(failed_on, origins) else local[name]
    return _NOTHING


def _wrong_value(error: BaseException) -> bool:
    if isinstance(error, AttributeError):
        name = getattr(error, "name", None)
        return bool(name) and any(hasattr(kind, name) for kind in PLAIN_TYPES)
    if isinstance(error, TypeError):
        return not SIGNATURE.search(str(error))
    return isinstance(error, WRONG_VALUE)


def student_fault(error: BaseException, received: Sequence[Received]) -> str | None:
    """What the student sent that made the check raise ``error``, in French; None when the grader is at fault."""
    if not received or not _wrong_value(error):
        return None
    culprit = _culprit(error, _parts(received))
    if culprit is _NOTHING:
        return None
    reason = f"clé {error.args[0]!r} absente" if isinstance(error, KeyError) and error.args else type(error).__name__
    return f"obtenu {describe(culprit)}, une valeur que ce test ne peut pas juger ({reason})."
