"""Counting what a filtered export would cover, for previews (no texts are read)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from annotator.store.project import Project


def export_counts(
    project: Project,
    *,
    status: str | None = None,
    label_ids: Iterable[int] | None = None,
    annotator: str | None = None,
) -> tuple[int, int]:
    """(articles, spans) an export with these filters covers."""
    conn = project.db.conn
    article_where = "WHERE status = ?" if status is not None else ""
    article_params: list[Any] = [status] if status is not None else []
    articles = conn.execute(
        f"SELECT count(*) FROM articles {article_where}", article_params
    ).fetchone()[0]
    clauses = []
    params: list[Any] = []
    if status is not None:
        clauses.append("s.article_id IN (SELECT id FROM articles WHERE status = ?)")
        params.append(status)
    if label_ids is not None:
        ids = list(label_ids)
        if not ids:
            return int(articles), 0
        clauses.append(f"s.label_id IN ({', '.join('?' * len(ids))})")
        params.extend(ids)
    if annotator is not None:
        clauses.append("s.annotator = ?")
        params.append(annotator)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    spans = conn.execute(f"SELECT count(*) FROM spans s {where}", params).fetchone()[0]
    return int(articles), int(spans)
