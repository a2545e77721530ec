"""Where a range of the text lies on screen: the laid-out lines of a paragraph and the x range a
code-point range covers on each of them (block-layout coordinates)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from operator import itemgetter
from typing import Any

from PySide6.QtGui import QFontMetricsF, QTextBlock, QTextLine

from annotator.ui.highlighter import SpanLayers

# A block's laid-out lines: (first, end) UTF-16 positions in the block and the line.
BlockLines = list[tuple[int, int, QTextLine]]


def cursor_x(line: QTextLine, position: int) -> float:
    """x of a cursor position on a line (PySide returns the x with the adjusted position)."""
    result: Any = line.cursorToX(position)
    return float(result[0] if isinstance(result, tuple) else result)


def block_lines(block: QTextBlock) -> BlockLines:
    """A block's laid-out lines as (first, end) UTF-16 positions in the block and the line."""
    layout = block.layout()
    lines = []
    for i in range(layout.lineCount()):
        line = layout.lineAt(i)
        first = line.textStart()
        lines.append((first, first + line.textLength(), line))
    return lines


def pieces_in(
    layers: SpanLayers, block: QTextBlock, lines: BlockLines, start: int, end: int
) -> Iterator[tuple[QTextLine, float, float]]:
    """The lines of ``block`` that ``[start, end)`` (code points) touches, each with the x range
    it covers there, over a ready line table: whole lines cost no cursor measurement, only the
    lines where the range starts or ends do."""
    block_start, block_end = layers.index.block_bounds(block.blockNumber())
    start, end = max(start, block_start), min(end, block_end)
    if start >= end or not lines:
        return
    utf16 = layers.utf16
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
        x1 = cursor_x(line, max(start16, first))
        x2 = cursor_x(line, min(end16, stop))
        yield line, min(x1, x2), max(x1, x2)


def line_pieces(
    layers: SpanLayers, block: QTextBlock, start: int, end: int
) -> Iterator[tuple[QTextLine, float, float]]:
    """Like :func:`pieces_in`, measuring the block's lines first."""
    return pieces_in(layers, block, block_lines(block), start, end)


def text_box(line: QTextLine, metrics: QFontMetricsF) -> tuple[float, float]:
    """Top and bottom of the glyphs of a line (the extra line spacing lies above them)."""
    baseline = line.y() + line.ascent()
    return baseline - min(line.ascent(), metrics.ascent()), baseline + metrics.descent()
