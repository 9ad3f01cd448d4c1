"""The instructor's class page of a real batch, in a real headless Chromium.

The batch is 01_regression's example submissions and the hostile corpus, graded once per session
for their own tests (``graded_examples``, ``hostile_corpus``), stored as ``grade --out`` stores
results, and rebuilt with ``autograder report``: the page must render (histograms drawn, every
student's link leading to their feedback page), its numbers must be ``gradebook.csv``'s, and it
must show nothing of a hidden test's code or expected values.
"""

from __future__ import annotations

import csv
import re
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from autograder.cli import main
from autograder.distribution.leaks import collect_secrets
from autograder.grading.batch import ResultStore
from autograder.grading.tasks import result_key
from autograder.results import SubmissionResult
from autograder.submissions import Job
from tests.browser import BROWSER, chromium

ASSIGNMENT = "01_regression"
#: On the pytest-xdist worker that grades 01_regression's examples and the hostile corpus (tests/conftest.py).
pytestmark = [pytest.mark.skipif(isinstance(BROWSER, str), reason=str(BROWSER)), pytest.mark.xdist_group(ASSIGNMENT)]
PLACEHOLDER = re.compile("‹(?:étudiant|fichier|dossier)›")

#: What the page shows, read from its DOM: students' rows, counts, images, links, feedback examples, the rest.
PAGE_JS = """
const rows = Array.from(document.querySelectorAll('table.students tr[data-student]')).map(row => [
  row.dataset.student, row.querySelector('[data-total]').dataset.total, row.querySelector('a').href,
  Object.fromEntries(Array.from(row.querySelectorAll('[data-task]')).map(c => [c.dataset.task, c.textContent]))]);
const counts = Object.fromEntries(Array.from(document.querySelectorAll('[data-count]'))
  .map(e => [e.dataset.count, e.textContent]));
const images = Array.from(document.images).map(i => i.complete && i.naturalWidth > 100);
const feedback = Array.from(document.querySelectorAll('pre.feedback')).map(e => e.textContent);
const body = document.body.cloneNode(true);
body.querySelectorAll('pre.feedback, details summary').forEach(e => e.remove());
return {rows, counts, images, feedback, mean: document.querySelector('[data-mean]').textContent,
        alarms: document.querySelector('#alarms h2').textContent, rest: body.textContent};
"""


def _store(results: list[SubmissionResult], out: Path) -> None:
    """Store ``results`` as ``autograder grade --out`` does (with each notebook's fingerprint)."""
    store = ResultStore(out / ".state")
    for result in results:
        job = Job(Path(result.submission), result.student, result.assignment)
        store.save(job, result_key(job, True, None), result)
    store.save_batch([r.student for r in results], 600.0, 2)


@pytest.fixture(scope="session")
def class_page(graded_examples, hostile_corpus, tmp_path_factory) -> tuple[Path, dict[str, Any],
                                                                           list[SubmissionResult]]:
    """The batch folder rebuilt by ``autograder report``, and what Chromium shows of its ``index.html``."""
    results = [*graded_examples(ASSIGNMENT).values(), *hostile_corpus[0].values()]
    out = tmp_path_factory.mktemp("class-report")
    _store(results, out)
    assert main(["report", str(out)]) == 0
    with chromium(out) as driver:
        driver.get((out / "index.html").as_uri())
        shown = driver.execute_script(PAGE_JS)
        assert driver.save_screenshot(str(out / "index.png"))
    return out, shown, results


def test_page_numbers_are_the_gradebook(class_page):
    out, shown, results = class_page
    gradebook = {row["student"]: row for row in csv.DictReader((out / "gradebook.csv").open(encoding="utf-8"))}
    header = list(next(iter(gradebook.values())))
    tasks = header[header.index("assignment") + 1:header.index("score")]  # the task columns (gradebook_csv)
    assert len(shown["rows"]) == len(gradebook) == len(results) == int(shown["counts"]["batch"])
    for student, total, _, cells in shown["rows"]:
        assert total == gradebook[student]["score"], student
        assert cells == {task: gradebook[student][task] for task in tasks}, student
    scores = [float(row["score"]) for row in gradebook.values()]
    assert shown["mean"] == f"{sum(scores) / len(scores):.4g}"
    unreadable = [r for r in gradebook.values() if r["score"] == "0" and "illisible" in r["notices"].lower()]
    assert int(shown["counts"]["unreadable"]) >= max(2, len(unreadable))
    assert int(shown["counts"]["timeouts"]) >= 1 and int(shown["counts"]["crashes"]) >= 1
    assert int(shown["counts"]["tampering"]) >= 1


def test_page_renders_its_histograms_and_links(class_page):
    out, shown, _ = class_page
    assert len(shown["images"]) >= 8 and all(shown["images"])  # the total and each of the 7 tasks
    for _, _, link, _ in shown["rows"]:
        assert link.startswith("file://") and Path(unquote(link.removeprefix("file://"))).is_file(), link
    assert shown["alarms"].startswith("Alarmes du correcteur")
    assert (out / "index.png").stat().st_size > 10_000


def test_page_shows_no_hidden_code_or_expected_value(class_page):
    out, shown, results = class_page
    secrets = collect_secrets()
    rest = shown["rest"]
    assert not [name for name in secrets.names if re.search(rf"\b{name}\b", rest)]
    assert not [line for line in secrets.lines if line in rest]
    limits = {f"{t.limit:.4g}" for r in results for t in r.tests if t.hidden and t.limit is not None}
    assert limits  # the reference's quality check recorded its limit
    assert not [limit for limit in limits if re.search(rf"(?<![\d.]){re.escape(limit)}(?!\d)", rest)]
    feedback = unescape("\n".join(p.read_text(encoding="utf-8") for p in out.rglob("feedback.html")))
    assert shown["feedback"]
    for example in shown["feedback"]:  # only what students were already shown, anonymised
        assert all(piece in feedback for piece in PLACEHOLDER.split(example) if piece.strip()), example
