"""A read-only text column for long reading: a serif face, a measure of about 75 characters
centred in the widget, zoom in even steps, a visible keyboard focus. It counts positions the way
Qt does (UTF-16); the reader view above it speaks code points."""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QFocusEvent,
    QFont,
    QFontMetricsF,
    QMouseEvent,
    QPainter,
    QPalette,
    QResizeEvent,
    QTextBlock,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
    QTextLine,
    QTextOption,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QFrame, QPlainTextEdit, QWidget

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
MIN_SIDE_MARGIN = 8
_MEASURE_SAMPLE = "The quick brown fox jumps over the lazy dog, said officials on Monday. "
_DOCUMENT_MARGIN = 16.0


def reading_font(point_size: float = DEFAULT_POINT_SIZE) -> QFont:
    """A serif text face for long reading, falling back to whatever serif the system has."""
    font = QFont()
    font.setFamilies(READING_FONT_FAMILIES)
    font.setStyleHint(QFont.StyleHint.Serif)
    font.setPointSizeF(point_size)
    return font


class ReadingColumn(QPlainTextEdit):
    """Read-only wrapped text in a centred column, with zoom and a visible focus."""

    zoom_changed = Signal(int)
    text_column_changed = Signal(int, int)  # left and right edge of the text, in pixels

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zoom_steps = 0
        self._base_point_size = DEFAULT_POINT_SIZE
        self._font_family = ""
        self._press_pos: QPoint | None = None
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

    # ---- positions (UTF-16) --------------------------------------------------------------

    def first_visible_position16(self) -> int:
        """UTF-16 position of the first character on the topmost (at least half) visible line."""
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
        return position16

    def scroll_to_position16(self, position16: int) -> None:
        """Scroll so that the line holding a UTF-16 position is the topmost visible line."""
        block = self.document().findBlock(position16)
        if not block.isValid():
            return
        # Lay the block out so its line count, and so the scroll value, is exact.
        self.document().documentLayout().blockBoundingRect(block)
        line = block.layout().lineForTextPosition(position16 - block.position())
        line_number = line.lineNumber() if line.isValid() else 0
        self.verticalScrollBar().setValue(block.firstLineNumber() + line_number)

    def reveal_position16(self, position16: int) -> None:
        """Scroll a UTF-16 position into view, a quarter down the page, unless it is visible."""
        first = self.first_visible_position16()
        bottom_right = QPoint(self.viewport().width() - 1, self.viewport().height() - 1)
        last = self.cursorForPosition(bottom_right).position()
        if first <= position16 < last:
            return
        self.scroll_to_position16(position16)
        lines = int(self.viewport().height() / QFontMetricsF(self.font()).lineSpacing())
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() - lines // 4)

    def position16_at(self, point: QPoint) -> int | None:
        """UTF-16 position of the character under a viewport position, or None off the text."""
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
                return block.position() + position
        return None

    def visible_blocks(self, bottom: int) -> Iterator[tuple[QTextBlock, QPointF]]:
        """The blocks on screen down to viewport y ``bottom``, each with its layout's origin."""
        offset = self.contentOffset()
        block = self.firstVisibleBlock()
        while block.isValid():
            geometry = self.blockBoundingGeometry(block).translated(offset)
            if geometry.top() > bottom:
                break
            if block.isVisible():
                yield block, geometry.topLeft() + block.layout().position()
            block = block.next()

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

    # ---- zoom and font -------------------------------------------------------------------

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
        self._zoom_steps = steps
        self._apply_font()
        self.zoom_changed.emit(steps)

    def set_reading_font(self, family: str = "", point_size: float = DEFAULT_POINT_SIZE) -> None:
        """The text face (empty for the default serif) and its size at zoom 0."""
        self._font_family = family
        self._base_point_size = max(6.0, min(48.0, float(point_size)))
        self._apply_font()

    def _apply_font(self) -> None:
        first16 = self.first_visible_position16()
        size = round(self._base_point_size * ZOOM_FACTOR**self._zoom_steps * 2) / 2
        font = reading_font(size)
        if self._font_family:
            font.setFamilies([self._font_family, *READING_FONT_FAMILIES])
        self.setFont(font)
        self._font_applied(font)
        self._update_column()
        self.scroll_to_position16(first16)

    def _font_applied(self, font: QFont) -> None:
        """A new reading font is set (a subclass re-formats what depends on it)."""

    # ---- the column ----------------------------------------------------------------------

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
        side = max(MIN_SIDE_MARGIN, int((available - column) / 2))
        if side != margins.left() or side != margins.right():
            self.setViewportMargins(side, 0, side, 0)
            # The base class re-wraps the text on its own resize only, not the viewport's.
            super().resizeEvent(QResizeEvent(self.size(), self.size()))
        self.text_column_changed.emit(*self.text_column_margins())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        self._layout_changed()
        self._update_column()
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._layout_changed()
            self._update_column()

    def _layout_changed(self) -> None:
        """Lines are about to wrap anew (a subclass forgets what it measured on them)."""

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
        """A left click that selected nothing (a subclass picks what lies there)."""

    # ---- focus ---------------------------------------------------------------------------

    def paint_focus(self) -> None:
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
