"""Quiet framework start-up: TensorFlow's C++ INFO lines hidden at import, warnings and errors kept.

Importing TensorFlow 2.21 writes, straight to file descriptor 2 (so JupyterLab shows them in
red under the import cell), absl's notice ``WARNING: All log messages before
absl::InitializeLog() is called are written to STDERR`` and INFO records such as ``I0000 ...
port.cc:153] oneDNN custom operations are on ...`` and ``cpu_feature_guard.cc`` (two lines).
``TF_CPP_MIN_LOG_LEVEL`` does not reach the records logged before absl is initialised.

:func:`install` (called when :mod:`autograder.notebook_api` is imported) wraps the first import
of ``tensorflow``: what the import writes to descriptor 2 is collected and written back
through :func:`without_info_records`, which drops absl's notice and INFO records only; a
``W``/``E``/``F`` record and any other text pass through unchanged, in order.

:func:`quiet_libraries` quiets the Python loggers of the libraries a graded cell's tests drive (MLflow and
its database migrations, TensorFlow, absl, Keras, the web servers of an API check...) while the cell's tests
run: their handlers often hold the kernel's own ``stderr`` and would print INFO lines and warnings in red
under the cell, whatever the tests' redirections. Their levels are restored afterwards: the student's own
cells keep every warning.

MLflow prints INFO lines of its own in red under the student's cells too (``Creating initial MLflow database
tables...`` the first time a notebook's cell logs a run to a new store): when MLflow is imported (or at once if it
is already), its loggers are set to WARNING, as its ``MLFLOW_LOGGING_LEVEL`` variable would, unless the student set
that variable; so its warnings, such as the one about a model logged without a signature, still show. The
environment itself is never changed (inside the sandbox it is the kit's list only).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import Any

#: A record of absl's/glog's log format: ``I0000 00:00:1796172747.526988   23722 port.cc:153] ...``.
RECORD_START = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ \S+:\d+\] ")
ABSL_NOTICE = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
QUIET_MODULES = ("tensorflow", "mlflow")
#: MLflow's log level in a notebook's kernel, unless its variable is set (its INFO lines hidden, warnings kept).
MLFLOW_LEVEL = ("MLFLOW_LOGGING_LEVEL", "WARNING")
#: Loggers quieted (to ERROR) while a graded cell's tests run: their children follow.
LIBRARY_LOGGERS = ("mlflow", "alembic", "sqlalchemy", "tensorflow", "absl", "keras", "h5py", "urllib3", "werkzeug",
                   "waitress", "gunicorn", "matplotlib", "PIL", "git", "torch", "numexpr")


def without_info_records(text: str) -> str:
    """``text`` without absl's pre-initialisation notice and INFO records (with their continuation lines)."""
    kept: list[str] = []
    dropping = False
    for line in text.splitlines(keepends=True):
        if RECORD_START.match(line):
            dropping = line.startswith("I")
        elif line.rstrip("\n") == ABSL_NOTICE:
            continue
        elif not line.strip():
            dropping = False
        if not dropping:
            kept.append(line)
    return "".join(kept)


@contextmanager
def filtered_stderr_descriptor() -> Iterator[None]:
    """Collect what is written to descriptor 2 inside the block; write it back without INFO records."""
    try:
        saved = os.dup(2)
    except OSError:  # no descriptor 2 (some embedded interpreters): nothing to filter
        yield
        return
    with tempfile.TemporaryFile() as collected:
        sys.stderr.flush()
        os.dup2(collected.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            collected.seek(0)
            text = without_info_records(collected.read().decode("utf-8", "replace"))
            if text:
                os.write(2, text.encode("utf-8"))


class _QuietLoader(importlib.abc.Loader):
    """Runs another loader's ``exec_module`` with descriptor 2 filtered, then the module's set-up, if any."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        with filtered_stderr_descriptor():
            self.loader.exec_module(module)
        AFTER_IMPORT.get(module.__name__, lambda: None)()

    def __getattr__(self, name: str) -> Any:  # get_resource_reader, is_package, ...
        return getattr(self.loader, name)


def mlflow_warnings_only() -> None:
    """MLflow's own loggers at WARNING, as ``MLFLOW_LOGGING_LEVEL=WARNING`` would set them, unless that variable
    is set (the student's choice). The environment itself is left alone: the sandbox's is the kit's list only."""
    import logging

    if not os.environ.get(MLFLOW_LEVEL[0]):
        logging.getLogger("mlflow").setLevel(getattr(logging, MLFLOW_LEVEL[1]))


#: What runs right after a quiet module's import (MLflow configures its loggers when imported).
AFTER_IMPORT = {"mlflow": mlflow_warnings_only}


class QuietFrameworkFinder(importlib.abc.MetaPathFinder):
    """Finds :data:`QUIET_MODULES` as the path finder does, with a loader that filters their start-up logs."""

    def find_spec(self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
                  ) -> importlib.machinery.ModuleSpec | None:
        if name not in QUIET_MODULES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


@contextmanager
def quiet_libraries(loggers: Sequence[str] = LIBRARY_LOGGERS) -> Iterator[None]:
    """Inside the block, the libraries' loggers let ERROR records only through; their levels are restored after."""
    import logging

    saved = {name: logging.getLogger(name).level for name in loggers}
    for name in loggers:
        logging.getLogger(name).setLevel(max(logging.ERROR, saved[name]))
    try:
        yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def install() -> None:
    """Filter the start-up logs of frameworks not imported yet, MLflow's INFO lines included (idempotent)."""
    if "mlflow" in sys.modules:
        mlflow_warnings_only()
    if not any(isinstance(finder, QuietFrameworkFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, QuietFrameworkFinder())
