"""The kit's pytest plugin: graders are pytest files, and each test's outcome becomes a scored result.

Registered under the ``pytest11`` entry point, so that once the kit is installed::

    pytest tests/graders/a01_regression --notebook submission.ipynb

grades one notebook with pytest's own output, each test's points and a total line (``-k``,
``-x``, ``--lf`` and ``--junitxml`` work; points, max points and visibility are properties of
each JUnit test case). ``autograder grade``, ``autograder check`` and the notebooks' graded
cells run the same files through :func:`run_graders`.

How an outcome is scored (:func:`outcome`): a passed test earns its points; an
``AssertionError`` (the kit's ``expect_*`` helpers, or a plain ``assert``) is the student's
wrong answer; a :class:`~autograder.grading.spec.StudentError` is the student's code failing
to answer; an exception of the check's own code on a value the student sent (an array where a list
was expected: :mod:`autograder.grading.blame`) is the student's wrong answer too; any other
exception is a bug of the grader, reported as ``grader_error``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from autograder.grading import profiling
from autograder.grading.blame import Received, student_fault
from autograder.grading.spec import StudentError
from autograder.grading.student import Student, png_base64
from autograder.results import Status, TestResult

ERROR_STATUS = {
    "failed": Status.FAILED,
    "missing": Status.ERROR,
    "exception": Status.ERROR,
    "timeout": Status.TIMEOUT,
    "crashed": Status.CRASHED,
    "tampering": Status.ERROR,
}
HIDDEN_FILE_PREFIX = "test_hidden"


@dataclass(frozen=True)
class CheckInfo:
    """What a grader test declares (read from its markers and docstring, never from a second registry).

    Attributes:
        name: the test's name without ``test_``, parametrized ones with their id (``metrics_mse``).
        title: the docstring's first line, in French.
        task: the graded step (one nbgrader autograded cell).
        points: points at stake.
        hidden: declared in a ``test_hidden`` file with the ``hidden`` mark.
        provisional: an automatic estimate of a manually graded criterion.
        timeout_s: time limit of each of its requests to the sandbox, in seconds.
        nodeid: pytest's id of the test.
        reads_notebook: it uses the ``notebook`` fixture (directly or through its fixtures): it judges the
            submitted file's text (style, markdown), not only what the student's code returns.
    """

    name: str
    title: str
    task: str
    points: float
    hidden: bool
    provisional: bool
    timeout_s: float
    nodeid: str
    reads_notebook: bool = False

    def selected_by(self, only: frozenset[str] | None) -> bool:
        """Whether a selection of check or task names (None: everything) includes this check."""
        return only is None or self.name in only or self.task in only


class GraderDefinitionError(pytest.UsageError):
    """A grader test is declared wrongly (no points, unknown task, hidden test in a public file)."""


def check_info(item: pytest.Item) -> CheckInfo:
    """The declaration of one collected grader test."""
    mark = item.get_closest_marker("graded")
    if mark is None:
        raise GraderDefinitionError(f"{item.nodeid}: a grader test needs @graded(points, task=...)")
    kwargs = dict(mark.kwargs)
    if mark.args:
        kwargs.setdefault("points", mark.args[0])
    hidden = item.get_closest_marker("hidden") is not None
    in_hidden_file = Path(str(item.path)).name.startswith(HIDDEN_FILE_PREFIX)
    if hidden != in_hidden_file:
        raise GraderDefinitionError(f"{item.nodeid}: hidden tests live in test_hidden*.py, with pytestmark = hidden, "
                                    "and only there")
    function = getattr(item, "function", None)
    doc = (getattr(function, "__doc__", None) or "").strip().split("\n")[0].strip()
    if not doc:
        raise GraderDefinitionError(f"{item.nodeid}: the docstring is the test's French title")
    params = getattr(getattr(item, "callspec", None), "params", {})
    if params and "{" in doc:
        doc = doc.format(**params)
    name = getattr(item, "originalname", item.name).removeprefix("test_")
    if params:
        name += "_" + item.callspec.id
    return CheckInfo(name, doc, str(kwargs["task"]), float(kwargs["points"]), hidden,
                     bool(kwargs.get("provisional", False)), float(kwargs.get("timeout_s", 60.0)), item.nodeid,
                     "notebook" in getattr(item, "fixturenames", ()))


def _assertion_text(error: BaseException) -> str:
    """The assertion's own message, without pytest's rewritten explanation (which shows the test's code)."""
    text = str(error)
    if text.startswith("assert "):
        return ""
    return text.split("\nassert ")[0].strip()


def outcome(error: BaseException | None, title: str, received: tuple[Received, ...] = ()) -> tuple[Status, str]:
    """How a test body's exception (None: it passed) is scored, with the student's French message.

    ``received``: what the student's code sent during the test (its fixtures' included).
    """
    if error is None:
        return Status.PASSED, ""
    if isinstance(error, StudentError):
        return ERROR_STATUS.get(error.kind, Status.ERROR), error.message
    expected = f"Attendu : {title[:1].lower()}{title[1:]} ;"
    if isinstance(error, AssertionError):
        return Status.FAILED, _assertion_text(error) or f"{expected} ce n'est pas le cas."
    fault = student_fault(error, received)
    if fault is not None:
        return Status.FAILED, f"{expected} {fault}"
    return Status.GRADER_ERROR, (f"Erreur du correcteur, pas de votre code ({type(error).__name__} : "
                                 f"{str(error)[:300]}) : l'enseignant doit corriger ce test.")


@dataclass
class GradingContext:
    """One grading session: the student's code, the notebook, and the results as tests finish.

    Attributes:
        student: the ``student`` fixture's object.
        notebook: the parsed submission (``notebook`` fixture); None where there is none.
        tasks: the assignment's tasks, in notebook order (results follow it).
        only: run only these checks (check or task names); None for all.
        task: run only this task's tests (a notebook's graded cell).
        results: by nodeid, as tests finish.
        requests: the sandbox request ids each test relied on, by nodeid (its fixtures' included).
        problems: grader files that could not be collected.
        called: by check name, the student's functions its requests ran (when the student traces them).
    """

    student: Student
    notebook: Any = None
    tasks: tuple[str, ...] = ()
    only: frozenset[str] | None = None
    task: str | None = None
    results: dict[str, TestResult] = field(default_factory=dict)
    requests: dict[str, list[int]] = field(default_factory=dict)
    checks: list[CheckInfo] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    started: dict[str, float] = field(default_factory=dict)
    called: dict[str, set[str]] = field(default_factory=dict)
    fixture_requests: dict[str, list[int]] = field(default_factory=dict)
    fixture_received: dict[str, list[Received]] = field(default_factory=dict)

    def ordered(self) -> list[TestResult]:
        """Results in the assignment's order (by task, public before hidden, file order)."""
        return [self.results[c.nodeid] for c in self.checks if c.nodeid in self.results]


CONTEXT = pytest.StashKey[GradingContext]()
SANDBOX = pytest.StashKey[Any]()  # the command line's sandbox, closed when pytest ends


class GradingPlugin:
    """Turns a pytest session over grader files into :class:`TestResult` objects in ``context``."""

    def __init__(self, context: GradingContext) -> None:
        self.context = context

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[CONTEXT] = self.context

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.context.problems.append(f"{report.nodeid}: {str(report.longrepr)[-2000:]}")

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        context = self.context
        infos = {item.nodeid: check_info(item) for item in items}
        tasks = context.tasks
        for info in infos.values():
            if tasks and info.task not in tasks:
                raise GraderDefinitionError(f"{info.nodeid}: unknown task {info.task!r} (tasks: {', '.join(tasks)})")
        keep = [item for item in items if infos[item.nodeid].selected_by(context.only)
                and (context.task is None or infos[item.nodeid].task == context.task)]
        dropped = [item for item in items if item not in keep]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
        order = {item.nodeid: position for position, item in enumerate(keep)}
        keep.sort(key=lambda item: (tasks.index(infos[item.nodeid].task) if tasks else 0,
                                    infos[item.nodeid].hidden, order[item.nodeid]))
        items[:] = keep
        context.checks = [infos[item.nodeid] for item in keep]

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        info = check_info(item)
        self.context.student.begin(info.timeout_s)
        self.context.started[item.nodeid] = time.monotonic()
        if profiling.RECORDER is not None:
            profiling.RECORDER.begin_check(info.name)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_fixture_setup(self, fixturedef: Any, request: pytest.FixtureRequest) -> Iterator[None]:
        """A fixture's requests count for every test that uses its value (a forged answer cancels them all)."""
        student = self.context.student
        start, received = len(student.requests), len(student.received)
        yield
        self.context.fixture_requests[fixturedef.argname] = list(student.requests[start:])
        self.context.fixture_received[fixturedef.argname] = list(student.received[received:])

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> Iterator[Any]:
        made = yield
        report = made.get_result()
        context = self.context
        if call.when == "teardown" or item.nodeid in context.results:
            return
        if call.when == "setup" and call.excinfo is None:
            return
        info = check_info(item)
        error = call.excinfo.value if call.excinfo is not None else None
        student = context.student
        fixtures = getattr(item, "fixturenames", ())
        received = (*student.received, *(r for name in fixtures for r in context.fixture_received.get(name, ())))
        status, message = outcome(error, info.title, received)
        recorded = dict(item.user_properties)
        measure, limit = recorded.get("measure"), recorded.get("limit")
        result = TestResult(info.name, info.title, info.task, info.points,
                            info.points if status is Status.PASSED else 0.0, info.hidden, status, message,
                            round(time.monotonic() - context.started.get(item.nodeid, time.monotonic()), 3),
                            graded_by="provisional" if info.provisional else "auto",
                            figures=png_base64(student.figures),
                            measure=float(measure) if measure is not None else None,
                            limit=float(limit) if limit is not None else None,
                            tampered=isinstance(error, StudentError) and error.kind == "tampering")
        context.results[item.nodeid] = result
        if profiling.RECORDER is not None:
            profiling.RECORDER.end_check(status.value, len(student.figures))
        inherited = [i for name in fixtures for i in context.fixture_requests.get(name, ())]
        context.requests[item.nodeid] = sorted({*student.requests, *inherited})
        context.called[info.name] = {name for i in context.requests[item.nodeid] for name in student.called.get(i, ())}
        properties = [("points", result.score), ("max_points", info.points),
                      ("visibility", "hidden" if info.hidden else "visible"), ("task", info.task)]
        item.user_properties.extend(properties)  # JUnit reads the teardown report, made from the item
        report.user_properties.extend(properties)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dlkit", "deep-learning exercise kit")
    group.addoption("--notebook", help="grade this notebook with the grader files given (a submission's .ipynb)")
    group.addoption("--assignment", dest="dlkit_assignment",
                    help="assignment of the notebook (default: its metadata, or the grader folder's name)")


@pytest.hookimpl(tryfirst=True)  # before pytest's own: its tmp_path_factory reads the base folder set here
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "graded(points, task, timeout_s=60, provisional=False): a graded check")
    config.addinivalue_line("markers", "hidden: a hidden check (only in test_hidden*.py)")
    notebook = config.getoption("notebook", None)
    if notebook and CONTEXT not in config.stash:
        from autograder.grading.engine import command_line_context

        context, sandbox = command_line_context(Path(notebook), config.getoption("dlkit_assignment"), config.args)
        config.stash[SANDBOX] = sandbox
        config.option.basetemp = str(sandbox.basetemp)  # tmp_path: in the grading's scratch, which the sandbox sees
        config.pluginmanager.register(GradingPlugin(context), "dlkit-grading")


def pytest_unconfigure(config: pytest.Config) -> None:
    if SANDBOX in config.stash:
        config.stash[SANDBOX].close()


@pytest.fixture(scope="session")
def student(request: pytest.FixtureRequest) -> Student:
    """The student's code, reached through the sandbox (see :class:`autograder.grading.student.Student`)."""
    if CONTEXT not in request.config.stash:
        pytest.fail("grader tests need a notebook: pytest <grader folder> --notebook submission.ipynb")
    return request.config.stash[CONTEXT].student


@pytest.fixture(scope="session")
def notebook(request: pytest.FixtureRequest) -> Any:
    """The submitted notebook, parsed with nbformat (nothing of it is executed here)."""
    if CONTEXT not in request.config.stash or request.config.stash[CONTEXT].notebook is None:
        pytest.fail("grader tests need a notebook: pytest <grader folder> --notebook submission.ipynb")
    return request.config.stash[CONTEXT].notebook


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> tuple[str, str, str] | None:
    """Verbose lines show the points: ``PASSED (1/1)``."""
    if report.when != "call" or CONTEXT not in config.stash:
        return None
    properties = dict(report.user_properties)
    if "max_points" not in properties:
        return None
    points = f"{properties['points']:g}/{properties['max_points']:g}"
    return report.outcome, report.outcome[0].upper() if report.passed else "F", f"{report.outcome.upper()} ({points})"


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if CONTEXT not in config.stash:
        return
    from autograder.report import format_test

    results = config.stash[CONTEXT].ordered()
    if not results:
        return
    terminalreporter.section("points")
    for result in results:
        terminalreporter.line(format_test(result))
    score, total = sum(r.score for r in results), sum(r.max_score for r in results)
    terminalreporter.line(f"Total : {score:g}/{total:g} points")

