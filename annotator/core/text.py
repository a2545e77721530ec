"""Text maths: canonical stored text, offset remapping, UTF-16 conversion, word snapping."""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left
from dataclasses import dataclass

BOM = "\ufeff"
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_CR = re.compile("\r")
_WORD_CHAR = re.compile(r"[\w\u0300-\u036f\u00ad'’-]")


@dataclass(frozen=True, slots=True)
class CanonicalText:
    """The stored form of an imported text plus the map from the original's offsets to it.

    Canonicalization removes a leading BOM and turns CRLF and lone CR into LF. Offsets into the
    original (code points) map to offsets into ``text`` with :meth:`remap`.
    """

    text: str
    removed: tuple[int, ...]  # original indices of the characters that were dropped

    def remap(self, offset: int) -> int:
        return offset - bisect_left(self.removed, offset)

    @property
    def changed(self) -> bool:
        return bool(self.removed)


def canonicalize(raw: str) -> CanonicalText:
    """Return the text as it is stored: no leading BOM, LF line ends only."""
    removed: list[int] = []
    if raw.startswith(BOM):
        removed.append(0)
    if "\r" not in raw:
        return CanonicalText(raw[1:] if removed else raw, tuple(removed))
    for match in _CR.finditer(raw):
        i = match.start()
        if raw.startswith("\n", i + 1):
            removed.append(i)
    dropped = set(removed)
    parts: list[str] = []
    last = 0
    for i in sorted(dropped):
        parts.append(raw[last:i])
        last = i + 1
    parts.append(raw[last:])
    text = "".join(parts).replace("\r", "\n")
    return CanonicalText(text, tuple(removed))


def content_hash(text: str) -> str:
    """The sha256 of the stored text, used to recognise an article across project files."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class Utf16Index:
    """Converts between code-point offsets (stored) and UTF-16 offsets (Qt views) in O(log n)."""

    __slots__ = ("_astral", "_astral16", "length", "length16")

    def __init__(self, text: str) -> None:
        self._astral = [m.start() for m in _ASTRAL.finditer(text)]
        # Position in UTF-16 units of each non-BMP character: earlier ones took one extra unit.
        self._astral16 = [cp + i for i, cp in enumerate(self._astral)]
        self.length = len(text)
        self.length16 = len(text) + len(self._astral)

    def to_utf16(self, offset: int) -> int:
        return offset + bisect_left(self._astral, offset)

    def to_code_point(self, offset16: int, *, round_up: bool = False) -> int:
        """The code-point offset of a UTF-16 offset.

        A UTF-16 offset between the two halves of a surrogate pair is moved to the start of that
        character, or to its end when ``round_up`` is set (use it for the end of a selection).
        """
        before = bisect_left(self._astral16, offset16)  # astral chars starting before offset16
        if before and self._astral16[before - 1] + 1 == offset16:
            # inside the pair of the previous astral character
            cp = self._astral[before - 1]
            return cp + 1 if round_up else cp
        return offset16 - before

    def astral_count(self) -> int:
        return len(self._astral)


def trim_whitespace(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` so that it neither starts nor ends with white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow ``[start, end)`` so that it does not cut a word in two, then trim white space."""
    start, end = trim_whitespace(text, start, end)
    if start >= end:
        return start, end
    while start > 0 and _WORD_CHAR.match(text[start - 1]) and _WORD_CHAR.match(text[start]):
        start -= 1
    while end < len(text) and _WORD_CHAR.match(text[end]) and _WORD_CHAR.match(text[end - 1]):
        end += 1
    return start, end


def offsets_in_range(text_length: int, start: int, end: int) -> bool:
    """Whether ``[start, end)`` is a non-empty range inside a text of that length."""
    return 0 <= start < end <= text_length
