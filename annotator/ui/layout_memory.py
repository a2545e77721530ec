"""Panel sizes that survive a restart: splitter positions and table column widths, kept with
the window's geometry in QSettings (the settings file holds preferences, not layout)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QHeaderView, QSplitter

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
    """Restore a table's column widths (and sort column) saved under ``key``; save them
    whenever a column is resized or the sort changes."""
    saved = QSettings().value(_PREFIX + key)
    if isinstance(saved, QByteArray) and not saved.isEmpty():
        header.restoreState(saved)

    def save(*_args: object) -> None:
        QSettings().setValue(_PREFIX + key, header.saveState())

    header.sectionResized.connect(save)
    header.sortIndicatorChanged.connect(save)
