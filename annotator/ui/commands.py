"""Undo commands: each a thin, reversible wrapper over one session (store) operation.

The change is made before the command is pushed, so a refused change (bad offsets, a duplicate
label name) never reaches the stack; the first ``redo()`` that ``QUndoStack.push`` runs is
therefore skipped.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QUndoCommand

from annotator.core.model import Label, LabelSnapshot, Relation, Span, SpanSnapshot
from annotator.ui.session import ProjectSession

NUDGE_MERGE_ID = 1001


class _AppliedCommand(QUndoCommand):
    """A command whose change was already applied when it was pushed."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._applied = True

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self._redo()

    def _redo(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


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

    def undo(self) -> None:
        self.snapshot = self.session.delete_span(self.span_id)

    def _redo(self) -> None:
        assert self.snapshot is not None
        self.session.restore_span(self.snapshot)


class DeleteSpanCommand(_AppliedCommand):
    def __init__(self, session: ProjectSession, snapshot: SpanSnapshot) -> None:
        super().__init__(f"Delete span “{_preview(snapshot.span.text)}”")
        self.session = session
        self.snapshot = snapshot

    def undo(self) -> None:
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

    def undo(self) -> None:
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

    def undo(self) -> None:
        self.session.delete_relation(self.relation.id)

    def _redo(self) -> None:
        self.relation = self.session.restore_relation(self.relation)


class DeleteRelationCommand(_AppliedCommand):
    def __init__(self, session: ProjectSession, relation: Relation) -> None:
        super().__init__(f"Remove link ({relation.type})")
        self.session = session
        self.relation = relation

    def undo(self) -> None:
        self.relation = self.session.restore_relation(self.relation)

    def _redo(self) -> None:
        self.session.delete_relation(self.relation.id)


class AddLabelCommand(_AppliedCommand):
    def __init__(self, session: ProjectSession, label: Label) -> None:
        super().__init__(f"Add label {label.name}")
        self.session = session
        self.label = label
        self.snapshot: LabelSnapshot | None = None

    def undo(self) -> None:
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

    def undo(self) -> None:
        self.session.update_label(self.before.id, **self._fields(self.before))

    def _redo(self) -> None:
        self.session.update_label(self.after.id, **self._fields(self.after))


class DeleteLabelCommand(_AppliedCommand):
    def __init__(self, session: ProjectSession, snapshot: LabelSnapshot) -> None:
        count = len(snapshot.spans)
        super().__init__(f"Delete label {snapshot.label.name} ({count} span(s))")
        self.session = session
        self.snapshot = snapshot

    def undo(self) -> None:
        self.session.restore_label(self.snapshot)

    def _redo(self) -> None:
        self.snapshot = self.session.delete_label(self.snapshot.label.id)


class ReorderLabelsCommand(_AppliedCommand):
    def __init__(self, session: ProjectSession, before: list[int], after: list[int]) -> None:
        super().__init__("Reorder labels")
        self.session = session
        self.before = before
        self.after = after

    def undo(self) -> None:
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

    def undo(self) -> None:
        self.session.set_article_status(self.article_id, self.before)

    def _redo(self) -> None:
        self.session.set_article_status(self.article_id, self.after)
