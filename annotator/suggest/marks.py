"""Character-level reading of a text before any tokenising: pieces of a bounded size, and direct
quotations between paired marks (curly or straight, across paragraphs that reopen them)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# spaCy refuses texts over nlp.max_length (a million characters); longer ones, and long ones in
# general, are read in pieces of at most this many characters cut at a line or sentence end, so
# memory stays small whatever the article.
PIECE_CHARS = 100_000

OPENERS = "“«"
CLOSERS = "”»"
_MARKS = re.compile(r"[“”\"«»]|\n+")


@dataclass
class DirectQuote:
    open_char: int  # the opening mark
    close_char: int  # the closing mark
    start: int  # content, trimmed
    end: int


def pieces(text: str) -> Iterator[tuple[int, str]]:
    """``(offset, piece)`` of ``text``, each piece at most PIECE_CHARS long, cut after a line
    break or a sentence end where there is one."""
    if len(text) <= PIECE_CHARS:
        yield 0, text
        return
    start = 0
    while start < len(text):
        end = min(len(text), start + PIECE_CHARS)
        if end < len(text):
            window = text[start:end]
            cut = window.rfind("\n")
            if cut < PIECE_CHARS // 2:
                cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "))
                cut = cut + 1 if cut >= PIECE_CHARS // 2 else -1
            if cut < PIECE_CHARS // 2:
                cut = window.rfind(" ")
            if cut > 0:
                end = start + cut + 1
        yield start, text[start:end]
        start = end


def char_ranges(ranges: list[tuple[int, int]]) -> Callable[[int], bool]:
    ordered = sorted(ranges)

    def inside(pos: int) -> bool:
        # Few ranges per article: a linear scan is as quick as bisecting.
        return any(start <= pos < end for start, end in ordered)

    return inside


def direct_quotes(text: str) -> list[DirectQuote]:
    """Quotations between paired marks, outermost only. Curly marks pair by direction, straight
    ones by what surrounds them; a quotation open at a paragraph's end goes on when the next
    paragraph reopens it with the same mark, and is dropped otherwise."""
    found: list[DirectQuote] = []
    open_at = -1
    kind = ""
    depth = 0
    skip_until = -1
    for m in _MARKS.finditer(text):
        pos = m.start()
        if pos < skip_until:
            continue
        mark = m.group()
        if mark[0] == "\n":
            if open_at < 0:
                continue
            after = m.end()
            while after < len(text) and text[after] in " \t\u00a0":
                after += 1
            reopen = after < len(text) and (
                (kind == "curly" and text[after] in OPENERS)
                or (kind == "straight" and text[after] == '"')
            )
            if reopen:
                skip_until = after + 1
            else:
                open_at, depth = -1, 0
            continue
        if mark == '"':
            mark_kind = "straight"
            before = text[pos - 1] if pos > 0 else " "
            following = text[pos + 1] if pos + 1 < len(text) else " "
            opening = (before.isspace() or before in "([{—–-/:") and not following.isspace()
        else:
            mark_kind = "curly"
            opening = mark in OPENERS
        if open_at < 0:
            if opening:
                open_at, kind, depth = pos, mark_kind, 0
            continue
        if mark_kind != kind:
            continue  # a quotation inside the quotation
        if opening and (mark_kind == "curly" or not _closes_here(text, pos)):
            depth += 1
            continue
        if depth:
            depth -= 1
            continue
        start, end = open_at + 1, pos
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            found.append(DirectQuote(open_at, pos, start, end))
        open_at = -1
    return found


def _closes_here(text: str, pos: int) -> bool:
    following = text[pos + 1] if pos + 1 < len(text) else " "
    return following.isspace() or following in ".,;:!?)]—–"
