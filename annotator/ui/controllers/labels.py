"""Labels: one tagging action per label (toolbar, Span ▸ Tag as, hotkeys) and the label
manager, whose adds, changes, deletes and reorders go through the undo stack."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox, QToolBar, QWidget

from annotator.core.model import Label, LabelSpec
from annotator.store import ProjectError
from annotator.store.errors import StoreWriteFailed
from annotator.ui.commands import (
    AddLabelCommand,
    DeleteLabelCommand,
    ReorderLabelsCommand,
    UpdateLabelCommand,
)
from annotator.ui.controllers.workspace import Workspace
from annotator.ui.dialogs import LabelManagerDialog, color_icon, show_message
from annotator.ui.session import ProjectSession
from annotator.ui.table_model import plain_tooltip


class LabelController(QObject):
    """Owns the tagging actions of the project's labels and the label manager dialog."""

    labels_rebuilt = Signal(list)  # the project's labels, in order, after they changed

    def __init__(
        self,
        workspace: Workspace,
        window: QWidget,
        label_bar: QToolBar,
        tag_menu: QMenu,
        tag: Callable[[int], object],
    ) -> None:
        super().__init__(window)
        self.workspace = workspace
        self._window = window  # tagging actions are added to it, so their hotkeys work anywhere
        self.label_bar = label_bar
        self.tag_menu = tag_menu
        self._tag = tag
        self.label_actions: list[QAction] = []
        self.label_dialog: LabelManagerDialog | None = None
        self._bar_end = label_bar.addSeparator()
        self._manage_action: QAction | None = None
        workspace.actions_stale.connect(self.update_actions)

    def bind_manage_action(self, action: QAction) -> None:
        self._manage_action = action
        action.triggered.connect(self.manage_labels)

    def show_project(self, session: ProjectSession) -> None:
        session.labels_changed.connect(self._on_session_labels_changed)

    def update_actions(self) -> None:
        editable = self.workspace.editable
        if self._manage_action is not None:
            self._manage_action.setEnabled(editable)
        for action in self.label_actions:
            action.setEnabled(editable and self.workspace.article_id is not None)

    # ----------------------------------------------------------------------- tagging
    def rebuild(self) -> None:
        """Make one action per label anew, then tell the panels (labels_rebuilt)."""
        session = self.workspace.session
        assert session is not None
        for action in self.label_actions:
            self._window.removeAction(action)
            action.deleteLater()
        self.label_actions = []
        self.tag_menu.clear()
        labels = session.labels()
        for label in labels:
            # "&" would turn the next letter into a mnemonic: a label name is shown as typed.
            text = label.name.replace("&", "&&") + (f" ({label.hotkey})" if label.hotkey else "")
            action = QAction(color_icon(label.color), text, self._window)
            action.setObjectName(f"tag_{label.id}")
            if label.hotkey:
                action.setShortcut(QKeySequence(label.hotkey))
            tip = f"Tag the selection as {label.name}, or relabel the selected span"
            action.setToolTip(
                plain_tooltip(tip + (f"\n{label.description}" if label.description else ""))
            )
            action.setStatusTip(tip)
            action.triggered.connect(lambda _=False, lid=label.id: self._tag(lid))
            self._window.addAction(action)
            self.label_bar.insertAction(self._bar_end, action)
            self.tag_menu.addAction(action)
            self.label_actions.append(action)
        self.labels_rebuilt.emit(labels)

    # ----------------------------------------------------------------------- managing
    def manage_labels(self) -> None:
        ws = self.workspace
        assert ws.session is not None
        if self.label_dialog is None:
            dialog = LabelManagerDialog(self._labels, self._usage, self._window)
            dialog.add_requested.connect(self.add_label)
            dialog.update_requested.connect(self.update_label)
            dialog.delete_requested.connect(self.delete_label)
            dialog.reorder_requested.connect(self.reorder_labels)
            dialog.finished.connect(self._on_dialog_finished)
            self.label_dialog = dialog
        self.label_dialog.refresh()
        self.label_dialog.show()
        self.label_dialog.raise_()

    def _labels(self) -> list[Label]:
        session = self.workspace.session
        return session.labels() if session else []

    def _usage(self, label_id: int) -> int:
        session = self.workspace.session
        return session.project.label_usage(label_id) if session else 0

    def _on_dialog_finished(self, _result: int) -> None:
        self.label_dialog = None

    def add_label(self, spec: LabelSpec) -> None:
        ws = self.workspace
        if not ws.guard("Add label"):
            return
        assert ws.session is not None
        try:
            label = ws.session.add_label(spec)
        except StoreWriteFailed:
            return  # the session said why
        except ProjectError as exc:
            show_message(self._window, QMessageBox.Icon.Warning, "Add label", exc.message)
            return
        ws.undo_stack.push(AddLabelCommand(ws.session, label))

    def update_label(self, label_id: int, changes: dict[str, object]) -> None:
        ws = self.workspace
        if not ws.guard("Change label"):
            return
        assert ws.session is not None
        try:
            before, after = ws.session.update_label(label_id, **changes)
        except StoreWriteFailed:
            return  # the session said why
        except ProjectError as exc:
            show_message(self._window, QMessageBox.Icon.Warning, "Change label", exc.message)
            return
        what = ", ".join(changes)
        ws.undo_stack.push(
            UpdateLabelCommand(ws.session, before, after, f"Change {what} of label {before.name}")
        )

    def delete_label(self, label_id: int) -> None:
        ws = self.workspace
        if not ws.guard("Delete label"):
            return
        assert ws.session is not None
        try:
            snapshot = ws.session.delete_label(label_id)
        except ProjectError:
            return  # the session said why
        ws.undo_stack.push(DeleteLabelCommand(ws.session, snapshot))

    def reorder_labels(self, order: list[int]) -> None:
        ws = self.workspace
        if not ws.guard("Reorder labels"):
            return
        assert ws.session is not None
        try:
            before = ws.session.reorder_labels(order)
        except ProjectError:
            return  # the session said why
        if before != order:
            ws.undo_stack.push(ReorderLabelsCommand(ws.session, before, order))

    def _on_session_labels_changed(self) -> None:
        self.rebuild()
        if self.label_dialog is not None:
            self.label_dialog.refresh()
