"""CoNLL-2003-style token/IOB2 files: one token and its tag per line, sentences and articles apart.

File layout (UTF-8, LF line ends)::

    -DOCSTART-<TAB>O
    <blank line>
    Peskov<TAB>B-Source
    said<TAB>O
    .<TAB>O
    <blank line>
    ...

Each article starts with the CoNLL-2003 document marker (in this file's two-column form), then
its sentences, each followed by one blank line. A token line is the token, one TAB, and its IOB2
tag (``O``, ``B-LABEL``, ``I-LABEL``; seqeval's IOB2 scheme). Tokens never contain white space, so
readers that split on any white space (CoNLL-2003 loaders, flair, spaCy's converter, seqeval
scripts) read the file too; ``conllu.parse(data, fields=("form", "tag"))`` does as well, except
that it takes a line starting with ``#`` (a token ``#``) for a comment. White space in a label
name becomes ``_`` in its tags (reported).

Tokenization (:func:`tokenize`), over code points:

- A token is a word, ``\\w+(?:[-'’]\\w+)*``, where ``\\w`` is a letter, digit, combining mark or
  connector of any script (Unicode categories L, N, M, Pc) and the apostrophes and hyphens
  ``' ’ ʼ - ‐ ‑``, the soft hyphen and ZWNJ join two words ("don't", "Moscow-based"); or else any one
  other visible character (punctuation, a symbol, an emoji).
- A token is never cut inside a user-perceived character: combining marks, variation selectors,
  ZWJ sequences (👨‍👩‍👧), skin tones (👍🏽), flags (🇺🇸, two regional indicators) and keycaps stay
  with what they belong to, as the reader's selection snapping keeps them
  (:mod:`annotator.core.text`).
- White space (including NBSP and line breaks) and invisible separators (U+200B, U+2060, U+FEFF,
  bidi marks) separate tokens and belong to none.

Sentences: a sentence ends at a line break in the text, and after a token ``. ! ? … ؟ 。 ！ ？``
(and any closing quotes or brackets right after it) that white space separates from a token
beginning with an upper-case or case-less letter or an opening quote or bracket, unless the token
before the full stop is one letter (an initial, "J. K.") or a common abbreviation (Mr, Dr, Gen,
...). A sentence never ends inside an exported span, so each span is one run of tags in one
sentence.

Spans: a span is snapped to the tokens it touches. A boundary inside a token widens it to the
whole token; a span that begins or ends on white space is trimmed to its tokens; a span that
touches no token is dropped; each is counted in the export report. BIO holds one label per token,
so of overlapping spans the longest is kept (ties: the earlier start, then the label's place in
the project's label order) and the others are dropped and counted, duplicates (same tokens and
label, e.g. two annotators) separately. Relations, notes, attributes, annotators, article titles
and metadata cannot be carried: each is counted as a loss.

Import (:func:`read_conll`) reads this layout, and CoNLL-2003 files with more columns (the first
column is the token, the last the tag). The article text is rebuilt from the tokens: tokens joined
by one space, sentences by a line break (the original white space cannot be recovered), and spans
are the B-/I- runs over that text. The round trip keeps each article's token sequence, sentence
by sentence, and its labelled spans as token ranges. An ``I-X`` tag that does not continue an
``X`` (IOB1 files such as the original CoNLL-2003 data) starts a new span, as seqeval and
conlleval read it; each such repair is named in the notes. A line without a tag or with a tag
other than ``O``, ``B-X``, ``I-X`` rejects its article, naming the file and line; other articles
are imported.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from dataclasses import dataclass, field
from pathlib import Path

from annotator.core.model import ArticleDraft, Label

# The reader's notion of one user-perceived character; tokens must agree with it.
from annotator.core.text import _inside_cluster
from annotator.formats.decode import DecodeError, decode_bytes
from annotator.formats.export import (
    ExportDoc,
    ExportReport,
    ExportSpan,
    ProgressCallback,
    atomic_file,
)
from annotator.formats.limits import MAX_WHOLE_FILE_BYTES, TooLarge, read_bounded
from annotator.formats.records import (
    ArticleRecord,
    ReadOptions,
    ReadResult,
    RecordError,
    SpanRecord,
    text_problem,
    title_from_text,
)

__all__ = [
    "DOCSTART",
    "NoteCallback",
    "Token",
    "read_conll",
    "sentences",
    "tag_label",
    "tokenize",
    "write_conll",
]

NoteCallback = Callable[[Path, int | None, str], None]  # (file, 1-based line or None, message)

DOCSTART = "-DOCSTART-"
SEPARATOR = "\t"
_JOINERS = frozenset("'’ʼ-\u00ad\u2010\u2011\u200c")  # ZWNJ: inside Persian words
_INVISIBLE_SEPARATORS = frozenset(
    "\u200b\u2060\ufeff\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
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
@dataclass(frozen=True, slots=True)
class Token:
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
    text: str, tokens: Sequence[Token], protected: Iterable[tuple[int, int]] = ()
) -> list[tuple[int, int]]:
    """Token index ranges ``[first, last)`` of the sentences; none ends inside a protected
    ``[first, last]`` token range (an exported span)."""
    no_break: set[int] = set()  # k: no sentence break between token k and k + 1
    for first, last in protected:
        no_break.update(range(first, last))
    ranges: list[tuple[int, int]] = []
    start = 0
    for k in range(len(tokens) - 1):
        if k not in no_break and _ends_sentence(text, tokens, k):
            ranges.append((start, k + 1))
            start = k + 1
    if tokens:
        ranges.append((start, len(tokens)))
    return ranges


def _ends_sentence(text: str, tokens: Sequence[Token], k: int) -> bool:
    gap = text[tokens[k].end : tokens[k + 1].start]
    if any(ch in _LINE_BREAKS for ch in gap):
        return True
    if not gap:
        return False
    j = k
    while j > 0 and tokens[j].text in _CLOSERS and tokens[j - 1].end == tokens[j].start:
        j -= 1
    if tokens[j].text not in _TERMINALS:
        return False
    if j > 0 and tokens[j].text == "." and tokens[j - 1].end == tokens[j].start:
        before = tokens[j - 1].text
        if (len(before) == 1 and before.isalpha()) or before.casefold() in ABBREVIATIONS:
            return False
    first = tokens[k + 1].text[0]
    if first in _OPENERS:
        return True
    return first.isalpha() and not first.islower()


def tag_label(label: str) -> str:
    """A label as it stands in a tag: white space becomes ``_``."""
    return "".join("_" if ch.isspace() else ch for ch in label)


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
    renamed: dict[str, int] = field(default_factory=dict)

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
        for label, count in self.renamed.items():
            report.lose(
                count,
                f"span(s) labelled {label!r} tagged as {tag_label(label)} (tags hold no "
                "white space)",
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
) -> ExportReport:
    """Write ``docs`` to the file ``out`` as token/IOB2 lines and report what was lost.

    ``progress(done, total)`` is called after each article (total 0 when ``docs`` has no length).
    """
    report = ExportReport("conll")
    tally = _Tally()
    rank = {label.name: i for i, label in enumerate(labels)}
    total = len(docs) if isinstance(docs, Sized) else 0
    with atomic_file(out) as fh:
        for doc in docs:
            fh.write(f"{DOCSTART}{SEPARATOR}O\n\n")
            fh.write(_document_lines(doc, rank, tally, report))
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
    doc: ExportDoc, rank: dict[str, int], tally: _Tally, report: ExportReport
) -> str:
    text = doc.article.text
    tokens = tokenize(text)
    kept = _kept_spans(doc.spans, tokens, rank, tally)
    tags = ["O"] * len(tokens)
    for first, last, label in kept:
        tag = tag_label(label)
        if tag != label:
            tally.renamed[label] = tally.renamed.get(label, 0) + 1
        tags[first] = f"B-{tag}"
        for k in range(first + 1, last + 1):
            tags[k] = f"I-{tag}"
    report.spans += len(kept)
    tally.relations += len(doc.relations)
    tally.notes += sum(1 for span in doc.spans if span.note)
    tally.attributes += sum(len(span.attributes) for span in doc.spans)
    tally.annotators += sum(1 for span in doc.spans if span.annotator)
    parts: list[str] = []
    rebuilt: list[str] = []
    for first, last in sentences(text, tokens, [(f, la) for f, la, _ in kept]):
        for k in range(first, last):
            parts.append(f"{tokens[k].text}{SEPARATOR}{tags[k]}\n")
        parts.append("\n")
        rebuilt.append(" ".join(t.text for t in tokens[first:last]))
    if "\n".join(rebuilt) != text:
        tally.whitespace += 1
    return "".join(parts)


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


# ----------------------------------------------------------------------------------- reading
@dataclass
class _Doc:
    line: int | None  # the -DOCSTART- line, None when the file has none
    sentences: list[list[tuple[str, str, int]]] = field(default_factory=lambda: [[]])
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(self.sentences)


def read_conll(
    path: Path, options: ReadOptions | None = None, *, on_note: NoteCallback | None = None
) -> ReadResult:
    """Yield the articles of a CoNLL file, or the reasons some cannot be imported."""
    options = options or ReadOptions()
    on_note = on_note or options.on_note
    path = Path(path)
    try:
        data = read_bounded(path, MAX_WHOLE_FILE_BYTES, "CoNLL file", "split it into smaller files")
    except TooLarge as exc:
        yield RecordError(None, exc.message)
        return
    except OSError as exc:
        yield RecordError(None, f"cannot be read: {exc.strerror or exc}")
        return
    yield from parse_conll(
        data,
        encoding=options.encoding,
        on_note=None if on_note is None else lambda line, msg: on_note(path, line, msg),
    )


def parse_conll(
    data: bytes,
    *,
    encoding: str | None = None,
    on_note: Callable[[int | None, str], None] | None = None,
) -> Iterator[ArticleRecord | RecordError]:
    """:func:`read_conll` over bytes; notes go to ``on_note(line, message)``."""
    if not data.strip():
        yield RecordError(None, "file is empty")
        return
    try:
        text = decode_bytes(data, encoding=encoding)
    except DecodeError as exc:
        yield RecordError(None, exc.message)
        return
    doc = _Doc(None)
    for number, raw_line in enumerate(_lines(text), start=1):
        line = raw_line.removesuffix("\r")
        fields = line.split()
        if not fields:
            if doc.sentences[-1]:
                doc.sentences.append([])
            continue
        if fields[0] == DOCSTART:
            yield from _finish(doc, on_note)
            doc = _Doc(number)
            continue
        if len(fields) < 2:
            doc.errors.append((number, f"expected TOKEN<TAB>TAG, got {_short(line)}"))
            continue
        tag = fields[-1]
        if tag != "O" and not (tag[:2] in ("B-", "I-") and len(tag) > 2):
            doc.errors.append((number, f"tag {tag!r} is not O, B-LABEL or I-LABEL (IOB2)"))
            continue
        doc.sentences[-1].append((fields[0], tag, number))
    yield from _finish(doc, on_note)


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` split at LF, one at a time: a list of them all would take many
    times the memory of the text."""
    start = 0
    while (end := text.find("\n", start)) != -1:
        yield text[start:end]
        start = end + 1
    yield text[start:]


def _finish(
    doc: _Doc, on_note: Callable[[int | None, str], None] | None
) -> Iterator[ArticleRecord | RecordError]:
    if doc.errors:
        for line, message in doc.errors:
            where = f" (article starting at line {doc.line})" if doc.line is not None else ""
            yield RecordError(line, message + where + "; the article was not imported")
        return
    if doc.empty:
        if doc.line is not None and on_note is not None:
            on_note(doc.line, "an article without tokens was skipped")
        return
    pieces: list[str] = []
    spans: list[SpanRecord] = []
    offset = 0
    open_span: tuple[int, int, str] | None = None  # (start, end, label)
    for s, sentence in enumerate(token for token in doc.sentences if token):
        if s:
            pieces.append("\n")
            offset += 1
        for k, (token, tag, number) in enumerate(sentence):
            if k:
                pieces.append(" ")
                offset += 1
            start, end = offset, offset + len(token)
            pieces.append(token)
            offset = end
            kind, label = tag[0], tag[2:]
            if kind == "I" and (open_span is None or open_span[2] != label):
                if on_note is not None:
                    on_note(number, f"{tag} does not continue a {label} span: read as B-{label}")
                kind = "B"
            if kind == "I" and open_span is not None:
                open_span = (open_span[0], end, label)
                continue
            if open_span is not None:
                spans.append(SpanRecord(*open_span))
                open_span = None
            if kind == "B":
                open_span = (start, end, label)
        if open_span is not None:  # a span never runs into the next sentence
            spans.append(SpanRecord(*open_span))
            open_span = None
    text = "".join(pieces)
    problem = text_problem(text)
    if problem is not None:
        yield RecordError(doc.line, problem)
        return
    yield ArticleRecord(
        ArticleDraft(text=text, title=title_from_text(text)), doc.line, tuple(spans)
    )


def _short(text: str) -> str:
    shown = repr(text)
    return shown if len(shown) <= 60 else shown[:57] + "..."
