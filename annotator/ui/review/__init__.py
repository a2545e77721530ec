"""Review ▸ menu: compare colleagues' project files, agreement figures, adjudication, merge."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from annotator.ui.main_window import MainWindow


class ReviewController(QObject):
    """Owns the Review menu and its windows for one main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.menu = window.menuBar().addMenu("&Review")
