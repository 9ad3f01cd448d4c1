"""A student's malformed file is that student's problem, never the batch's (red-team findings).

Fast: no grading. Malformed notebook metadata (the similarity step, the assignment's resolution), encrypted and
Deflate64 zips, an unreadable nbgrader ``timestamp.txt``, and a class's "download all" zip holding one student's
oversized or over-long-named file: each gives that student a row with a French message, the others go on.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from autograder import results as model
from autograder import submissions
from autograder.grading.engine import resolve_assignment
from autograder.grading.notebook import assignment_of, read_notebook
from autograder.intake import SUBMITTED, attach, set_times, take_in
from autograder.late_policy import UNREADABLE_TIME, parse_policy
from autograder.launcher import assignment_of as launcher_assignment_of
from autograder.metadata import section
from autograder.similarity import batch as similarity
from autograder.similarity.units import notebook_units
from autograder.submission_times import UNREADABLE_SOURCE
from autograder.submissions import discover

ASSIGNMENT = "01_regression"


def _notebook(cells: list[dict], metadata: object = None) -> dict:
    return {"nbformat": 4, "nbformat_minor": 5, "cells": cells,
            "metadata": {"dlkit": {"assignment": ASSIGNMENT}} if metadata is None else metadata}


def _code(source: str, **metadata: object) -> dict:
    return {"cell_type": "code", "id": f"c{abs(hash(source)) % 10**8}", "metadata": metadata, "source": source,
            "outputs": [], "execution_count": None}


def _markdown(source: str, **metadata: object) -> dict:
    return {"cell_type": "markdown", "id": f"m{abs(hash(source)) % 10**8}", "metadata": metadata, "source": source}


def _write(path: Path, notebook: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


@pytest.mark.parametrize("bad", ["x", ["grade_id"], 3, None])
def test_malformed_nbgrader_cell_metadata_is_read_as_absent(bad: object) -> None:
    cell = _markdown("Mon analyse : la régression est linéaire.", nbgrader=bad)
    assert section(cell, "nbgrader") == {}
    units = notebook_units(_notebook([cell, _code("def f(x):\n    return 2 * x\n", nbgrader=bad), "not a cell"]))
    assert len(units) == 2  # both cells are the student's (nbgrader does not know them)


@pytest.mark.parametrize("bad", ["x", [1], 7, {"assignment": ["01_regression"]}])
def test_malformed_notebook_metadata_leaves_the_assignment_to_the_file_name(tmp_path: Path, bad: object) -> None:
    path = _write(tmp_path / "mallory" / f"{ASSIGNMENT}.ipynb", _notebook([_code("x = 1")], {"dlkit": bad}))
    notebook = read_notebook(path)
    assert assignment_of(notebook) is None
    assert resolve_assignment(path, notebook, None) == ASSIGNMENT
    assert launcher_assignment_of(path, None) == ASSIGNMENT
    assert section({"metadata": "x"}, "dlkit") == {} and section("x", "dlkit") == {}


def test_similarity_lists_a_file_it_cannot_read_as_that_students(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    code = "def split(x, y):\n    n = int(0.8 * len(x))\n    return x[:n], x[n:], y[:n], y[n:]\n"
    alice = _write(tmp_path / "alice.ipynb", _notebook([_code(code)]))
    bob = _write(tmp_path / "bob.ipynb", _notebook([_markdown("Réponse", nbgrader="x"), _code(code, nbgrader=[1])]))
    mallory = _write(tmp_path / "mallory.ipynb", _notebook([_code(code)]))
    real = similarity.file_units

    def broken(path: Path, notebook: object) -> object:
        if path == mallory:
            raise TypeError("'int' object is not iterable")
        return real(path, notebook)

    monkeypatch.setattr(similarity, "file_units", broken)
    entries = [similarity.Entry(name, path) for name, path in (("alice", alice), ("bob", bob), ("mallory", mallory))]
    outcome = similarity.run(entries, ASSIGNMENT)
    assert [name for name, _ in outcome.skipped] == ["mallory"]
    assert "illisible pour la comparaison" in outcome.skipped[0][1]
    assert {s.name for c in outcome.comparisons for s in c.submissions} >= {"alice", "bob"}


def _plain_zip(path: Path, members: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zipped:
        for name, data in members.items():
            zipped.writestr(name, data)
    return path


def _deflate64(path: Path, members: dict[str, bytes]) -> Path:
    """A zip whose members say compression method 9 (Deflate64), which Python's zipfile cannot read."""
    data = bytearray(_plain_zip(path, members).read_bytes())
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        start = data.find(signature)
        while start >= 0:
            data[start + offset:start + offset + 2] = (9).to_bytes(2, "little")
            start = data.find(signature, start + 4)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.skipif(shutil.which("zip") is None, reason="the zip command line tool is not installed")
def test_an_encrypted_or_deflate64_zip_is_that_students_error(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    _write(inbox / "alice" / f"{ASSIGNMENT}.ipynb", _notebook([_code("x = 1")]))
    source = _write(tmp_path / "work" / f"{ASSIGNMENT}.ipynb", _notebook([_code("x = 2")]))
    (inbox / "mallory").mkdir(parents=True)
    subprocess.run(["zip", "-q", "-P", "secret", str(inbox / "mallory" / "rendu.zip"), source.name],
                   cwd=source.parent, check=True)
    _deflate64(inbox / "oscar" / "rendu.zip", {f"{ASSIGNMENT}.ipynb": source.read_bytes()})
    _plain_zip(inbox / "eve" / "rendu.zip", {"PK": b""})
    (inbox / "eve" / "rendu.zip").write_bytes(b"PK\x03\x04 not a zip")
    jobs = {job.student: job for job in discover([inbox], ASSIGNMENT, tmp_path / "scratch")}
    assert jobs["alice/01_regression"].problem is None
    assert "archive chiffrée ou illisible" in jobs["mallory"].problem and "mot de passe" in jobs["mallory"].problem
    assert "archive chiffrée ou illisible" in jobs["oscar"].problem
    assert "compression" in jobs["oscar"].problem
    assert "archive chiffrée ou illisible" in jobs["eve"].problem
    with pytest.raises(ValueError, match="chiffrée"):  # the intake's LMS deliveries read ValueError
        submissions._extract(inbox / "mallory" / "rendu.zip", tmp_path / "scratch")


def test_a_class_archive_is_bounded_per_student(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(submissions, "MAX_ZIP_BYTES", 50_000)  # a student's bound; the class's is far above
    notebook = json.dumps(_notebook([_code("x = 1")])).encode()
    long_name = "é" * 150 + ".ipynb"  # 306 bytes: longer than any file system allows
    archive = _plain_zip(tmp_path / "TP1.zip", {
        "Alice Martin_111_assignsubmission_file_/01_regression.ipynb": notebook,
        "Bob Durand_222_assignsubmission_file_/01_regression.ipynb": notebook,
        "Bob Durand_222_assignsubmission_file_/data.csv": b"0" * 60_000,
        f"Mallory Evil_333_assignsubmission_file_/{long_name}": notebook,
        "Carl Petit_444_assignsubmission_file_/01_regression.ipynb": notebook,
    })
    assert sum(i.file_size for i in zipfile.ZipFile(archive).infolist()) > submissions.MAX_ZIP_BYTES
    intake = take_in([archive], ASSIGNMENT, tmp_path / "scratch")
    jobs = {job.student: job for job in intake.jobs}
    assert len(jobs) == 4
    by_label = {arrival.label: job for job, arrival in zip(intake.jobs, intake.arrivals, strict=True)}
    for graded in ("Alice Martin", "Carl Petit", "Mallory Evil"):
        assert by_label[graded].problem is None and by_label[graded].path.suffix == ".ipynb"
    assert len(by_label["Mallory Evil"].path.name.encode()) <= 255
    assert by_label["Mallory Evil"].path.name.endswith(".ipynb")
    assert "refusé : trop volumineux" in by_label["Bob Durand"].problem
    refused = by_label["Bob Durand"].path.read_text(encoding="utf-8")
    assert "trop volumineux" in refused


def test_a_students_archive_keeps_its_whole_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(submissions, "MAX_ZIP_BYTES", 50_000)
    archive = _plain_zip(tmp_path / "inbox" / "bob" / "rendu.zip", {"a.ipynb": b"{}", "b.csv": b"0" * 60_000})
    (job,) = discover([archive.parent.parent], None, tmp_path / "scratch")
    assert job.student == "bob" and "trop volumineuse" in job.problem


def test_an_unreadable_nbgrader_timestamp_is_that_students_alone(tmp_path: Path) -> None:
    submitted = tmp_path / "course" / "submitted"
    for student, stamp in (("alice", "2025-03-15 10:00:00.000000 UTC"), ("mallory", "whenever")):
        folder = submitted / student / ASSIGNMENT
        _write(folder / f"{ASSIGNMENT}.ipynb", _notebook([_code("x = 1")]))
        (folder / "timestamp.txt").write_text(stamp + "\n", encoding="utf-8")
    intake = take_in([tmp_path / "course"], None, tmp_path / "scratch")
    set_times(intake, None, None, "Europe/Paris", False)
    arrivals = intake.by_student()
    assert arrivals["alice"].submitted_at.startswith("2025-03-15T10:00")
    assert arrivals["mallory"].status == SUBMITTED and arrivals["mallory"].submitted_at == ""
    assert arrivals["mallory"].time_source == UNREADABLE_SOURCE
    assert any("mallory" in w and "whenever" in w for w in intake.warnings)
    policy = parse_policy({"time_zone": "Europe/Paris", "assignments": {ASSIGNMENT: {
        "deadline": "2025-03-14 23:59", "penalty": {"per": "hour", "percent": 5}}}})
    results = [model.SubmissionResult(str(job.path), ASSIGNMENT, job.student,
                                [model.TestResult("t", "t", "t", 1.0, 1.0, False, model.Status.PASSED)], [], 0.1)
               for job in intake.jobs]
    attach(results, arrivals, policy)
    late = {result.student: result.late for result in results}
    assert late["mallory"] is not None and late["mallory"].note.startswith(UNREADABLE_TIME)
    assert late["alice"] is not None and late["alice"].percent > 0
