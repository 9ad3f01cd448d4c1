"""What installing the students' package costs on each platform: whether it resolves, and its size.

    python -m benchmarks.install_size                          # resolve [frameworks,lab] for every platform
    python -m benchmarks.install_size --install /tmp/student   # and install it here (Linux), timed
    python -m benchmarks.install_size --no-resolve --install /tmp/student   # upgrade the kit there, time the CLI
    python -m benchmarks.install_size --wheel dist/dlkit_student-….whl --extras frameworks

For each platform (Linux x86_64 and aarch64, macOS 14 arm64 and x86_64, Windows x86_64; Python 3.11),
``pip install --dry-run --platform … --python-version 3.11 --only-binary=:all: --report`` resolves the
students' wheel (built from this checkout unless ``--wheel``) with its extras against PyPI, and the
script prints whether it resolves, how many packages, their download size (each file's
``Content-Length``) and their unpacked size (the sum of the files in each wheel, read from the zip's
central directory with HTTP range requests: nothing is downloaded whole). Linux's line also says how
much of it is NVIDIA's CUDA libraries and triton (PyPI's torch for Linux is the CUDA build).

pip evaluates environment markers against the interpreter that runs it, whatever ``--platform`` says:
the resolution runs pip with its marker environment replaced by the target platform's (``sys_platform``,
``platform_machine``...), so that the wheel's markers and those of every dependency (torch's
``nvidia-*`` on Linux only) are judged as on that platform. The machine's own pip configuration (local
wheel folders, constraints) is ignored: only PyPI is asked.

``--install DIR`` then runs the real ``pip install "WHEEL[extras]"`` in a new virtual environment ``DIR``
(kept; a second run upgrades the kit in it), and prints its wall time, the environment's size on disk
and package count, and the wall and CPU time of ``autograder --version``, ``--help``, ``start`` and of
``check`` up to its first grading step, median of 3 runs each (:mod:`benchmarks.student_commands`, which
also times them in a fresh environment without installing the frameworks again).
"""

from __future__ import annotations

import argparse
import json
import os
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name

from autograder.distribution.bundle import build
from benchmarks.student_commands import time_commands

PYTHON = "3.11"


@dataclass(frozen=True)
class Platform:
    """A student's platform: pip's ``--platform`` tag and the environment markers it has."""

    name: str
    tags: tuple[str, ...]
    markers: dict[str, str] = field(default_factory=dict)


def manylinux(arch: str) -> tuple[str, ...]:
    """The tags of a glibc 2.28 Linux (pip expands macOS versions, not glibc's: every one is named)."""
    return (*(f"manylinux_2_{minor}_{arch}" for minor in range(28, 4, -1)), f"manylinux2014_{arch}",
            f"manylinux2010_{arch}", f"manylinux1_{arch}", f"linux_{arch}")


PLATFORMS = (
    Platform("linux-x86_64", manylinux("x86_64"),
             {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64", "os_name": "posix"}),
    Platform("linux-aarch64", manylinux("aarch64"),
             {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "aarch64", "os_name": "posix"}),
    Platform("macos-arm64", ("macosx_14_0_arm64",),
             {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "arm64", "os_name": "posix"}),
    Platform("macos-x86_64", ("macosx_14_0_x86_64",),
             {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "x86_64", "os_name": "posix"}),
    Platform("windows-x86_64", ("win_amd64",),
             {"sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64", "os_name": "nt"}),
)
#: pip, run with the target platform's marker environment (``sys.argv[1]``: the markers as JSON).
PIP_FOR_PLATFORM = """
import json, runpy, sys
from pip._vendor.packaging import markers
target, here = json.loads(sys.argv[1]), markers.default_environment()
markers.default_environment = lambda: {**here, **target}
sys.argv = ["pip", *sys.argv[2:]]
runpy.run_module("pip", run_name="__main__", alter_sys=True)
"""
#: Distributions of NVIDIA's CUDA stack (PyPI's torch for Linux x86_64 depends on them).
CUDA_PREFIXES = ("nvidia-", "cuda-", "triton")


def pip_environment() -> dict[str, str]:
    """This environment without the machine's pip configuration (only PyPI is asked); its CA bundle kept."""
    kept = {"PIP_CERT", "PIP_DEFAULT_TIMEOUT"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") or k in kept}
    return {**env, "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def _ssl_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=os.environ.get("PIP_CERT") or None)


class RemoteFile:
    """A read-only file over HTTP range requests: enough for :class:`zipfile.ZipFile` to read the directory."""

    def __init__(self, url: str, size: int, context: ssl.SSLContext) -> None:
        self.url, self.size, self.context, self.position = url, size, context, 0

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = {0: offset, 1: self.position + offset, 2: self.size + offset}[whence]
        return self.position

    def read(self, count: int = -1) -> bytes:
        end = self.size if count < 0 else min(self.size, self.position + count)
        if end <= self.position:
            return b""
        request = urllib.request.Request(self.url, headers={"Range": f"bytes={self.position}-{end - 1}"})
        with urllib.request.urlopen(request, context=self.context, timeout=120) as answer:
            data = answer.read()
        self.position += len(data)
        return data


def file_sizes(url: str, context: ssl.SSLContext) -> tuple[int, int]:
    """``(download, unpacked)`` bytes of one wheel on PyPI."""
    request = urllib.request.Request(url, method="HEAD")
    with urllib.request.urlopen(request, context=context, timeout=120) as answer:
        size = int(answer.headers["Content-Length"])
    with zipfile.ZipFile(RemoteFile(url, size, context)) as archive:
        return size, sum(info.file_size for info in archive.infolist())


@dataclass
class Resolution:
    """One platform's outcome: the packages (name, version, download bytes, unpacked bytes) or pip's error."""

    platform: Platform
    packages: list[tuple[str, str, int, int]]
    error: str = ""

    def total(self, index: int, prefixes: tuple[str, ...] = ()) -> int:
        return sum(p[index] for p in self.packages if not prefixes or p[0].startswith(prefixes))


def resolve(platform: Platform, wheel: Path, extras: str, sizes: dict[str, tuple[int, int]]) -> Resolution:
    """Resolve ``wheel[extras]`` for ``platform`` against PyPI; sizes from ``sizes`` (filled as needed)."""
    with tempfile.TemporaryDirectory(prefix="dlkit-resolve-") as scratch:
        report = Path(scratch) / "report.json"
        markers = {**platform.markers, "python_version": PYTHON, "python_full_version": f"{PYTHON}.0"}
        completed = subprocess.run(
            [sys.executable, "-c", PIP_FOR_PLATFORM, json.dumps(markers), "install", "--dry-run", "--quiet",
             "--ignore-installed", "--only-binary=:all:", *(f"--platform={tag}" for tag in platform.tags),
             "--python-version", PYTHON,
             "--target", str(Path(scratch) / "target"), "--report", str(report), f"{wheel}[{extras}]"],
            capture_output=True, text=True, env=pip_environment(), timeout=1800)
        if completed.returncode != 0:
            errors = [line for line in completed.stderr.splitlines() if line.startswith("ERROR")]
            return Resolution(platform, [], "\n".join(errors[-3:]) or completed.stderr[-500:])
        installs = json.loads(report.read_text())["install"]
    context = _ssl_context()
    remote = [i["download_info"]["url"] for i in installs if i["download_info"]["url"].startswith("http")]
    with ThreadPoolExecutor(8) as pool:
        for url, found in zip(remote, pool.map(lambda u: sizes.get(u) or file_sizes(u, context), remote),
                              strict=True):
            sizes[url] = found
    packages = []
    for item in installs:
        url = item["download_info"]["url"]
        if url.startswith("http"):
            download, unpacked = sizes[url]
        else:  # the students' wheel itself
            download = wheel.stat().st_size
            with zipfile.ZipFile(wheel) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
        packages.append((canonicalize_name(item["metadata"]["name"]), item["metadata"]["version"], download, unpacked))
    return Resolution(platform, sorted(packages, key=lambda p: -p[3]))


def _gb(size: int) -> str:
    return f"{size / 1e9:.2f} GB"


def print_resolution(result: Resolution) -> None:
    name = result.platform.name
    if result.error:
        print(f"{name:15} does not resolve: {result.error}")
        return
    frameworks = sorted({p[0] for p in result.packages} & {"torch", "tensorflow", "tensorflow-cpu"})
    print(f"{name:15} resolves: {len(result.packages):3} packages, download {_gb(result.total(2))}, "
          f"unpacked {_gb(result.total(3))}; frameworks: {', '.join(frameworks) or 'none'}")
    if cuda := result.total(3, CUDA_PREFIXES):
        print(f"{'':15} of which NVIDIA CUDA and triton: download {_gb(result.total(2, CUDA_PREFIXES))}, "
              f"unpacked {_gb(cuda)}")
    print(f"{'':15} largest: " + ", ".join(f"{p[0]} {p[3] / 1e6:.0f} MB" for p in result.packages[:5]))


def install(wheel: Path, extras: str, venv: Path) -> None:
    """The real ``pip install`` in ``venv`` (made if missing), timed; then the student commands' wall times."""
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    started = time.perf_counter()
    completed = subprocess.run([str(python), "-m", "pip", "install", "--quiet", f"{wheel}[{extras}]"],
                               env=pip_environment(), capture_output=True, text=True)
    wall = time.perf_counter() - started
    if completed.returncode != 0:
        print(f"pip install failed after {wall:.0f} s:\n{completed.stderr[-2000:]}")
        return
    listed = json.loads(subprocess.run([str(python), "-m", "pip", "list", "--format", "json"], capture_output=True,
                                       text=True, check=True, env=pip_environment()).stdout)
    size = int(subprocess.run(["du", "-sb", str(venv)], capture_output=True, text=True, check=True).stdout.split()[0])
    print(f"pip install \"{wheel.name}[{extras}]\": {wall:.0f} s, {len(listed)} packages, {_gb(size)} on disk")
    time_commands(venv)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="the students' wheel (default: built from this checkout)")
    parser.add_argument("--extras", default="frameworks,lab")
    parser.add_argument("--platform", action="append", choices=[p.name for p in PLATFORMS],
                        help="only this platform (repeatable)")
    parser.add_argument("--install", type=Path, metavar="DIR", help="also install it in the virtual environment DIR")
    parser.add_argument("--resolve", action=argparse.BooleanOptionalAction, default=True,
                        help="resolve for each platform (--no-resolve: only --install)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dlkit-wheel-") as scratch:
        wheel = args.wheel or build("student", Path(scratch))
        print(f"{wheel.name}: {wheel.stat().st_size / 1024:.0f} KiB; [{args.extras}] for Python {PYTHON}, "
              f"from PyPI, on {time.strftime('%Y-%m-%d')}")
        sizes: dict[str, tuple[int, int]] = {}
        for platform in PLATFORMS if args.resolve else ():
            if not args.platform or platform.name in args.platform:
                print_resolution(resolve(platform, wheel, args.extras, sizes))
        if args.install:
            install(wheel.resolve(), args.extras, args.install.resolve())


if __name__ == "__main__":
    main()
