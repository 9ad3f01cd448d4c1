"""How long the students' commands take to answer, in an environment where the students' wheel is installed.

    python -m benchmarks.student_commands                      # a fresh environment, as the tests make it
    python -m benchmarks.student_commands --venv /tmp/student  # an existing install (benchmarks.install_size's)
    python -m benchmarks.student_commands --runs 9 --importtime  # and where a check's start goes

Without ``--venv``, the students' wheel is built from this checkout and installed in a new virtual environment
that reaches the kit's frameworks (:func:`tests.environments.fresh_environment`, what ``student_env`` is in the
tests): the kit's own files are the wheel's, as on a student's machine. Each command runs ``--runs`` times from a
scratch folder, and the script prints the median wall time, the fastest and the median CPU time (user + system of
the process and its children: about the wall time of an idle machine), with the load average before and after.

``check`` is timed up to its first grading step: the command runs as installed (``autograder.launcher.main``),
with the engine's ``start_jail`` (the sandbox's jail, started as soon as the assignment is known, while the
graders are collected) and ``open_sandbox`` replaced by an immediate exit. What comes before is the command's
own: its imports, reading the notebook and finding its assignment. ``check --task none`` (a task that does not
exist) also collects the public checks before it is refused. The issue's budget for ``check`` and ``start`` is
2 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ASSIGNMENT = "01_regression"
#: ``autograder …`` as installed, but exiting with :data:`REACHED` where the grading would start.
UP_TO_GRADING = r'''
import importlib.machinery, os, sys

class Hook:
    """Patches autograder.grading.engine once it is loaded, wherever the command imports it."""

    def find_spec(self, name, path=None, target=None):
        if name != "autograder.grading.engine":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            for step in ("start_jail", "open_sandbox"):  # the first a grading calls (a kit without start_jail)
                if hasattr(module, step):
                    setattr(module, step, lambda *args, **kwargs: os._exit(REACHED))

        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, Hook())
sys.argv[0] = "autograder"
from autograder.launcher import main
sys.exit(main())
'''
#: The exit code of a check that reached its first grading step.
REACHED = 42


def timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, int]:
    """``(wall, cpu, exit code)`` of one run: the CPU seconds are about what the wall time is on an idle machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    code = subprocess.run(command, env=env, cwd=cwd, capture_output=True, timeout=600).returncode
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, code


def environ(venv: Path) -> dict[str, str]:
    """The variables a student's shell has with ``venv`` activated (none of the kit's checkout)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "DLKIT_GRADERS", "PYTEST_ADDOPTS")}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
    env["VIRTUAL_ENV"] = str(venv)
    return env


def commands(venv: Path) -> dict[str, tuple[Callable[[int], list[str]], int]]:
    """Each timed command, by label: its command line for run ``n``, and the exit code it must end with."""
    autograder, python = str(venv / "bin" / "autograder"), str(venv / "bin" / "python")
    check = f"run0/{ASSIGNMENT}.ipynb"
    return {
        "--version": (lambda n: [autograder, "--version"], 0),
        "--help": (lambda n: [autograder, "--help"], 0),
        "start": (lambda n: [autograder, "start", ASSIGNMENT, "--to", f"run{n}"], 0),
        "check (up to grading)": (lambda n: [python, "-c", UP_TO_GRADING.replace("REACHED", str(REACHED)), "check",
                                             check], REACHED),
        "check --task none": (lambda n: [autograder, "check", check, "--task", "none"], 2),
    }


def time_commands(venv: Path, runs: int = 3) -> dict[str, tuple[float, float, float]]:
    """Each command's ``(median wall, fastest wall, median CPU)`` over ``runs`` runs, printed as they come."""
    env, figures = environ(venv), {}
    with tempfile.TemporaryDirectory(prefix="dlkit-cli-") as scratch:
        work = Path(scratch)
        for label, (command, expected) in commands(venv).items():
            load = os.getloadavg()[0]
            walls, cpus, codes = zip(*(timed(command(n), env, work) for n in range(runs)), strict=True)
            if set(codes) != {expected}:
                raise SystemExit(f"autograder {label}: exit codes {sorted(set(codes))}, expected {expected}")
            figures[label] = (statistics.median(walls), min(walls), statistics.median(cpus))
            print(f"autograder {label:24} wall {figures[label][0]:5.2f} s (fastest {figures[label][1]:4.2f}), "
                  f"CPU {figures[label][2]:4.2f} s; median of {runs}; load average {load:.2f} -> "
                  f"{os.getloadavg()[0]:.2f}", flush=True)
    return figures


def import_times(venv: Path, top: int = 15) -> None:
    """The modules a check imports before grading, cumulative time first (``python -X importtime``)."""
    with tempfile.TemporaryDirectory(prefix="dlkit-cli-") as scratch:
        work = Path(scratch)
        env = environ(venv)
        subprocess.run([str(venv / "bin" / "autograder"), "start", ASSIGNMENT, "--to", "run0"], env=env, cwd=work,
                       check=True, capture_output=True)
        completed = subprocess.run([str(venv / "bin" / "python"), "-X", "importtime", "-c",
                                    UP_TO_GRADING.replace("REACHED", str(REACHED)), "check",
                                    f"run0/{ASSIGNMENT}.ipynb"], env=env, cwd=work, capture_output=True, text=True)
    rows = []
    for line in completed.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            _, cumulative, name = line.split(":", 1)[1].split("|")
            rows.append((int(cumulative), name[1:]))  # nested imports are indented further
    total = sum(c for c, name in rows if not name.startswith(" "))
    print(f"imports before grading: {total / 1e6:.2f} s in all (top-level modules); the costliest:")
    for cumulative, name in sorted(rows, reverse=True)[:top]:
        print(f"  {cumulative / 1e6:6.3f} s  {name.strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, help="an environment where the students' wheel is installed "
                        "(default: a fresh one, made as the tests make it)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (default 5)")
    parser.add_argument("--importtime", action="store_true", help="also list what a check imports before grading")
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="dlkit-student-env-") as scratch:
        if args.venv:
            venv = args.venv.resolve()
        else:
            from tests.environments import fresh_environment

            environment = fresh_environment(Path(scratch), "student")
            venv = environment.root
            print(f"fresh environment with {environment.wheel.name}")
        time_commands(venv, args.runs)
        if args.importtime:
            import_times(venv)


if __name__ == "__main__":
    main()
