"""Reading CoNLL files: documents, sentences and token lines with their tags, in any of the
schemes (see :mod:`annotator.formats.conll`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.model import ArticleDraft

# The reader's notion of one user-perceived character; tokens must agree with it.
from annotator.formats.conll.tags import label_of_tag
from annotator.formats.conll.text import DOCSTART, META_KEY, NoteCallback, _short
from annotator.formats.decode import DecodeError, decode_bytes
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
