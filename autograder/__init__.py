"""Auto-grading engine of the deep-learning exercise kit."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """``autograder.__version__``: :func:`autograder.version.kit_version`, computed when first read."""
    if name == "__version__":
        from autograder.version import kit_version

        return kit_version()
    raise AttributeError(f"module 'autograder' has no attribute {name!r}")
