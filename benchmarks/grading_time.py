"""Grading time and throughput, next to ``nbgrader autograde`` of the same submissions.

    python -m benchmarks.grading_time                      # every assignment, 4 copies per batch
    python -m benchmarks.grading_time 01_regression --copies 8 --jobs 2
    python -m benchmarks.grading_time --skip-nbgrader      # only the kit's own figures
    python -m benchmarks.grading_time 01_regression --before main --skip-nbgrader   # the same figures for main first

For each assignment it prints:

* one submission (the reference), graded from a cold process, as ``autograder grade`` does;
* the fixed cost per submission (process start and framework imports), measured by grading a
  single cheap check, with a fresh jail and with a jail pre-started while the previous submission was
  graded (what a batch's submissions pay in wall time);
* what starting a jail costs (bubblewrap and the zygote's imports): every submission pays it once,
  in the background when its jail is started ahead, but on the machine's cores;
* a batch of ``copies`` copies of the reference and of its first example submission:
  submissions per minute with ``--jobs``;
* ``nbgrader autograde`` of the same reference submission in a scratch course (it executes
  the whole notebook, including the full training the notebook runs; ``--quick`` sets
  DLKIT_QUICK=1 for it).

``--before REV`` first runs this same benchmark from a git worktree of ``REV`` (its own code,
this environment), so that a change's figures are printed next to those of what it replaces.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.grading.assignments import available_assignments, describe_assignment, load_assignment
from autograder.grading.batch import grade_many
from autograder.grading.engine import grade_notebook
from autograder.grading.sandbox import Limits, SandboxSetup, jail_spec
from autograder.grading.zygote import Jail, settle
from autograder.paths import EXAMPLES_DIR, KIT_ROOT, SOLUTIONS_DIR
from autograder.release import generate_in_scratch, tool_environment
from autograder.submissions import Job


def _cold_single(notebook: Path) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "autograder", "grade", str(notebook)], cwd=KIT_ROOT,
                   capture_output=True, check=True)
    return time.monotonic() - started


def _fixed_cost(assignment: str, notebook: Path, prestart: bool) -> float:
    """Median wall time of grading one cheap check (what every submission pays at least)."""
    check = min(load_assignment(assignment).checks, key=lambda c: c.timeout_s).name
    limits = Limits(prestart=prestart)
    grade_notebook(notebook, assignment, limits=limits, only=frozenset({check}))  # warm the zygote
    times = []
    for _ in range(3):
        settle()  # the next jail, started ahead, is ready (as in a batch, where gradings last longer than a start)
        started = time.monotonic()
        grade_notebook(notebook, assignment, limits=limits, only=frozenset({check}))
        times.append(time.monotonic() - started)
    return sorted(times)[1]


def _jail_start(assignment: str) -> tuple[float, float]:
    """Median wall and CPU seconds of starting one jail for ``assignment`` (bubblewrap, the zygote's imports)."""
    described = describe_assignment(assignment)
    spec = jail_spec(SandboxSetup(described.package, described.preload, described.probe_modules, (),
                                  warm=described.warm_modules), Limits())
    walls, cpus = [], []
    for _ in range(3):
        started = time.monotonic()
        jail = Jail(spec)
        walls.append(time.monotonic() - started)
        cpus.append(_tree_cpu(jail.process.pid))
        jail.destroy()
    return sorted(walls)[1], sorted(cpus)[1]


def _tree_cpu(root: int) -> float:
    """CPU seconds used so far by ``root`` and its descendants (the jail's processes), from ``/proc``."""
    parents, cpu = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except (OSError, ValueError):
            continue
        parents[int(entry.name)] = int(fields[1])
        cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def inside(pid: int) -> bool:
        while pid > 1:
            if pid == root:
                return True
            pid = parents.get(pid, 0)
        return False

    return sum(seconds for pid, seconds in cpu.items() if inside(pid))


def _batch(assignment: str, notebooks: list[Path], copies: int, jobs: int) -> tuple[float, int]:
    batch = [Job(notebooks[i % len(notebooks)], f"copy{i}", assignment) for i in range(copies)]
    started = time.monotonic()
    grade_many(batch, jobs)
    return time.monotonic() - started, len(batch)


def _nbgrader(assignment: str, notebook: Path, quick: bool) -> float:
    with tempfile.TemporaryDirectory(prefix="dlkit-bench-") as scratch:
        course = Path(scratch)
        generate_in_scratch(assignment, course)
        folder = course / "submitted" / "bench" / assignment
        folder.mkdir(parents=True)
        shutil.copy(notebook, folder / f"{assignment}.ipynb")
        env = {**tool_environment(), "PYTHONPATH": str(KIT_ROOT)}
        if quick:
            env["DLKIT_QUICK"] = "1"
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "nbgrader", "autograde", assignment, "--create", "--force"],
                       cwd=course, env=env, capture_output=True, check=True)
        return time.monotonic() - started


def _before(revision: str, arguments: list[str]) -> None:
    """Run this benchmark as it is in ``revision`` (a temporary git worktree), printing its figures."""
    with tempfile.TemporaryDirectory(prefix="dlkit-before-") as scratch:
        tree = Path(scratch) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), revision], cwd=KIT_ROOT, check=True,
                       capture_output=True)
        try:
            print(f"##### before: {revision}", flush=True)
            subprocess.run([sys.executable, "-m", "benchmarks.grading_time", *arguments], cwd=tree,
                           env={**os.environ, "PYTHONPATH": str(tree)}, check=False)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=KIT_ROOT, check=False,
                           capture_output=True)
    print("##### after: this working tree", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="*", default=None)
    parser.add_argument("--before", metavar="REV", help="first print the same figures for this git revision")
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-nbgrader", action="store_true")
    parser.add_argument("--quick", action="store_true", help="DLKIT_QUICK=1 for nbgrader's notebook execution")
    args = parser.parse_args()
    if args.before:
        forwarded = [a for a in sys.argv[1:] if a not in ("--before", args.before) and not a.startswith("--before=")]
        _before(args.before, forwarded)
    print(f"machine: {os.cpu_count()} cores; sandboxes use 1 thread each")
    for assignment in args.assignments or available_assignments():
        reference = SOLUTIONS_DIR / assignment / f"{assignment}.ipynb"
        examples = sorted((EXAMPLES_DIR / assignment).glob("*.ipynb"))[:1]
        print(f"\n== {assignment}")
        print(f"  one submission, cold `autograder grade`:        {_cold_single(reference):7.1f} s")
        print(f"  fixed cost per submission, fresh jail:          {_fixed_cost(assignment, reference, False):7.1f} s")
        print(f"  fixed cost per submission, pre-started jail:    {_fixed_cost(assignment, reference, True):7.1f} s")
        wall, cpu = _jail_start(assignment)
        print(f"  one jail started (once per submission):        {wall:7.1f} s wall, {cpu:5.1f} s CPU")
        for jobs in sorted({1, args.jobs}):
            elapsed, count = _batch(assignment, [reference, *examples], args.copies, jobs)
            print(f"  batch of {count}, --jobs {jobs}: {elapsed:7.1f} s  ({count / elapsed * 60:5.1f} submissions/min,"
                  f" {elapsed / count:5.1f} s each)")
        if not args.skip_nbgrader:
            label = "DLKIT_QUICK=1" if args.quick else "full notebook"
            seconds = _nbgrader(assignment, reference, args.quick)
            print(f"  nbgrader autograde, same reference ({label}): {seconds:7.1f} s")


if __name__ == "__main__":
    main()
