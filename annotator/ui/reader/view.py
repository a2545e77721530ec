"""The reader view: an article's text with its spans highlighted, selectable in code points.

Its parts live beside it: the text column, zoom and focus (column.py), the marks painted over the
text (marks.py), relation arcs (arcs.py), selection snapping (selection.py); paragraph formats
come from ui/highlighter.py, applied only where the text is seen (ui/visible_highlight.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence

from PySide6.QtCore import QEvent, QPoint, Signal, Slot
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QPainter,
    QPaintEvent,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QTextEdit, QToolTip, QWidget

from annotator.core.model import Label, Relation, Span
from annotator.core.text import BOM, Utf16Index
from annotator.ui.colors import HighlightScheme, badge_letters, label_qcolor
from annotator.ui.highlighter import SpanHighlighter, SpanIndex, SpanLayers
from annotator.ui.layer_styles import LayerStyle
from annotator.ui.reader.arcs import RelationArcs, RelationMode
from annotator.ui.reader.column import ReadingColumn
from annotator.ui.reader.marks import OverlayMark, SpanMarks
from annotator.ui.reader.selection import SelectionSnap
from annotator.ui.visible_highlight import VisibleHighlighting

log = logging.getLogger(__name__)

MIN_LINE_SPACING = 1.0
MAX_LINE_SPACING = 2.5


class ReaderView(ReadingColumn):
    """Read-only article text with span highlights.

    The public API speaks code points of the stored text only, as half-open ``[start, end)``
    ranges; UTF-16 positions (what Qt counts) never leave this class. Highlights are layout
    formats set by a :class:`SpanHighlighter`, so the document itself is never modified; the
    current span and other transient marks are extra selections and painting on top.
    """

    span_clicked = Signal(int)
    selection_changed = Signal()
    current_span_changed = Signal(object)  # int, or None when no span is current
    _ready = False  # the base class sets its font and palette before this class is set up

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
        self._marks = SpanMarks(self, self._layers, self._highlighter.label_color, self.badge_of)
        self._marks.set_scheme(self._scheme)
        self._arcs = RelationArcs(self._layers)
        self._arcs.scheme = self._scheme
        self._snap = SelectionSnap(self.document(), "", self._layers.utf16)
        self._current: int | None = None
        self._overlay: tuple[OverlayMark, ...] = ()
        self._last_selection: tuple[int, int] | None = None
        self._click_place: tuple[int, ...] = ()
        self._snap_words = False
        self._show_span_marks = True
        self._line_spacing = MIN_LINE_SPACING
        self._badges: dict[int, str] = {}
        self.setObjectName("readerView")
        self.setAccessibleName(self.tr("Article text"))
        self.selectionChanged.connect(self._on_text_selection_changed)
        self._ready = True

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
        self._snap = SelectionSnap(self.document(), text, layers.utf16)
        self._marks.forget()
        self._arcs.clear()
        self._last_selection = None
        self._click_place = ()
        had_current = self._current is not None
        self._current = None
        self._overlay, self._marks.overlay_by_block = (), {}
        self.setExtraSelections([])
        self._visible.set_plain_text(text)  # highlighted whole, or where seen if long
        if had_current:
            self.current_span_changed.emit(None)

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
        colors = {label.id: label_qcolor(label.color) for label in labels}
        self._highlighter.set_label_colors(colors)

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
        self._arcs.set_relations(relations)
        self.viewport().update()

    @property
    def relations(self) -> tuple[Relation, ...]:
        return self._arcs.relations

    def relations_of(self, span_id: int) -> list[Relation]:
        """The relations drawn from or to a span."""
        return self._arcs.of_span(span_id)

    @property
    def relation_mode(self) -> str:
        return self._arcs.mode

    @relation_mode.setter
    def relation_mode(self, mode: str) -> None:
        self._arcs.mode = RelationMode.check(mode)
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

    def set_visible_annotators(self, names: set[str] | None) -> None:
        """Show only the layers of these annotators; None shows every layer given."""
        layers = self._layers
        visible = None if names is None else frozenset(names)
        if visible == layers.visible_annotators:
            return
        blocks = layers.set_visible(visible)
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
        self._layers.index.check_inside(span)
        blocks = self._layers.index.add(span)
        self._rehighlight_blocks(blocks)

    def remove_span(self, span_id: int) -> None:
        _, blocks = self._layers.index.remove(span_id)
        self._rehighlight_blocks(blocks)
        if span_id == self._current:
            self.set_current_span(None)

    def update_span(self, span: Span) -> None:
        self._layers.index.check_inside(span)
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
        self._overlay = self._marks.set_overlay(marks, len(self._text))
        self.viewport().update()

    @property
    def overlay(self) -> tuple[OverlayMark, ...]:
        """The overlay marks on display."""
        return self._overlay

    def overlay_at(self, offset: int) -> list[OverlayMark]:
        """Overlay marks covering the character at ``offset``."""
        return self._marks.overlay_at(offset)

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
        return self._snap.snap_range(
            cursor.selectionStart(), cursor.selectionEnd(), words=self._snap_words
        )

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

    # ---- positions and scrolling ---------------------------------------------------------

    def first_visible_offset(self) -> int:
        """Code point of the first character on the topmost (at least half) visible line."""
        return self._layers.utf16.to_code_point(self.first_visible_position16())

    def scroll_to_offset(self, offset: int) -> None:
        """Scroll so that the line holding ``offset`` is the topmost visible line."""
        offset = max(0, min(offset, len(self._text)))
        self.scroll_to_position16(self._layers.utf16.to_utf16(offset))

    def _reveal(self, offset: int) -> None:
        """Scroll ``offset`` into view, a quarter down the page, unless it is visible already."""
        self.reveal_position16(self._layers.utf16.to_utf16(offset))

    def offset_at(self, point: QPoint) -> int | None:
        """Code point of the character under a viewport position, or None off the text."""
        position16 = self.position16_at(point)
        return None if position16 is None else self._layers.utf16.to_code_point(position16)

    def _cursor_for(self, start: int, end: int) -> QTextCursor:
        utf16 = self._layers.utf16
        cursor = QTextCursor(self.document())
        cursor.setPosition(utf16.to_utf16(start))
        cursor.setPosition(utf16.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        return cursor

    # ---- fonts and colours ---------------------------------------------------------------

    def _font_applied(self, font: QFont) -> None:
        if self._ready and self._highlighter.spaced:
            self._highlighter.set_line_spacing(font, self._line_spacing)
            self._rehighlight_all()

    def _layout_changed(self) -> None:
        if self._ready:
            self._marks.forget_layout()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if self._ready and event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._refresh_colors()

    def _refresh_colors(self) -> None:
        scheme = HighlightScheme.from_palette(self.palette())
        if (
            scheme.base == self._scheme.base
            and scheme.dark == self._scheme.dark
            and scheme.text == self._scheme.text
        ):
            return
        self._scheme = scheme
        self._marks.set_scheme(scheme)
        self._arcs.scheme = scheme
        self._highlighter.set_scheme(scheme)
        self._rehighlight_all()

    # ---- input ---------------------------------------------------------------------------

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
        return self._marks.tooltip_html(spans, marks, self._labels)

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
            self.paint_focus()
        if not self._layers.index.spans and not self._overlay:
            return
        painter = QPainter(self.viewport())
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            visible = list(self.visible_blocks(event.rect().bottom()))
            metrics = QFontMetricsF(self.font())
            current = self._current
            self._marks.paint(painter, visible, metrics, current, spans=self._show_span_marks)
            height = self.viewport().height()
            self._arcs.paint(
                painter, visible, metrics, current=current, font=self.font(), height=height
            )
        finally:
            painter.end()

    # ---- internals -----------------------------------------------------------------------

    def _rehighlight_blocks(self, blocks: Iterable[int]) -> None:
        numbers = sorted(set(blocks))
        self._marks.forget(numbers)
        self._visible.rehighlight_blocks(numbers)
        self.viewport().update()

    def _rehighlight_all(self) -> None:
        self._marks.forget()
        self._visible.rehighlight()
        self._update_current_selection()
