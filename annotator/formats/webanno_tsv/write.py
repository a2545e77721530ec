"""Writing WebAnno TSV 3.3: one file per article, tokens with stacked spans and relations (see
:mod:`annotator.formats.webanno_tsv`)."""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from annotator.core.model import Label
from annotator.core.text import Utf16Index
from annotator.formats.conll import Token, sentences
from annotator.formats.conll import _is_separator as is_separator
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
    escape_text,
    escape_value,
    file_name,
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
    index = Utf16Index(text)
    kept: list[tuple[int, ExportSpan, int, int]] = []  # (export index, span, start, end)
    for i, span in enumerate(doc.spans):
        start, end = _trim(text, span.start, span.end)
        if start >= end:
            tally.dropped += 1
            continue
        tally.trimmed += (start, end) != (span.start, span.end)
        kept.append((i, span, start, end))
    bounds = cut_tokens(text, ((start, end) for _, _, start, end in kept))
    tokens = [Token(a, b, text[a:b]) for a, b in bounds]
    starts = [t.start for t in tokens]

    token_range: dict[int, tuple[int, int]] = {}
    for i, _span, start, end in kept:
        first = bisect_left(starts, start)
        last = bisect_right(starts, end - 1) - 1
        token_range[i] = (first, last)
    sentence_ranges = sentences(text, tokens, token_range.values())
    unit_ids: list[str] = []
    for s, (first, last) in enumerate(sentence_ranges, start=1):
        unit_ids.extend([f"{s}-{k}" for k in range(1, last - first + 1)])
    on_token: list[list[int]] = [[] for _ in tokens]
    for i, (first, last) in token_range.items():
        for t in range(first, last + 1):
            on_token[t].append(i)
    ids: dict[int, int] = {}
    for i, _span, _start, _end in kept:
        first, last = token_range[i]
        if first != last or any(len(on_token[t]) > 1 for t in range(first, last + 1)):
            ids[i] = len(ids) + 1
    relations_on: list[list[int]] = [[] for _ in tokens]
    for r, relation in enumerate(doc.relations):
        if relation.head in token_range and relation.child in token_range:
            relations_on[token_range[relation.child][0]].append(r)

    lines = [HEADER]
    if tokens and text[: tokens[0].start].strip(" "):
        tally.leading += 1
    if not tokens:
        tally.no_tokens += 1
    a = doc.article
    if a.title != title_from_text(text) or a.meta or a.source or a.author or a.url or a.published:
        tally.metadata += 1
    # Each span's column values are made once; most tokens carry no span and share one tail.
    values = {
        i: [_span_value(doc.spans[i], feature, ids.get(i)) for feature in SPAN_FEATURES]
        for i in token_range
    }
    empty_tail = "\t".join([NULL_COLUMN] * (len(SPAN_FEATURES) + len(RELATION_FEATURES) + 1))
    # Offsets in UTF-16 units (as INCEpTION counts): each token's shift is the number of astral
    # characters before it, found by bisection; all rows are made first, those of the tokens
    # that carry spans or relations then made again.
    astral = [m.start() for m in _ASTRAL.finditer(text)] if index.astral_count() else []
    if astral:
        offsets = [
            f"{a + bisect_left(astral, a)}-{b + bisect_left(astral, b)}" for a, b, _ in tokens
        ]
    else:
        offsets = [f"{a}-{b}" for a, b, _ in tokens]
    rows = [
        f"{unit}\t{where}\t{token.text}\t{empty_tail}\t\n"
        for unit, where, token in zip(unit_ids, offsets, tokens, strict=True)
    ]
    span_columns: dict[tuple[int, ...], list[str]] = {}  # tokens in a span share its columns
    no_spans = [NULL_COLUMN] * len(SPAN_FEATURES)
    no_relations = [NULL_COLUMN] * (len(RELATION_FEATURES) + 1)
    for t in range(len(tokens)):
        spans_here = on_token[t]
        rels = relations_on[t]
        if not spans_here and not rels:
            continue
        row = [unit_ids[t], offsets[t], tokens[t].text]
        if spans_here:
            key = tuple(spans_here)
            columns = span_columns.get(key)
            if columns is None:
                columns = span_columns[key] = [
                    "|".join(values[i][f] for i in spans_here) for f in range(len(SPAN_FEATURES))
                ]
            row.extend(columns)
        else:
            row.extend(no_spans)
        if rels:
            for feature in RELATION_FEATURES:
                row.append(
                    "|".join(
                        _value(
                            doc.relations[r].type
                            if feature == "label"
                            else doc.relations[r].annotator
                        )
                        for r in rels
                    )
                )
            refs = []
            for r in rels:
                relation = doc.relations[r]
                ref = unit_ids[token_range[relation.head][0]]
                head_id, child_id = ids.get(relation.head), ids.get(relation.child)
                if head_id is not None or child_id is not None:
                    ref += f"[{head_id or 0}_{child_id or 0}]"
                refs.append(ref)
            row.append("|".join(refs))
        else:
            row.extend(no_relations)
        rows[t] = "\t".join(row) + "\t\n"
    append = lines.append
    for n, (first, last) in enumerate(sentence_ranges):
        begin = tokens[first].start
        end = tokens[sentence_ranges[n + 1][0]].start if n + 1 < len(sentence_ranges) else len(text)
        append("\n")
        for part in text[begin:end].split("\n"):
            append(f"#Text={escape_text(part)}\n")
        append("".join(rows[first:last]))
    return "".join(lines), len(kept)


def _value(value: str) -> str:
    return escape_value(value) if value else NULL_VALUE


def _span_value(span: ExportSpan, feature: str, disambiguation: int | None) -> str:
    if feature == "label":
        value = _value(span.label)
    elif feature == "annotator":
        value = _value(span.annotator)
    elif feature == "note":
        value = _value(span.note)
    else:
        value = (
            _value(json.dumps(span.attributes, ensure_ascii=False, sort_keys=True))
            if span.attributes
            else NULL_VALUE
        )
    return value if disambiguation is None else f"{value}[{disambiguation}]"


def write_webanno_tsv(
    docs: Iterable[ExportDoc], out: Path, *, labels: Sequence[Label] = ()
) -> ExportReport:
    report = ExportReport("webanno-tsv")
    tally = _Tally()
    with atomic_folder(out) as folder:
        for doc in docs:
            content, spans = document(doc, tally)
            (folder / file_name(doc.article.id)).write_text(content, encoding="utf-8", newline="\n")
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
