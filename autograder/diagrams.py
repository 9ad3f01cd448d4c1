"""Show Graphviz diagrams (torchviz computation graphs) in a notebook, or say in French why not.

Building a graph (``torchviz.make_dot``) only writes DOT text; drawing it needs Graphviz's
``dot`` program, which ``pip`` does not install. In a notebook::

    from autograder.diagrams import show_graph
    show_graph(graph)          # the picture, or a French message and None when `dot` is missing
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

DOT_MISSING = (
    "Le programme `dot` de Graphviz est introuvable : le graphe de calcul ne peut pas être dessiné. "
    "Installez Graphviz (Linux : `sudo apt install graphviz` ; macOS : `brew install graphviz` ; "
    "conda : `conda install graphviz` ; Windows : graphviz.org, puis ajoutez son dossier bin au PATH), "
    "puis relancez la cellule. Le graphe reste lisible en texte : print(graphe.source)."
)
RENDER_FAILED = (
    "Graphviz n'a pas pu dessiner le graphe ({error}). Le texte DOT reste disponible : print(graphe.source)."
)


def dot_program() -> str | None:
    """Path of Graphviz's ``dot`` program, or None when it is not on the PATH."""
    return shutil.which("dot")


def show_graph(graph: Any, format: str = "png") -> Any:
    """The graph drawn as an image the notebook displays, or None after a French message.

    Args:
        graph: a ``graphviz.Digraph`` (what ``torchviz.make_dot`` returns).
        format: ``png`` or ``svg``.

    Returns:
        ``IPython.display.Image`` (png) or ``IPython.display.SVG``; None when ``dot`` is missing
        or fails, after printing why and what to do.
    """
    if dot_program() is None:
        print(DOT_MISSING)
        return None
    import graphviz
    from IPython.display import SVG, Image

    try:
        data = graph.pipe(format=format)
    except (graphviz.ExecutableNotFound, subprocess.CalledProcessError, OSError) as error:
        print(RENDER_FAILED.format(error=error))
        return None
    return SVG(data) if format == "svg" else Image(data)
