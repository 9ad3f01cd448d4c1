"""Time to build the course's wheels and to scan them for leaks.

    python -m benchmarks.bundle_time            # student and grader wheels, 3 builds each

Prints, per kind, the wall time of each build (staging, ``pip wheel``, and for the student
wheel the leak scan it runs), the wheel's size and file count, and the scan's time alone.
The issue's budget: under 30 s for the student bundle.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import zipfile
from pathlib import Path

from autograder.distribution.bundle import KINDS, build
from autograder.distribution.leaks import collect_secrets, scan_wheel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for kind in sorted(KINDS):
        timings = []
        with tempfile.TemporaryDirectory() as scratch:
            for _ in range(args.repeat):
                started = time.perf_counter()
                wheel = build(kind, Path(scratch))
                timings.append(time.perf_counter() - started)
            started = time.perf_counter()
            findings = scan_wheel(wheel, collect_secrets())
            scan_s = time.perf_counter() - started
            with zipfile.ZipFile(wheel) as archive:
                count = len(archive.namelist())
            print(f"{kind:8} build {min(timings):5.1f} s (best of {args.repeat}; all: "
                  f"{', '.join(f'{t:.1f}' for t in timings)})  {wheel.stat().st_size / 1024:6.0f} KiB  "
                  f"{count} files  scan {scan_s:.1f} s, {len(findings)} finding(s)")


if __name__ == "__main__":
    main()
