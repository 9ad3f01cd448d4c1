"""A notebook's graded cell runs the task's public tests on the kernel's own definitions; start-up logs are quiet."""

from __future__ import annotations

import os

import pytest

from autograder.grading.notebook import definitions, read_notebook
from autograder.notebook_api import HIDDEN_NOTE, GradedTask, PublicTestsFailed
from autograder.results import Status
from autograder.startup_logs import filtered_stderr_descriptor, without_info_records
from tests.conftest import reference_notebook, student_notebook


def _namespace(path) -> dict:
    """What a kernel holds after running the notebook's definitions."""
    namespace: dict = {}
    for cell in definitions(read_notebook(path)):
        exec(compile(cell.source, f"<cellule {cell.index + 1}>", "exec"), namespace)
    return namespace


def test_graded_cell_gives_public_feedback(capsys):
    task = GradedTask("01_regression", "metrics", _namespace(reference_notebook("01_regression")))
    task.run_public()
    task.run_hidden()
    printed = capsys.readouterr().out
    assert task.score == 2
    assert [r.name for r in task.results] == ["metrics_mse", "metrics_rmse"]
    assert "✔ Métrique rmse comparée à numpy : 1/1" in printed
    assert HIDDEN_NOTE in printed and "mae" not in printed


def test_graded_cell_on_the_untouched_notebook_says_what_to_do(capsys):
    task = GradedTask("01_regression", "split", _namespace(student_notebook("01_regression")))
    with pytest.raises(PublicTestsFailed, match=r"1 test\(s\) visible\(s\) sur 1 non réussi\(s\) : 0/1 point visible ; "
                                                r"2 points cachés, notés après la remise\.\n- Découpage 80/20"):
        task.run_public()
    assert task.score == 0
    (result,) = task.results
    assert result.status is Status.ERROR
    assert "NotImplementedError" in result.message and "NotImplementedError" in capsys.readouterr().out


def test_hidden_only_cell_says_what_its_value_is(capsys):
    task = GradedTask("01_regression", "quality", {})
    task.run_public()
    assert capsys.readouterr().out == "" and task.score == 0
    assert repr(task.score) == "0.0"  # what nbgrader reads
    assert task.score._repr_html_() == ('<div class="dlkit-points"><b>Aucun test visible dans cette cellule ; '
                                        '3 points cachés, notés après la remise</b></div>')


TENSORFLOW_START = """WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
I0000 00:00:1796172747.526988   23722 port.cc:153] oneDNN custom operations are on. You may see slightly different.
I0000 00:00:1796172747.584438   23722 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use CPU.
To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow with the compiler flags.
W0000 00:00:1796172747.600000   23722 gpu_device.cc:2] Cannot dlopen some GPU libraries.
E0000 00:00:1796172747.700000   23722 cuda_dnn.cc:8] Unable to register cuDNN factory.
a line of the student's own
"""


def test_start_up_info_is_dropped_and_warnings_and_errors_kept():
    kept = without_info_records(TENSORFLOW_START)
    assert kept.splitlines() == TENSORFLOW_START.splitlines()[4:]


def test_descriptor_two_is_filtered_during_the_block_only(capfd):
    with filtered_stderr_descriptor():
        os.write(2, TENSORFLOW_START.encode())
    os.write(2, b"I0000 00:00:1.0 1 x.cc:1] after the block, untouched\n")
    assert capfd.readouterr().err.splitlines() == [*TENSORFLOW_START.splitlines()[4:],
                                                   "I0000 00:00:1.0 1 x.cc:1] after the block, untouched"]
