"""Apache Parquet: ``articles.parquet``, ``spans.parquet`` and ``relations.parquet`` in a folder.

Needs pyarrow (``pip install 'news-annotator[parquet]'``). Tables, all sorted by article:

- articles: ``article_id`` int64, ``title``, ``text``, ``source``, ``author``, ``url``,
  ``published``, ``status``, ``content_hash`` strings, ``meta`` map<string, string> (each
  value is JSON text: ``"Reuters"`` with its quotes, ``2024``, ``{...}``), ``doc_labels``
  map<string, list<string>> (document label field -> values; empty when none);
- spans: ``article_id`` int64, ``span`` int32 (the span's number within its article), ``start``,
  ``end`` int64 (code points), ``label``, ``text``, ``annotator``, ``note`` strings,
  ``attributes`` map<string, string>, ``created_at`` and ``updated_at`` (when the span was made
  and last changed: ISO 8601 text in UTC, as the project stores them);
- relations: ``article_id`` int64, ``head``, ``child`` int32 (span numbers), ``label``,
  ``annotator`` strings;
- labels and doc_fields: the project's label set in order, used or not, with each label's
  parent and attribute definitions, and its document label fields (see
  :mod:`annotator.formats.parquet_labels`); on import, what the project lacks is added.

No column is nullable but a definition's ``min`` and ``max``: every value is always there (an
empty string where a field is empty). Files of earlier versions, with ``meta`` as one JSON
string and without ``doc_labels``, are read too.

The writer flushes a row group every :data:`ROW_GROUP_ARTICLES` articles (sooner for long
texts, :data:`ROW_GROUP_TEXT`), so memory stays flat;
the reader walks the three files' row batches side by side in the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from annotator.core.model import Label
from annotator.formats.export import (
    ExportDoc,
    ExportError,
    ExportReport,
    LabelSchema,
    atomic_folder,
)
from annotator.formats.jsonl import parse_object
from annotator.formats.limits import TooLarge, load_json
from annotator.formats.parquet_labels import LABELS, read_label_tables, write_label_tables
from annotator.formats.records import (
    InvalidRecord,
    ReadOptions,
    ReadResult,
    RecordError,
)

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")

ROW_GROUP_ARTICLES = 512
ROW_GROUP_TEXT = 8_000_000  # characters of article text: long articles flush sooner
READ_BATCH_ROWS = 512
ARTICLES = "articles.parquet"
SPANS = "spans.parquet"
RELATIONS = "relations.parquet"
ARTICLE_COLUMNS = (
    "article_id",
    "title",
    "text",
    "source",
    "author",
    "url",
    "published",
    "status",
    "content_hash",
    "meta",
    "doc_labels",
)
SPAN_COLUMNS = (
    "article_id",
    "span",
    "start",
    "end",
    "label",
    "text",
    "annotator",
    "note",
    "attributes",
    "created_at",
    "updated_at",
)
RELATION_COLUMNS = ("article_id", "head", "child", "label", "annotator")


def _arrow() -> tuple[Any, Any]:
    """pyarrow and pyarrow.parquet, imported when first used: the format is an optional extra."""
    try:
        import pyarrow
        import pyarrow.parquet
    except ModuleNotFoundError as exc:
        raise ExportError(
            "the parquet format needs pyarrow; install it with "
            "pip install 'news-annotator[parquet]'"
        ) from exc
    return pyarrow, pyarrow.parquet


def schemas() -> tuple[Any, Any, Any]:
    """The Arrow schemas of the articles, spans and relations tables."""
    pa, _ = _arrow()
    text = pa.string()

    def schema(*fields: tuple[str, Any]) -> Any:
        return pa.schema([pa.field(name, kind, nullable=False) for name, kind in fields])

    articles = schema(
        ("article_id", pa.int64()),
        *[(name, text) for name in ARTICLE_COLUMNS[1:-2]],
        ("meta", pa.map_(text, text)),
        ("doc_labels", pa.map_(text, pa.list_(pa.field("item", text, nullable=False)))),
    )
    spans = schema(
        ("article_id", pa.int64()),
        ("span", pa.int32()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("label", text),
        ("text", text),
        ("annotator", text),
        ("note", text),
        ("attributes", pa.map_(text, text)),
        ("created_at", text),
        ("updated_at", text),
    )
    relations = schema(
        ("article_id", pa.int64()),
        ("head", pa.int32()),
        ("child", pa.int32()),
        ("label", text),
        ("annotator", text),
    )
    return articles, spans, relations


class _Columns:
    """Rows of one table gathered column by column until the next row group is written."""

    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self.columns: dict[str, list[Any]] = {name: [] for name in schema.names}

    def add(self, *values: Any) -> None:
        for name, value in zip(self.schema.names, values, strict=True):
            self.columns[name].append(value)

    def flush(self, writer: Any) -> None:
        if not self.columns[self.schema.names[0]]:
            return
        pa, _ = _arrow()
        writer.write_table(pa.Table.from_pydict(self.columns, schema=self.schema))
        for values in self.columns.values():
            values.clear()


def write_parquet(
    docs: Iterable[ExportDoc],
    out: Path,
    *,
    labels: Sequence[Label] = (),
    schema: LabelSchema | None = None,
) -> ExportReport:
    _, pq = _arrow()
    report = ExportReport("parquet")
    with atomic_folder(out) as folder:
        articles, spans, relations = (_Columns(schema) for schema in schemas())
        writers = [
            pq.ParquetWriter(folder / name, table.schema, compression="zstd")
            for name, table in ((ARTICLES, articles), (SPANS, spans), (RELATIONS, relations))
        ]
        try:
            pending = pending_text = 0
            for doc in docs:
                a = doc.article
                articles.add(
                    a.id,
                    a.title,
                    a.text,
                    a.source,
                    a.author,
                    a.url,
                    a.published,
                    a.status,
                    a.content_hash,
                    sorted(
                        (key, json.dumps(value, ensure_ascii=False, sort_keys=True))
                        for key, value in a.meta.items()
                    ),
                    [(name, list(values)) for name, values in doc.doc_labels.items()],
                )
                for i, s in enumerate(doc.spans):
                    spans.add(
                        a.id,
                        i,
                        s.start,
                        s.end,
                        s.label,
                        s.text,
                        s.annotator,
                        s.note,
                        sorted(s.attributes.items()),
                        s.created_at,
                        s.updated_at,
                    )
                for r in doc.relations:
                    relations.add(a.id, r.head, r.child, r.type, r.annotator)
                report.articles += 1
                report.spans += len(doc.spans)
                report.relations += len(doc.relations)
                pending += 1
                pending_text += len(a.text)
                if pending >= ROW_GROUP_ARTICLES or pending_text >= ROW_GROUP_TEXT:
                    for table, writer in zip((articles, spans, relations), writers, strict=True):
                        table.flush(writer)
                    pending = pending_text = 0
            for table, writer in zip((articles, spans, relations), writers, strict=True):
                table.flush(writer)
        finally:
            for writer in writers:
                writer.close()
        pa, _ = _arrow()
        tables = write_label_tables(pa, pq, folder, labels, schema or LabelSchema())
    report.files.extend(out / name for name in (ARTICLES, SPANS, RELATIONS))
    report.files.extend(out / path.name for path in tables)
    return report


# ------------------------------------------------------------------------------------ reading
def _rows(path: Path, columns: Sequence[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(1-based row number, row) of a Parquet file, read a batch at a time."""
    _, pq = _arrow()
    number = 0
    table = pq.ParquetFile(path, pre_buffer=False)
    present = set(table.schema_arrow.names)  # files of earlier versions lack the newer columns
    # One row group at a time, without read-ahead threads: memory stays near one row group.
    for batch in table.iter_batches(
        batch_size=READ_BATCH_ROWS, columns=[c for c in columns if c in present], use_threads=False
    ):
        for row in batch.to_pylist():
            number += 1
            yield number, row


class _Grouped:
    """Rows of a table that belong to one article after another, for a merge with articles."""

    def __init__(self, rows: Iterator[tuple[int, dict[str, Any]]], name: str) -> None:
        self._rows = rows
        self._name = name
        self._next: tuple[int, dict[str, Any]] | None = next(rows, None)
        self._last_id: int | None = None

    def take(self, article_id: int) -> list[tuple[int, dict[str, Any]]]:
        """The rows of this article; rows of articles missing from articles.parquet raise."""
        taken: list[tuple[int, dict[str, Any]]] = []
        while self._next is not None:
            number, row = self._next
            row_id = row.get("article_id")
            if not isinstance(row_id, int):
                raise _TableError(self._name, number, "'article_id' is missing")
            if self._last_id is not None and row_id < self._last_id:
                raise _TableError(
                    self._name, number, "rows are not sorted by article_id as the export writes"
                )
            if row_id > article_id:
                break
            if row_id < article_id:
                raise _TableError(self._name, number, f"article_id {row_id} is not in {ARTICLES}")
            self._last_id = row_id
            taken.append((number, row))
            self._next = next(self._rows, None)
        return taken

    def leftover(self) -> tuple[int, int] | None:
        if self._next is None:
            return None
        return self._next[0], self._next[1].get("article_id", -1)


class _TableError(Exception):
    def __init__(self, name: str, number: int, message: str) -> None:
        super().__init__(f"{name} row {number}: {message}")
        self.name = name
        self.number = number


def read_parquet(path: Path, options: ReadOptions) -> ReadResult:
    """Each article of an export folder (or of the folder holding a named articles.parquet)."""
    try:
        pa, pq = _arrow()
    except ExportError as exc:
        yield RecordError(None, str(exc))
        return
    folder = path if path.is_dir() else path.parent
    files = {name: folder / name for name in (ARTICLES, SPANS, RELATIONS, LABELS)}
    if not files[ARTICLES].is_file():
        yield RecordError(None, f"has no {ARTICLES}")
        return
    for name, file in files.items():
        target = file.resolve()
        if file.is_symlink() and not target.is_relative_to(folder.resolve()):
            yield RecordError(
                None, f"{name} is a symbolic link to {target}, outside {folder}; not followed"
            )
            return
    try:
        label_set = read_label_tables(pq, folder)
    except (OSError, pa.ArrowException) as exc:
        yield RecordError(None, f"cannot be read as Parquet: {exc}", files[LABELS])
        return
    if label_set is not None:
        yield label_set
    try:
        articles = _rows(files[ARTICLES], ARTICLE_COLUMNS)
        spans = _Grouped(
            _rows(files[SPANS], SPAN_COLUMNS) if files[SPANS].is_file() else iter(()), SPANS
        )
        relations = _Grouped(
            _rows(files[RELATIONS], RELATION_COLUMNS) if files[RELATIONS].is_file() else iter(()),
            RELATIONS,
        )
        last_id: int | None = None
        total = pq.ParquetFile(files[ARTICLES]).metadata.num_rows
        for number, row in articles:
            options.advance(number, total)
            article_id = row.get("article_id")
            if not isinstance(article_id, int) or (last_id is not None and article_id <= last_id):
                yield RecordError(
                    None,
                    f"row {number}: 'article_id' {article_id!r} is missing or not in ascending "
                    "order; nothing after it was read",
                    files[ARTICLES],
                )
                return
            last_id = article_id
            try:
                span_rows = spans.take(article_id)
                relation_rows = relations.take(article_id)
            except _TableError as exc:
                yield RecordError(None, f"{exc}; nothing after it was read", files[exc.name])
                return
            try:
                yield parse_object(_native(row, span_rows, relation_rows), number)
            except InvalidRecord as exc:
                yield RecordError(number, str(exc), files[ARTICLES])
        for name, grouped in ((SPANS, spans), (RELATIONS, relations)):
            left = grouped.leftover()
            if left is not None:
                yield RecordError(
                    left[0], f"article_id {left[1]} is not in {ARTICLES}", files[name]
                )
    except (OSError, pa.ArrowException) as exc:
        yield RecordError(None, f"cannot be read as Parquet: {exc}")


def _native(
    row: dict[str, Any],
    span_rows: list[tuple[int, dict[str, Any]]],
    relation_rows: list[tuple[int, dict[str, Any]]],
) -> dict[str, Any]:
    meta_value = row.get("meta")
    meta: object
    try:
        if isinstance(meta_value, list):  # map<string, JSON text>
            meta = {str(key): load_json(value) for key, value in meta_value}
        else:  # earlier files: one JSON object as a string
            meta = load_json(meta_value or "{}")
    except json.JSONDecodeError as exc:
        raise InvalidRecord(f"'meta' is not valid JSON: {exc.msg}") from None
    except TooLarge as exc:
        raise InvalidRecord(f"'meta': {exc.message}") from None
    if not isinstance(meta, dict):
        raise InvalidRecord("'meta' must hold a JSON object")
    native: dict[str, Any] = {
        key: row.get(key)
        for key in ("text", "title", "source", "author", "url", "published", "status")
    }
    native["meta"] = meta
    doc_labels = row.get("doc_labels")
    if isinstance(doc_labels, list) and doc_labels:  # map<string, list<string>>
        native["doc_labels"] = {str(name): values for name, values in doc_labels}
    numbers: dict[int, int] = {}
    spans: list[dict[str, Any]] = []
    for number, span in span_rows:
        key = span.get("span")
        if not isinstance(key, int) or key in numbers:
            raise InvalidRecord(f"{SPANS} row {number}: 'span' {key!r} is missing or repeated")
        numbers[key] = len(spans)
        spans.append(
            {
                "start": span.get("start"),
                "end": span.get("end"),
                "label": span.get("label"),
                "text": span.get("text") or None,  # never empty when written: not given
                "annotator": span.get("annotator"),
                "note": span.get("note"),
                "attributes": dict(span.get("attributes") or []),
                "created_at": span.get("created_at"),
                "updated_at": span.get("updated_at"),
            }
        )
    relations = []
    for number, rel in relation_rows:
        ends = []
        for key in ("head", "child"):
            ref = rel.get(key)
            if ref not in numbers:
                raise InvalidRecord(
                    f"{RELATIONS} row {number}: '{key}' {ref!r} is not a span of the article"
                )
            ends.append(numbers[ref])
        relations.append(
            {
                "head": ends[0],
                "child": ends[1],
                "label": rel.get("label"),
                "annotator": rel.get("annotator"),
            }
        )
    native["spans"] = spans
    native["relations"] = relations
    return native
