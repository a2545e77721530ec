"""Tokens for the token-based dataset formats (Hugging Face, WebAnno TSV), fast.

:func:`token_bounds` gives exactly the tokens of :func:`annotator.formats.conll.tokenize` (the
CoNLL export's rules: words of letters, digits and combining marks joined by apostrophes and
hyphens, any other visible character alone, user-perceived characters never cut), but finds
them a run of non-blank text at a time: a run of plain ASCII is cut by one regular expression,
only other runs go through the character-by-character rules. Tokenization never crosses white
space, so the two agree (a property test checks it on hard text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from annotator.formats.conll import _INVISIBLE_SEPARATORS, tokenize

_SEPARATORS = "".join(sorted(_INVISIBLE_SEPARATORS))
# Runs of text between separators (white space as str.isspace() sees it, and invisible ones).
_RUN = re.compile(r"[^\s" + re.escape(_SEPARATORS) + r"]+")
# Within plain ASCII the CoNLL rules are: words of letters, digits and _ joined by ' or -, else
# one character. (No ASCII character is part of a longer user-perceived character.)
_ASCII_TOKEN = re.compile(r"[A-Za-z0-9_]+(?:['-][A-Za-z0-9_]+)*|[^A-Za-z0-9_]")


def token_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each token of ``text``, in code points (see the module docstring)."""
    bounds: list[tuple[int, int]] = []
    append = bounds.append
    for run in _RUN.finditer(text):
        start = run.start()
        piece = run.group()
        if piece.isascii():
            for m in _ASCII_TOKEN.finditer(piece):
                append((start + m.start(), start + m.end()))
            continue
        # The run's last ASCII-free stretch may still be followed by clusters: use the full
        # rules on the whole run (they need no context beyond it).
        for token in tokenize(piece):
            append((start + token.start, start + token.end))
    return bounds


def cut_tokens(text: str, edges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The (start, end) of each token of ``text``, cut where an edge falls inside a token."""
    points = sorted({p for edge in edges for p in edge})
    if not points:
        return token_bounds(text)
    tokens: list[tuple[int, int]] = []
    at = 0
    for start, end in token_bounds(text):
        while at < len(points) and points[at] <= start:
            at += 1
        k = at
        while k < len(points) and points[k] < end:
            tokens.append((start, points[k]))
            start = points[k]
            k += 1
        tokens.append((start, end))
    return tokens
