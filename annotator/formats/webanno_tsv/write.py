"""Writing WebAnno TSV 3.3: one file per article, tokens with stacked spans and relations (see
:mod:`annotator.formats.webanno_tsv`)."""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from annotator.core.model import Label
from annotator.formats.conll import _is_separator as is_separator
from annotator.formats.conll import sentences
from annotator.formats.export import ExportDoc, ExportReport, ExportSpan, atomic_folder
from annotator.formats.records import (
    title_from_text,
)
from annotator.formats.tokens import cut_tokens
from annotator.formats.webanno_tsv.escaping import (
    HEADER,
    NULL_COLUMN,
    NULL_VALUE,
    RELATION_FEATURES,
    SPAN_FEATURES,
    escape_value,
    file_name,
    text_line_maker,
)

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")  # characters that take two UTF-16 units


# ------------------------------------------------------------------------------------ writing
@dataclass
class _Tally:
    trimmed: int = 0
    dropped: int = 0
    leading: int = 0
    metadata: int = 0
    no_tokens: int = 0


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and is_separator(text[start]):
        start += 1
    while end > start and is_separator(text[end - 1]):
        end -= 1
    return start, end


def document(doc: ExportDoc, tally: _Tally) -> tuple[str, int]:
    """The TSV text of one article and how many of its spans it holds."""
    text = doc.article.text
    kept: list[tuple[int, ExportSpan, int, int]] = []  # (export index, span, start, end)
    for i, span in enumerate(doc.spans):
        start, end = _trim(text, span.start, span.end)
        if start >= end:
            tally.dropped += 1
            continue
        tally.trimmed += (start, end) != (span.start, span.end)
        kept.append((i, span, start, end))
    # Tokens as (start, end) pairs; a token's index is found by bisection on them.
    tokens = cut_tokens(text, ((start, end) for _, _, start, end in kept))
    token_range: dict[int, tuple[int, int]] = {}
    for i, _span, start, end in kept:
        token_range[i] = (bisect_left(tokens, (start,)), bisect_left(tokens, (end,)) - 1)
    sentence_ranges = sentences(text, tokens, token_range.values())
    stretches, stacked = _stretches(token_range)
    ids: dict[int, int] = {}
    for i, _span, _start, _end in kept:
        first, last = token_range[i]
        if first != last or i in stacked:
            ids[i] = len(ids) + 1
    relations_on: dict[int, list[int]] = {}
    for r, relation in enumerate(doc.relations):
        if relation.head in token_range and relation.child in token_range:
            relations_on.setdefault(token_range[relation.child][0], []).append(r)

    lines = [HEADER]
    if tokens and text[: tokens[0][0]].strip(" "):
        tally.leading += 1
    if not tokens:
        tally.no_tokens += 1
    a = doc.article
    if a.meta or a.source or a.author or a.url or a.published or a.title != title_from_text(text):
        tally.metadata += 1
    # Each span's column values are made once; the tokens a span covers alone share them.
    values = {i: _span_values(doc.spans[i], ids.get(i)) for i in token_range}

    def span_columns(spans_here: tuple[int, ...]) -> list[str]:
        if len(spans_here) == 1:
            return values[spans_here[0]]
        if not spans_here:
            return _NO_SPANS
        return ["|".join(values[i][f] for i in spans_here) for f in range(len(SPAN_FEATURES))]

    tails = [
        (t, "\t" + "\t".join(span_columns(spans_here)) + _NO_RELATIONS_TAIL)
        for t, spans_here in stretches
    ]
    sentence_starts = [first for first, _ in sentence_ranges]
    astral = [m.start() for m in _ASTRAL.finditer(text)]
    heads = _heads(text, tokens, sentence_starts, astral)

    def unit(t: int) -> str:
        s = bisect_right(sentence_starts, t)
        return f"{s}-{t - sentence_starts[s - 1] + 1}"

    def row(t: int, relations: str) -> str:
        start, end = tokens[t]
        where = f"{start + bisect_left(astral, start)}-{end + bisect_left(astral, end)}"
        stretch = bisect_right(stretches, (t, _LAST)) - 1
        here = span_columns(stretches[stretch][1]) if stretch >= 0 else _NO_SPANS
        return "\t".join([unit(t), where, text[start:end], *here, relations]) + "\t\n"

    # The rows of the tokens that carry relations are made apart, whole.
    rows: dict[int, str] = {}
    for t, rels in relations_on.items():
        parts = [
            "|".join(_value(doc.relations[r].type) for r in rels),
            "|".join(_value(doc.relations[r].annotator) for r in rels),
        ]
        refs = []
        for r in rels:
            relation = doc.relations[r]
            ref = unit(token_range[relation.head][0])
            head_id, child_id = ids.get(relation.head), ids.get(relation.child)
            if head_id is not None or child_id is not None:
                ref += f"[{head_id or 0}_{child_id or 0}]"
            refs.append(ref)
        parts.append("|".join(refs))
        rows[t] = row(t, "\t".join(parts))
    # The other rows are their heads each followed by the tail of the stretch they are in: a
    # stretch of rows is its heads joined by its tail.
    text_lines = text_line_maker(text)
    sentence_at = {first: n for n, first in enumerate(sentence_starts)}
    tail_at = dict(tails)
    size = len(tokens)
    changes = sorted({*sentence_at, *tail_at, *rows, *(t + 1 for t in rows), size})
    append = lines.append
    tail = _EMPTY_TAIL
    for i, j in pairwise(changes):
        n = sentence_at.get(i)
        if n is not None:
            end = tokens[sentence_starts[n + 1]][0] if n + 1 < len(sentence_starts) else len(text)
            append(text_lines(text[tokens[i][0] : end]))
        tail = tail_at.get(i, tail)
        made = rows.get(i)
        if made is not None:
            append(made)
        else:
            append(tail.join(heads[i:j]))
            append(tail)
    return "".join(lines), len(kept)


_NO_SPANS = [NULL_COLUMN] * len(SPAN_FEATURES)
_NO_RELATIONS = [NULL_COLUMN] * (len(RELATION_FEATURES) + 1)
_LAST = (1 << 63,)  # after every tuple that starts with a token index
# The columns of a token without spans or relations, and the row's end.
_EMPTY_TAIL = "\t" + "\t".join(_NO_SPANS + _NO_RELATIONS) + "\t\n"
_NO_RELATIONS_TAIL = "\t" + "\t".join(_NO_RELATIONS) + "\t\n"


def _stretches(
    token_range: dict[int, tuple[int, int]],
) -> tuple[list[tuple[int, tuple[int, ...]]], set[int]]:
    """Where the set of spans on the tokens changes: (first token, the spans on it and on the
    tokens up to the next change, in export order); and the spans that share a token with
    another span (stacked)."""
    ranges = sorted((first, last, i) for i, (first, last) in token_range.items() if first <= last)
    if all(a[1] < b[0] for a, b in pairwise(ranges)):  # no two spans share a token
        simple: list[tuple[int, tuple[int, ...]]] = []
        for first, last, i in ranges:
            if simple and simple[-1][0] == first:
                simple.pop()
            simple += [(first, (i,)), (last + 1, ())]
        return simple, set()
    starting: dict[int, list[int]] = {}
    ending: dict[int, list[int]] = {}
    for i, (first, last) in token_range.items():
        if first <= last:
            starting.setdefault(first, []).append(i)
            ending.setdefault(last + 1, []).append(i)
    stretches: list[tuple[int, tuple[int, ...]]] = []
    stacked: set[int] = set()
    active: set[int] = set()
    for t in sorted(starting.keys() | ending.keys()):
        active.difference_update(ending.get(t, ()))
        active.update(starting.get(t, ()))
        here = tuple(sorted(active))
        stretches.append((t, here))
        if len(here) > 1:
            stacked.update(here)
    return stretches, stacked


def _heads(
    text: str, tokens: list[tuple[int, int]], sentence_starts: list[int], astral: list[int]
) -> list[str]:
    """The first three columns of every token's row: its id, offsets and text.

    Offsets are UTF-16 units (as INCEpTION counts): a token is shifted by the number of astral
    characters before it, which changes only at a few tokens; the heads are made a stretch of
    tokens of one sentence and one shift at a time; then the few tokens that hold an astral
    character (their end is shifted once more than their start) are made again.
    """
    # Token index from which each astral character counts (the first token starting after it).
    shifts = [bisect_left(tokens, (p + 1,)) for p in astral]
    sentence_at = {first: s for s, first in enumerate(sentence_starts, start=1)}
    heads: list[str] = []
    s = first = shift = 0
    for i, j in pairwise(sorted({*sentence_at, *shifts, len(tokens)})):
        if i in sentence_at:
            s, first = sentence_at[i], i
        while shift < len(shifts) and shifts[shift] <= i:
            shift += 1
        units = _units(s, i - first, j - i)
        if shift:
            heads += [
                f"{unit}{a + shift}-{b + shift}\t{text[a:b]}"
                for unit, (a, b) in zip(units, tokens[i:j], strict=True)
            ]
        else:
            heads += [
                f"{unit}{a}-{b}\t{text[a:b]}"
                for unit, (a, b) in zip(units, tokens[i:j], strict=True)
            ]
    for p, after in zip(astral, shifts, strict=True):
        t = after - 1  # the last token starting at or before the character
        if t >= 0 and tokens[t][1] > p:
            a, b = tokens[t]
            unit = heads[t].partition("\t")[0]
            heads[t] = (
                f"{unit}\t{a + bisect_left(astral, a)}-{b + bisect_left(astral, b)}\t{text[a:b]}"
            )
    return heads


def _units(sentence: int, skip: int, count: int) -> list[str]:
    """The ids of ``count`` tokens of a sentence after its first ``skip``, each with the TAB
    after it. (Articles share their first sentences' numbers and tokens' numbers: the ids are
    made once for them.)"""
    need = skip + count
    if sentence > _UNITS_KEPT or need > _UNITS_KEPT:
        return [f"{sentence}-{k}\t" for k in range(skip + 1, need + 1)]
    units = _UNITS.get(sentence)
    if units is None or len(units) < need:
        units = _UNITS[sentence] = [f"{sentence}-{k}\t" for k in range(1, max(need, 64) + 1)]
    return units[skip:need]


_UNITS: dict[int, list[str]] = {}
_UNITS_KEPT = 300  # at most 90,000 ids kept


def _value(value: str) -> str:
    if not value:
        return NULL_VALUE
    escaped = _ESCAPED.get(value)
    if escaped is None:  # labels and annotators repeat: each is escaped once
        if len(_ESCAPED) >= 10_000:
            _ESCAPED.clear()
        escaped = _ESCAPED[value] = escape_value(value)
    return escaped


_ESCAPED: dict[str, str] = {}


def _span_values(span: ExportSpan, disambiguation: int | None) -> list[str]:
    """The span's columns (see SPAN_FEATURES)."""
    values = [
        _value(span.label),
        _value(span.annotator),
        _value(span.note),
        _value(json.dumps(span.attributes, ensure_ascii=False, sort_keys=True))
        if span.attributes
        else NULL_VALUE,
    ]
    if disambiguation is None:
        return values
    return [f"{value}[{disambiguation}]" for value in values]


def write_webanno_tsv(
    docs: Iterable[ExportDoc], out: Path, *, labels: Sequence[Label] = ()
) -> ExportReport:
    report = ExportReport("webanno-tsv")
    tally = _Tally()
    with atomic_folder(out) as folder:
        for doc in docs:
            content, spans = document(doc, tally)
            (folder / file_name(doc.article.id)).write_bytes(content.encode("utf-8"))
            report.articles += 1
            report.spans += spans
            report.relations += len(doc.relations)
    report.files.append(out)
    report.lose(
        tally.trimmed, "span(s) trimmed to their tokens (a row cannot start or end on white space)"
    )
    report.lose(tally.dropped, "span(s) of white space only dropped (they cover no token)")
    report.lose(tally.leading, "article(s) whose leading white space is written as spaces")
    report.lose(tally.no_tokens, "article(s) without a single token written without their text")
    report.lose(
        tally.metadata, "article title(s) and metadata not written (TSV has no place for them)"
    )
    return report
