"""Shared fixtures of the kit's own tests.

The suite runs on two pytest-xdist workers (``./run.sh test``: ``-n 2 --dist loadgroup``). The costly
session fixtures (the examples' gradings, the hostile corpus, the fresh environments) are made once for
the whole run by :func:`once_per_run`: the first worker that asks makes and stores them, the others
read them. The tests that read one assignment's examples share an ``xdist_group`` named after it, so
that one worker grades them while the other runs something else instead of waiting on the lock."""

from __future__ import annotations

import base64
import contextlib
import importlib
import json
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from filelock import FileLock

from autograder.grading.assignments import load_assignment
from autograder.grading.batch import grade_many
from autograder.grading.engine import grade_notebook
from autograder.paths import ASSIGNMENTS_DIR, SOLUTIONS_DIR
from autograder.results import SubmissionResult
from autograder.submissions import Job
from tests.submissions.build import example_modules, example_path
from tests.submissions.hostile import ASSIGNMENT as HOSTILE
from tests.submissions.hostile import VARIANTS as HOSTILE_VARIANTS
from tests.submissions.hostile import render_hostile
from tests.submissions.variants import checks_to_grade

pytest_plugins = ["pytester"]

# TensorFlow (>= 2.20) loads itself with RTLD_GLOBAL, and triton, which torch imports lazily (its optimizers do),
# then crashes the process if it loads later (tensorflow/tensorflow#124205). A test process runs graders of both
# frameworks in-process, in any order: triton is loaded first (0.25 s), as the sandbox loads torch first.
with contextlib.suppress(ImportError):
    importlib.import_module("triton")

#: Whether this process is a pytest-xdist worker (xdist sets the variable in each).
XDIST_WORKER = "PYTEST_XDIST_WORKER" in os.environ
#: Sandboxes each test process grades at once (each uses one thread): one per pytest-xdist worker.
PARALLEL = int(os.environ.get("DLKIT_TEST_JOBS", "1" if XDIST_WORKER else "2"))
#: The hostile corpus is graded without the slow threshold check: every hostile behaviour targets the others.
HOSTILE_CHECKS = frozenset(c.name for c in load_assignment(HOSTILE).checks) - {"quality_rmse"}


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The graders are pytest files too, but they grade a notebook: only with ``--notebook``."""
    if "graders" in collection_path.parts and not config.getoption("notebook", None):
        return True
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A module with a module-scoped fixture runs on one pytest-xdist worker (its ``xdist_group``).

    Otherwise ``--dist loadgroup`` spreads its tests over both workers, and each would make the fixture
    (04_mnist_mlops' executed notebook, which also serves on the seed's port 5000, would run twice at once).
    First among the hooks: xdist's own reads the groups to suffix each test's id with ``@group``.
    """
    for item in items:
        # Fixture definitions by name: pytest's own record of what the test uses (no public accessor).
        definitions = getattr(item, "_fixtureinfo", None)
        if item.get_closest_marker("xdist_group") or definitions is None:
            continue
        if any(defs[-1].scope == "module" for defs in definitions.name2fixturedefs.values()):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


def pytest_configure(config: pytest.Config) -> None:
    """Refuse ``--dist loadgroup`` where it would ignore every ``xdist_group``: pytest 9 keeps a test's id in
    ``Node._id`` and pytest-xdist up to 3.8 writes the group into ``Node._nodeid``. Each worker would then
    make the fixtures a group shares and wait on the other's locks (this cost minutes, unseen)."""
    from importlib.metadata import version

    from packaging.version import Version

    if (config.getoption("dist", "no") == "loadgroup" and pytest.version_tuple[0] >= 9
            and Version(version("pytest-xdist")) <= Version("3.8.0")):
        raise pytest.UsageError(f"--dist loadgroup: pytest-xdist {version('pytest-xdist')} ignores the groups under "
                                f"pytest {pytest.__version__}; install requirements.txt's pytest (<9)")


T = TypeVar("T")


def once_per_run(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[], T],
                 dump: Callable[[T], object], load: Callable[[object], T]) -> T:
    """``make()`` once for the whole test run, even across pytest-xdist workers.

    Under xdist, the first worker to ask makes it and stores ``dump(value)`` as JSON in the folder all
    workers share (the parent of each worker's base temporary folder, as xdist's documentation does);
    the others wait on the lock and ``load`` it. Without xdist, it is just ``make()``.
    """
    if not XDIST_WORKER:
        return make()
    stored = tmp_path_factory.getbasetemp().parent / f"{name}.json"
    with FileLock(f"{stored}.lock"):
        if stored.is_file():
            return load(json.loads(stored.read_text(encoding="utf-8")))
        value = make()
        stored.write_text(json.dumps(dump(value)), encoding="utf-8")
        return value


def dump_results(results: dict[str, SubmissionResult]) -> dict[str, dict]:
    return {key: result.to_dict() for key, result in results.items()}


def load_results(data: dict[str, dict]) -> dict[str, SubmissionResult]:
    return {key: SubmissionResult.from_dict(result) for key, result in data.items()}


def reference_notebook(assignment: str) -> Path:
    return SOLUTIONS_DIR / assignment / f"{assignment}.ipynb"


def student_notebook(assignment: str) -> Path:
    return ASSIGNMENTS_DIR / assignment / f"{assignment}.ipynb"


def traced_reference(assignment: str) -> tuple[SubmissionResult, dict[str, set[str]]]:
    """The reference graded in full, with the student's functions each check ran (for :func:`example_jobs`)."""
    called: dict[str, set[str]] = {}
    result = grade_notebook(reference_notebook(assignment), assignment, student=f"{assignment}/reference",
                            called=called)
    return result, called


def example_jobs(assignment: str, called: dict[str, set[str]]) -> list[Job]:
    """Every variant of one assignment, each on the checks it can change (see :func:`checks_to_grade`)."""
    (module,) = [m for m in example_modules() if m.ASSIGNMENT == assignment]
    described = load_assignment(assignment)
    return [Job(example_path(assignment, v), f"{assignment}/{v.name}", assignment,
                only=checks_to_grade(described, v, called)) for v in module.VARIANTS]


def grade_examples(assignment: str) -> dict[str, SubmissionResult]:
    """The reference and the untouched notebook graded in full, then every variant on the checks it can change.

    The reference is graded here first (its trace says which checks each variant can change); then the
    others, ``PARALLEL`` at a time: with one, in this process too, forking from the reference's pre-started
    worker instead of starting one per grading process.
    """
    reference, called = traced_reference(assignment)
    jobs = [Job(student_notebook(assignment), f"{assignment}/untouched", assignment), *example_jobs(assignment, called)]
    results = grade_many(jobs, PARALLEL)
    return {f"{assignment}/reference": reference, **{job.student: result for job, result in zip(jobs, results,
                                                                                                 strict=True)}}


@pytest.fixture(scope="session")
def graded_examples(tmp_path_factory) -> Callable[[str], dict[str, SubmissionResult]]:
    """``graded_examples(assignment)``: its examples, graded once per run, by ``"<assignment>/<variant>"``.

    The reference and the untouched notebook are graded in full. Each variant is graded on the checks it
    can change (:func:`tests.submissions.variants.checks_to_grade`, from the reference's traced grading):
    the others run the reference's code and are the reference's, proven by its own full grading.
    """
    cache: dict[str, dict[str, SubmissionResult]] = {}

    def grade(assignment: str) -> dict[str, SubmissionResult]:
        if assignment not in cache:
            cache[assignment] = once_per_run(tmp_path_factory, f"examples-{assignment}",
                                             lambda: grade_examples(assignment), dump_results, load_results)
        return cache[assignment]

    return grade


def _environment(tmp_path_factory: pytest.TempPathFactory, kind: str):
    from tests.environments import Environment, fresh_environment

    return once_per_run(tmp_path_factory, f"{kind}-env",
                        lambda: fresh_environment(tmp_path_factory.mktemp(f"{kind}-env"), kind),
                        lambda env: {"root": str(env.root), "wheel": str(env.wheel)},
                        lambda data: Environment(Path(data["root"]), Path(data["wheel"])))


@pytest.fixture(scope="session")
def student_env(tmp_path_factory: pytest.TempPathFactory):
    """A fresh virtual environment with the students' bundle installed (``tests/environments.py``)."""
    return _environment(tmp_path_factory, "student")


@pytest.fixture(scope="session")
def grader_env(tmp_path_factory: pytest.TempPathFactory):
    """A fresh virtual environment with the grading machines' bundle installed."""
    return _environment(tmp_path_factory, "grader")


def grade_hostile_corpus(folder: Path) -> tuple[dict[str, SubmissionResult], Path, list[bytes]]:
    """Grade every hostile submission (``tests/submissions/hostile.py``) written in ``folder``.

    Returns the results by variant name, the results folder and what the loopback server received.
    """
    results_dir = folder / "results"
    results_dir.mkdir()
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.1)
    jobs = []
    for variant in HOSTILE_VARIANTS:
        text = render_hostile(variant, folder, server.getsockname()[1])
        path = folder / f"{variant.name}.ipynb"
        path.write_text(text, encoding="utf-8")
        jobs.append(Job(path, variant.name, HOSTILE))
    results = grade_many(jobs, PARALLEL, only=HOSTILE_CHECKS)
    received = []
    try:
        while True:
            connection, _ = server.accept()
            received.append(connection.recv(100))
    except OSError:
        pass
    server.close()
    return {job.student: result for job, result in zip(jobs, results, strict=True)}, results_dir, received


@pytest.fixture(scope="session")
def hostile_corpus(tmp_path_factory) -> tuple[dict[str, SubmissionResult], Path, list[bytes]]:
    """The hostile corpus graded once per run (:func:`grade_hostile_corpus`)."""
    return once_per_run(
        tmp_path_factory, "hostile", lambda: grade_hostile_corpus(tmp_path_factory.mktemp("hostile")),
        lambda graded: [dump_results(graded[0]), str(graded[1]), [base64.b64encode(b).decode() for b in graded[2]]],
        lambda data: (load_results(data[0]), Path(data[1]), [base64.b64decode(b) for b in data[2]]))
