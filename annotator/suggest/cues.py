"""Finding the rules' patterns in a tokenised text.

spaCy's ``Matcher`` calls back into Python for every token and every ``IN`` set, which costs more
than tokenising the text. Most patterns (all the default ones) only compare a token's text or
lower-case form with words, so :class:`CueMatcher` matches those on the doc's arrays of string
hashes, a few vectorised comparisons per pattern, and hands any other pattern (operators,
other attributes, regular expressions...) to a ``Matcher``. Both give the same matches: the
tests compare them with the ``Matcher`` holding every pattern.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

# Attributes the array path reads, as the Matcher spells them (keys are case-insensitive there).
_ATTRS = {"LOWER": "LOWER", "ORTH": "ORTH", "TEXT": "ORTH"}


@dataclass(frozen=True)
class _Test:
    attr: str  # LOWER or ORTH
    hashes: Any  # numpy uint64 array of the words' hashes
    negated: bool  # NOT_IN


@dataclass(frozen=True)
class _ArrayPattern:
    label: str
    tokens: tuple[tuple[_Test, ...], ...]


def array_tests(pattern: Sequence[Any], strings: Any) -> tuple[tuple[_Test, ...], ...] | None:
    """The pattern as per-token tests on hash arrays, or None when it needs the Matcher."""
    if not pattern:
        return None
    out = []
    for spec in pattern:
        if not isinstance(spec, dict):
            return None
        tests = []
        for key, value in spec.items():
            attr = _ATTRS.get(key.upper()) if isinstance(key, str) else None
            if attr is None:
                return None
            if isinstance(value, str):
                tests.append(_Test(attr, np.array([strings.add(value)], dtype=np.uint64), False))
                continue
            if not isinstance(value, dict) or not value:
                return None
            for op, words in value.items():
                if op not in ("IN", "NOT_IN") or not isinstance(words, list):
                    return None
                if not all(isinstance(w, str) for w in words):
                    return None
                hashes = np.array(sorted({strings.add(w) for w in words}), dtype=np.uint64)
                tests.append(_Test(attr, hashes, op == "NOT_IN"))
        out.append(tuple(tests))
    return tuple(out)


def _member(values: Any, sorted_hashes: Any) -> Any:
    """``values`` found in ``sorted_hashes``, element by element (a binary search each: much
    quicker than ``np.isin`` on a few hundred values)."""
    at = np.searchsorted(sorted_hashes, values)
    at[at == len(sorted_hashes)] = 0
    return sorted_hashes[at] == values


class CueMatcher:
    """``(label, start token, end token)`` of every match of the token patterns added."""

    def __init__(self, vocab: Any) -> None:
        from spacy.matcher import Matcher

        self._vocab = vocab
        self._strings = vocab.strings
        self._arrays: list[_ArrayPattern] = []
        self._rest = Matcher(vocab)
        self._has_rest = False

    def add(self, label: str, pattern: list[dict[str, Any]]) -> None:
        """Add a pattern; what spaCy refuses raises as it does for the Matcher (a check made
        with a scratch Matcher, so that every pattern is validated the same way)."""
        from spacy.matcher import Matcher

        Matcher(self._vocab).add(label, [pattern])
        tests = array_tests(pattern, self._strings)
        if tests is None:
            self._rest.add(label, [pattern])
            self._has_rest = True
        else:
            self._arrays.append(_ArrayPattern(label, tests))

    def __call__(self, doc: Any) -> list[tuple[str, int, int]]:
        found: set[tuple[str, int, int]] = set()
        n = len(doc)
        if n and self._arrays:
            from spacy.attrs import LOWER, ORTH

            table = doc.to_array([LOWER, ORTH])
            columns = {"LOWER": table[:, 0], "ORTH": table[:, 1]}
            masks: dict[int, Any] = {}
            for pattern in self._arrays:
                width = len(pattern.tokens)
                if width > n:
                    continue
                hits = np.ones(n - width + 1, dtype=bool)
                for k, tests in enumerate(pattern.tokens):
                    for test in tests:
                        mask = masks.get(id(test))
                        if mask is None:
                            mask = _member(columns[test.attr], test.hashes) != test.negated
                            masks[id(test)] = mask
                        hits &= mask[k : k + len(hits)]
                for start in np.flatnonzero(hits).tolist():
                    found.add((pattern.label, start, start + width))
        if self._has_rest:
            strings = self._strings
            found.update((strings[key], start, end) for key, start, end in self._rest(doc))
        return sorted(found, key=lambda m: (m[1], m[2], m[0]))
