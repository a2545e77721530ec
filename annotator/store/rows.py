"""Rows of the project's tables and the records they read as, in one place: the column lists,
the readers that turn a row into a :mod:`annotator.core.model` record (tolerating what a
colleague's damaged or hand-made file may hold), the values a record is written back with, and
the handle every repository shares."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlite_utils import Database

from annotator.core.model import Article, Label, Relation, Span
from annotator.store.errors import ProjectError, ReadOnlyError

SPAN_COLUMNS = (
    'id, article_id, start, "end", label_id, text, annotator, note, attributes, '
    "created_at, updated_at"
)
RELATION_COLUMNS = "id, article_id, head_id, child_id, type, annotator, created_at"
LABEL_COLUMNS = "id, name, color, hotkey, description, position"
ARTICLE_COLUMNS = (
    "id, title, text, source, author, url, published, imported_at, content_hash, status, meta"
)
# Literal strings (not f-strings over the column lists): tests read them as vetted SQL.
INSERT_SPAN = (
    'INSERT INTO spans(id, article_id, start, "end", label_id, text, annotator, note,'
    " attributes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_NEW_SPAN = (
    'INSERT INTO spans(article_id, start, "end", label_id, text, annotator, note,'
    " attributes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_RELATION = (
    "INSERT INTO relations(id, article_id, head_id, child_id, type, annotator, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)
INSERT_NEW_RELATION = (
    "INSERT INTO relations(article_id, head_id, child_id, type, annotator, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def json_object(raw: object) -> dict[str, Any]:
    """A JSON object stored by the app; {} when a (colleague's, untrusted) file holds garbage."""
    try:
        parsed = json.loads(raw) if isinstance(raw, str | bytes) and raw else {}
    except (ValueError, RecursionError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def string_dict(raw: object) -> dict[str, str]:
    """Span attributes: a JSON object of strings; {} for anything else."""
    return {str(key): str(value) for key, value in json_object(raw).items()}


def dumps(value: Any) -> str:
    """JSON as the store writes it: UTF-8 text as is, keys sorted (equal values, equal text)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def span_from_row(row: Sequence[Any]) -> Span:
    """A span from a row of :data:`SPAN_COLUMNS`."""
    return Span(
        id=row[0],
        article_id=row[1],
        start=row[2],
        end=row[3],
        label_id=row[4],
        text=str(row[5]),
        annotator=str(row[6]),
        note=str(row[7] or ""),
        attributes=string_dict(row[8]) if row[8] and row[8] != "{}" else {},
        created_at=str(row[9]),
        updated_at=str(row[10]),
    )


class SpanCopy(NamedTuple):
    """A span to insert as it was made elsewhere: annotator, note and timestamps kept."""

    article_id: int
    start: int
    end: int
    label_id: int
    text: str
    annotator: str
    note: str
    attributes: dict[str, str]
    created_at: str
    updated_at: str


def new_span_values(span: Span | SpanCopy) -> tuple[Any, ...]:
    """The values of :data:`INSERT_NEW_SPAN` (SQLite gives the id) that write ``span``."""
    return (
        span.article_id,
        span.start,
        span.end,
        span.label_id,
        span.text,
        span.annotator,
        span.note,
        dumps(span.attributes),
        span.created_at,
        span.updated_at,
    )


def span_values(span: Span) -> tuple[Any, ...]:
    """The values of :data:`INSERT_SPAN` that put ``span`` back as it was, id and all."""
    return (span.id, *new_span_values(span))


def relation_from_row(row: Sequence[Any]) -> Relation:
    return Relation(*row)


def relation_values(rel: Relation) -> tuple[Any, ...]:
    """The values of :data:`INSERT_RELATION` that put ``rel`` back as it was."""
    return (
        rel.id,
        rel.article_id,
        rel.head_id,
        rel.child_id,
        rel.type,
        rel.annotator,
        rel.created_at,
    )


def label_from_row(row: Sequence[Any]) -> Label:
    return Label(*row)


def article_from_row(row: Sequence[Any]) -> Article:
    values = list(row)
    values[-1] = json_object(values[-1]) if values[-1] else {}
    return Article(*values)


def chunks(items: Sequence[Any], size: int = 500) -> Iterable[list[Any]]:
    """``items`` in lists of at most ``size``: SQLite bounds the parameters of one statement."""
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


class Handle:
    """What the repositories of one open project share: its file's path (named in every
    error), its database and connection, and whether it may be written."""

    def __init__(self, path: Path, db: Database, *, read_only: bool) -> None:
        self.path = path
        self.db = db
        self.conn: sqlite3.Connection = db.conn
        self.read_only = read_only
        self.read_only_reason: str | None = None  # why, when a file asked for writing is not

    def writable(self) -> None:
        if self.read_only:
            raise ReadOnlyError(self.path, f"is {self.read_only_reason or 'open read-only'}.")

    def error(self, message: str) -> ProjectError:
        return ProjectError(self.path, message)
