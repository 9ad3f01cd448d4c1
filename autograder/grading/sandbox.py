"""Run a submission's checks in a separate, limited process and gather its observations.

Limits: wall time per check and per submission, CPU time, address space, file size,
and, where the kernel allows it, no network (a new, empty network namespace). A check
that hangs or kills the process loses its own points only: the sandbox is restarted for
the checks that remain.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.grading import codec
from autograder.grading.assignments import Assignment
from autograder.grading.determinism import sandbox_environment
from autograder.grading.isolation import ProcessLimit, enter_namespaces, mount_namespace_id
from autograder.grading.notebook import DefinitionCell
from autograder.grading.zygote import acquire, apply_limits, release
from autograder.paths import GRADERS_DIR, KIT_ROOT

GRACE_S = 5.0  # beyond a check's own limit, before the process is killed
MAX_RESTARTS = 8
#: Folders the student's code must not read: hidden tests, solutions, example submissions.
PRIVATE_FOLDERS = (KIT_ROOT / "tests", KIT_ROOT / "solutions")
PASSED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "VIRTUAL_ENV", "DLKIT_DATA", "SCIKIT_LEARN_DATA", "KERAS_HOME")


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed process.

    Attributes:
        wall_s: wall time for the whole submission, in seconds (all restarts included).
        cpu_s: CPU time of one process, in seconds.
        memory_mb: address-space limit, in MiB.
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
    memory_mb: int = 12288
    file_mb: int = 256
    output_kb: int = 64
    threads: int = 1
    processes: int = 256
    isolate_network: bool = True
    prestart: bool = True

    def rlimits(self) -> dict[str, int]:
        """CPU seconds, address space and largest file in bytes (see :func:`zygote.apply_limits`)."""
        return {"cpu_s": self.cpu_s, "memory": self.memory_mb * 2**20, "file": self.file_mb * 2**20}


@dataclass
class Observation:
    """What the sandbox reported for one check: a value, or an error kind and message."""

    value: Any = None
    error_kind: str | None = None  # missing, exception, timeout, crashed
    message: str = ""
    duration_s: float = 0.0


@dataclass
class SandboxRun:
    """Everything the sandbox reported for one submission."""

    observations: dict[str, Observation] = field(default_factory=dict)
    cell_errors: list[str] = field(default_factory=list)
    output: str = ""
    notices: list[str] = field(default_factory=list)
    isolation: dict[str, bool] = field(default_factory=dict)


def _preexec(limits: Limits, processes: ProcessLimit) -> None:
    """In the child, before exec: new session, resource limits, process limit, namespaces."""
    os.setsid()
    apply_limits(limits.rlimits())
    processes.enter()
    enter_namespaces(network=limits.isolate_network)


def _environment(limits: Limits) -> dict[str, str]:
    env = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
    env.update(sandbox_environment(limits.threads))
    env["PYTHONPATH"] = os.pathsep.join([str(KIT_ROOT), str(GRADERS_DIR)])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _describe_exit(code: int | None) -> str:
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


class _Session:
    """One worker process: feeds the request, reads events, enforces the per-check limit."""

    def __init__(self, request: dict[str, Any], workdir: Path, limits: Limits, deadline: float) -> None:
        self.limits, self.deadline = limits, deadline
        self.request = request
        path = workdir / "request.json"
        path.write_text(json.dumps(request))
        read_fd, write_fd = os.pipe()
        env = _environment(limits)
        self.processes = ProcessLimit(limits.processes)
        zygote = acquire(tuple(request["preload"]), env) if limits.prestart else None
        self.zygote = zygote
        if zygote is not None:
            output_read, output_write = os.pipe()
            self.process = zygote.spawn(
                {"request": str(path), "workdir": str(workdir), "env": env, "network": limits.isolate_network,
                 "cgroup": str(self.processes.group) if self.processes.group else None,
                 "nproc": self.processes.nproc, "limits": limits.rlimits()},
                write_fd, output_write)
            os.close(output_write)
            self.output_stream = os.fdopen(output_read, "rb", buffering=0)
        else:
            env["DLKIT_RESULT_FD"] = str(write_fd)
            self.process = subprocess.Popen(
                [sys.executable, "-m", "autograder.grading.worker", str(path)],
                cwd=workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(write_fd,),
                preexec_fn=lambda: _preexec(limits, self.processes),
            )
            self.output_stream = self.process.stdout
        os.close(write_fd)
        self.results = os.fdopen(read_fd, "rb", buffering=0)
        self.output = bytearray()
        self.dropped_output = 0
        self.ready = False
        self.done = False
        self.current: str | None = None
        self.started_at = time.monotonic()
        self.tampering: list[str] = []

    def _kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def _keep_output(self, chunk: bytes) -> None:
        room = self.limits.output_kb * 1024 - len(self.output)
        self.output += chunk[: max(room, 0)]
        self.dropped_output += max(len(chunk) - max(room, 0), 0)

    def events(self, timeouts: dict[str, float]):
        """Yield decoded events until the process ends; kill it when a limit passes."""
        selector = selectors.DefaultSelector()
        selector.register(self.results, selectors.EVENT_READ, "results")
        selector.register(self.output_stream, selectors.EVENT_READ, "output")
        pending = b""
        open_streams = 2
        while open_streams:
            limit = self.deadline
            if self.current is not None:
                limit = min(limit, self.started_at + timeouts[self.current] + GRACE_S)
            wait = limit - time.monotonic()
            if wait <= 0:
                self._kill()
                yield {"type": "killed", "check": self.current}
                break
            for key, _ in selector.select(timeout=wait):
                chunk = os.read(key.fileobj.fileno(), 1 << 16)
                if not chunk:
                    selector.unregister(key.fileobj)
                    open_streams -= 1
                    continue
                if key.data == "output":
                    self._keep_output(chunk)
                    continue
                pending += chunk
                if len(pending) > codec.MAX_MESSAGE_BYTES:
                    self._kill()
                    yield {"type": "killed", "check": self.current, "reason": "message trop volumineux"}
                    return
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    try:
                        event = codec.decode(line)
                    except codec.CodecError:
                        self.tampering.append("message illisible reçu du processus de correction")
                        continue
                    if event.get("type") == "start":
                        self.current, self.started_at = event.get("check"), time.monotonic()
                    yield event
        selector.close()
        self.results.close()
        self.output_stream.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._kill()
            self.process.wait()
        self._kill()  # what the student's code started in the session dies with it
        self.processes.kill_all()  # and, under a cgroup, what left the session too
        if self.zygote is not None:
            release(self.zygote)


def run_checks(
    assignment: Assignment,
    cells: list[DefinitionCell],
    check_names: list[str],
    inputs_path: Path | None,
    limits: Limits,
    include_hidden: bool = True,
    seed: int = 0,
    private_folders: tuple[Path, ...] = (),
) -> SandboxRun:
    """Run the named checks' ``collect`` halves in sandboxed processes.

    Returns every check's observation; a check the sandbox could not finish gets an
    :class:`Observation` with ``error_kind`` ``timeout`` or ``crashed``.
    """
    run = SandboxRun()
    timeouts = {name: assignment.check(name).timeout_s for name in check_names}
    remaining = list(check_names)
    deadline = time.monotonic() + limits.wall_s
    outputs: list[bytes] = []
    dropped = 0
    restarts = 0
    with tempfile.TemporaryDirectory(prefix="dlkit-sandbox-") as scratch:
        while remaining:
            request = {
                "assignment": assignment.name,
                "graders_dir": str(GRADERS_DIR),
                "include_hidden": include_hidden,
                "preload": list(assignment.preload),
                "threads": limits.threads,
                "seed": seed,
                "inputs": str(inputs_path) if inputs_path else None,
                "cells": [{"index": c.index, "source": c.source, "error": c.error} for c in cells],
                "checks": remaining,
                "hide": [str(p) for p in (*PRIVATE_FOLDERS, *private_folders)],
                "parent_mount_namespace": mount_namespace_id(),
            }
            session = _Session(request, Path(scratch), limits, deadline)
            failure = None
            for event in session.events(timeouts):
                kind, name = event.get("type"), event.get("check")
                if kind == "ready" and not session.ready:
                    session.ready = True
                    run.cell_errors = [str(e) for e in event.get("cell_errors", [])][:20]
                    run.isolation = {k: bool(v) for k, v in dict(event.get("isolation", {})).items()}
                elif kind in ("observation", "error") and name in remaining:
                    if name in run.observations or name != session.current:
                        session.tampering.append(f"résultat falsifié ou en double pour le test {name}")
                        run.observations[name] = Observation(error_kind="crashed", message="Résultat falsifié.")
                        continue
                    run.observations[name] = Observation(
                        value=event.get("value"),
                        error_kind=event.get("kind") if kind == "error" else None,
                        message=str(event.get("message", "")),
                        duration_s=time.monotonic() - session.started_at,
                    )
                    if event.get("kind") == "tampering":
                        session.tampering.append(f"{name} : {event.get('message')}")
                elif kind == "done":
                    session.done = True
                elif kind == "killed":
                    failure = event.get("reason") or (
                        "temps limite dépassé" if time.monotonic() < deadline else "temps total de correction dépassé"
                    )
            outputs.append(bytes(session.output))
            dropped += session.dropped_output
            run.notices.extend(session.tampering)
            remaining = [n for n in remaining if n not in run.observations]
            if not remaining:
                break
            reason = failure or _describe_exit(session.process.returncode)
            if session.current in remaining:
                run.observations[session.current] = Observation(
                    error_kind="timeout" if failure else "crashed", message=f"Test interrompu : {reason}."
                )
                remaining.remove(session.current)
            restarts += 1
            if not session.ready or restarts > MAX_RESTARTS or time.monotonic() >= deadline:
                for name in remaining:
                    run.observations[name] = Observation(
                        error_kind="crashed", message=f"Test non exécuté : {reason}."
                    )
                break
    run.output = b"".join(outputs).decode("utf-8", "replace")
    if dropped:
        run.notices.append(f"Sortie affichée tronquée : {dropped} octets ignorés.")
    return run
