"""Detect tampering: a snapshot of what the grader relies on, taken before the student's code runs.

The worker compares the snapshot with the present before and after every request. It covers:

* ``sys.modules`` itself, and which module object each watched name maps to;
* every attribute of the watched modules (the kit, the graders' probes, numpy, the frameworks,
  pytest, scikit-learn's helpers, matplotlib): replaced, removed, or added to ``builtins``;
* every function of the kit and of the graders (module level and in their classes): its code
  object, default values (also mutated in place), keyword defaults and closure cells;
* the dictionaries of the kit's and the graders' classes and of the framework classes the
  probes call (Keras ``Model``/``Layer``/``Sequential``, ``torch.nn.Module``, matplotlib's
  ``Figure``/``Axes``), including the code of the methods they hold;
* the code of numpy's Python-level functions;
* any function of the notebook planted in those modules or classes, even in a module imported
  during the same request (its original state was never seen).

Any difference is reported (first five) and the request's test is cancelled; the process that
saw it is not used again.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from typing import Any

WATCHED_PREFIXES = ("autograder", "a0", "a1")  # the kit and the graders (packages a<NN>_...)
WATCHED_MODULES = ("builtins", "numpy", "numpy.testing", "numpy.linalg", "keras", "keras.layers",
                   "keras.models", "tensorflow", "torch", "torch.nn", "torch.nn.functional", "pytest",
                   "sklearn.metrics", "sklearn.model_selection", "sklearn.preprocessing", "matplotlib.pyplot")
#: Framework classes whose methods the probes call: ``(module, attribute path)``.
FRAMEWORK_CLASSES = (("keras", "Model"), ("keras", "Sequential"), ("keras", "layers.Layer"),
                     ("torch", "nn.Module"), ("matplotlib.figure", "Figure"), ("matplotlib.axes", "Axes"),
                     ("matplotlib.axes._base", "_AxesBase"), ("matplotlib.artist", "Artist"),
                     ("numpy", "ndarray"))
MAX_DEFAULT_REPR = 2000
NOTEBOOK_FILES = "<cellule"  # the file names of the student's cells (see worker.execute_cells)


def _is_kit(name: str) -> bool:
    return name.startswith(WATCHED_PREFIXES)


def _watched() -> dict[str, types.ModuleType]:
    return {name: module for name, module in list(sys.modules.items())
            if (name in WATCHED_MODULES or name.startswith(WATCHED_PREFIXES)) and isinstance(module, types.ModuleType)}


def _defaults_fingerprint(values: Any) -> str:
    """Default values as text: an in-place change of a mutable default shows."""
    if values is None:
        return ""
    try:
        return repr(values)[:MAX_DEFAULT_REPR]
    except Exception:  # noqa: BLE001 - an object whose repr fails is still compared by identity
        return f"<{id(values)}>"


def function_fingerprint(function: types.FunctionType) -> tuple:
    """What makes a function behave as it does: code, defaults, keyword defaults, closure contents."""
    cells = []
    for cell in function.__closure__ or ():
        try:
            cells.append(id(cell.cell_contents))
        except ValueError:
            cells.append(None)
    return (id(function.__code__), _defaults_fingerprint(function.__defaults__),
            _defaults_fingerprint(function.__kwdefaults__), tuple(cells))


def _plain_function(value: Any) -> types.FunctionType | None:
    """The Python function behind ``value`` (a function, a method, a staticmethod, a numpy dispatcher)."""
    for candidate in (value, getattr(value, "__func__", None), getattr(value, "__wrapped__", None)):
        if isinstance(candidate, types.FunctionType):
            return candidate
    return None


def _class_fingerprint(cls: type) -> dict[str, Any]:
    """Identity of every entry of a class's own dictionary, and the fingerprint of its functions."""
    entries = {}
    for attr, value in list(vars(cls).items()):
        if attr == "__annotations__" and value == {}:
            continue  # Python 3.10+ creates it, empty, the first time anything reads a class's annotations
        function = _plain_function(value)
        entries[attr] = (id(value), function_fingerprint(function) if function else None)
    return entries


def _framework_classes() -> Iterator[tuple[str, type]]:
    for module_name, path in FRAMEWORK_CLASSES:
        target: Any = sys.modules.get(module_name)
        for part in path.split(".") if target is not None else ():
            target = getattr(target, part, None)
        if isinstance(target, type):
            yield f"{module_name}.{path}", target


def _from_notebook(value: Any) -> bool:
    function = _plain_function(value)
    return function is not None and function.__code__.co_filename.startswith(NOTEBOOK_FILES)


def foreign_code(modules: dict[str, types.ModuleType]) -> list[str]:
    """Functions of the notebook planted in these modules (imported since the snapshot) or a framework class.

    Catches a patch made in the same request that first imports a framework (the snapshot
    could not know that module's original state).
    """
    found = [f"{name}.{attr} remplacé par du code du notebook"
             for name, module in modules.items() for attr, value in list(vars(module).items())
             if _from_notebook(value)]
    found += [f"{label}.{attr} remplacé par du code du notebook"
              for label, cls in _framework_classes() for attr, value in list(vars(cls).items())
              if _from_notebook(value)]
    return found


class Snapshot:
    """What the watched modules, functions and classes were at one moment."""

    def __init__(self) -> None:
        self.sys_modules = id(sys.modules)
        self.modules: dict[str, int] = {}
        self.attributes: dict[str, dict[str, int]] = {}
        self.functions: dict[str, tuple] = {}
        self.classes: dict[str, dict[str, Any]] = {}
        self.refresh()

    def _functions_and_classes(self, name: str, module: types.ModuleType) -> Iterator[tuple[str, Any]]:
        kit = _is_kit(name)
        for attr, value in list(vars(module).items()):
            if attr.startswith("__"):
                continue
            if kit and isinstance(value, type) and getattr(value, "__module__", None) == name:
                yield f"{name}.{attr}", value
            function = _plain_function(value)
            if function is not None and (kit or name.startswith("numpy")):
                yield f"{name}.{attr}()", function

    def _take(self, name: str, module: types.ModuleType) -> None:
        self.modules[name] = id(module)
        self.attributes[name] = {attr: id(value) for attr, value in list(vars(module).items())}
        for label, value in self._functions_and_classes(name, module):
            if isinstance(value, type):
                self.classes.setdefault(label, _class_fingerprint(value))
            else:
                self.functions.setdefault(label, function_fingerprint(value))

    def changes(self) -> list[str]:
        """Human-readable descriptions of what differs now (empty when nothing does)."""
        found = []
        if id(sys.modules) != self.sys_modules:
            found.append("sys.modules remplacé")
        for name, identity in self.modules.items():
            module = sys.modules.get(name)
            if module is None or id(module) != identity:
                found.append(f"module {name} remplacé dans sys.modules")
                continue
            found += self._module_changes(name, module)
        found += self._function_changes()
        found += self._class_changes()
        if len(sys.modules) != self.module_count:  # some module was imported since the snapshot
            found += foreign_code({n: m for n, m in _watched().items() if n not in self.modules})
        return found[:5]

    def _module_changes(self, name: str, module: types.ModuleType) -> list[str]:
        found = []
        before, now = self.attributes[name], vars(module)
        for attr, value_id in before.items():
            if attr.startswith("_"):
                continue  # private caches change legitimately
            if attr not in now:
                found.append(f"{name}.{attr} supprimé")
            elif id(now[attr]) != value_id and not isinstance(now[attr], types.ModuleType):
                found.append(f"{name}.{attr} modifié")  # lazy loaders become modules: not tampering
        if name == "builtins":
            found += [f"builtins.{attr} ajouté" for attr in now if attr not in before and attr != "_"]
        return found

    def _function_changes(self) -> list[str]:
        found = []
        for label, fingerprint in self.functions.items():
            module_name, _, attr = label[:-2].rpartition(".")
            module = sys.modules.get(module_name)
            function = _plain_function(vars(module).get(attr)) if module is not None else None
            if function is not None and function_fingerprint(function) != fingerprint:
                found.append(f"{label[:-2]} modifié (code, valeurs par défaut ou fermeture)")
        return found

    def _class_changes(self) -> list[str]:
        found = []
        classes = dict(self._current_classes())
        for label, entries in self.classes.items():
            cls = classes.get(label)
            if cls is None:
                continue  # the module attribute check reports a replaced class
            if _class_fingerprint(cls) != entries:
                now = _class_fingerprint(cls)
                changed = sorted(set(entries) ^ set(now) | {a for a in entries if a in now and now[a] != entries[a]})
                found.append(f"{label}.{changed[0] if changed else '?'} modifié")
        return found

    def _current_classes(self) -> Iterator[tuple[str, type]]:
        yield from _framework_classes()
        for name in self.modules:
            module = sys.modules.get(name)
            if module is not None and _is_kit(name):
                for label, value in self._functions_and_classes(name, module):
                    if isinstance(value, type):
                        yield label, value

    def refresh(self) -> None:
        """Include modules imported since (lazily imported submodules are watched from now on)."""
        self.module_count = len(sys.modules)
        for name, module in _watched().items():
            if name not in self.modules:
                self._take(name, module)
        for label, cls in _framework_classes():
            self.classes.setdefault(label, _class_fingerprint(cls))
