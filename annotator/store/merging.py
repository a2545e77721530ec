"""The reads and writes of merging a colleague's project file, in bulk and in order, so that a
file of millions of spans is merged in one pass without being held: the source's spans and
relations as cursors in id order, the target's spans of a few articles at a time, and new rows
written in batches with the ids SQLite would give them (one after the largest), inside the
caller's transaction."""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Collection, Iterator, Sequence
from typing import Any

from annotator.store.bulk_indexes import SpanIndexes
from annotator.store.errors import ProjectError
from annotator.store.project import Project
from annotator.store.rows import chunks

SourceSpanRow = tuple[int, int, int, int, int, str, str, str, str, str]
SourceRelationRow = tuple[int, int, int, int, str, str, str]
SpanKey = tuple[int, int, int, str]  # start, end, label id, annotator (within one article)


def source_span_rows(project: Project) -> Iterator[SourceSpanRow]:
    """``(id, article_id, start, end, label_id, annotator, note, attributes, created_at,
    updated_at)`` of every span, in id order, as a cursor."""
    return project.db.conn.execute(
        'SELECT id, article_id, start, "end", label_id, annotator, note, attributes,'
        " created_at, updated_at FROM spans ORDER BY id"
    )


def source_relation_rows(project: Project) -> sqlite3.Cursor:
    """``(id, article_id, head_id, child_id, type, annotator, created_at)`` of every
    relation, in id order, as a cursor."""
    return project.db.conn.execute(
        "SELECT id, article_id, head_id, child_id, type, annotator, created_at"
        " FROM relations ORDER BY id"
    )


def used_label_ids(project: Project) -> list[int]:
    """The label ids spans use, ascending."""
    rows = project.db.conn.execute("SELECT DISTINCT label_id FROM spans ORDER BY label_id")
    return [int(label_id) for (label_id,) in rows]


def span_articles(project: Project, span_ids: Collection[int]) -> dict[int, int]:
    """The article of each of these spans that exists."""
    found: dict[int, int] = {}
    conn = project.db.conn
    for chunk in chunks(sorted(set(span_ids))):
        rows = conn.execute(
            f"SELECT id, article_id FROM spans WHERE id IN ({', '.join('?' * len(chunk))})",
            chunk,
        )
        found.update((int(span_id), int(article_id)) for span_id, article_id in rows)
    return found


def relation_keys_of_heads(
    project: Project, head_ids: Collection[int]
) -> set[tuple[int, int, str]]:
    """``(head_id, child_id, type)`` of the relations whose head is one of these spans."""
    found: set[tuple[int, int, str]] = set()
    conn = project.db.conn
    for chunk in chunks(sorted(set(head_ids))):
        rows = conn.execute(
            "SELECT head_id, child_id, type FROM relations"
            f" WHERE head_id IN ({', '.join('?' * len(chunk))})",
            chunk,
        )
        found.update((int(h), int(c), str(t)) for h, c, t in rows)
    return found


def next_id(project: Project, table: str) -> int:
    """The id SQLite gives the next row of ``table`` (spans or relations)."""
    if table == "spans":
        sql = "SELECT max(id) FROM spans"
    elif table == "relations":
        sql = "SELECT max(id) FROM relations"
    else:
        raise ValueError(table)
    row = project.db.conn.execute(sql).fetchone()
    return int(row[0] or 0) + 1


def insert_relations(project: Project, rows: Sequence[Sequence[Any]]) -> None:
    """Insert relations given with their ids (values of ``INSERT_RELATION``); one whose spans
    are not both in its article is refused (nothing of the batch is inserted), since no export
    could carry it."""
    places = span_articles(project, [r[2] for r in rows] + [r[3] for r in rows])
    for _, article_id, head_id, child_id, *_ in rows:
        head, child = places.get(head_id), places.get(child_id)
        if head != article_id or child != article_id:
            raise ProjectError(
                project.path,
                f"a relation must link two spans of one article: spans {head_id} and "
                f"{child_id} are in articles {head} and {child}",
            )
    conn = project.db.conn
    # Bound into a bare temporary table first, then copied over in one statement: binding
    # straight into the indexed table costs several times as much (each execution seeks every
    # index afresh); the rows written are the same.
    conn.execute(_STAGE_RELATIONS)
    conn.execute(_CLEAR_STAGED_RELATIONS)
    conn.executemany(_STAGED_RELATION, rows)
    conn.execute(_COPY_STAGED_RELATIONS)
    conn.execute(_CLEAR_STAGED_RELATIONS)


_STAGE_SPANS = (
    "CREATE TEMP TABLE IF NOT EXISTS staged_spans(id INTEGER PRIMARY KEY, article_id, start,"
    ' "end", label_id, text, annotator, note, attributes, created_at, updated_at)'
)
_STAGED_SPAN = "INSERT INTO temp.staged_spans VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_COPY_STAGED_SPANS = (
    'INSERT INTO spans(id, article_id, start, "end", label_id, text, annotator, note,'
    ' attributes, created_at, updated_at) SELECT id, article_id, start, "end", label_id,'
    " text, annotator, note, attributes, created_at, updated_at FROM temp.staged_spans"
    " ORDER BY id"
)
_CLEAR_STAGED_SPANS = "DELETE FROM temp.staged_spans"
_STAGE_RELATIONS = (
    "CREATE TEMP TABLE IF NOT EXISTS staged_relations(id INTEGER PRIMARY KEY, article_id,"
    " head_id, child_id, type, annotator, created_at)"
)
_STAGED_RELATION = "INSERT INTO temp.staged_relations VALUES (?, ?, ?, ?, ?, ?, ?)"
_COPY_STAGED_RELATIONS = (
    "INSERT INTO relations(id, article_id, head_id, child_id, type, annotator, created_at)"
    " SELECT id, article_id, head_id, child_id, type, annotator, created_at"
    " FROM temp.staged_relations ORDER BY id"
)
_CLEAR_STAGED_RELATIONS = "DELETE FROM temp.staged_relations"


class ArticleTexts:
    """Texts of a project's articles, the last few kept (spans come article after article)."""

    def __init__(self, project: Project, keep: int = 64) -> None:
        self._conn = project.db.conn
        self._keep = keep
        self._texts: OrderedDict[int, str] = OrderedDict()

    def __getitem__(self, article_id: int) -> str:
        text = self._texts.get(article_id)
        if text is not None:
            self._texts.move_to_end(article_id)
            return text
        row = self._conn.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
        text = "" if row is None else str(row[0])
        self._texts[article_id] = text
        if len(self._texts) > self._keep:
            self._texts.popitem(last=False)
        return text


class SpanWriter:
    """New spans of some layers written in batches, and the spans those layers already hold,
    looked up an article at a time: ``(start, end, label_id, annotator) -> id`` (the lowest id
    when a layer holds a span twice), including the spans written so far."""

    def __init__(self, project: Project, annotators: Collection[str], keep: int = 256) -> None:
        self._conn = project.db.conn
        self._annotators = sorted(annotators)
        self._keep = keep
        self._known: OrderedDict[int, dict[SpanKey, int]] = OrderedDict()
        self._pending: list[tuple[Any, ...]] = []
        self._pending_articles: set[int] = set()
        self.first_id = self.next_id = next_id(project, "spans")
        self._indexes: SpanIndexes | None = None  # the span insert triggers, set aside

    def existing(self, article_id: int) -> dict[SpanKey, int]:
        known = self._known.get(article_id)
        if known is not None:
            self._known.move_to_end(article_id)
            return known
        if article_id in self._pending_articles:
            self.flush()  # read back what this merge wrote there before it was forgotten
        names = self._annotators
        rows = self._conn.execute(
            'SELECT start, "end", label_id, annotator, id FROM spans WHERE article_id = ?'
            f" AND annotator IN ({', '.join('?' * len(names))}) ORDER BY id DESC",
            [article_id, *names],
        )
        known = {(s, e, lb, ann): span_id for s, e, lb, ann, span_id in rows}
        self._known[article_id] = known
        if len(self._known) > self._keep:
            self._known.popitem(last=False)
        return known

    def add(
        self,
        known: dict[SpanKey, int],
        article_id: int,
        start: int,
        end: int,
        label_id: int,
        text: str,
        annotator: str,
        note: str,
        attributes: str,
        created_at: str,
        updated_at: str,
    ) -> int:
        """Write a span (in the next batch) and note it in ``known``, what :meth:`existing`
        gave for its article; return its id."""
        span_id = self.next_id
        self.next_id += 1
        known[(start, end, label_id, annotator)] = span_id
        self._pending.append(
            (
                span_id,
                article_id,
                start,
                end,
                label_id,
                text,
                annotator,
                note,
                attributes,
                created_at,
                updated_at,
            )
        )
        self._pending_articles.add(article_id)
        if len(self._pending) >= 5000:  # a batch the temporary table's cache holds
            self.flush()
        return span_id

    def flush(self) -> None:
        """Write the spans added so far (bound into a bare temporary table, then copied over
        in one statement, as :func:`insert_relations` does)."""
        if self._pending:
            conn = self._conn
            conn.execute(_STAGE_SPANS)
            conn.execute(_CLEAR_STAGED_SPANS)
            conn.executemany(_STAGED_SPAN, self._pending)
            if self._indexes is None:
                self._indexes = SpanIndexes(conn)
                self._indexes.set_aside()
            conn.execute(_COPY_STAGED_SPANS)
            self._indexes.fill(self._pending[0][0], self._pending[-1][0])
            conn.execute(_CLEAR_STAGED_SPANS)
            self._pending = []
            self._pending_articles = set()

    def finish(self) -> None:
        """Write the last batch and put back the span insert triggers (whose work each batch
        did at once, see :mod:`annotator.store.bulk_indexes`); call it before the merge's
        transaction ends."""
        self.flush()
        if self._indexes is not None:
            self._indexes.put_back()
            self._indexes = None
