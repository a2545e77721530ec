"""Writing CoNLL: token and tag lines per sentence, the original tokens of articles that came
from CoNLL, and what the format could not hold (see :mod:`annotator.formats.conll`)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence, Sized
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.core.model import Label

# The reader's notion of one user-perceived character; tokens must agree with it.
from annotator.formats.conll.tags import SCHEMES, encode_tags, tag_label
from annotator.formats.conll.text import (
    DOCSTART_LINE,
    META_KEY,
    SEPARATOR,
    Token,
    sentences,
    tokenize,
)
from annotator.formats.export import (
    ExportDoc,
    ExportError,
    ExportReport,
    ExportSpan,
    ProgressCallback,
    atomic_file,
)


# ----------------------------------------------------------------------------------- writing
@dataclass
class _Tally:
    widened: int = 0
    trimmed: int = 0
    no_token: int = 0
    overlapping: int = 0
    duplicates: int = 0
    relations: int = 0
    notes: int = 0
    attributes: int = 0
    annotators: int = 0
    whitespace: int = 0
    split: int = 0

    def report_to(self, report: ExportReport) -> None:
        report.lose(
            self.widened,
            "span(s) whose boundaries fell inside a token were widened to whole tokens",
        )
        report.lose(
            self.trimmed,
            "span(s) that began or ended on white space were trimmed to their tokens",
        )
        report.lose(self.no_token, "span(s) covering no token (only white space) were dropped")
        report.lose(
            self.overlapping,
            "overlapping span(s) dropped: BIO holds one label per token, so of overlapping "
            "spans the longest was kept (ties: earlier start, then label order)",
        )
        report.lose(
            self.duplicates,
            "span(s) dropped as duplicates of a kept span with the same tokens and label "
            "(e.g. the same span from two annotators)",
        )
        report.lose(
            self.split,
            "span(s) crossing a sentence break of the article's original CoNLL tokenisation "
            "were cut at the break (one run of tags per sentence)",
        )
        report.lose(self.relations, "relation(s) not carried (CoNLL has no relations)")
        report.lose(self.notes, "span note(s) not carried (CoNLL has no notes)")
        report.lose(self.attributes, "span attribute(s) not carried (CoNLL has no attributes)")
        report.lose(self.annotators, "span annotator name(s) not kept (CoNLL has no annotators)")
        report.lose(
            self.whitespace,
            "article(s) whose white space cannot be restored (import rejoins tokens with single "
            "spaces and sentences with line breaks)",
        )


def write_conll(
    docs: Iterable[ExportDoc],
    out: Path,
    *,
    labels: Sequence[Label],
    progress: ProgressCallback | None = None,
    scheme: str = "IOB2",
) -> ExportReport:
    """Write ``docs`` to the file ``out`` as token/tag lines and report what was lost.

    ``scheme`` is ``IOB2`` (default), ``IOB1`` (CoNLL-2003's original) or ``BIOES``.
    ``progress(done, total)`` is called after each article (total 0 when ``docs`` has no length).
    """
    if scheme not in SCHEMES:
        raise ExportError(f"unknown tag scheme {scheme!r}; one of " + ", ".join(SCHEMES))
    report = ExportReport("conll")
    tally = _Tally()
    rank = {label.name: i for i, label in enumerate(labels)}
    total = len(docs) if isinstance(docs, Sized) else 0
    with atomic_file(out) as fh:
        for doc in docs:
            fh.write(f"{DOCSTART_LINE}\n\n")
            fh.write(_document_lines(doc, rank, tally, report, scheme))
            report.articles += 1
            if progress is not None:
                progress(report.articles, total)
    report.files.append(out)
    report.lose(
        report.articles, "article(s) lost their title and metadata (CoNLL holds tokens only)"
    )
    tally.report_to(report)
    return report


def _document_lines(
    doc: ExportDoc, rank: dict[str, int], tally: _Tally, report: ExportReport, scheme: str
) -> str:
    text = doc.article.text
    original = _original_tokens(doc.article.text, doc.article.meta)
    if original is not None:
        tokens, ranges, columns = original
    else:
        tokens, columns = tokenize(text), None
    kept = _kept_spans(doc.spans, tokens, rank, tally)
    if original is None:
        ranges = sentences(text, tokens, [(f, la) for f, la, _ in kept])
    else:
        kept = _cut_at_sentences(kept, ranges, tally)
    tags = encode_tags([(f, la, tag_label(label)) for f, la, label in kept], len(tokens), scheme)
    report.spans += len(kept)
    tally.relations += len(doc.relations)
    tally.notes += sum(1 for span in doc.spans if span.note)
    tally.attributes += sum(len(span.attributes) for span in doc.spans)
    tally.annotators += sum(1 for span in doc.spans if span.annotator)
    parts: list[str] = []
    rebuilt: list[str] = []
    for first, last in ranges:
        for k in range(first, last):
            if columns is not None:
                parts.append(f"{tokens[k].text} {columns[k]} {tags[k]}\n")
            else:
                parts.append(f"{tokens[k].text}{SEPARATOR}{tags[k]}\n")
        parts.append("\n")
        rebuilt.append(" ".join(t.text for t in tokens[first:last]))
    if "\n".join(rebuilt) != text:
        tally.whitespace += 1
    return "".join(parts)


def _original_tokens(
    text: str, meta: dict[str, Any]
) -> tuple[list[Token], list[tuple[int, int]], list[str] | None] | None:
    """The tokens, sentences and extra columns of an article imported from CoNLL (its text is
    its tokens joined by spaces, its sentences by line breaks), or None for any other article."""
    info = meta.get(META_KEY)
    if not isinstance(info, dict):
        return None
    tokens: list[Token] = []
    ranges: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        words = line.split(" ")
        if not line or any(not w or any(ch.isspace() for ch in w) for w in words):
            return None  # not the shape the import gave it: tokenise afresh
        first = len(tokens)
        for word in words:
            tokens.append(Token(offset, offset + len(word), word))
            offset += len(word) + 1
        ranges.append((first, len(tokens)))
    columns = info.get("columns")
    if not (
        isinstance(columns, list)
        and len(columns) == len(tokens)
        and all(isinstance(c, str) and c and "\n" not in c for c in columns)
    ):
        columns = None
    return tokens, ranges, columns


def _cut_at_sentences(
    kept: list[tuple[int, int, str]], ranges: Sequence[tuple[int, int]], tally: _Tally
) -> list[tuple[int, int, str]]:
    ends = [last for _, last in ranges]
    out: list[tuple[int, int, str]] = []
    for first, last, label in kept:
        cut = False
        while True:
            sentence_end = ends[bisect_right(ends, first)] - 1  # last token of first's sentence
            if last <= sentence_end:
                out.append((first, last, label))
                break
            out.append((first, sentence_end, label))
            first = sentence_end + 1
            cut = True
        tally.split += cut
    return out


def _kept_spans(
    spans: Sequence[ExportSpan], tokens: Sequence[Token], rank: dict[str, int], tally: _Tally
) -> list[tuple[int, int, str]]:
    """The spans BIO can hold, as (first token, last token, label), in token order."""
    starts = [t.start for t in tokens]
    candidates: list[tuple[int, int, int, str, int]] = []  # (first, last, char length, label, i)
    for i, span in enumerate(spans):
        # tokens that overlap [start, end)
        first = bisect_right(starts, span.start) - 1
        if first < 0 or tokens[first].end <= span.start:
            first += 1
        last = bisect_left(starts, span.end) - 1
        if first > last or first >= len(tokens):
            tally.no_token += 1
            continue
        start, end = tokens[first].start, tokens[last].end
        if start < span.start or end > span.end:
            tally.widened += 1
        elif (start, end) != (span.start, span.end):
            tally.trimmed += 1
        candidates.append((first, last, end - start, span.label, i))
    candidates.sort(key=lambda c: (-c[2], c[0], rank.get(c[3], len(rank)), c[3], c[4]))
    taken: dict[int, tuple[int, int, str]] = {}  # token -> the kept span on it
    kept: list[tuple[int, int, str]] = []
    for first, last, _, label, _ in candidates:
        clash = next((taken[k] for k in range(first, last + 1) if k in taken), None)
        if clash is None:
            chosen = (first, last, label)
            kept.append(chosen)
            for k in range(first, last + 1):
                taken[k] = chosen
        elif clash == (first, last, label):
            tally.duplicates += 1
        else:
            tally.overlapping += 1
    kept.sort()
    return kept
