"""CSV text that spreadsheets open without evaluating anything (OWASP's CSV injection rules).

Excel, LibreOffice and Google Sheets read a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return as a formula (``=HYPERLINK(...)``, ``=2+5+cmd|' /C calc'!A0``), and student names,
file names and notices come from students. Every CSV the kit writes goes through :func:`csv_text`:
such a cell gets a leading single quote, which spreadsheets show as text, unless it is a plain
number (a negative score stays ``-1.5``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralised(cell: object) -> str:
    """The cell's text, prefixed with ``'`` where a spreadsheet would read it as a formula."""
    text = "" if cell is None else str(cell)
    if text.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """The rows as CSV (the csv module's dialect), every cell neutralised."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([neutralised(cell) for cell in row] for row in rows)
    return buffer.getvalue()
