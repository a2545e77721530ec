"""Checking character offsets read from other tools' files against the text they point into.

Offsets in this app are code points. Tools with a JavaScript front end (doccano's, old Label
Studio versions) count UTF-16 code units instead, in which every character outside the Basic
Multilingual Plane (most emoji) counts twice: after the first emoji such offsets land too far
to the right. :func:`resolve_offsets` decides, for one record, which way its offsets were
counted, and checks every span against the text:

- with the span's covered text given (Label Studio's ``value.text``, our JSONL's ``text``), the
  offsets must cut exactly that text out of the article, counted one way or the other;
- without it (doccano), UTF-16 is chosen when the code-point reading falls outside the text or
  cuts words or characters apart while the UTF-16 reading fits the text and cuts none.

A text without characters outside the BMP counts the same both ways, so nothing is converted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from annotator.core.text import Utf16Index, _inside_cluster, _inside_word

__all__ = ["OffsetCheck", "RawSpan", "resolve_offsets", "utf16_note"]


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


def _cuts(text: str, offset: int) -> bool:
    """Whether an offset falls inside a word or inside one user-perceived character."""
    if not 0 < offset < len(text):
        return False
    return _inside_word(text, offset) or _inside_cluster(text, offset)


def resolve_offsets(text: str, spans: Sequence[RawSpan]) -> OffsetCheck:
    """Check ``spans`` against ``text`` (see the module docstring)."""
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
    if cp_only or u16_only:
        use_utf16 = u16_only > cp_only
    else:  # no covered text decides it: which reading fits the text
        differ = [(s, u) for s, u in zip(spans, utf16, strict=True) if u != (s.start, s.end)]
        if not differ or any(u is None for _, u in differ):
            use_utf16 = False
        else:
            cp_bad = sum(
                (not _matches(text, s.start, s.end, None))
                + _cuts(text, s.start)
                + _cuts(text, s.end)
                for s, _ in differ
            )
            u16_bad = sum(_cuts(text, u[0]) + _cuts(text, u[1]) for _, u in differ if u)
            use_utf16 = cp_bad > 0 and u16_bad == 0
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
