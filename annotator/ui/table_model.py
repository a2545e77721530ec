"""The base of the app's flat table models, and what their cells share: a table with fixed
column titles answers the row and column counts and its header here, once; a subclass says how
many rows it has and what each cell shows. Cell text is put on one line, tooltips show text
literally."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

__all__ = ["PAGE", "ModelIndex", "TableModel", "one_line", "plain_tooltip"]

ModelIndex = QModelIndex | QPersistentModelIndex
PAGE = 200  # rows a lazily filled table reads or hands to its view at a time


def plain_tooltip(text: str) -> str:
    """A tooltip showing ``text`` literally: Qt would render a tooltip that looks like HTML."""
    if not text:
        return ""
    escaped = html.escape(text).replace("\n", "<br/>")
    return f"<qt>{escaped}</qt>"


def one_line(text: str, limit: int | None = None) -> str:
    """``text`` on one line (runs of white space, line breaks too, as one space), cut to
    ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


class TableModel(QAbstractTableModel):
    """A flat table whose columns are titled by ``COLUMNS`` (or :meth:`columns`); subclasses
    give :meth:`row_total` and ``data``."""

    COLUMNS: tuple[str, ...] = ()

    def row_total(self) -> int:
        """How many rows the view is shown (for a lazily fetched table: fetched so far)."""
        raise NotImplementedError

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else self.row_total()

    def columns(self) -> Sequence[str]:
        """The column titles: ``COLUMNS``, or a table's own when they change with its data."""
        return self.COLUMNS

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.columns())

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        columns = self.columns()
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(columns)
        ):
            return columns[section]
        return None
