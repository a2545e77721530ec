"""CSV files of articles: a header row, one article per record, the text in a chosen column."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from annotator.core.model import ArticleDraft
from annotator.core.text import canonicalize
from annotator.formats.decode import DecodeError, decode_bytes
from annotator.formats.records import (
    ARTICLE_FIELDS,
    ArticleRecord,
    InvalidRecord,
    ReadResult,
    RecordError,
    field_value,
    text_problem,
    title_from_text,
)

_DELIMITERS = (",", ";", "\t")
# Python's default limit (128 KiB per field) is smaller than a long article.
_FIELD_SIZE_LIMIT = 2**31 - 1


def read_csv(data: bytes, *, text_column: str = "text", encoding: str | None = None) -> ReadResult:
    """Yield each record's article, or why it cannot be imported (numbered by starting line)."""
    if not data.strip():
        yield RecordError(None, "file is empty")
        return
    try:
        content = decode_bytes(data, encoding=encoding)
    except DecodeError as exc:
        yield RecordError(None, exc.message)
        return
    if csv.field_size_limit() < _FIELD_SIZE_LIMIT:
        csv.field_size_limit(_FIELD_SIZE_LIMIT)
    records = _records(content)
    try:
        _, header = next(records)
    except StopIteration:
        yield RecordError(None, "file is empty")
        return
    except csv.Error as exc:
        yield RecordError(1, f"the header row is not valid CSV: {exc}")
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
    meta_index = {
        columns[i] or f"column {i + 1}": i
        for i in range(len(columns))
        if i != text_index and i not in field_index.values()
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
        seen_any = True
        try:
            yield _article(row, line, len(columns), text_index, field_index, meta_index)
        except InvalidRecord as exc:
            yield RecordError(line, str(exc))
    if not seen_any:
        yield RecordError(None, "has a header row but no records")


def _records(content: str) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank record with the line it starts on; quoted fields may span lines."""
    first_line = content.split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=first_line.count)
    if not first_line.count(delimiter):
        delimiter = ","
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    lines_read = 0
    for row in reader:
        start = lines_read + 1
        lines_read = reader.line_num
        if row and any(cell.strip() for cell in row):
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


def csv_columns(path: Path, *, encoding: str | None = None) -> list[str]:
    """The header of a CSV file, so the user can pick the text column; [] if unreadable."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 20)  # the header is on the first lines; no need for the rest
        content = decode_bytes(head, encoding=encoding)
    except (OSError, DecodeError):
        return []
    if csv.field_size_limit() < _FIELD_SIZE_LIMIT:
        csv.field_size_limit(_FIELD_SIZE_LIMIT)
    try:
        _, header = next(_records(content))
    except (StopIteration, csv.Error):
        return []
    return [name.strip() for name in header]
