"""Articles with their annotations, read in batches with flat memory: what exports stream."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from annotator.core.model import Article, Relation, Span
from annotator.store.rows import (
    ARTICLE_COLUMNS,
    RELATION_COLUMNS,
    SPAN_COLUMNS,
    Handle,
    article_from_row,
    relation_from_row,
    span_from_row,
)


class DocumentReader:
    """Reads the annotated articles of one project."""

    def __init__(self, handle: Handle) -> None:
        self._h = handle

    def annotated_articles(
        self,
        *,
        status: str | None = None,
        label_ids: Iterable[int] | None = None,
        annotator: str | None = None,
        article_ids: Iterable[int] | None = None,
        batch_size: int = 32,
    ) -> Iterator[tuple[Article, list[Span], list[Relation]]]:
        """Each article in id order with its spans and the relations between those spans.

        Reads ``batch_size`` articles at a time, with three queries per batch (articles, spans,
        relations), so memory stays flat however large the project. ``label_ids`` and
        ``annotator`` restrict the spans; a relation comes along only when both its spans do.
        ``article_ids`` (with ``status``) restricts the articles. Spans come sorted by start,
        longest first, then id; relations by id.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        conn = self._h.conn
        span_clauses: list[str] = []
        span_params: list[Any] = []
        if label_ids is not None:
            wanted = sorted(set(label_ids))
            if not wanted:
                span_clauses.append("0")
            else:
                span_clauses.append(f"label_id IN ({', '.join('?' * len(wanted))})")
                span_params.extend(wanted)
        if annotator is not None:
            span_clauses.append("annotator = ?")
            span_params.append(annotator)
        span_filter = "".join(f" AND {clause}" for clause in span_clauses)
        for batch in self.article_batches(status, article_ids, batch_size):
            if not batch:
                continue
            first, last = batch[0].id, batch[-1].id
            spans_of: dict[int, list[Span]] = {a.id: [] for a in batch}
            for row in conn.execute(
                f"SELECT {SPAN_COLUMNS} FROM spans WHERE article_id BETWEEN ? AND ?{span_filter}"
                ' ORDER BY article_id, start, "end" DESC, id',
                [first, last, *span_params],
            ):
                if row[1] in spans_of:
                    spans_of[row[1]].append(span_from_row(row))
            relations_of: dict[int, list[Relation]] = {a.id: [] for a in batch}
            for row in conn.execute(
                f"SELECT {RELATION_COLUMNS} FROM relations WHERE article_id BETWEEN ? AND ?"
                " ORDER BY article_id, id",
                (first, last),
            ):
                if row[1] in relations_of:
                    relations_of[row[1]].append(relation_from_row(row))
            for article in batch:
                spans = spans_of.pop(article.id)
                kept = {s.id for s in spans}
                relations = [
                    r
                    for r in relations_of.pop(article.id)
                    if r.head_id in kept and r.child_id in kept
                ]
                yield article, spans, relations

    def article_batches(
        self, status: str | None, article_ids: Iterable[int] | None, batch_size: int
    ) -> Iterator[list[Article]]:
        """The articles (of ``status``, among ``article_ids``) in id order, a batch at a time."""
        conn = self._h.conn
        status_clause = " AND status = ?" if status is not None else ""
        status_params: list[Any] = [status] if status is not None else []
        if article_ids is not None:
            ids = sorted(set(article_ids))
            for i in range(0, len(ids), batch_size):
                chunk = ids[i : i + batch_size]
                rows = conn.execute(
                    f"SELECT {ARTICLE_COLUMNS} FROM articles"
                    f" WHERE id IN ({', '.join('?' * len(chunk))}){status_clause} ORDER BY id",
                    [*chunk, *status_params],
                ).fetchall()
                yield [article_from_row(r) for r in rows]
            return
        after = 0
        while True:
            # Keyset paging: no cursor stays open between batches, and each page is an index seek.
            rows = conn.execute(
                f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id > ?{status_clause}"
                " ORDER BY id LIMIT ?",
                [after, *status_params, batch_size],
            ).fetchall()
            if not rows:
                return
            yield [article_from_row(r) for r in rows]
            after = rows[-1][0]
