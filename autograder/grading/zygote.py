"""Pre-started workers: a process that imports the frameworks once, then forks one sandbox per run.

Importing TensorFlow or PyTorch costs several seconds; forking a process that already
imported them costs milliseconds. The forked child applies exactly the isolation of a
freshly started worker (new session, resource limits, process limit, namespaces) before
it reads the request and runs the student's code, so the isolation is not weakened: the
zygote itself never runs student code and hands each child its own pipes.

Parent side: :func:`acquire` lends a :class:`Zygote` for a framework set, :func:`release` takes it back.
Zygote side: ``python -m autograder.grading.zygote`` serves spawn requests on a Unix socket.
"""

from __future__ import annotations

import atexit
import importlib
import json
import os
import resource
import socket
import subprocess
import sys
import threading
from typing import Any

from autograder.grading.isolation import enter_namespaces, join_process_limit
from autograder.grading.memory import join_memory_group

#: Idle zygotes a process keeps, of any framework set (each holds 0.7-1.3 GiB resident): a process that
#: grades more assignments in turn (the kit's tests grade ten) keeps the most recently used ones.
MAX_IDLE = 4

_lock = threading.Lock()
_idle: list[Zygote] = []  # least recently used first
_starting: dict[tuple, threading.Lock] = {}


def apply_limits(limits: dict[str, int]) -> None:
    """Resource limits of a sandbox (CPU seconds, address space (0: none) and file size in bytes)."""
    resource.setrlimit(resource.RLIMIT_CPU, (limits["cpu_s"], limits["cpu_s"] + 5))
    if limits["memory"]:
        resource.setrlimit(resource.RLIMIT_AS, (limits["memory"], limits["memory"]))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file"], limits["file"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _send(sock: socket.socket, message: dict[str, Any]) -> None:
    sock.sendall((json.dumps(message) + "\n").encode())


class _Lines:
    """Newline-delimited JSON messages read from a socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock, self.buffer = sock, b""

    def read(self) -> dict[str, Any]:
        while b"\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("zygote closed")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)


class ForkedProcess:
    """A sandbox forked by a zygote, with the part of ``subprocess.Popen``'s API the sandbox uses."""

    def __init__(self, zygote: Zygote, pid: int) -> None:
        self.zygote, self.pid = zygote, pid
        self.returncode: int | None = None

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self.zygote.sock.settimeout(timeout)
            try:
                message = self.zygote.lines.read()
            except TimeoutError as error:
                raise subprocess.TimeoutExpired("zygote child", timeout or 0) from error
            finally:
                self.zygote.sock.settimeout(None)
            self.returncode = int(message["status"])
            self.zygote.busy = False
        return self.returncode


class Zygote:
    """A pre-started worker process holding the imported frameworks (one per thread)."""

    def __init__(self, preload: tuple[str, ...], env: dict[str, str], warm: tuple[str, ...] = ()) -> None:
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.process = subprocess.Popen(  # not multiprocessing: a daemonic process (a Dask worker's) may start it
            [sys.executable, "-m", "autograder.grading.zygote", str(theirs.fileno()), *preload, "--", *warm],
            env=env, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        theirs.close()
        self.key: tuple = ()
        self.busy = False  # a child's exit status is still to be read
        self.lines = _Lines(self.sock)
        if self.lines.read().get("type") != "ready":
            raise ConnectionError("zygote failed to start")

    def spawn(self, spec: dict[str, Any], result_fd: int, output_fd: int, request_fd: int) -> ForkedProcess:
        """Fork a sandbox; ``spec`` holds the set-up path, folder, environment and limits."""
        payload = (json.dumps(spec) + "\n").encode()
        self.busy = True
        socket.send_fds(self.sock, [payload], [result_fd, output_fd, request_fd])
        return ForkedProcess(self, int(self.lines.read()["pid"]))

    def close(self) -> None:
        self.sock.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()


def acquire(preload: tuple[str, ...], env: dict[str, str], warm: tuple[str, ...] = ()) -> Zygote | None:
    """An idle zygote for ``preload`` and ``warm`` (started if none is idle); None if it cannot start.

    Each concurrent sandbox holds its own zygote until :func:`release`: at most as many
    zygotes live as sandboxes ever ran at once, and at most :data:`MAX_IDLE` wait idle.
    """
    key = (preload, warm, tuple(sorted(env.items())))
    with _lock:
        starting = _starting.setdefault(key, threading.Lock())
    with starting:  # one start at a time per key: a sandbox waits for the zygote a Dask plugin is starting
        with _lock:
            for zygote in reversed([z for z in _idle if z.key == key]):
                _idle.remove(zygote)
                if zygote.process.poll() is None:
                    return zygote
                zygote.close()
        try:
            zygote = Zygote(preload, env, warm)
        except (OSError, ConnectionError, ValueError):
            return None
    zygote.key = key
    return zygote


def release(zygote: Zygote) -> None:
    """Give a zygote back for the next sandbox (closed if it died)."""
    if zygote.busy or zygote.process.poll() is not None:
        zygote.close()
        return
    with _lock:
        _idle.append(zygote)
        evicted = _idle[:-MAX_IDLE]
        del _idle[:-MAX_IDLE]
    for old in evicted:
        old.close()


@atexit.register
def _close_all() -> None:
    with _lock:
        for zygote in _idle:
            zygote.close()
        _idle.clear()


def _child(spec: dict[str, Any], result_fd: int, output_fd: int, request_fd: int) -> None:
    """In the forked child: isolate exactly as a fresh worker, then run the worker."""
    os.setsid()
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.close(output_fd)
    apply_limits(spec["limits"])
    join_process_limit(spec["cgroup"], spec["nproc"])
    join_memory_group(spec["memory_group"])
    enter_namespaces(network=spec["network"])
    os.environ.clear()
    os.environ.update(spec["env"], DLKIT_RESULT_FD=str(result_fd), DLKIT_REQUEST_FD=str(request_fd))
    os.chdir(spec["workdir"])
    from autograder.grading import worker

    worker.main(spec["setup"])
    sys.stdout.flush()


def serve(fd: int, preload: list[str], warm: list[str]) -> None:
    """Import ``preload`` and what of ``warm`` imports, then fork one child per spawn request until the socket closes.

    ``warm`` modules are imported for speed only (probe modules, the released notebook's imports): one that
    fails to import is left to the child, which imports it again and reports the error as it always does.
    """
    sock = socket.socket(fileno=fd)
    from autograder.grading import worker

    worker.preload(preload)
    for module in warm:
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001 - the sandbox imports it again and reports what fails
            pass
    _send(sock, {"type": "ready"})
    while True:
        message, fds, _, _ = socket.recv_fds(sock, 65536, 3)
        if not message:
            return
        spec = json.loads(message)
        pid = os.fork()
        if pid == 0:
            sock.close()
            try:
                _child(spec, fds[0], fds[1], fds[2])
            finally:
                os._exit(0)
        for descriptor in fds:
            os.close(descriptor)
        _send(sock, {"pid": pid})
        _, status = os.waitpid(pid, 0)
        _send(sock, {"status": os.waitstatus_to_exitcode(status)})


if __name__ == "__main__":
    separator = sys.argv.index("--")
    serve(int(sys.argv[1]), sys.argv[2:separator], sys.argv[separator + 1:])
