"""A graded cell's feedback in a real Jupyter kernel of the students' install: it is about the notebook file that will
be graded.

Each test starts an IPython kernel of the environment where the students' wheel is installed (``student_env``,
:mod:`tests.kernels`), in a scratch folder, saves notebook files there with nbformat, runs cells and reads what
the front end would show. The kernel is told which notebook it runs as Jupyter Server tells it, or not told at
all, as on Colab. The update from an older build, in a kernel too, is in ``tests/test_student_bundle.py``.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import nbformat
import pytest

from tests.conftest import reference_notebook, student_notebook
from tests.kernels import Kernel, kernel

#: A kit traceback would show these: a frame line, and the kit's or a library's file.
TRACEBACK_MARKS = re.compile(r'File "|File [^ ]+\.py|site-packages|autograder/|Traceback')


def _installed(k: Kernel, student_env) -> None:
    """The kernel is the students' environment's Python, ``autograder`` the wheel's (not the checkout's)."""
    where = k.where()
    assert where["python"] == str(student_env.python), where
    assert where["autograder"].startswith(str(student_env.root)), where


def _cell(notebook: nbformat.NotebookNode, grade_id: str) -> nbformat.NotebookNode:
    (cell,) = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    return cell


def _saved(path: Path, notebook: nbformat.NotebookNode, **sources: str) -> None:
    """``notebook`` saved at ``path`` with the cells named by grade_id given these sources."""
    notebook = copy.deepcopy(notebook)
    for grade_id, source in sources.items():
        _cell(notebook, grade_id).source = source
    nbformat.write(notebook, path)


# ------------------------------------------------------------------------------------- 01_regression's split

SOLVED = _cell(nbformat.read(reference_notebook("01_regression"), as_version=4), "split_data").source
RELEASED = nbformat.read(student_notebook("01_regression"), as_version=4)
GRADED = _cell(RELEASED, "test_split").source
#: ``train_test_split`` as seen by ``split_data``: through two libraries' loggers that print on the kernel's stderr.
NOISY_LIBRARIES = """
import logging, sys
from sklearn.model_selection import train_test_split as _split

for _name in ("mlflow", "tensorflow"):
    logging.getLogger(_name).addHandler(logging.StreamHandler(sys.stderr))
    logging.getLogger(_name).setLevel(logging.INFO)

def train_test_split(*args, **kwargs):
    logging.getLogger("mlflow.store.db.utils").info("Creating initial MLflow database tables...")
    logging.getLogger("tensorflow").warning("5 out of the last 5 calls triggered tf.function retracing")
    return _split(*args, **kwargs)
"""
BROKEN = SOLVED.replace("def split_data(X, y, test_size=0.2, random_state=42):", "def split_data(X, y:")
EDITED = SOLVED.replace("test_size=0.2, random_state=42):", "test_size=0.25, random_state=42):")
WRONG = "def split_data(X, y, test_size=0.2, random_state=42):\n    return None\n"


def test_graded_cell_speaks_of_the_saved_file(student_env, tmp_path):
    """01_regression's split cell, in a kernel Jupyter told which file it runs (named unlike the assignment).

    Solved and saved: ✔ and the value says 1/1 visible and 2 hidden points, the libraries' logs are quiet
    (not the student's, after). A syntax error saved in the function's cell, or a version saved but not run:
    the cell says the saved file differs and is what is graded. A failing test: no kit traceback. The notebook
    released with a newer kit: the update command. A dataset not prepared: the command that prepares it.
    """
    path = tmp_path / "mon_devoir.ipynb"
    with kernel(student_env, tmp_path, session=path) as k:
        _installed(k, student_env)
        assert k.run("print(__session__)").stdout.strip() == str(path)
        assert k.run(NOISY_LIBRARIES).status == "ok"
        _saved(path, RELEASED, split_data=SOLVED)
        assert k.run(SOLVED).status == "ok"
        graded = k.run(GRADED)
        assert graded.status == "ok", graded
        assert "✔ Découpage 80/20" in graded.stdout and "⚠" not in graded.stdout and graded.stderr == "", graded
        assert graded.data["text/plain"] == "1.0"
        assert "1/1 point visible ; 2 points cachés, notés après la remise" in graded.data["text/html"]
        own = k.run('logging.getLogger("tensorflow").warning("avertissement de l\'étudiant")')
        assert "avertissement de l'étudiant" in own.stderr  # the levels came back after the graded cell

        # A syntax error in the function's cell, saved: the kernel keeps the old split_data, the file has none.
        _saved(path, RELEASED, split_data=BROKEN)
        assert k.run(BROKEN).status == "error"
        graded = k.run(GRADED)
        assert graded.status == "ok" and "✔ Découpage 80/20" in graded.stdout, graded
        index = RELEASED.cells.index(_cell(RELEASED, "split_data")) + 1
        assert ("⚠ Le fichier enregistré diffère du noyau : enregistrez (Ctrl+S) ; c'est le fichier enregistré qui "
                "est noté, pas le noyau.") in graded.stdout
        assert f"Cellule {index} (`split_data`) du fichier : erreur de syntaxe (ligne 1)" in graded.stdout, graded
        assert "Cette cellule ne comptera pas" in graded.stdout

        # Edited and saved (autosave), not run.
        _saved(path, RELEASED, split_data=EDITED)
        graded = k.run(GRADED)
        assert "`split_data` n'est pas la même dans le fichier et dans le noyau" in graded.stdout, graded

        # The function's cell deleted from the file, the kernel still holding it.
        deleted = copy.deepcopy(RELEASED)
        deleted.cells.remove(_cell(deleted, "split_data"))
        nbformat.write(deleted, path)
        graded = k.run(GRADED)
        assert "`split_data` est absente du fichier : les tests ci-dessous ont utilisé la version du noyau" \
            in graded.stdout, graded
        assert "1/1 point visible (sur le noyau, qui diffère du fichier enregistré : voir plus haut)" \
            in graded.data["text/html"]

        # A failing test: the lines say why, the error output is the French summary, no traceback into the kit.
        _saved(path, RELEASED, split_data=WRONG)
        assert k.run(WRONG).status == "ok"
        graded = k.run(GRADED)
        assert graded.status == "error" and "✘ Découpage 80/20" in graded.stdout and "⚠" not in graded.stdout
        assert graded.error.splitlines() == [
            "1 test(s) visible(s) sur 1 non réussi(s) : 0/1 point visible ; 2 points cachés, notés après la remise.",
            "- Découpage 80/20 : formes et types des quatre tableaux"], graded.error

        # The notebook was released with a newer kit than the one installed.
        newer = copy.deepcopy(RELEASED)
        newer.metadata["dlkit"]["kit_version"] = "999.0"
        _saved(path, newer, split_data=WRONG)
        graded = k.run(GRADED)
        assert graded.status == "error" and graded.stdout == "", graded
        assert graded.error.startswith("Kit trop ancien : ce notebook a été publié avec le kit 999.0, le kit installé")
        assert "pip install --upgrade dlkit_student-999.0-py3-none-any.whl" in graded.error
        assert not TRACEBACK_MARKS.search(graded.error), graded.error

        # A kit loader without its dataset.
        (tmp_path / "vide").mkdir()
        loaded = k.run(f"import os\nos.environ['DLKIT_DATA'] = {str(tmp_path / 'vide')!r}\n"
                       "from autograder.data import load_fashion_mnist\n(x, y), _ = load_fashion_mnist()")
        assert loaded.status == "error" and loaded.error.startswith(
            "Le jeu de données Fashion-MNIST n'est pas installé sur cette machine"), loaded.error
        assert "Installez-le avec la commande : autograder data prepare" in loaded.error
        assert len(loaded.error.splitlines()) == 3 and "Traceback" not in loaded.error and "urllib" not in loaded.error


# ---------------------------------------------------------------------------------- 04_mnist_mlops' tracking

MLOPS_SOLVED = nbformat.read(reference_notebook("04_mnist_mlops"), as_version=4)
MLOPS = nbformat.read(student_notebook("04_mnist_mlops"), as_version=4)
#: The notebook's own cell after the graded one: the student's function logs a run to the notebook's store.
OWN_RUN = ("run_id = track_experiment(build_model(), HYPERPARAMETERS, {'test_accuracy': 0.9, 'test_loss': 0.3}, "
           "TRACKING_URI)\nprint(mlflow.MlflowClient(TRACKING_URI).get_run(run_id).info.status)")
SIGNATURE_WARNING = "WARNING mlflow.keras.save: You are saving a Keras model without specifying model signature."


def test_tracking_cell_shows_no_mlflow_logs(student_env, tmp_path):
    """04's tracking, with real MLflow and Keras in a kernel of the students' install: the reference's
    ``track_experiment`` and its graded cell print the checks' lines only, nothing on stderr (no MLflow INFO
    line, no signature warning: the tests' runs are theirs). In the student's own cell that logs a run to the
    notebook's new store, MLflow's INFO lines (its database set-up) stay hidden, its real warning shows."""
    path = tmp_path / "04_mnist_mlops.ipynb"
    _saved(path, MLOPS, **{name: _cell(MLOPS_SOLVED, name).source for name in ("model", "tracking")})
    with kernel(student_env, tmp_path, session=path, DLKIT_QUICK="1") as k:
        imported = k.run(_cell(MLOPS, "imports").source)
        assert imported.status == "ok" and imported.stderr == "", imported
        for name in ("model", "tracking"):
            assert k.run(_cell(MLOPS_SOLVED, name).source).status == "ok"
        graded = k.run(_cell(MLOPS, "test_tracking").source)
        assert graded.status == "ok" and graded.stderr == "", graded
        assert [line[:10] for line in graded.stdout.splitlines()] == ["✔ MLflow :"] * 3, graded
        assert graded.data["text/plain"] == "3.0"

        own = k.run(OWN_RUN)
        assert own.status == "ok" and own.stdout == "FINISHED\n", own
        assert [line.split(" ", 2)[2] for line in own.stderr.splitlines()] == [SIGNATURE_WARNING], own.stderr
        assert (tmp_path / "mlflow.db").is_file()


# -------------------------------------------------------------------------------- 06_cnn_resnet's backend cell

BACKEND = _cell(nbformat.read(student_notebook("06_cnn_resnet"), as_version=4), "test_backend").source
PASSED = "✔ Deux backends : ni tf.… ni keras.backend dans vos fonctions : 1/1"
#: A stand-in for Colab's ``google.colab._message``: its ``get_ipynb`` request answers the notebook.
COLAB = '''
import json
from pathlib import Path

def blocking_request(request_type, request="", timeout_sec=5, parent=None):
    assert request_type == "get_ipynb"
    return {"ipynb": json.loads(Path(__file__).with_name("notebook.json").read_text(encoding="utf-8"))}
'''


def test_notebook_reading_check_without_the_notebook_is_not_counted(student_env, tmp_path):
    """As on Colab: the kernel runs in a folder without the notebook and no front end names it. 06's backend
    check (it reads the notebook's text) says it will be checked on the submitted file: neither failed nor a
    grader error. Then with Colab's own channel (``get_ipynb``, stood in for here), the notebook is read."""
    content = tmp_path / "content"
    content.mkdir()
    with kernel(student_env, content) as k:
        _installed(k, student_env)
        graded = k.run(BACKEND)
        assert graded.status == "ok", graded
        assert "non vérifié ici, vérifié sur le fichier remis (1 point)" in graded.stdout
        assert "Le noyau ne sait pas quel fichier .ipynb il exécute" in graded.stdout
        for wrong in ("✘", "⚠", "Erreur du correcteur", "l'enseignant doit corriger", "pytest"):
            assert wrong not in graded.stdout, graded.stdout
        assert graded.data["text/plain"] == "0.0"
        assert "1 point visible vérifié sur le fichier remis" in graded.data["text/html"]

        colab = tmp_path / "colab" / "google" / "colab"  # ``google`` stays a namespace package (protobuf's)
        colab.mkdir(parents=True)
        (colab / "__init__.py").write_text("")
        (colab / "_message.py").write_text(COLAB)
        notebook = nbformat.read(reference_notebook("06_cnn_resnet"), as_version=4)
        (colab / "notebook.json").write_text(json.dumps(notebook), encoding="utf-8")
        found = k.run(f"import sys\nsys.path.insert(0, {str(colab.parent.parent)!r})\nimport google.colab")
        assert found.status == "ok", found
        graded = k.run(BACKEND)
        assert graded.status == "ok" and PASSED in graded.stdout and "non vérifié" not in graded.stdout, graded


def test_renamed_copy_is_the_notebook_read(student_env, tmp_path):
    """A renamed copy of 06 opened next to 00_fundamentals.ipynb: the backend check reads the copy (the kernel's
    own notebook), not the folder's first notebook."""
    (tmp_path / "00_fundamentals.ipynb").write_bytes(student_notebook("00_fundamentals").read_bytes())
    copy_path = tmp_path / "tp06 - copie de Jeanne.ipynb"
    copy_path.write_bytes(reference_notebook("06_cnn_resnet").read_bytes())
    with kernel(student_env, tmp_path, session=copy_path) as k:
        _installed(k, student_env)
        graded = k.run(BACKEND)
        assert graded.status == "ok", graded
        assert PASSED in graded.stdout and "introuvable" not in graded.stdout, graded.stdout


@pytest.mark.parametrize("value, expected", [(0, "0 point"), (1, "1 point"), (1.5, "1,5 point"), (2, "2 points")])
def test_points_agree_in_french(value, expected):
    from autograder.notebook_api import points

    assert points(value) == expected
    assert points(value, "caché").endswith("cachés" if value >= 2 else "caché")
