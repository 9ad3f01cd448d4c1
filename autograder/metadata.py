"""A notebook's metadata, whatever a student's editor left in it.

A notebook is the student's file: its metadata (the notebook's, a cell's) may hold anything JSON allows. A section
that is not a mapping (``"nbgrader": "x"``, a list, a number) reads as absent, and a value of the wrong type as
missing: that notebook's problem where it matters, never an exception that stops a batch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def section(node: object, *keys: str) -> Mapping[str, Any]:
    """``node["metadata"][keys[0]][keys[1]]…`` when each level is a mapping, else an empty one."""
    current = node.get("metadata") if isinstance(node, Mapping) else None
    for key in keys:
        if not isinstance(current, Mapping):
            return {}
        current = current.get(key)
    return current if isinstance(current, Mapping) else {}


def text(mapping: Mapping[str, Any], key: str) -> str | None:
    """``mapping[key]`` when it is a non-empty string, else None."""
    value = mapping.get(key)
    return value if isinstance(value, str) and value else None
