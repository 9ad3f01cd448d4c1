"""Detect monkeypatching: a snapshot of module namespaces taken before the student's code runs.

The worker compares the namespaces of numpy, builtins, the frameworks, the kit and the
graders with the snapshot before and after every check. Any attribute replaced, added to
``builtins`` or removed, and any module swapped in ``sys.modules``, is reported as tampering.
Judging already happens outside the sandbox; this closes the remaining door of observations
computed by patched helpers.
"""

from __future__ import annotations

import sys
from types import ModuleType

WATCHED_PREFIXES = ("autograder", "a0", "a1")  # the kit and the graders (packages a<NN>_...)
WATCHED_MODULES = ("builtins", "numpy", "numpy.testing", "numpy.linalg", "keras", "keras.layers",
                   "keras.models", "tensorflow", "torch", "torch.nn", "torch.nn.functional", "pytest",
                   "sklearn.metrics", "sklearn.model_selection", "sklearn.preprocessing", "matplotlib.pyplot")


def _watched() -> dict[str, ModuleType]:
    modules = {}
    for name, module in list(sys.modules.items()):
        if not isinstance(module, ModuleType):
            continue
        if name in WATCHED_MODULES or name.split(".")[0].startswith(WATCHED_PREFIXES):
            modules[name] = module
    return modules


class Snapshot:
    """Identities of every attribute of the watched modules at one moment."""

    def __init__(self) -> None:
        self.modules = {name: id(module) for name, module in _watched().items()}
        self.attributes = {
            name: {attr: id(value) for attr, value in list(vars(module).items())}
            for name, module in _watched().items()
        }

    def changes(self) -> list[str]:
        """Human-readable descriptions of what differs now (empty when nothing does)."""
        found = []
        for name, identity in self.modules.items():
            module = sys.modules.get(name)
            if module is None or id(module) != identity:
                found.append(f"module {name} remplacé dans sys.modules")
                continue
            before = self.attributes[name]
            now = vars(module)
            for attr, value_id in before.items():
                if attr.startswith("_"):
                    continue  # private caches change legitimately
                if attr not in now:
                    found.append(f"{name}.{attr} supprimé")
                elif id(now[attr]) != value_id and not isinstance(now[attr], ModuleType):
                    found.append(f"{name}.{attr} modifié")  # lazy loaders become modules: not tampering
            if name == "builtins":
                found += [f"builtins.{attr} ajouté" for attr in now if attr not in before and attr != "_"]
        return found[:5]

    def refresh(self) -> None:
        """Include modules imported since (lazily imported submodules are watched from now on)."""
        for name, module in _watched().items():
            if name not in self.modules:
                self.modules[name] = id(module)
                self.attributes[name] = {attr: id(value) for attr, value in list(vars(module).items())}
