"""Marks painted over the reader's text: each span's bar, letter badge and layer style (outline,
underline, gold frame), the current span's frame, and overlay marks that are not spans.

Overlapping spans get bars in separate lanes, outer spans the lower ones, so each span's extent
can be followed on its own. What a block's marks need (lanes, line pieces) is measured once and
kept until the block is highlighted or laid out again: scrolling costs only the drawing.
"""

from __future__ import annotations

import html
import logging
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPen,
    QPixmap,
    QTextBlock,
    QTextLine,
)
from PySide6.QtWidgets import QWidget

from annotator.core.model import Label, Span
from annotator.ui.colors import HighlightScheme
from annotator.ui.highlighter import SpanLayers
from annotator.ui.layer_styles import LayerStyle
from annotator.ui.reader.geometry import block_lines, cursor_x, line_pieces, pieces_in, text_box

log = logging.getLogger(__name__)

_LANE_PITCH = 3.0  # vertical distance between the stacked bars of nested spans
_BAR_WIDTH = 2.0

# How one span is marked in a block: (span, style, whether it starts here, pieces), each piece
# (x1, x2, glyph top, glyph bottom, bar y, underline y, line number) in block coordinates.
_BarShape = tuple[
    Span, LayerStyle, bool, list[tuple[float, float, float, float, float, float, int]]
]


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


class SpanMarks:
    """Paints the marks of the spans and overlay marks of one view, block by block."""

    def __init__(
        self,
        view: QWidget,
        layers: SpanLayers,
        label_color: Callable[[int], QColor],
        badge_of: Callable[[int], str],
    ) -> None:
        self._view = view
        self._layers = layers
        self._label_color = label_color
        self._badge_of = badge_of
        self.scheme = HighlightScheme(QColor("white"), dark=False)
        self.overlay_by_block: dict[int, list[OverlayMark]] = {}
        self._lanes: dict[int, list[tuple[Span, int, int, int]]] = {}  # block -> bars
        self._geometry: dict[int, list[_BarShape]] = {}  # block -> where its marks go
        self._badge_pixmaps: dict[tuple[object, ...], tuple[QPixmap, float]] = {}

    def forget(self, blocks: list[int] | None = None) -> None:
        """Measure these blocks (None: every block) again before they are next painted."""
        if blocks is None:
            self._lanes, self._geometry = {}, {}
            return
        for number in blocks:
            self._lanes.pop(number, None)
            self._geometry.pop(number, None)

    def forget_layout(self) -> None:
        """Lines wrap anew: measure every block's pieces again (their lanes stay)."""
        self._geometry = {}

    def set_overlay(self, marks: Iterable[OverlayMark], length: int) -> tuple[OverlayMark, ...]:
        """Index the marks that lie inside a text of ``length`` by block; returns them."""
        index = self._layers.index
        kept: list[OverlayMark] = []
        by_block: dict[int, list[OverlayMark]] = {}
        for mark in marks:
            if not 0 <= mark.start < mark.end <= length:
                log.warning("overlay mark [%s, %s) lies outside the text", mark.start, mark.end)
                continue
            kept.append(mark)
            for block in index.blocks_of(mark.start, mark.end):
                by_block.setdefault(block, []).append(mark)
        self.overlay_by_block = by_block
        return tuple(kept)

    def overlay_at(self, offset: int) -> list[OverlayMark]:
        """Overlay marks covering the character at ``offset``."""
        index = self._layers.index
        if not 0 <= offset < index.length:
            return []
        marks = self.overlay_by_block.get(index.block_of(offset), ())
        return [m for m in marks if m.start <= offset < m.end]

    def tooltip_html(
        self, spans: Iterable[Span], marks: Iterable[OverlayMark], labels: Mapping[int, Label]
    ) -> str:
        """Rich text naming each span's label, annotator and note, then the tips of overlay
        marks; user text is escaped."""
        tr = self._view.tr
        parts = []
        for span in spans:
            label = labels.get(span.label_id)
            name = label.name if label is not None else tr("Unknown label")
            swatch = self._label_color(span.label_id).name()
            layer = "" if self._layers.is_own(span) else tr(" (other layer)")
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
                swatch = self.scheme.line(mark.color).name()
                tip = html.escape(mark.tip).replace("\n", "<br/>")
                parts.append(f'<span style="color:{swatch}">&#9644;</span> {tip}')
        return "<qt>" + "<hr/>".join(parts) + "</qt>"

    def paint(
        self,
        painter: QPainter,
        visible: Sequence[tuple[QTextBlock, QPointF]],
        metrics: QFontMetricsF,
        current: int | None,
        *,
        spans: bool,
    ) -> None:
        """Paint the blocks on screen: span marks (if ``spans``), the current span's frame,
        the overlay."""
        for block, origin in visible:
            if spans:
                self.paint_span_marks(painter, block, origin, metrics)
            if current is not None:
                self.paint_current_outline(painter, block, origin, current)
            if self.overlay_by_block:
                self.paint_overlay(painter, block, origin)

    def set_scheme(self, scheme: HighlightScheme) -> None:
        self.scheme = scheme
        self._badge_pixmaps = {}

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

    def _bar_y(self, line: QTextLine, lane: int, metrics: QFontMetricsF) -> float:
        """Where a lane's bar runs: stacked upwards in the space between lines when there is
        room, else downwards from the top of the line box."""
        top, _ = text_box(line, metrics)
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
            lines = block_lines(block)
            style_of = self._layers.style_of
            for span, lane, start, end in bars:
                pieces = []
                for line, x1, x2 in pieces_in(self._layers, block, lines, start, end):
                    top, bottom = text_box(line, metrics)
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

    def paint_span_marks(
        self, painter: QPainter, block: QTextBlock, origin: QPointF, metrics: QFontMetricsF
    ) -> None:
        shapes = self._bar_geometry(block, metrics)
        if not shapes:
            return
        scheme = self.scheme
        label_color = self._label_color
        colors: dict[int, QColor] = {}
        pens: dict[tuple[int, LayerStyle], QPen] = {}
        badge_font = QFont(self._view.font())
        badge_font.setBold(True)
        badge_font.setPixelSize(max(9, round(metrics.height() * 0.56)))
        badge_metrics = QFontMetricsF(badge_font)
        # Spans starting at one place share one row of badges on their topmost bar, drawn
        # after every bar so that no bar crosses a badge.
        badges_at: dict[tuple[int, int], list[tuple[Span, LayerStyle, QColor, float, float]]]
        badges_at = {}
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
                entry = (span, style, color, ox + x1, oy + bar_y)
                badges_at.setdefault((line_number, round(x1)), []).append(entry)
        for group in badges_at.values():
            x, y = group[0][3], min(entry[4] for entry in group)
            for span, style, color, _, _ in group:
                x = self._paint_badge(painter, badge_font, badge_metrics, span, style, color, x, y)
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
        letter = self._badge_of(span.label_id)
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
        scheme = self.scheme
        if style is LayerStyle.FILL:
            fill, ink = color, scheme.badge_text(color)
        elif style is LayerStyle.GOLD:
            fill = scheme.gold()
            ink = scheme.badge_text(fill)
        else:
            fill, ink = QColor(scheme.base), color
        ratio = self._view.devicePixelRatioF()
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

    def paint_current_outline(
        self, painter: QPainter, block: QTextBlock, origin: QPointF, current: int
    ) -> None:
        """A frame around the current span's text on this block."""
        span = self._layers.index.spans.get(current)
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
        painter.setPen(QPen(self.scheme.line(self._label_color(span.label_id)), 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            line_start = line.textStart()
            line_end = line_start + line.textLength()
            if line_end <= start16 or line_start >= end16:
                continue
            x1 = cursor_x(line, max(start16, line_start))
            x2 = cursor_x(line, min(end16, line_end))
            rect = QRectF(
                origin.x() + min(x1, x2) - 1,
                origin.y() + line.y(),
                abs(x2 - x1) + 2,
                line.height(),
            )
            painter.drawRoundedRect(rect, 2.5, 2.5)

    def paint_overlay(self, painter: QPainter, block: QTextBlock, origin: QPointF) -> None:
        marks = self.overlay_by_block.get(block.blockNumber())
        if not marks:
            return
        metrics = QFontMetricsF(self._view.font())
        for mark in marks:
            color = self.scheme.line(mark.color)
            pieces = list(line_pieces(self._layers, block, mark.start, mark.end))
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
                top, bottom = text_box(line, metrics)
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
