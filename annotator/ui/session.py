"""The open project as the UI sees it: store operations that announce what they changed."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from annotator.core.model import Label, LabelSnapshot, LabelSpec, Relation, Span, SpanSnapshot
from annotator.store import Project


class ProjectSession(QObject):
    """Wraps a :class:`Project` so that every change is announced precisely.

    Views listen to these signals and update just what changed instead of reloading. Every
    method writes through the store, which commits each call as one transaction.
    """

    span_added = Signal(object)  # Span
    span_removed = Signal(int, int)  # span id, article id
    span_changed = Signal(object, object)  # before, after
    relation_added = Signal(object)  # Relation
    relation_removed = Signal(object)  # Relation
    labels_changed = Signal()
    article_changed = Signal(int)  # status or span count of that article changed
    articles_added = Signal()

    def __init__(self, project: Project, annotator: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.annotator = annotator
        self._labels: dict[int, Label] = {}
        self._reload_labels()

    @property
    def read_only(self) -> bool:
        return self.project.read_only

    # ------------------------------------------------------------------------------ labels
    def _reload_labels(self) -> None:
        self._labels = {label.id: label for label in self.project.labels()}

    def labels(self) -> list[Label]:
        return sorted(self._labels.values(), key=lambda lb: (lb.position, lb.id))

    def label(self, label_id: int) -> Label:
        return self._labels[label_id]

    def label_for_hotkey(self, key: str) -> Label | None:
        return next((lb for lb in self.labels() if lb.hotkey == key), None)

    def add_label(self, spec: LabelSpec) -> Label:
        label = self.project.add_label(spec)
        self._labels_changed()
        return label

    def update_label(self, label_id: int, **changes: Any) -> tuple[Label, Label]:
        result = self.project.update_label(label_id, **changes)
        self._labels_changed()
        return result

    def reorder_labels(self, label_ids: list[int]) -> list[int]:
        before = self.project.reorder_labels(label_ids)
        self._labels_changed()
        return before

    def delete_label(self, label_id: int) -> LabelSnapshot:
        snapshot = self.project.delete_label(label_id)
        self._labels_changed()
        for article_id in sorted({s.span.article_id for s in snapshot.spans}):
            self.article_changed.emit(article_id)
        return snapshot

    def restore_label(self, snapshot: LabelSnapshot) -> Label:
        label = self.project.restore_label(snapshot)
        self._labels_changed()
        for article_id in sorted({s.span.article_id for s in snapshot.spans}):
            self.article_changed.emit(article_id)
        return label

    def _labels_changed(self) -> None:
        self._reload_labels()
        self.labels_changed.emit()

    # ------------------------------------------------------------------------------- spans
    def add_span(self, article_id: int, start: int, end: int, label_id: int) -> Span:
        span = self.project.add_span(article_id, start, end, label_id, self.annotator)
        self.span_added.emit(span)
        self.article_changed.emit(article_id)
        return span

    def update_span(self, span_id: int, **changes: Any) -> Span:
        before, after = self.project.update_span(span_id, **changes)
        self.span_changed.emit(before, after)
        return after

    def delete_span(self, span_id: int) -> SpanSnapshot:
        snapshot = self.project.delete_span(span_id)
        for rel in snapshot.relations:
            self.relation_removed.emit(rel)
        self.span_removed.emit(span_id, snapshot.span.article_id)
        self.article_changed.emit(snapshot.span.article_id)
        return snapshot

    def restore_span(self, snapshot: SpanSnapshot) -> Span:
        span = self.project.restore_span(snapshot)
        self.span_added.emit(span)
        for rel in snapshot.relations:
            self.relation_added.emit(rel)
        self.article_changed.emit(span.article_id)
        return span

    # --------------------------------------------------------------------------- relations
    def add_relation(self, head_id: int, child_id: int, rel_type: str) -> Relation:
        relation = self.project.add_relation(head_id, child_id, rel_type, self.annotator)
        self.relation_added.emit(relation)
        return relation

    def delete_relation(self, relation_id: int) -> Relation:
        relation = self.project.delete_relation(relation_id)
        self.relation_removed.emit(relation)
        return relation

    def restore_relation(self, relation: Relation) -> Relation:
        restored = self.project.restore_relation(relation)
        self.relation_added.emit(restored)
        return restored

    # ---------------------------------------------------------------------------- articles
    def set_article_status(self, article_id: int, status: str) -> str:
        before = self.project.set_article_status(article_id, status)
        self.article_changed.emit(article_id)
        return before
