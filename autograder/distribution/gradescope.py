"""``autograder gradescope ASSIGNMENT --out autograder.zip``: Gradescope's autograder upload.

The zip holds, at its root, what Gradescope's programming-assignment autograder expects:

* ``setup.sh``: run once when the image is built; installs bubblewrap, creates the kit's own
  virtual environment (:data:`VENV`: images that follow PEP 668 refuse pip installs into their
  Python) from a Python 3.11+ (Ubuntu 22.04, Gradescope's default image, has 3.10: its
  ``python3.11`` package is installed; failing that, the script says which base image to choose),
  installs the grader package there (every grader, hidden ones included; no solution) with its
  frameworks, and prepares the datasets (from the official sources; from ``DLKIT_DATASET_MIRROR``
  when set);
* ``run_autograder``: run per submission; grades, with that environment, the notebook found in
  ``submission/`` and writes ``results/results.json`` (hidden checks with ``after_published``
  visibility);
* the grader wheel itself.

Both scripts work under ``/autograder`` (Gradescope's layout: ``source``, ``submission``,
``results``), or under ``$AUTOGRADER_ROOT`` for a rehearsal elsewhere, with the environment at
``$DLKIT_GRADESCOPE_VENV`` (an existing one is reused) made from ``$DLKIT_PYTHON`` when set.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from autograder.distribution.bundle import build
from autograder.grading.assignments import load_assignment

#: Where ``setup.sh`` creates the kit's virtual environment (``DLKIT_GRADESCOPE_VENV`` for a rehearsal elsewhere).
VENV = "/opt/dlkit-venv"
MIN_PYTHON = (3, 11)

SETUP = """#!/usr/bin/env bash
# Gradescope: run once when the autograder image is built.
set -euo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
# The kit gets its own virtual environment: images that follow PEP 668 (Ubuntu 23.04 and later, Debian 12) refuse
# pip installs into their Python ("externally-managed-environment"), and the image's own tools keep theirs.
VENV="${{DLKIT_GRADESCOPE_VENV:-{venv}}}"

recent_enough() {{  # recent_enough PYTHON: whether PYTHON runs and is {minimum} or newer
  "$1" -c 'import sys; sys.exit(sys.version_info < {version})' >/dev/null 2>&1
}}

find_python() {{  # the first Python {minimum}+ of $DLKIT_PYTHON, else of python3, python3.13, python3.12, python3.11
  local candidates=(python3 python3.13 python3.12 python3.11) candidate
  if [ -n "${{DLKIT_PYTHON:-}}" ]; then candidates=("$DLKIT_PYTHON"); fi
  for candidate in "${{candidates[@]}}"; do
    if command -v "$candidate" >/dev/null && recent_enough "$candidate"; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}}

too_old() {{
  local found
  found=$("${{DLKIT_PYTHON:-python3}}" --version 2>&1) || found="no ${{DLKIT_PYTHON:-python3}}"
  printf '%s\\n' \\
    "error: the course kit needs Python {minimum} or newer; this image has: $found." \\
    "On Gradescope, choose an Ubuntu base image (Configure Autograder > Base Image) and rebuild: Ubuntu 22.04," \\
    "the default, has Python 3.10 and this script installs Ubuntu's python3.11 package (universe repository): if" \\
    "that failed above, choose a newer Ubuntu if Gradescope lists one (Ubuntu 24.04's python3 is 3.12), or add" \\
    "the deadsnakes PPA to this script. Elsewhere, set DLKIT_PYTHON to a Python {minimum}+." >&2
  exit 1
}}

if command -v apt-get >/dev/null; then  # bubblewrap confines the student's code (run as nobody, no capability)
  apt-get update -q
  apt-get install -y -q --no-install-recommends bubblewrap util-linux
fi
if [ ! -x "$VENV/bin/python" ]; then
  if ! PYTHON=$(find_python); then
    if [ -n "${{DLKIT_PYTHON:-}}" ] || ! command -v apt-get >/dev/null; then too_old; fi
    apt-get install -y -q --no-install-recommends python3.11 python3.11-venv || true
    PYTHON=$(find_python) || too_old
  fi
  if ! "$PYTHON" -m venv "$VENV"; then  # Debian and Ubuntu ship venv's pip apart, in python3.X-venv
    command -v apt-get >/dev/null || exit 1
    apt-get install -y -q --no-install-recommends \\
      "python$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
  fi
fi
recent_enough "$VENV/bin/python" || {{ echo "error: $VENV has a Python older than {minimum}: remove it" >&2; exit 1; }}
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$ROOT/source/{wheel}[frameworks]"
"$VENV/bin/python" -m autograder data prepare
"""

RUN = """#!/usr/bin/env bash
# Gradescope: run for each submission; writes results/results.json.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
VENV="${{DLKIT_GRADESCOPE_VENV:-{venv}}}"  # made by setup.sh
mkdir -p "$ROOT/results"
# The student's code runs confined by bubblewrap as nobody, seeing neither $ROOT/source nor the installed
# graders. On an image where bubblewrap cannot run (no user namespaces), set DLKIT_ACCEPT_WEAK_ISOLATION=1
# to grade anyway: every result then says that the isolation was weaker.
"$VENV/bin/python" -m autograder grade "$ROOT/submission" --assignment {assignment} \\
  --results "$ROOT/results/results.json" ${{DLKIT_ACCEPT_WEAK_ISOLATION:+--accept-weak-isolation}}
status=$?
# 0: graded; 2: no notebook in the submission (results.json says so). Anything else is the kit's failure.
[ "$status" -le 2 ] || exit "$status"
"""


def setup_script(wheel_name: str) -> str:
    """``setup.sh`` installing ``wheel_name`` (found in the zip) into the kit's own virtual environment."""
    return SETUP.format(wheel=wheel_name, venv=VENV, version=MIN_PYTHON,
                        minimum=".".join(map(str, MIN_PYTHON)))


def run_script(assignment: str) -> str:
    """``run_autograder`` grading the submitted notebook as ``assignment`` with the kit's environment."""
    return RUN.format(assignment=assignment, venv=VENV)


def write_zip(assignment: str, out: Path) -> Path:
    """Write Gradescope's autograder zip for ``assignment`` at ``out``; return it."""
    load_assignment(assignment)  # an unknown assignment fails before anything is built
    with tempfile.TemporaryDirectory(prefix="dlkit-gradescope-") as scratch:
        wheel = build("grader", Path(scratch))
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in (("setup.sh", setup_script(wheel.name)), ("run_autograder", run_script(assignment))):
                info = zipfile.ZipInfo(name)
                info.external_attr = 0o100755 << 16  # executable, as Gradescope runs them
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, text)
            archive.write(wheel, wheel.name)
    return out
