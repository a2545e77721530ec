"""How compared layers look in the reader: one cue per annotator, the marks drawn for an
article, and the small swatches of the legend that names annotator → cue."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QWidget

from annotator.review.agreement import Disagreement
from annotator.review.compare import Layer
from annotator.ui.colors import FALLBACK_LABEL_COLOR
from annotator.ui.reader import OverlayMark
from annotator.ui.review.models import KIND_COLORS, kind_text

# Colleague layers, in order: a lane in the line box and a line style each.
_LANES: tuple[tuple[int, Qt.PenStyle, str], ...] = (
    (0, Qt.PenStyle.SolidLine, "solid line under the text"),
    (1, Qt.PenStyle.DotLine, "dotted line over the text"),
    (2, Qt.PenStyle.DashDotLine, "dash-dot line under the text"),
    (3, Qt.PenStyle.DashLine, "dashed line over the text"),
)


@dataclass(frozen=True, slots=True)
class LayerCue:
    """How one compared layer shows in the reader."""

    name: str  # the layer's name in the comparison
    own: bool  # the analyst's own layer: highlighted like any of their spans
    lane: int | None
    style: Qt.PenStyle
    description: str


def layer_cues(names: Sequence[str], own: str | None) -> list[LayerCue]:
    """A cue for each compared layer: the own layer is highlighted, the others get a lane and
    a line style each (cycling after four)."""
    cues = []
    others = 0
    for name in names:
        if name == own:
            cues.append(LayerCue(name, True, None, Qt.PenStyle.NoPen, "highlighted (your spans)"))
            continue
        lane, style, description = _LANES[others % len(_LANES)]
        others += 1
        cues.append(LayerCue(name, False, lane, style, description))
    return cues


def overlay_marks(
    article_key: str,
    layers: Iterable[Layer],
    cues: Sequence[LayerCue],
    disagreements: Iterable[Disagreement],
    color_of: Callable[[str], QColor],
) -> list[OverlayMark]:
    """What the reader draws over one article: every colleague layer's spans in its lane and
    style (in the label's colour), and a margin bar per disagreement in its kind's colour."""
    by_name = {cue.name: cue for cue in cues}
    marks: list[OverlayMark] = []
    for layer in layers:
        cue = by_name.get(layer.name)
        if cue is None or cue.own:
            continue
        for mark in layer.spans.get(article_key, ()):
            marks.append(
                OverlayMark(
                    mark.start,
                    mark.end,
                    color_of(mark.label),
                    cue.style,
                    cue.lane,
                    f"{layer.name}: {mark.label}",
                )
            )
    for item in disagreements:
        marks.append(
            OverlayMark(
                item.start,
                item.end,
                QColor(KIND_COLORS[item.kind]),
                Qt.PenStyle.SolidLine,
                None,
                f"Disagreement: {kind_text(item)}",
            )
        )
    return marks


def label_color_lookup(colors: dict[str, str]) -> Callable[[str], QColor]:
    """Label name → colour: the open project's colour for labels it has, grey otherwise."""

    def color_of(label: str) -> QColor:
        color = QColor(colors.get(label, FALLBACK_LABEL_COLOR))
        return color if color.isValid() else QColor(FALLBACK_LABEL_COLOR)

    return color_of


# ------------------------------------------------------------------------------ legend art
SWATCH_WIDTH, SWATCH_HEIGHT = 30, 18


def cue_swatch(
    widget: QWidget,
    cue: LayerCue | None,
    *,
    kind_color: str | None = None,
    underline: Qt.PenStyle | None = None,
) -> QPixmap:
    """A small picture of a cue: "Ab" with the layer's line (over or under it), a highlight,
    an underline (``underline``: a project layer drawn by the highlighter) or a margin bar."""
    ratio = widget.devicePixelRatioF()
    pixmap = QPixmap(int(SWATCH_WIDTH * ratio), int(SWATCH_HEIGHT * ratio))
    pixmap.setDevicePixelRatio(ratio)
    palette = widget.palette()
    pixmap.fill(palette.color(QPalette.ColorRole.Base))
    painter = QPainter(pixmap)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = palette.color(QPalette.ColorRole.Text)
        box = QRectF(0, 0, SWATCH_WIDTH, SWATCH_HEIGHT)
        if kind_color is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(kind_color))
            painter.drawRoundedRect(QRectF(2, 2, 4, SWATCH_HEIGHT - 4), 1.5, 1.5)
            painter.setPen(text)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            box = QRectF(8, 0, SWATCH_WIDTH - 8, SWATCH_HEIGHT)
        elif cue is not None and cue.own:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.Highlight).lighter(160))
            painter.drawRoundedRect(QRectF(2, 2, SWATCH_WIDTH - 4, SWATCH_HEIGHT - 4), 2, 2)
        font = QFont(widget.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        painter.setFont(font)
        painter.setPen(text)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, "Ab")
        if cue is not None and not cue.own and cue.lane is not None:
            painter.setPen(QPen(text, 2, cue.style, Qt.PenCapStyle.FlatCap))
            inset = 1.5 + (cue.lane // 2) * 3
            y = SWATCH_HEIGHT - inset if cue.lane % 2 == 0 else inset
            painter.drawLine(QPointF(3, y), QPointF(SWATCH_WIDTH - 3, y))
        elif underline is not None:
            painter.setPen(QPen(text, 1.2, underline, Qt.PenCapStyle.FlatCap))
            y = SWATCH_HEIGHT / 2 + 6
            painter.drawLine(QPointF(8, y), QPointF(SWATCH_WIDTH - 8, y))
    finally:
        painter.end()
    return pixmap
