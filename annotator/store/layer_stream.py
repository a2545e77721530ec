"""One annotator layer read article by article, for comparing project files that are too large
to hold: the spans of a few articles at a time, by an index, with label ids left to the caller
to name (one small dict instead of a join per row)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from annotator.store.project import Project


def label_names(project: Project) -> dict[int, str]:
    """Every label id with its name."""
    rows = project.db.conn.execute("SELECT id, name FROM labels")
    return {int(label_id): str(name) for label_id, name in rows}


def layer_spans_in_order(
    project: Project, annotator: str, article_ids: Sequence[int], *, with_text: bool = False
) -> Iterator[tuple[int, int, int, int, int, int, str]]:
    """``(position, id, article_id, start, end, label_id, text)`` of the annotator's spans in
    the listed articles, ordered by the article's position in the list, then by span id, in one
    pass (the list goes in as one JSON array: no statement per article); ``text`` is "" unless
    asked for."""
    sql = _IN_ORDER_WITH_TEXT if with_text else _IN_ORDER
    return project.db.conn.execute(sql, (json.dumps(list(article_ids)), annotator))


_IN_ORDER = (
    "SELECT j.key, s.id, s.article_id, s.start, s.\"end\", s.label_id, ''"
    " FROM json_each(?) j JOIN spans s ON s.article_id = j.value"
    " WHERE s.annotator = ? ORDER BY j.key, s.id"
)
_IN_ORDER_WITH_TEXT = (
    'SELECT j.key, s.id, s.article_id, s.start, s."end", s.label_id, s.text'
    " FROM json_each(?) j JOIN spans s ON s.article_id = j.value"
    " WHERE s.annotator = ? ORDER BY j.key, s.id"
)


def layer_spans_without_article(project: Project, annotator: str) -> list[tuple[int, int]]:
    """``(id, article_id)`` of the annotator's spans whose article is missing (a damaged
    file)."""
    rows = project.db.conn.execute(
        "SELECT id, article_id FROM spans WHERE annotator = ?"
        " AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = spans.article_id) ORDER BY id",
        (annotator,),
    )
    return [(int(span_id), int(article_id)) for span_id, article_id in rows]
