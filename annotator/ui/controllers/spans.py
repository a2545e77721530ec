"""Span editing: the Spans dock (the article's spans as a table, kept in step with the reader),
tagging the selection, relabelling, boundaries, the span editor, deleting, and moving between
spans."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QModelIndex, QObject, QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDockWidget,
    QMenu,
    QMessageBox,
    QWidget,
)

from annotator.core.model import Label, Relation, Span
from annotator.core.text import trim_whitespace
from annotator.store import ProjectError
from annotator.ui.commands import (
    AddSpanCommand,
    DeleteRelationCommand,
    DeleteSpanCommand,
    UpdateSpanCommand,
)
from annotator.ui.controllers.workspace import Workspace
from annotator.ui.dialogs import SpanEditorDialog
from annotator.ui.models import SpanTableModel
from annotator.ui.reader import ReaderPane
from annotator.ui.session import ProjectSession
from annotator.ui.span_panel import SpanPanel

_WORD = re.compile(r"\w+", re.UNICODE)
SPAN_ACTIONS = (
    "edit_span",
    "delete_span",
    "link_span",
    "extend_start",
    "shrink_start",
    "shrink_end",
    "extend_end",
    "span_to_selection",
)


class SpanController(QObject):
    """Owns the Spans dock and every edit of a single span."""

    def __init__(
        self,
        workspace: Workspace,
        reader: ReaderPane,
        actions: Mapping[str, QAction],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.reader = reader
        # Why an edit's attributes break the label schema (or None): set by the window.
        self.attribute_check: Callable[[Span, dict[str, object]], str | None] | None = None
        self._actions = actions
        self._syncing = False  # True while the controller itself moves the table's selection
        self.tag_menu: QMenu | None = None  # the Span ▸ Tag as menu, for the context menu
        # The span panel (ui/span_panel.py): filters by label and annotator, sortable columns,
        # a row clicked or entered, or a relation clicked, takes the reader to that span.
        self.panel = SpanPanel()
        self.label_filter = self.panel.label_filter
        self.annotator_filter = self.panel.annotator_filter
        self.view = self.panel.view
        self.view.doubleClicked.connect(lambda _index: self.edit_span())
        self.panel.span_chosen.connect(self._on_panel_span_chosen)
        self.panel.relation_followed.connect(self._on_panel_span_chosen)
        self.dock = QDockWidget("Spans", parent)
        self.dock.setObjectName("spans_dock")
        self.dock.setWidget(self.panel)
        self.model: SpanTableModel | None = None
        view = reader.view
        view.current_span_changed.connect(self._on_reader_current_span_changed)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._on_reader_context_menu)
        a = actions
        a["edit_span"].triggered.connect(self.edit_span)
        a["delete_span"].triggered.connect(self.delete_span)
        a["span_to_selection"].triggered.connect(self.span_to_selection)
        a["extend_start"].triggered.connect(lambda: self.nudge("start", -1))
        a["shrink_start"].triggered.connect(lambda: self.nudge("start", 1))
        a["shrink_end"].triggered.connect(lambda: self.nudge("end", -1))
        a["extend_end"].triggered.connect(lambda: self.nudge("end", 1))
        a["next_span"].triggered.connect(lambda: self.step(1))
        a["previous_span"].triggered.connect(lambda: self.step(-1))
        workspace.actions_stale.connect(self.update_actions)

    # ----------------------------------------------------------------------- the project
    def show_project(self, session: ProjectSession) -> None:
        self.model = SpanTableModel(session, self)
        self.panel.set_model(self.model)
        self.view.selectionModel().currentRowChanged.connect(self._on_view_row_changed)
        session.span_added.connect(self._on_session_span_added)
        session.span_removed.connect(self._on_session_span_removed)
        session.span_changed.connect(self._on_session_span_changed)

    def show_article(
        self, article_id: int | None, spans: list[Span], relations: list[Relation]
    ) -> None:
        assert self.model is not None
        self.model.set_article(article_id, spans, relations)
        self.panel.refresh_annotators()

    def spans(self) -> list[Span]:
        return self.model.spans() if self.model is not None else []

    def set_labels(self, labels: Sequence[Label]) -> None:
        """Offer the labels (with their badges) in the panel's filter."""
        self.panel.set_labels(labels)

    def set_visible_annotators(self, visible: set[str] | None) -> None:
        assert self.model is not None
        self.model.set_visible_annotators(visible)
        self.panel.refresh_annotators()  # the annotator column shows with two or more

    def update_actions(self) -> None:
        on = self.workspace.editable and self.reader.view.current_span_id is not None
        for name in SPAN_ACTIONS:
            self._actions[name].setEnabled(on)

    # ----------------------------------------------------------------------- editing
    def current_span(self) -> Span | None:
        span_id = self.reader.view.current_span_id
        session = self.workspace.session
        if span_id is None or session is None:
            return None
        try:
            return session.project.span(span_id)
        except ProjectError:
            return None

    def tag_selection(self, label_id: int) -> Span | None:
        """Tag the selected text with a label, or relabel the selected span."""
        ws = self.workspace
        if not ws.guard("Tag") or ws.article_id is None:
            return None
        assert ws.session is not None
        selected = self.reader.view.selected_range()
        if selected is None:
            current = self.current_span()
            if current is None:
                ws.post("Select some text first, then press a label's key.", 4000)
                return None
            if current.label_id != label_id:
                self.apply_change(
                    current,
                    {"label_id": label_id},
                    f"Relabel as {ws.session.label(label_id).name}",
                )
            return None
        start, end = selected
        try:
            span = ws.session.add_span(ws.article_id, start, end, label_id)
        except ProjectError as exc:
            ws.post(exc.message, 5000)
            return None
        ws.undo_stack.push(AddSpanCommand(ws.session, span))
        # Drop the text selection so the new highlight shows; the span becomes the current one.
        cursor = self.reader.view.textCursor()
        cursor.clearSelection()
        self.reader.view.setTextCursor(cursor)
        self.reader.view.set_current_span(span.id, scroll=False)
        return span

    def apply_change(
        self, span: Span, changes: dict[str, object], text: str, *, merge: bool = False
    ) -> Span | None:
        ws = self.workspace
        assert ws.session is not None
        try:
            after = ws.session.update_span(span.id, **changes)
        except ProjectError as exc:
            ws.post(exc.message, 5000)
            return None
        ws.undo_stack.push(UpdateSpanCommand(ws.session, span, after, text, merge=merge))
        return after

    def edit_span(self) -> None:
        ws = self.workspace
        span = self.current_span()
        if span is None or not ws.guard("Edit span"):
            return
        assert ws.session is not None
        project = ws.session.project
        spans = {s.id: s for s in project.spans(span.article_id)}
        relations = []
        for rel in project.relations(span.article_id):
            if span.id not in (rel.head_id, rel.child_id):
                continue
            other = spans.get(rel.child_id if rel.head_id == span.id else rel.head_id)
            arrow = "→" if rel.head_id == span.id else "←"
            other_text = other.text if other else "?"
            relations.append((rel, f"{rel.type} {arrow} {other_text}"))
        parent = self.parent()
        assert isinstance(parent, QWidget)
        dialog = SpanEditorDialog(span, ws.article_text, ws.session.labels(), relations, parent)
        if dialog.exec() != SpanEditorDialog.DialogCode.Accepted:
            return
        changes = dialog.changes()
        if not changes and not dialog.removed_relations:
            return
        refusal = self.attribute_check(span, changes) if self.attribute_check else None
        if refusal is not None:  # the label schema's attribute definitions refuse the values
            QMessageBox.warning(parent, "Edit Span", refusal)
            return
        self._apply_edits(span, changes, dialog.removed_relations)

    def _apply_edits(
        self, span: Span, changes: dict[str, object], unlinked: list[Relation]
    ) -> None:
        """One undo step, one transaction; pushed only once the transaction committed."""
        ws = self.workspace
        session = ws.session
        assert session is not None
        try:
            with session.transaction():
                removed = [session.delete_relation(rel.id) for rel in unlinked]
                after = session.update_span(span.id, **changes) if changes else None
        except ProjectError as exc:
            ws.post(exc.message, 5000)
            return
        ws.undo_stack.beginMacro("Edit span")
        try:
            for relation in removed:
                ws.undo_stack.push(DeleteRelationCommand(session, relation))
            if after is not None:
                ws.undo_stack.push(UpdateSpanCommand(session, span, after, "Edit span"))
        finally:
            ws.undo_stack.endMacro()

    def delete_span(self) -> None:
        ws = self.workspace
        span = self.current_span()
        if span is None or not ws.guard("Delete span"):
            return
        assert ws.session is not None
        try:
            snapshot = ws.session.delete_span(span.id)
        except ProjectError:
            return  # the session said why
        ws.undo_stack.push(DeleteSpanCommand(ws.session, snapshot))

    def span_to_selection(self) -> None:
        span = self.current_span()
        selected = self.reader.view.selected_range()
        if span is None or selected is None or not self.workspace.guard("Set span to selection"):
            self.workspace.post("Select a span, then the text it should cover.", 4000)
            return
        start, end = selected
        if (start, end) != (span.start, span.end):
            self.apply_change(span, {"start": start, "end": end}, "Adjust span boundaries")

    def nudge(self, edge: str, direction: int) -> None:
        """Move one edge of the selected span by a word."""
        span = self.current_span()
        if span is None or not self.workspace.guard("Adjust span"):
            return
        text = self.workspace.article_text
        start, end = span.start, span.end
        if edge == "start":
            start = word_step(text, start, direction)
        else:
            end = word_step(text, end, direction)
        start, end = trim_whitespace(text, start, end)
        if start >= end or (start, end) == (span.start, span.end):
            return
        self.apply_change(span, {"start": start, "end": end}, "Adjust span boundaries", merge=True)

    # ----------------------------------------------------------------------- moving
    def step(self, step: int) -> None:
        spans = self.spans()
        if not spans:
            return
        current = self.reader.view.current_span_id
        ids = [s.id for s in spans]
        if current in ids:
            index = ids.index(current) + step
        else:
            anchor = self.reader.view.first_visible_offset()
            index = next((i for i, s in enumerate(spans) if s.start >= anchor), 0)
            if step < 0:
                index -= 1
        index = max(0, min(len(spans) - 1, index))
        self.reader.view.set_current_span(spans[index].id)

    def clear_current(self) -> None:
        self.reader.view.set_current_span(None)

    def keep_current(self, span_id: int | None) -> None:
        """Make ``span_id`` current again after the article was shown anew, if it still is."""
        if span_id is not None and any(s.id == span_id for s in self.spans()):
            self.reader.view.set_current_span(span_id, scroll=False)

    def _on_reader_current_span_changed(self, span_id: object) -> None:
        if isinstance(span_id, int) and self.model is not None:
            row = self.model.row_of(span_id)
            if row is not None:
                self._syncing = True
                try:
                    self.view.selectRow(row)
                finally:
                    self._syncing = False
                self.view.scrollTo(self.model.index(row, SpanTableModel.TEXT))
        else:
            self.view.clearSelection()
        self.workspace.refresh_actions()

    def _on_view_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing or self.model is None:
            return
        span = self.model.span_at(current.row())
        if span is not None and span.id != self.reader.view.current_span_id:
            self.reader.view.set_current_span(span.id)

    def _on_panel_span_chosen(self, span_id: int) -> None:
        """A row clicked or entered, or a relation followed: show that span in the reader,
        scrolled into view even when it was the current span already."""
        if span_id in self.reader.view.spans:
            self.reader.view.set_current_span(span_id)

    def _on_reader_context_menu(self, pos: QPoint) -> None:
        parent = self.parent()
        assert isinstance(parent, QWidget)
        menu = QMenu(parent)
        if self.tag_menu is not None:
            menu.addMenu(self.tag_menu)
        a = self._actions
        menu.addActions([a["edit_span"], a["delete_span"], a["span_to_selection"], a["link_span"]])
        menu.addSeparator()
        copy = menu.addAction("Copy")
        copy.triggered.connect(self.reader.view.copy)
        menu.exec(self.reader.view.mapToGlobal(pos))

    # ----------------------------------------------------------------------- session
    def _on_session_span_added(self, span: Span) -> None:
        if span.article_id == self.workspace.article_id:
            self.reader.view.add_span(span)

    def _on_session_span_removed(self, span_id: int, article_id: int) -> None:
        if article_id == self.workspace.article_id:
            self.reader.view.remove_span(span_id)

    def _on_session_span_changed(self, _before: Span, after: Span) -> None:
        if after.article_id == self.workspace.article_id:
            self.reader.view.update_span(after)


def word_step(text: str, offset: int, direction: int) -> int:
    """The next word boundary from ``offset`` in ``direction`` (-1 left, +1 right)."""
    if direction < 0:
        starts = [m.start() for m in _WORD.finditer(text, max(0, offset - 200), offset)]
        return starts[-1] if starts and starts[-1] < offset else max(0, offset - 1)
    match = _WORD.search(
        text, offset + 1 if offset < len(text) and text[offset].isspace() else offset
    )
    if match is None:
        return len(text)
    end = match.end()
    return end if end > offset else min(len(text), offset + 1)
