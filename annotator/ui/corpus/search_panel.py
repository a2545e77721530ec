"""The Search panel: FTS5 queries answered as keyword-in-context rows, paged as the view scrolls.

Each row is one hit (title | left context | hit | right context). Activating a row (click,
Enter) asks the window to open the article and select the hit; F3 / Shift+F3 step through the
hits. Hits can be restricted to spans of a label and/or an annotator, and searches can be saved
in the project and run again.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.store import Project, ProjectError
from annotator.store.search import (
    SavedSearch,
    SearchHit,
    SearchQueryError,
    SearchScope,
    check_query,
    delete_saved_search,
    matching_article_count,
    save_search,
    saved_searches,
    search_hits,
)
from annotator.ui.table_model import ModelIndex, TableModel, one_line

PAGE = 200
ANY = "(any)"


class SearchHitModel(TableModel):
    """The hits of one search, read from the store a page at a time as the view scrolls."""

    COLUMNS = ("Article", "Left", "Hit", "Right", "In")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._project: Project | None = None
        self._query = ""
        self._scope = SearchScope()
        self._hits: list[SearchHit] = []
        self._exhausted = True

    # ------------------------------------------------------------------ Qt model interface
    def row_total(self) -> int:
        return len(self._hits)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return one_line(hit.title) or f"#{hit.article_id}"
            if col == 1:
                return one_line(hit.left)[-60:] if hit.left.strip() else ""
            if col == 2:
                return hit.text
            if col == 3:
                return one_line(hit.right)[:60]
            return {"title": "title", "note": "note"}.get(hit.where, "text")
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and col == 2:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and col == 2:
            return QColor("#b03a2e")
        if role == Qt.ItemDataRole.ForegroundRole and col == 4 and hit.where != "text":
            return QColor("#1f5f99")
        if role == Qt.ItemDataRole.ToolTipRole:
            if hit.where == "title":
                return f"In the title of article {hit.article_id}"
            if hit.where == "note":
                return f"In the note of span {hit.span_id} of article {hit.article_id}"
            return f"Article {hit.article_id}, characters {hit.start}–{hit.end}"
        if role == Qt.ItemDataRole.UserRole:
            return hit
        return None

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: N802, B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: N802, B008
        if parent.isValid() or self._exhausted or self._project is None:
            return
        after = self._hits[-1].key if self._hits else None
        page = search_hits(self._project, self._query, scope=self._scope, after=after, limit=PAGE)
        if len(page) < PAGE:
            self._exhausted = True
        if page:
            first = len(self._hits)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._hits.extend(page)
            self.endInsertRows()

    # --------------------------------------------------------------------------- our API
    def run(self, project: Project, query: str, scope: SearchScope | None = None) -> None:
        """Start a search (the query is checked first: SearchQueryError when FTS5 refuses it)."""
        query = check_query(project, query)
        self.beginResetModel()
        self._project, self._query = project, query
        self._scope = scope or SearchScope()
        self._hits = []
        self._exhausted = False
        self.endResetModel()
        self.fetchMore()

    def clear(self) -> None:
        self.beginResetModel()
        self._project, self._hits, self._exhausted = None, [], True
        self.endResetModel()

    def hit(self, row: int) -> SearchHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    @property
    def exhausted(self) -> bool:
        return self._exhausted

    @property
    def query(self) -> str:
        return self._query if self._project is not None else ""


class SearchPanel(QWidget):
    """Query box, scope (label, annotator), saved searches and the KWIC table."""

    hit_activated = Signal(object)  # SearchHit
    message = Signal(str)
    searched = Signal(str)  # a query that ran

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self._summary = ""
        self.query_edit = QLineEdit()
        self.query_edit.setPlaceholderText('Search: words, "a phrase", prefix*, AND / OR / NOT')
        self.query_edit.setClearButtonEnabled(True)
        self.label_combo = QComboBox()
        self.label_combo.setToolTip("Only hits inside spans of this label")
        self.annotator_combo = QComboBox()
        self.annotator_combo.setToolTip("Only hits inside spans made by this annotator")
        self.search_button = QPushButton("Search")
        self.saved_combo = QComboBox()
        self.saved_combo.setToolTip("Run a saved search")
        self.save_button = QPushButton("Save…")
        self.save_button.setToolTip("Save this search in the project")
        self.delete_button = QPushButton("Forget")
        self.delete_button.setToolTip("Delete the chosen saved search")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.model = SearchHitModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(0, 160)

        row1 = QHBoxLayout()
        row1.addWidget(self.query_edit, 1)
        row1.addWidget(self.search_button)
        row2 = QHBoxLayout()
        row2.addWidget(QLabel("In spans of"))
        row2.addWidget(self.label_combo)
        row2.addWidget(QLabel("by"))
        row2.addWidget(self.annotator_combo)
        row2.addStretch(1)
        row2.addWidget(QLabel("Saved:"))
        row2.addWidget(self.saved_combo)
        row2.addWidget(self.save_button)
        row2.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row1)
        layout.addLayout(row2)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)

        self.query_edit.returnPressed.connect(self.run_search)
        self.search_button.clicked.connect(self.run_search)
        self.table.activated.connect(self._on_table_activated)
        self.table.clicked.connect(self._on_table_activated)
        self.saved_combo.activated.connect(self._on_saved_combo_activated)
        self.save_button.clicked.connect(self._save_current)
        self.delete_button.clicked.connect(self._delete_saved)
        self.set_project(None)

    # ------------------------------------------------------------------------- project
    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.model.clear()
        self.status.clear()
        self.refresh_choices()
        enabled = project is not None
        for widget in (self.query_edit, self.search_button, self.save_button, self.saved_combo):
            widget.setEnabled(enabled)

    def refresh_choices(self) -> None:
        """Reload the label, annotator and saved-search lists from the project."""
        label, annotator = self.label_combo.currentText(), self.annotator_combo.currentText()
        self.label_combo.clear()
        self.annotator_combo.clear()
        self.label_combo.addItem(ANY)
        self.annotator_combo.addItem(ANY)
        if self.project is not None:
            self.label_combo.addItems([lb.name for lb in self.project.labels()])
            self.annotator_combo.addItems([a for a in self.project.annotators() if a])
        self.label_combo.setCurrentText(label or ANY)
        self.annotator_combo.setCurrentText(annotator or ANY)
        self._fill_saved()

    def _fill_saved(self) -> None:
        self.saved_combo.clear()
        if self.project is None:
            return
        for saved in saved_searches(self.project):
            self.saved_combo.addItem(saved.name, saved)
        self.delete_button.setEnabled(self.saved_combo.count() > 0)

    def scope(self) -> SearchScope:
        label, annotator = self.label_combo.currentText(), self.annotator_combo.currentText()
        return SearchScope(
            label=None if label in ("", ANY) else label,
            annotator=None if annotator in ("", ANY) else annotator,
        )

    # -------------------------------------------------------------------------- search
    @Slot()
    def run_search(self) -> bool:
        """Run the query in the box; a malformed one is explained under it. True if it ran."""
        if self.project is None:
            return False
        query, scope = self.query_edit.text(), self.scope()
        try:
            self.model.run(self.project, query, scope)
        except (SearchQueryError, ProjectError) as exc:
            self.model.clear()
            self.status.setText(str(exc))
            self.status.setStyleSheet("color: #b03a2e")
            return False
        self.status.setStyleSheet("")
        shown = self.model.rowCount()
        more = "" if self.model.exhausted else "+"
        where = f" in spans of {scope.label}" if scope.label else ""
        who = f" by {scope.annotator}" if scope.annotator else ""
        scrolled = "" if self.model.exhausted else " (more as you scroll)"
        self._summary = f"{shown}{more} hit(s){where}{who}{scrolled}"
        self.status.setText(self._summary + ".")
        if shown:
            self.table.selectRow(0)
        # The first page shows at once; the articles are counted on the next turn of the loop.
        # (The panel is the timer's context: a panel gone by then is not called.)
        QTimer.singleShot(0, self, lambda q=query, s=scope: self._count_articles(q, s))
        self.searched.emit(query)
        return True

    def _count_articles(self, query: str, scope: SearchScope) -> None:
        if self.project is None or self.project.closed or self.model.query != query:
            return  # the project was closed (the window with it) before this turn came
        try:
            articles = matching_article_count(self.project, query, scope)
        except (SearchQueryError, ProjectError):
            return
        self.status.setText(f"{self._summary}; {articles} article(s) match.")

    def search_for(self, query: str, scope: SearchScope | None = None) -> bool:
        scope = scope or SearchScope()
        self.query_edit.setText(query)
        self.label_combo.setCurrentText(scope.label or ANY)
        self.annotator_combo.setCurrentText(scope.annotator or ANY)
        return self.run_search()

    @Slot(QModelIndex)
    def _on_table_activated(self, index: QModelIndex) -> None:
        hit = self.model.hit(index.row())
        if hit is not None:
            self.hit_activated.emit(hit)

    def current_row(self) -> int:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    def step(self, direction: int) -> SearchHit | None:
        """Go to the next (1) or previous (-1) hit, fetching the next page when needed."""
        row = self.current_row() + direction
        if row >= self.model.rowCount() and self.model.canFetchMore():
            self.model.fetchMore()
        hit = self.model.hit(row)
        if hit is None:
            self.message.emit("No more hits." if direction > 0 else "This is the first hit.")
            return None
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        self.hit_activated.emit(hit)
        return hit

    # ------------------------------------------------------------------ saved searches
    @Slot(int)
    def _on_saved_combo_activated(self, index: int) -> None:
        saved = self.saved_combo.itemData(index)
        if isinstance(saved, SavedSearch):
            self.search_for(saved.query, SearchScope(saved.label, saved.annotator))

    @Slot()
    def _save_current(self) -> None:
        name, ok = QInputDialog.getText(self, "Save Search", "Name of this search:")
        if ok:
            self.save_as(name)

    def save_as(self, name: str) -> bool:
        if self.project is None:
            return False
        scope = self.scope()
        try:
            save_search(
                self.project,
                SavedSearch(name.strip(), self.query_edit.text(), scope.label, scope.annotator),
            )
        except (SearchQueryError, ProjectError) as exc:
            self.status.setText(f"Not saved: {exc}")
            return False
        self._fill_saved()
        self.saved_combo.setCurrentText(name.strip())
        self.message.emit(f"Search “{name.strip()}” saved.")
        return True

    @Slot()
    def _delete_saved(self) -> None:
        saved = self.saved_combo.currentData()
        if self.project is not None and isinstance(saved, SavedSearch):
            try:
                delete_saved_search(self.project, saved.name)
            except ProjectError as exc:
                self.status.setText(str(exc))
                return
            self._fill_saved()
