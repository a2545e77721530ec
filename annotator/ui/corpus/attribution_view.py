"""The Attribution view: who is quoted, per article or across the corpus.

Each source (Source spans with the same text, case and spacing aside) is a row with whether it
is named or anonymous and its counts; its attributed quotes are its children. The analyst
overrides the named/anonymous guess for a source; the window stores that as the ``named``
attribute on its Source spans, which the guess never overwrites.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.store import Project
from annotator.store.sources import QuoteRef, SourceRow, sources
from annotator.ui.table_model import one_line

SOURCE_ROLE = Qt.ItemDataRole.UserRole
QUOTE_ROLE = Qt.ItemDataRole.UserRole + 1


class AttributionView(QWidget):
    """``quote_activated(QuoteRef)`` opens a quote; ``named_requested(span_ids, value)`` asks the
    window to set ``named`` on those Source spans (value True/False, or None to clear)."""

    quote_activated = Signal(object)
    named_requested = Signal(object, object)  # list of span ids, bool | None

    COLUMNS = ("Source / quote", "Named", "Quotes", "Mentions", "Articles")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.article_id: int | None = None
        self.corpus_button = QRadioButton("Whole corpus")
        self.article_button = QRadioButton("This article")
        self.corpus_button.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.corpus_button)
        group.addButton(self.article_button)
        self.summary = QLabel()
        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(self.COLUMNS))
        self.tree.setHeaderLabels(list(self.COLUMNS))
        self.tree.setUniformRowHeights(True)
        self.tree.setRootIsDecorated(True)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(self.COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.named_button = QPushButton("Mark Named")
        self.anonymous_button = QPushButton("Mark Anonymous")
        self.guess_button = QPushButton("Use the Guess")
        self.guess_button.setToolTip("Forget the override: named or not is guessed from the text")

        bar = QHBoxLayout()
        bar.addWidget(self.corpus_button)
        bar.addWidget(self.article_button)
        bar.addStretch(1)
        bar.addWidget(self.summary)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.named_button, self.anonymous_button, self.guess_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)

        self.corpus_button.toggled.connect(self._on_scope_toggled)
        self.tree.itemActivated.connect(self._on_tree_item_activated)
        self.tree.itemDoubleClicked.connect(self._on_tree_item_activated)
        self.named_button.clicked.connect(lambda: self._request_named(True))
        self.anonymous_button.clicked.connect(lambda: self._request_named(False))
        self.guess_button.clicked.connect(lambda: self._request_named(None))
        self.set_project(None)

    def set_project(self, project: Project | None, *, load: bool = True) -> None:
        """Show ``project``'s sources; with ``load`` False only forget the last project's, and
        read them at the next :meth:`reload` (a hidden panel reads nothing)."""
        self.project = project
        self.article_id = None
        if load:
            self.reload()
        else:
            self.tree.clear()
            self.summary.clear()

    def set_article(self, article_id: int | None, *, load: bool = True) -> None:
        self.article_id = article_id
        if load and self.article_button.isChecked():
            self.reload()

    @Slot(bool)
    def _on_scope_toggled(self, _on: bool) -> None:
        self.reload()

    def rows(self) -> list[SourceRow]:
        if self.project is None:
            return []
        if self.article_button.isChecked():
            if self.article_id is None:
                return []
            return sources(self.project, self.article_id)
        return sources(self.project)

    def reload(self) -> None:
        selected = self.current_source()
        tops = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        expanded = {
            item.data(0, SOURCE_ROLE).key for item in tops if item is not None and item.isExpanded()
        }
        self.tree.clear()
        rows = self.rows()
        named = sum(1 for r in rows if r.named)
        quotes = sum(len(r.quotes) for r in rows)
        anonymous_quotes = sum(len(r.quotes) for r in rows if not r.named)
        self.summary.setText(
            f"{len(rows)} source(s): {named} named, {len(rows) - named} anonymous · "
            f"{quotes} attributed quote(s), {anonymous_quotes} to anonymous sources"
        )
        for row in rows:
            kind = "named" if row.named else "anonymous"
            item = QTreeWidgetItem(
                [
                    row.source,
                    kind + (" (guess)" if row.guessed else ""),
                    str(len(row.quotes)),
                    str(row.mentions),
                    str(len(row.articles)),
                ]
            )
            item.setData(0, SOURCE_ROLE, row)
            item.setForeground(1, QColor("#2e7d32" if row.named else "#8e6cc9"))
            for col in (2, 3, 4):
                item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight)
            for quote in row.quotes:
                child = QTreeWidgetItem([f"“{one_line(quote.text, 140)}”", "", "", "", ""])
                child.setData(0, QUOTE_ROLE, quote)
                child.setToolTip(0, one_line(quote.text, 2000))
                item.addChild(child)
            self.tree.addTopLevelItem(item)
            if row.key in expanded:
                item.setExpanded(True)
            if selected is not None and row.key == selected.key:
                self.tree.setCurrentItem(item)

    def current_source(self) -> SourceRow | None:
        item = self.tree.currentItem()
        while item is not None and item.parent() is not None:
            item = item.parent()
        if item is None:
            return None
        row = item.data(0, SOURCE_ROLE)
        return row if isinstance(row, SourceRow) else None

    def _request_named(self, value: bool | None) -> None:
        row = self.current_source()
        if row is not None:
            self.named_requested.emit(list(row.span_ids), value)

    @Slot(QTreeWidgetItem, int)
    def _on_tree_item_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        quote = item.data(0, QUOTE_ROLE)
        if isinstance(quote, QuoteRef):
            self.quote_activated.emit(quote)
