"""A real IPython kernel of a fresh environment, driven as a notebook front end drives it.

The kernel is the environment's own Python (a kernel spec written for it, as ``ipykernel install`` would),
started by jupyter_client as Jupyter starts it, in a scratch folder, with the environment's variables only
(:meth:`tests.environments.Environment.environ`): ``autograder`` and its graders come from the installed
wheel. A test reads what the front end would show of each cell: printed lines, the cell's value
(``text/plain`` for nbgrader, ``text/html`` for the notebook), its error output. The kernel is told which
notebook it runs as Jupyter Server tells it (``JPY_SESSION_NAME``, which ipykernel turns into
``__session__``), or not told at all, as on Colab.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

from tests.environments import Environment

#: Seconds for the kernel to start, and for one cell to run (the first graded cell imports pytest and the graders).
START_TIMEOUT, CELL_TIMEOUT = 60, 120
#: The kernel spec's name (any but ``python3``, which jupyter_client maps to its own interpreter).
SPEC = "dlkit-fresh-env"


@dataclass
class Cell:
    """What the front end shows of one executed cell."""

    status: str
    stdout: str = ""
    stderr: str = ""
    data: dict = field(default_factory=dict)
    traceback: list[str] = field(default_factory=list)

    @property
    def error(self) -> str:
        """The error output as shown, colours removed."""
        return re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(self.traceback))


class Kernel:
    """An IPython kernel driven as a notebook front end drives it."""

    def __init__(self, manager: KernelManager) -> None:
        self.manager = manager
        self.client = manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=START_TIMEOUT)

    def run(self, code: str) -> Cell:
        cell = Cell("")

        def output(message: dict) -> None:
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                setattr(cell, content["name"], getattr(cell, content["name"]) + content["text"])
            elif kind == "execute_result":
                cell.data = content["data"]
            elif kind == "error":
                cell.traceback = content["traceback"]

        reply = self.client.execute_interactive(code, timeout=CELL_TIMEOUT, output_hook=output)
        cell.status = reply["content"]["status"]
        return cell

    def where(self) -> dict[str, str]:
        """The kernel's Python and the ``autograder`` package it imports."""
        printed = self.run("import json as _j, sys as _s, autograder as _a\n"
                           "print(_j.dumps({'python': _s.executable, 'autograder': _a.__file__}))")
        return json.loads(printed.stdout)


def _spec_manager(environment: Environment, folder: Path) -> KernelSpecManager:
    """A kernel spec manager that knows one kernel: ``environment``'s Python."""
    spec = folder / SPEC
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(environment.python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (environnement de l'étudiant)", "language": "python"}), encoding="utf-8")
    return KernelSpecManager(kernel_dirs=[str(folder)], ensure_native_kernel=False)


@contextmanager
def kernel(environment: Environment, cwd: Path, session: Path | None = None, **extra: str) -> Iterator[Kernel]:
    """A kernel of ``environment`` running in ``cwd``, told by Jupyter Server's variable that it runs ``session``
    (None: not told, as on Colab); ``extra``: more environment variables."""
    env = {k: v for k, v in environment.environ(**extra).items() if k != "JPY_SESSION_NAME"}
    if session is not None:
        env["JPY_SESSION_NAME"] = str(session)
    with tempfile.TemporaryDirectory(prefix="kernelspec-") as specs:
        specs_manager = _spec_manager(environment, Path(specs))
        for attempt in range(3):  # a kernel whose random ports another process took meanwhile dies at start
            manager = KernelManager(kernel_name=SPEC, kernel_spec_manager=specs_manager)
            manager.start_kernel(cwd=str(cwd), env=env)
            try:
                started = Kernel(manager)
                break
            except RuntimeError:
                manager.shutdown_kernel(now=True)
                if attempt == 2:
                    raise
        try:
            yield started
        finally:
            started.client.stop_channels()
            manager.shutdown_kernel(now=True)
