"""Where one grading's time goes (``benchmarks.grading_profile``): opt-in, and nothing is measured when off.

Two halves, joined by a request flag:

* in the sandbox's worker, a request carrying ``"profile": true`` comes back with ``"profile": {...}``: its wall
  and CPU seconds in the worker, and within them the seconds in framework training, in the student's own
  functions, in the probe (the rest of the request) and in encoding the answer (:class:`WorkerProfile`);
* in the grading process, a :class:`Recorder` (installed with :func:`recording`) makes :class:`Student` set that
  flag, and gathers per check its wall and CPU, its requests and their decoding, and the jail's start.

Nothing in a grading depends on these numbers: the sandbox is never trusted for them, they only describe.

What counts as *training* (in the worker, main thread only, never counted twice):

* Keras: time inside ``Model.fit`` and ``Model.train_on_batch``;
* PyTorch: time inside ``Tensor.backward``, inside every optimizer's ``step`` (the global step hooks), and
  inside modules' forward calls made in training mode with gradients on (``module.training`` and
  ``torch.is_grad_enabled()``): the forward passes of a training loop. An evaluation run in training mode with
  gradients on counts as training too; a loop's own Python (batching, metrics) does not.

*Student* is time inside the notebook's plain functions as reached through :meth:`Submission.function` (every
``student.call``, and what probes fetch that way; a class, or a function a probe takes from
``sub.namespace`` directly, counts as the probe's). Regions nest: the innermost one is charged, except that
anything inside training is training (a student's ``train`` function is training while it fits, student code
around it).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.grading.spec import Submission

TRAINING, STUDENT, OTHER = "training", "student", "other"


def process_cpu() -> float:
    """CPU seconds of this process (all its threads) and of its children already reaped."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


class Clock:
    """Exclusive wall and CPU seconds per region kind, on one thread; nested regions are charged once."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()
        self.wall: dict[str, float] = {TRAINING: 0.0, STUDENT: 0.0, OTHER: 0.0}
        self.cpu: dict[str, float] = {TRAINING: 0.0, STUDENT: 0.0, OTHER: 0.0}
        self.stack: list[tuple[str, object]] = []
        self.mark = (time.perf_counter(), time.process_time())

    def _kind(self) -> str:
        return self.stack[-1][0] if self.stack else OTHER

    def _charge(self) -> None:
        now = (time.perf_counter(), time.process_time())
        kind = self._kind()
        self.wall[kind] += now[0] - self.mark[0]
        self.cpu[kind] += now[1] - self.mark[1]
        self.mark = now

    def enter(self, kind: str, token: object) -> None:
        if threading.get_ident() != self.thread:
            return
        current = self._kind()
        effective = TRAINING if current == TRAINING else kind
        if effective != current:
            self._charge()
        self.stack.append((effective, token))

    def leave(self, token: object) -> None:
        """End the region ``token`` (and any left open inside it by an exception); unknown tokens are ignored."""
        if threading.get_ident() != self.thread:
            return
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][1] is token:
                break
        else:
            return
        after = self.stack[depth - 1][0] if depth else OTHER
        if after != self._kind():
            self._charge()
        del self.stack[depth:]

    def close(self) -> None:
        self._charge()
        self.stack.clear()

    @contextlib.contextmanager
    def region(self, kind: str) -> Iterator[None]:
        token = object()
        self.enter(kind, token)
        try:
            yield
        finally:
            self.leave(token)

    def timed(self, function: Callable[..., Any], kind: str) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.region(kind):
                return function(*args, **kwargs)

        return wrapper


class TimedSubmission(Submission):
    """The same definitions (the same namespace), whose plain functions, fetched by name, count as student time."""

    def __init__(self, submission: Submission, clock: Clock) -> None:
        super().__init__(submission.namespace, submission.cell_errors)
        self.clock = clock
        self.wrapped: dict[str, Callable[..., Any]] = {}

    def function(self, name: str) -> Callable[..., Any]:
        value = super().function(name)
        if not isinstance(value, types.FunctionType):
            return value  # a class stays itself (isinstance, subclassing)
        cached = self.wrapped.get(name)
        if cached is None or getattr(cached, "__wrapped__", None) is not value:
            cached = self.wrapped[name] = self.clock.timed(value, STUDENT)
        return cached


def _describe_fit(model: Any, args: tuple[Any, ...], kwargs: dict[str, Any], what: str) -> dict[str, Any]:
    """What a Keras training trained: model class, parameters, epochs, samples (for finding repeated trainings)."""
    data = args[0] if args else kwargs.get("x")
    try:
        params = int(model.count_params())
    except Exception:  # noqa: BLE001 - an unbuilt or broken model
        params = -1
    samples = getattr(data, "shape", None)
    return {"what": what, "model": type(model).__name__, "params": params,
            "epochs": kwargs.get("epochs", args[3] if len(args) > 3 else (1 if what == "keras.fit" else None)),
            "samples": int(samples[0]) if samples else None}


class _Patches:
    """The training hooks of one profiled request, removed when it ends (before the integrity check looks)."""

    def __init__(self, clock: Clock, trainings: list[dict[str, Any]]) -> None:
        self.clock, self.trainings = clock, trainings
        self.undo: list[Callable[[], None]] = []
        self.steps: dict[int, dict[str, Any]] = {}

    def _replace(self, owner: type, name: str, wrapper: Callable[..., Any]) -> None:
        original = owner.__dict__[name]
        setattr(owner, name, wrapper)
        self.undo.append(lambda: setattr(owner, name, original))

    def keras(self) -> None:
        keras = sys.modules.get("keras")
        model = getattr(keras, "Model", None)
        if not isinstance(model, type):
            return
        clock, trainings = self.clock, self.trainings
        for name, what in (("fit", "keras.fit"), ("train_on_batch", "keras.train_on_batch")):
            owner = next((c for c in model.__mro__ if name in c.__dict__), None)
            if owner is None:
                continue
            original = owner.__dict__[name]

            def wrapper(self: Any, *args: Any, _original: Any = original, _what: str = what, **kwargs: Any) -> Any:
                with clock.region(TRAINING):
                    result = _original(self, *args, **kwargs)
                if _what == "keras.fit" and threading.get_ident() == clock.thread:
                    trainings.append(_describe_fit(self, args, kwargs, _what))
                return result

            functools.update_wrapper(wrapper, original)
            self._replace(owner, name, wrapper)

    def torch(self) -> None:
        torch = sys.modules.get("torch")
        if torch is None or not hasattr(torch, "Tensor"):
            return
        from torch.nn.modules.module import register_module_forward_hook, register_module_forward_pre_hook
        from torch.optim.optimizer import register_optimizer_step_post_hook, register_optimizer_step_pre_hook

        clock = self.clock
        self._replace(torch.Tensor, "backward", clock.timed(torch.Tensor.__dict__["backward"], TRAINING))

        def step_pre(optimizer: Any, args: Any, kwargs: Any) -> None:
            seen = self.steps.setdefault(id(optimizer), {"what": "torch.step", "model": type(optimizer).__name__,
                                                          "params": _optimizer_params(optimizer), "steps": 0})
            seen["steps"] += 1
            clock.enter(TRAINING, optimizer)

        def step_post(optimizer: Any, args: Any, kwargs: Any) -> None:
            clock.leave(optimizer)

        def forward_pre(module: Any, args: Any) -> None:
            if module.training and torch.is_grad_enabled():
                clock.enter(TRAINING, module)

        def forward_post(module: Any, args: Any, output: Any) -> None:
            clock.leave(module)

        handles = [register_optimizer_step_pre_hook(step_pre), register_optimizer_step_post_hook(step_post),
                   register_module_forward_pre_hook(forward_pre),
                   register_module_forward_hook(forward_post, always_call=True)]
        self.undo.extend(handle.remove for handle in handles)

    def remove(self) -> None:
        for undo in reversed(self.undo):
            undo()
        self.undo.clear()
        self.trainings.extend(self.steps.values())


def _optimizer_params(optimizer: Any) -> int:
    try:
        return int(sum(p.numel() for group in optimizer.param_groups for p in group["params"]))
    except Exception:  # noqa: BLE001
        return -1


class WorkerProfile:
    """One profiled request, measured in the worker (see the module's docstring)."""

    def __init__(self, first: bool) -> None:
        self.wall0, self.cpu0 = time.perf_counter(), process_cpu()
        self.first = first
        self.clock = Clock()
        self.trainings: list[dict[str, Any]] = []
        self.body = (0.0, 0.0)
        self.encode = (0.0, 0.0)
        self.patches: _Patches | None = None
        self.figures = 0  # pyplot figures still open when the request ended (the worker then closes them)

    @contextlib.contextmanager
    def answering(self) -> Iterator[None]:
        """Around the request's body: training hooks on, the clock running."""
        wall, cpu = time.perf_counter(), time.process_time()
        self.clock = Clock()
        self.patches = _Patches(self.clock, self.trainings)
        try:
            try:
                self.patches.keras()
                self.patches.torch()
            except Exception:  # noqa: BLE001 - a framework version without these hooks: no training measured
                self.patches.remove()
            yield
        finally:
            self.patches.remove()
            self.clock.close()
            self.body = (time.perf_counter() - wall, time.process_time() - cpu)

    def submission(self, submission: Submission) -> Submission:
        return TimedSubmission(submission, self.clock)

    def student(self, function: Callable[..., Any]) -> Callable[..., Any]:
        return self.clock.timed(function, STUDENT) if isinstance(function, types.FunctionType) else function

    @contextlib.contextmanager
    def encoding(self) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.encode = (time.perf_counter() - wall, time.process_time() - cpu)

    def document(self) -> dict[str, Any]:
        return {"wall": time.perf_counter() - self.wall0, "cpu": process_cpu() - self.cpu0, "cpu_at_start": self.cpu0,
                "first": self.first, "pid": os.getpid(),
                "body_wall": self.body[0], "body_cpu": self.body[1],
                "training_wall": self.clock.wall[TRAINING], "training_cpu": self.clock.cpu[TRAINING],
                "student_wall": self.clock.wall[STUDENT], "student_cpu": self.clock.cpu[STUDENT],
                "encode_wall": self.encode[0], "encode_cpu": self.encode[1], "figures": self.figures,
                "trainings": self.trainings[:50]}

    def attach(self, data: bytes) -> bytes:
        """The encoded answer with this profile added (after the encoding it measures)."""
        return data[:-2] + b', "profile": ' + json.dumps(self.document()).encode() + b"}\n"


# --- the grading process's side -----------------------------------------------------------------------------

PARTS = ("training", "student", "probes", "serialisation", "sandbox", "pytest")


@dataclass
class RequestRecord:
    """One request as the grading process saw it; ``worker``: what the worker reported (untrusted, descriptive)."""

    target: str
    wall: float
    cpu: float
    flight: float = 0.0
    decode_wall: float = 0.0
    decode_cpu: float = 0.0
    worker: dict[str, float] = field(default_factory=dict)

    def number(self, key: str) -> float:
        value = self.worker.get(key, 0.0)
        return max(float(value), 0.0) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


@dataclass
class CheckRecord:
    """One check: its wall and the grading process's CPU from its set-up to its result, and its requests."""

    name: str
    wall: float = 0.0
    host_cpu: float = 0.0
    status: str = ""
    figures: int = 0  # PNG images its requests sent back (for the feedback pages)
    requests: list[RequestRecord] = field(default_factory=list)
    between_cpu: float = 0.0  # the worker's CPU between requests (its start, integrity refresh), set by the Recorder

    def parts(self) -> dict[str, tuple[float, float]]:
        """``part: (wall, cpu)``; the walls add up to :attr:`wall`, the CPUs to :meth:`cpu`."""
        found = {part: [0.0, 0.0] for part in PARTS}
        for r in self.requests:
            training = (r.number("training_wall"), r.number("training_cpu"))
            student = (r.number("student_wall"), r.number("student_cpu"))
            body = (r.number("body_wall"), r.number("body_cpu"))
            encode = (r.number("encode_wall"), r.number("encode_cpu"))
            found["training"][0] += training[0]
            found["training"][1] += training[1]
            found["student"][0] += student[0]
            found["student"][1] += student[1]
            found["probes"][0] += max(body[0] - training[0] - student[0], 0.0)
            found["probes"][1] += max(body[1] - training[1] - student[1], 0.0)
            found["serialisation"][0] += encode[0] + r.decode_wall
            found["serialisation"][1] += encode[1] + r.decode_cpu
            # the worker's start (when this request started one), the integrity checks, the pipe
            found["sandbox"][0] += max(r.wall - body[0] - encode[0] - r.decode_wall, 0.0)
            found["sandbox"][1] += max(r.number("cpu") - body[1] - encode[1], 0.0)
        found["sandbox"][1] += self.between_cpu
        found["pytest"][0] = max(self.wall - sum(r.wall for r in self.requests), 0.0)
        found["pytest"][1] = max(self.host_cpu - sum(r.decode_cpu for r in self.requests), 0.0)
        return {part: (wall, cpu) for part, (wall, cpu) in found.items()}

    def cpu(self) -> float:
        return self.host_cpu + sum(r.number("cpu") for r in self.requests) + self.between_cpu

    def rendered(self) -> int:
        """pyplot figures its requests left open (rendered, whether or not anything read them)."""
        return int(sum(r.number("figures") for r in self.requests))

    def trainings(self) -> list[dict[str, Any]]:
        return [t for r in self.requests for t in r.worker.get("trainings", []) if isinstance(t, dict)]

    def document(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "wall": self.wall, "cpu": self.cpu(),
                "host_cpu": self.host_cpu, "figures": self.figures, "rendered": self.rendered(),
                "parts": {part: {"wall": w, "cpu": c} for part, (w, c) in self.parts().items()},
                "requests": [{"target": r.target, "wall": r.wall, "flight": r.flight, "worker": r.worker}
                             for r in self.requests]}


@dataclass
class Recorder:
    """What one or more gradings in this process measured (see :func:`recording`)."""

    checks: list[CheckRecord] = field(default_factory=list)
    jail_wall: float = 0.0
    jail_cpu: float = 0.0
    current: CheckRecord | None = None
    _started: tuple[float, float] = (0.0, 0.0)
    _worker_cpu: dict[int, float] = field(default_factory=dict)

    def begin_check(self, name: str) -> None:
        self.current = CheckRecord(name)
        self._started = (time.perf_counter(), time.process_time())

    def end_check(self, status: str, figures: int) -> None:
        check = self.current
        if check is None:
            return
        check.wall = time.perf_counter() - self._started[0]
        check.host_cpu = time.process_time() - self._started[1]
        check.status, check.figures = status, figures
        self.checks.append(check)
        self.current = None

    def add_request(self, record: RequestRecord) -> None:
        pid, at_start = record.worker.get("pid"), record.number("cpu_at_start")
        if isinstance(pid, int):
            previous = 0.0 if record.worker.get("first") else self._worker_cpu.get(pid, at_start)
            if self.current is not None:
                self.current.between_cpu += max(at_start - previous, 0.0)
            self._worker_cpu[pid] = at_start + record.number("cpu")
        if self.current is not None:
            self.current.requests.append(record)

    def jail_started(self, wall: float, cpu: float) -> None:
        self.jail_wall += wall
        self.jail_cpu += cpu


#: The recorder gradings in this process report to; None (the default): nothing is measured.
RECORDER: Recorder | None = None


@contextlib.contextmanager
def recording() -> Iterator[Recorder]:
    """Profile the gradings run inside (this process's; never set in production)."""
    global RECORDER
    previous, RECORDER = RECORDER, Recorder()
    try:
        yield RECORDER
    finally:
        RECORDER = previous


def tree_cpu(root: int) -> float:
    """CPU seconds used so far by process ``root`` and its descendants (a jail's processes), from ``/proc``."""
    parents, cpu = {}, {}
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except (OSError, ValueError):
            continue
        parents[int(entry.name)] = int(fields[1])
        cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks

    def inside(pid: int) -> bool:
        while pid > 1:
            if pid == root:
                return True
            pid = parents.get(pid, 0)
        return False

    return sum(seconds for pid, seconds in cpu.items() if inside(pid))
