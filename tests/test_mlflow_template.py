"""Each MLflow store starts as a copy of a pristine, already migrated store (issue 36): made once by the grading
side, read-only for the sandbox, and an untouched copy reads as no store at all."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from autograder.checks import mlflow_store
from autograder.checks.mlflow_store import STORE_FILE, prepare_store, read_store, template_path
from autograder.data.locations import kit_data_home
from autograder.grading.notebook import DefinitionCell
from autograder.grading.sandbox import Limits, Sandbox, SandboxSetup, jail_spec
from autograder.grading.spec import Failure


@pytest.fixture
def data_home(tmp_path, monkeypatch) -> Path:
    """A kit data folder of this test's own, and no template known to the process yet."""
    home = tmp_path / "data"
    home.mkdir()
    monkeypatch.setenv("DLKIT_DATA", str(home))
    monkeypatch.setattr(mlflow_store, "_template", [])
    return home


def _no_store_message(folder: Path) -> str:
    with pytest.raises(Failure) as caught:
        read_store(folder)
    return str(caught.value)


def test_the_template_is_made_once_read_only_and_remade_when_corrupt(data_home, monkeypatch):
    first = mlflow_store.empty_store()
    path = template_path()
    assert first is not None and path is not None and path.parent == data_home / "mlflow"
    assert path.read_bytes() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
    made = path.stat().st_mtime_ns, path.stat().st_ino
    monkeypatch.setattr(mlflow_store, "_template", [])  # another grading process: validates, does not remake
    assert mlflow_store.empty_store() == first
    assert (path.stat().st_mtime_ns, path.stat().st_ino) == made
    path.chmod(0o644)
    path.write_bytes(first[: len(first) // 2])  # a partial template
    monkeypatch.setattr(mlflow_store, "_template", [])
    remade = mlflow_store.empty_store()
    assert remade is not None and path.read_bytes() == remade and path.stat().st_ino != made[1]


def test_without_the_kit_data_folder_nothing_is_copied(tmp_path, monkeypatch):
    monkeypatch.setenv("DLKIT_DATA", str(tmp_path / "missing"))
    monkeypatch.setattr(mlflow_store, "_template", [])
    folder = tmp_path / "store"
    folder.mkdir()
    prepare_store(folder)
    assert list(folder.iterdir()) == [] and not (tmp_path / "missing").exists()


def test_an_untouched_copy_reads_as_no_store(data_home, tmp_path):
    absent, copied = tmp_path / "absent", tmp_path / "copied"
    for folder in (absent, copied):
        folder.mkdir()
        (folder / "mlruns").mkdir()  # a student's code that ignored the URI
    prepare_store(copied)
    assert (copied / STORE_FILE).read_bytes() == mlflow_store.empty_store()
    message = _no_store_message(copied)
    assert message == _no_store_message(absent)
    assert "Appelez mlflow.set_tracking_uri(tracking_uri)" in message and "['mlruns']" in message


def test_a_store_logged_to_through_the_uri_is_read(data_home, tmp_path, monkeypatch):
    import mlflow

    from autograder.checks.mlflow_store import fresh_tracking, tracking_uri

    opened, logged, migrated = tmp_path / "opened", tmp_path / "logged", tmp_path / "migrated"
    for folder in (opened, logged, migrated):
        folder.mkdir()
    prepare_store(opened)
    prepare_store(logged)  # migrated: none, MLflow makes the store as before
    with fresh_tracking(opened):
        mlflow.set_tracking_uri(tracking_uri(opened))
        mlflow.search_experiments()  # opened, nothing logged: an empty store, as when MLflow creates it
    assert read_store(opened) == []
    found = {}
    for folder in (logged, migrated):
        with fresh_tracking(folder):
            mlflow.set_tracking_uri(tracking_uri(folder))
            with mlflow.start_run(run_name="essai"):
                mlflow.log_param("epochs", 3)
                mlflow.log_text("{}", "architecture.json")
        [run] = read_store(folder)
        found[folder] = run
        assert run.artifact_uri.startswith(f"{folder.resolve()}/mlruns/0/{run.run_id}")
    fields = [(run.experiment, run.name, run.status, run.params, run.artifacts) for run in found.values()]
    assert fields == [("Default", "essai", "FINISHED", {"epochs": "3"}, ("architecture.json",))] * 2


def test_a_template_with_a_trigger_of_its_own_is_made_again(data_home, monkeypatch):
    """A template poisoned where the data folder is writable (weak isolation) is not taken for a pristine one."""
    import sqlite3

    mlflow_store.empty_store()
    path = template_path()
    path.chmod(0o644)
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TRIGGER poison AFTER INSERT ON experiments BEGIN SELECT 1; END")
    monkeypatch.setattr(mlflow_store, "_template", [])
    remade = mlflow_store.empty_store()
    assert remade is not None and path.read_bytes() == remade
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        assert not connection.execute("SELECT name FROM sqlite_master WHERE name = 'poison'").fetchall()


def test_a_copy_the_disk_cannot_take_leaves_nothing_and_blames_no_one(data_home, tmp_path, monkeypatch):
    """A disk the student's code filled: no partial store, no exception (MLflow makes the store in the sandbox)."""
    from autograder.grading import bwrap

    def full(path: Path) -> None:
        raise OSError(28, "No space left on device")

    mlflow_store.empty_store()
    monkeypatch.setattr(bwrap, "hand_over", full)
    folder = tmp_path / "store"
    folder.mkdir()
    prepare_store(folder)
    assert list(folder.iterdir()) == []
    prepare_store(tmp_path / "gone")  # a folder that is not there: nothing raised either


ATTACK = '''
import errno
import os

def attack(path):
    found = []
    for name, action in [("write", lambda: open(path, "r+b").write(b"x")), ("chmod", lambda: os.chmod(path, 0o666)),
                         ("remove", lambda: os.remove(path)), ("rename", lambda: os.rename(path, path + ".x")),
                         ("replace", lambda: open(path + ".new", "wb"))]:
        try:
            action()
            found.append(name + ": done")
        except OSError as error:
            found.append(name + ": " + errno.errorcode.get(error.errno, type(error).__name__))
    return found
'''


def test_the_sandbox_cannot_modify_the_template():
    """The student's code sees the kit's data folder read-only: the template stays as the grading side made it."""
    if not kit_data_home().is_dir():
        pytest.skip("no kit data folder here")
    data = mlflow_store.empty_store()
    path = template_path()
    assert data is not None and path is not None
    setup = SandboxSetup("", (), (), (DefinitionCell(0, ATTACK),))
    limits = Limits(wall_s=120, prestart=False)
    assert kit_data_home().resolve() in jail_spec(setup, limits).read_only
    sandbox = Sandbox(setup, limits)
    try:
        _, observation = sandbox.request({"call": "attack", "args": [str(path)], "kwargs": {}}, 60)
    finally:
        sandbox.close()
    assert observation.error_kind is None, observation.message
    assert [line.split(":")[0] for line in observation.value] == ["write", "chmod", "remove", "rename", "replace"]
    assert not any(line.endswith("done") for line in observation.value), observation.value
    assert {"remove: EROFS", "rename: EROFS", "replace: EROFS"} <= set(observation.value)  # a read-only mount
    assert path.read_bytes() == data and not Path(f"{path}.new").exists()
