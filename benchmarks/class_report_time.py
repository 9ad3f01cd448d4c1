"""Time to build a batch's class page (``index.html``) from its stored results.

    python -m benchmarks.class_report_time                 # 500 results synthesised from 4 real gradings
    python -m benchmarks.class_report_time --results 1000
    python -m benchmarks.class_report_time --from graded/  # synthesise from a batch folder's stored results

Real results come from a batch folder's store (``--from``), or from grading 01_regression's reference,
untouched notebook and two wrong submissions on every check but the slow threshold check. They are
copied, under new student names, into a scratch batch folder's store until it holds ``--results``
results (every tenth copy with a measured threshold value, some just under the limit), and the
benchmark prints:

* the class page alone: reading the stored results, statistics, alarms, histograms and HTML;
* ``autograder report DIR``: the same and every other export rewritten (feedback pages, CSV, ...).
"""

from __future__ import annotations

import argparse
import copy
import random
import tempfile
import time
from pathlib import Path

from autograder.class_report import build_report
from autograder.cli import main
from autograder.export.class_page import class_page
from autograder.grading.assignments import load_assignment
from autograder.grading.batch import ResultStore, grade_many
from autograder.grading.tasks import result_key
from autograder.paths import ASSIGNMENTS_DIR, EXAMPLES_DIR, SOLUTIONS_DIR
from autograder.results import Status, SubmissionResult
from autograder.submissions import Job

ASSIGNMENT = "01_regression"
SLOW = frozenset({"quality_rmse"})


def real_results(source: Path | None) -> list[SubmissionResult]:
    """Stored results of a batch folder, or four fresh gradings of 01_regression (cheap checks)."""
    if source is not None:
        store = ResultStore(source / ".state")
        return [g.result for s in store.batch()["students"] if (g := store.grading(s)) is not None]
    only = frozenset(c.name for c in load_assignment(ASSIGNMENT).checks) - SLOW
    examples = EXAMPLES_DIR / ASSIGNMENT
    paths = [SOLUTIONS_DIR / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", ASSIGNMENTS_DIR / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
             examples / "wrong_rmse_is_mse.ipynb", examples / "wrong_missing_relu.ipynb"]
    return grade_many([Job(p, p.stem, ASSIGNMENT) for p in paths], 2, only=only)


def synthesise(real: list[SubmissionResult], count: int, out: Path, seed: int = 0) -> None:
    """Store ``count`` copies of ``real`` results under new names in ``out``'s store, as a batch."""
    store = ResultStore(out / ".state")
    inbox = out.parent / "inbox"
    inbox.mkdir(exist_ok=True)
    rng = random.Random(seed)
    students = []
    for number in range(count):
        result = copy.deepcopy(real[number % len(real)])
        result.student = f"etudiant{number:04d}"
        if number % 10 == 0 and result.tests:  # a measured value and limit on the last check (alarms' work)
            test = result.tests[-1]
            test.limit, test.measure = 0.65, rng.uniform(0.55, 0.75)
        notebook = inbox / f"{result.student}.ipynb"
        notebook.write_text(f'{{"copy": {number % len(real)}}}')  # same content: same fingerprint
        result.submission = str(notebook)
        if number % 50 == 1 and result.tests:
            result.tests[0].status = Status.TIMEOUT
        job = Job(notebook, result.student, result.assignment)
        store.save(job, result_key(job, True, None), result)
        students.append(result.student)
    store.save_batch(students, 3600.0, 2)


def main_benchmark() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results", type=int, default=500)
    parser.add_argument("--from", dest="source", help="a batch folder whose stored results to copy")
    args = parser.parse_args()
    real = real_results(Path(args.source) if args.source else None)
    with tempfile.TemporaryDirectory(prefix="dlkit-class-report-") as scratch:
        out = Path(scratch) / "out"
        synthesise(real, args.results, out)
        started = time.perf_counter()
        store = ResultStore(out / ".state")
        gradings = [store.grading(s) for s in store.batch()["students"]]
        report = build_report(gradings, 3600.0, 2)
        page = class_page(report)
        page_s = time.perf_counter() - started
        started = time.perf_counter()
        assert main(["report", str(out)]) == 0
        report_s = time.perf_counter() - started
    alarms = sum(len(found) for found in report.alarms.values())
    print(f"{args.results} stored results ({len(real)} real, copied): class page {page_s:.2f} s "
          f"({len(page) / 1e6:.1f} MB, {alarms} alarms); autograder report (every export) {report_s:.2f} s")


if __name__ == "__main__":
    main_benchmark()
