"""Turn a notebook's web-API cell into the files of a container image (04_mnist_mlops).

The notebook holds the Flask application factory in one cell (nbgrader ``grade_id`` ``api``) with
its own imports. :func:`write_deployment` reads the saved notebook with nbformat, keeps that cell's
imports and definitions (the parser the graders use: nothing else of the notebook runs in the
image) and writes, into one folder, ``app.py`` (the cell plus a ``__main__`` block serving on
0.0.0.0:5000), the saved model, ``requirements.txt`` and the ``Dockerfile``: the build context of
``docker build``. The same ``app.py`` runs under a production WSGI server:
``gunicorn 'app:create_app("mnist_model.keras")'``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.grading.notebook import definitions, read_notebook
from autograder.metadata import section

API_CELL = "api"
MODEL_FILE = "mnist_model.keras"
PORT = 5000
MAIN_BLOCK = f'''

if __name__ == "__main__":
    create_app("{MODEL_FILE}").run(host="0.0.0.0", port={PORT})
'''


class DeploymentError(Exception):
    """The notebook has no usable API cell (French message)."""


def api_source(notebook_path: str | Path, grade_id: str = API_CELL) -> str:
    """The imports and definitions of the notebook's cell ``grade_id``, as Python source."""
    notebook = read_notebook(Path(notebook_path))
    indexes = [index for index, cell in enumerate(notebook.cells)
               if section(cell, "nbgrader").get("grade_id") == grade_id]
    if not indexes:
        raise DeploymentError(f"Aucune cellule « {grade_id} » dans {Path(notebook_path).name} : "
                              "enregistrez le notebook du TP (sans renommer ses cellules).")
    cell = next(c for c in definitions(notebook) if c.index == indexes[0])
    if cell.error:
        raise DeploymentError(f"La cellule de l'API ne peut pas être lue : {cell.error}.")
    lines = [line.rstrip() for line in cell.source.splitlines()]
    return "\n".join(lines).strip("\n") + "\n"


def write_deployment(notebook_path: str | Path, folder: str | Path, model_path: str | Path, dockerfile: str,
                     requirements: str) -> Path:
    """Write the build context of the API image into ``folder``; return ``folder``.

    Args:
        notebook_path: the saved ``.ipynb`` (save it first: the file is read, not the kernel).
        folder: created if needed; ``app.py``, ``MODEL_FILE``, ``requirements.txt`` and ``Dockerfile`` go there.
        model_path: the model saved in Keras' native format (copied as ``MODEL_FILE``).
        dockerfile: the Dockerfile's text.
        requirements: the pip requirements file's text.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    source = '"""Prediction API for MNIST digits, generated from the notebook\'s API cell."""\n\n' + api_source(
        notebook_path)
    (folder / "app.py").write_text(source + MAIN_BLOCK, encoding="utf-8")
    if Path(model_path).resolve() != (folder / MODEL_FILE).resolve():
        shutil.copyfile(model_path, folder / MODEL_FILE)
    (folder / "requirements.txt").write_text(requirements.strip() + "\n", encoding="utf-8")
    (folder / "Dockerfile").write_text(dockerfile.strip() + "\n", encoding="utf-8")
    return folder
