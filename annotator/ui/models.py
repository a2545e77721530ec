"""The span table: the spans of the current article, fetched into the view lazily, with the
label badges it and the span panel draw. (The article list is in ui/article_list_model.py.)"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from annotator.core.model import Relation, Span
from annotator.ui.colors import badge_letters, contrast_ratio
from annotator.ui.session import ProjectSession
from annotator.ui.table_model import PAGE, ModelIndex, TableModel, one_line, plain_tooltip


def _span_order(span: Span) -> tuple[int, int, int]:
    return (span.start, -span.end, span.id)


def _delete_span(spans: list[Span], span: Span) -> None:
    """Remove ``span`` from a list in position order (or from anywhere, failing that)."""
    i = bisect_left(spans, _span_order(span), key=_span_order)
    if i < len(spans) and spans[i].id == span.id:
        del spans[i]
    else:
        spans[:] = [s for s in spans if s.id != span.id]


def badge_icon(color: str, letter: str, size: int = 18) -> QIcon:
    """A label's colour swatch with its letter on it: the label reads without colour too."""
    fill = QColor(color)
    if not fill.isValid():
        fill = QColor("#8a8a8a")
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(fill.darker(140))
        painter.setBrush(fill)
        painter.drawRoundedRect(1, 1, size - 2, size - 2, 3, 3)
        black, white = QColor("#000000"), QColor("#ffffff")
        ink = black if contrast_ratio(fill, black) >= contrast_ratio(fill, white) else white
        font = QFont()
        font.setBold(True)
        font.setPixelSize(int(size * 0.62))
        painter.setFont(font)
        painter.setPen(ink)
        painter.drawText(pixmap.rect(), int(Qt.AlignmentFlag.AlignCenter), letter)
    finally:
        painter.end()
    return QIcon(pixmap)


_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ACCESSIBLE_TEXT = int(Qt.ItemDataRole.AccessibleTextRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_USER = int(Qt.ItemDataRole.UserRole)
_RELATED = int(Qt.ItemDataRole.UserRole) + 1
_SPAN_ROLES = frozenset((_TOOLTIP, _ACCESSIBLE_TEXT, _DECORATION, _USER, _RELATED))


class SpanTableModel(TableModel):
    """The spans of the current article on the visible layers, filterable by label and
    annotator, sortable by any column (by position until a column is chosen)."""

    COLUMNS = ("Label", "Text", "Annotator", "Note", "Relations")
    LABEL, TEXT, ANNOTATOR, NOTE, RELATIONS = range(5)
    # Role of the relations column: the ids of the spans a row's span is related to.
    RELATED_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, session: ProjectSession, parent: Any = None) -> None:
        super().__init__(parent)
        self.session = session
        self._article_id: int | None = None
        self._all: list[Span] = []  # spans of the article on the visible layers, by position
        self._rows: list[Span] = []  # those matching the label filter
        self._shown = 0  # rows handed to the view so far (lazy fetching)
        self._relations: list[Relation] = []
        self._by_id: dict[int, Span] = {}  # the spans of _all by id
        self._relations_by_span: dict[int, list[Relation]] | None = None  # built when needed
        self._links: dict[int, str] = {}  # link text of the spans shown, until a change
        self._label_filter: int | None = None
        self._annotator_filter: str | None = None
        self._annotators: set[str] | None = None
        self._sort_column = -1  # -1: by position in the text
        self._descending = False
        self._badges: dict[int, str] | None = None
        self._icons: dict[tuple[str, str], QIcon] = {}
        session.span_added.connect(self._on_session_span_added)
        session.span_removed.connect(self._on_session_span_removed)
        session.span_changed.connect(self._on_session_span_changed)
        session.relation_added.connect(self._on_session_relations_changed)
        session.relation_removed.connect(self._on_session_relations_changed)
        session.labels_changed.connect(self._on_session_labels_changed)

    def row_total(self) -> int:
        return self._shown

    def canFetchMore(self, parent: ModelIndex) -> bool:  # noqa: N802
        return not parent.isValid() and self._shown < len(self._rows)

    def fetchMore(self, parent: ModelIndex) -> None:  # noqa: N802
        if parent.isValid():
            return
        more = min(PAGE, len(self._rows) - self._shown)
        if more <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._shown, self._shown + more - 1)
        self._shown += more
        self.endInsertRows()

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Asked several times per cell at every repaint: roles compared as plain ints.
        row = index.row()
        if not 0 <= row < self._shown:
            return None
        span = self._rows[row]
        col = index.column()
        role = int(role)
        if role == _DISPLAY:
            if col == self.LABEL:
                return self._label_name(span.label_id)
            if col == self.TEXT:
                # Whole, on one line: the view elides it in the middle to the column's width.
                return one_line(span.text, 2000)
            if col == self.NOTE:
                return one_line(span.note, 200)
            if col == self.RELATIONS:
                return self._links_text(span.id)
            return span.annotator
        if role not in _SPAN_ROLES:
            return None
        if role == _TOOLTIP:
            if col == self.TEXT:
                return plain_tooltip(span.text)
            if col == self.NOTE:
                return plain_tooltip(span.note)
            if col == self.RELATIONS:
                return plain_tooltip(self._links_text(span.id).replace("; ", "\n"))
            if col == self.LABEL:
                return plain_tooltip(
                    f"{self._label_name(span.label_id)} ({self.badge_of(span.label_id)})"
                )
            return plain_tooltip(span.annotator)
        if role == _ACCESSIBLE_TEXT and col == self.LABEL:
            return f"{self._label_name(span.label_id)}, badge {self.badge_of(span.label_id)}"
        if role == _DECORATION and col == self.LABEL:
            try:
                color = self.session.label(span.label_id).color
            except KeyError:
                return None
            return self._badge_icon(color, self.badge_of(span.label_id))
        if role == _USER:
            return span.id
        if role == _RELATED and col == self.RELATIONS:
            return self.related_ids(span.id)
        return None

    def badge_of(self, label_id: int) -> str:
        """The letter that stands for a label here and in the reader."""
        if self._badges is None:
            labels = self.session.labels()
            self._badges = badge_letters([(label.id, label.name) for label in labels])
        return self._badges.get(label_id, "?")

    def _badge_icon(self, color: str, letter: str) -> QIcon:
        icon = self._icons.get((color, letter))
        if icon is None:
            icon = self._icons[(color, letter)] = badge_icon(color, letter)
        return icon

    def related_ids(self, span_id: int) -> list[int]:
        """The spans related to a span (either direction), in the order listed."""
        by_span = self._relations_of()
        ids = []
        for rel in by_span.get(span_id, ()):
            other = rel.child_id if rel.head_id == span_id else rel.head_id
            if other in self._by_id:
                ids.append(other)
        return ids

    # --------------------------------------------------------------------------- our API
    def set_article(
        self, article_id: int | None, spans: list[Span], relations: list[Relation]
    ) -> None:
        self._article_id = article_id
        self._badges = None
        self._all = sorted(spans, key=_span_order)
        self._by_id = {span.id: span for span in spans}
        self._relations = list(relations)
        self._relations_by_span = None
        self._links = {}
        self._refilter()

    def set_label_filter(self, label_id: int | None) -> None:
        if label_id == self._label_filter:
            return
        self._label_filter = label_id
        self._refilter()

    def set_annotator_filter(self, annotator: str | None) -> None:
        """Show only one annotator's spans (None: every visible layer)."""
        if annotator == self._annotator_filter:
            return
        self._annotator_filter = annotator
        self._refilter()

    def annotators(self) -> list[str]:
        """The annotators with spans in the article, on the visible layers."""
        return sorted({s.annotator for s in self.spans()}, key=str.casefold)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column = column if 0 <= column < len(self.COLUMNS) else -1
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.layoutAboutToBeChanged.emit()
        self._sort_rows()
        self.layoutChanged.emit()

    def _sort_key(self, span: Span) -> tuple[Any, ...]:
        col = self._sort_column
        if col == self.LABEL:
            return (self._label_name(span.label_id).casefold(), _span_order(span))
        if col == self.TEXT:
            return (span.text.casefold(), _span_order(span))
        if col == self.ANNOTATOR:
            return (span.annotator.casefold(), _span_order(span))
        if col == self.NOTE:
            return (span.note.casefold(), _span_order(span))
        if col == self.RELATIONS:
            return (-len(self.related_ids(span.id)), _span_order(span))
        return _span_order(span)

    def _sort_rows(self) -> None:
        if self._sort_column < 0 and not self._descending:
            return  # already by position
        self._rows.sort(key=self._sort_key, reverse=self._descending)

    @property
    def sorted_by_position(self) -> bool:
        return self._sort_column < 0 and not self._descending

    def set_visible_annotators(self, annotators: set[str] | None) -> None:
        if annotators == self._annotators:
            return
        self._annotators = None if annotators is None else set(annotators)
        self._refilter()

    def _visible(self, span: Span) -> bool:
        if self._annotators is not None and span.annotator not in self._annotators:
            return False
        if self._annotator_filter is not None and span.annotator != self._annotator_filter:
            return False
        return self._label_filter is None or span.label_id == self._label_filter

    def _refilter(self) -> None:
        self.beginResetModel()
        self._rows = [s for s in self._all if self._visible(s)]
        self._sort_rows()
        self._shown = min(PAGE, len(self._rows))
        self.endResetModel()

    def row_of(self, span_id: int) -> int | None:
        for i, span in enumerate(self._rows):
            if span.id == span_id:
                while i >= self._shown and self.canFetchMore(QModelIndex()):
                    self.fetchMore(QModelIndex())
                return i
        return None

    def span_at(self, row: int) -> Span | None:
        return self._rows[row] if 0 <= row < self._shown else None

    def spans(self) -> list[Span]:
        """All spans of the article on the visible layers, whatever the label filter."""
        return [s for s in self._all if self._annotators is None or s.annotator in self._annotators]

    def relations(self) -> list[Relation]:
        return list(self._relations)

    def _label_name(self, label_id: int) -> str:
        try:
            return self.session.label(label_id).name
        except KeyError:
            return "?"

    def _relations_of(self) -> dict[int, list[Relation]]:
        # Grouped by span once per change of relations: an article may hold 10,000 spans and
        # thousands of links.
        by_span = self._relations_by_span
        if by_span is None:
            by_span = self._relations_by_span = {}
            for rel in self._relations:
                by_span.setdefault(rel.head_id, []).append(rel)
                if rel.child_id != rel.head_id:
                    by_span.setdefault(rel.child_id, []).append(rel)
        return by_span

    def _links_text(self, span_id: int) -> str:
        text = self._links.get(span_id)
        if text is None:
            spans = self._by_id
            parts = []
            for rel in self._relations_of().get(span_id, ()):
                if rel.head_id == span_id and rel.child_id in spans:
                    parts.append(f"{rel.type} → {one_line(spans[rel.child_id].text, 30)}")
                elif rel.child_id == span_id and rel.head_id in spans:
                    parts.append(f"{rel.type} ← {one_line(spans[rel.head_id].text, 30)}")
            text = self._links[span_id] = "; ".join(parts)
        return text

    # ------------------------------------------------------------------------------ slots
    def _insert_sorted(self, span: Span) -> None:
        self._links = {}
        self._by_id[span.id] = span
        insort(self._all, span, key=_span_order)
        if not self._visible(span):
            return
        if not self.sorted_by_position:
            self._refilter()
            return
        pos = bisect_left(self._rows, _span_order(span), key=_span_order)
        if pos > self._shown:  # beyond what the view has fetched: it arrives with a later page
            self._rows.insert(pos, span)
            return
        self.beginInsertRows(QModelIndex(), pos, pos)
        self._rows.insert(pos, span)
        self._shown += 1
        self.endInsertRows()

    def _remove(self, span_id: int) -> None:
        self._links = {}
        gone = self._by_id.pop(span_id, None)
        if gone is None:
            return
        # Both lists are in position order (the rows unless sorted by a column): found by
        # search, not by a walk through an article's ten thousand spans.
        _delete_span(self._all, gone)
        rows: Iterable[int] = range(len(self._rows))
        if self.sorted_by_position:
            i = bisect_left(self._rows, _span_order(gone), key=_span_order)
            if i < len(self._rows) and self._rows[i].id == span_id:
                rows = (i,)
        for i in rows:
            span = self._rows[i]
            if span.id == span_id:
                if i < self._shown:
                    self.beginRemoveRows(QModelIndex(), i, i)
                    del self._rows[i]
                    self._shown -= 1
                    self.endRemoveRows()
                else:
                    del self._rows[i]
                return

    def _on_session_span_added(self, span: Span) -> None:
        if span.article_id == self._article_id:
            self._insert_sorted(span)

    def _on_session_span_removed(self, span_id: int, article_id: int) -> None:
        if article_id == self._article_id:
            self._remove(span_id)

    def _on_session_span_changed(self, before: Span, after: Span) -> None:
        if after.article_id != self._article_id:
            return
        row = next((i for i, s in enumerate(self._rows) if s.id == before.id), None)
        if not self.sorted_by_position:
            self._by_id[after.id] = after
            self._all = sorted((s for s in self._all if s.id != before.id), key=_span_order)
            insort(self._all, after, key=_span_order)
            self._links = {}
            self._refilter()
            return
        if row is None or row >= self._shown or not self._visible(after):
            self._remove(before.id)
            self._insert_sorted(after)
            return
        # The row stays (or moves) as the same row, so a view's current row and selection
        # follow it: removing and inserting it would make the view select a neighbour.
        self._links = {}
        self._by_id[after.id] = after
        self._all = [s for s in self._all if s.id != before.id]
        insort(self._all, after, key=_span_order)
        rest = self._rows[:row] + self._rows[row + 1 :]
        new_row = bisect_left(rest, _span_order(after), key=_span_order)
        if new_row >= self._shown:  # it leaves the rows the view has fetched
            self._remove(before.id)
            self._insert_sorted(after)
            return
        moved = new_row != row
        if moved:
            destination = new_row + 1 if new_row > row else new_row
            self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), destination)
        rest.insert(new_row, after)
        self._rows = rest
        if moved:
            self.endMoveRows()
        self.dataChanged.emit(self.index(new_row, 0), self.index(new_row, len(self.COLUMNS) - 1))

    def _on_session_relations_changed(self, relation: Relation) -> None:
        if relation.article_id != self._article_id or self._article_id is None:
            return
        self._relations = self.session.project.relations(self._article_id)
        self._relations_by_span = None
        self._links = {}
        if self._shown:
            self.dataChanged.emit(
                self.index(0, self.RELATIONS), self.index(self._shown - 1, self.RELATIONS)
            )

    def _on_session_labels_changed(self) -> None:
        if self._article_id is None:
            return
        # A deleted label took its spans (and their links) with it: drop them here, without
        # asking the store again. Restored labels bring spans back through the window, which
        # reloads the open article on every label change.
        self._badges = None
        label_ids = {label.id for label in self.session.labels()}
        if any(span.label_id not in label_ids for span in self._all):
            kept = [span for span in self._all if span.label_id in label_ids]
            kept_ids = {span.id for span in kept}
            self._all = kept
            self._relations = [
                rel
                for rel in self._relations
                if rel.head_id in kept_ids and rel.child_id in kept_ids
            ]
            self._refilter()
        elif self._shown:
            # Names and colours may have changed.
            self.dataChanged.emit(self.index(0, 0), self.index(self._shown - 1, 0))
