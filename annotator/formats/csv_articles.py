"""CSV files of articles: a header row, one article per record, the text in a chosen column."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from annotator.core.model import ArticleDraft
from annotator.core.text import canonicalize
from annotator.formats.csv_safety import restore
from annotator.formats.decode import (
    BINARY_MESSAGE,
    DecodeError,
    bom_encoding,
    decode_bytes,
    looks_binary,
)
from annotator.formats.label_sets import read_label_set
from annotator.formats.limits import (
    MAX_WHOLE_FILE_BYTES,
    CsvRecords,
    TooLarge,
    load_json,
    read_rest,
    undecodable_at,
)
from annotator.formats.records import (
    ARTICLE_FIELDS,
    ArticleRecord,
    InvalidRecord,
    ReadOptions,
    ReadResult,
    RecordError,
    decoded_file,
    doc_label_values,
    field_value,
    text_problem,
    title_from_text,
)

_DELIMITERS = (",", ";", "\t")

# The columns of this app's article export (csv_article_export.py), before its document labels.
EXPORT_COLUMNS = (
    "article_id",
    "content_hash",
    "title",
    "source",
    "author",
    "url",
    "published",
    "status",
    "spans",
    "meta",
    "text",
)
BOOKKEEPING = ("article_id", "content_hash", "spans")
DOC_LABEL_PREFIX = "doc_labels."
VALUE_SEPARATOR = " | "
_SNIFF_BYTES = 65536


def read_csv_articles(path: Path, options: ReadOptions) -> ReadResult:
    """The registry's reader of ``csv-articles``: a CSV of articles (see :func:`read_csv_path`),
    with ``doc_labels.FIELD`` columns as document labels, after the label set beside it."""
    yield from read_label_set(path)
    yield from read_csv_path(path, text_column=options.csv_text_column, encoding=options.encoding)


def read_csv_path(
    path: Path, *, text_column: str = "text", encoding: str | None = None
) -> ReadResult:
    """:func:`read_csv` over a file, a record at a time when its encoding is known.

    The encoding is known when ``encoding`` or a BOM names it, or when the whole file is UTF-8
    (checked a chunk at a time before reading); such a file is read a record at a time, however
    large. A file in an encoding detected from its content is read whole, up to
    :data:`~annotator.formats.limits.MAX_WHOLE_FILE_BYTES`. See
    :func:`~annotator.formats.limits.csv_records` for the limits on lines and fields.
    """
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield RecordError(None, f"cannot be read: {exc.strerror or exc}")
        return
    with fh:
        try:
            head = fh.read(_SNIFF_BYTES)
            if len(head) < _SNIFF_BYTES and not head.strip():
                yield RecordError(None, "file is empty")
                return
            named = encoding or bom_encoding(head)
            if named is not None or b"\x00" not in head:
                fh.seek(0)
                try:
                    bad = undecodable_at(fh, named or "utf-8")
                except LookupError:
                    yield RecordError(None, f"unknown encoding {named!r}")
                    return
                if bad is not None and named is not None:
                    yield RecordError(None, f"is not valid {named} (byte {bad[0] + 1}: {bad[1]})")
                    return
                if bad is None:
                    codec = named or "utf-8"
                    head_text = codecs.getincrementaldecoder(codec)("replace").decode(head)
                    if looks_binary(head_text.lstrip("\ufeff")):
                        yield RecordError(None, BINARY_MESSAGE)
                        return
                    fh.seek(0)
                    stream = io.TextIOWrapper(fh, encoding=codec, newline="")
                    yield from _read_articles(
                        stream, head_text.lstrip("\ufeff"), text_column, codec
                    )
                    return
            # An encoding detected from the whole content: read whole, within a limit.
            fh.seek(0)
            data = read_rest(
                fh,
                MAX_WHOLE_FILE_BYTES,
                "CSV file not in UTF-8 (read whole to detect its encoding)",
                "save it as UTF-8 to import it a record at a time, whatever its size",
            )
        except TooLarge as exc:
            yield RecordError(None, exc.message)
            return
        except OSError as exc:
            yield RecordError(None, f"cannot be read: {exc.strerror or exc}")
            return
    yield from read_csv(data, text_column=text_column, encoding=encoding)


def read_csv(data: bytes, *, text_column: str = "text", encoding: str | None = None) -> ReadResult:
    """Yield each record's article, or why it cannot be imported (numbered by starting line)."""
    content = decoded_file(data, encoding)
    if isinstance(content, RecordError):
        yield content
        return
    yield from _read_articles(
        io.StringIO(content, newline=""), content[:_SNIFF_BYTES], text_column, encoding or ""
    )


def _read_articles(stream: TextIO, head: str, text_column: str, encoding: str) -> ReadResult:
    records = _records(stream, head)
    try:
        _, header = next(records)
    except StopIteration:
        yield RecordError(None, "file is empty")
        return
    except (csv.Error, UnicodeDecodeError) as exc:
        yield RecordError(1, f"the header row is not valid CSV: {exc}")
        return
    except TooLarge as exc:
        yield RecordError(1, f"the header row: {exc.message}")
        return
    if isinstance(header, TooLarge):
        yield RecordError(1, f"the header row: {header.message}")
        return
    columns = [name.strip() for name in header]
    text_index = _find_column(columns, text_column)
    if text_index is None:
        yield RecordError(
            None,
            f"has no column {text_column!r} for the article text; its columns are "
            + ", ".join(repr(c) for c in columns),
        )
        return
    field_index = {
        name: i
        for name in ARTICLE_FIELDS
        if (i := _find_column(columns, name)) is not None and i != text_index
    }
    # This app's article export: its bookkeeping columns are not metadata, its cells were
    # neutralised against spreadsheet formulas (restored here), its meta is one JSON column.
    ours = tuple(columns[: len(EXPORT_COLUMNS)]) == EXPORT_COLUMNS
    skipped = set(BOOKKEEPING) if ours else set()
    label_index = {
        columns[i][len(DOC_LABEL_PREFIX) :]: i
        for i in range(len(columns))
        if columns[i].startswith(DOC_LABEL_PREFIX) and columns[i] != DOC_LABEL_PREFIX
    }
    meta_index = {
        columns[i] or f"column {i + 1}": i
        for i in range(len(columns))
        if i != text_index
        and i not in field_index.values()
        and i not in label_index.values()
        and columns[i] not in skipped
    }
    seen_any = False
    line = 1
    while True:
        try:
            line, row = next(records)
        except StopIteration:
            break
        except csv.Error as exc:
            yield RecordError(
                None, f"stopped reading after the record on line {line}: malformed CSV ({exc})"
            )
            return
        except UnicodeDecodeError as exc:  # the file changed since its encoding was checked
            yield RecordError(
                None,
                f"stopped reading after the record on line {line}: not valid {encoding} "
                f"({exc.reason})",
            )
            return
        except TooLarge as exc:
            yield RecordError(exc.line, exc.message)
            return
        seen_any = True
        if isinstance(row, TooLarge):
            yield RecordError(line, row.message)
            continue
        try:
            record = _article(
                [restore(cell) for cell in row] if ours else row,
                line,
                len(columns),
                text_index,
                field_index,
                meta_index,
            )
            if ours:
                record = _with_meta(record)
            if label_index:
                record = _with_doc_labels(record, row, label_index, ours)
            yield record
        except InvalidRecord as exc:
            yield RecordError(line, str(exc))
    if not seen_any:
        yield RecordError(None, "has a header row but no records")


def _records(stream: TextIO, head: str) -> Iterator[tuple[int, list[str] | TooLarge]]:
    """Each non-blank record with the line it starts on; quoted fields may span lines. The
    delimiter is the one of , ; TAB the first line (in ``head``) has most of."""
    first_line = head.split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=first_line.count)
    if not first_line.count(delimiter):
        delimiter = ","
    for start, row in CsvRecords(stream, delimiter=delimiter):
        if isinstance(row, TooLarge) or (row and any(cell.strip() for cell in row)):
            yield start, row


def _find_column(columns: list[str], wanted: str) -> int | None:
    """The index of a column: its exact name, else a unique case-insensitive match."""
    if wanted in columns:
        return columns.index(wanted)
    folded = [i for i, name in enumerate(columns) if name.casefold() == wanted.strip().casefold()]
    return folded[0] if len(folded) == 1 else None


def _article(
    row: list[str],
    line: int,
    width: int,
    text_index: int,
    field_index: dict[str, int],
    meta_index: dict[str, int],
) -> ArticleRecord:
    if len(row) > width and any(cell.strip() for cell in row[width:]):
        raise InvalidRecord(f"has {len(row)} fields but the header names {width}")
    cells = row + [""] * (width - len(row))
    text = canonicalize(cells[text_index]).text
    problem = text_problem(text)
    if problem is not None:
        raise InvalidRecord(problem)
    fields = {name: field_value(name, cells[i]) for name, i in field_index.items()}
    return ArticleRecord(
        ArticleDraft(
            text=text,
            title=fields.get("title") or title_from_text(text),
            source=fields.get("source", ""),
            author=fields.get("author", ""),
            url=fields.get("url", ""),
            published=fields.get("published", ""),
            status=fields.get("status", "new"),
            meta={name: cells[i] for name, i in meta_index.items()},
        ),
        line,
    )


def _with_meta(record: ArticleRecord) -> ArticleRecord:
    """An exported article's ``meta`` column (a JSON object) as its metadata."""
    meta = dict(record.draft.meta)
    raw = meta.pop("meta", "") or "{}"
    try:
        parsed = load_json(raw)
    except (ValueError, TooLarge):
        parsed = None
    if not isinstance(parsed, dict):
        raise InvalidRecord(f"the 'meta' column is not a JSON object: {raw[:60]!r}")
    meta.update(parsed)
    return replace(record, draft=replace(record.draft, meta=meta))


def _with_doc_labels(
    record: ArticleRecord, row: list[str], label_index: dict[str, int], ours: bool
) -> ArticleRecord:
    """Document labels from the ``doc_labels.FIELD`` columns: values joined by `` | ``."""
    values: dict[str, list[str]] = {}
    for name, i in label_index.items():
        cell = row[i] if i < len(row) else ""
        cell = restore(cell) if ours else cell
        if cell.strip():
            values[name] = [v.strip() for v in cell.split(VALUE_SEPARATOR) if v.strip()]
    if not values:
        return record
    return replace(record, doc_labels=doc_label_values(values))


def csv_columns(path: Path, *, encoding: str | None = None) -> list[str]:
    """The header of a CSV file, so the user can pick the text column; [] if unreadable."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 20)  # the header is on the first lines; no need for the rest
        content = decode_bytes(head, encoding=encoding)
    except (OSError, DecodeError):
        return []
    try:
        _, header = next(_records(io.StringIO(content, newline=""), content))
    except (StopIteration, csv.Error, TooLarge):
        return []
    if isinstance(header, TooLarge):
        return []
    return [name.strip() for name in header]
