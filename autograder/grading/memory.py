"""Memory of each sandbox, sized from the host's memory and the number of sandboxes it runs at once.

With ``slots`` sandboxes on a host, their limits add up to what the host has, less what the
grading processes and their pre-started workers need (:data:`RESERVE_PER_SLOT`, measured: a
pre-started worker with Keras holds 0.7 GiB resident, with torch too 1.2 GiB; a grading process
about 0.5 GiB) and a margin for the system (:data:`SYSTEM_RESERVE`).

Where the kernel lets us create one, each sandbox gets its own memory cgroup (cgroup v2
``memory.max``, else cgroup v1 ``memory.limit_in_bytes``): what is limited is resident memory,
and the kernel kills the sandbox, never a neighbour, when it passes. Elsewhere the limit is an
address-space limit (``RLIMIT_AS``), never below :data:`ADDRESS_SPACE_FLOOR`: torch and
TensorFlow reserve about 4.5 GiB of address space at import, before any array exists.
"""

from __future__ import annotations

import os
import time
import uuid
from functools import cache
from pathlib import Path

GiB = 2**30
SYSTEM_RESERVE = 1 * GiB
RESERVE_PER_SLOT = 2 * GiB
#: A jail's zygote (the imported frameworks), charged to the jail's memory cgroup on top of the student's share.
ZYGOTE_RESERVE = 3 * GiB // 2
ADDRESS_SPACE_FLOOR = 6 * GiB
MINIMUM_SHARE = 1 * GiB
CGROUP_ROOT = Path("/sys/fs/cgroup")
V1_MEMORY_ROOT = CGROUP_ROOT / "memory"
STALE_GROUP_S = 3600
UNLIMITED = 2**63 - 4096  # what cgroup v1 reports for "no limit"


def _own_cgroup_limits() -> list[int]:
    """Memory limits of the cgroups this process is in (v2 ``memory.max``, v1 ``memory.limit_in_bytes``)."""
    limits = []
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return limits
    for line in lines:
        _, controllers, path = line.split(":", 2)
        candidates = []
        if controllers == "":
            candidates = [CGROUP_ROOT / path.lstrip("/") / "memory.max",
                          CGROUP_ROOT / "unified" / path.lstrip("/") / "memory.max"]
        elif "memory" in controllers.split(","):
            candidates = [V1_MEMORY_ROOT / path.lstrip("/") / "memory.limit_in_bytes"]
        for candidate in candidates:
            try:
                text = candidate.read_text().strip()
            except OSError:
                continue
            if text.isdigit() and int(text) < UNLIMITED:
                limits.append(int(text))
    return limits


@cache
def host_memory() -> int:
    """Bytes of memory this host gives us: the physical memory, or less if our own cgroup is limited."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return min([total, *_own_cgroup_limits()])


def sandbox_share(slots: int) -> int:
    """Bytes each of ``slots`` sandboxes running at once on this host may hold (they add up to the host's)."""
    slots = max(int(slots), 1)
    return max((host_memory() - SYSTEM_RESERVE - RESERVE_PER_SLOT * slots) // slots, MINIMUM_SHARE)


def _v2_parent() -> Path | None:
    """A cgroup v2 folder where a child group with its own ``memory.max`` can be made, if any."""
    for root in (CGROUP_ROOT, CGROUP_ROOT / "unified"):
        try:
            if "memory" in (root / "cgroup.subtree_control").read_text().split() and os.access(root, os.W_OK):
                return root
        except OSError:
            continue
    return None


def _remove_stale(parent: Path) -> None:
    """Groups left by killed grading processes: empty and old."""
    for stale in parent.glob("dlkit-mem-*"):
        try:
            if time.time() - stale.stat().st_mtime > STALE_GROUP_S:
                stale.rmdir()
        except OSError:
            pass


def _make_group(parent: Path, limit_file: str, limit: int) -> Path | None:
    _remove_stale(parent)
    group = parent / f"dlkit-mem-{uuid.uuid4().hex[:12]}"
    try:
        group.mkdir()
    except OSError:
        return None
    try:
        (group / limit_file).write_text(str(limit))
        if (group / "memory.swap.max").exists():  # v2: no swap either, or the limit only slows a bomb down
            (group / "memory.swap.max").write_text("0")
        return group
    except OSError:
        try:
            group.rmdir()
        except OSError:
            pass
        return None


class MemoryLimit:
    """``limit`` bytes for one sandbox and everything it starts: a memory cgroup, else an address-space limit.

    Attributes:
        group: the cgroup folder (None: the address-space limit applies).
        address_space: the ``RLIMIT_AS`` to set in the child (0: none, the cgroup limits).
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.group: Path | None = None
        parent = _v2_parent()
        if parent is not None:
            self.group = _make_group(parent, "memory.max", limit)
        if self.group is None and os.access(V1_MEMORY_ROOT, os.W_OK):
            self.group = _make_group(V1_MEMORY_ROOT, "memory.limit_in_bytes", limit)
        self.address_space = 0 if self.group else max(limit, ADDRESS_SPACE_FLOOR)

    def remove(self) -> None:
        """Remove the cgroup once its processes are gone (the pids group's kill ended them)."""
        if self.group is None:
            return
        for _ in range(50):
            try:
                self.group.rmdir()
                return
            except OSError:
                time.sleep(0.02)


def join_memory_group(group: str | None) -> None:
    """In a sandbox process: join its memory cgroup (nothing without one)."""
    if group is not None:
        Path(group, "cgroup.procs").write_text(str(os.getpid()))
