"""Checking character offsets read from other tools' files against the text they point into.

Offsets in this app are code points. Tools with a JavaScript front end (doccano's, old Label
Studio versions) count UTF-16 code units instead, in which every character outside the Basic
Multilingual Plane (most emoji) counts twice: after the first emoji such offsets land too far
to the right. :func:`resolve_offsets` decides, for one record, which way its offsets were
counted, and checks every span against the text:

- with the span's covered text given (Label Studio's ``value.text``, our JSONL's ``text``), the
  offsets must cut exactly that text out of the article, counted one way or the other;
- without it (doccano), the decision is made for the whole document from all its spans whose
  two readings differ: a reading that is impossible for one of them (outside the text, or
  between the halves of a surrogate pair) rules that reading out; otherwise the reading under
  which every such span starts and ends on a word or character boundary (and not on white
  space), when the other reading does not, is taken. When both readings fit every span that way,
  or neither does, nothing tells which is right: the document is reported as ambiguous
  (:attr:`OffsetCheck.ambiguous`) and nothing of it is guessed.

A text without characters outside the BMP counts the same both ways, so nothing is converted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from annotator.core.text import Utf16Index, _inside_cluster, _inside_word

__all__ = [
    "OffsetCheck",
    "RawSpan",
    "ambiguous_message",
    "code_point_offsets",
    "resolve_offsets",
    "utf16_note",
]


@dataclass(frozen=True, slots=True)
class RawSpan:
    start: int
    end: int
    covered: str | None = None  # the text the file says the span covers, if it says


@dataclass(frozen=True, slots=True)
class OffsetCheck:
    """Per span, code-point offsets or the reason the span cannot be imported."""

    spans: tuple[tuple[int, int] | str, ...]
    converted: int  # spans whose offsets were UTF-16 units and were converted
    ambiguous: int = 0  # spans read differently either way, with nothing to tell which is right


def ambiguous_message(check: OffsetCheck, astral: str = "an emoji") -> str:
    return (
        f"{check.ambiguous} span(s) fit the text both counted in characters and counted in "
        f"UTF-16 code units (in which {astral} counts as two), and nothing tells which the file "
        "used: not imported; give each span its text, or name the encoding of its offsets"
    )


def utf16_note(count: int) -> str:
    return (
        f"{count} span(s) had offsets counted in UTF-16 code units (as a JavaScript front end "
        "counts an emoji as two); converted to characters"
    )


def _matches(text: str, start: int, end: int, covered: str | None) -> bool:
    if not 0 <= start < end <= len(text):
        return False
    if covered is None:
        return True
    actual = text[start:end]
    # Label Studio writes a region's line breaks as a backslash and an n.
    return covered in (actual, actual.replace("\r\n", "\\n"), actual.replace("\n", "\\n"))


def _clean(text: str, start: int, end: int) -> bool:
    """Whether a span looks drawn over whole words: inside the text, neither starting nor ending
    with white space, cutting no word or user-perceived character apart."""
    if not _matches(text, start, end, None):
        return False
    return (
        not text[start].isspace()
        and not text[end - 1].isspace()
        and not _cuts(text, start)
        and not _cuts(text, end)
    )


def _cuts(text: str, offset: int) -> bool:
    """Whether an offset falls inside a word or inside one user-perceived character."""
    if not 0 < offset < len(text):
        return False
    return _inside_word(text, offset) or _inside_cluster(text, offset)


def resolve_offsets(
    text: str, spans: Sequence[RawSpan], *, guess_utf16: bool = True
) -> OffsetCheck:
    """Check ``spans`` against ``text`` (see the module docstring). Without ``guess_utf16``
    spans without covered text are taken as code points (a file this app wrote)."""
    index = Utf16Index(text)
    if not index.astral_count():
        return OffsetCheck(tuple(_plain(text, s) for s in spans), 0)

    def as_utf16(span: RawSpan) -> tuple[int, int] | None:
        if not 0 <= span.start < span.end <= index.length16:
            return None
        start, end = index.to_code_point(span.start), index.to_code_point(span.end)
        if index.to_utf16(start) != span.start or index.to_utf16(end) != span.end:
            return None  # between the halves of a surrogate pair: not UTF-16 offsets
        return start, end

    utf16 = [as_utf16(s) for s in spans]
    cp_only = u16_only = 0
    for span, u in zip(spans, utf16, strict=True):
        if span.covered is None:
            continue
        cp_ok = _matches(text, span.start, span.end, span.covered)
        u16_ok = u is not None and _matches(text, u[0], u[1], span.covered)
        cp_only += cp_ok and not u16_ok
        u16_only += u16_ok and not cp_ok
    ambiguous = False
    if cp_only or u16_only:
        use_utf16 = u16_only > cp_only
    elif any(span.covered is not None for span in spans):
        # Every span's own text fits both readings (a repeated word after an emoji): the
        # characters the file names are the same either way, so the offsets are taken as
        # what they are meant to be, characters.
        use_utf16 = False
    else:  # no covered text decides it: the document's spans, all together
        differ = [(s, u) for s, u in zip(spans, utf16, strict=True) if u != (s.start, s.end)]
        if not guess_utf16 or not differ or any(u is None for _, u in differ):
            use_utf16 = False  # the same either way, a file of ours, or UTF-16 impossible
        elif any(not _matches(text, s.start, s.end, None) for s, _ in differ):
            use_utf16 = True  # code points impossible (past the end of the text)
        else:
            cp_clean = all(_clean(text, s.start, s.end) for s, _ in differ)
            u16_clean = all(_clean(text, *u) for _, u in differ if u is not None)
            use_utf16 = u16_clean and not cp_clean
            ambiguous = cp_clean == u16_clean
        if ambiguous:
            results_amb: list[tuple[int, int] | str] = []
            count = 0
            for span, u in zip(spans, utf16, strict=True):
                if u == (span.start, span.end):
                    results_amb.append(u)
                else:
                    count += 1
                    results_amb.append(
                        f"[{span.start}, {span.end}) fits the text both as characters and as "
                        "UTF-16 code units; nothing tells which"
                    )
            return OffsetCheck(tuple(results_amb), 0, count)
    results: list[tuple[int, int] | str] = []
    converted = 0
    for span, u in zip(spans, utf16, strict=True):
        cp_ok = _matches(text, span.start, span.end, span.covered)
        u16_ok = u is not None and _matches(text, u[0], u[1], span.covered)
        if u16_ok and u is not None and (use_utf16 or not cp_ok):
            results.append(u)
            converted += u != (span.start, span.end)
        elif cp_ok:
            results.append((span.start, span.end))
        else:
            results.append(_reason(text, span, utf16_tried=True))
    return OffsetCheck(tuple(results), converted)


def code_point_offsets(text: str, spans: Sequence[RawSpan]) -> OffsetCheck:
    """Check offsets that a format always counts in code points (no UTF-16 reading is tried)."""
    return OffsetCheck(tuple(_plain(text, s) for s in spans), 0)


def _plain(text: str, span: RawSpan) -> tuple[int, int] | str:
    if _matches(text, span.start, span.end, span.covered):
        return span.start, span.end
    return _reason(text, span, utf16_tried=False)


def _reason(text: str, span: RawSpan, *, utf16_tried: bool) -> str:
    also = " (nor counted in UTF-16 code units)" if utf16_tried else ""
    if not 0 <= span.start < span.end <= len(text):
        return f"[{span.start}, {span.end}) is outside the text ({len(text)} characters){also}"
    return (
        f"its text {_short(span.covered)} does not match the text at [{span.start}, "
        f"{span.end}), {_short(text[span.start : span.end])}{also}"
    )


def _short(text: object) -> str:
    shown = repr(text)
    return shown if len(shown) <= 60 else shown[:57] + "..."
