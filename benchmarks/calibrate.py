"""Measure a threshold check's metric on a notebook over several seeds, under the grader's own budget.

    python -m benchmarks.calibrate 01_regression quality_rmse --seeds 5
    python -m benchmarks.calibrate 01_regression quality_rmse \
        --notebook tests/submissions/01_regression/wrong_linear_network.ipynb

Each seed grades the check alone (``grade_notebook(..., only=..., seed=...)``, the sandbox and
thread limits of real grading); the value is the one the test recorded with ``record_property``
(``measure``). Prints one line per seed and the range; thresholds in the graders record these figures.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from autograder.grading.assignments import load_assignment
from autograder.grading.engine import grade_notebook
from autograder.paths import SOLUTIONS_DIR


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignment")
    parser.add_argument("check")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--notebook", help="default: the reference solution")
    args = parser.parse_args()
    load_assignment(args.assignment).check(args.check)  # an unknown check fails here
    notebook = Path(args.notebook or SOLUTIONS_DIR / args.assignment / f"{args.assignment}.ipynb")
    values = []
    for seed in range(args.seeds):
        started = time.monotonic()
        (test,) = grade_notebook(notebook, args.assignment, only=frozenset({args.check}), seed=seed).tests
        if test.measure is None:
            print(f"seed {seed}: {test.status} {test.message}")
            continue
        values.append(test.measure)
        print(f"seed {seed}: {test.measure:.4f}  {test.status}  ({time.monotonic() - started:.1f} s)")
    if values:
        print(f"{notebook.name} {args.check}: min {min(values):.4f}  mean {statistics.mean(values):.4f}  "
              f"max {max(values):.4f}  over {len(values)} seeds")


if __name__ == "__main__":
    main()
