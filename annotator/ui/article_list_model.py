"""The article list: every article of the project, one row each, read a page at a time."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from annotator.core.model import ArticleSummary
from annotator.store.articles import fts_query
from annotator.store.filters import (
    ArticleFilter,
    filtered_count,
    filtered_position,
    filtered_summaries,
)
from annotator.ui.session import ProjectSession
from annotator.ui.table_model import PAGE, ModelIndex, TableModel, plain_tooltip

__all__ = ["ArticleListModel"]


class ArticleListModel(TableModel):
    """Every article of the project, one row each, read from the store a page at a time.

    The model knows how many rows there are from one count; a page of summaries is read when a
    view first asks for one of its rows (wherever it scrolled to), so a list of 50,000 articles
    costs a count and the pages on screen, sorting and filtering included (the store sorts and
    filters with indexes). Finding an article's row asks the store for its position instead of
    reading every page before it.
    """

    COLUMNS = ("Title", "Outlet", "Date", "Status", "Spans")
    TITLE, OUTLET, DATE, STATUS, SPANS = range(5)
    _SORT_KEYS = ("title", "source", "published", "status", "spans")

    def __init__(self, session: ProjectSession, parent: Any = None) -> None:
        super().__init__(parent)
        self.session = session
        self._pages: dict[int, list[ArticleSummary]] = {}  # page number -> its rows
        self._row_of: dict[int, int] = {}  # article id -> row, for the pages read
        self._total = 0
        self._order_by = "id"
        self._descending = False
        self._search = ""
        self._label_id: int | None = None
        self._corpus_filter: ArticleFilter | None = None  # the filter bar's (ui/corpus)
        self.reload()
        session.article_changed.connect(self._on_session_article_changed)
        session.articles_added.connect(self.reload)

    # ------------------------------------------------------------------ Qt model interface
    def row_total(self) -> int:
        return self._total

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in _ARTICLE_ROLES:
            return None
        row = self._summary(index.row())
        if row is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            date = row.published[:10]  # the day of an ISO timestamp; other forms as they are
            values = (row.title or "(untitled)", row.source, date, row.status, row.span_count)
            return values[col]
        if role == Qt.ItemDataRole.ToolTipRole and col in (self.TITLE, self.OUTLET, self.DATE):
            # The whole title (or outlet, or date) however narrow the column.
            return plain_tooltip((row.title, row.source, row.published)[col])
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.SPANS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == self.STATUS and row.status == "done":
            return QBrush(QColor("#3fae6a"))
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._order_by = self._SORT_KEYS[column] if 0 <= column < len(self._SORT_KEYS) else "id"
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    # --------------------------------------------------------------------------- our API
    def set_filter(self, search: str = "", label_id: int | None = None) -> None:
        self._search = search
        self._label_id = label_id
        self.reload()

    def set_corpus_filter(self, corpus_filter: ArticleFilter | None) -> None:
        """Filters of the filter bar (status, outlet, dates, ...), on top of the others."""
        self._corpus_filter = (
            None if corpus_filter is None or corpus_filter.empty else corpus_filter
        )
        self.reload()

    def _combined_filter(self) -> ArticleFilter | None:
        if self._corpus_filter is None:
            return None
        f = self._corpus_filter
        if self._search.strip():
            typed = fts_query(self._search)
            f = replace(f, query=f"({f.query}) AND ({typed})" if f.query else typed)
        if self._label_id is not None and f.label_present is None:
            f = replace(f, label_present=self._label_id)
        return f

    def reload(self) -> None:
        self.beginResetModel()
        combined = self._combined_filter()
        if combined is not None:
            self._total = filtered_count(self.session.project, combined)
            self._pages = {}
            self._row_of = {}
            self.endResetModel()
            return
        self._total = self.session.project.article_count(
            search=self._search, label_id=self._label_id
        )
        self._pages = {}
        self._row_of = {}
        self.endResetModel()

    def _summary(self, row: int) -> ArticleSummary | None:
        if not 0 <= row < self._total:
            return None
        number, at = divmod(row, PAGE)
        page = self._pages.get(number)
        if page is None:
            page = self._read_page(number)
        return page[at] if at < len(page) else None

    def _read_page(self, number: int) -> list[ArticleSummary]:
        combined = self._combined_filter()
        if combined is not None:
            page = filtered_summaries(
                self.session.project,
                combined,
                number * PAGE,
                PAGE,
                order_by=self._order_by,
                descending=self._descending,
            )
            self._pages[number] = page
            for i, summary in enumerate(page):
                self._row_of[summary.id] = number * PAGE + i
            return page
        page = self.session.project.article_summaries(
            number * PAGE,
            PAGE,
            order_by=self._order_by,
            descending=self._descending,
            search=self._search,
            label_id=self._label_id,
        )
        self._pages[number] = page
        first = number * PAGE
        for i, summary in enumerate(page):
            self._row_of[summary.id] = first + i
        return page

    @property
    def total(self) -> int:
        return self._total

    def row_of(self, article_id: int) -> int | None:
        """The row of an article (None if the filters leave it out)."""
        row = self._row_of.get(article_id)
        if row is not None:
            return row
        combined = self._combined_filter()
        row = (
            filtered_position(
                self.session.project,
                combined,
                article_id,
                order_by=self._order_by,
                descending=self._descending,
            )
            if combined is not None
            else None
        )
        if combined is None:
            row = self.session.project.article_position(
                article_id,
                order_by=self._order_by,
                descending=self._descending,
                search=self._search,
                label_id=self._label_id,
            )
        if row is None or row >= self._total:
            return None
        self._summary(row)  # reads its page
        return self._row_of.get(article_id)

    def article_id(self, row: int) -> int | None:
        summary = self._summary(row)
        return summary.id if summary is not None else None

    def _on_session_article_changed(self, article_id: int) -> None:
        row = self._row_of.get(article_id)
        if row is None:
            return
        number, at = divmod(row, PAGE)
        page = self._pages.get(number)
        if page is None or at >= len(page) or page[at].id != article_id:
            return
        page[at] = self.session.project.article_summary(article_id)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))


# The roles ArticleListModel answers: others (size hints, fonts) never cause a page to be read.
_ARTICLE_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.UserRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.ForegroundRole,
    }
)
