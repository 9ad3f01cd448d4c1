"""Grader alarms on real gradings: a copy of 00_fundamentals' graders with four defects an instructor can make.

Seven of 00_fundamentals' example submissions (the reference, its four correct alternatives, two wrong
ones) are graded twice into one batch folder by ``autograder grade --out DIR --no-resume`` (three tasks:
``regression``, ``batching``, ``qcm``), first with the kit's own graders, then with a copy of them
(``DLKIT_GRADERS``) carrying these defects:

* a typo in the quiz's answer key (q17: ``c`` for ``b``): every student fails that question;
* the slope limit recalibrated too tight (0.035 where every submission measures 0.0413): every measure
  fails within 0.01 of the limit;
* a typo in a test's code (``found["biais"]``): a ``KeyError`` of the grader's, not of the students';
* state kept between gradings: the batching check fails until a file beside the graders exists (a
  stale cache), so a notebook graded first fails it and passes when regraded.

The kit's graders must raise no alarm on the batch, and the defective ones exactly the alarms naming
those checks, in ``autograder report --json`` and at the top of the page.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.paths import EXAMPLES_DIR, GRADERS_DIR, KIT_ROOT, SOLUTIONS_DIR

ASSIGNMENT = "00_fundamentals"
#: Beside the pytest-xdist worker's other 00_fundamentals gradings (tests/conftest.py).
pytestmark = pytest.mark.xdist_group(ASSIGNMENT)
EXAMPLES = ("valid_keras_functional_api", "valid_torch_functional_forms", "valid_manual_autograd",
            "valid_wrapped_linear_model", "wrong_loader_no_shuffle", "wrong_qcm_answers")
TASKS = ("regression", "batching", "qcm")
STALE_CACHE = "stale-cache"

#: (file, text, replacement): each text occurs once in the kit's graders.
DEFECTS = (
    ("test_hidden.py", '"q17": ("b",', '"q17": ("c",'),
    ("test_hidden.py", "    limit=0.25,\n", "    limit=0.035,\n"),
    ("test_hidden.py", 'float(found["bias"].ravel()[0])', 'float(found["biais"].ravel()[0])'),
    ("test_hidden.py", "    found = student.run(probes.loader_epochs, 45, 10)\n",
     "    found = student.run(probes.loader_epochs, 45, 10)\n"
     f"    cache = Path(__file__).resolve().parents[2] / {STALE_CACHE!r}\n"
     "    if not cache.exists():\n"
     "        cache.touch()\n"
     "        found['length'] += 1\n"),
    ("test_hidden.py", "from __future__ import annotations\n",
     "from __future__ import annotations\n\nfrom pathlib import Path\n"),
)
EXPECTED = {("grader_errors", "regression_arguments"), ("nearly_all_fail", "qcm_q17"),
            ("nearly_all_fail", "regression_slope"), ("threshold_cluster", "regression_slope"),
            ("unstable_outcomes", "batching_pairs")}


def defective_graders(root: Path) -> Path:
    """A copy of the kit's graders under ``root/graders`` with :data:`DEFECTS` applied to 00_fundamentals'."""
    graders = root / "graders"
    shutil.copytree(GRADERS_DIR, graders, ignore=shutil.ignore_patterns("__pycache__"))
    for name, text, replacement in DEFECTS:
        path = graders / f"a{ASSIGNMENT}" / name
        source = path.read_text(encoding="utf-8")
        assert source.count(text) == 1, (name, text)
        path.write_text(source.replace(text, replacement), encoding="utf-8")
    return graders


def grade_twice(inbox: Path, out: Path, graders: Path | None) -> None:
    """``autograder grade`` of the inbox, then again with ``--no-resume``, into ``out``."""
    env = {**os.environ, "PYTHONPATH": str(KIT_ROOT)}
    if graders is not None:
        env["DLKIT_GRADERS"] = str(graders)
    command = [sys.executable, "-m", "autograder", "grade", str(inbox), "--out", str(out), "--jobs", "2",
               *(option for task in TASKS for option in ("--task", task))]
    for extra in ([], ["--no-resume"]):
        done = subprocess.run([*command, *extra], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def report(out: Path, graders: Path | None) -> dict:
    env = {**os.environ, "PYTHONPATH": str(KIT_ROOT), **({"DLKIT_GRADERS": str(graders)} if graders else {})}
    done = subprocess.run([sys.executable, "-m", "autograder", "report", str(out), "--json"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("alarms-inbox")
    shutil.copy(SOLUTIONS_DIR / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", folder / "reference.ipynb")
    for name in EXAMPLES:
        shutil.copy(EXAMPLES_DIR / ASSIGNMENT / f"{name}.ipynb", folder / f"{name}.ipynb")
    return folder


def test_the_kits_graders_raise_no_alarm_on_two_gradings(inbox, tmp_path):
    grade_twice(inbox, tmp_path / "out", None)
    found = report(tmp_path / "out", None)
    assert found["alarms"] == {ASSIGNMENT: []}
    assert found["stats"]["submissions"] == len(EXAMPLES) + 1


def test_each_defect_raises_its_alarm_and_no_other(inbox, tmp_path):
    graders = defective_graders(tmp_path)
    grade_twice(inbox, tmp_path / "out", graders)
    alarms = report(tmp_path / "out", graders)["alarms"][ASSIGNMENT]
    assert {(a["rule"], a["check"]) for a in alarms} == EXPECTED
    students = {"reference", *EXAMPLES}
    for alarm in alarms:
        if alarm["rule"] == "unstable_outcomes":  # the notebooks graded first (two at once: --jobs 2)
            assert 1 <= len(alarm["students"]) <= 2 and set(alarm["students"]) <= students
        else:
            assert set(alarm["students"]) == students, alarm
        assert "0.035" not in alarm["message"] and "biais" not in alarm["message"]
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    start = page.index('<section class="alarms" id="alarms">')
    shown = page[start:page.index("</section>", start)]
    assert page.index("<section") == start  # the alarms come first
    assert f"({len(EXPECTED)})" in shown
    assert all(f'data-rule="{rule}" data-check="{check}"' in shown for rule, check in EXPECTED)
