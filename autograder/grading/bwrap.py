"""The sandbox's confinement, made by bubblewrap (``bwrap``, what Flatpak uses), never by the kit's own code.

One confinement per graded submission (:class:`autograder.grading.zygote.Jail` starts it). Inside it:

* the student's code runs as an unprivileged user with no capability and ``no_new_privs``; when the grading
  process is root (CI, Gradescope), bwrap itself is started as :data:`SANDBOX_UID` (``nobody`` by default),
  a user that owns nothing on the host: a first bwrap, run as root, only lays the read-only sources out where
  that user can reach them (:func:`command`), then ``setpriv`` drops to that user and the real sandbox starts;
* new user, PID, network, IPC, UTS and cgroup namespaces: everything it starts dies with it, it sees no
  process of the host, and its network is an empty loopback; no further user namespace can be made
  (``--disable-userns``), so no capability can be regained and bwrap's mounts cannot be undone;
* a file system made of read-only binds of what it needs only (the Python environment, the kit's code
  without any grader, the assignment's probe modules, the datasets), a private ``/tmp`` (memory-backed,
  size-limited, charged to its memory cgroup) and the writable folders of the grading's own scratch, which no
  other grading sees and which are removed with it;
* an empty environment but the variables given, and no file descriptor but those passed on purpose.

:func:`problem` says, once per process, whether this host can do all that (bwrap installed, user namespaces
allowed); where it cannot, grading untrusted work is refused unless weaker isolation is accepted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: The host user the sandbox runs as when the grading process is root (override: ``DLKIT_SANDBOX_UID``).
SANDBOX_UID = int(os.environ.get("DLKIT_SANDBOX_UID", "65534"))
SANDBOX_GID = int(os.environ.get("DLKIT_SANDBOX_GID", str(SANDBOX_UID)))
#: The user id the student's code sees inside (not root: nothing inside treats it as privileged).
INNER_UID = 1000
#: Where the root-run first bwrap lays out the read-only sources for the unprivileged one.
STAGE = "/mnt"
#: System files the interpreter and the frameworks read (those that exist are bound read-only).
SYSTEM_PATHS = ("/usr", "/lib", "/lib32", "/lib64", "/bin", "/sbin", "/etc/ld.so.cache", "/etc/ld.so.conf",
                "/etc/ld.so.conf.d", "/etc/localtime", "/etc/nsswitch.conf", "/etc/hosts", "/etc/passwd",
                "/etc/group", "/etc/alternatives", "/etc/ssl/certs", "/sys/devices/system/cpu")
TMP_SIZE = 512 * 2**20


@dataclass(frozen=True)
class View:
    """What the sandbox sees of the host's files.

    Attributes:
        read_only: host paths bound read-only at the same path (files or folders; missing ones are skipped).
        covered: folders inside ``read_only`` ones replaced by an empty read-only folder (graders inside an
            installed package), before ``exposed`` files are bound into them.
        exposed: files bound read-only at the same path after ``covered`` (the probe modules).
        writable: the grading's own folders, bound read-write at the same path (the first is the working folder).
    """

    read_only: tuple[Path, ...]
    writable: tuple[Path, ...]
    covered: tuple[Path, ...] = ()
    exposed: tuple[Path, ...] = ()


def _as_root() -> bool:
    return os.geteuid() == 0


def _bwrap() -> str | None:
    return shutil.which("bwrap")


@cache
def runtime_paths() -> tuple[Path, ...]:
    """The Python installation and environment this process runs from: their prefixes and site-packages only.

    Of the rest of ``sys.path``, what ``.pth`` files add (an environment layered on another), never its first entry
    (the script's folder or the working folder, which may hold anything: other students' files), ``/`` nor the
    temporary folder.
    """
    import site

    paths = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    hop = Path(sys.executable)  # every folder its links pass through (a virtual environment made from another)
    for _ in range(16):
        paths.add(hop.parent.resolve())
        if not hop.is_symlink():
            break
        hop = hop.parent / os.readlink(hop)
    paths.update(Path(p).resolve() for p in site.getsitepackages() if Path(p).is_dir())
    temporary = Path(tempfile.gettempdir()).resolve()
    for entry in sys.path[1:]:  # what .pth files add (an environment layered on another); not the script's folder
        path = Path(entry).resolve() if entry else None
        if path is not None and path.is_dir() and path != Path("/") and path not in (temporary, *temporary.parents):
            paths.add(path)
    return tuple(sorted(paths))


def _outermost(paths: Iterable[Path]) -> list[Path]:
    kept: list[Path] = []
    for path in sorted(set(paths), key=lambda p: len(p.parts)):
        if not any(path == outer or outer in path.parents for outer in kept):
            kept.append(path)
    return kept


def _existing(paths: Iterable[Path | str]) -> list[Path]:
    return [Path(p) for p in paths if os.path.lexists(p)]


def _top_level_link(path: Path) -> bool:
    """``/lib -> usr/lib`` on a merged-/usr system: made again as a link inside, not bound."""
    return path.is_symlink() and len(path.parts) == 2


def _binds(view: View, stage: dict[Path, str] | None) -> list[str]:
    """bwrap's mount options for ``view``; ``stage`` maps host paths to where the first bwrap laid them out."""

    def source(path: Path) -> str:
        return stage[path] if stage is not None else str(path)

    args: list[str] = []
    for path in _existing(SYSTEM_PATHS):
        if _top_level_link(path):
            args += ["--symlink", os.readlink(path), str(path)]
        else:
            args += ["--ro-bind", source(path), str(path)]
    for path in _outermost(_existing(view.read_only)):
        args += ["--ro-bind", source(path), str(path)]
    # The exposed files' folders are read-only folders of their own (they may lie under the private /tmp, which
    # stays writable): only those files are there, and nothing can be added beside them.
    folders = [*view.covered, *sorted({path.parent for path in view.exposed} - set(view.covered))]
    for path in folders:
        args += ["--tmpfs", str(path)]
    for path in view.exposed:
        args += ["--ro-bind", source(path), str(path)]
    for path in folders:
        args += ["--remount-ro", str(path)]
    for path in view.writable:
        args += ["--bind", source(path), str(path)]
    return args


def _sources(view: View) -> list[Path]:
    system = [path for path in _existing(SYSTEM_PATHS) if not _top_level_link(path)]
    return [*system, *_outermost(_existing(view.read_only)), *view.exposed, *view.writable]


def command(view: View, argv: Sequence[str], env: dict[str, str], network: bool = False) -> list[str]:
    """The command line that runs ``argv`` confined to ``view`` with exactly ``env``.

    As root, a first bwrap (root, in a private mount namespace of its own) binds every source under
    :data:`STAGE`, where :data:`SANDBOX_UID` can reach them; ``setpriv`` then becomes that user, with no
    capability, and starts the real sandbox from there. Otherwise the user's own bwrap starts it directly.
    Call it only where :func:`problem` found none.
    """
    bwrap = _bwrap() or "bwrap"
    stage: dict[Path, str] | None = None
    outer: list[str] = []
    if _as_root():
        stage = {}
        outer = [bwrap, "--dev-bind", "/", "/", "--tmpfs", STAGE]
        for index, path in enumerate(dict.fromkeys(_sources(view))):
            stage[path] = f"{STAGE}/{index}"
            outer += ["--bind" if path in view.writable else "--ro-bind", str(path), stage[path]]
        outer += ["--remount-ro", STAGE, "--die-with-parent", "--cap-add", "CAP_SETUID,CAP_SETGID", "--",
                  shutil.which("setpriv") or "setpriv", f"--reuid={SANDBOX_UID}", f"--regid={SANDBOX_GID}",
                  "--clear-groups", "--pdeathsig=SIGKILL", "--"]  # changing user clears the parent-death signal
    inner = [bwrap, "--unshare-all", "--unshare-user", *(["--share-net"] if not network else []),
             "--disable-userns", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
             "--uid", str(INNER_UID), "--gid", str(INNER_UID), "--hostname", "sandbox", "--clearenv",
             "--size", str(TMP_SIZE), "--tmpfs", "/tmp", "--dir", "/tmp/home", *_binds(view, stage),
             "--proc", "/proc", "--dev", "/dev", "--remount-ro", "/", "--chdir", str(view.writable[0])]
    for name, value in sorted(env.items()):
        inner += ["--setenv", name, value]
    return [*outer, *inner, "--", *argv]


def hand_over(folder: Path) -> None:
    """Let the sandbox write in ``folder`` (made by the grading process), and only there.

    As root, the sandbox runs as :data:`SANDBOX_UID`: the folder becomes that user's. Otherwise the sandbox
    runs as the grading user already.
    """
    if _as_root():
        os.chown(folder, SANDBOX_UID, SANDBOX_GID)


def hand_over_children(folder: Path) -> None:
    """Hand over the folders the grading process made in ``folder`` (pytest's ``tmp_path``); ``folder`` itself
    stays the grading process's, so that the sandbox makes nothing there."""
    if not _as_root() or not folder.is_dir():
        return
    traversable(folder)
    for child in folder.iterdir():
        if not child.is_symlink() and child.is_dir() and child.stat().st_uid != SANDBOX_UID:
            hand_over(child)


def traversable(folder: Path) -> None:
    """The sandbox may pass through ``folder`` (made by the grading process) but neither list nor write it."""
    if _as_root():
        folder.chmod(0o711)


@cache
def problem() -> str | None:
    """Why this host cannot confine the student's code with bubblewrap (None: it can), tried once per process."""
    if _bwrap() is None:
        return "bubblewrap (bwrap) is not installed: install it (Debian/Ubuntu: apt install bubblewrap)"
    with tempfile.TemporaryDirectory(prefix="dlkit-bwrap-check-") as scratch:
        folder = Path(scratch)
        hand_over(folder)
        probe = "import os; os.listdir('/proc'); print(os.getuid())"
        try:
            done = subprocess.run(command(View(runtime_paths(), (folder,)), [sys.executable, "-c", probe], {}),
                                  capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"bubblewrap cannot start: {error}"
    if done.returncode != 0 or done.stdout.strip() != str(INNER_UID):
        detail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return (f"bubblewrap cannot make a sandbox here ({detail}); user namespaces may be disabled "
                "(sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0)")
    return None
