"""The reader: an article's text with its spans, layers, overlaps and relations drawn."""

from annotator.ui.reader.arcs import RelationMode
from annotator.ui.reader.column import DEFAULT_POINT_SIZE, READING_FONT_FAMILIES, reading_font
from annotator.ui.reader.marks import OverlayMark
from annotator.ui.reader.pane import ArticleHeader, ReaderPane
from annotator.ui.reader.view import MAX_LINE_SPACING, MIN_LINE_SPACING, ReaderView

__all__ = [
    "DEFAULT_POINT_SIZE",
    "MAX_LINE_SPACING",
    "MIN_LINE_SPACING",
    "READING_FONT_FAMILIES",
    "ArticleHeader",
    "OverlayMark",
    "ReaderPane",
    "ReaderView",
    "RelationMode",
    "reading_font",
]
