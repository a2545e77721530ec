"""The reader pane: the article's title and details above the reader view, in one text column."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont, QFontMetricsF, QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from annotator.core.model import Article, Label, Span
from annotator.ui.reader.column import DEFAULT_POINT_SIZE, MIN_SIDE_MARGIN, reading_font
from annotator.ui.reader.view import ReaderView

MIN_READABLE_CHARS = 34


class ArticleHeader(QWidget):
    """Title and a muted metadata line (source · author · published · url) above the text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("articleHeader")
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)
        self.title_label = QLabel(self)
        self.title_label.setObjectName("articleTitle")
        self.metadata_label = QLabel(self)
        self.metadata_label.setObjectName("articleMetadata")
        for label in (self.title_label, self.metadata_label):
            # Titles come from the web: never let a "<b>" in one turn into markup.
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.metadata_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.title_label.setAccessibleName(self.tr("Article title"))
        self.metadata_label.setAccessibleName(self.tr("Article details"))
        self._layout = QVBoxLayout(self)
        self._layout.setSpacing(6)
        self._layout.addWidget(self.title_label)
        self._layout.addWidget(self.metadata_label)
        self._top, self._bottom = 18, 2
        self.set_column_margins(MIN_SIDE_MARGIN, MIN_SIDE_MARGIN)
        self.set_point_size(DEFAULT_POINT_SIZE)
        self.clear()

    def set_article(self, title: str, metadata_line: str = "") -> None:
        """Show a title and a ready-made metadata line (see :meth:`metadata_line_of`)."""
        self.title_label.setText(title)
        self.title_label.setVisible(bool(title))
        self.metadata_label.setText(metadata_line)
        self.metadata_label.setVisible(bool(metadata_line))

    def show_article(self, article: Article) -> None:
        """Show an article's title and metadata."""
        self.set_article(article.title, self.metadata_line_of(article))

    @staticmethod
    def metadata_line_of(article: Article) -> str:
        """source · author · published · url, leaving out the empty ones."""
        parts = (article.source, article.author, article.published, article.url)
        return " · ".join(part.strip() for part in parts if part.strip())

    def clear(self) -> None:
        self.set_article("")

    def title_text(self) -> str:
        return self.title_label.text()

    def metadata_text(self) -> str:
        return self.metadata_label.text()

    def set_column_margins(self, left: int, right: int) -> None:
        """Line the header up with the reader's text column."""
        self._layout.setContentsMargins(left, self._top, right, self._bottom)

    def set_point_size(self, point_size: float) -> None:
        """Follow the reader's text size (zoom)."""
        title_font = reading_font(round(point_size * 1.6 * 2) / 2)
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        meta_font = QFont(self.font())
        meta_font.setPointSizeF(max(7.0, round(point_size * 0.85 * 2) / 2))
        self.metadata_label.setFont(meta_font)


class ReaderPane(QWidget):
    """The article header above the reader view, sharing one text column."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readerPane")
        self.header = ArticleHeader(self)
        self.view = ReaderView(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.view, 1)
        self.view.text_column_changed.connect(self._on_view_text_column_changed)
        self.view.zoom_changed.connect(self._on_view_zoom_changed)
        self.setFocusProxy(self.view)
        # In a narrow window the side panels give way before the text column gets too narrow
        # to read (about 34 characters).
        char = QFontMetricsF(self.view.font()).averageCharWidth()
        self.setMinimumWidth(round(char * MIN_READABLE_CHARS + 2 * 16 + 20))

    def set_article(
        self,
        article: Article,
        spans: Sequence[Span],
        labels: Sequence[Label],
        *,
        own_annotator: str,
    ) -> None:
        self.header.show_article(article)
        self.view.set_article(article.text, spans, labels, own_annotator=own_annotator)

    def clear(self) -> None:
        self.header.clear()
        self.view.clear()

    @Slot(int, int)
    def _on_view_text_column_changed(self, left: int, right: int) -> None:
        self.header.set_column_margins(left, right)

    @Slot(int)
    def _on_view_zoom_changed(self, _steps: int) -> None:
        self.header.set_point_size(self.view.font().pointSizeF())
