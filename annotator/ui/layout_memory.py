"""Panel sizes that survive a restart: splitter positions and table column widths, kept with
the window's geometry in QSettings (the settings file holds preferences, not layout)."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings
from PySide6.QtWidgets import QHeaderView, QSplitter, QTableView

_PREFIX = "layout/"


def remember_splitter(splitter: QSplitter, key: str) -> None:
    """Restore ``splitter``'s sizes saved under ``key`` and save them whenever it moves."""
    saved = QSettings().value(_PREFIX + key)
    if isinstance(saved, QByteArray) and not saved.isEmpty():
        splitter.restoreState(saved)
    splitter.splitterMoved.connect(
        lambda _pos, _index: QSettings().setValue(_PREFIX + key, splitter.saveState())
    )


def remember_columns(header: QHeaderView, key: str) -> None:
    """Restore the widths of a table's columns saved under ``key`` and save them whenever one
    is dragged. Only widths: the sort order is the analyst's choice of the moment."""
    saved = QSettings().value(_PREFIX + key)
    if isinstance(saved, str) and saved:
        try:
            widths = [int(part) for part in saved.split(",")]
        except ValueError:
            widths = []
        if len(widths) == header.count():
            for column, width in enumerate(widths):
                stretch = header.sectionResizeMode(column) == QHeaderView.ResizeMode.Stretch
                if width > 0 and not stretch:
                    header.resizeSection(column, width)

    def save(*_args: object) -> None:
        widths = ",".join(str(header.sectionSize(c)) for c in range(header.count()))
        QSettings().setValue(_PREFIX + key, widths)

    header.sectionResized.connect(save)


class ColumnFitter(QObject):
    """Keeps one column of a table readable at any width: ``main`` (a stretching column) gets
    at least ``share`` of the width; the other columns keep the widths asked for (defaults or
    dragged) and give way in proportion, down to their ``minimums``, when they would not fit."""

    def __init__(
        self,
        view: QTableView,
        main: int,
        share: float,
        minimums: Mapping[int, int] | None = None,
    ) -> None:
        super().__init__(view)
        self.view = view
        self.main = main
        self.share = share
        self.minimums = dict(minimums or {})
        self.desired: dict[int, int] = {}
        self._fitting = False
        view.viewport().installEventFilter(self)
        view.horizontalHeader().sectionResized.connect(self._on_header_section_resized)

    def ask(self, column: int, width: int) -> None:
        """The width a column would like (before giving way)."""
        self.desired[column] = width
        self.fit()

    def fit(self) -> None:
        model = self.view.model()
        if model is None:
            return
        header = self.view.horizontalHeader()
        columns = [
            c
            for c in range(model.columnCount())
            if c != self.main and not self.view.isColumnHidden(c)
        ]
        available = self.view.viewport().width()
        keep = max(min(120, available // 2), int(available * self.share))
        wanted = {c: self.desired.get(c, header.sectionSize(c)) for c in columns}
        room = max(0, available - keep)
        total = sum(wanted.values())
        scale = min(1.0, room / total) if total else 1.0
        widths = {c: max(self.minimums.get(c, 32), int(wanted[c] * scale)) for c in columns}
        if sum(widths.values()) > room:
            # Even the minimums leave the main column short: everything else gives way.
            floor = sum(self.minimums.get(c, 32) for c in columns)
            squeeze = room / floor if floor else 1.0
            widths = {c: max(20, int(self.minimums.get(c, 32) * squeeze)) for c in columns}
        self._fitting = True
        try:
            for column, width in widths.items():
                header.resizeSection(column, width)
        finally:
            self._fitting = False

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def _on_header_section_resized(self, column: int, _old: int, new: int) -> None:
        if not self._fitting and column != self.main:
            self.desired[column] = new
