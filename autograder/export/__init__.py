"""Exporters: the one result model written to each platform's format.

:func:`write_batch_outputs` writes them all for a batch:

* ``<out>/<student>/results.json``: Gradescope;
* ``<out>/<student>/feedback.html``: the student's feedback page;
* ``<out>/gradebook.csv``, ``<out>/junit.xml``, ``<out>/github-classroom.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

from autograder.export.files import write_atomically
from autograder.export.github import classroom_dict, points_line
from autograder.export.gradebook_csv import gradebook_csv
from autograder.export.gradescope import gradescope_dict
from autograder.export.html import feedback_html
from autograder.export.junit import junit_xml
from autograder.results import SubmissionResult


def write_batch_outputs(results: list[SubmissionResult], out: Path) -> None:
    """Every export of a batch under ``out``."""
    for result in results:
        folder = out / result.student
        write_atomically(folder / "results.json", json.dumps(gradescope_dict(result), indent=2, ensure_ascii=False))
        write_atomically(folder / "feedback.html", feedback_html(result))
    write_atomically(out / "gradebook.csv", gradebook_csv(results))
    write_atomically(out / "junit.xml", junit_xml(results))
    classroom = {r.student: {"points": points_line(r), "result": classroom_dict(r)} for r in results}
    write_atomically(out / "github-classroom.json", json.dumps(classroom, indent=2, ensure_ascii=False))
