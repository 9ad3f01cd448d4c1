"""Operating-system isolation of the sandbox: namespaces, process-count limit, hidden folders.

Linux only. Every measure degrades gracefully where the kernel or the user's privileges do
not allow it, and the sandbox reports which measures were in force.

* network: a new, empty network namespace (``CLONE_NEWNET``): only its own loopback, brought up so
  that a graded web application can be served and called there (it reaches nothing outside);
* processes: a cgroup ``pids`` controller limit when running as root, else ``RLIMIT_NPROC``;
* files: a private mount namespace in which the grading folders (hidden tests, solutions,
  results) are covered by empty read-only tmpfs mounts once the worker has loaded its graders.
"""

from __future__ import annotations

import ctypes
import os
import resource
import time
import uuid
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_REC = 0x4000
MS_PRIVATE = 0x40000
PIDS_ROOT = Path("/sys/fs/cgroup/pids")
STALE_GROUP_S = 3600

_libc = ctypes.CDLL(None, use_errno=True)


def unshare(flags: int) -> bool:
    """``unshare(2)``; False when the kernel or privileges refuse."""
    return _libc.unshare(flags) == 0


def enter_namespaces(network: bool) -> None:
    """In the child before exec: new mount namespace, and a new network namespace if asked.

    As an unprivileged user, a user namespace (mapping the user to root inside) comes first.
    Failures are silent here; the worker reports what it found (see :func:`network_is_isolated`).
    """
    flags = CLONE_NEWNS | (CLONE_NEWNET if network else 0)
    if os.geteuid() == 0:
        unshare(flags)
        return
    uid, gid = os.getuid(), os.getgid()
    if unshare(CLONE_NEWUSER | flags):
        for name, text in (("setgroups", "deny"), ("uid_map", f"0 {uid} 1"), ("gid_map", f"0 {gid} 1")):
            try:
                Path(f"/proc/self/{name}").write_text(text)
            except OSError:
                pass


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


def reap_strays() -> bool:
    """Kill every other process of this process group (what the student's code forked) and reap them.

    Returns:
        True when there were such processes.
    """
    found = False
    me, group = os.getpid(), os.getpgrp()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            if os.getpgid(int(entry.name)) == group:
                os.kill(int(entry.name), 9)
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


def mount_namespace_id() -> str:
    return os.readlink("/proc/self/ns/mnt")


def hide_folders(folders: list[str], parent_namespace: str) -> bool:
    """Cover ``folders`` with empty read-only tmpfs mounts, only inside a private mount namespace.

    Never touches the host: does nothing when this process still shares its parent's mounts.
    """
    if mount_namespace_id() == parent_namespace:
        return False
    if _libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return False
    hidden = True
    for folder in folders:
        if os.path.isdir(folder):
            flags = MS_RDONLY | MS_NOSUID | MS_NODEV
            hidden &= _libc.mount(b"tmpfs", folder.encode(), b"tmpfs", flags, b"size=4k") == 0
    return hidden


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
        """``RLIMIT_NPROC`` counts all of the user's processes: set it above what the user already runs."""
        return self.count + self.existing

    def enter(self) -> None:
        """In the child before exec: join the cgroup, or set the rlimit."""
        join_process_limit(str(self.group) if self.group else None, self.nproc)

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
