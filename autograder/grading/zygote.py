"""Jails: one submission's confinement, with a zygote inside that already imported the frameworks.

A :class:`Jail` is a bubblewrap sandbox (:mod:`autograder.grading.bwrap`) holding a zygote, a process that
imports TensorFlow, PyTorch and the probe modules once, then forks the submission's worker (and, after a
crash or a request that left processes behind, the next one, after killing whatever is left in the jail).
Importing the frameworks costs seconds, forking milliseconds: jails are started ahead of need
(:func:`take` starts the next one in the background, :func:`prestart` on demand), but each serves exactly
one submission and is destroyed with it: its processes (PID namespace, cgroups), its private ``/tmp``, its
scratch folder. Nothing of one student's grading is there for the next.

Where bubblewrap cannot run and weaker isolation was accepted (:data:`WEAK_ISOLATION_ENV`), the same jail
runs unconfined: same limits, no namespaces, and every result says so.

Parent side: :func:`take`, :meth:`Jail.spawn`, :meth:`Jail.destroy`. Zygote side:
``python -m autograder.grading.zygote FD PRELOAD... -- WARM...`` serves spawn requests on a Unix socket.
"""

from __future__ import annotations

import atexit
import importlib
import json
import os
import queue
import resource
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.grading import bwrap
from autograder.grading.isolation import ProcessLimit, join_process_limit
from autograder.grading.memory import ZYGOTE_RESERVE, MemoryLimit, join_memory_group

#: Set by ``--accept-weak-isolation`` (``autograder grade``, ``autograder worker``) and by ``autograder check``
#: (a student's own notebook on their own machine): grade unconfined where bubblewrap cannot run.
WEAK_ISOLATION_ENV = "DLKIT_WEAK_ISOLATION"
START_TIMEOUT_S = 300
#: Idle jails a process keeps, of any spec (each holds 0.7-1.3 GiB resident): a process that grades several
#: assignments in turn (the kit's tests grade ten) keeps those of the most recent ones.
MAX_IDLE = 4


class WeakIsolation(RuntimeError):
    """The student's code cannot be confined here and weaker isolation was not accepted."""


def weak_isolation_accepted() -> bool:
    return bool(os.environ.get(WEAK_ISOLATION_ENV))


def confinement() -> str | None:
    """Why sandboxes run unconfined here (None: bubblewrap confines them).

    Raises:
        WeakIsolation: bubblewrap cannot run and weaker isolation was not accepted.
    """
    reason = bwrap.problem()
    if reason is not None and not weak_isolation_accepted():
        raise WeakIsolation(f"cannot isolate the student's code on this host: {reason}. Fix it, or grade with "
                            "--accept-weak-isolation (every result then says so)")
    return reason


def apply_limits(limits: dict[str, int]) -> None:
    """Resource limits of a sandbox (CPU seconds, address space (0: none) and file size in bytes)."""
    resource.setrlimit(resource.RLIMIT_CPU, (limits["cpu_s"], limits["cpu_s"] + 5))
    if limits["memory"]:
        resource.setrlimit(resource.RLIMIT_AS, (limits["memory"], limits["memory"]))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file"], limits["file"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


@dataclass(frozen=True)
class JailSpec:
    """Everything a jail is made of, known before the submission is (so that one can be started ahead).

    Attributes:
        preload: frameworks imported before anything else, in the kit's safe order.
        warm: modules imported for speed (probe modules, the released notebook's imports).
        env: the sandbox's whole environment.
        read_only: host paths the sandbox sees read-only (see :class:`autograder.grading.bwrap.View`).
        covered, exposed: folders emptied inside ``read_only`` ones, files bound back into them.
        memory: bytes of resident memory for the student's processes (the zygote's own come on top).
        processes: processes and threads at once.
        network: an empty network namespace (False: the host's network, for tests that need it).
    """

    preload: tuple[str, ...]
    warm: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    read_only: tuple[Path, ...]
    covered: tuple[Path, ...]
    exposed: tuple[Path, ...]
    memory: int
    processes: int
    network: bool = True


MAX_LINE = 4096  # the zygote's messages are tiny: anything longer was written by someone else
REPLY_TIMEOUT_S = 10.0  # the zygote answers a spawn at once; a worker's end is reported within this once killed


class JailBroken(ConnectionError):
    """The jail's zygote stopped answering as it should (killed, stopped or impersonated by the student's code)."""


SCRATCH_PREFIX = "dlkit-grading-"


def _remove_orphaned_scratch() -> None:
    """Remove the scratch folders of grading processes that were killed (named after their process, now gone)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*-*"):
        owner = folder.name.removeprefix(SCRATCH_PREFIX).partition("-")[0]
        if not owner.isdigit():
            continue
        try:
            os.kill(int(owner), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass


class _Lines:
    """The zygote's messages (newline-delimited JSON objects) read from its socket, untrusted: the jail is the
    student's, its zygote may have been stopped or its socket stolen."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock, self.buffer = sock, b""

    def read(self, key: str, timeout_s: float | None) -> int:
        """The integer ``key`` of the next message, within ``timeout_s`` (None: no limit).

        Raises:
            TimeoutError: nothing complete came in time.
            JailBroken: the socket ended, or the message is not what the zygote sends.
        """
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while b"\n" not in self.buffer:
            if len(self.buffer) > MAX_LINE:
                raise JailBroken("an oversized message on the jail's socket")
            self.sock.settimeout(None if deadline is None else max(deadline - time.monotonic(), 0.001))
            try:
                chunk = self.sock.recv(MAX_LINE)
            except TimeoutError:
                raise
            except OSError as error:
                raise JailBroken(f"the jail's socket failed: {error}") from error
            finally:
                self.sock.settimeout(None)
            if not chunk:
                raise JailBroken("the jail's zygote ended")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        try:
            value = json.loads(line)[key]
        except (ValueError, TypeError, KeyError) as error:
            raise JailBroken(f"an unexpected message on the jail's socket: {line[:100]!r}") from error
        if not isinstance(value, int) or isinstance(value, bool):
            raise JailBroken(f"an unexpected message on the jail's socket: {line[:100]!r}")
        return value


class ForkedProcess:
    """A worker forked by a jail's zygote, with the part of ``subprocess.Popen``'s API the sandbox uses."""

    def __init__(self, jail: Jail, pid: int) -> None:
        self.jail, self.pid = jail, pid
        self.returncode: int | None = None

    def wait(self, timeout: float | None = None) -> int:
        """The worker's exit code, as the zygote reports it; a jail whose zygote no longer answers (stopped,
        killed, impersonated) is destroyed, and the worker counts as killed.

        Raises:
            subprocess.TimeoutExpired: no report within ``timeout`` (the jail still answers otherwise).
        """
        if self.returncode is None:
            try:
                self.returncode = self.jail.lines.read("status", timeout)
            except TimeoutError as error:
                raise subprocess.TimeoutExpired("jail worker", timeout or 0) from error
            except JailBroken:
                self.jail.destroy()
                self.returncode = -signal.SIGKILL
        return self.returncode

    def kill(self) -> None:
        """Kill the worker and everything it started; if the zygote cannot be asked (or does not report the end
        in time), the whole jail goes."""
        if not self.jail.kill_workers():
            self.jail.destroy()
            self.returncode = -signal.SIGKILL
            return
        try:
            self.wait(REPLY_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.jail.destroy()
            self.returncode = -signal.SIGKILL


class Jail:
    """One submission's confinement and its zygote (see the module's docstring).

    Attributes:
        scratch: the grading's own folder on the host (removed with the jail), bound read-only into the sandbox at
            the same path, with ``shared`` and ``own`` bound read-write over it.
        shared: its sub-folder that the sandbox sees and may write (its working folders).
        own: a sub-folder the sandbox sees but where it cannot make or change anything (when grading as root): the
            submission's set-up file, and pytest's base temporary folder (``tmp_path``), whose folders the tests
            make are handed over to it (:func:`autograder.grading.bwrap.hand_over_children`).
        setup: the file the grading process writes the submission's set-up into, read-only to the sandbox.
        confined: bubblewrap confines it (False: weaker isolation accepted).
    """

    def __init__(self, spec: JailSpec) -> None:
        self.spec = spec
        self.confined = confinement() is None
        _remove_orphaned_scratch()
        self.scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
        bwrap.traversable(self.scratch)
        self.shared = self.scratch / "shared"
        self.shared.mkdir()
        bwrap.hand_over(self.shared)
        self.own = self.scratch / "own"
        self.own.mkdir()
        bwrap.traversable(self.own)
        self.setup = self.own / "setup.json"
        self.processes = ProcessLimit(spec.processes)
        self.memory = MemoryLimit(spec.memory + ZYGOTE_RESERVE)
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        argv = [sys.executable, "-m", "autograder.grading.zygote", str(theirs.fileno()),
                "confined" if self.confined else "open", *spec.preload, "--", *spec.warm]
        #: the workers' environment: a home of their own (inside the jail's private /tmp, else in the scratch)
        self.env = dict(spec.env)
        if not self.confined:
            self.env["HOME"] = str(self.folder("home"))
        env = self.env
        if self.confined:
            # The scratch read-only (its set-up file), its two folders read-write (``own`` by hand-over only).
            view = bwrap.View((*spec.read_only, self.scratch), (self.shared, self.own), spec.covered, spec.exposed)
            argv = bwrap.command(view, argv, env, network=spec.network)
        log = tempfile.TemporaryFile()  # what the jail says before it is ready (bwrap's errors), for the error
        self.process = subprocess.Popen(  # not multiprocessing: a daemonic process (a Dask worker's) may start it
            argv, env=env, cwd=self.shared, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=log, start_new_session=True, preexec_fn=self._enter_limits)
        theirs.close()
        self.lines = _Lines(self.sock)
        self.destroyed = False
        try:
            ready = self.lines.read("ready", START_TIMEOUT_S) == 1
        except (TimeoutError, JailBroken):
            ready = False
        if not ready:
            self.destroy()
            log.seek(0)
            said = log.read().decode("utf-8", "replace").strip().splitlines()[-5:]
            raise ConnectionError(f"the jail's zygote failed to start: {' | '.join(said) or 'no output'}")
        log.close()

    def _enter_limits(self) -> None:
        """In the jail's first process, before exec: its cgroups (or the process-count rlimit)."""
        join_process_limit(str(self.processes.group) if self.processes.group else None, self.processes.nproc)
        join_memory_group(str(self.memory.group) if self.memory.group else None)

    def folder(self, name: str) -> Path:
        """A new folder that the sandbox may write."""
        path = self.shared / name
        path.mkdir()
        bwrap.hand_over(path)
        return path

    def spawn(self, spec: dict[str, Any], result_fd: int, output_fd: int, request_fd: int) -> ForkedProcess:
        """Fork a worker; ``spec`` holds the set-up path, working folder, environment and rlimits.

        Raises:
            JailBroken: the zygote does not answer as it should (the jail is destroyed).
        """
        try:
            if self.destroyed:
                raise JailBroken("the jail was destroyed")
            socket.send_fds(self.sock, [(json.dumps(spec) + "\n").encode()], [result_fd, output_fd, request_fd])
            return ForkedProcess(self, self.lines.read("pid", REPLY_TIMEOUT_S))
        except (OSError, TimeoutError) as error:
            self.destroy()
            raise JailBroken(f"the jail's zygote does not answer: {error}") from error
        except JailBroken:
            self.destroy()
            raise

    def kill_workers(self) -> bool:
        """Ask the zygote to kill the running worker and every process it left (its exit status follows);
        False when it cannot be asked."""
        try:
            self.sock.settimeout(REPLY_TIMEOUT_S)
            socket.send_fds(self.sock, [b'{"kill": true}\n'], [])
            return True
        except OSError:
            return False
        finally:
            self.sock.settimeout(None)

    def alive(self) -> bool:
        return self.process.poll() is None

    def destroy(self) -> None:
        """End every process of the jail, remove its cgroups and its scratch folder (once)."""
        if self.destroyed:
            return
        self.destroyed = True
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        self.sock.close()
        self.processes.kill_all()
        self.memory.remove()
        shutil.rmtree(self.scratch, ignore_errors=True)


_lock = threading.Lock()
_idle: dict[JailSpec, list[Jail]] = {}
_starting: dict[JailSpec, int] = {}
_failed: dict[JailSpec, str] = {}
_ready = threading.Condition(_lock)
_queue: queue.Queue[JailSpec] = queue.Queue()
_starter: threading.Thread | None = None


def _start_jails() -> None:
    """The one thread that starts this process's jails, for as long as the process lives: a jail's processes die
    with the thread that started them (their parent-death signal follows that thread)."""
    while True:
        spec = _queue.get()
        try:
            jail, failure = Jail(spec), None
        except Exception as error:  # noqa: BLE001 - this thread must live on: take() reports it as the start's failure
            jail, failure = None, f"{type(error).__name__}: {error}"
        evicted: list[Jail] = []
        with _ready:
            _starting[spec] -= 1
            if jail is None:
                _failed[spec] = failure or "?"
            else:
                _idle[spec] = [*_idle.pop(spec, []), jail]  # most recently started spec last
                while sum(map(len, _idle.values())) > MAX_IDLE:
                    oldest = next(iter(_idle))
                    evicted.append(_idle[oldest].pop(0))
                    if not _idle[oldest]:
                        del _idle[oldest]
            _ready.notify_all()
        for old in evicted:
            old.destroy()


def _start(spec: JailSpec) -> None:
    """Have the starter thread start one more jail for ``spec`` (under ``_lock``)."""
    global _starter
    _starting[spec] = _starting.get(spec, 0) + 1
    if _starter is None or not _starter.is_alive():
        _starter = threading.Thread(target=_start_jails, name="dlkit-jail-starter", daemon=True)
        _starter.start()
    _queue.put(spec)


def _ahead(spec: JailSpec) -> None:
    """Start a jail for ``spec`` in the background unless one is idle or starting already (under ``_lock``)."""
    if not _idle.get(spec) and not _starting.get(spec):
        _start(spec)


def take(spec: JailSpec, ahead: bool = True) -> Jail:
    """A fresh jail for one submission: an idle one started ahead, else a new one; with ``ahead``, the next
    submission's is started in the background.

    Raises:
        WeakIsolation: bubblewrap cannot run and weaker isolation was not accepted.
        ConnectionError: the jail could not start.
    """
    confinement()
    with _ready:
        while True:
            jails = _idle.get(spec, [])
            while jails and not jails[0].alive():
                jails.pop(0).destroy()
            if jails:
                jail = jails.pop(0)
                break
            if not _starting.get(spec):
                _failed.pop(spec, None)
                _start(spec)
            _ready.wait_for(lambda: bool(_idle.get(spec)) or not _starting.get(spec), START_TIMEOUT_S)
            if not _idle.get(spec) and not _starting.get(spec) and spec in _failed:
                raise ConnectionError(_failed.pop(spec))
        if ahead:
            _ahead(spec)
    return jail


def settle(timeout_s: float = START_TIMEOUT_S) -> None:
    """Wait until no jail is being started ahead (benchmarks: time a submission whose jail was ready)."""
    with _ready:
        _ready.wait_for(lambda: not any(_starting.values()), timeout_s)


def prestart(spec: JailSpec) -> None:
    """Have one jail for ``spec`` started ahead of need (in the background)."""
    with _lock:
        _ahead(spec)


@atexit.register
def _destroy_idle() -> None:
    with _lock:
        jails = [jail for jails in _idle.values() for jail in jails]
        _idle.clear()
    for jail in jails:
        jail.destroy()


def _child(spec: dict[str, Any], result_fd: int, output_fd: int, request_fd: int) -> None:
    """In the forked worker: its own session, output and limits, then the worker's loop."""
    os.setsid()
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.close(output_fd)
    apply_limits(spec["limits"])
    os.environ.clear()
    os.environ.update(spec["env"], DLKIT_RESULT_FD=str(result_fd), DLKIT_REQUEST_FD=str(request_fd))
    os.chdir(spec["workdir"])
    from autograder.grading import worker

    worker.main(spec["setup"])
    sys.stdout.flush()


def _undumpable() -> None:
    """The zygote cannot be traced, nor its descriptors taken (``pidfd_getfd``), by the workers of its jail (same
    user, no capability); its workers inherit it. Linux only: elsewhere nothing runs confined."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0
    except (OSError, AttributeError):
        pass


def _end_worker(child: int, confined: bool) -> None:
    """Kill the worker and what it started: in a jail, every process but this one (and bwrap's init, which
    ``kill(-1)`` spares); unconfined, the worker's session."""
    try:
        if confined:
            os.kill(-1, signal.SIGKILL)
        else:
            os.killpg(child, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _wait(pid: int, sock: socket.socket, confined: bool) -> int:
    """The worker's wait status, once it ended; meanwhile a ``kill`` message (or the socket's end) kills it.

    Woken by the worker's end through a pidfd on Linux; elsewhere (a student's Mac) by polling every 50 ms.
    """
    ended = os.pidfd_open(pid) if hasattr(os, "pidfd_open") else None
    try:
        while True:
            watched = [sock] if ended is None else [sock, ended]
            ready = select.select(watched, [], [], 0.05 if ended is None else None)[0]
            if ended is not None and ended in ready:
                break
            if ended is None:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    return status
            if sock in ready:
                message, _, _, _ = socket.recv_fds(sock, 65536, 3)
                if not message or json.loads(message).get("kill"):
                    _end_worker(pid, confined)
    finally:
        if ended is not None:
            os.close(ended)
    return os.waitpid(pid, 0)[1]


def _run_worker(sock: socket.socket, spec: dict[str, Any], fds: list[int], confined: bool) -> None:
    """Fork the worker, then wait for its end or for the grading process's ``kill``; report its exit status."""
    pid = os.fork()
    if pid == 0:
        sock.close()
        try:
            _child(spec, fds[0], fds[1], fds[2])
        finally:
            os._exit(0)
    for descriptor in fds:
        os.close(descriptor)
    sock.sendall((json.dumps({"pid": pid}) + "\n").encode())
    status = _wait(pid, sock, confined)
    if confined:
        _end_worker(pid, confined)  # what the worker left behind dies before the next one starts
    sock.sendall((json.dumps({"status": os.waitstatus_to_exitcode(status)}) + "\n").encode())


def serve(fd: int, confined: bool, preload: list[str], warm: list[str]) -> None:
    """Import ``preload`` and what of ``warm`` imports, then fork one worker at a time per spawn request until
    the socket closes.

    ``warm`` modules are imported for speed only (probe modules, the released notebook's imports): one that
    fails to import is left to the worker, which imports it again and reports the error as it always does.
    """
    sock = socket.socket(fileno=fd)
    from autograder.grading import worker

    worker.preload(preload)
    for module in warm:
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001 - the sandbox imports it again and reports what fails
            pass
    _undumpable()
    sock.sendall(b'{"ready": 1}\n')
    while True:
        message, fds, _, _ = socket.recv_fds(sock, 65536, 3)
        if not message:
            return
        spec = json.loads(message)
        if not spec.get("kill"):
            _run_worker(sock, spec, fds, confined)


if __name__ == "__main__":
    separator = sys.argv.index("--")
    serve(int(sys.argv[1]), sys.argv[2] == "confined", sys.argv[3:separator], sys.argv[separator + 1:])
