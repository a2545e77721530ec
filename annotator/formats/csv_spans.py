"""CSV of spans: one row per span, for spreadsheets; re-imports onto articles already present.

Columns, in order: ``article_id, content_hash, title, span, label, start, end, text, annotator,
note, attributes, relations``. ``span`` numbers an article's spans from 0; ``attributes`` is a
JSON object; ``relations`` is a JSON list of the relations this span is the head of, as
``{"child": span number, "label": type, "annotator": name}``. Offsets are code points.

A CSV cannot carry article text, so the reader attaches each article's rows to the article in
the project with that ``content_hash`` (import the JSONL export, or the original files, first)
and checks every row's ``text`` against the stored text. Articles without spans have no row.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from annotator.core.model import DEFAULT_RELATION_TYPE, Label
from annotator.formats.csv_articles import read_csv_path
from annotator.formats.csv_safety import UTF8_BOM, is_formula_like, neutralise, restore
from annotator.formats.decode import DecodeError, bom_encoding, decode_bytes
from annotator.formats.export import ExportDoc, ExportReport, atomic_file
from annotator.formats.jsonl_export import dumps
from annotator.formats.label_sets import read_label_set
from annotator.formats.limits import CsvRecords, TooLarge, load_json
from annotator.formats.records import (
    AnnotationRecord,
    InvalidRecord,
    ReadOptions,
    ReadResult,
    RecordError,
    RelationRecord,
    SpanRecord,
    decoded_file,
)

COLUMNS: tuple[str, ...] = (
    "article_id",
    "content_hash",
    "title",
    "span",
    "label",
    "start",
    "end",
    "text",
    "annotator",
    "note",
    "attributes",
    "relations",
)
_REQUIRED = ("content_hash", "start", "end", "label")


def write_csv_spans(
    docs: Iterable[ExportDoc],
    out: Path,
    *,
    labels: Sequence[Label] = (),
    raw: bool = False,
    bom: bool = False,
) -> ExportReport:
    """Write the span table. Text cells a spreadsheet would run as a formula are neutralised
    (:mod:`annotator.formats.csv_safety`) unless ``raw``; ``bom`` starts the file with a UTF-8
    byte-order mark, which Excel needs to read UTF-8."""
    report = ExportReport("csv")
    without_spans = 0
    safe = (lambda value: value) if raw else neutralise
    neutralised = 0
    with atomic_file(out, newline="") as fh:
        if bom:
            fh.write(UTF8_BOM)
        writer = csv.writer(fh, lineterminator="\r\n")  # RFC 4180 record ends
        writer.writerow(COLUMNS)
        for doc in docs:
            report.articles += 1
            if not doc.spans:
                without_spans += 1
            heads: dict[int, list[dict[str, Any]]] = {}
            for r in doc.relations:
                heads.setdefault(r.head, []).append(
                    {"child": r.child, "label": r.type, "annotator": r.annotator}
                )
            article = doc.article
            for i, span in enumerate(doc.spans):
                cells = (article.title, span.label, span.text, span.annotator, span.note)
                neutralised += sum(1 for cell in cells if is_formula_like(cell))
                writer.writerow(
                    (
                        article.id,
                        article.content_hash,
                        safe(article.title),
                        i,
                        safe(span.label),
                        span.start,
                        span.end,
                        safe(span.text),
                        safe(span.annotator),
                        safe(span.note),
                        dumps(span.attributes),
                        dumps(heads.get(i, [])),
                    )
                )
            report.spans += len(doc.spans)
            report.relations += len(doc.relations)
    report.files.append(out)
    report.lose(
        report.articles,
        "article text(s) and metadata not written (CSV rows name their article by content "
        "hash; re-import them onto a project that already holds those articles)",
    )
    report.lose(without_spans, "article(s) without spans have no row at all")
    if neutralised and not raw:
        # Not a loss (re-import restores them), but said: a reader other than this app sees them.
        report.notes.append(
            f"{neutralised} cell(s) starting with = + - @ TAB or CR were written with a leading "
            "apostrophe so spreadsheets show them as text, not run them as formulas (--csv-raw "
            "writes them as they are; re-importing restores them)"
        )
    return report


# ------------------------------------------------------------------------------------ reading
def is_span_table(data: bytes, *, encoding: str | None = None) -> bool:
    """Whether a CSV file's header is that of a span export (see :data:`COLUMNS`)."""
    head = data[:4096].split(b"\n", 1)[0]
    try:
        first = decode_bytes(head, encoding=encoding)
    except DecodeError:
        return False
    try:
        header = next(csv.reader([first]), [])
    except csv.Error:  # a CR inside the line (old Mac line ends): not a span export's header
        return False
    columns = {c.strip().casefold() for c in header}
    return all(name in columns for name in _REQUIRED) and "text" in columns


def read_csv_file(path: Path, options: ReadOptions) -> ReadResult:
    """The registry's reader: a span table (streamed), or else an ordinary CSV of articles."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        yield RecordError(None, f"cannot be read: {exc.strerror or exc}")
        return
    if is_span_table(head, encoding=options.encoding):
        yield from read_csv_spans_path(path, encoding=options.encoding)
    else:
        yield from read_label_set(path)
        yield from read_csv_path(
            path, text_column=options.csv_text_column, encoding=options.encoding
        )


def read_csv_spans_path(path: Path, *, encoding: str | None = None) -> ReadResult:
    """:func:`read_csv_spans` over a file, a record at a time, so memory stays flat.

    The file is UTF-8 unless a BOM or ``encoding`` says otherwise; bytes that do not decode stop
    the reading there, with an error naming the line.
    """
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield RecordError(None, f"cannot be read: {exc.strerror or exc}")
        return
    with fh:
        named = encoding or bom_encoding(fh.read(4)) or "utf-8"
        fh.seek(0)
        if named.replace("_", "-").lower() in ("utf-8", "utf8"):
            named = "utf-8-sig"
        try:
            stream = io.TextIOWrapper(fh, encoding=named, newline="")
        except LookupError:
            yield RecordError(None, f"unknown encoding {named!r}")
            return
        yield from _read_rows(stream, named)


def read_csv_spans(data: bytes, *, encoding: str | None = None) -> ReadResult:
    """Yield one :class:`AnnotationRecord` per article's rows, or why they cannot be imported.

    An article's rows are read together (the export writes them one after another); a bad row
    rejects its whole article, since relations number the article's spans. Errors name the
    row's line.
    """
    content = decoded_file(data, encoding)
    if isinstance(content, RecordError):
        yield content
        return
    yield from _read_rows(io.StringIO(content, newline=""), encoding or "utf-8")


def _read_rows(stream: TextIO, encoding: str) -> ReadResult:
    records = CsvRecords(stream)
    try:
        _, header = next(records)
    except StopIteration:
        yield RecordError(None, "file is empty")
        return
    except csv.Error as exc:
        yield RecordError(1, f"the header row is not valid CSV: {exc}")
        return
    except UnicodeDecodeError as exc:
        yield RecordError(1, f"is not valid {encoding} ({exc.reason}); try --encoding")
        return
    except TooLarge as exc:
        yield RecordError(1, f"the header row: {exc.message}")
        return
    if isinstance(header, TooLarge):
        yield RecordError(1, f"the header row: {header.message}")
        return
    index = {name.strip().casefold(): i for i, name in enumerate(header)}
    group: list[tuple[int, dict[str, str]]] = []
    digest = ""
    while True:
        try:
            start_line, row = next(records)
        except StopIteration:
            break
        except csv.Error as exc:
            yield RecordError(
                None, f"stopped reading at line {records.start}: malformed CSV ({exc})"
            )
            break
        except UnicodeDecodeError as exc:
            yield RecordError(
                records.start, f"is not valid {encoding} ({exc.reason}); the rest was not read"
            )
            break
        except TooLarge as exc:
            yield RecordError(exc.line, exc.message)
            break
        if isinstance(row, TooLarge):
            # A span too large to read: its article's other rows are still checked and written.
            yield RecordError(start_line, row.message)
            continue
        if not any(cell.strip() for cell in row):
            continue
        cells = {name: row[i] if i < len(row) else "" for name, i in index.items()}
        row_digest = cells.get("content_hash", "").strip()
        if group and row_digest != digest:
            yield _group_record(digest, group)
            group = []
        digest = row_digest
        group.append((start_line, cells))
    if group:
        yield _group_record(digest, group)


def _group_record(
    digest: str, rows: list[tuple[int, dict[str, str]]]
) -> AnnotationRecord | RecordError:
    try:
        return _article_rows(digest, rows)
    except _RowError as exc:
        return RecordError(exc.line, exc.message)


class _RowError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _article_rows(digest: str, rows: list[tuple[int, dict[str, str]]]) -> AnnotationRecord:
    first_line = rows[0][0]
    if not digest:
        raise _RowError(first_line, "'content_hash' is empty")
    spans: list[SpanRecord] = []
    texts: list[str] = []
    numbers: dict[int, int] = {}  # the 'span' column's number -> position in spans
    pending: list[tuple[int, int, Any]] = []  # (line, head position, relations cell)
    for line, cells in rows:
        try:
            start, end = _whole(cells, "start"), _whole(cells, "end")
            if start < 0 or start >= end:
                raise InvalidRecord(f"start {start} is not before end {end} (or negative)")
            label = restore(cells.get("label", "").strip())
            if not label:
                raise InvalidRecord("'label' is empty")
            attributes = _json_cell(cells, "attributes", {})
            if not isinstance(attributes, dict) or not all(
                isinstance(v, str) for v in attributes.values()
            ):
                raise InvalidRecord("'attributes' must be a JSON object of strings")
            number = _whole(cells, "span") if cells.get("span", "").strip() else len(spans)
            if number in numbers:
                raise InvalidRecord(f"span number {number} appears twice for this article")
            pending.append((line, len(spans), _json_cell(cells, "relations", [])))
        except InvalidRecord as exc:
            raise _RowError(line, str(exc)) from None
        numbers[number] = len(spans)
        spans.append(
            SpanRecord(
                start,
                end,
                label,
                annotator=restore(cells.get("annotator", "").strip()),
                note=restore(cells.get("note", "")),
                attributes=attributes,
            )
        )
        texts.append(restore(cells.get("text", "")))
    relations: list[RelationRecord] = []
    for line, head, cell in pending:
        if not isinstance(cell, list):
            raise _RowError(line, "'relations' must be a JSON list")
        for item in cell:
            child = item.get("child") if isinstance(item, dict) else None
            if not isinstance(child, int) or isinstance(child, bool) or child not in numbers:
                raise _RowError(
                    line,
                    f"relation target {child!r} is not the span number of another row of this "
                    "article (keep an article's rows together)",
                )
            if numbers[child] == head:
                raise _RowError(line, "a span cannot be linked to itself")
            rel_type = item.get("label") or DEFAULT_RELATION_TYPE
            annotator = item.get("annotator") or ""
            if not isinstance(rel_type, str) or not isinstance(annotator, str):
                raise _RowError(line, "a relation's label and annotator must be strings")
            relations.append(RelationRecord(head, numbers[child], rel_type.strip(), annotator))
    return AnnotationRecord(digest, first_line, tuple(spans), tuple(relations), tuple(texts))


def _whole(cells: dict[str, str], name: str) -> int:
    value = cells.get(name, "").strip()
    try:
        return int(value)
    except ValueError:
        raise InvalidRecord(f"'{name}' must be a whole number, not {value!r}") from None


def _json_cell(cells: dict[str, str], name: str, default: Any) -> Any:
    value = cells.get(name, "").strip()
    if not value:
        return default
    try:
        return load_json(value)
    except json.JSONDecodeError as exc:
        raise InvalidRecord(f"'{name}' is not valid JSON: {exc.msg}") from None
    except TooLarge as exc:
        raise InvalidRecord(f"'{name}': {exc.message}") from None
