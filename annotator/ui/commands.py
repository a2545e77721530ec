"""Undo commands: each a thin, reversible wrapper over one session (store) operation.

The change is made before the command is pushed, so a refused change (bad offsets, a duplicate
label name, a full disk) never reaches the stack; the first ``redo()`` that ``QUndoStack.push``
runs is therefore skipped.

Undo and redo go through :func:`undo_step` and :func:`redo_step`, never straight to the stack:
``QUndoStack.undo()`` moves its index whatever the command does, so a store error (disk full,
file locked) would leave the stack out of step with the file (the span still there, the stack
one step back, and a later redo failing on a duplicate id). These functions make the store
change first, in one transaction, and move the stack only when it committed; when it failed the
stack stays exactly as it was (index, count, redo) and the session has told the analyst why.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QUndoCommand, QUndoStack

from annotator.core.model import Label, LabelSnapshot, Relation, Span, SpanSnapshot
from annotator.store import ProjectError
from annotator.ui.session import ProjectSession

NUDGE_MERGE_ID = 1001


class _AppliedCommand(QUndoCommand):
    """A command whose change is made in the store before the stack moves: on push (the change
    was made by the caller) and in :func:`undo_step` / :func:`redo_step`. The stack's own call
    of ``undo()``/``redo()`` that follows then only moves its index."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._in_store = True  # the store already holds what the stack's next call would do

    def redo(self) -> None:
        if self._in_store:
            self._in_store = False
            return
        self._redo()

    def undo(self) -> None:
        if self._in_store:
            self._in_store = False
            return
        self._undo()

    def _redo(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _undo(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


def _leaves(command: QUndoCommand) -> list[_AppliedCommand] | None:
    """The commands a stack entry is made of (a macro's children in order), or None when one
    is not an applied command (its store change cannot be made ahead of the stack)."""
    if isinstance(command, _AppliedCommand):
        return [command]
    if command.childCount() == 0:
        return None
    found: list[_AppliedCommand] = []
    for i in range(command.childCount()):
        child = command.child(i)
        leaves = _leaves(child) if child is not None else None
        if leaves is None:
            return None
        found.extend(leaves)
    return found


def undo_step(stack: QUndoStack, session: ProjectSession) -> bool:
    """Undo the stack's current step: the store first, in one transaction, then the stack.
    False (the stack untouched, the failure announced by the session) when the store failed."""
    if not stack.canUndo():
        return False
    command = stack.command(stack.index() - 1)
    leaves = _leaves(command) if command is not None else None
    try:
        with session.transaction():
            if leaves is None:
                stack.undo()  # a foreign command: Qt's own way, inside the transaction
                return True
            for leaf in reversed(leaves):
                leaf._undo()
    except ProjectError:
        return False
    for leaf in leaves:
        leaf._in_store = True
    stack.undo()
    return True


def redo_step(stack: QUndoStack, session: ProjectSession) -> bool:
    """Redo the stack's next step, the store first (see :func:`undo_step`)."""
    if not stack.canRedo():
        return False
    command = stack.command(stack.index())
    leaves = _leaves(command) if command is not None else None
    try:
        with session.transaction():
            if leaves is None:
                stack.redo()
                return True
            for leaf in leaves:
                leaf._redo()
    except ProjectError:
        return False
    for leaf in leaves:
        leaf._in_store = True
    stack.redo()
    return True


def _preview(text: str, limit: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class AddSpanCommand(_AppliedCommand):
    def __init__(self, session: ProjectSession, span: Span) -> None:
        label = session.label(span.label_id).name
        super().__init__(f"Tag “{_preview(span.text)}” as {label}")
        self.session = session
        self.span_id = span.id
        self.snapshot: SpanSnapshot | None = None

    def _undo(self) -> None:
        self.snapshot = self.session.delete_span(self.span_id)

    def _redo(self) -> None:
        assert self.snapshot is not None
        self.session.restore_span(self.snapshot)


class DeleteSpanCommand(_AppliedCommand):
    def __init__(self, session: ProjectSession, snapshot: SpanSnapshot) -> None:
        super().__init__(f"Delete span “{_preview(snapshot.span.text)}”")
        self.session = session
        self.snapshot = snapshot

    def _undo(self) -> None:
        self.session.restore_span(self.snapshot)

    def _redo(self) -> None:
        self.snapshot = self.session.delete_span(self.snapshot.span.id)


class UpdateSpanCommand(_AppliedCommand):
    """Any change of label, boundaries, note or attributes of one span."""

    def __init__(
        self, session: ProjectSession, before: Span, after: Span, text: str, *, merge: bool = False
    ) -> None:
        super().__init__(text)
        self.session = session
        self.before = before
        self.after = after
        self._merge = merge

    @staticmethod
    def _fields(span: Span) -> dict[str, Any]:
        return {
            "start": span.start,
            "end": span.end,
            "label_id": span.label_id,
            "note": span.note,
            "attributes": dict(span.attributes),
        }

    def _undo(self) -> None:
        self.session.update_span(self.before.id, **self._fields(self.before))

    def _redo(self) -> None:
        self.session.update_span(self.after.id, **self._fields(self.after))

    def id(self) -> int:
        return NUDGE_MERGE_ID if self._merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        # Consecutive boundary nudges of one span undo as one step.
        if not isinstance(other, UpdateSpanCommand) or not other._merge:
            return False
        if other.before.id != self.after.id:
            return False
        self.after = other.after
        return True


class AddRelationCommand(_AppliedCommand):
    def __init__(self, session: ProjectSession, relation: Relation) -> None:
        super().__init__(f"Link spans ({relation.type})")
        self.session = session
        self.relation = relation

    def _undo(self) -> None:
        self.session.delete_relation(self.relation.id)

    def _redo(self) -> None:
        self.relation = self.session.restore_relation(self.relation)


class DeleteRelationCommand(_AppliedCommand):
    def __init__(self, session: ProjectSession, relation: Relation) -> None:
        super().__init__(f"Remove link ({relation.type})")
        self.session = session
        self.relation = relation

    def _undo(self) -> None:
        self.relation = self.session.restore_relation(self.relation)

    def _redo(self) -> None:
        self.session.delete_relation(self.relation.id)


class AddLabelCommand(_AppliedCommand):
    def __init__(self, session: ProjectSession, label: Label) -> None:
        super().__init__(f"Add label {label.name}")
        self.session = session
        self.label = label
        self.snapshot: LabelSnapshot | None = None

    def _undo(self) -> None:
        self.snapshot = self.session.delete_label(self.label.id)

    def _redo(self) -> None:
        assert self.snapshot is not None
        self.label = self.session.restore_label(self.snapshot)


class UpdateLabelCommand(_AppliedCommand):
    def __init__(self, session: ProjectSession, before: Label, after: Label, text: str) -> None:
        super().__init__(text)
        self.session = session
        self.before = before
        self.after = after

    @staticmethod
    def _fields(label: Label) -> dict[str, Any]:
        return {
            "name": label.name,
            "color": label.color,
            "hotkey": label.hotkey,
            "description": label.description,
        }

    def _undo(self) -> None:
        self.session.update_label(self.before.id, **self._fields(self.before))

    def _redo(self) -> None:
        self.session.update_label(self.after.id, **self._fields(self.after))


class DeleteLabelCommand(_AppliedCommand):
    def __init__(self, session: ProjectSession, snapshot: LabelSnapshot) -> None:
        count = len(snapshot.spans)
        super().__init__(f"Delete label {snapshot.label.name} ({count} span(s))")
        self.session = session
        self.snapshot = snapshot

    def _undo(self) -> None:
        self.session.restore_label(self.snapshot)

    def _redo(self) -> None:
        self.snapshot = self.session.delete_label(self.snapshot.label.id)


class ReorderLabelsCommand(_AppliedCommand):
    def __init__(self, session: ProjectSession, before: list[int], after: list[int]) -> None:
        super().__init__("Reorder labels")
        self.session = session
        self.before = before
        self.after = after

    def _undo(self) -> None:
        self.session.reorder_labels(self.before)

    def _redo(self) -> None:
        self.session.reorder_labels(self.after)


class SetStatusCommand(_AppliedCommand):
    def __init__(self, session: ProjectSession, article_id: int, before: str, after: str) -> None:
        super().__init__(f"Mark article as {after}")
        self.session = session
        self.article_id = article_id
        self.before = before
        self.after = after

    def _undo(self) -> None:
        self.session.set_article_status(self.article_id, self.before)

    def _redo(self) -> None:
        self.session.set_article_status(self.article_id, self.after)
