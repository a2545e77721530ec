"""What the format readers hand the importer: parsed articles with their spans, or problems."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from annotator.core.model import STATUSES, ArticleDraft, LabelSpec
from annotator.core.schema import AttributeDef, DocField
from annotator.formats.decode import DecodeError, decode_bytes
from annotator.formats.limits import (
    MAX_ARTICLE_BYTES,
    MAX_WHOLE_FILE_BYTES,
    TooLarge,
    article_too_large,
    read_bounded,
)

TITLE_MAX = 200  # characters; a title taken from a text's first line is cut to this length
ARTICLE_FIELDS = ("title", "source", "author", "url", "published", "status")


@dataclass(frozen=True, slots=True)
class Rejection:
    """A record that was not imported, with where it came from and why."""

    path: Path
    line: int | None  # 1-based line (or CSV record) number; None for a whole-file problem
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else str(self.path)
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class SpanRecord:
    """A span to import; its offsets are already offsets into the article's stored text."""

    start: int
    end: int
    label: str
    annotator: str = ""  # empty: the importing analyst's name is used
    note: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    # When the span was made and last changed (ISO 8601, UTC); empty: the import's time.
    created_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True, slots=True)
class RelationRecord:
    """A relation between two spans of the same record, given by their indices in its spans."""

    head: int
    child: int
    type: str
    annotator: str = ""


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """One article read from a file, checked and ready to be written."""

    draft: ArticleDraft
    line: int | None = None
    spans: tuple[SpanRecord, ...] = ()
    relations: tuple[RelationRecord, ...] = ()
    # What was imported differently from the file (offsets converted, a default relation type
    # supplied ...): reported as notes at the record's line, never dropped silently.
    notes: tuple[str, ...] = ()
    # Document-level labels: (field name, values) pairs, checked against the project's fields
    # when the record is written.
    doc_labels: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class RecordError:
    """A record (or, with ``line`` None, a whole file) that cannot be imported.

    ``path`` names the file the record is in when a reader reads several (a folder format such as
    brat or parquet); None means the path the reader was given.
    """

    line: int | None
    message: str
    path: Path | None = None


@dataclass(frozen=True, slots=True)
class AnnotationRecord:
    """Spans (and relations) for an article already in the project, found by its content hash.

    Formats that cannot carry article text (a CSV of spans) yield these; the importer rejects one
    whose article the project does not hold.
    """

    content_hash: str
    line: int | None = None
    spans: tuple[SpanRecord, ...] = ()
    relations: tuple[RelationRecord, ...] = ()
    span_texts: tuple[str, ...] = ()  # the covered text of each span, checked on import


@dataclass(frozen=True, slots=True)
class LabelSetRecord:
    """The label set a file declares (a JSONL header, a Parquet labels table, a Label Studio
    config): labels the project lacks are created with these colours, hotkeys and descriptions
    before any span uses them; labels it has keep their own."""

    labels: tuple[LabelSpec, ...]
    line: int | None = None
    # Document label fields the file defines (a Label Studio config's Choices, Number and
    # TextArea controls): created where the project lacks them, kept where it has them.
    doc_fields: tuple[DocField, ...] = ()
    # Attribute definitions of the file's labels (label name -> definitions): given to a label
    # that has none in the project. Label hierarchy (label name -> parent's name): given to
    # the labels the import creates.
    attributes: dict[str, tuple[AttributeDef, ...]] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """Options every format reader receives (most use only ``encoding``)."""

    encoding: str | None = None
    csv_text_column: str = "text"
    # Told of things a reader imported differently from the file (not rejections): e.g. a
    # discontinuous brat span imported as one span. Called as on_note(path, line, message).
    on_note: Callable[[Path, int | None, str], None] | None = None
    # Told how far the reader is within the one file or folder it reads, as (done, total) in
    # its own unit: bytes of a streamed file, records of one read whole, files of a folder.
    progress: Callable[[int, int], None] | None = None

    def advance(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(done, total)


ReadResult = Iterator[ArticleRecord | AnnotationRecord | RecordError | LabelSetRecord]


class InvalidRecord(ValueError):
    """Raised while parsing one record; the reader turns it into a :class:`RecordError`."""


def title_from_text(text: str) -> str:
    """The first non-empty line of a text, stripped and cut to a sensible length."""
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            return stripped if len(stripped) <= TITLE_MAX else stripped[: TITLE_MAX - 1] + "…"
    return ""


def text_problem(text: str) -> str | None:
    """Why a canonical text (no NULs, see canonicalize()) cannot be stored, or None if it can:
    empty, not encodable, or above the size limit of an article (see :mod:`limits`)."""
    if len(text) > MAX_ARTICLE_BYTES:  # at least a byte per character: too large, however read
        return article_too_large(len(text.encode("utf-8", "surrogatepass")))
    if not text.strip():
        return "text is empty"
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        return f"text contains an unpaired surrogate at character {exc.start}"
    return article_too_large(size)


def doc_label_values(value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``"doc_labels": {"FIELD": [VALUE, ...]}`` as (field, values) pairs; raises
    :class:`InvalidRecord`. A lone value stands for a list of one; numbers become strings."""
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise InvalidRecord(f"'doc_labels' must be an object, not {type(value).__name__}")
    pairs: list[tuple[str, tuple[str, ...]]] = []
    for name, items in value.items():
        if not isinstance(name, str) or not name.strip():
            raise InvalidRecord("'doc_labels' has a field with an empty name")
        listed = items if isinstance(items, list) else [items]
        values: list[str] = []
        for item in listed:
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                raise InvalidRecord(
                    f"doc label {name!r}: values must be strings or numbers, "
                    f"not {type(item).__name__}"
                )
            values.append(item if isinstance(item, str) else str(item))
        pairs.append((name.strip(), tuple(values)))
    return tuple(pairs)


def field_value(name: str, value: Any) -> str:
    """A recognised article field as a string; raises :class:`InvalidRecord` when it is not one."""
    if value is None:
        value = ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidRecord(f"{name} must be a string, not {type(value).__name__}")
    text = str(value).strip()
    if name == "status":
        text = text or "new"
        if text not in STATUSES:
            raise InvalidRecord(
                f"status {text!r} is not one of " + ", ".join(repr(s) for s in STATUSES)
            )
    return text


def decoded_file(data: bytes, encoding: str | None = None) -> str | RecordError:
    """The text of a file read whole, or why it has none: it is empty, or its bytes do not
    decode (see :func:`~annotator.formats.decode.decode_bytes`)."""
    if not data.strip():
        return RecordError(None, "file is empty")
    try:
        return decode_bytes(data, encoding=encoding)
    except DecodeError as exc:
        return RecordError(None, exc.message)


def read_whole_text(
    path: Path, what: str, advice: str = "", *, encoding: str | None = None
) -> str | RecordError:
    """The text of a file read whole (up to
    :data:`~annotator.formats.limits.MAX_WHOLE_FILE_BYTES`, ``what`` and ``advice`` saying so
    when it is larger), or why it cannot be read or decoded."""
    try:
        data = read_bounded(path, MAX_WHOLE_FILE_BYTES, what, advice)
        return decode_bytes(data, encoding=encoding)
    except TooLarge as exc:
        return RecordError(None, exc.message)
    except OSError as exc:
        return RecordError(None, f"cannot be read: {exc.strerror or exc}")
    except DecodeError as exc:
        return RecordError(None, exc.message)


def timestamp(value: Any, where: str) -> str:
    """A span's time as stored: ISO 8601 in UTC to the millisecond ("" when not given). A time
    without a zone counts as UTC; one that is no ISO 8601 time is refused."""
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        raise InvalidRecord(f"{where} must be an ISO 8601 time string, not {type(value).__name__}")
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidRecord(f"{where} {repr(value[:60])} is not an ISO 8601 time") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="milliseconds")
