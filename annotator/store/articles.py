"""Articles: adding them, reading one, and the article list (filters, sort orders, pages and
positions) over the full-text index."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from annotator.core.model import (
    STATUSES,
    SUGGESTION_ANNOTATOR,
    Article,
    ArticleDraft,
    ArticleSummary,
)
from annotator.core.text import content_hash
from annotator.store import summaries
from annotator.store.rows import ARTICLE_COLUMNS, Handle, article_from_row, chunks, dumps, now

# An article's span count leaves out the suggestions waiting for review: both counts are
# index lookups (spans_by_article, spans_by_annotator_article).
_SPAN_COUNT = (
    "((SELECT count(*) FROM spans s WHERE s.article_id = a.id)"
    f" - (SELECT count(*) FROM spans s WHERE s.annotator = '{SUGGESTION_ANNOTATOR}'"
    " AND s.article_id = a.id))"
)

# What the article list sorts by. The status, title and source expressions match indexes of
# migration 0002 (store/schema.py) word for word, and published that of migration 0004, so that
# sorting is an index scan.
ARTICLE_SORT_KEYS = {
    "id": "a.id",
    "title": "a.title COLLATE NOCASE",
    "source": "a.source COLLATE NOCASE",
    "published": "a.published",
    "status": "CASE a.status WHEN 'new' THEN 0 WHEN 'in progress' THEN 1 ELSE 2 END",
    "spans": _SPAN_COUNT,
    "length": "length(a.text)",
}

# An article (a, or the search index's f) holds a span of a label: one lookup in the table of
# the labels each article holds (migration 0009).
_HAS_LABEL = (
    "EXISTS (SELECT 1 FROM article_labels al WHERE al.article_id = a.id AND al.label_id = ?)"
)
_MATCH_HAS_LABEL = (
    "EXISTS (SELECT 1 FROM article_labels al WHERE al.article_id = f.rowid AND al.label_id = ?)"
)
_SUMMARY = (
    "SELECT a.id, a.title, a.source, a.status,"
    f" {_SPAN_COUNT}, length(a.text), a.published"
    " FROM articles a"
)

_NOT_SEARCHABLE = re.compile("[\x00\ud800-\udfff]")


def fts_query(search: str) -> str:
    """Turn what a user types into an FTS5 query: every word must occur, as a prefix."""
    # A NUL ends the query string inside FTS5 ("unterminated string") and a lone surrogate
    # cannot be encoded at all: both separate words instead.
    search = _NOT_SEARCHABLE.sub(" ", search)
    words = [w.replace('"', '""') for w in search.split() if w.strip()]
    return " ".join(f'"{w}"*' for w in words)


class ListArgs(TypedDict, total=False):
    """The keywords that choose and order the article list (see :class:`ArticleQuery`)."""

    order_by: str
    descending: bool
    search: str
    label_id: int | None


@dataclass(frozen=True, slots=True)
class ArticleQuery:
    """Which articles the list shows and in which order: declared once for counting, paging and
    finding a position (the methods take its fields as keywords, :class:`ListArgs`)."""

    order_by: str = "id"  # a key of ARTICLE_SORT_KEYS; anything else sorts by id
    descending: bool = False
    search: str = ""  # words that must all occur (as prefixes) in the title or text
    label_id: int | None = None  # only articles holding a span of this label

    @property
    def key(self) -> str:
        return ARTICLE_SORT_KEYS.get(self.order_by, "a.id")

    @property
    def by_label_summary(self) -> bool:
        """Whether the list is one label's articles in id or status order: then the table of
        the labels each article holds gives its pages and rows (store/summaries.py)."""
        return (
            self.label_id is not None
            and not self.search.strip()
            and self.order_by in ("id", "status")
        )

    @property
    def by_search_order(self) -> bool:
        """Whether the list is in id order of a search: then the search index gives it."""
        return bool(self.search.strip()) and self.key == "a.id"

    def where(self) -> tuple[str, list[Any]]:
        """The WHERE clause (over ``articles a``) of the articles the list shows."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.search.strip():
            # The unary + keeps SQLite walking the index of the ORDER BY and checking each
            # article against the matches, so a page comes without sorting every match.
            clauses.append("+a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
            params.append(fts_query(self.search))
        if self.label_id is not None:
            clauses.append(_HAS_LABEL)
            params.append(self.label_id)
        return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


class ArticleRepository:
    """The articles of one project."""

    def __init__(self, handle: Handle) -> None:
        self._h = handle
        # The article last read whole, (id, text): a stored text never changes, so spans added
        # to the article on screen take their covered text and its length from here instead of
        # SQLite scanning up to 10 MB of text for each.
        self.recent: tuple[int, str] | None = None

    def add(self, draft: ArticleDraft) -> tuple[int, bool]:
        """Store an article; return its id and whether it was new (False: same text already)."""
        h = self._h
        h.writable()
        if draft.status not in STATUSES:
            raise h.error(f"unknown article status {draft.status!r}")
        if "\x00" in draft.text:
            # SQLite's length() stops at a NUL, so spans after one could never be stored;
            # canonicalize() removes them.
            raise h.error("article text contains NUL characters")
        digest = content_hash(draft.text)
        existing = self.id_by_hash(digest)
        if existing is not None:
            return existing, False
        with h.db.atomic():
            cursor = h.conn.execute(
                "INSERT INTO articles(title, text, source, author, url, published, imported_at,"
                " content_hash, status, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    draft.title,
                    draft.text,
                    draft.source,
                    draft.author,
                    draft.url,
                    draft.published,
                    now(),
                    digest,
                    draft.status,
                    dumps(draft.meta),
                ),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid, True

    def get(self, article_id: int) -> Article:
        row = self._h.conn.execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            raise self._h.error(f"has no article {article_id}")
        article = article_from_row(row)
        self.recent = (article.id, article.text)
        return article

    def text(self, article_id: int) -> str:
        row = self._h.conn.execute(
            "SELECT text FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            raise self._h.error(f"has no article {article_id}")
        return str(row[0])

    def id_by_hash(self, digest: str) -> int | None:
        row = self._h.conn.execute(
            "SELECT id FROM articles WHERE content_hash = ?", (digest,)
        ).fetchone()
        return int(row[0]) if row else None

    def exists(self, article_id: int) -> bool:
        """Whether the project holds an article with this id (one index lookup)."""
        row = self._h.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row is not None

    def ids(self, *, status: str | None = None) -> list[int]:
        """Article ids in id order (ints only, never texts), of one status when given."""
        if status is None:
            rows = self._h.conn.execute("SELECT id FROM articles ORDER BY id")
        else:
            rows = self._h.conn.execute(
                "SELECT id FROM articles WHERE status = ? ORDER BY id", (status,)
            )
        return [int(row[0]) for row in rows]

    def set_status(self, article_id: int, status: str) -> str:
        """Set an article's status and return the previous one."""
        h = self._h
        h.writable()
        if status not in STATUSES:
            raise h.error(f"unknown article status {status!r}")
        old = self.summary(article_id).status
        with h.db.atomic():
            h.conn.execute("UPDATE articles SET status = ? WHERE id = ?", (status, article_id))
        return old

    def touch(self, article_id: int) -> None:
        """The first span on a new article moves it to 'in progress'."""
        self._h.conn.execute(
            "UPDATE articles SET status = 'in progress' WHERE id = ? AND status = 'new'",
            (article_id,),
        )

    # ------------------------------------------------------------------------- the list
    def summary(self, article_id: int) -> ArticleSummary:
        recent = self.recent
        if recent is not None and recent[0] == article_id:
            row = self._h.conn.execute(
                "SELECT a.id, a.title, a.source, a.status,"
                f" {_SPAN_COUNT} FROM articles a WHERE a.id = ?",
                (article_id,),
            ).fetchone()
            if row is not None:
                found, title, source, status, span_count = row
                return ArticleSummary(found, title, source, status, span_count, len(recent[1]))
        row = self._h.conn.execute(f"{_SUMMARY} WHERE a.id = ?", (article_id,)).fetchone()
        if row is None:
            raise self._h.error(f"has no article {article_id}")
        return ArticleSummary(*row)

    def summaries_of(self, article_ids: Sequence[int]) -> list[ArticleSummary]:
        """The summaries of these articles, in the order given (missing ones left out).

        Spans are counted and lengths measured for these rows only, never for the whole list.
        """
        found: dict[int, ArticleSummary] = {}
        for chunk in chunks(article_ids):
            rows = self._h.conn.execute(
                f"{_SUMMARY} WHERE a.id IN ({', '.join('?' * len(chunk))})", chunk
            ).fetchall()
            found.update((row[0], ArticleSummary(*row)) for row in rows)
        return [found[i] for i in article_ids if i in found]

    def count(self, query: ArticleQuery) -> int:
        """How many articles the list shows with these filters."""
        conn = self._h.conn
        if query.search.strip():
            # Counted in the search index alone: its rowids are the ids of the articles (kept in
            # step by triggers), and looking each match up in the articles table costs 15 times
            # as much.
            sql = "SELECT count(*) FROM articles_fts f WHERE f.articles_fts MATCH ?"
            params: list[Any] = [fts_query(query.search)]
            if query.label_id is not None:
                sql += f" AND {_MATCH_HAS_LABEL}"
                params.append(query.label_id)
            return int(conn.execute(sql, params).fetchone()[0])
        if query.label_id is not None:
            # The articles holding the label, counted in its range of the summary's index.
            return summaries.count(conn, "label", query.label_id)
        where, params = query.where()
        return int(conn.execute(f"SELECT count(*) FROM articles a {where}", params).fetchone()[0])

    def page_ids(self, query: ArticleQuery, offset: int, limit: int) -> list[int]:
        """The ids of one page of the article list, in its order (no other column is read)."""
        key = query.key
        direction = "DESC" if query.descending else "ASC"
        if query.by_label_summary:
            return summaries.page_ids(
                self._h.conn,
                "label",
                query.label_id,
                by_status=query.order_by == "status",
                descending=query.descending,
                offset=offset,
                limit=limit,
            )
        if query.by_search_order:
            # The search index hands its matches over in rowid order, a page at a time.
            sql = (
                "SELECT a.id FROM articles_fts f JOIN articles a ON a.id = f.rowid"
                " WHERE f.articles_fts MATCH ?"
            )
            params: list[Any] = [fts_query(query.search)]
            if query.label_id is not None:
                sql += f" AND {_HAS_LABEL}"
                params.append(query.label_id)
            sql += f" ORDER BY f.rowid {direction} LIMIT ? OFFSET ?"
        else:
            where, params = query.where()
            order = f"{key} {direction}" + (f", a.id {direction}" if key != "a.id" else "")
            sql = f"SELECT a.id FROM articles a {where} ORDER BY {order} LIMIT ? OFFSET ?"
        return [int(row[0]) for row in self._h.conn.execute(sql, [*params, limit, offset])]

    def position(self, article_id: int, query: ArticleQuery) -> int | None:
        """The row of an article in the list :meth:`page_ids` pages through (0 first), or None
        when the filters leave it out (or there is no such article)."""
        conn = self._h.conn
        if query.by_label_summary:
            return summaries.position(
                conn,
                "label",
                query.label_id,
                article_id,
                by_status=query.order_by == "status",
                descending=query.descending,
            )
        key = query.key
        where, params = query.where()
        joiner = "AND" if where else "WHERE"
        row = conn.execute(
            f"SELECT {key} FROM articles a {where} {joiner} a.id = ?", [*params, article_id]
        ).fetchone()
        if row is None:
            return None
        before = ">" if query.descending else "<"
        if query.by_search_order:
            sql = "SELECT count(*) FROM articles_fts f WHERE f.articles_fts MATCH ?"
            sql += " AND f.rowid > ?" if query.descending else " AND f.rowid < ?"
            count_params: list[Any] = [fts_query(query.search), article_id]
            if query.label_id is not None:
                sql += f" AND {_MATCH_HAS_LABEL}"
                count_params.append(query.label_id)
        elif key == "a.id":
            sql = f"SELECT count(*) FROM articles a {where} {joiner} a.id {before} ?"
            count_params = [*params, article_id]
        else:
            # Rows before it: a smaller key, or the same key and a smaller id (the tie-break).
            # Two counts rather than one row-value comparison, which SQLite cannot look up in
            # an index on an expression.
            sql = (
                f"SELECT (SELECT count(*) FROM articles a {where} {joiner} {key} {before} ?)"
                f" + (SELECT count(*) FROM articles a {where} {joiner} {key} = ?"
                f" AND a.id {before} ?)"
            )
            count_params = [*params, row[0], *params, row[0], article_id]
        return int(conn.execute(sql, count_params).fetchone()[0])
