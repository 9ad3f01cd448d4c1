"""Fixed cost per submission and batch throughput, on grading processes and on a Dask LocalCluster.

    python -m benchmarks.cluster_time                   # fixed cost, 20 submissions --jobs 2 vs --scheduler local
    python -m benchmarks.cluster_time --large 100       # and 100 submissions (--jobs 2)
    python -m benchmarks.cluster_time --large 100 --large-only   # only the 100 submissions

It prints, for 01_regression (the reference and its example submissions, repeated, every check):

* the fixed cost per submission with a pre-started worker: the wall time of grading one cheap check
  (``metrics_rmse``: one call, microseconds of student code), median of 5, after a warm-up;
* ``--copies`` submissions with ``--jobs 2`` and with ``--scheduler local`` (2 workers), and the
  cluster's efficiency relative to the grading processes (their wall time over the cluster's);
* with ``--large N``, N submissions with ``--jobs 2``: wall time.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from autograder.grading.batch import grade_many
from autograder.grading.engine import grade_notebook
from autograder.paths import EXAMPLES_DIR, SOLUTIONS_DIR
from autograder.submissions import Job

ASSIGNMENT = "01_regression"
CHEAP_CHECK = "metrics_rmse"


def fixed_cost(notebook: Path, repeats: int = 5) -> list[float]:
    """Wall times of grading one cheap check with a warm pre-started worker, in seconds."""
    only = frozenset({CHEAP_CHECK})
    grade_notebook(notebook, ASSIGNMENT, only=only)
    times = []
    for _ in range(repeats):
        started = time.monotonic()
        grade_notebook(notebook, ASSIGNMENT, only=only)
        times.append(time.monotonic() - started)
    return times


def batch(copies: int) -> list[Job]:
    notebooks = [SOLUTIONS_DIR / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
                 *sorted((EXAMPLES_DIR / ASSIGNMENT).glob("*.ipynb"))]
    return [Job(notebooks[i % len(notebooks)], f"copy{i}", ASSIGNMENT) for i in range(copies)]


def timed_batch(jobs: list[Job], scheduler: bool) -> float:
    executor = None
    if scheduler:
        from autograder.grading.cluster import DaskExecutor

        executor = DaskExecutor("local", None, 2, [ASSIGNMENT], True)
    started = time.monotonic()
    try:
        grade_many(jobs, 2, executor=executor)
    finally:
        if executor is not None:
            executor.close()
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--large", type=int, default=0, help="also grade this many submissions with --jobs 2")
    parser.add_argument("--skip-batches", action="store_true", help="the fixed cost only")
    parser.add_argument("--large-only", action="store_true", help="only the --large batch")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; sandboxes use 1 thread each")
    if not args.large_only:
        times = fixed_cost(SOLUTIONS_DIR / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
        print(f"fixed cost per submission, pre-started worker ({CHEAP_CHECK}): median "
              f"{sorted(times)[len(times) // 2]:.2f} s (runs: {', '.join(f'{t:.2f}' for t in times)})")
    if not (args.skip_batches or args.large_only):
        _compare(args.copies)
    if args.large:
        elapsed = timed_batch(batch(args.large), scheduler=False)
        print(f"{args.large} submissions, --jobs 2: {elapsed:7.1f} s  (load {os.getloadavg()[0]:.1f})")


def _compare(copies: int) -> None:
    """``copies`` submissions with ``--jobs 2``, then on a local Dask cluster of 2 workers."""
    jobs = batch(copies)
    local = timed_batch(jobs, scheduler=False)
    print(f"{len(jobs)} submissions, --jobs 2:                 {local:7.1f} s  (load {os.getloadavg()[0]:.1f})")
    cluster = timed_batch(jobs, scheduler=True)
    print(f"{len(jobs)} submissions, --scheduler local (2 workers): {cluster:7.1f} s  (load {os.getloadavg()[0]:.1f})")
    print(f"cluster efficiency relative to --jobs 2: {local / cluster:.2f}")


if __name__ == "__main__":
    main()
