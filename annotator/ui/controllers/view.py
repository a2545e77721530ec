"""How the reader reads: zoom, snapping selections to whole words, and whose name new spans
carry (the annotator)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from annotator.ui.controllers.workspace import Workspace
from annotator.ui.dialogs import ask_annotator_name
from annotator.ui.reader import ReaderPane


class ViewController(QObject):
    """Owns View ▸ Zoom, Edit ▸ Snap to Words and Edit ▸ Annotator Name."""

    def __init__(
        self,
        workspace: Workspace,
        reader: ReaderPane,
        actions: Mapping[str, QAction],
        reopen_article: Callable[[], None],
        window: QWidget,
    ) -> None:
        super().__init__(window)
        self.workspace = workspace
        self.reader = reader
        self._window = window  # parent of the annotator-name dialog
        self._reopen_article = reopen_article
        settings = workspace.settings
        reader.view.snap_to_words = settings.snap_to_words
        actions["zoom_in"].triggered.connect(self.zoom_in)
        actions["zoom_out"].triggered.connect(self.zoom_out)
        actions["zoom_reset"].triggered.connect(lambda: self.set_zoom(0))
        actions["snap_to_words"].setChecked(settings.snap_to_words)
        actions["snap_to_words"].toggled.connect(self.set_snap_to_words)
        actions["set_annotator"].triggered.connect(self.set_annotator)

    def zoom_in(self) -> None:
        self.reader.view.zoom_in()
        self.workspace.settings.zoom = self.reader.view.zoom_steps

    def zoom_out(self) -> None:
        self.reader.view.zoom_out()
        self.workspace.settings.zoom = self.reader.view.zoom_steps

    def set_zoom(self, steps: int) -> None:
        self.reader.view.set_zoom(steps)
        self.workspace.settings.zoom = self.reader.view.zoom_steps

    def set_snap_to_words(self, on: bool) -> None:
        self.workspace.settings.snap_to_words = on
        self.reader.view.snap_to_words = on
        self.workspace.settings.save()

    def set_annotator(self) -> None:
        ws = self.workspace
        name = ask_annotator_name(self._window, ws.settings.annotator)
        if not name or ws.session is None:
            return
        ws.settings.annotator = name
        ws.settings.save()
        ws.session.annotator = name
        self._reopen_article()
