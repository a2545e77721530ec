"""Reading a project article by article, with its spans and relations, for exports.

:func:`iter_article_rows` walks the articles, the spans and the relations in article order at the
same time, one query each (a merge of three ordered reads), so a whole project is read in one
pass, in one read transaction (the export sees one state of the file), with only the current
article in memory. Spans come as plain tuples, not :class:`~annotator.core.model.Span` objects:
an export turns each into its own shape once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from annotator.core.model import Article
from annotator.store.project import Project
from annotator.store.rows import article_from_row as _article
from annotator.store.rows import string_dict as _attributes

__all__ = ["ArticleRows", "RelationRow", "SpanRow", "iter_article_rows"]

_ARTICLE_COLUMNS = (
    "id, title, text, source, author, url, published, imported_at, content_hash, status, meta"
)


class SpanRow(NamedTuple):
    id: int
    start: int
    end: int
    label_id: int
    text: str
    annotator: str
    note: str
    attributes: dict[str, str]
    created_at: str = ""
    updated_at: str = ""


class RelationRow(NamedTuple):
    id: int
    head_id: int
    child_id: int
    type: str
    annotator: str


class ArticleRows(NamedTuple):
    """An article, its spans (by start, longest first, then id) and the relations between
    those spans (by id)."""

    article: Article
    spans: list[SpanRow]
    relations: list[RelationRow]


def iter_article_rows(
    project: Project,
    *,
    status: str | None = None,
    label_ids: Iterable[int] | None = None,
    annotator: str | None = None,
    article_ids: Iterable[int] | None = None,
    batch_size: int = 256,
) -> Iterator[ArticleRows]:
    """Each article in id order with its spans and the relations between them.

    ``label_ids`` and ``annotator`` restrict the spans; a relation comes along only when both
    its spans do. ``status`` and ``article_ids`` restrict the articles; a chosen subset of ids is
    read ``batch_size`` articles at a time, everything else in one pass.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    clauses: list[str] = []
    params: list[Any] = []
    if label_ids is not None:
        wanted = sorted(set(label_ids))
        clauses.append(f"label_id IN ({', '.join('?' * len(wanted))})" if wanted else "0")
        params.extend(wanted)
    if annotator is not None:
        clauses.append("annotator = ?")
        params.append(annotator)
    span_filter = "".join(f" AND {clause}" for clause in clauses)
    if article_ids is not None:
        yield from _subset(
            project, sorted(set(article_ids)), status, span_filter, params, batch_size
        )
        return
    conn = project.db.conn
    # The three reads run side by side, so they share one read transaction: one state of the
    # file, whatever another connection commits meanwhile.
    if status is None:
        articles = conn.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles ORDER BY id")
    else:
        articles = conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE status = ? ORDER BY id", (status,)
        )
    spans = conn.execute(
        'SELECT article_id, id, start, "end", label_id, text, annotator, note, attributes,'
        " created_at, updated_at"
        f" FROM spans WHERE 1{span_filter}"
        ' ORDER BY article_id, start, "end" DESC, id',
        params,
    )
    relations = conn.execute(
        "SELECT article_id, id, head_id, child_id, type, annotator FROM relations"
        " ORDER BY article_id, id"
    )
    try:
        yield from _merge(articles, spans, relations)
    finally:
        for cursor in (articles, spans, relations):
            cursor.close()


def _merge(
    articles: Iterable[Any], spans: Iterable[Any], relations: Iterable[Any]
) -> Iterator[ArticleRows]:
    span_rows = iter(spans)
    relation_rows = iter(relations)
    span = next(span_rows, None)
    relation = next(relation_rows, None)
    for row in articles:
        article_id = row[0]
        kept: list[SpanRow] = []
        while span is not None and span[0] <= article_id:
            if span[0] == article_id:
                raw = span[8]
                kept.append(
                    SpanRow(
                        span[1],
                        span[2],
                        span[3],
                        span[4],
                        span[5],
                        span[6],
                        span[7],
                        _attributes(raw) if raw and raw != "{}" else {},
                        span[9],
                        span[10],
                    )
                )
            span = next(span_rows, None)
        linked: list[RelationRow] = []
        while relation is not None and relation[0] <= article_id:
            if relation[0] == article_id:
                linked.append(RelationRow(*relation[1:]))
            relation = next(relation_rows, None)
        yield ArticleRows(_article(row), kept, _between(kept, linked))


def _between(spans: list[SpanRow], relations: list[RelationRow]) -> list[RelationRow]:
    if not relations:
        return relations
    ids = {s.id for s in spans}
    return [r for r in relations if r.head_id in ids and r.child_id in ids]


def _subset(
    project: Project,
    ids: list[int],
    status: str | None,
    span_filter: str,
    span_params: list[Any],
    batch_size: int,
) -> Iterator[ArticleRows]:
    conn = project.db.conn
    status_clause = " AND status = ?" if status is not None else ""
    status_params: list[Any] = [status] if status is not None else []
    for i in range(0, len(ids), batch_size):
        chunk = ids[i : i + batch_size]
        articles = conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles"
            f" WHERE id IN ({', '.join('?' * len(chunk))}){status_clause} ORDER BY id",
            [*chunk, *status_params],
        ).fetchall()
        if not articles:
            continue
        spans = conn.execute(
            'SELECT article_id, id, start, "end", label_id, text, annotator, note, attributes,'
            " created_at, updated_at"
            f" FROM spans WHERE article_id IN ({', '.join('?' * len(chunk))}){span_filter}"
            ' ORDER BY article_id, start, "end" DESC, id',
            [*chunk, *span_params],
        ).fetchall()
        relations = conn.execute(
            "SELECT article_id, id, head_id, child_id, type, annotator FROM relations"
            f" WHERE article_id IN ({', '.join('?' * len(chunk))}) ORDER BY article_id, id",
            chunk,
        ).fetchall()
        yield from _merge(articles, spans, relations)
