"""Relations drawn by the analyst: linking the current span to the one clicked next (a quote to
its source), with Esc to cancel; the type each new link gets ("Link as", from the project's
editable list of relation types)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from annotator.core.model import Span
from annotator.store import ProjectError
from annotator.store.relation_types import relation_types, set_relation_types
from annotator.ui.commands import AddRelationCommand
from annotator.ui.controllers.workspace import Workspace
from annotator.ui.reader import ReaderPane
from annotator.ui.relation_types import RelationTypeChooser, RelationTypesDialog
from annotator.ui.session import ProjectSession


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
        self.type_chooser = RelationTypeChooser()
        reader.view.span_clicked.connect(self._on_reader_span_clicked)
        actions["link_span"].triggered.connect(self.start_linking)
        actions["relation_types"].triggered.connect(self.edit_relation_types)
        workspace.article_opened.connect(self._on_workspace_article_opened)
        workspace.session_changed.connect(self._on_workspace_session_changed)

    def relation_type(self) -> str:
        """The type the next link gets."""
        return self.type_chooser.chosen()

    def edit_relation_types(self) -> RelationTypesDialog | None:
        """Edit the project's list of relation types (attributed_to stays first)."""
        ws = self.workspace
        if ws.session is None or not ws.guard("Relation types"):
            return None
        parent = self.parent()
        dialog = RelationTypesDialog(
            relation_types(ws.session.project), parent if isinstance(parent, QWidget) else None
        )
        dialog.accepted.connect(lambda: self._on_relation_types_accepted(dialog))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _on_relation_types_accepted(self, dialog: RelationTypesDialog) -> None:
        ws = self.workspace
        if ws.session is None:
            return
        try:
            types = set_relation_types(ws.session.project, dialog.types())
        except ProjectError as exc:
            ws.post(exc.message, 8000)
            return
        self.type_chooser.set_types(types)
        ws.post("Relation types saved.", 3000)

    def _on_workspace_session_changed(self, session: ProjectSession) -> None:
        self.type_chooser.set_types(relation_types(session.project))

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
        kind = self.relation_type()
        if ws.session.project.has_relation(head, target_id, kind):
            ws.post(f"These spans are already linked as {kind}.", 4000)
            return
        try:
            relation = ws.session.add_relation(head, target_id, kind)
        except ProjectError as exc:
            ws.post(exc.message, 5000)
            return
        ws.undo_stack.push(AddRelationCommand(ws.session, relation))
        ws.post(f"Linked as {kind}.", 3000)

    def _on_reader_span_clicked(self, span_id: int) -> None:
        if self.linking_from is not None:
            self.finish_linking(span_id)

    def _on_workspace_article_opened(self, _article_id: int) -> None:
        self.linking_from = None
