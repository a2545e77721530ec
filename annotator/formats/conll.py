"""CoNLL-2003-style token/tag files: one token and its tag per line, sentences and articles apart.

File layout (UTF-8, LF line ends)::

    -DOCSTART- -X- O O
    <blank line>
    Peskov<TAB>B-Source
    said<TAB>O
    .<TAB>O
    <blank line>
    ...

Each article starts with the CoNLL-2003 document marker as spaCy's converter looks for it, then
its sentences, each followed by one blank line. A token line is the token, one TAB, and its tag
in IOB2 (``O``, ``B-LABEL``, ``I-LABEL``; seqeval's IOB2 scheme, the default), IOB1 (CoNLL-2003's
original: ``I-`` begins a span unless it directly follows one of the same label) or BIOES
(``S-`` single-token spans, ``E-`` last tokens). Tokens never contain white space, so
readers that split on any white space (CoNLL-2003 loaders, flair, spaCy's converter, seqeval
scripts) read the file too; ``conllu.parse(data, fields=("form", "tag"))`` does as well, except
that it takes a line starting with ``#`` (a token ``#``) for a comment. White space and ``%`` in a
label are percent-encoded in its tags ("Direct quote" is ``Direct%20quote``, never the same tag
as "Direct_quote") and decoded on import.

Articles imported from CoNLL keep their tokens and sentences: their text is the tokens joined by
spaces and the sentences by line breaks, and their meta ``conll`` holds the tag scheme read and,
for files with more than two columns, each token's middle columns. Exporting such an article
writes those tokens, sentences and columns again (space-separated, as CoNLL-2003 is), so a
CoNLL-2003 file comes back as it was, tags in the scheme asked for; a span added across a
sentence break is cut there (reported). Other articles are tokenised as follows.

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

Import (:func:`read_conll`) reads this layout, the document line in either form
(``-DOCSTART-<TAB>O``, ``-DOCSTART- -X- -X- O``), and CoNLL-2003 files with more columns (the first
column is the token, the last the tag), tagged IOB1, IOB2 or BIOES (also BILOU's ``L-``/``U-``). The article text is rebuilt from the tokens: tokens joined
by one space, sentences by a line break (the original white space cannot be recovered), and spans
are the B-/I- runs over that text. The round trip keeps each article's token sequence, sentence
by sentence, and its labelled spans as token ranges. An ``I-X`` tag that does not continue an
``X`` (IOB1 files such as the original CoNLL-2003 data) starts a new span, as seqeval and
conlleval read it; the file's notes say once how it was read (IOB1, BIOES) and how many tags
that concerned. A line without a tag or with a tag other than these rejects its article, naming
the file and line; other articles are imported.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from annotator.core.model import ArticleDraft, Label

# The reader's notion of one user-perceived character; tokens must agree with it.
from annotator.core.text import _inside_cluster
from annotator.formats.decode import DecodeError, decode_bytes
from annotator.formats.export import (
    ExportDoc,
    ExportError,
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
# The document marker as CoNLL-2003 tools (spaCy's converter among them) look for it.
DOCSTART_LINE = "-DOCSTART- -X- O O"
SEPARATOR = "\t"
META_KEY = "conll"  # article meta of an article read from CoNLL: its scheme and extra columns
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
    """A label as it stands in a tag: white space and ``%`` percent-encoded (UTF-8), so that no
    tag holds white space and two labels never meet in one tag ("Direct quote" is
    ``Direct%20quote``, "Direct_quote" stays ``Direct_quote``)."""
    return "".join(quote(ch, safe="") if ch.isspace() or ch == "%" else ch for ch in label)


_ENCODED = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def label_of_tag(text: str) -> str:
    """The label a tag's label part stands for: the percent-encoded white space and ``%`` of
    :func:`tag_label` decoded, any other ``%`` sequence left as it is."""

    def decode(match: re.Match[str]) -> str:
        try:
            decoded = unquote(match.group(), errors="strict")
        except UnicodeDecodeError:
            return match.group()
        if all(ch.isspace() or ch == "%" for ch in decoded):
            return decoded
        return match.group()

    return _ENCODED.sub(decode, text)


SCHEMES = ("IOB2", "IOB1", "BIOES")


def encode_tags(spans: Iterable[tuple[int, int, str]], size: int, scheme: str) -> list[str]:
    """Tags of ``size`` tokens for sorted, non-overlapping ``(first, last, tag label)`` spans."""
    tags = ["O"] * size
    previous: tuple[int, str] | None = None  # (last token, label) of the span before
    for first, last, label in spans:
        if scheme == "BIOES":
            if first == last:
                tags[first] = f"S-{label}"
            else:
                tags[first] = f"B-{label}"
                tags[last] = f"E-{label}"
                for k in range(first + 1, last):
                    tags[k] = f"I-{label}"
        else:
            adjacent = previous is not None and previous == (first - 1, label)
            begin = "B" if scheme == "IOB2" or adjacent else "I"
            tags[first] = f"{begin}-{label}"
            for k in range(first + 1, last + 1):
                tags[k] = f"I-{label}"
        previous = (last, label)
    return tags


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


# ----------------------------------------------------------------------------------- reading
@dataclass
class _Doc:
    line: int | None  # the -DOCSTART- line, None when the file has none
    # (token, tag, line, extra columns joined by one space)
    sentences: list[list[tuple[str, str, int, str]]] = field(default_factory=lambda: [[]])
    errors: list[tuple[int, str]] = field(default_factory=list)
    implicit: bool = False  # begun by a blank line (a Label Studio block), not a -DOCSTART-

    @property
    def empty(self) -> bool:
        return not any(self.sentences)


@dataclass
class _FileTally:
    """What the whole file was read as, said once at its end rather than once per tag."""

    iob1: int = 0  # I- tags that began a span
    bioes: int = 0  # E-/S- (L-/U-) tags seen
    unended: int = 0  # BIOES spans that did not close with E- (read as ending where they did)
    empty: int = 0  # articles without tokens, skipped
    label_studio: int = 0  # blocks of a Label Studio CONLL2003 export read as articles

    def notes(self) -> list[str]:
        out = []
        if self.iob1:
            out.append(
                f"read as IOB1 (as the original CoNLL-2003 files are tagged): {self.iob1} "
                "I- tag(s) began a span"
            )
        if self.bioes:
            out.append(f"read as BIOES: {self.bioes} E-/S- (or L-/U-) tag(s)")
        if self.unended:
            out.append(f"{self.unended} BIOES span(s) without an E- tag ended where the next began")
        if self.label_studio:
            out.append(
                "read as Label Studio's CONLL2003 export: each block (one annotation of a task) "
                "as an article; the file keeps neither the tasks' white space (tokens are joined "
                "by spaces) nor who annotated"
            )
        if self.empty:
            out.append(f"{self.empty} article(s) without tokens were skipped")
        return out


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


_TAG_KINDS = {"B": "B", "I": "I", "E": "E", "S": "S", "L": "E", "U": "S"}


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
    tally = _FileTally()
    doc = _Doc(None)
    label_studio = False  # Label Studio's CONLL2003 export: one block per task, no DOCSTART each
    for number, raw_line in enumerate(_lines(text), start=1):
        line = raw_line.removesuffix("\r")
        fields = line.split()
        if not fields:
            if label_studio and not doc.empty:
                yield from _finish(doc, tally)
                doc = _Doc(number + 1, implicit=True)
                tally.label_studio += 1
            elif doc.sentences[-1]:
                doc.sentences.append([])
            continue
        if fields[0] == DOCSTART:
            if fields == [DOCSTART, "-X-", "O"] and doc.empty:
                label_studio = True  # its first line, exactly as label_studio_sdk writes it
            yield from _finish(doc, tally)
            doc = _Doc(number)
            continue
        if label_studio and len(fields) >= 4 and fields[1:3] == ["-X-", "_"]:
            # "{token} -X- _ {tag}": a tag may hold spaces ("B-Direct quote")
            fields = [fields[0], " ".join(fields[3:])]
        if len(fields) < 2:
            doc.errors.append((number, f"expected TOKEN<TAB>TAG, got {_short(line)}"))
            continue
        tag = fields[-1]
        if tag != "O" and not (tag[:2] in ("B-", "I-", "E-", "S-", "L-", "U-") and len(tag) > 2):
            doc.errors.append(
                (number, f"tag {tag!r} is not O or B-/I-/E-/S-LABEL (IOB1, IOB2 or BIOES)")
            )
            continue
        doc.sentences[-1].append((fields[0], tag, number, " ".join(fields[1:-1])))
    yield from _finish(doc, tally)
    if on_note is not None:
        for note in tally.notes():
            on_note(None, note)


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` split at LF, one at a time: a list of them all would take many
    times the memory of the text."""
    start = 0
    while (end := text.find("\n", start)) != -1:
        yield text[start:end]
        start = end + 1
    yield text[start:]


def _finish(doc: _Doc, tally: _FileTally) -> Iterator[ArticleRecord | RecordError]:
    if doc.errors:
        for line, message in doc.errors:
            where = f" (article starting at line {doc.line})" if doc.line is not None else ""
            yield RecordError(line, message + where + "; the article was not imported")
        return
    if doc.empty:
        tally.empty += doc.line is not None and not doc.implicit
        return
    pieces: list[str] = []
    spans: list[SpanRecord] = []
    columns: list[str] = []
    offset = 0
    iob1 = bioes = 0
    for s, sentence in enumerate(token for token in doc.sentences if token):
        if s:
            pieces.append("\n")
            offset += 1
        open_span: tuple[int, int, str] | None = None  # (start, end, label)
        for k, (token, tag, _number, extra) in enumerate(sentence):
            if k:
                pieces.append(" ")
                offset += 1
            start, end = offset, offset + len(token)
            pieces.append(token)
            columns.append(extra)
            offset = end
            kind, label = _TAG_KINDS.get(tag[0], "O"), label_of_tag(tag[2:])
            if kind in ("E", "S"):
                bioes += 1
            if kind in ("I", "E") and open_span is not None and open_span[2] == label:
                open_span = (open_span[0], end, label)
                if kind == "E":
                    spans.append(SpanRecord(*open_span))
                    open_span = None
                continue
            if open_span is not None:
                spans.append(SpanRecord(*open_span))
                if bioes:
                    tally.unended += 1
                open_span = None
            if kind == "I":
                iob1 += 1
            if kind in ("S", "E"):
                spans.append(SpanRecord(start, end, label))
            elif kind in ("B", "I"):
                open_span = (start, end, label)
        if open_span is not None:  # a span never runs into the next sentence
            spans.append(SpanRecord(*open_span))
    tally.iob1 += iob1
    tally.bioes += bioes
    text = "".join(pieces)
    problem = text_problem(text)
    if problem is not None:
        yield RecordError(doc.line, problem)
        return
    scheme = "BIOES" if bioes else "IOB1" if iob1 else "IOB2"
    info: dict[str, Any] = {"scheme": scheme}
    if any(columns):
        info["columns"] = columns
    yield ArticleRecord(
        ArticleDraft(text=text, title=title_from_text(text), meta={META_KEY: info}),
        doc.line,
        tuple(spans),
    )


def _short(text: str) -> str:
    shown = repr(text)
    return shown if len(shown) <= 60 else shown[:57] + "..."
