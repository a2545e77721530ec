"""Telling the analyst when the project file could not be written: a change that was not saved
(disk full, file locked, file gone, read-only) and backups that could not be made."""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QMainWindow, QMessageBox

from annotator.ui.dialogs import show_message


class StoreErrorReporter(QObject):
    """Shows store failures in the window: each failed change in a dialog and in the status bar
    (where it stays until the next message); failed backups in the status bar every time and in
    a dialog once per project, so a timer does not bury the analyst in dialogs."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._backup_warned_for: set[str] = set()
        self.last_message = ""

    @Slot(str)
    def change_failed(self, message: str) -> None:
        self.last_message = message
        self._window.statusBar().showMessage(message)
        show_message(self._window, QMessageBox.Icon.Warning, "Change not saved", message)

    def backup_failed(self, project_path: object, message: str) -> None:
        text = f"No backup could be made: {message}"
        self.last_message = text
        self._window.statusBar().showMessage(text)
        key = str(project_path)
        if key in self._backup_warned_for:
            return
        self._backup_warned_for.add(key)
        show_message(
            self._window,
            QMessageBox.Icon.Warning,
            "Backup failed",
            f"{text}\n\nYour work is still saved in the project file itself; backups will be "
            "tried again. This is said once; the status bar shows later failures.",
        )
