"""Turning a selection in the reader (UTF-16 positions) into a span range in code points: grown to
whole grapheme clusters (and words, when asked), trimmed of white space."""

from __future__ import annotations

from PySide6.QtCore import QTextBoundaryFinder
from PySide6.QtGui import QTextDocument

from annotator.core.text import Utf16Index, snap_to_words

_GRAPHEME = QTextBoundaryFinder.BoundaryType.Grapheme
_PLAIN_BELOW = 0x300  # boundaries between characters below U+0300 are always grapheme boundaries


class SelectionSnap:
    """Snaps selections in one document holding ``text``."""

    __slots__ = ("_document", "_text", "_utf16")

    def __init__(self, document: QTextDocument, text: str, utf16: Utf16Index) -> None:
        self._document = document
        self._text = text
        self._utf16 = utf16

    def snap_range(self, start16: int, end16: int, *, words: bool) -> tuple[int, int] | None:
        """``[start16, end16)`` as a code-point range, or None when nothing is left."""
        utf16 = self._utf16
        start = utf16.to_code_point(self.grapheme_floor16(start16))
        end = utf16.to_code_point(self.grapheme_ceil16(end16), round_up=True)
        start, end = self._trim(start, end)
        if words and start < end:
            start, end = snap_to_words(self._text, start, end)
            # Word characters stop short of some marks (e.g. Indic vowel signs): regrow.
            start = utf16.to_code_point(self.grapheme_floor16(utf16.to_utf16(start)))
            end = utf16.to_code_point(self.grapheme_ceil16(utf16.to_utf16(end)), round_up=True)
            start, end = self._trim(start, end)
        return (start, end) if start < end else None

    def _trim(self, start: int, end: int) -> tuple[int, int]:
        """Drop whole white-space grapheme clusters from both ends."""
        text = self._text
        utf16 = self._utf16
        while start < end and text[start].isspace():
            start = utf16.to_code_point(self.grapheme_ceil16(utf16.to_utf16(start) + 1))
        while end > start and text[end - 1].isspace():
            end = utf16.to_code_point(self.grapheme_floor16(utf16.to_utf16(end) - 1))
        return start, max(start, end)

    def grapheme_floor16(self, position16: int) -> int:
        """The grapheme boundary at or before a UTF-16 position."""
        return self._grapheme_snap16(position16, forward=False)

    def grapheme_ceil16(self, position16: int) -> int:
        """The grapheme boundary at or after a UTF-16 position."""
        return self._grapheme_snap16(position16, forward=True)

    def _grapheme_snap16(self, position16: int, *, forward: bool) -> int:
        utf16 = self._utf16
        position16 = max(0, min(position16, utf16.length16))
        block = self._document.findBlock(position16)
        local = position16 - block.position()
        if local <= 0 or local >= block.length() - 1:
            return position16  # block edges are always boundaries
        cp = utf16.to_code_point(position16)
        if utf16.to_utf16(cp) == position16:
            # Fast path: two neighbouring characters below U+0300 always have a boundary.
            text = self._text
            if ord(text[cp - 1]) < _PLAIN_BELOW and ord(text[cp]) < _PLAIN_BELOW:
                return position16
        finder = QTextBoundaryFinder(_GRAPHEME, block.text())
        finder.setPosition(local)
        if finder.isAtBoundary():
            return position16
        moved = finder.toNextBoundary() if forward else finder.toPreviousBoundary()
        return block.position() + moved if moved >= 0 else position16
