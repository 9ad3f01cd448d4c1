"""Fresh virtual environments with one of the kit's bundles installed, as a student or a grading machine gets.

Installing torch and TensorFlow again takes minutes and gigabytes, so a fresh environment
reaches the frameworks of the kit's own environment through a ``.pth`` line (the same
versions the kit's requirements pin); everything else is what ``pip install WHEEL`` puts in
the new environment. The instructor's checkout is not reachable from it: no ``PYTHONPATH``,
the kit's editable install is not activated there (a ``.pth`` line adds a folder, it does
not run that folder's own ``.pth`` files), commands run from scratch folders, and
:meth:`Environment.check_isolated` proves ``autograder`` and its graders come from the wheel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from autograder.distribution.bundle import build
from autograder.paths import KIT_ROOT

#: Variables of the kit's own environment a fresh one must not inherit.
DROPPED = ("PYTHONPATH", "VIRTUAL_ENV", "DLKIT_GRADERS", "PYTEST_ADDOPTS", "PYTEST_CURRENT_TEST")


@dataclass(frozen=True)
class Environment:
    """A fresh virtual environment with a bundle installed."""

    root: Path
    wheel: Path

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"

    def environ(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in DROPPED}
        env["PATH"] = os.pathsep.join([str(self.root / "bin"), env.get("PATH", "")])
        env["VIRTUAL_ENV"] = str(self.root)
        return {**env, **extra}

    def run(self, *args: str | Path, cwd: Path, timeout: float = 600, **extra: str) -> subprocess.CompletedProcess:
        """``args`` run in this environment from ``cwd`` (``python`` is the environment's)."""
        command = [str(self.python) if a == "python" else str(a) for a in args]
        return subprocess.run(command, cwd=cwd, env=self.environ(**extra), capture_output=True, text=True,
                              timeout=timeout)

    def check_isolated(self, cwd: Path) -> dict[str, str]:
        """Where ``autograder`` and its graders come from; fails if from the instructor's checkout."""
        script = ("import json, autograder, autograder.paths as p\n"
                  "print(json.dumps({'package': autograder.__file__, 'graders': str(p.GRADERS_DIR),"
                  " 'bundled': p.BUNDLED}))")
        completed = self.run("python", "-c", script, cwd=cwd)
        assert completed.returncode == 0, completed.stderr
        found = json.loads(completed.stdout)
        assert found["bundled"] and found["package"].startswith(str(self.root)), found
        assert not found["graders"].startswith(str(KIT_ROOT)), found
        return found


def bare_environment(root: Path) -> Path:
    """A new virtual environment in ``root/venv`` that reaches the kit's frameworks, nothing of the kit installed."""
    venv = root / "venv"
    # No pip of its own: ``python -m pip`` finds the kit's pip (and setuptools) through the .pth line, the
    # versions the frameworks were installed with (ensurepip's older setuptools would not satisfy them).
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "kit-frameworks.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return venv


def fresh_environment(root: Path, kind: str) -> Environment:
    """A new virtual environment in ``root`` with the ``kind`` bundle (``student``/``grader``) installed."""
    environment = Environment(bare_environment(root), build(kind, root / "dist"))
    completed = environment.run("python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                                "--no-index", f"{environment.wheel}[frameworks]", cwd=root)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    environment.check_isolated(root)
    return environment
