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
from bisect import bisect_right
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
    cache = _RUN_TOKENS
    for run in _RUN.finditer(text):
        piece = run.group()
        cuts = cache.get(piece)
        if cuts is None:
            cuts = _run_tokens(piece)
            if len(cache) >= _CACHE_SIZE:
                cache.clear()
            cache[piece] = cuts
        start = run.start()
        for a, b in cuts:
            append((start + a, start + b))
    return bounds


# Tokens of runs already cut (runs repeat: natural text reuses its words), relative to the run.
_RUN_TOKENS: dict[str, tuple[tuple[int, int], ...]] = {}
_CACHE_SIZE = 200_000


def _run_tokens(piece: str) -> tuple[tuple[int, int], ...]:
    if piece.isascii():
        return tuple((m.start(), m.end()) for m in _ASCII_TOKEN.finditer(piece))
    # The run's last ASCII-free stretch may still be followed by clusters: use the full rules
    # on the whole run (they need no context beyond it).
    return tuple((token.start, token.end) for token in tokenize(piece))


def cut_tokens(text: str, edges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The (start, end) of each token of ``text``, cut where an edge falls inside a token."""
    bounds = token_bounds(text)
    points = sorted({p for edge in edges for p in edge})
    if not points or not bounds:
        return bounds
    # Only the few tokens an edge falls inside are cut; found by bisection, not a walk.
    starts = [start for start, _ in bounds]
    cuts: dict[int, list[int]] = {}
    for point in points:
        i = bisect_right(starts, point) - 1
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
