"""The sandboxed process that holds a submission's definitions, and how the grading process talks to it.

A :class:`Sandbox` starts a worker (:mod:`autograder.grading.worker`) on its first request and
keeps it for the next ones. Limits: wall time per request and per submission, CPU time,
address space, file size, process count and, where the kernel allows it, no network (a new,
empty network namespace) and no view of the hidden folders. A request that hangs or kills the
process loses its own test only: the next request starts a fresh process.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.data.locations import keras_datasets_dir, kit_data_home, sklearn_data_home
from autograder.grading import bwrap, codec, profiling
from autograder.grading.assignments import probe_files
from autograder.grading.determinism import sandbox_environment
from autograder.grading.memory import sandbox_share
from autograder.grading.notebook import DefinitionCell
from autograder.grading.zygote import Jail, JailSpec, take
from autograder.grading.zygote import prestart as prestart_jail
from autograder.paths import BUNDLED, COURSE_DIR, GRADERS_DIR, KIT_ROOT, PACKAGE_DIR, SOLUTIONS_DIR

GRACE_S = 5.0  # beyond a request's own limit, before the process is killed
MAX_RESTARTS = 8
#: Never in the sandbox's view, even where the Python environment's path holds them: the graders (hidden
#: tests), the solutions, the example submissions, an installed package's course data.
PRIVATE_FOLDERS = (GRADERS_DIR, COURSE_DIR) if BUNDLED else (GRADERS_DIR, SOLUTIONS_DIR, KIT_ROOT / "tests")


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed process.

    Attributes:
        wall_s: wall time for the whole submission, in seconds (all restarts included).
        cpu_s: CPU time of one process, in seconds.
        memory_mb: memory of one sandbox, in MiB (resident memory under a cgroup, else address space); None:
            sized from the host's memory and ``slots`` (:mod:`autograder.grading.memory`).
        slots: sandboxes this host runs at once (``--jobs``, or a Dask host's workers).
        file_mb: largest file the process may write, in MiB.
        output_kb: how much of the process's printed output is kept, in KiB.
        threads: threads each framework may use.
        processes: processes and threads the sandbox may run at once (fork bombs stop there).
        isolate_network: run in an empty network namespace when the kernel allows it.
        prestart: fork sandboxes from a pre-started worker that already imported the
            frameworks (same isolation, seconds less per submission).
    """

    wall_s: float = 300.0
    cpu_s: int = 900
    memory_mb: int | None = None
    slots: int = 1
    file_mb: int = 256
    output_kb: int = 64
    threads: int = 1
    processes: int = 256
    isolate_network: bool = True
    prestart: bool = True

    def memory_bytes(self) -> int:
        return self.memory_mb * 2**20 if self.memory_mb is not None else sandbox_share(self.slots)

    def rlimits(self, address_space: int) -> dict[str, int]:
        """CPU seconds, address space (0: none) and largest file in bytes (see :func:`zygote.apply_limits`)."""
        return {"cpu_s": self.cpu_s, "memory": address_space, "file": self.file_mb * 2**20}


@dataclass
class Observation:
    """What the sandbox answered to one request: a value, or an error kind and message."""

    value: Any = None
    error_kind: str | None = None  # missing, exception, failed, timeout, crashed, tampering
    message: str = ""
    duration_s: float = 0.0
    called: tuple[str, ...] = ()  # the student's functions that ran (traced requests only)
    #: where the request's time went, as the worker reported it, with the decoding's seconds (profiled requests only)
    profile: dict[str, Any] | None = None


@dataclass(frozen=True)
class SandboxSetup:
    """What a worker needs before the first request: the submission and the helpers it may run.

    Attributes:
        package: the assignment's grader package (``a01_regression``).
        preload: frameworks imported before the student's code.
        probe_modules: sandbox-side helper modules imported before the student's code
            (``a01_regression.probes``); only their files (and the package modules they import) are in the
            sandbox's view, never a test file.
        cells: the notebook's kept definitions.
        warm: modules a pre-started worker imports besides ``preload`` (probe modules, the notebook's usual
            imports), so that no forked sandbox imports them again.
    """

    package: str
    preload: tuple[str, ...]
    probe_modules: tuple[str, ...]
    cells: tuple[DefinitionCell, ...]
    threads: int = 1
    warm: tuple[str, ...] = ()

    def document(self) -> dict[str, Any]:
        return {"package": self.package, "preload": list(self.preload), "probe_modules": list(self.probe_modules),
                "graders_dir": str(GRADERS_DIR), "threads": self.threads,
                "cells": [{"index": c.index, "source": c.source, "error": c.error} for c in self.cells]}


def _outside_private(path: Path) -> bool:
    """``path`` neither is nor holds a private folder (an editable install puts the repository on the path).

    An installed package's course folder does not count: the environment holding it is bound, and the course
    folder covered (see :func:`jail_spec`)."""
    covered = COURSE_DIR.resolve()
    private = [f.resolve() for f in PRIVATE_FOLDERS if f.exists()]
    private = [f for f in private if not (BUNDLED and (f == covered or covered in f.parents))]
    return not any(path == folder or path in folder.parents for folder in private)


def _environment(limits: Limits) -> dict[str, str]:
    """The sandbox's whole environment: nothing of the grading process's but where the datasets are."""
    env = {"PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"]), "HOME": "/tmp/home",
           "LANG": "C.UTF-8", "DLKIT_DATA": str(kit_data_home()), "SCIKIT_LEARN_DATA": str(sklearn_data_home()),
           "KERAS_HOME": str(keras_datasets_dir().parent)}
    env.update(sandbox_environment(limits.threads))
    env.update(PYTHONPATH=os.pathsep.join([str(KIT_ROOT), str(GRADERS_DIR)]), PYTHONDONTWRITEBYTECODE="1",
               PYTHONNOUSERSITE="1")
    return env


def jail_spec(setup: SandboxSetup, limits: Limits) -> JailSpec:
    """The jail of a submission with this set-up: its view of the host, environment and limits."""
    runtime = [path for path in bwrap.runtime_paths() if _outside_private(path)]
    data = [kit_data_home(), sklearn_data_home(), keras_datasets_dir().parent]
    covered = (COURSE_DIR,) if BUNDLED else ()  # an installed package's graders, inside the environment
    return JailSpec(preload=setup.preload, warm=setup.warm, env=tuple(sorted(_environment(limits).items())),
                    read_only=tuple([*runtime, PACKAGE_DIR, *(p.resolve() for p in data if p.exists())]),
                    covered=covered, exposed=probe_files(setup.package, setup.probe_modules),
                    memory=limits.memory_bytes(), processes=limits.processes, network=limits.isolate_network)


def describe_exit(code: int | None) -> str:
    if code is None:
        return "le processus de correction a été arrêté"
    if code < 0:
        name = signal.Signals(-code).name
        reasons = {
            "SIGKILL": "tué (mémoire épuisée ou temps dépassé)",
            "SIGXCPU": "temps CPU maximal dépassé",
            "SIGXFSZ": "fichier écrit trop volumineux",
            "SIGSEGV": "plantage (erreur de segmentation)",
        }
        return f"le processus de correction s'est arrêté : {reasons.get(name, name)}"
    return f"le processus de correction s'est arrêté (code de sortie {code}) ; votre code appelle-t-il os._exit ?"


class _Process:
    """One worker, forked in the submission's jail: sends requests, reads its events, kills it when a limit passes."""

    def __init__(self, jail: Jail, setup_path: Path, workdir: Path, limits: Limits) -> None:
        self.limits = limits
        read_fd, write_fd = os.pipe()
        request_read, request_write = os.pipe()
        output_read, output_write = os.pipe()
        try:
            self.process = jail.spawn({"setup": str(setup_path), "workdir": str(workdir), "env": jail.env,
                                       "limits": limits.rlimits(jail.memory.address_space)},
                                      write_fd, output_write, request_read)
        finally:
            for descriptor in (write_fd, output_write, request_read):
                os.close(descriptor)
        self.output_stream = os.fdopen(output_read, "rb", buffering=0)
        self.requests = os.fdopen(request_write, "wb", buffering=0)
        self.results = os.fdopen(read_fd, "rb", buffering=0)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.results, selectors.EVENT_READ, "results")
        self.selector.register(self.output_stream, selectors.EVENT_READ, "output")
        self.pending = b""
        self.output = bytearray()
        self.dropped_output = 0
        self.alive = True
        self.killed_reason: str | None = None
        self.tampering: list[str] = []
        self.decoding = (0.0, 0.0)  # wall and CPU seconds of the last decoded event (while profiling)

    def _kill(self) -> None:
        self.process.kill()

    def _keep_output(self, chunk: bytes) -> None:
        room = self.limits.output_kb * 1024 - len(self.output)
        self.output += chunk[: max(room, 0)]
        self.dropped_output += max(len(chunk) - max(room, 0), 0)

    def send(self, request: dict[str, Any]) -> bool:
        try:
            self.requests.write(codec.encode(request))
            return True
        except (BrokenPipeError, OSError):
            return False

    def next_event(self, deadline: float) -> dict[str, Any] | None:
        """The next event, or None when the process ended or was killed at ``deadline``."""
        while True:
            if b"\n" in self.pending:
                line, self.pending = self.pending.split(b"\n", 1)
                try:
                    if profiling.RECORDER is None:
                        return codec.decode(line)
                    wall, cpu = time.perf_counter(), time.process_time()
                    event = codec.decode(line)
                    self.decoding = (time.perf_counter() - wall, time.process_time() - cpu)
                    return event
                except codec.CodecError as error:
                    self.tampering.append("message illisible reçu du processus de correction")
                    return {"type": "unreadable", "message": str(error)[:200]}
            if not self.alive:
                return None
            wait = deadline - time.monotonic()
            if wait <= 0:
                self.killed_reason = "temps limite dépassé"
                self.close()
                return None
            for key, _ in self.selector.select(timeout=wait):
                chunk = os.read(key.fileobj.fileno(), 1 << 16)
                if key.data == "output":
                    if chunk:
                        self._keep_output(chunk)
                    else:
                        self.selector.unregister(key.fileobj)
                    continue
                if not chunk:
                    self.selector.unregister(key.fileobj)
                    self.close()  # the worker ended
                    break
                self.pending += chunk
                if len(self.pending) > codec.MAX_MESSAGE_BYTES:
                    self.killed_reason = "message trop volumineux"
                    self.pending = b""
                    self.close()
                    break

    def close(self) -> None:
        """End the process and everything it started; keep what it printed."""
        if not self.alive:
            return
        self.alive = False
        try:
            self.requests.close()  # the worker's request loop ends here
        except OSError:
            pass
        if self.killed_reason:
            self._kill()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._kill()
            self.process.wait()
        self._drain_output()  # what the worker started died with it (the jail kills all but its zygote)
        self.selector.close()
        self.results.close()
        self.output_stream.close()

    def _drain_output(self) -> None:
        """What the process printed and was not read yet (its writers are gone: EOF comes quickly)."""
        registered = {key.fileobj for key in self.selector.get_map().values()}
        if self.results in registered:
            self.selector.unregister(self.results)
        if self.output_stream not in registered:
            return
        give_up = time.monotonic() + 1.0
        while time.monotonic() < give_up:
            if not self.selector.select(timeout=0.2):
                continue
            chunk = os.read(self.output_stream.fileno(), 1 << 16)
            if not chunk:
                return
            self._keep_output(chunk)


@dataclass
class SandboxReport:
    """What a submission's sandbox reported besides its answers."""

    cell_errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    isolation: dict[str, bool] = field(default_factory=dict)
    output: str = ""
    #: ids of requests whose answer turned out forged (a second answer came for the same request)
    forged: set[int] = field(default_factory=set)


class Sandbox:
    """A submission's sandboxed definitions: one worker at a time, started on demand, restarted after a crash."""

    def __init__(self, setup: SandboxSetup, limits: Limits) -> None:
        self.setup, self.limits = setup, limits
        self.deadline = time.monotonic() + limits.wall_s
        started = time.perf_counter()
        self.jail = take(jail_spec(setup, limits), ahead=limits.prestart)
        if profiling.RECORDER is not None:
            profiling.RECORDER.jail_started(time.perf_counter() - started, profiling.tree_cpu(self.jail.process.pid))
        self.setup_path = self.jail.setup  # readable by the sandbox, never writable
        self.setup_path.write_text(json.dumps({**setup.document(), "confined": self.jail.confined}), encoding="utf-8")
        self.setup_path.chmod(0o644)
        #: pytest's temporary folders for this grading (``tmp_path``), which the sandbox sees and may write
        self.basetemp = self.jail.own / "pytest"
        self.process: _Process | None = None
        self.starts = 0
        self.broken: str | None = None  # why no further process will start
        self.next_id = 0
        self.answered: set[int] = set()
        self.report = SandboxReport()
        self._outputs: list[bytes] = []
        self._dropped = 0

    def _start(self) -> _Process | None:
        if self.broken:
            return None
        if self.starts > MAX_RESTARTS:
            self.broken = "trop de redémarrages du processus de correction"
            return None
        self.starts += 1
        try:
            process = _Process(self.jail, self.setup_path, self.jail.folder(f"run-{self.starts}"), self.limits)
        except (OSError, ConnectionError, ValueError):
            self.broken = "le processus de correction n'a pas pu démarrer (arrêté par le code du notebook ?)"
            return None
        event = process.next_event(self.deadline)
        if event is None or event.get("type") != "ready":
            reason = process.killed_reason or describe_exit(process.process.returncode)
            self._retire(process)
            self.broken = f"le code du notebook n'a pas pu être chargé ({reason})"
            return None
        if self.starts == 1:
            self.report.cell_errors = [str(e) for e in event.get("cell_errors", [])][:20]
            self.report.isolation = {k: bool(v) for k, v in dict(event.get("isolation", {})).items()}
            self.report.isolation["bubblewrap"] = self.jail.confined
            self.report.isolation["memory_cgroup"] = self.jail.memory.group is not None
        return process

    def _retire(self, process: _Process) -> None:
        process.close()
        self._outputs.append(bytes(process.output))
        self._dropped += process.dropped_output
        self.report.notices.extend(process.tampering)
        if self.process is process:
            self.process = None

    def request(self, request: dict[str, Any], timeout_s: float) -> tuple[int, Observation]:
        """Send one request (``call`` or ``probe`` with ``args``/``kwargs``) and wait for its answer.

        Returns the request's id and its observation; the id lets a later discovery of a forged
        answer (see :attr:`SandboxReport.forged`) be traced back to the test that used it.
        """
        ident = self.next_id
        self.next_id += 1
        if time.monotonic() >= self.deadline:
            return ident, Observation(error_kind="timeout", message="Test non exécuté : temps total de correction "
                                                                      "dépassé.")
        if self.process is None or not self.process.alive:
            self.process = self._start()
        bwrap.hand_over_children(self.basetemp)  # the folders the test made since (``tmp_path``)
        if self.process is None:
            return ident, Observation(error_kind="crashed", message=f"Test non exécuté : {self.broken}.")
        process = self.process
        started = time.monotonic()
        if not process.send({**request, "id": ident, "timeout_s": timeout_s}):
            self._retire(process)
            return ident, Observation(error_kind="crashed", message="Test interrompu : le processus de correction "
                                                                      "s'est arrêté.")
        limit = min(self.deadline, started + timeout_s + GRACE_S)
        while True:
            event = process.next_event(limit)
            if event is None:
                reason = process.killed_reason or describe_exit(process.process.returncode)
                kind = "timeout" if process.killed_reason == "temps limite dépassé" else "crashed"
                if time.monotonic() >= self.deadline:
                    reason = "temps total de correction dépassé"
                self._retire(process)
                return ident, Observation(error_kind=kind, message=f"Test interrompu : {reason}.",
                                          duration_s=time.monotonic() - started)
            kind, event_id = event.get("type"), event.get("id")
            if kind == "start":
                continue
            if kind == "unreadable":  # a value no codec reads, or a forged line: this request is lost, and the process
                self._retire(process)
                return ident, Observation(error_kind="exception", duration_s=time.monotonic() - started,
                                          message="Résultat illisible par le correcteur (valeur mal formée, ou "
                                                  f"message forgé) : {event['message']}")
            if kind in ("reply", "error") and event_id in self.answered:
                self.report.forged.add(event_id)  # the first answer to that request was forged
                self.report.notices.append(f"réponse falsifiée ou en double pour la requête {event_id}")
                continue
            if kind not in ("reply", "error") or event_id != ident:
                process.tampering.append("message inattendu reçu du processus de correction")
                continue
            self.answered.add(ident)
            observation = Observation(value=event.get("value") if kind == "reply" else None,
                                      error_kind=event.get("kind") if kind == "error" else None,
                                      message=str(event.get("message", "")), duration_s=time.monotonic() - started,
                                      called=tuple(str(name) for name in event.get("called", ())))
            if isinstance(event.get("profile"), dict):
                observation.profile = {**event["profile"], "decode_wall": process.decoding[0],
                                       "decode_cpu": process.decoding[1]}
            if observation.error_kind == "tampering":
                process.tampering.append(observation.message)
            if observation.error_kind == "tampering" or event.get("last"):
                self._retire(process)
            return ident, observation

    def close(self) -> SandboxReport:
        """End the worker; gather what it printed. The report lists forged answers found at the end."""
        if self.process is not None:
            process = self.process
            process.requests.close()
            while process.alive:
                event = process.next_event(time.monotonic() + 10)
                if event and event.get("type") in ("reply", "error") and event.get("id") in self.answered:
                    self.report.forged.add(event["id"])
            self._retire(process)
        self.jail.destroy()
        self.report.output = b"".join(self._outputs).decode("utf-8", "replace")
        if self._dropped:
            self.report.notices.append(f"Sortie affichée tronquée : {self._dropped} octets ignorés.")
        return self.report


def check_isolation() -> dict[str, bool]:
    """Which isolation measures this host applies to a sandbox (a fresh one, with no code): the ``isolation`` field.

    Raises:
        WeakIsolation: bubblewrap cannot run here and weaker isolation was not accepted.
    """
    sandbox = Sandbox(SandboxSetup("", (), (), ()), Limits(wall_s=60, prestart=False))
    sandbox.request({"call": "dlkit_isolation_check", "args": [], "kwargs": {}}, 30)
    return sandbox.close().isolation


def prestart(setup: SandboxSetup, limits: Limits) -> None:
    """Have a jail for this set-up started ahead of need, idle until a sandbox takes it."""
    prestart_jail(jail_spec(setup, limits))
