"""Whole annotator layers in bulk: the reads comparing projects needs and the writes merging and
adjudicating make. Every function takes an open :class:`Project`; writes run in one transaction
of the caller's (``project.atomic()``) or their own."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any, NamedTuple

from annotator.core.model import ArticleDraft, Relation, Span
from annotator.core.text import content_hash
from annotator.store.errors import ProjectError
from annotator.store.project import Project
from annotator.store.rows import (
    INSERT_NEW_RELATION,
    INSERT_NEW_SPAN,
    RELATION_COLUMNS,
    SPAN_COLUMNS,
    SpanCopy,
    chunks,
    json_object,
    new_span_values,
    relation_from_row,
    span_from_row,
)


class ArticleRef(NamedTuple):
    """An article as comparing and merging see it: no text kept, the hash recomputed."""

    id: int
    content_hash: str  # sha256 of the stored text, recomputed: a colleague's column is not trusted
    title: str
    length: int  # code points
    stored_hash_ok: bool  # whether the file's own content_hash column agrees


class LayerSpan(NamedTuple):
    """A span with its label's name (None when the label row is missing: a damaged file)."""

    id: int
    article_id: int
    start: int
    end: int
    label: str | None
    annotator: str
    text: str


def article_refs(project: Project) -> list[ArticleRef]:
    """Every article of the project, in id order, with its content hash recomputed."""
    rows = project.db.conn.execute("SELECT id, title, text, content_hash FROM articles ORDER BY id")
    refs = []
    for article_id, title, text, stored in rows:
        text = str(text)
        digest = content_hash(text)
        refs.append(ArticleRef(article_id, digest, str(title), len(text), digest == stored))
    return refs


def annotator_span_counts(project: Project) -> dict[str, int]:
    """How many spans each annotator has in the whole project."""
    rows = project.db.conn.execute(
        "SELECT annotator, count(*) FROM spans GROUP BY annotator ORDER BY annotator"
    )
    return {str(name): int(count) for name, count in rows}


def layer_spans(project: Project, annotators: Collection[str] | None = None) -> list[LayerSpan]:
    """The spans of the named annotators (all when None) with label names, in id order: one
    query for a whole layer (ordering by position would cost a sort of every row)."""
    sql = (
        'SELECT s.id, s.article_id, s.start, s."end", l.name, s.annotator, s.text'
        " FROM spans s LEFT JOIN labels l ON l.id = s.label_id"
    )
    params: list[Any] = []
    if annotators is not None:
        names = list(annotators)
        if not names:
            return []
        sql += f" WHERE s.annotator IN ({', '.join('?' * len(names))})"
        params.extend(names)
    sql += " ORDER BY s.id"
    return list(map(LayerSpan._make, project.db.conn.execute(sql, params)))


def all_spans(project: Project) -> list[Span]:
    """Every span with note, attributes and timestamps, in id order (a merge copies them).
    Attributes that are not a JSON object of strings (a damaged or hand-made file) read as
    empty rather than stopping the merge."""
    rows = project.db.conn.execute(f"SELECT {SPAN_COLUMNS} FROM spans ORDER BY id")
    return [span_from_row(row) for row in rows]


def article_drafts(project: Project, article_ids: Iterable[int]) -> dict[int, ArticleDraft]:
    """The named articles as drafts (text and metadata, status 'new') to add to another
    project; metadata that is not a JSON object reads as empty."""
    ids = sorted(set(article_ids))
    drafts: dict[int, ArticleDraft] = {}
    conn = project.db.conn
    for chunk in chunks(ids):
        rows = conn.execute(
            "SELECT id, text, title, source, author, url, published, meta FROM articles"
            f" WHERE id IN ({', '.join('?' * len(chunk))})",
            chunk,
        )
        for article_id, text, title, source, author, url, published, meta in rows:
            drafts[article_id] = ArticleDraft(
                text=str(text),
                title=str(title or ""),
                source=str(source or ""),
                author=str(author or ""),
                url=str(url or ""),
                published=str(published or ""),
                meta=json_object(meta),
            )
    return drafts


def all_relations(project: Project) -> list[Relation]:
    rows = project.db.conn.execute(f"SELECT {RELATION_COLUMNS} FROM relations ORDER BY id")
    return [relation_from_row(row) for row in rows]


def span_ids_by_key(
    project: Project, annotators: Collection[str]
) -> dict[tuple[int, int, int, int, str], int]:
    """``(article_id, start, end, label_id, annotator) -> span id`` for the named layers: what a
    merge checks duplicates against, read once."""
    names = list(annotators)
    if not names:
        return {}
    rows = project.db.conn.execute(
        'SELECT article_id, start, "end", label_id, annotator, id FROM spans'
        f" WHERE annotator IN ({', '.join('?' * len(names))}) ORDER BY id DESC",
        names,
    )
    # Descending: when a layer holds a span twice, the lowest id wins.
    return {(a, s, e, lb, ann): sid for a, s, e, lb, ann, sid in rows}


def relation_keys(project: Project) -> set[tuple[int, int, str]]:
    rows = project.db.conn.execute("SELECT head_id, child_id, type FROM relations")
    return {(int(h), int(c), str(t)) for h, c, t in rows}


def insert_spans(project: Project, spans: Sequence[SpanCopy]) -> list[int]:
    """Insert spans in one transaction, without touching article status; return their ids."""
    conn = project.db.conn
    ids = []
    with project.atomic():
        for span in spans:
            cursor = conn.execute(INSERT_NEW_SPAN, new_span_values(span))
            assert cursor.lastrowid is not None
            ids.append(cursor.lastrowid)
    return ids


class RelationCopy(NamedTuple):
    article_id: int
    head_id: int
    child_id: int
    type: str
    annotator: str
    created_at: str


def insert_relations(project: Project, relations: Sequence[RelationCopy]) -> list[int]:
    """Insert relations as they are; one whose spans are not both in its article is refused
    (nothing is inserted), since no export could carry it."""
    conn = project.db.conn
    ids = []
    with project.atomic():
        for rel in relations:
            places = dict(
                conn.execute(
                    "SELECT id, article_id FROM spans WHERE id IN (?, ?)",
                    (rel.head_id, rel.child_id),
                ).fetchall()
            )
            head, child = places.get(rel.head_id), places.get(rel.child_id)
            if head != rel.article_id or child != rel.article_id:
                raise ProjectError(
                    project.path,
                    f"a relation must link two spans of one article: spans {rel.head_id} and "
                    f"{rel.child_id} are in articles {head} and {child}",
                )
            cursor = conn.execute(INSERT_NEW_RELATION, tuple(rel))
            assert cursor.lastrowid is not None
            ids.append(cursor.lastrowid)
    return ids


def delete_rows(
    project: Project,
    *,
    relations: Collection[int] = (),
    spans: Collection[int] = (),
    articles: Collection[int] = (),
    labels: Collection[int] = (),
    info_keys: Collection[str] = (),
) -> None:
    """Delete what a merge added, in one transaction (undoing it). Labels still in use by spans
    that were not deleted are kept."""
    conn = project.db.conn
    with project.atomic():
        for table, ids in (("relations", relations), ("spans", spans), ("articles", articles)):
            for chunk in chunks(sorted(ids)):
                conn.execute(
                    f"DELETE FROM {table} WHERE id IN ({', '.join('?' * len(chunk))})", chunk
                )
        for label_id in labels:
            conn.execute(
                "DELETE FROM labels WHERE id = ?"
                " AND NOT EXISTS (SELECT 1 FROM spans WHERE label_id = ?)",
                (label_id, label_id),
            )
        for key in info_keys:
            conn.execute("DELETE FROM project_info WHERE key = ?", (key,))


# --------------------------------------------------------------- small records in project_info
def info_with_prefix(project: Project, prefix: str) -> dict[str, str]:
    """The project_info entries whose key starts with ``prefix`` (matched literally)."""
    rows = project.db.conn.execute(
        "SELECT key, value FROM project_info WHERE substr(key, 1, ?) = ? ORDER BY key",
        (len(prefix), prefix),
    )
    return {str(k): str(v) for k, v in rows}


def set_info(project: Project, key: str, value: str | None) -> str | None:
    """Set (or, with None, delete) one project_info entry; return its previous value."""
    conn = project.db.conn
    with project.atomic():
        row = conn.execute("SELECT value FROM project_info WHERE key = ?", (key,)).fetchone()
        if value is None:
            conn.execute("DELETE FROM project_info WHERE key = ?", (key,))
        else:
            conn.execute(
                "INSERT INTO project_info(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
    return None if row is None else str(row[0])
