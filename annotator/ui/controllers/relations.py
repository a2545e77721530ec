"""Relations drawn by the analyst: linking the current span to the one clicked next (a quote to
its source), with Esc to cancel."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from annotator.core.model import DEFAULT_RELATION_TYPE, Span
from annotator.store import ProjectError
from annotator.ui.commands import AddRelationCommand
from annotator.ui.controllers.workspace import Workspace
from annotator.ui.reader import ReaderPane


class RelationController(QObject):
    """Owns linking: Span ▸ Link, then a click on the other span."""

    def __init__(
        self,
        workspace: Workspace,
        reader: ReaderPane,
        actions: Mapping[str, QAction],
        current_span: Callable[[], Span | None],
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self._current_span = current_span
        self.linking_from: int | None = None
        reader.view.span_clicked.connect(self._on_reader_span_clicked)
        actions["link_span"].triggered.connect(self.start_linking)
        workspace.article_opened.connect(self._on_workspace_article_opened)

    def start_linking(self) -> None:
        ws = self.workspace
        span = self._current_span()
        if span is None or not ws.guard("Link"):
            ws.post("Select the span to link (e.g. a Quote) first.", 4000)
            return
        self.linking_from = span.id
        ws.post("Click the span it is attributed to (e.g. the Source); Esc cancels.", 0)

    def cancel(self) -> bool:
        """Stop linking; whether there was a link in progress."""
        if self.linking_from is None:
            return False
        self.linking_from = None
        self.workspace.post("Linking cancelled.", 3000)
        return True

    def finish_linking(self, target_id: int) -> None:
        ws = self.workspace
        assert ws.session is not None and self.linking_from is not None
        head = self.linking_from
        self.linking_from = None
        if head == target_id:
            ws.post("A span cannot be linked to itself.", 4000)
            return
        if ws.session.project.has_relation(head, target_id, DEFAULT_RELATION_TYPE):
            ws.post("These spans are already linked.", 4000)
            return
        try:
            relation = ws.session.add_relation(head, target_id, DEFAULT_RELATION_TYPE)
        except ProjectError as exc:
            ws.post(exc.message, 5000)
            return
        ws.undo_stack.push(AddRelationCommand(ws.session, relation))
        ws.post("Linked.", 3000)

    def _on_reader_span_clicked(self, span_id: int) -> None:
        if self.linking_from is not None:
            self.finish_linking(span_id)

    def _on_workspace_article_opened(self, _article_id: int) -> None:
        self.linking_from = None
