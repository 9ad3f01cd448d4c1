"""Measure a threshold check's metric on a notebook over several seeds, under the grader's own budget.

    python -m benchmarks.calibrate 01_regression quality_rmse --seeds 5
    python -m benchmarks.calibrate 01_regression quality_rmse \
        --notebook tests/submissions/01_regression/wrong_linear_network.ipynb

Prints one line per seed and the range; thresholds in the graders record these figures.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from autograder.grading.assignments import load_assignment
from autograder.grading.engine import _fixture_files
from autograder.grading.notebook import definitions, read_notebook
from autograder.grading.sandbox import Limits, run_checks
from autograder.paths import SOLUTIONS_DIR


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignment")
    parser.add_argument("check")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--notebook", help="default: the reference solution")
    args = parser.parse_args()
    assignment = load_assignment(args.assignment)
    check = assignment.check(args.check)
    if check.measure is None:
        parser.error(f"{args.check} is not a threshold check")
    notebook = Path(args.notebook or SOLUTIONS_DIR / args.assignment / f"{args.assignment}.ipynb")
    cells = definitions(read_notebook(notebook))
    inputs, secrets = _fixture_files(assignment)
    values = []
    for seed in range(args.seeds):
        started = time.monotonic()
        run = run_checks(assignment, cells, [check.name], inputs, Limits(), seed=seed)
        observation = run.observations[check.name]
        if observation.error_kind:
            print(f"seed {seed}: {observation.error_kind} {observation.message}")
            continue
        values.append(check.measure(observation.value, secrets))
        print(f"seed {seed}: {values[-1]:.4f}  ({time.monotonic() - started:.1f} s)")
    if values:
        print(f"{notebook.name} {args.check}: min {min(values):.4f}  mean {statistics.mean(values):.4f}  "
              f"max {max(values):.4f}  over {len(values)} seeds")


if __name__ == "__main__":
    main()
