"""The article list (search, label filter, sorting, paging) and the article on screen: opening
one in the reader, stepping through the list, its status, and the reading place kept per
project."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from PySide6.QtCore import QModelIndex, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.core.model import SUGGESTION_ANNOTATOR, Label
from annotator.settings import ReadingPlace
from annotator.store import ProjectError
from annotator.ui.article_list_model import ArticleListModel
from annotator.ui.commands import SetStatusCommand
from annotator.ui.controllers.workspace import Workspace
from annotator.ui.dialogs import color_icon
from annotator.ui.layout_memory import ColumnFitter, remember_columns
from annotator.ui.reader import ReaderPane
from annotator.ui.session import ProjectSession

STATUS_ACTIONS = {
    "status_new": "new",
    "status_in_progress": "in progress",
    "status_done": "done",
}


class ArticleController(QObject):
    """Owns the Articles dock and which article the reader shows."""

    # The article now on screen (None: none), its spans and relations: the span panel and the
    # layers show them without reading them again.
    article_shown = Signal(object, list, list)

    def __init__(self, workspace: Workspace, reader: ReaderPane, parent: QWidget) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.reader = reader
        self._syncing = False  # True while the controller itself moves the list's selection
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("Search articles…")
        self.search_box.setClearButtonEnabled(True)
        self.label_filter = QComboBox()
        self.search_timer = QTimer(self, singleShot=True, interval=200)
        self.search_timer.timeout.connect(self.apply_filter)
        self.search_box.textChanged.connect(self.search_timer.start)
        self.label_filter.currentIndexChanged.connect(self.apply_filter)
        self.view = QTableView()
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setSortingEnabled(True)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)  # full title in the tooltip
        self.view.setObjectName("articleTable")
        self.view.setAccessibleName("Articles")
        self.search_box.setAccessibleName("Search articles")
        self.label_filter.setAccessibleName("Show articles with label")
        self.count_label = QLabel()
        self.fitter = ColumnFitter(self.view, ArticleListModel.TITLE, 0.35)
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search_box)
        layout.addWidget(self.label_filter)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)
        self.dock = QDockWidget("Articles", parent)
        self.dock.setObjectName("articles_dock")
        self.dock.setWidget(panel)
        self.model: ArticleListModel | None = None
        self._status_actions: list[QAction] = []

    def bind_actions(self, actions: Mapping[str, QAction]) -> None:
        """Connect the Article menu's actions (and Edit ▸ Find) to this controller."""
        actions["find"].triggered.connect(self.focus_search)
        actions["next_article"].triggered.connect(lambda: self.step(1))
        actions["previous_article"].triggered.connect(lambda: self.step(-1))
        for name, status in STATUS_ACTIONS.items():
            actions[name].triggered.connect(lambda _=False, s=status: self.set_status(s))
            self._status_actions.append(actions[name])
        self.workspace.actions_stale.connect(self.update_actions)

    def update_actions(self) -> None:
        on = self.workspace.editable and self.workspace.article_id is not None
        for action in self._status_actions:
            action.setEnabled(on)

    # ----------------------------------------------------------------------- the project
    def show_project(self, session: ProjectSession) -> None:
        """List the articles of a newly opened project."""
        self.model = ArticleListModel(session, self)
        self.view.setModel(self.model)
        header = self.view.horizontalHeader()
        # Every column can be dragged wider or narrower (the title takes what is left); the
        # widths the analyst chose come back on the next start.
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(ArticleListModel.TITLE, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(32)
        metrics = self.view.fontMetrics()
        char = max(1, metrics.averageCharWidth())
        date = metrics.horizontalAdvance("2017-01-27") + 14
        for column, width in (
            (ArticleListModel.OUTLET, 9 * char + 12),
            (ArticleListModel.DATE, date),
            (ArticleListModel.STATUS, metrics.horizontalAdvance("in progress") + 14),
            (ArticleListModel.SPANS, 5 * char + 12),
        ):
            header.resizeSection(column, width)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        remember_columns(header, "articles/columns")
        # The title keeps at least 35% of the list's width while the others can give way.
        self.fitter.desired = {c: header.sectionSize(c) for c in range(1, header.count())}
        # Dates and statuses are read whole or not at all; the outlet keeps a word.
        self.fitter.minimums = {
            ArticleListModel.OUTLET: 7 * char + 12,
            ArticleListModel.DATE: date,
            ArticleListModel.STATUS: metrics.horizontalAdvance("in progress") + 14,
            ArticleListModel.SPANS: 4 * char + 8,
        }
        # Given too little room, the outlet (the reader's header names it) and the count go first.
        self.fitter.optional = [ArticleListModel.OUTLET, ArticleListModel.SPANS]
        self.fitter.fit()
        self.view.selectionModel().currentRowChanged.connect(self._on_view_row_changed)
        # What exists by now (modules, widgets, the project) lives as long as the window: keep
        # it out of the collector's full passes, which otherwise walk all of it every time and
        # land as pauses in the middle of a keystroke or an article opening.
        gc.freeze()

    def open_reading_place(self) -> None:
        """Show where the analyst left this project, else its first article, else nothing."""
        project, model = self.workspace.project, self.model
        assert project is not None and model is not None
        place = self.workspace.settings.places.get(str(project.path), ReadingPlace())
        if place.article_id is not None and project.has_article(place.article_id):
            self.open_article(place.article_id, position=place.position)
        elif model.rowCount():
            first = model.article_id(0)
            if first is not None:
                self.open_article(first)
        else:
            self.show_empty()

    def set_labels(self, labels: Sequence[Label]) -> None:
        """Offer the project's labels in the list's label filter."""
        combo = self.label_filter
        previous = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("All articles", None)
        for label in labels:
            combo.addItem(color_icon(label.color), f"With {label.name}", label.id)
        index = combo.findData(previous) if previous is not None else 0
        combo.setCurrentIndex(max(0, index))
        combo.blockSignals(False)
        self.update_count()

    # ----------------------------------------------------------------------- the article
    def show_empty(self) -> None:
        ws = self.workspace
        ws.article_id = None
        ws.article_text = ""
        self.reader.header.set_article(
            "No article yet", "Import articles with File ▸ Import, or drop files here."
        )
        self.reader.view.clear()
        self.article_shown.emit(None, [], [])

    def open_article(self, article_id: int, *, position: int | None = None) -> None:
        with collection_paused():
            self._open_article(article_id, position)

    def _open_article(self, article_id: int, position: int | None) -> None:
        ws = self.workspace
        session = ws.session
        assert session is not None and self.model is not None
        if ws.article_id is not None and ws.article_id != article_id:
            self.remember_place()
        project = session.project
        try:
            article = project.article(article_id)
        except ProjectError as exc:
            ws.post(str(exc), 5000)
            return
        ws.article_id = article_id
        ws.article_text = article.text
        # The suggestions layer is drawn by the suggestion controller (ui/suggestions.py).
        spans = [s for s in project.spans(article_id) if s.annotator != SUGGESTION_ANNOTATOR]
        relations = [
            r for r in project.relations(article_id) if r.annotator != SUGGESTION_ANNOTATOR
        ]
        meta = " · ".join(
            part
            for part in (article.source, article.author, article.published, article.url)
            if part
        )
        self.reader.view.set_article(
            article.text, spans, session.labels(), own_annotator=session.annotator
        )
        self.reader.view.set_relations(relations)
        if _first_line(article.text) == article.title.strip() and article.title.strip():
            # The headline is part of the text (so it can be tagged): show it there, once.
            self.reader.header.set_article("", meta)
            self.reader.view.emphasize_headline()
        else:
            self.reader.header.set_article(article.title or "(untitled)", meta)
        self.article_shown.emit(article_id, spans, relations)
        if position:
            self.reader.view.scroll_to_offset(position)
        row = self.model.row_of(article_id)
        if row is not None:
            self._syncing = True
            try:
                self.view.selectRow(row)
            finally:
                self._syncing = False
            self.view.scrollTo(self.model.index(row, 0))
        ws.settings.places[str(project.path)] = ReadingPlace(article_id, position or 0)
        ws.refresh_actions()
        ws.article_opened.emit(article_id)

    def reopen(self) -> None:
        """Show the current article again, at the same place (its labels or layers changed)."""
        if self.workspace.article_id is not None:
            position = self.reader.view.first_visible_offset()
            self.open_article(self.workspace.article_id, position=position)

    def remember_place(self) -> None:
        ws = self.workspace
        if ws.project is None or ws.article_id is None:
            return
        ws.settings.places[str(ws.project.path)] = ReadingPlace(
            ws.article_id, self.reader.view.first_visible_offset()
        )

    def _on_view_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing or self.model is None:
            return
        article_id = self.model.article_id(current.row())
        if article_id is not None and article_id != self.workspace.article_id:
            self.open_article(article_id)

    def step(self, step: int) -> None:
        """Open the next (1) or previous (-1) article of the list."""
        model, current = self.model, self.workspace.article_id
        if current is None or model is None:
            return
        row = model.row_of(current)
        target = (row if row is not None else -1) + step
        if target >= model.rowCount() and model.canFetchMore(QModelIndex()):
            model.fetchMore(QModelIndex())
        article_id = model.article_id(target)
        if article_id is not None:
            self.open_article(article_id)

    def set_status(self, status: str) -> None:
        ws = self.workspace
        if ws.session is None or ws.article_id is None or ws.session.read_only:
            return
        try:
            before = ws.session.set_article_status(ws.article_id, status)
        except ProjectError:
            return  # the session said why
        if before != status:
            ws.undo_stack.push(SetStatusCommand(ws.session, ws.article_id, before, status))

    # ----------------------------------------------------------------------- the list
    @Slot()
    def apply_filter(self) -> None:
        if self.model is None:
            return
        label_id = self.label_filter.currentData()
        self.model.set_filter(self.search_box.text(), label_id)
        if self.workspace.article_id is not None:
            row = self.model.row_of(self.workspace.article_id)
            if row is not None:
                self.view.selectRow(row)
        self.update_count()

    def update_count(self) -> None:
        total = self.model.total if self.model is not None else 0
        self.count_label.setText(f"{total} article{'s' if total != 1 else ''}")

    def focus_search(self) -> None:
        self.dock.show()
        self.search_box.setFocus()
        self.search_box.selectAll()


def _first_line(text: str) -> str:
    """The first line with more than white space, among the first 50 (without copying the rest
    of a long text)."""
    start = 0
    for _ in range(50):
        end = text.find("\n", start)
        line = (text[start:] if end < 0 else text[start:end]).strip()
        if line or end < 0:
            return line
        start = end + 1
    return ""


@contextmanager
def collection_paused() -> Iterator[None]:
    """No garbage collection while an article is read in: its tens of thousands of spans are
    all alive, so collecting on the way (each time the allocation count passes the threshold)
    finds nothing and costs more as the article grows; one collection after is enough."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
