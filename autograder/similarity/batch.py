"""``autograder similarity``, and the similarity section of a batch folder's class page.

Submissions are read where they are (nothing leaves the machine, unlike MOSS), grouped by assignment and
compared (:mod:`autograder.similarity.compare`) with the assignment's released notebook as starter code;
``--against`` folders (earlier years' archives, solutions found online: notebooks or ``.py`` files) are
compared with every submission, never with one another.

A batch folder written by ``grade --out`` gets ``similarity.html`` and a section of ``index.html`` each time
its exports are written (``grade --out``, ``report``), from the notebooks its results were graded from
(``result.submission``) that are still there, unchanged; ``autograder similarity FOLDER --against DIR``
records its sources in ``.state/similarity.json`` for the next ``report``, where the last comparison is kept
too: exports written again for the same files (``report`` after new overrides) reuse it.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from autograder.export.files import write_atomically
from autograder.similarity.compare import THRESHOLD, Comparison, Starter, Submission, boilerplate, compare
from autograder.similarity.page import class_section, similarity_page
from autograder.similarity.units import Unit, file_units, release_units

#: Written in a batch folder: the page, and (in its state folder, ``autograder.cli.STATE``) the ``--against``
#: sources its class page compares with.
PAGE, RECORD = "similarity.html", Path(".state") / "similarity.json"
SOURCES = ("*.ipynb", "*.py")
#: Changed whenever the page or the comparison changes beyond their parameters: a stored comparison is redone.
RECORD_FORMAT = 1


@dataclass(frozen=True)
class Entry:
    """One file to compare: a student's submission or an external source."""

    name: str
    path: Path
    assignment: str | None = None
    external: bool = False
    digest: str = ""  # the SHA-256 the file was graded with, when known: a changed file is not compared


@dataclass
class Outcome:
    """Each assignment's comparison, what could not be compared (name, why, in French) and the wall time."""

    comparisons: list[Comparison]
    skipped: list[tuple[str, str]]
    seconds: float


@cache
def starter_code(assignment: str | None) -> Starter:
    """The released notebook's fingerprints (copydetect's boilerplate); none for an unknown assignment."""
    from autograder.grading.notebook import NotebookError, read_notebook
    from autograder.paths import ASSIGNMENTS_DIR

    try:
        released = read_notebook(ASSIGNMENTS_DIR / str(assignment) / f"{assignment}.ipynb")
    except NotebookError:
        released = {"cells": []}
    return boilerplate(release_units(released))


@dataclass(frozen=True)
class _File:
    """What one file gives, read once however many entries name it."""

    digest: str
    assignment: str | None
    units: list[Unit]


def _file(path: Path) -> _File:
    """Read and cut one file.

    Raises:
        ValueError: an unreadable notebook (French message).
    """
    from autograder.grading.engine import AssignmentNotFound, resolve_assignment
    from autograder.grading.notebook import NotebookError, read_notebook

    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    notebook, assignment = None, None
    if path.suffix == ".ipynb":
        try:
            notebook = read_notebook(path)
        except NotebookError as error:
            raise ValueError(str(error)) from error
        try:
            assignment = resolve_assignment(path, notebook, None)
        except AssignmentNotFound:
            pass
    return _File(digest, assignment, file_units(path, notebook))


def _read(entry: Entry, batch_assignment: str | None,
          files: dict[Path, _File | Exception]) -> tuple[str | None, Submission]:
    """The entry's assignment and submission (its file read once: ``files``).

    Raises:
        ValueError: unreadable, or changed since it was graded (French message).
        OSError: the file cannot be read.
    """
    if entry.path not in files:
        try:
            files[entry.path] = _file(entry.path)
        except (OSError, ValueError) as error:
            files[entry.path] = error
        except Exception as error:  # noqa: BLE001 - a student's file, whatever is in it, is that entry's problem
            files[entry.path] = ValueError(f"illisible pour la comparaison ({type(error).__name__} : {error})")
    found = files[entry.path]
    if isinstance(found, Exception):
        raise found
    if entry.digest and found.digest != entry.digest:
        raise ValueError("notebook modifié depuis la correction")
    assignment = entry.assignment or batch_assignment or found.assignment
    return assignment, Submission(entry.name, entry.path, found.units, entry.external, digest=found.digest)


def run(entries: list[Entry], assignment: str | None = None, page_dir: Path | None = None,
        threshold: float = THRESHOLD) -> Outcome:
    """Compare ``entries`` assignment by assignment; names link to ``<page_dir>/<student>/feedback.html``
    when it exists. An external source of no known assignment is compared within every assignment."""
    from autograder.class_report.stats import page_link

    started = time.monotonic()
    groups: dict[str, list[Submission]] = {}
    loose: list[Submission] = []
    skipped = []
    files: dict[Path, _File | Exception] = {}
    for entry in entries:
        try:
            name, submission = _read(entry, assignment, files)
        except (OSError, ValueError) as error:
            skipped.append((entry.name, str(error)))
            continue
        if page_dir is not None and not entry.external and (page_dir / entry.name / "feedback.html").is_file():
            submission.page = page_link(entry.name)
        if name is None and entry.external:
            loose.append(submission)
        elif name is None:
            skipped.append((entry.name, "devoir inconnu : passez --assignment"))
        else:
            groups.setdefault(name, []).append(submission)
    comparisons = []
    for name, submissions in sorted(groups.items()):
        if not any(not s.external for s in submissions):
            continue
        comparisons.append(compare(name, [*submissions, *loose], starter_code(name), threshold))
    return Outcome(comparisons, skipped, time.monotonic() - started)


def sources(folders: Iterable[Path]) -> list[Entry]:
    """The external sources of ``--against`` folders (or files): notebooks and Python files, found recursively."""
    found = []
    for folder in map(Path, folders):
        files = [folder] if folder.is_file() else sorted(p for pattern in SOURCES for p in folder.rglob(pattern)
                                                         if ".ipynb_checkpoints" not in p.parts)
        for path in files:
            label = path.name if path == folder else str(path.relative_to(folder))
            found.append(Entry(f"{folder.name}/{label}" if path != folder else label, path, external=True))
    return found


def _record(out: Path) -> dict:
    """The batch folder's similarity record: ``against`` (sources) and the last comparison's ``key`` and ``section``."""
    try:
        data = json.loads((out / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def recorded_sources(out: Path) -> list[Path]:
    """The ``--against`` sources recorded for the batch folder ``out`` (those still there)."""
    return [Path(p) for p in _record(out).get("against", []) if Path(p).exists()]


def graded_entries(gradings: Iterable) -> tuple[list[Entry], list[tuple[str, str]]]:
    """The notebooks a batch's results were graded from (``StoredGrading``), and those no longer there."""
    entries, missing = [], []
    for grading in gradings:
        result = grading.result
        path = Path(result.submission)
        if path.suffix != ".ipynb":
            missing.append((result.student, "aucun notebook à comparer"))
            continue
        if not path.is_file():
            missing.append((result.student, "notebook introuvable (extrait d'une archive puis effacé, ou déplacé) : "
                                            "autograder similarity sur les dépôts"))
            continue
        digest = grading.fingerprint.split(":", 1)[0]
        entries.append(Entry(result.student, path, result.assignment or None, digest=digest))
    return entries, missing


def _key(entries: list[Entry]) -> str:
    """What a batch's comparison depends on: each file (name, path, digest; an external one's size and time),
    the comparison's parameters and copydetect's version."""
    from importlib.metadata import version

    from autograder.similarity import compare as parameters

    files = []
    for entry in entries:
        stat = entry.path.stat() if entry.external and entry.path.exists() else None
        files.append([entry.name, str(entry.path), entry.digest, stat and [stat.st_size, stat.st_mtime_ns]])
    settings = [getattr(parameters, name) for name in ("K_CODE", "WINDOW_CODE", "K_TEXT", "WINDOW_TEXT", "MIN_TOKENS",
                                                       "THRESHOLD", "COMMON_MIN", "COMMON_SHARE", "PREFILTER")]
    text = json.dumps([files, settings, version("copydetect"), RECORD_FORMAT], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def batch_section(gradings: list, out: Path) -> str:
    """Write ``out/similarity.html`` for a batch's gradings and return the class page's section; a batch whose
    files are unchanged since the last comparison (overrides applied by ``report``) reuses it."""
    if importlib.util.find_spec("copydetect") is None:
        return ('<section class="similarity" id="similarity"><h2>Similarité du code et des textes</h2><p>Non '
                "calculée : la bibliothèque copydetect n'est pas installée (pip install -r requirements.txt).</p>"
                "</section>")
    entries, missing = graded_entries(gradings)
    entries += sources(recorded_sources(out))
    key = _key(entries)
    record = _record(out)
    if record.get("key") == key and isinstance(record.get("section"), str) and (out / PAGE).is_file():
        return record["section"]
    outcome = run(entries, page_dir=out)
    skipped = missing + outcome.skipped
    write_atomically(out / PAGE, similarity_page(outcome.comparisons, skipped))
    section = class_section(outcome.comparisons, skipped, PAGE)
    write_atomically(out / RECORD, json.dumps({**record, "key": key, "section": section}, ensure_ascii=False))
    return section


def _stored_entries(folder: Path) -> tuple[list[Entry], list[tuple[str, str]]]:
    from autograder.grading.batch import ResultStore

    store = ResultStore(folder / RECORD.parent)
    gradings = [g for g in map(store.grading, store.batch()["students"]) if g is not None]
    return graded_entries(gradings)


def command(args: argparse.Namespace) -> int:
    """``autograder similarity``: compare, write the page, print the flagged pairs."""
    from autograder.submissions import discover

    inputs = [Path(p) for p in args.inputs]
    batch = inputs[0] if len(inputs) == 1 and (inputs[0] / RECORD.parent).is_dir() else None
    out = Path(args.out) if args.out else (batch / PAGE if batch else Path(PAGE))
    with tempfile.TemporaryDirectory(prefix="dlkit-similarity-") as scratch:
        if batch:
            entries, skipped = _stored_entries(batch)
        else:
            jobs = discover(inputs, args.assignment, Path(scratch))
            entries = [Entry(j.student, j.path, j.assignment) for j in jobs if j.problem is None]
            skipped = [(j.student, j.problem) for j in jobs if j.problem is not None]
        outcome = run(entries + sources(args.against or []), args.assignment, out.parent, args.threshold)
    skipped += outcome.skipped
    write_atomically(out, similarity_page(outcome.comparisons, skipped))
    if batch:  # the sources the class page's section compares with from now on (its last comparison: stale)
        against = [str(Path(p).resolve()) for p in args.against or []]
        write_atomically(batch / RECORD, json.dumps({"against": against}, indent=1, ensure_ascii=False))
    for comparison in outcome.comparisons:
        compared = sum(not s.external for s in comparison.submissions)
        print(f"{comparison.assignment}: {compared} submissions, {len(comparison.flagged)} pair(s) at or above "
              f"{comparison.threshold:.0%}, {len(comparison.clusters)} cluster(s) of 3 or more")
        for pair in comparison.flagged[:20]:
            where = f" ({pair.fragments[0].left.label} / {pair.fragments[0].right.label})" if pair.fragments else ""
            print(f"  {pair.score:4.0%}  {pair.left.name}  {pair.right.name}{where}")
    for name, why in skipped:
        print(f"not compared: {name}: {why}", file=sys.stderr)
    print(f"{out} written in {outcome.seconds:.1f} s" + (f"; `autograder report {batch}` puts it on the class page"
                                                          if batch else ""))
    return 0


def add_command(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``similarity`` on the ``autograder`` parser (its handler: :func:`command`)."""
    parser = commands.add_parser("similarity", help="compare a batch's submissions with one another (and earlier "
                                 "years' or online sources): the instructor's page, no grade changed")
    parser.add_argument("inputs", nargs="+", help="a batch folder written by grade --out, or what grade takes "
                        "(notebooks, folders, zip files, nbgrader's submitted/ folder)")
    parser.add_argument("--against", action="append", metavar="DIR",
                        help="also compare with these sources (notebooks, .py files), not with one another; "
                             "repeatable")
    parser.add_argument("--assignment", help="assignment name (default: from each notebook)")
    parser.add_argument("--out", help="the page to write (default: FOLDER/similarity.html for a batch folder, "
                                      "else ./similarity.html)")
    parser.add_argument("--threshold", type=float, default=THRESHOLD,
                        help=f"flag pairs sharing at least this share of a function, cell or paragraph "
                             f"(default {THRESHOLD})")
    return parser
