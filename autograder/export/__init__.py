"""Exporters: the one result model written to each platform's format.

:func:`write_batch_outputs` writes them all for a batch:

* ``<out>/<student>/results.json``: Gradescope;
* ``<out>/<student>/feedback.html``: the student's feedback page;
* ``<out>/gradebook.csv``, ``<out>/junit.xml``, ``<out>/github-classroom.json`` (per student: the ``Points X/Y``
  line, how many of those points are provisional, "" when none, and the reporter's document);
* ``<out>/index.html``: the instructor's class page (statistics, histograms, grader alarms, item analysis);
* ``<out>/item-analysis.csv``: every check's item analysis (pass rate, discrimination, distance to a limit);
* ``<out>/similarity.html``: the instructor's code and text similarity across the batch, summed up in a
  section of ``index.html`` (:mod:`autograder.similarity`; never in a student's page, no score changed).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from autograder.class_report import build_report
from autograder.export.class_page import class_page
from autograder.export.files import write_atomically
from autograder.export.github import classroom_dict, points_line
from autograder.export.gradebook_csv import gradebook_csv
from autograder.export.gradescope import gradescope_dict
from autograder.export.html import feedback_html
from autograder.export.item_analysis import item_analysis_csv
from autograder.export.junit import junit_xml
from autograder.report import provisional_part
from autograder.results import StoredGrading


def write_batch_outputs(gradings: list[StoredGrading], out: Path, wall_s: float | None = None,
                        jobs: int | None = None) -> None:
    """Every export of a batch under ``out``, from its results (after overrides) and their notebooks' history.

    Args:
        wall_s: the batch's wall time in seconds, and ``jobs`` its grading processes, for the class page.
    """
    results = [grading.result for grading in gradings]
    for result in results:
        folder = out / result.student
        write_atomically(folder / "results.json", json.dumps(gradescope_dict(result), indent=2, ensure_ascii=False))
        write_atomically(folder / "feedback.html", feedback_html(result))
    write_atomically(out / "gradebook.csv", gradebook_csv(results))
    write_atomically(out / "junit.xml", junit_xml(results))
    classroom = {r.student: {"points": points_line(r), "provisional": provisional_part(*r.provisional_score()),
                             "result": classroom_dict(r)} for r in results}
    write_atomically(out / "github-classroom.json", json.dumps(classroom, indent=2, ensure_ascii=False))
    report = build_report(gradings, wall_s, jobs)
    write_atomically(out / "item-analysis.csv", item_analysis_csv(report.items))
    write_atomically(out / "index.html", class_page(report, similarity_section(gradings, out)))


def similarity_section(gradings: list[StoredGrading], out: Path) -> str:
    """The class page's section on code similarity, ``out/similarity.html`` written beside it; "" where the
    instructor's similarity package is absent (it ships in no bundle: a grading machine's exports have none)."""
    if importlib.util.find_spec("autograder.similarity") is None:
        return ""
    from autograder.similarity.batch import batch_section

    return batch_section(gradings, out)
