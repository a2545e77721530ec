"""What the review may use of the main window: the one narrow interface between them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QMainWindow

from annotator.ui.controllers.workspace import Workspace
from annotator.ui.reader import ReaderView
from annotator.ui.session import ProjectSession


@dataclass(frozen=True)
class ReviewHost:
    """The window as the review sees it.

    ``window`` hosts the Review menu and dock and parents dialogs; ``workspace`` says which
    project and article are shown (and announces changes); ``reader`` draws colleagues' spans
    as an overlay and holds the selection; the callables open an article, show a layer, and
    list the article list's ids in order.
    """

    window: QMainWindow
    workspace: Workspace
    reader: ReaderView
    open_article: Callable[[int], None]
    set_layer_visible: Callable[[str, bool], None]
    listed_article_ids: Callable[[], Iterator[int]]

    @property
    def session(self) -> ProjectSession | None:
        return self.workspace.session

    @property
    def project_path(self) -> Path | None:
        project = self.workspace.project
        return project.path if project is not None else None

    @property
    def article_id(self) -> int | None:
        return self.workspace.article_id

    @property
    def undo_stack(self) -> QUndoStack:
        return self.workspace.undo_stack

    def post(self, text: str, timeout: int = 0) -> None:
        """Show ``text`` on the status line."""
        self.workspace.post(text, timeout)
