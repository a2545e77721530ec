"""The open project as the UI sees it: store operations that announce what they changed."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal, SignalInstance

from annotator.core.model import Label, LabelSnapshot, LabelSpec, Relation, Span, SpanSnapshot
from annotator.store import Project, ProjectError
from annotator.store.backup import ProjectVanished
from annotator.store.errors import StoreWriteFailed, translated

T = TypeVar("T")


def _writes(method: Callable[..., T]) -> Callable[..., T]:
    """A session method that writes: SQLite and OS errors become :class:`StoreWriteFailed`,
    announced by ``write_failed`` (once, by the outermost transaction) and raised."""

    @functools.wraps(method)
    def wrapper(self: ProjectSession, *args: Any, **kwargs: Any) -> T:
        try:
            if self.project.backups is not None:
                self.project.backups.check_still_there()
            with translated(self.project.path):
                return method(self, *args, **kwargs)
        except (StoreWriteFailed, ProjectVanished) as exc:
            if self._pending is None:
                self._failed(exc)
            raise

    return wrapper


class ProjectSession(QObject):
    """Wraps a :class:`Project` so that every change is announced precisely.

    Views listen to these signals and update just what changed instead of reloading. Every
    method writes through the store, which commits each call as one transaction;
    :meth:`transaction` groups several into one and holds their signals back until it commits,
    so views never show a change that was rolled back. A write the store could not make (disk
    full, file locked, file gone, read-only) raises :class:`StoreWriteFailed` and is announced
    by :attr:`write_failed` with a message for the analyst.
    """

    span_added = Signal(object)  # Span
    span_removed = Signal(int, int)  # span id, article id
    span_changed = Signal(object, object)  # before, after
    relation_added = Signal(object)  # Relation
    relation_removed = Signal(object)  # Relation
    labels_changed = Signal()
    article_changed = Signal(int)  # status or span count of that article changed
    articles_added = Signal()
    write_failed = Signal(str)  # a message for the analyst: what failed and what to do

    def __init__(self, project: Project, annotator: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.annotator = annotator
        self._labels: dict[int, Label] = {}
        self._pending: list[tuple[SignalInstance, tuple[Any, ...]]] | None = None
        self._reload_labels()

    # --------------------------------------------------------------------- transactions
    def _emit(self, signal: SignalInstance, *args: Any) -> None:
        if self._pending is None:
            signal.emit(*args)
        else:
            self._pending.append((signal, args))

    def _failed(self, exc: ProjectError) -> None:
        self.write_failed.emit(f"Your change was not saved.\n\n{exc}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One store transaction around several session calls; their signals are emitted when
        it commits and dropped when it fails (raising :class:`StoreWriteFailed`, announced)."""
        if self._pending is not None:  # nested: the outer one decides
            yield
            return
        self._pending = []
        try:
            with translated(self.project.path), self.project.atomic():
                yield
        except BaseException as exc:
            self._pending = None
            self._reload_labels()  # the cache may hold what was rolled back
            if isinstance(exc, StoreWriteFailed | ProjectVanished):
                self._failed(exc)
            raise
        pending, self._pending = self._pending, None
        for signal, args in pending:
            signal.emit(*args)

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

    @_writes
    def add_label(self, spec: LabelSpec) -> Label:
        label = self.project.add_label(spec)
        self._labels_changed()
        return label

    @_writes
    def update_label(self, label_id: int, **changes: Any) -> tuple[Label, Label]:
        result = self.project.update_label(label_id, **changes)
        self._labels_changed()
        return result

    @_writes
    def reorder_labels(self, label_ids: list[int]) -> list[int]:
        before = self.project.reorder_labels(label_ids)
        self._labels_changed()
        return before

    @_writes
    def delete_label(self, label_id: int) -> LabelSnapshot:
        snapshot = self.project.delete_label(label_id)
        self._labels_changed()
        for article_id in sorted({s.span.article_id for s in snapshot.spans}):
            self._emit(self.article_changed, article_id)
        return snapshot

    @_writes
    def restore_label(self, snapshot: LabelSnapshot) -> Label:
        label = self.project.restore_label(snapshot)
        self._labels_changed()
        for article_id in sorted({s.span.article_id for s in snapshot.spans}):
            self._emit(self.article_changed, article_id)
        return label

    def _labels_changed(self) -> None:
        self._reload_labels()
        self._emit(self.labels_changed)

    def labels_replaced(self) -> None:
        """Labels were written behind the session's back (an import): read and announce them."""
        self._labels_changed()

    # ------------------------------------------------------------------------------- spans
    @_writes
    def add_span(self, article_id: int, start: int, end: int, label_id: int) -> Span:
        span = self.project.add_span(article_id, start, end, label_id, self.annotator)
        self._emit(self.span_added, span)
        self._emit(self.article_changed, article_id)
        return span

    @_writes
    def update_span(self, span_id: int, **changes: Any) -> Span:
        before, after = self.project.update_span(span_id, **changes)
        self._emit(self.span_changed, before, after)
        return after

    @_writes
    def delete_span(self, span_id: int) -> SpanSnapshot:
        snapshot = self.project.delete_span(span_id)
        for rel in snapshot.relations:
            self._emit(self.relation_removed, rel)
        self._emit(self.span_removed, span_id, snapshot.span.article_id)
        self._emit(self.article_changed, snapshot.span.article_id)
        return snapshot

    @_writes
    def restore_span(self, snapshot: SpanSnapshot) -> Span:
        span = self.project.restore_span(snapshot)
        self._emit(self.span_added, span)
        for rel in snapshot.relations:
            self._emit(self.relation_added, rel)
        self._emit(self.article_changed, span.article_id)
        return span

    # --------------------------------------------------------------------------- relations
    @_writes
    def add_relation(self, head_id: int, child_id: int, rel_type: str) -> Relation:
        relation = self.project.add_relation(head_id, child_id, rel_type, self.annotator)
        self._emit(self.relation_added, relation)
        return relation

    @_writes
    def delete_relation(self, relation_id: int) -> Relation:
        relation = self.project.delete_relation(relation_id)
        self._emit(self.relation_removed, relation)
        return relation

    @_writes
    def restore_relation(self, relation: Relation) -> Relation:
        restored = self.project.restore_relation(relation)
        self._emit(self.relation_added, restored)
        return restored

    # ---------------------------------------------------------------------------- articles
    @_writes
    def set_article_status(self, article_id: int, status: str) -> str:
        before = self.project.set_article_status(article_id, status)
        self._emit(self.article_changed, article_id)
        return before
