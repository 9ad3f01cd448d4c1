"""Describe a matplotlib figure as plain data (in the sandbox) and check it (outside)."""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from autograder.checks.expect import fail
from autograder.grading.spec import Failure


def describe_figure(figure: Any, png: bool = False) -> dict[str, Any]:
    """Plain-data summary: per axes, its labels, title, legend entries, line data and shown images.

    A figure-level legend (``fig.legend()``) counts as every axes' legend. ``images`` holds the data of
    each ``imshow`` of the axes (as float arrays, colour maps not applied); ``bounds`` is the axes'
    place in the figure, ``(x0, y0, width, height)`` in figure fractions (to tell rows and columns).

    Returns:
        ``{"axes": [{"title", "xlabel", "ylabel", "legend": [str] | None,
        "lines": [{"label": str, "x": ndarray, "y": ndarray}], "images": [ndarray], "bounds": [float] * 4}],
        "png": bytes | None}``
    """
    from matplotlib.figure import Figure

    if not isinstance(figure, Figure):
        raise TypeError(f"une figure matplotlib était attendue, pas {type(figure).__name__}")
    axes = []
    figure_legend = [t.get_text() for legend in getattr(figure, "legends", []) for t in legend.get_texts()]
    for ax in figure.axes:
        legend = ax.get_legend()
        texts = ([t.get_text() for t in legend.get_texts()] if legend else []) + figure_legend
        axes.append(
            {
                "title": ax.get_title(),
                "xlabel": ax.get_xlabel(),
                "ylabel": ax.get_ylabel(),
                "legend": texts if legend or figure_legend else None,
                "lines": [
                    {"label": line.get_label(), "x": np.asarray(line.get_xdata(), dtype=float),
                     "y": np.asarray(line.get_ydata(), dtype=float)}
                    for line in ax.get_lines()
                ],
                "images": [np.asarray(np.ma.filled(image.get_array(), np.nan), dtype=float)
                           for image in ax.get_images()],
                "bounds": [float(value) for value in ax.get_position().bounds],
            }
        )
    image = None
    if png:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=60)
        image = buffer.getvalue()
    return {"axes": axes, "png": image}


def expect_curves(found: dict[str, Any], curves: dict[str, np.ndarray], rtol: float = 1e-4) -> None:
    """Each expected curve is drawn (same values), labelled, in a legend, with both axis labels.

    Args:
        found: output of :func:`describe_figure`.
        curves: ``{description: y values}``, e.g. ``{"perte d'entraînement": history["loss"]}``.
    """
    if not found["axes"]:
        raise Failure("La figure ne contient aucun graphique.")
    lines = [(ax, line) for ax in found["axes"] for line in ax["lines"]]
    for description, values in curves.items():
        matches = [(ax, line) for ax, line in lines if line["y"].shape == np.shape(values)
                   and np.allclose(line["y"], values, rtol=rtol)]
        if not matches:
            fail(f"Courbe « {description} »", f"une courbe de {len(values)} points égale à l'historique",
                 f"{len(lines)} courbe(s) sans correspondance")
        ax, line = matches[0]
        if not line["label"] or line["label"].startswith("_"):
            raise Failure(f"La courbe « {description} » n'a pas d'étiquette (label=...).")
        if ax["legend"] is None or line["label"] not in ax["legend"]:
            raise Failure(f"La légende ne montre pas la courbe « {description} » : appelez plt.legend().")
        if not ax["xlabel"] or not ax["ylabel"]:
            fail("Titres des axes (xlabel, ylabel)", "deux titres non vides", (ax["xlabel"], ax["ylabel"]))
    if len({line["label"] for _, line in lines}) < len(curves):
        raise Failure("Les courbes doivent porter des étiquettes distinctes.")

