"""``autograder``: every command, the instructors' and grading machines' too (``autograder --help-all``).

The ``autograder`` program starts in :mod:`autograder.launcher`, which runs the students' commands
(registered from there) and hands every other one to :func:`main`."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from autograder.class_report import build_report
from autograder.export import write_batch_outputs
from autograder.export.files import write_atomically
from autograder.export.github import classroom_encoded, points_line
from autograder.export.gradescope import write_gradescope
from autograder.export.nbgrader_db import write_nbgrader_grades
from autograder.grading.assignments import UnknownAssignment, available_assignments, load_assignment
from autograder.grading.batch import BatchReport, Progress, ResultStore, grade_many
from autograder.grading.engine import AssignmentNotFound, unreadable_result
from autograder.grading.executors import SchedulerLost
from autograder.grading.zygote import WEAK_ISOLATION_ENV, WeakIsolation, confinement
from autograder.intake import attach, set_times, take_in
from autograder.late_policy import PolicyError
from autograder.launcher import (
    Parser,
    SelectionError,
    add_global_options,
    add_student_commands,
    assignment_of,
    selection,
)
from autograder.overrides import OverrideError, apply_overrides, read_overrides
from autograder.paths import ASSIGNMENTS_DIR, BUNDLED, EXAMPLES_DIR, SOLUTIONS_DIR
from autograder.regrade import format_changes, history_of
from autograder.report import format_submission, format_table
from autograder.roster import RosterError, csv_rows, read_roster
from autograder.semester import (
    LMS_EXPORTS,
    finish,
    keep_intake,
    keep_policy,
    lms_exports,
    load_arrivals,
    load_policy,
    stored_policy,
)
from autograder.submission_times import TimeError
from autograder.submissions import Job

#: The batch folder's stored results, and the copy of the overrides its exports were built with.
STATE, OVERRIDES_COPY = ".state", "overrides.csv"
NO_NOTEBOOK = "Aucun notebook (.ipynb) trouvé dans la soumission : déposez le fichier du devoir."


def _assignments_of(jobs: list[Job], name: str | None) -> list[str]:
    """The assignments of a batch; every assignment when one of its notebooks cannot tell."""
    named = {job.assignment or assignment_of(job.path, name) for job in jobs}
    return sorted(named) if jobs and None not in named else available_assignments()


def _grade(args: argparse.Namespace) -> int:
    if args.accept_weak_isolation:
        os.environ[WEAK_ISOLATION_ENV] = "1"
    elif not (args.scheduler or args.scheduler_file):  # a cluster's workers check their own
        try:
            confinement()
        except WeakIsolation as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    overrides = read_overrides(Path(args.overrides)) if args.overrides else []
    roster = read_roster(Path(args.roster)) if args.roster else None
    policy = load_policy(Path(args.policy) if args.policy else None)
    with tempfile.TemporaryDirectory(prefix="dlkit-inputs-") as scratch:
        intake = take_in([Path(p) for p in args.inputs], args.assignment, Path(scratch), roster)
        set_times(intake, Path(args.times) if args.times else None, csv_rows(Path(args.roster)) if roster else None,
                  policy.time_zone if policy else "UTC", bool(policy and policy.file_times))
        for warning in intake.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        jobs = intake.jobs
        only = selection(args, lambda: _assignments_of(jobs, args.assignment), not args.public_only)
        if not jobs:
            print("error: no notebook found in the inputs", file=sys.stderr)
            if args.results and args.assignment:  # Gradescope shows this rather than "the autograder failed"
                checks = load_assignment(args.assignment, not args.public_only).checks
                write_gradescope(unreadable_result(Path(args.inputs[0]), checks, args.assignment, "?",
                                                   NO_NOTEBOOK, time.monotonic()), Path(args.results))
            return 2
        store = ResultStore(Path(args.out) / STATE) if args.out else None
        progress = Progress(len(jobs)) if len(jobs) > 1 else None
        started = time.monotonic()
        report = BatchReport()
        try:
            executor = _cluster_executor(args, jobs) if args.scheduler or args.scheduler_file else None
        except (OSError, ValueError, RuntimeError) as error:  # unreachable scheduler, weak isolation here
            print(f"error: cannot grade on the Dask cluster: {error}", file=sys.stderr)
            return 2
        try:
            results = grade_many(jobs, args.jobs, not args.public_only, only=only, store=store,
                                 on_result=progress.update if progress else lambda *_: None,
                                 resume=not args.no_resume, executor=executor, report=report)
        except SchedulerLost as error:
            done = len(list(store.folder.rglob("result.json"))) if store else 0
            print(f"error: the Dask scheduler was lost ({error}); {done} of {len(jobs)} submissions are graded"
                  + (f" and stored in {args.out}/: run the same command again to grade only the others"
                     if store else "; grade with --out DIR to keep what is done"), file=sys.stderr)
            return 3
        finally:
            if executor is not None:
                executor.close()
        wall_s = time.monotonic() - started
        gradings = store.gradings(jobs, results) if store else []  # fingerprints: while zips are extracted
    for student, error in report.retried:
        print(f"retried elsewhere after an infrastructure error: {student}: {error}", file=sys.stderr)
    for student, errors in report.failures:
        print(f"infrastructure failure (not a grade, regraded by the next run): {student}: {' ; '.join(errors)}",
              file=sys.stderr)
    results = [apply_overrides(result, overrides) for result in results]
    arrivals = intake.by_student()
    attach(results, arrivals, policy)
    if len(results) == 1:
        print(format_submission(results[0]))
        if args.github:
            print(points_line(results[0]))
            print(f"results={classroom_encoded(results[0])}")
    else:
        print(format_table(results))
    if args.results:
        if len(results) != 1:
            print("error: --results takes one submission; use --out for a batch", file=sys.stderr)
            return 2
        write_gradescope(results[0], Path(args.results))
    if store:
        store.save_batch([job.student for job in jobs], wall_s, args.jobs)
        _keep_overrides(store, Path(args.overrides) if args.overrides else None)
        keep_intake(store.folder, intake)
        keep_policy(store.folder, Path(args.policy) if args.policy else None)
        write_batch_outputs(gradings, Path(args.out), wall_s, args.jobs)
        changes = finish(Path(args.out), store.folder, gradings, arrivals)
        print(f"exports written to {args.out}/ (index.html, gradebook.csv, junit.xml, github-classroom.json, "
              f"<student>/results.json, <student>/feedback.html)")
        print(format_changes(changes))
    if args.json:
        write_atomically(Path(args.json), json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=False))
    if args.nbgrader_db:
        from_nbgrader = [r for r, job in zip(results, jobs, strict=True) if job.origin == "nbgrader"]
        count = write_nbgrader_grades(args.nbgrader_db, from_nbgrader)
        print(f"{count} grades written to nbgrader's gradebook ({args.nbgrader_db})")
    if args.fail_unless_full and any(r.score < r.max_score or not r.tests for r in results):
        return 1
    return 0


def _keep_overrides(store: ResultStore, path: Path | None) -> None:
    """Keep a copy of the overrides applied to the batch's exports (none: remove an older copy)."""
    copy = store.folder / OVERRIDES_COPY
    if path is None:
        copy.unlink(missing_ok=True)
    else:
        write_atomically(copy, path.read_text(encoding="utf-8"))


def _report(args: argparse.Namespace) -> int:
    """Rebuild a batch folder's exports and class page from its stored results, with the overrides, no grading."""
    out = Path(args.folder)
    store = ResultStore(out / STATE)
    if not store.folder.is_dir():
        print(f"error: {out} holds no stored results ({STATE}/): grade with --out {out} first", file=sys.stderr)
        return 2
    copy = store.folder / OVERRIDES_COPY
    source = Path(args.overrides) if args.overrides else copy if copy.is_file() else None
    overrides = read_overrides(source) if source else []
    policy_file = Path(args.policy) if args.policy else stored_policy(store.folder)
    policy = load_policy(policy_file)
    arrivals = load_arrivals(store.folder)
    batch = store.batch()
    gradings, missing = [], []
    for student in batch["students"]:
        grading = store.grading(student)
        if grading is None:
            missing.append(student)
        else:
            apply_overrides(grading.result, overrides)
            gradings.append(grading)
    if args.overrides:
        _keep_overrides(store, source)
    if args.policy:
        keep_policy(store.folder, policy_file)
    attach([grading.result for grading in gradings], arrivals, policy)
    write_batch_outputs(gradings, out, batch.get("wall_s"), batch.get("jobs"))
    changes = finish(out, store.folder, gradings, arrivals)
    for line in lms_exports(out, [grading.result for grading in gradings], args.export or []):
        print(line, file=sys.stderr if args.json == "-" else sys.stdout)
    if args.changes:
        shown = changes if changes.changes else next(iter(history_of(store.folder)), None)
        print(format_changes(shown), file=sys.stderr if args.json == "-" else sys.stdout)
    report = build_report(gradings, batch.get("wall_s"), batch.get("jobs"))
    if args.json:
        text = json.dumps(report.to_dict(), indent=2, ensure_ascii=False)
        if args.json == "-":
            print(text)
        else:
            write_atomically(Path(args.json), text)
    if missing:
        print(f"warning: no stored result for {', '.join(missing)} (grade them again)", file=sys.stderr)
    print(f"{out / 'index.html'}: {len(gradings)} results, "
          f"{sum(len(found) for found in report.alarms.values())} alarm(s), overrides: {source or 'none'}",
          file=sys.stderr if args.json == "-" else sys.stdout)
    return 0


def _cluster_executor(args: argparse.Namespace, jobs: list[Job]):
    """The Dask executor of ``--scheduler``/``--scheduler-file`` (Dask imported only here)."""
    from autograder.grading.cluster import DaskExecutor, security

    assignments = sorted({job.assignment or assignment_of(job.path, None) for job in jobs} - {None})
    return DaskExecutor(args.scheduler, args.scheduler_file, args.jobs, assignments, not args.public_only,
                        security(args.tls_ca_file, args.tls_cert, args.tls_key))


def _worker(args: argparse.Namespace) -> int:
    from autograder.grading.cluster import WeakIsolation, run_worker

    try:
        return run_worker(args.address, args.scheduler_file, args.nworkers, args.accept_weak_isolation,
                          (args.tls_ca_file, args.tls_cert, args.tls_key))
    except WeakIsolation as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _tls_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tls-ca-file", help="TLS: the certificate authority of the cluster (or Dask's config)")
    parser.add_argument("--tls-cert", help="TLS: this process's certificate")
    parser.add_argument("--tls-key", help="TLS: this process's private key")


def demo_jobs(every_example: bool = False) -> list[Job]:
    """Each assignment's reference, untouched student notebook and first wrong example (or all its examples).

    One wrong example per assignment shows partial credit (30 gradings: 352 s on 2 cores); ``every_example``
    grades all 108 bundled examples.
    """
    jobs = []
    for name in available_assignments():
        jobs.append(Job(SOLUTIONS_DIR / name / f"{name}.ipynb", f"{name}/reference", name))
        jobs.append(Job(ASSIGNMENTS_DIR / name / f"{name}.ipynb", f"{name}/untouched", name))
        examples = sorted((EXAMPLES_DIR / name).glob("*.ipynb"))
        if not every_example:
            examples = [p for p in examples if p.stem.startswith("wrong_")][:1]
        jobs += [Job(p, f"{name}/{p.stem}", name) for p in examples]
    return jobs


def _demo(args: argparse.Namespace) -> int:
    os.environ[WEAK_ISOLATION_ENV] = "1"  # the kit's own examples: confined where bubblewrap runs, else not
    jobs = demo_jobs(args.all)
    print(f"grading {len(jobs)} example submissions, {args.jobs} at a time ...", flush=True)
    results = grade_many(jobs, args.jobs, on_result=Progress(len(jobs), sys.stdout).update)
    print()
    print(format_table(results))
    return 0


def _similarity(args: argparse.Namespace) -> int:
    from autograder.similarity.batch import command

    return command(args)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="autograder", description="Every command of the kit: the students' (in French), the "
                    "instructors' and grading machines'.")
    add_global_options(parser)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE", title="commandes")
    add_student_commands(commands)

    grade = commands.add_parser("grade", help="grade submissions (public and hidden tests)")
    grade.add_argument("inputs", nargs="+",
                       help="notebooks, folders, zip files, or nbgrader's submitted/ folder (or course folder)")
    grade.add_argument("--assignment", help="assignment name (default: from each notebook)")
    grade.add_argument("--results", help="write Gradescope's results.json here (one submission)")
    grade.add_argument("--out", help="batch folder: every export, and stored results to resume an interrupted batch")
    grade.add_argument("--no-resume", action="store_true", help="regrade even what --out already holds")
    grade.add_argument("--jobs", type=int, default=1,
                       help="submissions graded at once (default 1); with --scheduler local, Dask workers")
    grade.add_argument("--scheduler", help="grade on a Dask cluster: the scheduler's address, or 'local' "
                                           "(a LocalCluster of --jobs workers on this machine)")
    grade.add_argument("--scheduler-file", help="grade on the Dask cluster this scheduler file describes")
    _tls_options(grade)
    grade.add_argument("--json", help="write the full results (all submissions) as JSON here")
    grade.add_argument("--overrides", help="CSV of instructor overrides (student,check,points,comment)")
    grade.add_argument("--roster", help="the class list (CSV: student_id, name, email, group; Moodle's or "
                                        "Canvas's export as it comes): absent students get a row")
    grade.add_argument("--policy", help="the course policy (TOML or YAML): deadlines, late penalties, extensions")
    grade.add_argument("--times", help="CSV of hand-in times (student, submitted_at; Moodle's grading worksheet)")
    grade.add_argument("--nbgrader-db", help="also write the scores to this nbgrader gradebook (sqlite:///...)")
    grade.add_argument("--github", action="store_true", help="print GitHub Classroom's points line and result")
    grade.add_argument("--check", action="append", help="grade only this check (repeatable)")
    grade.add_argument("--task", action="append", help="grade only this task's checks (repeatable)")
    grade.add_argument("--public-only", action="store_true", help="run the public tests only")
    grade.add_argument("--accept-weak-isolation", action="store_true",
                       help="grade even where bubblewrap cannot confine the student's code (every result says so)")
    grade.add_argument("--fail-unless-full", action="store_true",
                       help="exit 1 unless every submission gets full marks (one GitHub Classroom step)")
    grade.set_defaults(run=_grade)

    report = commands.add_parser("report", help="rebuild a batch folder's class page and exports from its stored "
                                 "results (no grading)")
    report.add_argument("folder", help="the batch folder written by grade --out")
    report.add_argument("--overrides", help="CSV of instructor overrides (default: those the folder was built with)")
    report.add_argument("--policy", help="the course policy (default: the one the folder was built with)")
    report.add_argument("--export", action="append", choices=sorted(LMS_EXPORTS),
                        help="also write this LMS's grade import files (repeatable)")
    report.add_argument("--changes", action="store_true",
                        help="print the grades changed since the previous export (old -> new, and why)")
    report.add_argument("--json", nargs="?", const="-", help="also write the class statistics as JSON here "
                        "(default: standard output)")
    report.set_defaults(run=_report)

    if importlib.util.find_spec("autograder.grading.cluster") is not None:  # not in the students' package
        worker = commands.add_parser("worker", help="run Dask workers that grade for `grade --scheduler`")
        worker.add_argument("address", nargs="?", help="the scheduler's address (tcp://HOST:8786, tls://...)")
        worker.add_argument("--scheduler-file", help="the scheduler file instead of an address")
        worker.add_argument("--nworkers", type=int, default=1,
                            help="worker processes (sandboxes at once) on this host")
        worker.add_argument("--accept-weak-isolation", action="store_true",
                            help="start even where a sandbox measure is missing (every result then says so)")
        _tls_options(worker)
        worker.set_defaults(run=_worker)

    if not BUNDLED:  # the example submissions live in the instructor's checkout only
        demo = commands.add_parser("demo", help="grade the bundled example submissions and print a score table")
        demo.add_argument("--jobs", type=int, default=2, help="submissions graded at once")
        demo.add_argument("--all", action="store_true", help="grade every bundled example, not one per assignment")
        demo.set_defaults(run=_demo)

    if importlib.util.find_spec("autograder.distribution") is not None:  # the instructor's checkout only
        from autograder.distribution.commands import add_commands

        add_commands(commands)
    if importlib.util.find_spec("autograder.similarity") is not None:  # the instructor's checkout only
        from autograder.similarity.batch import add_command

        add_command(commands).set_defaults(run=_similarity)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (UnknownAssignment, AssignmentNotFound, OverrideError, SelectionError, RosterError, PolicyError,
            TimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
