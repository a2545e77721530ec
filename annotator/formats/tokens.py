"""Tokens for the token-based dataset formats (Hugging Face, WebAnno TSV), fast.

:func:`token_bounds` gives exactly the tokens of :func:`annotator.formats.conll.tokenize` (the
CoNLL export's rules: words of letters, digits and combining marks joined by apostrophes and
hyphens, any other visible character alone, user-perceived characters never cut), but finds
them with one regular expression over the whole text. It knows the common cases: words of
letters, digits and connectors joined by the joiners, and punctuation or symbols standing
alone, each where the character after it cannot extend it (none of the characters that make
user-perceived characters: combining marks, joiners, skin tones, flags, tags). The rest of a run
of non-blank text where anything else appears goes through the character-by-character rules
(each distinct piece once). Tokenization never crosses white space and each common-case token
ends where the rules end it, so the two agree (property tests check it on hard text).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from functools import cache

from annotator.formats.conll import _INVISIBLE_SEPARATORS, tokenize
from annotator.formats.conll.text import _JOINERS

_ZWJ = "\u200d"
_SKIN_TONES = range(0x1F3FB, 0x1F400)
_FLAG_LETTERS = range(0x1F1E6, 0x1F200)
_EMOJI = range(0x1F000, 0x1FB00)  # the astral characters the expression knows: symbols


def _ranges(codes: list[int]) -> str:
    """A character class body for the code points (in increasing order)."""
    parts: list[str] = []
    first = last = -2
    for code in [*codes, -2]:
        if code == last + 1:
            last = code
            continue
        if first >= 0:
            a, b = re.escape(chr(first)), re.escape(chr(last))
            parts.append(a if first == last else f"{a}-{b}")
        first = last = code
    return "".join(parts)


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The token expression, and one for the characters it leaves to the rules.

    Its classes hold only characters below U+10000 (so that they are looked up, not searched),
    but for the emoji symbols, which get their own class.
    """
    word: list[int] = []  # letters, digits, connectors: word characters but combining marks
    alone: list[int] = []  # other visible characters: one character a token
    blank: list[int] = []
    other: list[int] = []  # combining marks, the joiner of emoji sequences, lone surrogates
    for code in range(0x10000):
        char = chr(code)
        category = unicodedata.category(char)
        if char.isspace() or char in _INVISIBLE_SEPARATORS:
            blank.append(code)
        elif category[0] in "LN" or category == "Pc":
            word.append(code)
        elif category[0] == "M" or category == "Cs" or char == _ZWJ:
            other.append(code)
        else:
            alone.append(code)
    symbols = [
        code
        for code in _EMOJI
        if unicodedata.category(chr(code)) in ("So", "Sk", "Cn")
        and code not in _SKIN_TONES
        and code not in _FLAG_LETTERS
    ]
    others = [code for code in _EMOJI if code not in symbols]
    # Anything else that is not blank: it may extend or join what precedes it.
    unknown = (
        rf"(?:[{_ranges(other)}]|[\U00010000-\U0001efff{_ranges(others)}\U0001fb00-\U0010ffff])"
    )
    word_class = f"[{_ranges(word)}]"
    joiner = re.escape("".join(sorted(_JOINERS)))
    # A word is taken whole or not at all: the longest run of word characters and joined words
    # is captured in a lookahead (which never gives back) and matched again by reference, so
    # the check after it cannot make the engine try a shorter word. (Possessive quantifiers
    # say the same, but some Python 3.11 releases mis-match them before a lookahead.)
    tokens = re.compile(
        rf"(?=({word_class}+(?:[{joiner}]{word_class}+)*))\1(?![{joiner}]?{unknown})"
        rf"|(?:[{_ranges(alone)}]|[{_ranges(symbols)}])(?!{unknown})"
        rf"|[^{_ranges(blank)}]+"  # the rest of the run: the character-by-character rules
    )
    return tokens, re.compile(unknown)


def token_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each token of ``text``, in code points (see the module docstring)."""
    tokens_pattern, other_pattern = _patterns()
    bounds = [m.span() for m in tokens_pattern.finditer(text)]
    if not bounds:
        return bounds
    # The rest-of-run pieces are the only matches that hold a character the expression does
    # not know; each such character leads to the match holding it, and the match is cut again.
    size = len(text)
    pieces = sorted(
        {bisect_right(bounds, (m.start(), size)) - 1 for m in other_pattern.finditer(text)}
    )
    if not pieces:
        return bounds
    found: list[tuple[int, int]] = []
    last = 0
    for i in pieces:
        found += bounds[last:i]
        start, end = bounds[i]
        found += [(start + a, start + b) for a, b in _piece_tokens(text[start:end])]
        last = i + 1
    found += bounds[last:]
    return found


def _piece_tokens(piece: str) -> tuple[tuple[int, int], ...]:
    cuts = _PIECE_TOKENS.get(piece)
    if cuts is None:
        cuts = tuple((token.start, token.end) for token in tokenize(piece))
        if len(_PIECE_TOKENS) >= _CACHE_SIZE:
            _PIECE_TOKENS.clear()
        _PIECE_TOKENS[piece] = cuts
    return cuts


# Tokens of pieces already cut (pieces repeat: natural text reuses its words), relative to the
# piece.
_PIECE_TOKENS: dict[str, tuple[tuple[int, int], ...]] = {}
_CACHE_SIZE = 100_000


def cut_tokens(text: str, edges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The (start, end) of each token of ``text``, cut where an edge falls inside a token."""
    bounds = token_bounds(text)
    points = sorted({p for edge in edges for p in edge})
    if not points or not bounds:
        return bounds
    # Only the few tokens an edge falls inside are cut; found by bisection (the last token that
    # starts at or before the point), not a walk.
    cuts: dict[int, list[int]] = {}
    for point in points:
        i = bisect_left(bounds, (point + 1,)) - 1
        if i >= 0 and bounds[i][0] < point < bounds[i][1]:
            cuts.setdefault(i, []).append(point)
    if not cuts:
        return bounds
    tokens: list[tuple[int, int]] = []
    last = 0
    for i in sorted(cuts):
        tokens.extend(bounds[last:i])
        start, end = bounds[i]
        for point in cuts[i]:
            tokens.append((start, point))
            start = point
        tokens.append((start, end))
        last = i + 1
    tokens.extend(bounds[last:])
    return tokens
