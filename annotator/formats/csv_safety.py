"""CSV cells that a spreadsheet would run as formulas, neutralised reversibly.

Excel, LibreOffice and Google Sheets read a cell that begins with ``=``, ``+``, ``-`` or ``@``
as a formula (and TAB or CR before one of them is skipped), so a quote, a note or a title taken
from the news could run ``=HYPERLINK(...)`` or worse on the analyst's machine (CSV injection).
Such a cell is written with a leading apostrophe, which spreadsheets show as text and do not
display. To keep this reversible, a cell that begins with an apostrophe followed by one of
those characters (or by another apostrophe) gets one more apostrophe; :func:`restore` removes
exactly one, so a re-import gives back the original text.
"""

from __future__ import annotations

TRIGGERS = frozenset("=+-@\t\r")
QUOTE = "'"
UTF8_BOM = "\ufeff"


def _needs_quote(value: str) -> bool:
    first = value[:1]
    return first in TRIGGERS or (first == QUOTE and value[1:2] in TRIGGERS | {QUOTE})


def neutralise(value: str) -> str:
    """``value`` as a cell no spreadsheet runs as a formula (see the module doc)."""
    return QUOTE + value if value and _needs_quote(value) else value


def restore(cell: str) -> str:
    """The original text of a cell written by :func:`neutralise` (other cells are unchanged)."""
    if cell[:1] == QUOTE and cell[1:2] in TRIGGERS | {QUOTE}:
        return cell[1:]
    return cell


def is_formula_like(value: str) -> bool:
    """Whether a spreadsheet would read ``value`` as a formula."""
    return value[:1] in TRIGGERS
