"""``autograder``: prepare datasets, grade submissions, let students check their work."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from autograder.data.prepare import DatasetError, prepare
from autograder.export.gradescope import write_gradescope
from autograder.grading.assignments import UnknownAssignment, available_assignments
from autograder.grading.batch import Job, grade_many
from autograder.grading.engine import AssignmentNotFound, grade_notebook
from autograder.paths import ASSIGNMENTS_DIR, EXAMPLES_DIR, SOLUTIONS_DIR
from autograder.report import format_submission, format_table


def _data_prepare(args: argparse.Namespace) -> int:
    try:
        prepare(args.dataset or None, Path(args.mirror) if args.mirror else None, args.force,
                report=lambda step: print(f"{step.action:>16}  {step.dataset:<18} {step.path}"),
                use_mirror=not args.download)
    except DatasetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def _grade(args: argparse.Namespace) -> int:
    results = []
    for path in args.notebooks:
        result = grade_notebook(Path(path), args.assignment, include_hidden=not args.public_only)
        results.append(result)
        print(format_submission(result))
        print()
    if len(results) > 1:
        print(format_table(results))
    if args.results:
        if len(results) != 1:
            print("error: --results takes one notebook; use a batch folder for many", file=sys.stderr)
            return 2
        write_gradescope(results[0], Path(args.results))
    if args.json:
        Path(args.json).write_text(json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=False))
    return 0


def demo_jobs() -> list[Job]:
    """The bundled examples: each assignment's reference, untouched student notebook and example submissions."""
    jobs = []
    for name in available_assignments():
        jobs.append(Job(SOLUTIONS_DIR / name / f"{name}.ipynb", f"{name}/reference", name))
        jobs.append(Job(ASSIGNMENTS_DIR / name / f"{name}.ipynb", f"{name}/untouched", name))
        jobs += [Job(p, f"{name}/{p.stem}", name) for p in sorted((EXAMPLES_DIR / name).glob("*.ipynb"))]
    return jobs


def _demo(args: argparse.Namespace) -> int:
    jobs = demo_jobs()
    print(f"grading {len(jobs)} example submissions, {args.jobs} at a time ...", flush=True)
    results = grade_many(jobs, args.jobs, on_result=lambda job, r: print(
        f"  {job.student}: {r.score:g}/{r.max_score:g} ({r.duration_s:.0f} s)", flush=True))
    print()
    print(format_table(results))
    return 0


def _check(args: argparse.Namespace) -> int:
    result = grade_notebook(Path(args.notebook), args.assignment, include_hidden=False)
    print(format_submission(result))
    return 0 if result.score == result.max_score else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    data = commands.add_parser("data", help="dataset commands").add_subparsers(dest="data_command", required=True)
    prep = data.add_parser("prepare", help="verify datasets and install them in the loaders' caches")
    prep.add_argument("--dataset", action="append", help="only this dataset (repeatable)")
    prep.add_argument("--mirror", help="local mirror folder (default: $DLKIT_DATASET_MIRROR or ../shared/datasets)")
    prep.add_argument("--download", action="store_true", help="ignore any mirror; download from upstream")
    prep.add_argument("--force", action="store_true", help="re-install files already present")
    prep.set_defaults(run=_data_prepare)

    grade = commands.add_parser("grade", help="grade notebooks (public and hidden tests)")
    grade.add_argument("notebooks", nargs="+", help="submitted notebooks")
    grade.add_argument("--assignment", help="assignment name (default: from the notebook)")
    grade.add_argument("--results", help="write Gradescope's results.json here")
    grade.add_argument("--json", help="write the full results (all submissions) as JSON here")
    grade.add_argument("--public-only", action="store_true", help="run the public tests only")
    grade.set_defaults(run=_grade)

    demo = commands.add_parser("demo", help="grade the bundled example submissions and print a score table")
    demo.add_argument("--jobs", type=int, default=2, help="submissions graded at once")
    demo.set_defaults(run=_demo)

    check = commands.add_parser("check", help="run the public tests on your notebook")
    check.add_argument("notebook")
    check.add_argument("--assignment")
    check.set_defaults(run=_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (UnknownAssignment, AssignmentNotFound) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
