"""The ``student`` fixture's object: how a test reaches the student's code.

A test never holds the student's objects. It asks for one of two things, by name:

* ``student.call("compute_metrics", y_true, y_pred)`` — the student's function called with plain
  arguments; its return value must be plain data (numbers, strings, lists, dicts, arrays);
* ``student.run(probes.describe_model, 8)`` — a sandbox-side helper (a *probe*, from the
  assignment's ``probes`` module or :mod:`autograder.probes`) run next to the student's code,
  as ``probe(submission, 8)``; it builds, trains or describes what the student's code made and
  returns plain data.

Both travel through :mod:`autograder.grading.codec`: what comes back is rebuilt here as plain
data, never unpickled, never a live object. An answer that is not an answer (the student's
function is missing, raised, timed out, crashed the process or tampered with the grader)
raises :class:`~autograder.grading.spec.StudentError`, which fails the test that asked.

Two backends answer: :class:`SandboxBackend` (grading: the sandboxed worker) and
:class:`KernelBackend` (a notebook's graded cell: the kernel's own definitions, for the
student's immediate feedback).
"""

from __future__ import annotations

import base64
import contextlib
import io
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from autograder.grading import codec, profiling
from autograder.grading.blame import Received
from autograder.grading.sandbox import Observation, Sandbox
from autograder.grading.spec import StudentError, Submission
from autograder.grading.worker import answer, on_alarm

DEFAULT_TIMEOUT_S = 60.0


class Backend(Protocol):
    """Answers requests ``{"call": name}`` or ``{"probe": "module:function"}`` with ``args``/``kwargs``."""

    def request(self, request: dict[str, Any], timeout_s: float) -> tuple[int, Observation]: ...


def probe_path(probe: Callable[..., Any] | str) -> str:
    """``"package.module:function"`` of a probe given as a function or already as a path."""
    if isinstance(probe, str):
        return probe
    return f"{probe.__module__}:{probe.__qualname__}"


class Student:
    """The student's code, as one test sees it (see the module's docstring).

    Attributes:
        timeout_s: time limit of each request, in seconds (the test's own limit by default).
        seed: the seed every request starts from (Python, numpy and the frameworks).
        figures: PNG images (bytes) that came back during the current test, for feedback pages.
        requests: ids of the requests made during the current test.
        received: what the sandbox answered during the current test, as ``("call" or "probe", value)``:
            a check's exception on these values is the student's (:mod:`autograder.grading.blame`).
        trace: record which of the student's functions each request ran (``called``, by request id).
    """

    def __init__(self, backend: Backend, seed: int = 0, trace: bool = False) -> None:
        self.backend, self.seed, self.trace = backend, seed, trace
        self.timeout_s = DEFAULT_TIMEOUT_S
        self.figures: list[bytes] = []
        self.requests: list[int] = []
        self.received: list[Received] = []
        self.called: dict[int, tuple[str, ...]] = {}

    def begin(self, timeout_s: float) -> None:
        """A new test starts (called by the plugin)."""
        self.timeout_s, self.figures, self.requests, self.received = timeout_s, [], [], []

    def _ask(self, request: dict[str, Any], timeout_s: float | None) -> Any:
        request = {**request, "seed": self.seed, **({"trace": True} if self.trace else {})}
        recorder = profiling.RECORDER
        if recorder is None:
            ident, observation = self.backend.request(request, timeout_s or self.timeout_s)
        else:
            ident, observation = self._profiled(recorder, {**request, "profile": True}, timeout_s)
        self.requests.append(ident)
        self.called[ident] = observation.called
        if observation.error_kind is not None:
            raise StudentError(observation.error_kind, observation.message)
        value = observation.value
        self.received.append(("call" if "call" in request else "probe", value))
        if isinstance(value, dict) and isinstance(value.get("png"), bytes):
            self.figures.append(value["png"])
        return value

    def _profiled(self, recorder: profiling.Recorder, request: dict[str, Any], timeout_s: float | None
                  ) -> tuple[int, Observation]:
        """A request whose time is recorded (see :mod:`autograder.grading.profiling`)."""
        wall, cpu = time.perf_counter(), time.process_time()
        ident, observation = self.backend.request(request, timeout_s or self.timeout_s)
        worker = dict(observation.profile or {})
        recorder.add_request(profiling.RequestRecord(
            str(request.get("call") or request.get("probe")), time.perf_counter() - wall, time.process_time() - cpu,
            observation.duration_s, float(worker.pop("decode_wall", 0.0)), float(worker.pop("decode_cpu", 0.0)),
            worker))
        return ident, observation

    def call(self, function: str, *args: Any, timeout_s: float | None = None, **kwargs: Any) -> Any:
        """The student's ``function(*args, **kwargs)``, as plain data."""
        return self._ask({"call": function, "args": list(args), "kwargs": kwargs}, timeout_s)

    def run(self, probe: Callable[..., Any] | str, *args: Any, timeout_s: float | None = None, **kwargs: Any) -> Any:
        """``probe(submission, *args, **kwargs)`` run next to the student's code, as plain data."""
        return self._ask({"probe": probe_path(probe), "args": list(args), "kwargs": kwargs}, timeout_s)


class SandboxBackend:
    """Requests answered by the submission's :class:`~autograder.grading.sandbox.Sandbox`."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def request(self, request: dict[str, Any], timeout_s: float) -> tuple[int, Observation]:
        return self.sandbox.request(request, timeout_s)


@contextlib.contextmanager
def _silenced() -> Iterator[None]:
    """Swallow what the student's code prints, at the Python and file-descriptor level (graded cells stay tidy)."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        os.dup2(null.fileno(), 2)
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


@contextlib.contextmanager
def _one_torch_thread() -> Iterator[None]:
    """One torch thread, as in the sandbox (thresholds were calibrated so)."""
    torch = sys.modules.get("torch")
    if torch is None:
        yield
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@contextlib.contextmanager
def _alarm() -> Iterator[bool]:
    """The worker's time-limit handler, installed while a request runs; False where signals cannot be used."""
    try:
        previous = signal.signal(signal.SIGALRM, on_alarm)
    except ValueError:  # not the main thread
        yield False
        return
    try:
        yield True
    finally:
        signal.signal(signal.SIGALRM, previous)


class KernelBackend:
    """Requests answered in this process from a namespace (a notebook kernel's ``globals()``).

    For the student's immediate feedback only: the student's code and the test share the
    kernel, so nothing is defended here; grading always uses :class:`SandboxBackend`. Answers
    still go through the codec, so that tests see exactly the data they see when grading.
    """

    def __init__(self, namespace: dict[str, Any], package: str) -> None:
        self.submission, self.package = Submission(namespace), package
        self.count = 0

    def request(self, request: dict[str, Any], timeout_s: float) -> tuple[int, Observation]:
        self.count += 1
        with _silenced(), _one_torch_thread(), _alarm() as timed:
            message = answer({**request, "id": self.count, "timeout_s": timeout_s}, self.submission, self.package,
                             timed=timed)
        try:
            message = codec.decode(codec.encode(message))
        except (TypeError, ValueError, RecursionError, codec.CodecError) as error:
            message = {"type": "error", "kind": "exception",
                       "message": f"Résultat impossible à transmettre au correcteur : {error}"}
        if message["type"] == "error":
            return self.count, Observation(error_kind=message["kind"], message=message["message"])
        return self.count, Observation(value=message["value"])


def png_base64(figures: list[bytes]) -> list[str]:
    """Figures as the result model stores them."""
    return [base64.b64encode(png).decode("ascii") for png in figures]
