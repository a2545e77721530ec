"""The reader pane: an article's text with its spans highlighted, selectable in code points."""

from __future__ import annotations

import html
import logging
import math
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QPoint,
    QPointF,
    QRectF,
    Qt,
    QTextBoundaryFinder,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QPolygonF,
    QResizeEvent,
    QTextBlock,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
    QTextLine,
    QTextOption,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QPlainTextEdit,
    QTextEdit,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from annotator.core.model import Article, Label, Relation, Span
from annotator.core.text import BOM, Utf16Index, snap_to_words
from annotator.ui.colors import HighlightScheme, badge_letters, blend, label_qcolor
from annotator.ui.highlighter import SpanHighlighter, SpanIndex, SpanLayers
from annotator.ui.layer_styles import LayerStyle
from annotator.ui.visible_highlight import VisibleHighlighting

log = logging.getLogger(__name__)

READING_FONT_FAMILIES = [
    "Charter",
    "Georgia",
    "Source Serif 4",
    "Source Serif Pro",
    "Noto Serif",
    "DejaVu Serif",
    "Liberation Serif",
    "Times New Roman",
]
DEFAULT_POINT_SIZE = 12.0
ZOOM_FACTOR = 1.1  # per step, so steps feel even at any size
MIN_ZOOM_STEPS = -5
MAX_ZOOM_STEPS = 12
MEASURE = 75  # characters per line: the comfortable range for continuous reading is ~60-80
_MEASURE_SAMPLE = "The quick brown fox jumps over the lazy dog, said officials on Monday. "
_DOCUMENT_MARGIN = 16.0
_MIN_SIDE_MARGIN = 8
_GRAPHEME = QTextBoundaryFinder.BoundaryType.Grapheme
_PLAIN_BELOW = 0x300  # boundaries between characters below U+0300 are always grapheme boundaries
_LANE_PITCH = 3.0  # vertical distance between the stacked bars of nested spans
_BAR_WIDTH = 2.0
MIN_LINE_SPACING = 1.0
MAX_LINE_SPACING = 2.5


# How one span is marked in a block: (span, style, whether it starts here, pieces), each piece
# (x1, x2, glyph top, glyph bottom, bar y, underline y, line number) in block coordinates.
_BarShape = tuple[
    Span, LayerStyle, bool, list[tuple[float, float, float, float, float, float, int]]
]


class RelationMode:
    """Which relations the reader draws as arcs."""

    ALL = "all"  # every relation on screen (the current span's stand out)
    SELECTED = "selected"  # only the current span's
    NONE = "none"


def reading_font(point_size: float = DEFAULT_POINT_SIZE) -> QFont:
    """A serif text face for long reading, falling back to whatever serif the system has."""
    font = QFont()
    font.setFamilies(READING_FONT_FAMILIES)
    font.setStyleHint(QFont.StyleHint.Serif)
    font.setPointSizeF(point_size)
    return font


def _cursor_x(line: QTextLine, position: int) -> float:
    """x of a cursor position on a line (PySide returns the x with the adjusted position)."""
    result: Any = line.cursorToX(position)
    return float(result[0] if isinstance(result, tuple) else result)


@dataclass(frozen=True, slots=True)
class OverlayMark:
    """A range drawn over the text that is not a span of the project (a colleague's span, a
    place where annotators differ): it never enters the span index, so it cannot clash with a
    span id, be clicked or be made current.

    ``lane`` 0-3 draws a line in ``style`` inside the line box (0 at its bottom, 1 at its top,
    2 and 3 just inside those), so several layers stay apart; ``lane=None`` draws a bar in the
    left margin beside the lines of the range. ``color`` is a label colour: it is drawn in the
    view's stronger line variant, light or dark. ``tip`` is plain text shown on hover.
    ``outline`` draws a box in ``style`` around the range on each line instead (suggestions).
    """

    start: int
    end: int
    color: QColor
    style: Qt.PenStyle = Qt.PenStyle.SolidLine
    lane: int | None = 0
    tip: str = ""
    outline: bool = False


class ReaderView(QPlainTextEdit):
    """Read-only article text with span highlights.

    The public API speaks code points of the stored text only, as half-open ``[start, end)``
    ranges; UTF-16 positions (what Qt counts) never leave this class. Highlights are layout
    formats set by a :class:`SpanHighlighter`, so the document itself is never modified; the
    current span and other transient marks are extra selections and painting on top.
    """

    span_clicked = Signal(int)
    selection_changed = Signal()
    current_span_changed = Signal(object)  # int, or None when no span is current
    zoom_changed = Signal(int)
    text_column_changed = Signal(int, int)  # left and right edge of the text, in pixels

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._labels: dict[int, Label] = {}
        self._layers = SpanLayers()
        self._scheme = HighlightScheme.from_palette(self.palette())
        # Attached while the document is still empty, so it highlights synchronously inside
        # setPlainText (one pass) instead of queueing a second full pass.
        self._highlighter = SpanHighlighter(self.document(), self._layers)
        self._highlighter.set_scheme(self._scheme)
        # A long text is highlighted only where it is seen (ui/visible_highlight.py).
        self._visible = VisibleHighlighting(self, self._highlighter)
        self._current: int | None = None
        self._overlay: tuple[OverlayMark, ...] = ()
        self._overlay_by_block: dict[int, list[OverlayMark]] = {}
        self._last_selection: tuple[int, int] | None = None
        self._press_pos: QPoint | None = None
        self._click_place: tuple[int, ...] = ()
        self._snap_words = False
        self._show_span_marks = True
        self._zoom_steps = 0
        self._base_point_size = DEFAULT_POINT_SIZE
        self._font_family = ""
        self._line_spacing = MIN_LINE_SPACING
        self._badges: dict[int, str] = {}
        self._lanes: dict[int, list[tuple[Span, int, int, int]]] = {}  # block -> bars
        self._geometry: dict[int, list[_BarShape]] = {}  # block -> where its marks go
        self._badge_pixmaps: dict[tuple[object, ...], tuple[QPixmap, float]] = {}
        self._relations: tuple[Relation, ...] = ()
        self._relations_by_block: dict[int, list[Relation]] = {}
        self._relations_by_span: dict[int, list[Relation]] = {}
        self._relation_mode = RelationMode.ALL
        self.setObjectName("readerView")
        self.setAccessibleName(self.tr("Article text"))
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setUndoRedoEnabled(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Lines always wrap inside the column, so a horizontal bar would only ever be empty.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # The side margins that centre the column belong to this widget, not the viewport: fill
        # them with the text background so the page reads as one surface.
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)
        self.document().setDocumentMargin(_DOCUMENT_MARGIN)

        self.setFont(reading_font(self._base_point_size))
        self.selectionChanged.connect(self._on_text_selection_changed)

    # ---- article -------------------------------------------------------------------------

    def set_article(
        self,
        text: str,
        spans: Sequence[Span],
        labels: Sequence[Label],
        *,
        own_annotator: str,
    ) -> None:
        """Show a stored text with its spans; ``own_annotator``'s spans are the editable layer."""
        if "\r" in text or text.startswith(BOM):
            raise ValueError("stored text must have LF line ends only and no BOM")
        index = SpanIndex(text)
        for span in spans:
            # A damaged project should still open: show what can be shown, say what cannot.
            if not 0 <= span.start < span.end <= len(text):
                log.warning("span %s [%s, %s) lies outside the text", span.id, span.start, span.end)
            elif span.id in index.spans:
                log.warning("span %s is given twice; showing the first", span.id)
            else:
                index.add(span)
        self._text = text
        layers = self._layers
        layers.index = index
        layers.utf16 = Utf16Index(text)
        layers.own_annotator = own_annotator
        self._set_label_map(labels)
        self._lanes, self._geometry = {}, {}
        self._relations, self._relations_by_block, self._relations_by_span = (), {}, {}
        self._last_selection = None
        self._click_place = ()
        had_current = self._current is not None
        self._current = None
        self._overlay, self._overlay_by_block = (), {}
        self.setExtraSelections([])
        self._visible.set_plain_text(text)  # highlighted whole, or where seen if long
        if had_current:
            self.current_span_changed.emit(None)

    def emphasize_headline(self) -> None:
        """Show the first paragraph as a headline (bold, larger) without changing the text.

        The format goes into the document, under the highlighter's span formats, which merge
        over it; it scales with zoom because it is a relative size.
        """
        doc = self.document()
        block = doc.firstBlock()
        if not block.isValid() or block.length() <= 1:
            return
        cursor = QTextCursor(block)
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        headline = QTextCharFormat()
        headline.setFontWeight(QFont.Weight.Bold)
        headline.setProperty(QTextFormat.Property.FontSizeAdjustment, 2)
        undo = doc.isUndoRedoEnabled()
        doc.setUndoRedoEnabled(False)
        cursor.mergeCharFormat(headline)
        doc.setUndoRedoEnabled(undo)

    def clear(self) -> None:
        """Show nothing."""
        self.set_article(
            "", (), tuple(self._labels.values()), own_annotator=self._layers.own_annotator
        )

    @property
    def text(self) -> str:
        """The stored text on display."""
        return self._text

    @property
    def spans(self) -> dict[int, Span]:
        """Every span given, shown or not, by id (a copy)."""
        return dict(self._layers.index.spans)

    @property
    def highlighter(self) -> SpanHighlighter:
        return self._highlighter

    def set_labels(self, labels: Sequence[Label]) -> None:
        """New label names or colours: repaint every highlight."""
        self._set_label_map(labels)
        self._rehighlight_all()

    def _set_label_map(self, labels: Sequence[Label]) -> None:
        self._labels = {label.id: label for label in labels}
        ordered = sorted(labels, key=lambda lb: (lb.position, lb.id))
        self._badges = badge_letters([(label.id, label.name) for label in ordered])
        self._highlighter.set_label_colors(self._label_colors())

    def badge_of(self, label_id: int) -> str:
        """The one-character badge shown for a label (its spans, the panels)."""
        return self._badges.get(label_id, "?")

    def set_layer_styles(self, styles: Mapping[str, LayerStyle]) -> None:
        """How each other annotator's layer is drawn (the own layer is always filled)."""
        styles = dict(styles)
        if styles == self._layers.styles:
            return
        self._layers.styles = styles
        self._rehighlight_all()

    def layer_style(self, annotator: str) -> LayerStyle:
        """How an annotator's spans are drawn."""
        if annotator == self._layers.own_annotator:
            return LayerStyle.FILL
        return self._layers.styles.get(annotator, LayerStyle.OUTLINE)

    # ---- relations -----------------------------------------------------------------------

    def set_relations(self, relations: Iterable[Relation]) -> None:
        """The relations of the current article, drawn as arcs between their spans (see
        :attr:`relation_mode`); relations whose spans are not given are left out."""
        index = self._layers.index
        kept: list[Relation] = []
        by_block: dict[int, list[Relation]] = {}
        by_span: dict[int, list[Relation]] = {}
        for relation in relations:
            head = index.spans.get(relation.head_id)
            child = index.spans.get(relation.child_id)
            if head is None or child is None:
                continue
            kept.append(relation)
            for block in {index.block_of(head.start), index.block_of(child.start)}:
                by_block.setdefault(block, []).append(relation)
            by_span.setdefault(head.id, []).append(relation)
            by_span.setdefault(child.id, []).append(relation)
        self._relations = tuple(kept)
        self._relations_by_block, self._relations_by_span = by_block, by_span
        self.viewport().update()

    @property
    def relations(self) -> tuple[Relation, ...]:
        return self._relations

    def relations_of(self, span_id: int) -> list[Relation]:
        """The relations drawn from or to a span."""
        return list(self._relations_by_span.get(span_id, ()))

    @property
    def relation_mode(self) -> str:
        return self._relation_mode

    @relation_mode.setter
    def relation_mode(self, mode: str) -> None:
        if mode not in (RelationMode.ALL, RelationMode.SELECTED, RelationMode.NONE):
            raise ValueError(f"unknown relation mode {mode!r}")
        self._relation_mode = mode
        self.viewport().update()

    # ---- reading comfort -----------------------------------------------------------------

    @property
    def line_spacing(self) -> float:
        return self._line_spacing

    def set_line_spacing(self, spacing: float) -> None:
        """Lines ``spacing`` times their natural height apart (1 to 2.5)."""
        spacing = max(MIN_LINE_SPACING, min(MAX_LINE_SPACING, float(spacing)))
        if abs(spacing - self._line_spacing) < 0.005:
            return
        first = self.first_visible_offset()
        self._line_spacing = spacing
        self._highlighter.set_line_spacing(self.font(), spacing)
        self._rehighlight_all()
        self.scroll_to_offset(first)

    def set_reading_font(self, family: str = "", point_size: float = DEFAULT_POINT_SIZE) -> None:
        """The text face (empty for the default serif) and its size at zoom 0."""
        self._font_family = family
        self._base_point_size = max(6.0, min(48.0, float(point_size)))
        self._apply_font(self.first_visible_offset())

    def set_visible_annotators(self, names: set[str] | None) -> None:
        """Show only the layers of these annotators; None shows every layer given."""
        layers = self._layers
        visible = None if names is None else frozenset(names)
        if visible == layers.visible_annotators:
            return
        was_visible = layers.is_visible
        before = {span.id: was_visible(span) for span in layers.index.spans.values()}
        layers.visible_annotators = visible
        # Repaint only the paragraphs holding spans that appear or disappear: switching a
        # colleague's layer on should not cost a full pass over a long article.
        blocks: set[int] = set()
        for span in layers.index.spans.values():
            if layers.is_visible(span) != before[span.id]:
                blocks.update(layers.index.blocks_of(span.start, span.end))
        if len(blocks) > layers.index.block_count // 2:
            self._rehighlight_all()
        else:
            self._rehighlight_blocks(blocks)

    @property
    def visible_annotators(self) -> frozenset[str] | None:
        return self._layers.visible_annotators

    @property
    def own_annotator(self) -> str:
        return self._layers.own_annotator

    # ---- spans ---------------------------------------------------------------------------

    def add_span(self, span: Span) -> None:
        self._check_range(span)
        blocks = self._layers.index.add(span)
        self._rehighlight_blocks(blocks)

    def remove_span(self, span_id: int) -> None:
        _, blocks = self._layers.index.remove(span_id)
        self._rehighlight_blocks(blocks)
        if span_id == self._current:
            self.set_current_span(None)

    def update_span(self, span: Span) -> None:
        self._check_range(span)
        index = self._layers.index
        _, old_blocks = index.remove(span.id)
        new_blocks = index.add(span)
        self._rehighlight_blocks({*old_blocks, *new_blocks})
        if span.id == self._current:
            self._update_current_selection()

    def spans_at(self, offset: int, *, visible_only: bool = True) -> list[Span]:
        """Spans covering the character at ``offset``, innermost (shortest) first."""
        found = self._layers.index.at(offset)
        if visible_only:
            is_visible = self._layers.is_visible
            found = [span for span in found if is_visible(span)]
        return found

    # ---- overlay -------------------------------------------------------------------------

    def set_overlay(self, marks: Iterable[OverlayMark]) -> None:
        """Draw these marks over the current article (replacing any earlier ones); opening
        another article clears them. Marks outside the text are left out."""
        index = self._layers.index
        kept: list[OverlayMark] = []
        by_block: dict[int, list[OverlayMark]] = {}
        for mark in marks:
            if not 0 <= mark.start < mark.end <= len(self._text):
                log.warning("overlay mark [%s, %s) lies outside the text", mark.start, mark.end)
                continue
            kept.append(mark)
            for block in index.blocks_of(mark.start, mark.end):
                by_block.setdefault(block, []).append(mark)
        self._overlay, self._overlay_by_block = tuple(kept), by_block
        self.viewport().update()

    @property
    def overlay(self) -> tuple[OverlayMark, ...]:
        """The overlay marks on display."""
        return self._overlay

    def overlay_at(self, offset: int) -> list[OverlayMark]:
        """Overlay marks covering the character at ``offset``."""
        if not 0 <= offset < len(self._text):
            return []
        block = self._layers.index.block_of(offset)
        return [m for m in self._overlay_by_block.get(block, ()) if m.start <= offset < m.end]

    def reveal_offset(self, offset: int) -> None:
        """Scroll ``offset`` into view (a quarter down the page) unless it is visible already."""
        self._reveal(max(0, min(offset, len(self._text))))

    # ---- current span --------------------------------------------------------------------

    @property
    def current_span_id(self) -> int | None:
        return self._current

    def set_current_span(self, span_id: int | None, *, scroll: bool = True) -> None:
        """Mark one span as current (None for none), scrolling to it unless told not to."""
        if span_id is not None and span_id not in self._layers.index.spans:
            raise KeyError(span_id)
        changed = span_id != self._current
        self._current = span_id
        self._update_current_selection()
        if span_id is not None and scroll:
            self._reveal(self._layers.index.spans[span_id].start)
        if changed:
            self.current_span_changed.emit(span_id)

    def _update_current_selection(self) -> None:
        span = self._layers.index.spans.get(self._current) if self._current is not None else None
        if span is None:
            self.setExtraSelections([])
        else:
            selection = QTextEdit.ExtraSelection()
            selection.cursor = self._cursor_for(span.start, span.end)
            fmt = QTextCharFormat()
            fmt.setBackground(self._scheme.current(self._highlighter.label_color(span.label_id)))
            selection.format = fmt
            self.setExtraSelections([selection])
        self.viewport().update()

    # ---- selection -----------------------------------------------------------------------

    @property
    def snap_to_words(self) -> bool:
        return self._snap_words

    @snap_to_words.setter
    def snap_to_words(self, value: bool) -> None:
        self._snap_words = bool(value)
        self._on_text_selection_changed()

    def selected_range(self) -> tuple[int, int] | None:
        """The selection in code points, grown to whole grapheme clusters (and words, when
        snapping to words) and trimmed of white space; None when nothing is left."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        return self._snap_range(cursor.selectionStart(), cursor.selectionEnd())

    def select_range(self, start: int, end: int) -> None:
        """Select ``[start, end)`` (code points) as if the user had."""
        if not 0 <= start <= end <= len(self._text):
            raise ValueError(f"[{start}, {end}) is not inside a text of {len(self._text)}")
        self.setTextCursor(self._cursor_for(start, end))

    @Slot()
    def _on_text_selection_changed(self) -> None:
        selection = self.selected_range()
        if selection != self._last_selection:
            self._last_selection = selection
            self.selection_changed.emit()

    def _snap_range(self, start16: int, end16: int) -> tuple[int, int] | None:
        utf16 = self._layers.utf16
        start = utf16.to_code_point(self._grapheme_floor16(start16))
        end = utf16.to_code_point(self._grapheme_ceil16(end16), round_up=True)
        start, end = self._trim(start, end)
        if self._snap_words and start < end:
            start, end = snap_to_words(self._text, start, end)
            # Word characters stop short of some marks (e.g. Indic vowel signs): regrow.
            start = utf16.to_code_point(self._grapheme_floor16(utf16.to_utf16(start)))
            end = utf16.to_code_point(self._grapheme_ceil16(utf16.to_utf16(end)), round_up=True)
            start, end = self._trim(start, end)
        return (start, end) if start < end else None

    def _trim(self, start: int, end: int) -> tuple[int, int]:
        """Drop whole white-space grapheme clusters from both ends."""
        text = self._text
        utf16 = self._layers.utf16
        while start < end and text[start].isspace():
            start = utf16.to_code_point(self._grapheme_ceil16(utf16.to_utf16(start) + 1))
        while end > start and text[end - 1].isspace():
            end = utf16.to_code_point(self._grapheme_floor16(utf16.to_utf16(end) - 1))
        return start, max(start, end)

    def _grapheme_floor16(self, position16: int) -> int:
        """The grapheme boundary at or before a UTF-16 position."""
        return self._grapheme_snap16(position16, forward=False)

    def _grapheme_ceil16(self, position16: int) -> int:
        """The grapheme boundary at or after a UTF-16 position."""
        return self._grapheme_snap16(position16, forward=True)

    def _grapheme_snap16(self, position16: int, *, forward: bool) -> int:
        document = self.document()
        position16 = max(0, min(position16, self._layers.utf16.length16))
        block = document.findBlock(position16)
        local = position16 - block.position()
        if local <= 0 or local >= block.length() - 1:
            return position16  # block edges are always boundaries
        utf16 = self._layers.utf16
        cp = utf16.to_code_point(position16)
        if utf16.to_utf16(cp) == position16:
            # Fast path: two neighbouring characters below U+0300 always have a boundary.
            if ord(self._text[cp - 1]) < _PLAIN_BELOW and ord(self._text[cp]) < _PLAIN_BELOW:
                return position16
        finder = QTextBoundaryFinder(_GRAPHEME, block.text())
        finder.setPosition(local)
        if finder.isAtBoundary():
            return position16
        moved = finder.toNextBoundary() if forward else finder.toPreviousBoundary()
        return block.position() + moved if moved >= 0 else position16

    # ---- positions and scrolling ---------------------------------------------------------

    def first_visible_offset(self) -> int:
        """Code point of the first character on the topmost (at least half) visible line."""
        block = self.firstVisibleBlock()
        if not block.isValid():
            return 0
        top = self.blockBoundingGeometry(block).translated(self.contentOffset()).top()
        layout = block.layout()
        position16 = block.position()
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            # The first line at least half in view: scroll values are whole pixels while line
            # heights are fractional, so a line's last pixel row may still peek out above.
            if top + layout.position().y() + line.rect().center().y() > 0:
                position16 += line.textStart()
                break
        return self._layers.utf16.to_code_point(position16)

    def scroll_to_offset(self, offset: int) -> None:
        """Scroll so that the line holding ``offset`` is the topmost visible line."""
        offset = max(0, min(offset, len(self._text)))
        position16 = self._layers.utf16.to_utf16(offset)
        block = self.document().findBlock(position16)
        if not block.isValid():
            return
        # Lay the block out so its line count, and so the scroll value, is exact.
        self.document().documentLayout().blockBoundingRect(block)
        line = block.layout().lineForTextPosition(position16 - block.position())
        line_number = line.lineNumber() if line.isValid() else 0
        self.verticalScrollBar().setValue(block.firstLineNumber() + line_number)

    def _reveal(self, offset: int) -> None:
        """Scroll ``offset`` into view, a quarter down the page, unless it is visible already."""
        first = self.first_visible_offset()
        bottom_right = QPoint(self.viewport().width() - 1, self.viewport().height() - 1)
        last16 = self.cursorForPosition(bottom_right).position()
        last = self._layers.utf16.to_code_point(last16)
        if first <= offset < last:
            return
        self.scroll_to_offset(offset)
        lines = int(self.viewport().height() / QFontMetricsF(self.font()).lineSpacing())
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() - lines // 4)

    def offset_at(self, point: QPoint) -> int | None:
        """Code point of the character under a viewport position, or None off the text."""
        cursor = self.cursorForPosition(point)
        block = cursor.block()
        if not block.isValid():
            return None
        origin = self.blockBoundingGeometry(block).translated(self.contentOffset()).topLeft()
        layout = block.layout()
        local = QPointF(point) - origin - layout.position()
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            rect = line.rect()
            if rect.top() <= local.y() < rect.bottom():
                natural = line.naturalTextRect()
                if not natural.left() <= local.x() < natural.right():
                    return None
                position = line.xToCursor(local.x(), QTextLine.CursorPosition.CursorOnCharacter)
                if position >= block.length() - 1:
                    return None
                return self._layers.utf16.to_code_point(block.position() + position)
        return None

    def _cursor_for(self, start: int, end: int) -> QTextCursor:
        utf16 = self._layers.utf16
        cursor = QTextCursor(self.document())
        cursor.setPosition(utf16.to_utf16(start))
        cursor.setPosition(utf16.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        return cursor

    # ---- zoom and layout -----------------------------------------------------------------

    @property
    def zoom_steps(self) -> int:
        return self._zoom_steps

    def zoom_in(self) -> None:
        self.set_zoom(self._zoom_steps + 1)

    def zoom_out(self) -> None:
        self.set_zoom(self._zoom_steps - 1)

    def reset_zoom(self) -> None:
        self.set_zoom(0)

    def set_zoom(self, steps: int) -> None:
        """Text size in steps of 10% from the default; highlights and reading position stay."""
        steps = max(MIN_ZOOM_STEPS, min(MAX_ZOOM_STEPS, int(steps)))
        if steps == self._zoom_steps:
            return
        first = self.first_visible_offset()
        self._zoom_steps = steps
        self._apply_font(first)
        self.zoom_changed.emit(steps)

    def _apply_font(self, first: int) -> None:
        size = round(self._base_point_size * ZOOM_FACTOR**self._zoom_steps * 2) / 2
        font = reading_font(size)
        if self._font_family:
            font.setFamilies([self._font_family, *READING_FONT_FAMILIES])
        self.setFont(font)
        if self._highlighter.spaced:
            self._highlighter.set_line_spacing(font, self._line_spacing)
            self._rehighlight_all()
        self._update_column()
        self.scroll_to_offset(first)

    def text_column_margins(self) -> tuple[int, int]:
        """Distance from this widget's left and right edges to the text column."""
        margins = self.viewportMargins()
        inner = int(self.document().documentMargin()) + self.frameWidth()
        return margins.left() + inner, margins.right() + inner

    def _update_column(self) -> None:
        margins = self.viewportMargins()
        # From the widget, not the viewport: after shrinking, old margins may exceed the width.
        bar = self.verticalScrollBar()
        bar_width = bar.sizeHint().width() if bar.isVisibleTo(self) else 0
        available = self.contentsRect().width() - bar_width
        metrics = QFontMetricsF(self.font())
        char_width = metrics.horizontalAdvance(_MEASURE_SAMPLE) / len(_MEASURE_SAMPLE)
        column = char_width * MEASURE + 2 * self.document().documentMargin()
        side = max(_MIN_SIDE_MARGIN, int((available - column) / 2))
        if side != margins.left() or side != margins.right():
            self.setViewportMargins(side, 0, side, 0)
            # The base class re-wraps the text on its own resize only, not the viewport's.
            super().resizeEvent(QResizeEvent(self.size(), self.size()))
        self.text_column_changed.emit(*self.text_column_margins())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        self._geometry = {}  # lines wrap anew
        self._update_column()
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        kind = event.type()
        if kind in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._refresh_colors()
        elif kind == QEvent.Type.FontChange:
            self._geometry = {}
            self._update_column()

    def _refresh_colors(self) -> None:
        scheme = HighlightScheme.from_palette(self.palette())
        if (
            scheme.base == self._scheme.base
            and scheme.dark == self._scheme.dark
            and scheme.text == self._scheme.text
        ):
            return
        self._scheme = scheme
        self._badge_pixmaps = {}
        self._highlighter.set_scheme(scheme)
        self._rehighlight_all()

    # ---- input ---------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        self._press_pos = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        super().mouseReleaseEvent(event)
        press, self._press_pos = self._press_pos, None
        if event.button() != Qt.MouseButton.LeftButton or press is None:
            return
        position = event.position().toPoint()
        if (position - press).manhattanLength() >= QApplication.startDragDistance():
            return
        if self.textCursor().hasSelection():
            return
        self._click_at(position)

    def _click_at(self, position: QPoint) -> None:
        offset = self.offset_at(position)
        spans = self.spans_at(offset) if offset is not None else []
        if not spans:
            self._click_place = ()
            self.set_current_span(None)
            return
        place = tuple(span.id for span in spans)
        chosen = place[0]
        if place == self._click_place and self._current in place:
            # A second click on the same stack of spans steps outwards through it.
            chosen = place[(place.index(self._current) + 1) % len(place)]
        self._click_place = place
        self.set_current_span(chosen, scroll=False)
        self.span_clicked.emit(chosen)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt override)
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            # The base class would zoom behind our back; keep steps and margins in charge.
            delta = event.angleDelta().y()
            if delta > 0:
                self.zoom_in()
            elif delta < 0:
                self.zoom_out()
            event.accept()
            return
        super().wheelEvent(event)

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            offset = self.offset_at(event.pos())
            spans = self.spans_at(offset) if offset is not None else []
            marks = self.overlay_at(offset) if offset is not None else []
            if spans or marks:
                tip = self.tooltip_html(spans, marks)
                QToolTip.showText(event.globalPos(), tip, self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def tooltip_html(self, spans: Iterable[Span], marks: Iterable[OverlayMark] = ()) -> str:
        """Rich text naming each span's label, annotator and note, then the tips of overlay
        marks; user text is escaped."""
        parts = []
        for span in spans:
            label = self._labels.get(span.label_id)
            name = label.name if label is not None else self.tr("Unknown label")
            swatch = self._highlighter.label_color(span.label_id).name()
            layer = "" if self._layers.is_own(span) else self.tr(" (other layer)")
            part = (
                f'<span style="color:{swatch}">&#9632;</span> <b>{html.escape(name)}</b>'
                f" &middot; {html.escape(span.annotator)}{html.escape(layer)}"
            )
            if span.note:
                note = html.escape(span.note).replace("\n", "<br/>")
                part += f"<br/><i>{note}</i>"
            parts.append(part)
        for mark in marks:
            if mark.tip:
                swatch = self._scheme.line(mark.color).name()
                tip = html.escape(mark.tip).replace("\n", "<br/>")
                parts.append(f'<span style="color:{swatch}">&#9644;</span> {tip}')
        return "<qt>" + "<hr/>".join(parts) + "</qt>"

    # ---- painting ------------------------------------------------------------------------

    @property
    def show_span_marks(self) -> bool:
        """Whether own spans get thin bracket marks at their ends (tells adjacent spans apart)."""
        return self._show_span_marks

    @show_span_marks.setter
    def show_span_marks(self, value: bool) -> None:
        self._show_span_marks = bool(value)
        self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        super().paintEvent(event)
        if self.hasFocus():
            self._paint_focus()
        index = self._layers.index
        if not index.spans and not self._overlay:
            return
        painter = QPainter(self.viewport())
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            visible = list(self._visible_blocks(event.rect().bottom()))
            metrics = QFontMetricsF(self.font())
            for block, origin in visible:
                if self._show_span_marks:
                    self._paint_span_marks(painter, block, origin, metrics)
                if self._current is not None:
                    self._paint_current_outline(painter, block, origin)
                if self._overlay:
                    self._paint_overlay(painter, block, origin)
            if self._relations and self._relation_mode != RelationMode.NONE:
                self._paint_relations(painter, visible, metrics)
        finally:
            painter.end()

    def _paint_focus(self) -> None:
        """A visible keyboard focus: a bar in the highlight colour along the left edge."""
        painter = QPainter(self.viewport())
        try:
            color = self.palette().color(QPalette.ColorRole.Highlight)
            painter.fillRect(QRectF(0, 0, 3, self.viewport().height()), color)
        finally:
            painter.end()

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt override)
        super().focusInEvent(event)
        self.viewport().update()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt override)
        super().focusOutEvent(event)
        self.viewport().update()

    def _visible_blocks(self, bottom: int) -> Iterator[tuple[QTextBlock, QPointF]]:
        offset = self.contentOffset()
        block = self.firstVisibleBlock()
        while block.isValid():
            geometry = self.blockBoundingGeometry(block).translated(offset)
            if geometry.top() > bottom:
                break
            if block.isVisible():
                yield block, geometry.topLeft() + block.layout().position()
            block = block.next()

    def _bars_of(self, number: int) -> list[tuple[Span, int, int, int]]:
        """The visible spans of a block with the lane of their bar and their range clipped to
        the block: ``(span, lane, start, end)``. Overlapping spans get different lanes, outer
        spans the lower ones, so every span's extent can be followed on its own bar."""
        cached = self._lanes.get(number)
        if cached is not None:
            return cached
        layers = self._layers
        block_start, block_end = layers.index.block_bounds(number)
        spans = sorted(
            (s for s in layers.index.in_block(number) if layers.is_visible(s)),
            key=lambda s: (max(s.start, block_start), -s.end, s.id),
        )
        lane_ends: list[int] = []
        bars: list[tuple[Span, int, int, int]] = []
        for span in spans:
            start, end = max(span.start, block_start), min(span.end, block_end)
            if start >= end:
                continue
            lane = next((i for i, stop in enumerate(lane_ends) if stop <= start), len(lane_ends))
            if lane == len(lane_ends):
                lane_ends.append(end)
            else:
                lane_ends[lane] = end
            bars.append((span, lane, start, end))
        self._lanes[number] = bars
        return bars

    def _text_box(self, line: QTextLine, metrics: QFontMetricsF) -> tuple[float, float]:
        """Top and bottom of the glyphs of a line (the extra line spacing lies above them)."""
        baseline = line.y() + line.ascent()
        return baseline - min(line.ascent(), metrics.ascent()), baseline + metrics.descent()

    def _bar_y(self, line: QTextLine, lane: int, metrics: QFontMetricsF) -> float:
        """Where a lane's bar runs: stacked upwards in the space between lines when there is
        room, else downwards from the top of the line box."""
        top, _ = self._text_box(line, metrics)
        gap = top - line.y()
        if gap >= 2 * _LANE_PITCH:
            lanes = max(1, int(gap / _LANE_PITCH))
            return top - 1.0 - min(lane, lanes) * _LANE_PITCH
        return line.y() + 1.0 + min(lane, 3) * _LANE_PITCH

    def _bar_geometry(self, block: QTextBlock, metrics: QFontMetricsF) -> list[_BarShape]:
        """Where the marks of a block's spans go, in block-layout coordinates; kept until the
        block is highlighted or laid out again, so repaints in place cost only the drawing."""
        number = block.blockNumber()
        cached = self._geometry.get(number)
        if cached is not None:
            return cached
        shapes: list[_BarShape] = []
        bars = self._bars_of(number)
        if bars:
            lines = self._block_lines(block)
            style_of = self._layers.style_of
            for span, lane, start, end in bars:
                pieces = []
                for line, x1, x2 in self._pieces_in(block, lines, start, end):
                    top, bottom = self._text_box(line, metrics)
                    pieces.append(
                        (
                            x1,
                            x2,
                            top,
                            bottom,
                            self._bar_y(line, lane, metrics),
                            line.y() + line.ascent() + metrics.descent() * 0.55,
                            line.lineNumber(),
                        )
                    )
                shapes.append((span, style_of(span), span.start == start, pieces))
        self._geometry[number] = shapes
        return shapes

    def _paint_span_marks(
        self, painter: QPainter, block: QTextBlock, origin: QPointF, metrics: QFontMetricsF
    ) -> None:
        shapes = self._bar_geometry(block, metrics)
        if not shapes:
            return
        scheme = self._scheme
        label_color = self._highlighter.label_color
        colors: dict[int, QColor] = {}
        pens: dict[tuple[int, LayerStyle], QPen] = {}
        badge_font = QFont(self.font())
        badge_font.setBold(True)
        badge_font.setPixelSize(max(7, round(metrics.height() * 0.5)))
        badge_metrics = QFontMetricsF(badge_font)
        badges_at: dict[tuple[int, int], float] = {}
        gold_pen = QPen(scheme.gold(), 1.4)
        underline_width = max(2.5, metrics.height() / 7)
        ox, oy = origin.x(), origin.y()
        painter.setBrush(Qt.BrushStyle.NoBrush)
        # Bars, frames and badges are upright rectangles: crisp, and far cheaper, unsmoothed.
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        for span, style, starts_here, pieces in shapes:
            color = colors.get(span.label_id)
            if color is None:
                color = colors[span.label_id] = scheme.line(label_color(span.label_id))
            for x1, x2, top, bottom, bar_y, under_y, _ in pieces:
                left, right = ox + x1, ox + x2
                if style is LayerStyle.OUTLINE:
                    painter.setPen(QPen(color, 1.5))
                    painter.drawRect(QRectF(left - 1, oy + top, right - left + 2, bottom - top))
                elif style is LayerStyle.UNDERLINE:
                    painter.setPen(
                        QPen(color, underline_width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap)
                    )
                    painter.drawLine(QPointF(left, oy + under_y), QPointF(right, oy + under_y))
                elif style is LayerStyle.GOLD:
                    # A double frame: a shape no other layer has, in gold whatever the label.
                    painter.setPen(gold_pen)
                    painter.drawRect(
                        QRectF(left - 2.5, oy + top - 1.5, right - left + 5, bottom - top + 3)
                    )
                    painter.drawRect(QRectF(left, oy + top + 1, right - left, bottom - top - 2))
                pen = pens.get((span.label_id, style))
                if pen is None:
                    pen = QPen(color, _BAR_WIDTH, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap)
                    pens[(span.label_id, style)] = pen
                painter.setPen(pen)
                painter.drawLine(QPointF(left, oy + bar_y), QPointF(right, oy + bar_y))
            if pieces and starts_here:
                x1, _, _, _, bar_y, _, line_number = pieces[0]
                place = (line_number, round(x1))
                x = max(ox + x1, badges_at.get(place, ox + x1))
                badges_at[place] = self._paint_badge(
                    painter, badge_font, badge_metrics, span, style, color, x, oy + bar_y
                )
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)

    def _paint_badge(
        self,
        painter: QPainter,
        font: QFont,
        metrics: QFontMetricsF,
        span: Span,
        style: LayerStyle,
        color: QColor,
        x: float,
        bar_y: float,
    ) -> float:
        """The label's letter in a small box sitting on the span's bar at its start; returns
        the x where the next badge at the same place may go. Each distinct badge is drawn once
        into a pixmap and copied after that: scrolling shows hundreds of them."""
        letter = self.badge_of(span.label_id)
        if style is LayerStyle.GOLD:
            letter = "\u2605" + letter  # a star: gold at a glance, in any colour vision
        height = metrics.height() + 1
        key = (letter, style, color.rgba(), round(height * 4), font.pixelSize())
        cached = self._badge_pixmaps.get(key)
        if cached is None:
            width = max(height * 0.9, metrics.horizontalAdvance(letter) + 4)
            cached = self._badge_pixmaps[key] = self._badge_pixmap(
                letter, style, color, font, width, height
            )
        pixmap, width = cached
        painter.drawPixmap(QPointF(x, bar_y - height + 1), pixmap)
        return x + width + 1.5

    def _badge_pixmap(
        self,
        letter: str,
        style: LayerStyle,
        color: QColor,
        font: QFont,
        width: float,
        height: float,
    ) -> tuple[QPixmap, float]:
        scheme = self._scheme
        if style is LayerStyle.FILL:
            fill, ink = color, scheme.badge_text(color)
        elif style is LayerStyle.GOLD:
            fill = scheme.gold()
            ink = scheme.badge_text(fill)
        else:
            fill, ink = QColor(scheme.base), color
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(max(1, math.ceil(width * ratio)), max(1, math.ceil(height * ratio)))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        badge = QPainter(pixmap)
        try:
            rect = QRectF(0.5, 0.5, width - 1, height - 1)
            badge.setPen(QPen(color, 1.0))
            badge.setBrush(fill)
            badge.drawRect(rect)
            badge.setFont(font)
            badge.setPen(ink)
            badge.drawText(rect, Qt.AlignmentFlag.AlignCenter, letter)
        finally:
            badge.end()
        return pixmap, width

    def _relation_anchor(
        self, span: Span, shown: Mapping[int, tuple[QTextBlock, QPointF]], metrics: QFontMetricsF
    ) -> QPointF | None:
        """Where a relation's arc meets a span: above the middle of its first line on screen."""
        index = self._layers.index
        number = index.block_of(span.start)
        found = shown.get(number)
        if found is None:
            return None
        block, origin = found
        for line, x1, x2 in self._line_pieces(block, span.start, span.end):
            top, _ = self._text_box(line, metrics)
            return QPointF(origin.x() + (x1 + x2) / 2, origin.y() + top - 1)
        return None

    def _paint_relations(
        self,
        painter: QPainter,
        visible: Sequence[tuple[QTextBlock, QPointF]],
        metrics: QFontMetricsF,
    ) -> None:
        if not visible:
            return
        shown = {block.blockNumber(): (block, origin) for block, origin in visible}
        current = self._current
        chosen: dict[int, Relation] = {}
        if self._relation_mode == RelationMode.ALL:
            for number in shown:
                for relation in self._relations_by_block.get(number, ()):
                    chosen[relation.id] = relation
        if current is not None:
            for relation in self._relations_by_span.get(current, ()):
                chosen[relation.id] = relation
        if not chosen:
            return
        spans = self._layers.index.spans
        is_visible = self._layers.is_visible
        first, last = min(shown), max(shown)
        index = self._layers.index
        text_color = QColor(self._scheme.text)
        # Opaque: a translucent curve costs several times as much to draw.
        faint = blend(self._scheme.base, text_color, 0.5)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.7))
        painter.setFont(small)
        small_metrics = QFontMetricsF(small)
        height = self.viewport().height()
        for relation in chosen.values():
            head, child = spans.get(relation.head_id), spans.get(relation.child_id)
            if head is None or child is None or not (is_visible(head) and is_visible(child)):
                continue
            strong = current is not None and current in (head.id, child.id)
            color = text_color if strong else faint
            pen = QPen(color, 1.8 if strong else 1.1)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            a = self._relation_anchor(head, shown, metrics)
            b = self._relation_anchor(child, shown, metrics)
            if a is not None and b is not None:
                rise = min(70.0, 14.0 + abs(b.x() - a.x()) / 8 + abs(b.y() - a.y()) / 4)
                top = min(a.y(), b.y()) - rise
                path = QPainterPath(a)
                path.cubicTo(QPointF(a.x(), top), QPointF(b.x(), top), b)
                painter.drawPath(path)
                self._paint_arrowhead(painter, b, QPointF(b.x(), top), color)
                if strong:
                    mid = path.pointAtPercent(0.5)
                    self._paint_relation_text(painter, small_metrics, relation.type, mid, strong)
                continue
            # One end is off screen: point to it at the edge of the view, with its text.
            near = a if a is not None else b
            if near is None:
                continue
            far = child if a is not None else head
            above = index.block_of(far.start) < first
            if not above and index.block_of(far.start) <= last:
                continue  # on a visible block but not laid out on screen
            edge_y = 2.0 if above else height - 2.0
            painter.setPen(QPen(color, pen.widthF(), Qt.PenStyle.DashLine))
            painter.drawLine(near, QPointF(near.x(), edge_y))
            if a is not None:
                self._paint_arrowhead(painter, QPointF(near.x(), edge_y), near, color)
            arrow = "\u2192" if a is not None else "\u2190"
            snippet = " ".join(far.text.split())[:24] or "\u2026"
            where = QPointF(near.x(), edge_y + (10 if above else -10))
            self._paint_relation_text(
                painter, small_metrics, f"{relation.type} {arrow} {snippet}", where, strong
            )

    @staticmethod
    def _paint_arrowhead(painter: QPainter, tip: QPointF, towards: QPointF, color: QColor) -> None:
        dx, dy = towards.x() - tip.x(), towards.y() - tip.y()
        length = math.hypot(dx, dy) or 1.0
        ux, uy = dx / length, dy / length
        size = 6.0
        left = QPointF(tip.x() + ux * size - uy * size * 0.5, tip.y() + uy * size + ux * size * 0.5)
        right = QPointF(
            tip.x() + ux * size + uy * size * 0.5, tip.y() + uy * size - ux * size * 0.5
        )
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawPolygon(QPolygonF([tip, left, right]))
        painter.restore()

    def _paint_relation_text(
        self, painter: QPainter, metrics: QFontMetricsF, text: str, center: QPointF, strong: bool
    ) -> None:
        width = metrics.horizontalAdvance(text) + 6
        rect = QRectF(
            center.x() - width / 2, center.y() - metrics.height() / 2, width, metrics.height()
        )
        painter.save()
        painter.setPen(
            QPen(self._scheme.text if strong else self._scheme.line(self._scheme.text), 0.8)
        )
        painter.setBrush(self._scheme.base)
        painter.drawRoundedRect(rect, 3, 3)
        painter.setPen(self._scheme.text)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    def _paint_current_outline(self, painter: QPainter, block: QTextBlock, origin: QPointF) -> None:
        span = self._layers.index.spans.get(self._current) if self._current is not None else None
        if span is None:
            return
        block_start, block_end = self._layers.index.block_bounds(block.blockNumber())
        start, end = max(span.start, block_start), min(span.end, block_end)
        if start >= end:
            return
        utf16 = self._layers.utf16
        start16 = utf16.to_utf16(start) - block.position()
        end16 = utf16.to_utf16(end) - block.position()
        layout = block.layout()
        painter.setPen(QPen(self._scheme.line(self._highlighter.label_color(span.label_id)), 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            line_start = line.textStart()
            line_end = line_start + line.textLength()
            if line_end <= start16 or line_start >= end16:
                continue
            x1 = _cursor_x(line, max(start16, line_start))
            x2 = _cursor_x(line, min(end16, line_end))
            rect = QRectF(
                origin.x() + min(x1, x2) - 1,
                origin.y() + line.y(),
                abs(x2 - x1) + 2,
                line.height(),
            )
            painter.drawRoundedRect(rect, 2.5, 2.5)

    @staticmethod
    def _block_lines(block: QTextBlock) -> list[tuple[int, int, QTextLine]]:
        """A block's laid-out lines as (first, end) UTF-16 positions in the block and the line."""
        layout = block.layout()
        lines = []
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            first = line.textStart()
            lines.append((first, first + line.textLength(), line))
        return lines

    def _pieces_in(
        self, block: QTextBlock, lines: list[tuple[int, int, QTextLine]], start: int, end: int
    ) -> Iterator[tuple[QTextLine, float, float]]:
        """Like :meth:`_line_pieces`, over a ready line table: whole lines cost no cursor
        measurement, only the lines where the range starts or ends do."""
        block_start, block_end = self._layers.index.block_bounds(block.blockNumber())
        start, end = max(start, block_start), min(end, block_end)
        if start >= end or not lines:
            return
        utf16 = self._layers.utf16
        start16 = utf16.to_utf16(start) - block.position()
        end16 = utf16.to_utf16(end) - block.position()
        i = max(0, bisect_right(lines, start16, key=itemgetter(0)) - 1)
        while i < len(lines):
            first, stop, line = lines[i]
            i += 1
            if first >= end16:
                break
            if stop <= start16:
                continue
            if start16 <= first and end16 >= stop:
                natural = line.naturalTextRect()
                yield line, natural.left(), natural.right()
                continue
            x1 = _cursor_x(line, max(start16, first))
            x2 = _cursor_x(line, min(end16, stop))
            yield line, min(x1, x2), max(x1, x2)

    def _line_pieces(
        self, block: QTextBlock, start: int, end: int
    ) -> Iterator[tuple[QTextLine, float, float]]:
        """The lines of ``block`` that ``[start, end)`` (code points) touches, each with the x
        range it covers there (block-layout coordinates)."""
        return self._pieces_in(block, self._block_lines(block), start, end)

    def _paint_overlay(self, painter: QPainter, block: QTextBlock, origin: QPointF) -> None:
        marks = self._overlay_by_block.get(block.blockNumber())
        if not marks:
            return
        metrics = QFontMetricsF(self.font())
        for mark in marks:
            color = self._scheme.line(mark.color)
            pieces = list(self._line_pieces(block, mark.start, mark.end))
            if not pieces:
                continue
            if mark.outline:
                painter.setPen(QPen(color, 1.4, mark.style))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                for line, x1, x2 in pieces:
                    box = QRectF(
                        origin.x() + x1 - 1,
                        origin.y() + line.y() + 0.5,
                        x2 - x1 + 2,
                        line.height() - 1,
                    )
                    painter.drawRoundedRect(box, 2.5, 2.5)
                continue
            if mark.lane is None:
                # A bar in the left margin, beside every line the range touches.
                top = origin.y() + pieces[0][0].y() + 1
                bottom = origin.y() + pieces[-1][0].y() + pieces[-1][0].height() - 1
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(color)
                left = origin.x() + pieces[0][0].x() - 11  # lines start at the document margin
                painter.drawRoundedRect(QRectF(left, top, 4, bottom - top), 1.5, 1.5)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                continue
            for line, x1, x2 in pieces:
                top, bottom = self._text_box(line, metrics)
                width = max(1.5, (bottom - top) / 9)
                pen = QPen(color, width, mark.style, Qt.PenCapStyle.FlatCap)
                painter.setPen(pen)
                y = origin.y() + top + self._lane_offset(mark.lane, bottom - top, width)
                painter.drawLine(QPointF(origin.x() + x1, y), QPointF(origin.x() + x2, y))

    @staticmethod
    def _lane_offset(lane: int, height: float, width: float) -> float:
        """Where in a line box of ``height`` a lane's line runs: 0 at the bottom, 1 at the top,
        2 and 3 one line width further in."""
        inset = width / 2 + 0.5 + (lane // 2) * (width + 1)
        return height - inset if lane % 2 == 0 else inset

    # ---- internals -----------------------------------------------------------------------

    def _label_colors(self) -> dict[int, QColor]:
        return {label.id: label_qcolor(label.color) for label in self._labels.values()}

    def _check_range(self, span: Span) -> None:
        if not 0 <= span.start < span.end <= len(self._text):
            raise ValueError(
                f"span {span.id} [{span.start}, {span.end}) is not inside a text of "
                f"{len(self._text)}"
            )

    def _rehighlight_blocks(self, blocks: Iterable[int]) -> None:
        numbers = sorted(set(blocks))
        for number in numbers:
            self._lanes.pop(number, None)
            self._geometry.pop(number, None)
        self._visible.rehighlight_blocks(numbers)
        self.viewport().update()

    def _rehighlight_all(self) -> None:
        self._lanes = {}
        self._geometry = {}
        self._visible.rehighlight()
        self._update_current_selection()


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
        self.set_column_margins(_MIN_SIDE_MARGIN, _MIN_SIDE_MARGIN)
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
