"""Relations drawn in the reader: arcs between linked spans, found by the paragraphs they touch."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QTextBlock,
)

from annotator.core.model import Relation, Span
from annotator.ui.colors import HighlightScheme, blend
from annotator.ui.highlighter import SpanLayers
from annotator.ui.reader.geometry import line_pieces, text_box


class RelationMode:
    """Which relations the reader draws as arcs."""

    ALL = "all"  # every relation on screen (the current span's stand out)
    SELECTED = "selected"  # only the current span's
    NONE = "none"

    @classmethod
    def check(cls, mode: str) -> str:
        if mode not in (cls.ALL, cls.SELECTED, cls.NONE):
            raise ValueError(f"unknown relation mode {mode!r}")
        return mode


class RelationArcs:
    """The relations of the article on display, indexed by the blocks of their spans' starts
    and by span, and painted over the blocks on screen only."""

    def __init__(self, layers: SpanLayers) -> None:
        self._layers = layers
        self.relations: tuple[Relation, ...] = ()
        self._by_block: dict[int, list[Relation]] = {}
        self._by_span: dict[int, list[Relation]] = {}
        self.mode = RelationMode.ALL
        self.scheme = HighlightScheme(QColor("white"), dark=False)

    def set_relations(self, relations: Iterable[Relation]) -> None:
        """Keep the relations whose both spans are shown."""
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
        self.relations = tuple(kept)
        self._by_block, self._by_span = by_block, by_span

    def clear(self) -> None:
        self.relations, self._by_block, self._by_span = (), {}, {}

    def of_span(self, span_id: int) -> list[Relation]:
        """The relations drawn from or to a span."""
        return list(self._by_span.get(span_id, ()))

    def in_block(self, number: int) -> list[Relation]:
        """The relations with a span starting in a block."""
        return list(self._by_block.get(number, ()))

    def paint(
        self,
        painter: QPainter,
        visible: Sequence[tuple[QTextBlock, QPointF]],
        metrics: QFontMetricsF,
        *,
        current: int | None,
        font: QFont,
        height: int,
    ) -> None:
        """Draw the relations chosen by :attr:`mode` over the blocks on screen."""
        if not self.relations or self.mode == RelationMode.NONE:
            return
        self._paint_relations(painter, visible, metrics, current, font, height)

    def _relation_anchor(
        self, span: Span, shown: Mapping[int, tuple[QTextBlock, QPointF]], metrics: QFontMetricsF
    ) -> tuple[QPointF, float, float] | None:
        """Where a relation's arc meets a span: above the middle of its first line on screen;
        with the middle of the gap between that line's glyphs and the line above's, and the
        distance from line to line."""
        index = self._layers.index
        number = index.block_of(span.start)
        found = shown.get(number)
        if found is None:
            return None
        block, origin = found
        for line, x1, x2 in line_pieces(self._layers, block, span.start, span.end):
            top, bottom = text_box(line, metrics)
            point = QPointF(origin.x() + (x1 + x2) / 2, origin.y() + top - 1)
            gap_middle = origin.y() + (top + bottom - line.height()) / 2
            return point, gap_middle, line.height()
        return None

    def _paint_relations(
        self,
        painter: QPainter,
        visible: Sequence[tuple[QTextBlock, QPointF]],
        metrics: QFontMetricsF,
        current: int | None,
        font: QFont,
        height: int,
    ) -> None:
        if not visible:
            return
        shown = {block.blockNumber(): (block, origin) for block, origin in visible}
        chosen: dict[int, Relation] = {}
        if self.mode == RelationMode.ALL:
            for number in shown:
                for relation in self._by_block.get(number, ()):
                    chosen[relation.id] = relation
        if current is not None:
            for relation in self._by_span.get(current, ()):
                chosen[relation.id] = relation
        if not chosen:
            return
        spans = self._layers.index.spans
        is_visible = self._layers.is_visible
        first, last = min(shown), max(shown)
        index = self._layers.index
        text_color = QColor(self.scheme.text)
        # Opaque: a translucent curve costs several times as much to draw.
        faint = blend(self.scheme.base, text_color, 0.5)
        small = QFont(font)
        small.setPointSizeF(max(7.0, font.pointSizeF() * 0.62))
        painter.setFont(small)
        small_metrics = QFontMetricsF(small)
        for relation in chosen.values():
            head, child = spans.get(relation.head_id), spans.get(relation.child_id)
            if head is None or child is None or not (is_visible(head) and is_visible(child)):
                continue
            strong = current is not None and current in (head.id, child.id)
            color = text_color if strong else faint
            pen = QPen(color, 1.8 if strong else 1.1)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            head_end = self._relation_anchor(head, shown, metrics)
            child_end = self._relation_anchor(child, shown, metrics)
            a = head_end[0] if head_end is not None else None
            b = child_end[0] if child_end is not None else None
            if head_end is not None and child_end is not None and a is not None and b is not None:
                rise = min(70.0, 14.0 + abs(b.x() - a.x()) / 8 + abs(b.y() - a.y()) / 4)
                # The middle of the arc, where its type is written, lies in the gap between two
                # lines (the one over the higher end, or one further up), not over their words.
                _, gap_middle, pitch = head_end if a.y() <= b.y() else child_end
                wanted = min(a.y(), b.y()) - rise * 0.75
                middle_y = gap_middle - max(0, round((gap_middle - wanted) / pitch)) * pitch
                top = (middle_y - (a.y() + b.y()) / 8) / 0.75
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
            QPen(self.scheme.text if strong else self.scheme.line(self.scheme.text), 0.8)
        )
        painter.setBrush(self.scheme.base)
        painter.drawRoundedRect(rect, 3, 3)
        painter.setPen(self.scheme.text)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()
