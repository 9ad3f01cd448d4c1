"""Errors a notebook shows as their French message alone, without a traceback into the kit's code.

IPython asks an exception for ``_render_traceback_()`` before formatting its traceback (Jupyter, Colab and
VS Code kernels all run IPython): the lines it returns are the cell's error output. The cell still fails
(an ``error`` output, which ``nbgrader validate`` counts); only the kit's frames, which a student cannot
act on, are left out. Elsewhere (a script, pytest) these are ordinary exceptions with the same message.
"""

from __future__ import annotations

RED, BOLD, RESET = "\x1b[31m", "\x1b[1m", "\x1b[0m"


class CellMessage:
    """Mixin for an exception class: in a notebook, its message is shown instead of a traceback."""

    def _render_traceback_(self) -> list[str]:
        first, *rest = (str(self) or type(self).__name__).splitlines() or [""]
        return [f"{RED}{BOLD}{first}{RESET}", *rest]
