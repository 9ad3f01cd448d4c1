"""The grading process reads a student's MLflow store only within limits (issue 30, class 6)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from autograder.checks.mlflow_store import MAX_TABLE_ROWS, STORE_FILE, read_store
from autograder.grading.spec import Failure


def _store(folder: Path, statements: list[str]) -> Path:
    path = folder / STORE_FILE
    with sqlite3.connect(path) as connection:
        for statement in statements:
            connection.execute(statement)
    return path


def test_a_view_of_a_million_rows_is_refused_at_once(tmp_path):
    _store(tmp_path, ["CREATE VIEW metrics AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                      "WHERE i < 1000000) SELECT 'k' AS key, i AS value FROM n"])
    started = time.monotonic()
    with pytest.raises(Failure, match="view metrics"):
        read_store(tmp_path)
    assert time.monotonic() - started < 5


def test_a_trigger_of_the_students_is_refused_before_mlflow_writes(tmp_path):
    """Opening a store writes its Default experiment: a trigger on it would compute in the grading process."""
    _store(tmp_path, ["CREATE TABLE experiments (experiment_id INTEGER, name TEXT)",
                      "CREATE TABLE filler (i INTEGER)",
                      "CREATE TRIGGER slow AFTER INSERT ON experiments BEGIN INSERT INTO filler WITH RECURSIVE "
                      "n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) SELECT i FROM n; END"])
    started = time.monotonic()
    with pytest.raises(Failure, match="trigger slow"):
        read_store(tmp_path)
    assert time.monotonic() - started < 5


def test_a_table_with_too_many_rows_is_refused(tmp_path):
    _store(tmp_path, ["CREATE TABLE params (key TEXT)",
                      f"INSERT INTO params WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                      f"WHERE i <= {MAX_TABLE_ROWS}) SELECT 'p' FROM n"])
    with pytest.raises(Failure, match="lignes dans la table params"):
        read_store(tmp_path)


def test_a_link_to_a_host_file_is_not_followed(tmp_path):
    secret = tmp_path / "secret.db"
    _store(tmp_path, ["CREATE TABLE secret (value TEXT)"]).rename(secret)
    (tmp_path / STORE_FILE).symlink_to(secret)
    with pytest.raises(Failure, match="fichier ordinaire"):
        read_store(tmp_path)


def test_a_fifo_does_not_block_the_reader(tmp_path):
    import os

    os.mkfifo(tmp_path / STORE_FILE)
    started = time.monotonic()
    with pytest.raises(Failure):
        read_store(tmp_path)
    assert time.monotonic() - started < 5


def test_garbage_is_the_students_error(tmp_path):
    (tmp_path / STORE_FILE).write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(Failure):
        read_store(tmp_path)


def test_an_artifact_location_escaping_by_percent_encoding_is_not_listed(tmp_path):
    """MLflow decodes ``%2E%2E`` into ``..``: the location is judged as MLflow will read it."""
    from autograder.checks.mlflow_store import local_path

    folder = (tmp_path / "store").resolve()
    (folder / "run").mkdir(parents=True)
    assert local_path(f"file://{folder}/run", folder) == folder / "run"
    assert local_path(f"file://{folder}/run" + "/%2E%2E" * 6 + "/etc", folder) is None
    assert local_path("s3://bucket/run", folder) is None


def test_a_fifo_or_a_link_in_place_of_an_artifact_is_not_read(tmp_path):
    import os

    from autograder.checks.mlflow_store import TrackedRun, _flavors, artifact_text

    run_folder = tmp_path / "artifacts"
    run_folder.mkdir()
    os.mkfifo(run_folder / "MLmodel")
    (run_folder / "architecture.json").symlink_to("/etc/passwd")
    run = TrackedRun("id", "Default", "run", "FINISHED", {}, {}, artifact_uri=f"file://{run_folder}")
    started = time.monotonic()
    assert _flavors(f"file://{run_folder}", tmp_path.resolve()) == ()
    assert artifact_text(tmp_path, run, "architecture.json") is None
    assert time.monotonic() - started < 5
