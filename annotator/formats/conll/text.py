"""CoNLL's view of a text: tokens (words, other characters, user-perceived characters never cut)
and sentences (see :mod:`annotator.formats.conll`)."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

# The reader's notion of one user-perceived character; tokens must agree with it.
from annotator.core.text import _inside_cluster

NoteCallback = Callable[[Path, int | None, str], None]  # (file, 1-based line or None, message)


DOCSTART = "-DOCSTART-"


# The document marker as CoNLL-2003 tools (spaCy's converter among them) look for it.
DOCSTART_LINE = "-DOCSTART- -X- O O"


SEPARATOR = "\t"


META_KEY = "conll"  # article meta of an article read from CoNLL: its scheme and extra columns


_JOINERS = frozenset("'’ʼ-\u00ad\u2010\u2011\u200c")  # ZWNJ: inside Persian words


_INVISIBLE_SEPARATORS = frozenset(
    "\u200b\u2060\ufeff\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_LINE_BREAK_PATTERN = re.compile("[" + re.escape("".join(sorted(_LINE_BREAKS))) + "]")


_TERMINALS = frozenset({".", "!", "?", "…", "؟", "。", "！", "？"})


_CLOSERS = frozenset("\"'”’»)]}")


_OPENERS = frozenset("\"'“‘«([{¿¡")


ABBREVIATIONS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "gov",
        "sen",
        "rep",
        "pres",
        "rev",
        "hon",
        "no",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "approx",
        "inc",
        "ltd",
        "co",
        "corp",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    }
)


# ------------------------------------------------------------------------------ tokenizing
class Token(NamedTuple):
    """A token: a tuple, cheap to make by the hundred thousand."""

    start: int  # code points, end exclusive
    end: int
    text: str


def _is_word_char(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LNM" or category == "Pc"


def _is_separator(char: str) -> bool:
    return char.isspace() or char in _INVISIBLE_SEPARATORS


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text`` (see the module docstring for the rules)."""
    tokens: list[Token] = []
    size = len(text)
    i = 0
    while i < size:
        char = text[i]
        if _is_separator(char):
            i += 1
            continue
        end = i + 1
        if _is_word_char(char):
            while end < size:
                if _is_word_char(text[end]):
                    end += 1
                elif text[end] in _JOINERS and end + 1 < size and _is_word_char(text[end + 1]):
                    end += 2
                else:
                    break
        while end < size and not _is_separator(text[end]) and _inside_cluster(text, end):
            end += 1
        tokens.append(Token(i, end, text[i:end]))
        i = end
    return tokens


def sentences(
    text: str, tokens: Sequence[tuple[int, int] | Token], protected: Iterable[tuple[int, int]] = ()
) -> list[tuple[int, int]]:
    """Token index ranges ``[first, last)`` of the sentences; none ends inside a protected
    ``[first, last]`` token range (an exported span). ``tokens`` may be :class:`Token` tuples or
    plain ``(start, end)`` pairs."""
    # No sentence break between token k and k + 1 for k in a protected [first, last): the
    # ranges merged, looked up by bisection.
    block_starts: list[int] = []
    block_ends: list[int] = []
    for first, last in sorted(protected):
        if first >= last:
            continue
        if block_ends and first <= block_ends[-1]:
            block_ends[-1] = max(block_ends[-1], last)
        else:
            block_starts.append(first)
            block_ends.append(last)
    ranges: list[tuple[int, int]] = []
    start = 0
    # Only after a terminal or closing mark followed by a gap, or before a line break, can a
    # sentence end (see _ends_sentence): those tokens are found in the text first (a token
    # that is one such character, followed by white space), the rules run on them alone.
    size = len(tokens)
    candidates: set[int] = set()
    for found in _STOP_PATTERN.finditer(text):
        at = found.start()
        k = bisect_left(tokens, (at,))
        if k < size and tokens[k][0] == at and tokens[k][1] == at + 1:
            candidates.add(k)
    for found in _LINE_BREAK_PATTERN.finditer(text):
        candidates.add(bisect_right(tokens, found.start(), key=_end) - 1)
    last_gap = size - 1
    for k in sorted(candidates):
        if not 0 <= k < last_gap:
            continue
        block = bisect_right(block_starts, k) - 1
        if block >= 0 and k < block_ends[block]:
            continue
        if _ends_sentence(text, tokens, k):
            ranges.append((start, k + 1))
            start = k + 1
    if tokens:
        ranges.append((start, size))
    return ranges


# A terminal or closing mark followed by white space (without a gap after it, no sentence
# ends there).
_STOP_PATTERN = re.compile(
    "["
    + re.escape("".join(sorted(_TERMINALS | _CLOSERS)))
    + r"](?=[\s"
    + re.escape("".join(sorted(_INVISIBLE_SEPARATORS)))
    + "])"
)
_end = itemgetter(1)


def _ends_sentence(text: str, tokens: Sequence[tuple[int, int] | Token], k: int) -> bool:
    gap = text[tokens[k][1] : tokens[k + 1][0]]
    if any(ch in _LINE_BREAKS for ch in gap):
        return True
    if not gap:
        return False
    j = k
    while (
        j > 0 and text[tokens[j][0] : tokens[j][1]] in _CLOSERS and tokens[j - 1][1] == tokens[j][0]
    ):
        j -= 1
    mark = text[tokens[j][0] : tokens[j][1]]
    if mark not in _TERMINALS:
        return False
    if j > 0 and mark == "." and tokens[j - 1][1] == tokens[j][0]:
        before = text[tokens[j - 1][0] : tokens[j - 1][1]]
        if (len(before) == 1 and before.isalpha()) or before.casefold() in ABBREVIATIONS:
            return False
    first = text[tokens[k + 1][0]]
    if first in _OPENERS:
        return True
    return first.isalpha() and not first.islower()


def _short(text: str) -> str:
    shown = repr(text)
    return shown if len(shown) <= 60 else shown[:57] + "..."
