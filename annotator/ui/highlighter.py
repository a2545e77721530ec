"""Span highlighting for the reader: a per-block span index and the QSyntaxHighlighter using it."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Collection, Iterable, Iterator, Mapping
from itertools import pairwise
from operator import itemgetter

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)

from annotator.core.model import Span
from annotator.core.text import Utf16Index
from annotator.ui.colors import FALLBACK_LABEL_COLOR, HighlightScheme
from annotator.ui.layer_styles import LayerStyle

# The characters QTextDocument.setPlainText turns into paragraph breaks (measured: LF, CR, U+2029,
# and its two frame markers). Each keeps its length, so offsets stay put; only blocks split.
BLOCK_SEPARATORS = re.compile("[\n\r\u2029\ufdd0\ufdd1]")

# Formats are cached per combination; beyond this depth more stacked spans change nothing visible.
_MAX_OWN_LAYERS = 4
_HATCH = LayerStyle.HATCH
# Runs of white space inside a line (not the paragraph separator, which is no character here).
_SPACER_STRIDE = 3
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u3000]+")


def _block_starts(text: str) -> list[int]:
    """Where each block starts: after every separator. A stored text has line feeds only, found
    with str.find (a long article has tens of thousands); the rare others by the pattern."""
    if any(ch in text for ch in "\r\u2029\ufdd0\ufdd1"):
        return [0, *(m.end() for m in BLOCK_SEPARATORS.finditer(text))]
    starts = [0]
    append, find = starts.append, text.find
    at = find("\n")
    while at >= 0:
        at += 1
        append(at)
        at = find("\n", at)
    return starts


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
        self.block_starts: list[int] = _block_starts(text)
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
        starts = self.block_starts
        first = bisect_right(starts, span.start) - 1
        # Most spans lie inside one paragraph: one search, not two.
        if first + 1 < len(starts) and span.end <= starts[first + 1]:
            blocks = range(first, first + 1)
        else:
            blocks = range(first, bisect_right(starts, max(span.start, span.end - 1)))
        by_block = self._by_block
        for block in blocks:
            entry = by_block.get(block)
            if entry is None:
                by_block[block] = {span.id: span}
            else:
                entry[span.id] = span
        return blocks

    def check_inside(self, span: Span) -> None:
        """ValueError unless the span lies inside the text."""
        if not 0 <= span.start < span.end <= self.length:
            raise ValueError(
                f"span {span.id} [{span.start}, {span.end}) is not inside a text of {self.length}"
            )

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
    """What the highlighter and the view share: the index, offsets, whose spans are shown and
    how each layer is drawn."""

    __slots__ = ("index", "utf16", "own_annotator", "visible_annotators", "styles")

    def __init__(self) -> None:
        self.index = SpanIndex()
        self.utf16 = Utf16Index("")
        self.own_annotator = ""
        self.visible_annotators: frozenset[str] | None = None
        self.styles: dict[str, LayerStyle] = {}

    def is_visible(self, span: Span) -> bool:
        names = self.visible_annotators
        return names is None or span.annotator in names

    def set_visible(self, visible: frozenset[str] | None) -> set[int]:
        """Show only these annotators' layers (None: all); returns the blocks holding spans
        that appear or disappear."""
        before = self.visible_annotators
        self.visible_annotators = visible
        blocks: set[int] = set()
        index = self.index
        for span in index.spans.values():
            was = before is None or span.annotator in before
            now = visible is None or span.annotator in visible
            if was != now:
                blocks.update(index.blocks_of(span.start, span.end))
        return blocks

    def is_own(self, span: Span) -> bool:
        return span.annotator == self.own_annotator

    def style_of(self, span: Span) -> LayerStyle:
        if span.annotator == self.own_annotator:
            return LayerStyle.FILL
        return self.styles.get(span.annotator, LayerStyle.OUTLINE)


# A segment's look: (innermost own label, how many own spans, innermost hatched label).
_Key = tuple[int | None, int, int | None]


class SpanHighlighter(QSyntaxHighlighter):
    """Paints spans as layout formats, one format per elementary segment of a block.

    Own spans get a background in the innermost span's label colour, a step stronger for each
    own span it is nested in (never a mix of colours); hatched layers get a hatched background
    where no own span lies. Everything else a span shows (its bar, badge, outline, underline,
    gold frame) is painted by the view. With a line spacing above 1, white space between words
    gets a taller font of the same width, which is how a plain-text layout gets its lines apart.
    """

    def __init__(self, document: QTextDocument, layers: SpanLayers) -> None:
        super().__init__(document)
        self._layers = layers
        self._scheme = HighlightScheme(QColor("white"), dark=False)
        self._label_colors: dict[int, QColor] = {}
        self._fallback_color = QColor(FALLBACK_LABEL_COLOR)
        self._formats: dict[_Key, QTextCharFormat] = {}
        self._spaced: dict[_Key | None, QTextCharFormat] = {}
        self._spacer: QTextCharFormat | None = None
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
        self._spaced.clear()

    def set_label_colors(self, colors: Mapping[int, QColor]) -> None:
        """Use new label colours; the caller rehighlights."""
        self._label_colors = dict(colors)
        self._formats.clear()
        self._spaced.clear()

    def set_line_spacing(self, font: QFont, spacing: float) -> None:
        """Space lines ``spacing`` times their natural height (1 for none) for text in
        ``font``; the caller rehighlights."""
        self._spaced.clear()
        if spacing <= 1.01:
            self._spacer = None
            return
        tall = QFont(font)
        tall.setPointSizeF(font.pointSizeF() * spacing)
        narrow = QFontMetricsF(font).horizontalAdvance(" ")
        wide = QFontMetricsF(tall).horizontalAdvance(" ")
        spacer = QTextCharFormat()
        spacer.setFontPointSize(tall.pointSizeF())
        # The taller space keeps the width of a normal one, so lines wrap as before.
        spacer.setFontWordSpacing(narrow - wide)
        self._spacer = spacer

    @property
    def spaced(self) -> bool:
        """Whether lines get extra spacing."""
        return self._spacer is not None

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
        spacer = self._spacer
        if not spans and spacer is None:
            return
        block_start = index.block_starts[number]
        block_end = block_start + len(text)
        shown = layers.visible_annotators
        own_name = layers.own_annotator
        styles = layers.styles
        pieces: list[tuple[int, int, Span]] = []
        for span in spans:
            if shown is not None and span.annotator not in shown:
                continue
            if span.annotator != own_name and styles.get(span.annotator) is not _HATCH:
                continue  # drawn by the view alone
            start = span.start if span.start > block_start else block_start
            end = span.end if span.end < block_end else block_end
            if start < end:
                pieces.append((start, end, span))

        utf16 = layers.utf16
        position16 = block.position()
        # Without characters outside the BMP in this block, code points and UTF-16 units agree.
        plain = utf16.to_utf16(block_end) - position16 == block_end - block_start
        set_format = self.setFormat

        segments: list[tuple[int, int, _Key]]
        if not pieces:
            segments = []
        elif len(pieces) == 1:
            start, end, span = pieces[0]
            segments = [(start, end, self._key_for([span]))]
        else:
            segments = list(self._segments(pieces))
        formats = self._formats
        for left, right, key in segments:
            fmt = formats.get(key)
            if fmt is None:
                fmt = formats[key] = self._build_format(key)
            if plain:
                set_format(left - block_start, right - left, fmt)
            else:
                start16 = utf16.to_utf16(left) - position16
                set_format(start16, utf16.to_utf16(right) - position16 - start16, fmt)
        if spacer is None:
            return
        # Every third run of spaces, and the last two (short last lines), get the taller font,
        # merged with the span format they lie in: one per line is enough to space it, and
        # fewer format changes keep drawing the text fast.
        spaced = self._spaced
        following = 0
        count = len(segments)
        runs = [m.span() for m in _SPACES.finditer(text)]
        last = len(runs) - 2
        for number_of_run, (run_start, run_end) in enumerate(runs):
            if number_of_run % _SPACER_STRIDE and number_of_run < last:
                continue
            left = block_start + run_start
            right = block_start + run_end
            while following < count and segments[following][1] <= left:
                following += 1
            cuts: list[tuple[int, int, _Key | None]] = []
            at = left
            probe = following
            while at < right:
                if probe < count and segments[probe][0] <= at < segments[probe][1]:
                    stop = min(right, segments[probe][1])
                    cuts.append((at, stop, segments[probe][2]))
                    probe += 1
                else:
                    stop = min(right, segments[probe][0]) if probe < count else right
                    cuts.append((at, stop, None))
                at = stop
            for cut_left, cut_right, cut_key in cuts:
                fmt = spaced.get(cut_key)
                if fmt is None:
                    fmt = QTextCharFormat(spacer)
                    if cut_key is not None:
                        fmt.merge(formats[cut_key])
                        fmt.merge(spacer)
                    spaced[cut_key] = fmt
                if plain:
                    set_format(cut_left - block_start, cut_right - cut_left, fmt)
                else:
                    start16 = utf16.to_utf16(cut_left) - position16
                    set_format(start16, utf16.to_utf16(cut_right) - position16 - start16, fmt)

    def _segments(self, pieces: list[tuple[int, int, Span]]) -> Iterator[tuple[int, int, _Key]]:
        """Split overlapping pieces into elementary segments, each with its look."""
        pieces.sort(key=itemgetter(0))
        points = sorted({p for start, end, _ in pieces for p in (start, end)})
        active: list[tuple[int, int, Span]] = []
        following = 0
        count = len(pieces)
        key_for = self._key_for
        for left, right in pairwise(points):
            while following < count and pieces[following][0] <= left:
                active.append(pieces[following])
                following += 1
            active = [piece for piece in active if piece[1] > left]
            if active:
                yield left, right, key_for([piece[2] for piece in active])

    def _key_for(self, spans: list[Span]) -> _Key:
        own_name = self._layers.own_annotator
        if len(spans) == 1:
            span = spans[0]
            if span.annotator == own_name:
                return (span.label_id, 1, None)
            return (None, 0, span.label_id)
        spans = sorted(spans, key=nesting_key)  # innermost first
        own = [s.label_id for s in spans if s.annotator == own_name]
        hatched = [s.label_id for s in spans if s.annotator != own_name]
        return (
            own[0] if own else None,
            min(len(own), _MAX_OWN_LAYERS),
            hatched[0] if hatched and not own else None,
        )

    def _build_format(self, key: _Key) -> QTextCharFormat:
        own_label, depth, hatched_label = key
        scheme = self._scheme
        fmt = QTextCharFormat()
        if own_label is not None:
            color = self.label_color(own_label)
            fmt.setBackground(scheme.fill([color] * depth))
        elif hatched_label is not None:
            color = scheme.hatch(self.label_color(hatched_label))
            fmt.setBackground(QBrush(color, Qt.BrushStyle.BDiagPattern))
        return fmt
