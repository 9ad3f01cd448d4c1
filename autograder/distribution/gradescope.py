"""``autograder gradescope ASSIGNMENT --out autograder.zip``: Gradescope's autograder upload.

The zip holds, at its root, what Gradescope's programming-assignment autograder expects:

* ``setup.sh``: run once when the image is built; installs the grader package (every grader,
  hidden ones included; no solution) with its frameworks, and prepares the datasets (from the
  official sources; from ``DLKIT_DATASET_MIRROR`` when set);
* ``run_autograder``: run per submission; grades the notebook found in ``submission/`` and
  writes ``results/results.json`` (hidden checks with ``after_published`` visibility);
* the grader wheel itself.

Both scripts work under ``/autograder`` (Gradescope's layout: ``source``, ``submission``,
``results``), or under ``$AUTOGRADER_ROOT`` for a rehearsal elsewhere.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from autograder.distribution.bundle import build
from autograder.grading.assignments import load_assignment

SETUP = """#!/usr/bin/env bash
# Gradescope: run once when the autograder image is built.
set -euo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{DLKIT_PYTHON:-python3}}"
if command -v apt-get >/dev/null; then  # bubblewrap confines the student's code (run as nobody, no capability)
  apt-get update -q && apt-get install -y -q --no-install-recommends bubblewrap util-linux \
    $(command -v "$PYTHON" >/dev/null || echo python3 python3-pip)
fi
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \\
  || {{ echo "Python >= 3.11 is needed: choose a Gradescope base image that has it" >&2; exit 1; }}
"$PYTHON" -m pip install --quiet "$ROOT/source/{wheel}[frameworks]"
"$PYTHON" -m autograder data prepare
"""

RUN = """#!/usr/bin/env bash
# Gradescope: run for each submission; writes results/results.json.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{DLKIT_PYTHON:-python3}}"
mkdir -p "$ROOT/results"
# The student's code runs confined by bubblewrap as nobody, seeing neither $ROOT/source nor the installed
# graders. On an image where bubblewrap cannot run (no user namespaces), set DLKIT_ACCEPT_WEAK_ISOLATION=1
# to grade anyway: every result then says that the isolation was weaker.
"$PYTHON" -m autograder grade "$ROOT/submission" --assignment {assignment} --results "$ROOT/results/results.json" \
  ${{DLKIT_ACCEPT_WEAK_ISOLATION:+--accept-weak-isolation}}
status=$?
# 0: graded; 2: no notebook in the submission (results.json says so). Anything else is the kit's failure.
[ "$status" -le 2 ] || exit "$status"
"""


def write_zip(assignment: str, out: Path) -> Path:
    """Write Gradescope's autograder zip for ``assignment`` at ``out``; return it."""
    load_assignment(assignment)  # an unknown assignment fails before anything is built
    with tempfile.TemporaryDirectory(prefix="dlkit-gradescope-") as scratch:
        wheel = build("grader", Path(scratch))
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in (("setup.sh", SETUP.format(wheel=wheel.name)),
                               ("run_autograder", RUN.format(assignment=assignment))):
                info = zipfile.ZipInfo(name)
                info.external_attr = 0o100755 << 16  # executable, as Gradescope runs them
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, text)
            archive.write(wheel, wheel.name)
    return out
