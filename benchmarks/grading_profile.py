"""Where one grading's time goes, per check: the graders' training against everything else.

    python -m benchmarks.grading_profile                                  # every assignment's reference notebook
    python -m benchmarks.grading_profile 01_regression 07_segmentation
    python -m benchmarks.grading_profile 01_regression --only quality_rmse --json profile.json

Each assignment's reference notebook (``solutions/NN/NN.ipynb``) is graded once in this process, with no jail
started ahead for a next submission (nothing else runs meanwhile), and profiled
(:mod:`autograder.grading.profiling`). Per check it prints the wall and CPU seconds (the grading process's and the
sandbox's together) and how they split:

* ``training``: inside Keras ``fit``/``train_on_batch``, PyTorch ``backward``, optimizer steps and training-mode
  forward passes, in the sandbox (whoever called them: a probe, or the student's function a probe called);
* ``student``: inside the notebook's functions, outside training;
* ``probes``: the rest of each request in the sandbox (building data, models, evaluating, rendering figures);
* ``serial.``: encoding the answers in the sandbox and decoding them here;
* ``sandbox``: the worker's start when a request started one, the integrity checks around each request, the
  pipe, and the worker's CPU between requests;
* ``pytest``: the check's time here, outside its requests (fixtures, judging, pytest itself).

Then per assignment: the totals, the jail's start (bubblewrap and the zygote's imports, once per submission: the
wall seconds the grading waited for it, the CPU seconds of its whole start),
the pytest session outside the checks (collection, start, end), the floor (the sum of the graders' own
training, in CPU seconds), and the ratio of the grading's whole compute (CPU of this process while grading, of
the sandbox's workers and of the jail) to that floor; issue 36's target is 1.5 or less. Trainings that more than
one check ran with the same model, parameters, epochs and samples are listed (within one grading), and per check
the pyplot figures its requests left open (rendered) against the PNG images sent back. Once per run:
a cold process's start and imports (what ``autograder grade`` pays before its first submission).

``--json FILE`` writes every figure, for comparing two runs (before and after a change).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from autograder.grading import profiling
from autograder.grading.assignments import available_assignments
from autograder.grading.engine import grade_notebook
from autograder.grading.sandbox import Limits
from autograder.paths import KIT_ROOT, SOLUTIONS_DIR

COLUMNS = ("training", "student", "probes", "serialisation", "sandbox", "pytest")
HEADERS = ("training", "student", "probes", "serial.", "sandbox", "pytest")
TARGET_RATIO = 1.5


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def host_start() -> dict[str, float]:
    """Wall and CPU seconds of a cold process importing what ``autograder grade`` imports before grading."""
    code = ("import autograder.cli, autograder.grading.engine, autograder.grading.runner, "
            "autograder.grading.batch, pytest")
    cpu, wall = children_cpu(), time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=KIT_ROOT, check=True)
    return {"wall": time.perf_counter() - wall, "cpu": children_cpu() - cpu}


def profile_assignment(assignment: str, only: frozenset[str] | None) -> dict[str, Any]:
    """Grade the reference notebook of ``assignment`` once, profiled; every figure, as a JSON-ready dict."""
    notebook = SOLUTIONS_DIR / assignment / f"{assignment}.ipynb"
    with profiling.recording() as recorder:
        wall, cpu = time.perf_counter(), time.process_time()
        result = grade_notebook(notebook, assignment, only=only, limits=Limits(prestart=False))
        wall, host_cpu = time.perf_counter() - wall, time.process_time() - cpu
    checks = recorder.checks
    worker_cpu = sum(check.cpu() - check.host_cpu for check in checks)
    floor = sum(check.parts()["training"][1] for check in checks)
    compute = host_cpu + worker_cpu + recorder.jail_cpu
    session = wall - sum(check.wall for check in checks) - recorder.jail_wall
    return {"assignment": assignment, "wall": wall, "cpu": compute, "host_cpu": host_cpu, "worker_cpu": worker_cpu,
            "jail": {"wall": recorder.jail_wall, "cpu": recorder.jail_cpu},
            "session": {"wall": max(session, 0.0)},
            "floor_cpu": floor, "floor_wall": sum(check.parts()["training"][0] for check in checks),
            "ratio": compute / floor if floor > 0 else None,
            "ratio_without_jail": (compute - recorder.jail_cpu) / floor if floor > 0 else None,
            "score": [result.score, result.max_score],
            "not_passed": [t.name for t in result.tests if t.status.value != "passed"],
            "checks": [check.document() for check in checks],
            "repeated_trainings": repeated_trainings(checks)}


def _signature(training: dict[str, Any]) -> str:
    return (f"{training.get('what')} {training.get('model')} {training.get('params')} params, "
            f"epochs {training.get('epochs')}, samples {training.get('samples')}"
            + (f", {training.get('steps')} steps" if training.get("steps") else ""))


def repeated_trainings(checks: list[profiling.CheckRecord]) -> list[dict[str, Any]]:
    """Trainings of the same model (class, parameters, epochs, samples) that several checks ran, or one check
    several times (a hint, not a proof: the data or the seed may differ)."""
    found: dict[str, list[str]] = defaultdict(list)
    for check in checks:
        for training in check.trainings():
            found[_signature({k: v for k, v in training.items() if k != "steps"})].append(check.name)
    return [{"training": signature, "checks": names} for signature, names in found.items() if len(names) > 1]


def _pair(wall: float, cpu: float) -> str:
    return f"{wall:.2f}/{cpu:.2f}"


def print_assignment(figures: dict[str, Any]) -> None:
    print(f"\n== {figures['assignment']}   (seconds, wall/CPU)")
    print(f"  {'check':<30} {'status':<8} {'wall':>6} {'CPU':>6}  " + " ".join(f"{h:>12}" for h in HEADERS))
    totals = {part: [0.0, 0.0] for part in COLUMNS}
    for check in figures["checks"]:
        parts = check["parts"]
        for part in COLUMNS:
            totals[part][0] += parts[part]["wall"]
            totals[part][1] += parts[part]["cpu"]
        print(f"  {check['name'][:30]:<30} {check['status'][:8]:<8} {check['wall']:6.1f} {check['cpu']:6.1f}  "
              + " ".join(f"{_pair(parts[p]['wall'], parts[p]['cpu']):>12}" for p in COLUMNS)
              + (f"  figures: {check['rendered']} rendered, {check['figures']} sent"
                 if check["figures"] or check["rendered"] else ""))
    checks_wall = sum(c["wall"] for c in figures["checks"])
    checks_cpu = sum(c["cpu"] for c in figures["checks"])
    print(f"  {'all checks':<30} {'':<8} {checks_wall:6.1f} {checks_cpu:6.1f}  "
          + " ".join(f"{_pair(*totals[p]):>12}" for p in COLUMNS))
    jail, session = figures["jail"], figures["session"]
    print(f"  jail start (bubblewrap, zygote's imports): {_pair(jail['wall'], jail['cpu'])} (wall: waited for)")
    print(f"  pytest session outside the checks:         {session['wall']:5.1f} wall")
    print(f"  grading: {figures['wall']:.1f} s wall, {figures['cpu']:.1f} s CPU (this process "
          f"{figures['host_cpu']:.1f}, sandbox workers {figures['worker_cpu']:.1f}, jail {jail['cpu']:.1f})")
    ratio = figures["ratio"]
    verdict = "no training" if ratio is None else f"{ratio:.2f}x ({'within' if ratio <= TARGET_RATIO else 'above'}"\
        f" the {TARGET_RATIO}x target)"
    print(f"  floor = sum of the graders' training: {figures['floor_cpu']:.1f} s CPU ({figures['floor_wall']:.1f} s "
          f"wall); compute / floor: {verdict}")
    if ratio is not None:
        print(f"  compute / floor without the jail's start: {figures['ratio_without_jail']:.2f}x")
    rendered, sent = sum(c["rendered"] for c in figures["checks"]), sum(c["figures"] for c in figures["checks"])
    if rendered or sent:
        print(f"  figures: {rendered} rendered (pyplot figures left open at a request's end), {sent} sent back as PNG")
    for repeated in figures["repeated_trainings"]:
        print(f"  same training in several checks: {repeated['training']}: {', '.join(repeated['checks'])}")
    if figures["not_passed"]:
        print(f"  not passed (the reference should pass all): {', '.join(figures['not_passed'])}")


def print_summary(runs: list[dict[str, Any]]) -> None:
    print(f"\n{'assignment':<24} {'wall':>6} {'CPU':>6} {'floor':>6} {'ratio':>6} {'no jail':>7}  "
          "biggest parts besides training (CPU)")
    for figures in runs:
        totals = {p: sum(c["parts"][p]["cpu"] for c in figures["checks"]) for p in COLUMNS if p != "training"}
        totals["jail start"] = figures["jail"]["cpu"]
        biggest = sorted(totals.items(), key=lambda item: -item[1])[:3]
        ratio = "-" if figures["ratio"] is None else f"{figures['ratio']:.2f}"
        bare = "-" if figures["ratio"] is None else f"{figures['ratio_without_jail']:.2f}"
        print(f"{figures['assignment']:<24} {figures['wall']:6.1f} {figures['cpu']:6.1f} {figures['floor_cpu']:6.1f} "
              f"{ratio:>6} {bare:>7}  " + ", ".join(f"{name} {seconds:.1f}" for name, seconds in biggest))


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=KIT_ROOT, capture_output=True, text=True,
                          check=False)
    return done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="*", default=None)
    parser.add_argument("--only", nargs="+", metavar="CHECK", help="grade only these checks or tasks")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write every figure to FILE")
    args = parser.parse_args()
    started, commit = time.strftime("%Y-%m-%d %H:%M:%S"), _commit()
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; commit {commit}; sandboxes use 1 "
          "thread each; no jail started ahead")
    start = host_start()
    print(f"a cold process's start and imports (once per `autograder grade`): {_pair(start['wall'], start['cpu'])}")
    only = frozenset(args.only) if args.only else None
    runs = []
    for assignment in args.assignments or available_assignments():
        runs.append(profile_assignment(assignment, only))
        print_assignment(runs[-1])
    print_summary(runs)
    if args.json:
        args.json.write_text(json.dumps({"started": started, "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
                                         "commit": commit, "cores": os.cpu_count(), "load": os.getloadavg(),
                                         "host_start": start, "assignments": runs}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
