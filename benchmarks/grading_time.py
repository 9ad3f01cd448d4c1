"""Grading time and throughput, next to plain ``nbgrader autograde`` of the same submissions.

    python -m benchmarks.grading_time                      # every assignment, 4 copies per batch
    python -m benchmarks.grading_time 01_regression --copies 8 --jobs 2
    python -m benchmarks.grading_time --skip-nbgrader      # only the kit's own figures
    python -m benchmarks.grading_time --only-nbgrader      # only the comparison with plain nbgrader
    python -m benchmarks.grading_time --only-nbgrader --budgets quick   # nbgrader on quick budgets only
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
* plain ``nbgrader autograde`` of the same reference in a scratch course: nbgrader's own default
  pipeline (the kit's SandboxGrade and SandboxScores removed), which executes the whole notebook in a
  kernel, graded cells included, once with the notebook's own budgets (the student's full training)
  and once with ``DLKIT_QUICK=1`` (the notebook's quick budgets); wall and CPU seconds of each,
  next to a cold ``autograder grade`` and the ratios (issue 36's targets: at most 0.2 of the full
  notebook and 0.7 of the quick one).

``--before REV`` first runs this same benchmark from a git worktree of ``REV`` (its own code,
this environment), so that a change's figures are printed next to those of what it replaces.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.grading.assignments import available_assignments, describe_assignment, load_assignment
from autograder.grading.batch import grade_many
from autograder.grading.engine import grade_notebook
from autograder.grading.profiling import tree_cpu
from autograder.grading.sandbox import Limits, SandboxSetup, jail_spec
from autograder.grading.zygote import Jail, settle
from autograder.paths import EXAMPLES_DIR, KIT_ROOT, SOLUTIONS_DIR
from autograder.release import generate_in_scratch, tool_environment
from autograder.submissions import Job

CPUACCT = Path("/sys/fs/cgroup/cpuacct")


def _timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of ``command`` and of every process it starts, jails included.

    The CPU is read from a cgroup v1 ``cpuacct`` group of its own where one can be made (root): a jail's
    processes die with its PID namespace and are never waited for, so ``getrusage`` would miss them.
    Elsewhere it falls back to ``getrusage`` (the processes waited for), and says so.
    """
    group = CPUACCT / f"dlkit-bench-{os.getpid()}"
    try:
        group.mkdir()
    except OSError:
        group = None
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    try:
        subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=True,
                       preexec_fn=(lambda: (group / "cgroup.procs").write_text(str(os.getpid()))) if group else None)
        wall = time.monotonic() - started
        if group is not None:
            return wall, int((group / "cpuacct.usage").read_text()) / 1e9
    finally:
        if group is not None:
            _remove_group(group)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    print("  (no cpuacct cgroup here: CPU of the processes waited for only, jails not included)")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _remove_group(group: Path) -> None:
    """Remove the cgroup once its last process (a jail's, killed by the command on its way out) is gone."""
    for _ in range(50):
        try:
            group.rmdir()
            return
        except OSError:
            time.sleep(0.1)


def _cold_single(notebook: Path) -> tuple[float, float]:
    """Wall and CPU seconds of ``autograder grade NOTEBOOK`` in a new process (jails included)."""
    return _timed([sys.executable, "-m", "autograder", "grade", str(notebook)], KIT_ROOT)


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
        cpus.append(tree_cpu(jail.process.pid))
        jail.destroy()
    return sorted(walls)[1], sorted(cpus)[1]


def _batch(assignment: str, notebooks: list[Path], copies: int, jobs: int) -> tuple[float, int]:
    batch = [Job(notebooks[i % len(notebooks)], f"copy{i}", assignment) for i in range(copies)]
    started = time.monotonic()
    grade_many(batch, jobs)
    return time.monotonic() - started, len(batch)


#: nbgrader 0.9's own default preprocessors (``nbgrader.converters.autograde.Autograde``), written out so that the
#: comparison does not follow a change of the kit's configuration.
PLAIN_NBGRADER = """
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput", "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec", "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata"]
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.Execute", "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor", "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades", "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata"]
"""


def _plain_nbgrader(assignment: str, notebook: Path, quick: bool) -> tuple[float, float]:
    """Wall and CPU seconds of plain ``nbgrader autograde`` of ``notebook`` (it executes the whole notebook)."""
    with tempfile.TemporaryDirectory(prefix="dlkit-bench-") as scratch:
        course = Path(scratch)
        generate_in_scratch(assignment, course)
        with (course / "nbgrader_config.py").open("a", encoding="utf-8") as config:
            config.write(PLAIN_NBGRADER)
        folder = course / "submitted" / "bench" / assignment
        folder.mkdir(parents=True)
        shutil.copy(notebook, folder / f"{assignment}.ipynb")
        env = {**tool_environment(), "PYTHONPATH": str(KIT_ROOT), **({"DLKIT_QUICK": "1"} if quick else {})}
        return _timed([sys.executable, "-m", "nbgrader", "autograde", assignment, "--create", "--force"], course, env)


def _comparison(assignment: str, reference: Path, budgets: str) -> None:
    """A cold ``autograder grade`` next to plain nbgrader, on the full notebook and/or on quick budgets."""
    wall, cpu = _cold_single(reference)
    print(f"  autograder grade (cold):                        {wall:7.1f} s wall, {cpu:6.1f} s CPU")
    for quick, label in ((False, "full notebook"), (True, "DLKIT_QUICK=1")):
        if budgets != "both" and (budgets == "quick") != quick:
            continue
        nb_wall, nb_cpu = _plain_nbgrader(assignment, reference, quick)
        print(f"  plain nbgrader autograde ({label:13}):     {nb_wall:7.1f} s wall, {nb_cpu:6.1f} s CPU"
              f"  -> autograder / nbgrader: {wall / nb_wall:4.2f} wall, {cpu / nb_cpu:4.2f} CPU")


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


def _kit_figures(assignment: str, reference: Path, notebooks: list[Path], args: argparse.Namespace) -> None:
    wall, cpu = _cold_single(reference)
    print(f"  one submission, cold `autograder grade`:        {wall:7.1f} s wall, {cpu:6.1f} s CPU")
    print(f"  fixed cost per submission, fresh jail:          {_fixed_cost(assignment, reference, False):7.1f} s")
    print(f"  fixed cost per submission, pre-started jail:    {_fixed_cost(assignment, reference, True):7.1f} s")
    wall, cpu = _jail_start(assignment)
    print(f"  one jail started (once per submission):        {wall:7.1f} s wall, {cpu:5.1f} s CPU")
    for jobs in sorted({1, args.jobs}):
        elapsed, count = _batch(assignment, notebooks, args.copies, jobs)
        print(f"  batch of {count}, --jobs {jobs}: {elapsed:7.1f} s  ({count / elapsed * 60:5.1f} submissions/min,"
              f" {elapsed / count:5.1f} s each)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="*", default=None)
    parser.add_argument("--before", metavar="REV", help="first print the same figures for this git revision")
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-nbgrader", action="store_true", help="only the kit's own figures")
    parser.add_argument("--only-nbgrader", action="store_true", help="only the comparison with plain nbgrader")
    parser.add_argument("--budgets", choices=("both", "full", "quick"), default="both",
                        help="nbgrader on the notebook's full budgets, its quick ones (DLKIT_QUICK=1), or both")
    args = parser.parse_args()
    if args.before:
        forwarded = [a for a in sys.argv[1:] if a not in ("--before", args.before) and not a.startswith("--before=")]
        _before(args.before, forwarded)
    print(f"machine: {os.cpu_count()} cores; sandboxes use 1 thread each")
    for assignment in args.assignments or available_assignments():
        reference = SOLUTIONS_DIR / assignment / f"{assignment}.ipynb"
        examples = sorted((EXAMPLES_DIR / assignment).glob("*.ipynb"))[:1]
        print(f"\n== {assignment}")
        if not args.only_nbgrader:
            _kit_figures(assignment, reference, [reference, *examples], args)
        if not args.skip_nbgrader:
            _comparison(assignment, reference, args.budgets)


if __name__ == "__main__":
    main()
