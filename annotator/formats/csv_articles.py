"""CSV files of articles: a header row, one article per record, the text in a chosen column."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from annotator.core.model import ArticleDraft
from annotator.core.text import canonicalize
from annotator.formats.decode import (
    BINARY_MESSAGE,
    DecodeError,
    bom_encoding,
    decode_bytes,
    looks_binary,
)
from annotator.formats.limits import (
    MAX_WHOLE_FILE_BYTES,
    CsvRecords,
    TooLarge,
    read_rest,
    undecodable_at,
)
from annotator.formats.records import (
    ARTICLE_FIELDS,
    ArticleRecord,
    InvalidRecord,
    ReadResult,
    RecordError,
    decoded_file,
    field_value,
    text_problem,
    title_from_text,
)

_DELIMITERS = (",", ";", "\t")
_SNIFF_BYTES = 65536


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
            yield _article(row, line, len(columns), text_index, field_index, meta_index)
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
