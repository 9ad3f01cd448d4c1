"""Process-count limits of a jail, and what a worker checks of its own isolation.

The namespaces and the file system's view are bubblewrap's (:mod:`autograder.grading.bwrap`); here:

* processes: a cgroup ``pids`` controller limit when running as root, else ``RLIMIT_NPROC``;
* network: whether the worker's network namespace is empty, and its loopback brought up, so that a graded
  web application can be served and called there (it reaches nothing outside);
* strays: the processes a request left behind, killed before the next request.
"""

from __future__ import annotations

import os
import resource
import time
import uuid
from pathlib import Path

PIDS_ROOT = Path("/sys/fs/cgroup/pids")
STALE_GROUP_S = 3600
#: Jails one user may run at once, with ``RLIMIT_NPROC`` only (grading processes and their pre-started jails).
JAILS_PER_USER = 16


def network_is_isolated() -> bool:
    """True when this process's network namespace has no interface but the loopback."""
    import socket

    try:
        return {name for _, name in socket.if_nameindex()} <= {"lo"}
    except OSError:
        return False


SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1


def loopback_up() -> bool:
    """Bring up the loopback of this (isolated) network namespace; False when the kernel refuses."""
    import fcntl
    import socket
    import struct

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            request = struct.pack("16sH14x", b"lo", 0)
            flags = struct.unpack("16sH14x", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
            if not flags & IFF_UP:
                fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | IFF_UP))
        return True
    except OSError:
        return False


def reap_strays(jail: bool) -> bool:
    """Kill what the student's code started and is still running, and reap it.

    In a jail (its own PID namespace), that is every process but bubblewrap's init, the zygote (this process's
    parent) and this one: daemons that left the session included, so that none is left when the grading process
    reads what the request wrote. Unconfined, the processes of this one's process group.

    Returns:
        True when there were such processes.
    """
    found = False
    me, group, spared = os.getpid(), os.getpgrp(), {1, os.getppid()}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        pid = int(entry.name)
        try:
            if (jail and pid not in spared) or (not jail and os.getpgid(pid) == group):
                os.kill(pid, 9)
                found = True
        except OSError:
            continue
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return found
        if pid == 0:
            return found


def join_process_limit(group: str | None, nproc: int) -> None:
    """In a sandbox process: join the ``pids`` cgroup ``group``, or, without one, set ``RLIMIT_NPROC``."""
    if group is not None:
        Path(group, "cgroup.procs").write_text(str(os.getpid()))
    else:
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))


def _user_tasks() -> int:
    """Processes and threads the current user runs now."""
    total = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == os.getuid():
                    total += len(os.listdir(entry / "task"))
            except OSError:
                continue
    return total


class ProcessLimit:
    """At most ``count`` processes and threads for one sandbox and everything it starts.

    As root, a cgroup of the ``pids`` controller (it also lets :meth:`kill_all` reach
    processes that left the sandbox's session); otherwise ``RLIMIT_NPROC``.
    """

    def __init__(self, count: int) -> None:
        self.count = count
        self.existing = 0
        self.group: Path | None = None
        if os.geteuid() == 0 and os.access(PIDS_ROOT, os.W_OK):
            for stale in PIDS_ROOT.glob("dlkit-*"):  # left by killed grading processes: empty and old
                try:
                    if time.time() - stale.stat().st_mtime > STALE_GROUP_S:
                        stale.rmdir()
                except OSError:
                    pass
            group = PIDS_ROOT / f"dlkit-{uuid.uuid4().hex[:12]}"
            try:
                group.mkdir()
                (group / "pids.max").write_text(str(count))
                self.group = group
            except OSError:
                self.group = None
        if self.group is None:
            self.existing = _user_tasks()

    @property
    def nproc(self) -> int:
        """``RLIMIT_NPROC`` counts all of the user's processes and threads, those of every other jail of the same
        user included (a pre-started zygote alone runs tens of threads): above what the user already runs, room for
        :data:`JAILS_PER_USER` jails. A fork bomb still stops there, but it can starve the user's other jails: only
        the cgroup (grading as root) limits one jail alone."""
        return self.count * JAILS_PER_USER + self.existing

    def kill_all(self) -> None:
        """Kill every process left in the cgroup, then remove it."""
        if self.group is None:
            return
        for _ in range(50):
            try:
                pids = (self.group / "cgroup.procs").read_text().split()
            except OSError:
                break
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(int(pid), 9)
                except (ProcessLookupError, ValueError):
                    pass
        try:
            self.group.rmdir()
        except OSError:
            pass
