"""Text maths: canonical stored text, offset remapping, UTF-16 conversion, word snapping."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass

BOM = "\ufeff"
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_CR = re.compile("\r")
_DROPPED = re.compile("\r\n|\x00")  # characters removed outright (the CR of a CRLF, NULs)
# Inside a word these join its two halves ("don't", "Moscow-based"); at its edge they are
# punctuation (an opening quotation mark), so they only count when letters stand on both sides.
_WORD_JOINERS = frozenset("'’ʼ-\u00ad\u2010\u2011")
_ZWJ = "\u200d"


@dataclass(frozen=True, slots=True)
class CanonicalText:
    """The stored form of an imported text plus the map from the original's offsets to it.

    Canonicalization removes a leading BOM and NUL characters and turns CRLF and lone CR into LF.
    Offsets into the original (code points) map to offsets into ``text`` with :meth:`remap`.
    """

    text: str
    removed: tuple[int, ...]  # original indices of the characters that were dropped
    replaced: tuple[int, ...] = ()  # original indices of lone CRs, each now an LF

    def remap(self, offset: int) -> int:
        return offset - bisect_left(self.removed, offset)

    @property
    def changed(self) -> bool:
        """Whether the stored text differs from the original at all."""
        return bool(self.removed or self.replaced)


def canonicalize(raw: str) -> CanonicalText:
    """Return the text as it is stored: no leading BOMs, no NULs, LF line ends only.

    NULs go because SQLite's ``length()`` stops at the first one, which would put every offset
    after it out of reach.
    """
    # Every leading BOM goes (files concatenated by tools can carry several): Qt drops a leading
    # one when showing the text, which would shift every offset in the view.
    boms = len(raw) - len(raw.lstrip(BOM))
    removed: list[int] = list(range(boms))
    if "\r" not in raw and "\x00" not in raw:
        return CanonicalText(raw[boms:], tuple(removed))
    removed.extend(m.start() for m in _DROPPED.finditer(raw))
    parts: list[str] = []
    last = 0
    for i in removed:  # ascending: the BOMs lead, matches come in order
        parts.append(raw[last:i])
        last = i + 1
    parts.append(raw[last:])
    crlf = set(removed)
    replaced = tuple(m.start() for m in _CR.finditer(raw) if m.start() not in crlf)
    text = "".join(parts).replace("\r", "\n")
    return CanonicalText(text, tuple(removed), replaced)


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


def _is_word_char(char: str) -> bool:
    # Letters, digits and combining marks of every script (Devanagari vowel signs, Arabic
    # harakat, U+0301 ...), plus connectors such as "_".
    category = unicodedata.category(char)
    return category[0] in "LNM" or category == "Pc"


def _is_regional_indicator(char: str) -> bool:
    return "\U0001f1e6" <= char <= "\U0001f1ff"


def _inside_word(text: str, i: int) -> bool:
    """Whether offset ``i`` (0 < i < len) falls between two characters of one word."""
    left, right = text[i - 1], text[i]
    if _is_word_char(left):
        if _is_word_char(right):
            return True
        return right in _WORD_JOINERS and i + 1 < len(text) and _is_word_char(text[i + 1])
    return left in _WORD_JOINERS and i >= 2 and _is_word_char(text[i - 2]) and _is_word_char(right)


def _inside_cluster(text: str, i: int) -> bool:
    """Whether offset ``i`` (0 < i < len) splits a user-perceived character, such as an emoji
    with a skin tone, a ZWJ sequence, a flag or a letter and its accent."""
    left, right = text[i - 1], text[i]
    if unicodedata.category(right)[0] == "M" or right == _ZWJ or left == _ZWJ:
        return True  # combining marks and variation selectors (Mn) join what precedes them
    if "\U0001f3fb" <= right <= "\U0001f3ff" or "\U000e0020" <= right <= "\U000e007f":
        return True  # emoji skin-tone modifiers, emoji tag sequences (subdivision flags)
    if _is_regional_indicator(left) and _is_regional_indicator(right):
        run = 0  # flags are pairs of regional indicators: odd run length means mid-flag
        while i - run - 1 >= 0 and _is_regional_indicator(text[i - run - 1]):
            run += 1
        return run % 2 == 1
    return False


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow ``[start, end)`` so that it cuts neither a word nor a character in two, then trim
    white space.

    Apostrophes and hyphens count as part of a word only between letters, so "do|n't" grows to
    "don't" while a quotation mark just before a selected word stays out.
    """
    start, end = trim_whitespace(text, start, end)
    if start >= end:
        return start, end
    while start > 0 and (_inside_word(text, start) or _inside_cluster(text, start)):
        start -= 1
    while end < len(text) and (_inside_word(text, end) or _inside_cluster(text, end)):
        end += 1
    return start, end


def offsets_in_range(text_length: int, start: int, end: int) -> bool:
    """Whether ``[start, end)`` is a non-empty range inside a text of that length."""
    return 0 <= start < end <= text_length
