"""Write every example submission: ``python -m tests.submissions.build``."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from tests.submissions.variants import Variant, render

HERE = Path(__file__).resolve().parent


def example_modules() -> Iterator[ModuleType]:
    for path in sorted(HERE.glob("examples_*.py")):
        yield importlib.import_module(f"tests.submissions.{path.stem}")


def example_path(assignment: str, variant: Variant) -> Path:
    return HERE / assignment / f"{variant.name}.ipynb"


def main() -> None:
    for module in example_modules():
        for variant in module.VARIANTS:
            path = example_path(module.ASSIGNMENT, variant)
            path.parent.mkdir(exist_ok=True)
            path.write_text(render(module.ASSIGNMENT, variant), encoding="utf-8")
            print(f"wrote {path.relative_to(HERE.parent.parent)}")


if __name__ == "__main__":
    main()
