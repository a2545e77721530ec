"""Panel sizes that survive a restart: splitter positions and table column widths, kept with
the window's geometry in QSettings (the settings file holds preferences, not layout)."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt
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
        # A column hidden for want of room keeps the width it had (hidden, it measures 0).
        before = str(QSettings().value(_PREFIX + key) or "").split(",")
        widths = [
            before[c]
            if header.isSectionHidden(c) and c < len(before)
            else str(header.sectionSize(c))
            for c in range(header.count())
        ]
        QSettings().setValue(_PREFIX + key, ",".join(widths))

    header.sectionResized.connect(save)


_HEADER_PADDING = 16  # a header's margins


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
        self.optional: list[int] = []  # columns hidden (in this order) when there is no room
        self._hidden: set[int] = set()  # those hidden for that
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
            if c != self.main and c not in self._hidden and not self.view.isColumnHidden(c)
        ]
        available = self.view.viewport().width()
        keep = max(min(120, available // 2), int(available * self.share))
        wanted = {c: self.desired.get(c, header.sectionSize(c)) for c in columns}
        # No column narrower than its header's words, so no header is ever cut.
        metrics = header.fontMetrics()
        least = {
            c: max(
                self.minimums.get(c, 32),
                metrics.horizontalAdvance(str(model.headerData(c, Qt.Orientation.Horizontal)))
                + _HEADER_PADDING,
            )
            for c in columns
        }
        room = max(0, available - keep)
        hide: list[int] = []
        show: list[int] = []
        if sum(least.values()) > room:
            # Short of room: the columns that may go (``optional``) are hidden first; then the
            # table scrolls sideways rather than cut a header, a date or the main column.
            for column in self.optional:
                if column in wanted and sum(least.values()) > room:
                    hide.append(column)
                    del wanted[column], least[column]
        for column in sorted(self._hidden):
            if sum(least.values()) + self.minimums.get(column, 32) + _HEADER_PADDING < room:
                show.append(column)
                wanted[column] = max(self.minimums.get(column, 32), self.desired.get(column, 0))
                least[column] = self.minimums.get(column, 32)
        widths = self._share_out(wanted, least, room)
        overflow = sum(widths.values()) > room
        mode = QHeaderView.ResizeMode.Interactive if overflow else QHeaderView.ResizeMode.Stretch
        if header.sectionResizeMode(self.main) != mode:
            header.setSectionResizeMode(self.main, mode)
        if overflow:
            widths[self.main] = keep
        for column in hide:
            self._hidden.add(column)
            self.view.setColumnHidden(column, True)
        for column in show:
            self._hidden.discard(column)
            self.view.setColumnHidden(column, False)
        self._fitting = True
        try:
            for column, width in widths.items():
                header.resizeSection(column, width)
        finally:
            self._fitting = False

    @staticmethod
    def _share_out(
        wanted: Mapping[int, int], least: Mapping[int, int], room: int
    ) -> dict[int, int]:
        """The wanted widths, scaled down in proportion to fit ``room``, none below its least."""
        widths = dict(wanted)
        for _ in range(4):  # columns held at their least leave less for the others: again
            free = [c for c in widths if widths[c] > least[c]]
            over = sum(widths.values()) - room
            spare = sum(widths[c] - least[c] for c in free)
            if over <= 0 or not free or spare <= 0:
                break
            cut = min(1.0, over / spare)
            for c in free:
                widths[c] = max(least[c], int(widths[c] - (widths[c] - least[c]) * cut + 0.5))
        return {c: max(least[c], w) for c, w in widths.items()}

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def _on_header_section_resized(self, column: int, _old: int, new: int) -> None:
        if not self._fitting and column != self.main:
            self.desired[column] = new
