"""The ``autograder`` command as students meet it: their commands in French, the rest out of their way.

In-process and quick; the installed package is checked in ``tests/test_student_bundle.py``.
"""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime

import pytest

from autograder.grading.assignments import UnknownAssignment, describe_assignment
from autograder.launcher import main, student_parser
from autograder.version import BASE, UPDATE_COMMAND, kit_version, repository_version
from tests.conftest import student_notebook

ASSIGNMENT = "01_regression"


def test_students_help_lists_their_commands_only_in_french(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("utilisation : autograder") and "affiche cette aide et quitte" in text
    assert "autograder --help-all" in text
    commands = re.findall(r"^    (\S+)", text.split("commandes:")[1], re.M)
    assert commands == ["start", "check", "data"]
    assert not {"grade", "report", "worker", "bundle"} & set(text.split())


def test_help_all_lists_every_command_and_the_others_still_run(capsys):
    from autograder.cli import build_parser

    full = next(a for a in build_parser()._actions if a.dest == "command").choices
    students = next(a for a in student_parser()._actions if a.dest == "command").choices
    assert set(students) < set(full) and {"grade", "report", "bundle"} <= set(full)
    with pytest.raises(SystemExit):
        main(["--help-all"])
    listed = capsys.readouterr().out
    assert set(re.findall(r"^    (\S+)", listed.split("commandes:")[1], re.M)) == set(full)
    with pytest.raises(SystemExit) as done:
        main(["report", "--help"])  # handed to autograder.cli
    assert done.value.code == 0 and "the batch folder written by grade --out" in capsys.readouterr().out


def test_argparse_errors_and_unknown_commands_answer_in_french(capsys):
    for argv, expected in ((["chek"], "commande inconnue « chek »"), ([], "il manque : COMMANDE"),
                           (["check"], "il manque : NOTEBOOK")):
        with pytest.raises(SystemExit) as done:
            main(argv)
        assert done.value.code == 2
        assert f" : erreur : {expected}" in capsys.readouterr().err


def test_version_is_the_checkouts_and_printed(capsys):
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out == f"autograder {kit_version()}\n"
    assert kit_version().startswith(f"{BASE}.dev")  # this checkout is a git repository


def test_versions_grow_with_the_commits_and_a_dirty_tree_says_so(tmp_path):
    from packaging.version import Version

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t", *args], check=True,
                       capture_output=True)

    git("init", "-q")
    (tmp_path / "requirements.txt").write_text("numpy\n")
    git("add", "requirements.txt")
    git("commit", "-q", "-m", "one")
    first = repository_version(tmp_path)
    git("commit", "-q", "--allow-empty", "-m", "two")
    second = repository_version(tmp_path)
    assert first.startswith(f"{BASE}.dev1+g") and second.startswith(f"{BASE}.dev2+g")
    assert Version(first) < Version(second)
    (tmp_path / "requirements.txt").write_text("numpy\npandas\n")
    assert repository_version(tmp_path).endswith(".dirty")
    stamped = repository_version(tmp_path, datetime(2026, 12, 7, 20, 0, tzinfo=UTC))
    assert stamped == f"{second}.dirty20261207200000"
    assert repository_version(tmp_path / "elsewhere") is None


def test_an_assignment_unknown_to_the_kit_says_how_to_update_in_french():
    with pytest.raises(UnknownAssignment) as raised:
        describe_assignment("10_newer_than_the_kit")
    message = str(raised.value)
    assert "« 10_newer_than_the_kit » n'est pas dans le kit installé" in message
    assert UPDATE_COMMAND in message and kit_version() in message and ASSIGNMENT in message


def test_start_of_an_unknown_assignment_and_over_existing_work(tmp_path, capsys):
    assert main(["start", "10_newer_than_the_kit", "--to", str(tmp_path)]) == 2
    assert f"erreur : le devoir « 10_newer_than_the_kit » n'est pas dans le kit installé (version {kit_version()})" \
        in capsys.readouterr().err
    assert main(["start", ASSIGNMENT, "--to", str(tmp_path)]) == 0
    assert (tmp_path / f"{ASSIGNMENT}.ipynb").read_bytes() == student_notebook(ASSIGNMENT).read_bytes()
    assert main(["start", ASSIGNMENT, "--to", str(tmp_path)]) == 2
    assert "votre travail est conservé" in capsys.readouterr().err


def test_check_of_a_task_graded_by_hidden_tests_alone_says_so(capsys):
    """Issue 32: ``check --task quality`` said that no task "quality" existed, then listed it."""
    notebook = str(student_notebook(ASSIGNMENT))
    assert main(["check", notebook, "--task", "quality"]) == 2
    error = capsys.readouterr().err
    assert "la tâche quality n'a pas de test public : elle n'est notée que par les tests cachés" in error
    tasks = error.split("Tâches vérifiables ici : ")[1].strip().split(", ")
    assert "quality" not in tasks and "split" in tasks


def test_bundled_notebooks_record_the_kit_version_and_change_nothing_else():
    from autograder.distribution.bundle import with_kit_version

    text = student_notebook(ASSIGNMENT).read_text(encoding="utf-8")
    stamped = json.loads(with_kit_version(text, "0.1.0.dev7+gabc"))
    assert stamped["metadata"]["dlkit"] == {"assignment": ASSIGNMENT, "kit_version": "0.1.0.dev7+gabc"}
    del stamped["metadata"]["dlkit"]["kit_version"]
    assert json.dumps(stamped, indent=1, sort_keys=True, ensure_ascii=False) + "\n" == text
