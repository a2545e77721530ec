"""Writing many articles with their spans and relations at once: what an import does.

:class:`BulkWriter` gathers articles, spans and relations from many records and writes them in
large batches across articles, with one ``executemany`` per table and batch, inside the
transaction the caller holds (an import is all or nothing, see
:func:`annotator.formats.importer.import_paths`). Nothing here opens a savepoint of its own, and
every row gets its id before it is written (the largest id plus one, as SQLite would give it
under the project's one-writer lock), so a record's relations can name its spans without a query.

Duplicates are still found: an article whose text is already in the project, or earlier in the
import, is not stored again, and only the spans and relations it does not have yet are added to
it; a span or relation given twice in one record is stored once. Attribute objects are encoded
to JSON once per distinct value (most spans have none). The full-text index is filled in bulk:
its per-row trigger is set aside for the transaction and the index gets each batch's articles in
one ``INSERT … SELECT``; the trigger is back in place before the caller commits, and a rollback
restores it together with everything else.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import NamedTuple, Protocol

from annotator.core.model import STATUSES, ArticleDraft
from annotator.core.text import content_hash, offsets_in_range
from annotator.store.bulk_indexes import SpanIndexes
from annotator.store.errors import ProjectError
from annotator.store.project import Project
from annotator.store.rows import now

# The search index's insert trigger as sqlite-utils' enable_fts() wrote it (migration 0001 in
# store/schema.py): set aside during a bulk write, and put back word for word.
_FTS_INSERT_TRIGGER = """CREATE TRIGGER "articles_ai" AFTER INSERT ON "articles" BEGIN
  INSERT INTO "articles_fts" (rowid, "title", "text") VALUES (new.rowid, new."title", new."text");
END"""

__all__ = ["BulkRelation", "BulkSpan", "BulkWriter", "RecordRefused", "Written"]


class BulkSpan(Protocol):
    """A span of a record: offsets into the article's stored text and a label name."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def label(self) -> str: ...
    @property
    def annotator(self) -> str: ...  # empty: the writer's default annotator
    @property
    def note(self) -> str: ...
    @property
    def attributes(self) -> Mapping[str, str]: ...


class BulkRelation(Protocol):
    """A relation between two spans of the same record, given by their indices."""

    @property
    def head(self) -> int: ...
    @property
    def child(self) -> int: ...
    @property
    def type(self) -> str: ...
    @property
    def annotator(self) -> str: ...  # empty: the head span's annotator, or the default


class Written(NamedTuple):
    """What one record became: its article's id, whether the article was new, how many of its
    spans and relations were new, how many of its spans were given twice (merged into the
    first: notes joined, attributes added) and how many were already stored with a note or
    attributes of their own in the file (not applied to the stored span)."""

    article_id: int
    added: bool
    spans_added: int
    relations_added: int
    merged: int = 0
    unapplied: int = 0


def _merged(
    note: str, attributes: Mapping[str, str], other_note: str, other: Mapping[str, str]
) -> tuple[str, dict[str, str]]:
    """A span's note and attributes with those of a duplicate added (no note is dropped; the
    first span's value wins a conflict, the other's is kept under "key (2)")."""
    if other_note and other_note != note:
        note = f"{note}\n\n{other_note}" if note else other_note
    combined = dict(other)
    combined.update(attributes)
    for key, value in other.items():
        if attributes.get(key, value) != value:
            combined[f"{key} (2)"] = value
    return note, combined


class RecordRefused(ProjectError):
    """A record that cannot be written as given; nothing of it was written, and the rest of
    the import can go on."""


class BulkWriter:
    """Writes records into the open transaction of ``project`` in batches across articles.

    Use it inside :meth:`Project.atomic` and call :meth:`finish` before the block ends (without
    it, the last batch is not written and the search index misses it). ``batch_size`` articles
    (or ``batch_rows`` spans and relations, whichever comes first) go to SQLite at a time: the
    memory a batch takes is bounded however large the import.
    """

    def __init__(
        self,
        project: Project,
        *,
        annotator: str,
        batch_size: int = 1000,
        batch_rows: int = 50_000,
    ) -> None:
        if batch_size < 1 or batch_rows < 1:
            raise ValueError("batch sizes must be at least 1")
        project.require_writable()
        if not project.db.conn.in_transaction:
            raise RuntimeError("a bulk write runs inside Project.atomic()")
        self._project = project
        self._conn: sqlite3.Connection = project.db.conn
        self._annotator = annotator
        self._batch_size = batch_size
        self._batch_rows = batch_rows
        self._stamp = now()
        conn = self._conn
        self._labels = {
            name: label_id for label_id, name in conn.execute("SELECT id, name FROM labels")
        }
        self._next_article, self._next_span, self._next_relation = conn.execute(
            "SELECT (SELECT coalesce(max(id), 0) + 1 FROM articles),"
            " (SELECT coalesce(max(id), 0) + 1 FROM spans),"
            " (SELECT coalesce(max(id), 0) + 1 FROM relations)"
        ).fetchone()
        self._encoded: dict[tuple[tuple[str, str], ...], str] = {}
        # The batch not yet written: rows, and the hashes of its new articles (so a second copy
        # of an article in the same batch is recognised before either is in the table).
        self._articles: list[tuple[object, ...]] = []
        self._spans: list[tuple[object, ...]] = []
        self._relations: list[tuple[object, ...]] = []
        self._pending: dict[str, int] = {}
        self._pending_texts: dict[int, str] = {}
        self._span_articles: set[int] = set()  # articles with spans in the batch
        self._touch: set[int] = set()  # stored articles that get their first spans
        self._first_new: int | None = None  # the lowest id of the batch's new articles
        self._fts_bulk: bool | None = None  # None: not decided before the first batch
        self._span_indexes: SpanIndexes | None = None  # set aside at the first batch of spans
        self._finished = False
        self.batches = 0  # batches written so far

    # ---------------------------------------------------------------------------- records
    def write(
        self,
        draft: ArticleDraft,
        spans: Sequence[BulkSpan] = (),
        relations: Sequence[BulkRelation] = (),
    ) -> Written:
        """Add an article with its spans and relations (or, when its text is already in the
        project or earlier in this import, the spans and relations it does not have yet)."""
        if self._finished:
            raise RuntimeError("the bulk write is finished")
        if draft.status not in STATUSES:
            raise self._error(f"unknown article status {draft.status!r}")
        text = draft.text
        if "\x00" in text:
            raise self._error("article text contains NUL characters")
        self._check(len(text), spans, relations)
        digest = content_hash(text)
        if digest in self._pending:
            self.flush()  # the copy in this batch must be in the table to be compared with
        row = self._conn.execute(
            "SELECT id FROM articles WHERE content_hash = ?", (digest,)
        ).fetchone()
        if row is not None:
            return self._write_annotations(row[0], text, spans, relations, added=False)
        article_id = self._next_article
        self._next_article += 1
        if self._first_new is None:
            self._first_new = article_id
        status = draft.status
        if spans and status == "new":
            status = "in progress"  # what its first span would make it (Project.add_span)
        self._articles.append(
            (
                article_id,
                draft.title,
                text,
                draft.source,
                draft.author,
                draft.url,
                draft.published,
                self._stamp,
                digest,
                status,
                json.dumps(draft.meta, ensure_ascii=False, sort_keys=True),
            )
        )
        self._pending[digest] = article_id
        self._pending_texts[article_id] = text
        written = self._write_annotations(article_id, text, spans, relations, added=True)
        self._maybe_flush()
        return written

    def write_annotations(
        self,
        article_id: int,
        text: str,
        spans: Sequence[BulkSpan],
        relations: Sequence[BulkRelation] = (),
    ) -> Written:
        """Add spans and relations to a stored article whose stored text is ``text``, skipping
        those it already has."""
        if self._finished:
            raise RuntimeError("the bulk write is finished")
        self._check(len(text), spans, relations)
        if article_id in self._pending_texts:
            self.flush()
        written = self._write_annotations(article_id, text, spans, relations, added=False)
        self._maybe_flush()
        return written

    def article_id_by_hash(self, digest: str) -> int | None:
        """The article with this content hash, stored or written earlier in this import."""
        if digest in self._pending:
            return self._pending[digest]
        row = self._conn.execute(
            "SELECT id FROM articles WHERE content_hash = ?", (digest,)
        ).fetchone()
        return None if row is None else int(row[0])

    def article_text(self, article_id: int) -> str | None:
        """The stored text of an article stored or written earlier in this import."""
        if article_id in self._pending_texts:
            return self._pending_texts[article_id]
        found = self._conn.execute(
            "SELECT text FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return None if found is None else str(found[0])

    def _check(
        self,
        length: int,
        spans: Sequence[BulkSpan],
        relations: Sequence[BulkRelation],
    ) -> None:
        """Refuse a record that cannot be written as given, before anything of it is."""
        first: dict[tuple[int, int, str, str], int] = {}  # a span given twice: its first index
        same: list[int] = []
        for i, span in enumerate(spans):
            start, end = span.start, span.end
            if not offsets_in_range(length, start, end):
                raise RecordRefused(
                    self._project.path,
                    f"span {i}: [{start}, {end}) is outside the article ({length} characters)"
                    " or empty",
                )
            if not span.label.strip():
                raise RecordRefused(self._project.path, f"span {i} has no label")
            key = (start, end, span.label, span.annotator or self._annotator)
            same.append(first.setdefault(key, i))
        for i, relation in enumerate(relations):
            head, child = relation.head, relation.child
            if not (0 <= head < len(spans) and 0 <= child < len(spans)):
                raise RecordRefused(
                    self._project.path, f"relation {i} names a span the record does not have"
                )
            if not relation.type.strip():
                raise RecordRefused(self._project.path, f"relation {i} needs a type")
            if same[head] == same[child]:
                raise RecordRefused(
                    self._project.path,
                    f"relation {i}: a span cannot be linked to itself (span {head} and span "
                    f"{child} are the same span)",
                )

    def _write_annotations(
        self,
        article_id: int,
        text: str,
        spans: Sequence[BulkSpan],
        relations: Sequence[BulkRelation],
        *,
        added: bool,
    ) -> Written:
        if not spans:
            return Written(article_id, added, 0, 0)
        conn = self._conn
        existing: dict[tuple[int, int, int, str], int] = {}
        if not added:
            if article_id in self._span_articles:
                self.flush()  # its spans of this batch must be in the table to be compared
            existing = {
                (start, end, label, who): span_id
                for start, end, label, who, span_id in conn.execute(
                    'SELECT start, "end", label_id, annotator, id FROM spans'
                    " WHERE article_id = ? ORDER BY id DESC",
                    (article_id,),
                )
            }
        labels = self._labels
        default = self._annotator
        stamp = self._stamp
        span_rows = self._spans
        ids: list[int] = []
        new_spans = merged = unapplied = 0
        fresh: dict[int, tuple[int, str, Mapping[str, str]]] = {}  # id -> row, note, attributes
        for span in spans:
            start, end = span.start, span.end
            label_id = labels.get(span.label)
            if label_id is None:
                label_id = labels[span.label] = self._project.ensure_label(span.label).id
            who = span.annotator or default
            key = (start, end, label_id, who)
            span_id = existing.get(key)
            if span_id is not None:
                if span_id in fresh:
                    row, note, attributes = fresh[span_id]
                    note, attributes = _merged(note, attributes, span.note, span.attributes)
                    fresh[span_id] = (row, note, attributes)
                    span_rows[row] = (
                        *span_rows[row][:7],
                        note,
                        self._encode(attributes),
                        *span_rows[row][9:],
                    )
                    merged += 1
                elif span.note or span.attributes:
                    unapplied += 1
            else:
                span_id = existing[key] = self._next_span
                self._next_span += 1
                new_spans += 1
                fresh[span_id] = (len(span_rows), span.note, span.attributes)
                span_rows.append(
                    (
                        span_id,
                        article_id,
                        start,
                        end,
                        label_id,
                        text[start:end],
                        who,
                        span.note,
                        self._encode(span.attributes),
                        getattr(span, "created_at", "") or stamp,
                        getattr(span, "updated_at", "") or getattr(span, "created_at", "") or stamp,
                    )
                )
            ids.append(span_id)
        if new_spans:
            self._span_articles.add(article_id)
            if not added:
                self._touch.add(article_id)
        if not relations:
            return Written(article_id, added, new_spans, 0, merged, unapplied)
        have: set[tuple[int, int, str]] = set()
        if not added:
            have = {
                (head, child, rel_type)
                for head, child, rel_type in conn.execute(
                    "SELECT head_id, child_id, type FROM relations"
                    " WHERE head_id IN (SELECT id FROM spans WHERE article_id = ?)",
                    (article_id,),
                )
            }
        new_relations = 0
        for relation in relations:
            head, child = ids[relation.head], ids[relation.child]
            rel_type = relation.type.strip()
            if (head, child, rel_type) in have:
                continue
            have.add((head, child, rel_type))
            who = relation.annotator or spans[relation.head].annotator or default
            self._relations.append(
                (self._next_relation, article_id, head, child, rel_type, who, stamp)
            )
            self._next_relation += 1
            new_relations += 1
        return Written(article_id, added, new_spans, new_relations, merged, unapplied)

    def _encode(self, attributes: Mapping[str, str]) -> str:
        if not attributes:
            return "{}"
        key = tuple(sorted(attributes.items()))
        encoded = self._encoded.get(key)
        if encoded is None:
            if len(self._encoded) > 10_000:
                self._encoded.clear()
            encoded = self._encoded[key] = json.dumps(dict(key), ensure_ascii=False)
        return encoded

    # ----------------------------------------------------------------------------- batches
    def _maybe_flush(self) -> None:
        if (
            len(self._articles) >= self._batch_size
            or len(self._spans) + len(self._relations) >= self._batch_rows
        ):
            self.flush()

    def flush(self) -> None:
        """Write the batch gathered so far (still inside the caller's transaction)."""
        if not (self._articles or self._spans or self._relations or self._touch):
            return
        conn = self._conn
        if self._articles:
            if self._fts_bulk is None:
                self._fts_bulk = self._set_fts_trigger_aside()
            conn.executemany(
                "INSERT INTO articles(id, title, text, source, author, url, published,"
                " imported_at, content_hash, status, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self._articles,
            )
            if self._fts_bulk:
                conn.execute(
                    "INSERT INTO articles_fts(rowid, title, text)"
                    " SELECT id, title, text FROM articles WHERE id BETWEEN ? AND ?",
                    (self._first_new, self._articles[-1][0]),
                )
        if self._spans:
            if self._span_indexes is None:
                self._span_indexes = SpanIndexes(conn)
                self._span_indexes.set_aside()
            conn.executemany(
                'INSERT INTO spans(id, article_id, start, "end", label_id, text, annotator, note,'
                " attributes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self._spans,
            )
            ids = [int(row[0]) for row in self._spans]  # type: ignore[call-overload]
            self._span_indexes.fill(min(ids), max(ids))
        if self._relations:
            conn.executemany(
                "INSERT INTO relations(id, article_id, head_id, child_id, type, annotator,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                self._relations,
            )
        if self._touch:
            conn.executemany(
                "UPDATE articles SET status = 'in progress' WHERE id = ? AND status = 'new'",
                [(article_id,) for article_id in sorted(self._touch)],
            )
        self._articles.clear()
        self._spans.clear()
        self._relations.clear()
        self._pending.clear()
        self._pending_texts.clear()
        self._span_articles.clear()
        self._touch.clear()
        self._first_new = None
        self.batches += 1

    def finish(self) -> None:
        """Write the last batch and put the search index's trigger back."""
        if self._finished:
            return
        self.flush()
        self._finished = True
        if self._fts_bulk:
            self._conn.execute(_FTS_INSERT_TRIGGER)
            self._fts_bulk = False
        if self._span_indexes is not None:
            self._span_indexes.put_back()

    def _set_fts_trigger_aside(self) -> bool:
        """Drop the search index's insert trigger for the transaction; False (and the trigger
        left as it is, filling the index row by row) when it is not the one this module knows
        how to put back."""
        row = self._conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'articles_ai'"
        ).fetchone()
        if row is None or row[0] != _FTS_INSERT_TRIGGER:
            return False
        self._conn.execute("DROP TRIGGER articles_ai")
        return True

    def _error(self, message: str) -> ProjectError:
        return ProjectError(self._project.path, message)
