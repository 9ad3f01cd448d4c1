"""How long ``autograder similarity`` takes on a large batch (README, "Code similarity").

    python -m benchmarks.similarity_time                      # 200 submissions of 09_mini_project
    python -m benchmarks.similarity_time --submissions 200 --assignment 08_attention

It writes N notebooks into a temporary folder: each solution cell taken at random from the reference or
from one of the assignment's example submissions that rewrites it, renamed, reformatted and commented
(``tests.submissions.disguise``) with the submission's own seed, each written answer 300 words drawn at
random from the released notebook's text. Then it runs the whole command (reading, fingerprinting,
every pair compared, the page written) as an instructor would, and prints its wall time, the pairs
flagged and the load average (the machine may be shared). ``--no-common`` keeps what most of the batch
shares (the worst case: every copied cell is compared token by token).
"""

from __future__ import annotations

import argparse
import importlib
import os
import random
import re
import tempfile
import time
from pathlib import Path

import nbformat

from autograder.similarity import compare
from autograder.similarity.batch import Entry, run
from autograder.similarity.page import similarity_page
from tests.submissions.disguise import disguised, notebook
from tests.submissions.variants import base_notebook, reference_cells


def _answer_ids(assignment: str) -> list[str]:
    released = nbformat.read(base_notebook(assignment, "release"), as_version=4)
    return [c.metadata["nbgrader"]["grade_id"] for c in released.cells
            if c.cell_type == "markdown" and c.get("metadata", {}).get("nbgrader", {}).get("solution")]


def generate(assignment: str, count: int, folder: Path, seed: int = 0) -> list[Path]:
    """``count`` submissions of ``assignment`` written into ``folder``."""
    rng = random.Random(seed)
    module = importlib.import_module(f"tests.submissions.examples_{assignment}")
    choices = {grade_id: [source] for grade_id, source in reference_cells(assignment).items()}
    for variant in module.VARIANTS:
        for grade_id, source in variant.replace.items():
            if grade_id in choices:
                choices[grade_id].append(source)
    released = nbformat.read(base_notebook(assignment, "release"), as_version=4)
    words = re.findall(r"\w+", " ".join(c.source for c in released.cells if c.cell_type == "markdown").lower())
    paths = []
    for number in range(count):
        replace = {}
        for grade_id, sources in choices.items():
            source = rng.choice(sources)
            try:
                replace[grade_id] = disguised(source, seed * 100_000 + number)
            except SyntaxError:
                replace[grade_id] = source
        for grade_id in _answer_ids(assignment):
            replace[grade_id] = "\n\n".join(" ".join(rng.choices(words, k=60)).capitalize() + "." for _ in range(5))
        path = folder / f"student_{number:03d}.ipynb"
        nbformat.write(notebook(assignment, replace), path)
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="09_mini_project")
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--no-common", action="store_true", help="keep fingerprints most of the batch shares")
    args = parser.parse_args()
    if args.no_common:
        compare.COMMON_MIN = 10**9
    with tempfile.TemporaryDirectory(prefix="dlkit-similarity-bench-") as scratch:
        started = time.monotonic()
        paths = generate(args.assignment, args.submissions, Path(scratch))
        print(f"{len(paths)} submissions of {args.assignment} generated in {time.monotonic() - started:.1f} s")
        load = os.getloadavg()
        started, cpu = time.monotonic(), time.process_time()
        outcome = run([Entry(p.stem, p) for p in paths])
        page = similarity_page(outcome.comparisons, outcome.skipped)
        wall, cpu = time.monotonic() - started, time.process_time() - cpu
        (Path(scratch) / "similarity.html").write_text(page, encoding="utf-8")
    comparison = outcome.comparisons[0]
    print(f"compared in {wall:.1f} s wall, {cpu:.1f} s CPU (comparison alone {comparison.seconds:.1f} s wall) on "
          f"{os.cpu_count()} cores, "
          f"load average before {load[0]:.2f} / after {os.getloadavg()[0]:.2f}; "
          f"{len(comparison.pairs)} pairs sharing something, {len(comparison.flagged)} flagged, "
          f"{comparison.common} common fingerprints left out, page {len(page) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
