"""Record which library functions the student's code calls ("written by hand" checks).

In the sandbox::

    with spy_calls([(torch, "softmax"), (torch.Tensor, "softmax")]) as used:
        sub.function("softmax")(x)
    return {"used": sorted(set(used))}

Each spied function still works (the student's result is unchanged); its name is recorded
each time it is called. Everything is restored on exit, so the sandbox's tampering
detection sees the original objects again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

_ABSENT = object()


def _label(owner: Any, attribute: str) -> str:
    name = getattr(owner, "__name__", type(owner).__name__)
    return f"{name}.{attribute}"


def _spy(original: Callable[..., Any], label: str, used: list[str]) -> Callable[..., Any]:
    def spy(*args: Any, **kwargs: Any) -> Any:
        used.append(label)
        return original(*args, **kwargs)

    return spy


@contextlib.contextmanager
def spy_calls(targets: Iterable[tuple[Any, str]]) -> Iterator[list[str]]:
    """Replace each ``owner.attribute`` (module function or class method) by a recording wrapper.

    Yields the list of labels (``"torch.softmax"``, ``"Tensor.softmax"``) called so far;
    targets an owner lacks are skipped.
    """
    used: list[str] = []
    replaced: list[tuple[Any, str, Any]] = []
    try:
        for owner, attribute in targets:
            original = getattr(owner, attribute, _ABSENT)
            if original is _ABSENT:
                continue
            own = vars(owner).get(attribute, _ABSENT)
            setattr(owner, attribute, _spy(original, _label(owner, attribute), used))
            replaced.append((owner, attribute, own))
        yield used
    finally:
        for owner, attribute, own in reversed(replaced):
            if own is _ABSENT:  # inherited (a method of a base class): remove the override
                delattr(owner, attribute)
            else:
                setattr(owner, attribute, own)


def referenced_functions(function: Any, candidates: Iterable[tuple[Any, str]]) -> list[str]:
    """Labels of the ``candidates`` that ``function`` (or a function nested in it) names as a global or a closure.

    Catches ``from torch import softmax`` followed by ``softmax(x)``, which :func:`spy_calls`
    cannot see (the name is bound to the original object before the spy is installed).
    """
    code = getattr(function, "__code__", None)
    namespace = getattr(function, "__globals__", {})
    if code is None:
        return []
    wanted = {id(getattr(owner, attribute)): _label(owner, attribute)
              for owner, attribute in candidates if getattr(owner, attribute, _ABSENT) is not _ABSENT}
    names: set[str] = set()
    stack = [code]
    while stack:
        current = stack.pop()
        names |= set(current.co_names)
        stack += [const for const in current.co_consts if hasattr(const, "co_names")]
    found = [id(namespace[name]) for name in names if name in namespace]
    found += [id(cell.cell_contents) for cell in getattr(function, "__closure__", None) or () if _filled(cell)]
    return sorted({wanted[identity] for identity in found if identity in wanted})


def _filled(cell: Any) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - an empty cell raises
    except ValueError:
        return False
    return True
