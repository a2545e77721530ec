"""Span highlighting for the reader: a per-block span index and the QSyntaxHighlighter using it."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Collection, Iterable, Iterator, Mapping
from itertools import pairwise
from operator import itemgetter

from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from annotator.core.model import Span
from annotator.core.text import Utf16Index
from annotator.ui.colors import FALLBACK_LABEL_COLOR, HighlightScheme

# The characters QTextDocument.setPlainText turns into paragraph breaks (measured: LF, CR, U+2029,
# and its two frame markers). Each keeps its length, so offsets stay put; only blocks split.
BLOCK_SEPARATORS = re.compile("[\n\r\u2029\ufdd0\ufdd1]")

# Formats are cached per combination; beyond these depths more stacked spans change nothing visible.
_MAX_OWN_LAYERS = 4
_MAX_OTHER_LAYERS = 2

_Underline = QTextCharFormat.UnderlineStyle


def nesting_key(span: Span) -> tuple[int, int, int]:
    """Sort key putting the innermost (shortest) span first; later starts break ties."""
    return (span.end - span.start, -span.start, span.id)


class SpanIndex:
    """The spans of one article, found by id and by the text blocks (paragraphs) they touch.

    Offsets are code points of the stored text. Building it costs O(spans log blocks) plus one
    entry per (span, block) pair; adding or removing one span touches only its own blocks.
    """

    __slots__ = ("block_starts", "length", "spans", "_by_block")

    def __init__(self, text: str = "", spans: Iterable[Span] = ()) -> None:
        self.block_starts: list[int] = [0]
        self.block_starts.extend(m.end() for m in BLOCK_SEPARATORS.finditer(text))
        self.length = len(text)
        self.spans: dict[int, Span] = {}
        self._by_block: dict[int, dict[int, Span]] = {}
        for span in spans:
            self.add(span)

    @property
    def block_count(self) -> int:
        return len(self.block_starts)

    def block_of(self, offset: int) -> int:
        return bisect_right(self.block_starts, offset) - 1

    def block_bounds(self, block: int) -> tuple[int, int]:
        """Code-point range of a block's text, without its paragraph separator."""
        start = self.block_starts[block]
        if block + 1 < len(self.block_starts):
            return start, self.block_starts[block + 1] - 1
        return start, self.length

    def blocks_of(self, start: int, end: int) -> range:
        """The blocks that ``[start, end)`` touches."""
        return range(self.block_of(start), self.block_of(max(start, end - 1)) + 1)

    def add(self, span: Span) -> range:
        if span.id in self.spans:
            raise ValueError(f"span {span.id} is already shown")
        self.spans[span.id] = span
        blocks = self.blocks_of(span.start, span.end)
        by_block = self._by_block
        for block in blocks:
            entry = by_block.get(block)
            if entry is None:
                by_block[block] = {span.id: span}
            else:
                entry[span.id] = span
        return blocks

    def remove(self, span_id: int) -> tuple[Span, range]:
        span = self.spans.pop(span_id)  # KeyError for an unknown id
        blocks = self.blocks_of(span.start, span.end)
        for block in blocks:
            entry = self._by_block[block]
            del entry[span_id]
            if not entry:
                del self._by_block[block]
        return span, blocks

    def in_block(self, block: int) -> Collection[Span]:
        entry = self._by_block.get(block)
        return entry.values() if entry else ()

    def at(self, offset: int) -> list[Span]:
        """Spans covering the character at ``offset``, innermost first."""
        if not 0 <= offset < self.length:
            return []
        found = [s for s in self.in_block(self.block_of(offset)) if s.start <= offset < s.end]
        found.sort(key=nesting_key)
        return found


class SpanLayers:
    """What the highlighter and the view share: the index, offsets, and whose spans are shown."""

    __slots__ = ("index", "utf16", "own_annotator", "visible_annotators")

    def __init__(self) -> None:
        self.index = SpanIndex()
        self.utf16 = Utf16Index("")
        self.own_annotator = ""
        self.visible_annotators: frozenset[str] | None = None

    def is_visible(self, span: Span) -> bool:
        names = self.visible_annotators
        return names is None or span.annotator in names

    def is_own(self, span: Span) -> bool:
        return span.annotator == self.own_annotator


class SpanHighlighter(QSyntaxHighlighter):
    """Paints spans as layout formats, one combined format per elementary segment of a block.

    Own spans get a background blending their label colours over the base; where two or more
    overlap, an underline in the innermost span's colour (wavy for three or more) tells the
    overlap from a single span. Other annotators' spans get no background, only a dashed (one)
    or dotted (several) underline in their label colour.
    """

    def __init__(self, document: QTextDocument, layers: SpanLayers) -> None:
        super().__init__(document)
        self._layers = layers
        self._scheme = HighlightScheme(QColor("white"), dark=False)
        self._label_colors: dict[int, QColor] = {}
        self._fallback_color = QColor(FALLBACK_LABEL_COLOR)
        self._formats: dict[tuple[object, ...], QTextCharFormat] = {}
        # Block numbers highlighted, in order, while a list is set: lets tests and benchmarks
        # check that a change repainted only the blocks it touched.
        self.trace: list[int] | None = None

    @property
    def scheme(self) -> HighlightScheme:
        return self._scheme

    def set_scheme(self, scheme: HighlightScheme) -> None:
        """Use new colours; the caller rehighlights."""
        self._scheme = scheme
        self._formats.clear()

    def set_label_colors(self, colors: Mapping[int, QColor]) -> None:
        """Use new label colours; the caller rehighlights."""
        self._label_colors = dict(colors)
        self._formats.clear()

    def label_color(self, label_id: int) -> QColor:
        return self._label_colors.get(label_id, self._fallback_color)

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt override)
        # Runs once per block on every open (thousands of times), so it stays inlined and flat.
        block = self.currentBlock()
        number = block.blockNumber()
        if self.trace is not None:
            self.trace.append(number)
        layers = self._layers
        index = layers.index
        spans = index.in_block(number)
        if not spans:
            return
        block_start = index.block_starts[number]
        block_end = block_start + len(text)
        shown = layers.visible_annotators
        pieces: list[tuple[int, int, Span]] = []
        for span in spans:
            if shown is not None and span.annotator not in shown:
                continue
            start = span.start if span.start > block_start else block_start
            end = span.end if span.end < block_end else block_end
            if start < end:
                pieces.append((start, end, span))
        if not pieces:
            return

        utf16 = layers.utf16
        position16 = block.position()
        # Without characters outside the BMP in this block, code points and UTF-16 units agree.
        plain = utf16.to_utf16(block_end) - position16 == block_end - block_start
        set_format = self.setFormat
        format_for = self._format_for

        if len(pieces) == 1:
            start, end, span = pieces[0]
            segments: Iterable[tuple[int, int, QTextCharFormat]] = (
                (start, end, format_for([span])),
            )
        else:
            segments = self._segments(pieces)
        for left, right, fmt in segments:
            if plain:
                set_format(left - block_start, right - left, fmt)
            else:
                start16 = utf16.to_utf16(left) - position16
                set_format(start16, utf16.to_utf16(right) - position16 - start16, fmt)

    def _segments(
        self, pieces: list[tuple[int, int, Span]]
    ) -> Iterator[tuple[int, int, QTextCharFormat]]:
        """Split overlapping pieces into elementary segments, each with its combined format."""
        pieces.sort(key=itemgetter(0))
        points = sorted({p for start, end, _ in pieces for p in (start, end)})
        active: list[tuple[int, int, Span]] = []
        following = 0
        count = len(pieces)
        format_for = self._format_for
        for left, right in pairwise(points):
            while following < count and pieces[following][0] <= left:
                active.append(pieces[following])
                following += 1
            active = [piece for piece in active if piece[1] > left]
            if active:
                yield left, right, format_for([piece[2] for piece in active])

    def _format_for(self, spans: list[Span]) -> QTextCharFormat:
        own_name = self._layers.own_annotator
        if len(spans) == 1:
            span = spans[0]
            key: tuple[tuple[int, ...], tuple[int, ...]] = (
                ((span.label_id,), ()) if span.annotator == own_name else ((), (span.label_id,))
            )
        else:
            spans = sorted(spans, key=nesting_key)  # innermost first
            own = [s.label_id for s in spans if s.annotator == own_name]
            others = [s.label_id for s in spans if s.annotator != own_name]
            # Only what can change the look goes into the key, so the cache stays small.
            key = (tuple(own[:_MAX_OWN_LAYERS]), tuple(others[:_MAX_OTHER_LAYERS]))
        fmt = self._formats.get(key)
        if fmt is None:
            fmt = self._build_format(*key)
            self._formats[key] = fmt
        return fmt

    def _build_format(
        self, own_labels: tuple[int, ...], other_labels: tuple[int, ...]
    ) -> QTextCharFormat:
        scheme = self._scheme
        fmt = QTextCharFormat()
        if own_labels:
            # Lay the outermost colour first so the innermost span's colour dominates.
            fmt.setBackground(scheme.fill(self.label_color(i) for i in reversed(own_labels)))
        if len(own_labels) >= 2:
            style = _Underline.SingleUnderline if len(own_labels) == 2 else _Underline.WaveUnderline
            fmt.setUnderlineStyle(style)
            fmt.setUnderlineColor(scheme.line(self.label_color(own_labels[0])))
        elif other_labels:
            style = _Underline.DashUnderline if len(other_labels) == 1 else _Underline.DotLine
            fmt.setUnderlineStyle(style)
            fmt.setUnderlineColor(scheme.line(self.label_color(other_labels[0])))
        return fmt
