"""The suggestions layer: spans of the annotator ``suggestions`` written in bulk, accepted into an
analyst's layer or rejected (and then remembered, so never proposed again)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from annotator.core.model import SUGGESTION_ANNOTATOR, Span
from annotator.store.bulk_indexes import SpanIndexes
from annotator.store.project import Project, ProjectError, now

# What writing the suggestions layer can raise besides bugs: the UI tells the analyst of these.
WRITE_ERRORS: tuple[type[Exception], ...] = (ProjectError, sqlite3.Error, OSError)


class NewSuggestion(NamedTuple):
    """A suggested span by label name; ``attributes`` are kept on the span."""

    start: int
    end: int
    label: str
    attributes: Mapping[str, str] = {}


class WriteResult(NamedTuple):
    added: int
    kept: int  # already there, as a suggestion or in an analyst's layer
    rejected: int  # rejected before: not proposed again
    removed: int  # old suggestions dropped by replace
    relations: int


class Rejection(NamedTuple):
    article_id: int
    start: int
    end: int
    label: str
    text: str


def rejected(project: Project, article_id: int) -> set[tuple[int, int, str]]:
    """``(start, end, label name)`` of the suggestions rejected in an article."""
    rows = project.db.conn.execute(
        'SELECT start, "end", label FROM suggestion_rejections WHERE article_id = ?',
        (article_id,),
    )
    return {(int(s), int(e), str(label)) for s, e, label in rows}


def rejection_count(project: Project) -> int:
    return int(project.db.conn.execute("SELECT count(*) FROM suggestion_rejections").fetchone()[0])


def suggestion_spans(project: Project, article_id: int) -> list[Span]:
    return project.spans(article_id, [SUGGESTION_ANNOTATOR])


class ArticleSuggestions(NamedTuple):
    """What to write for one article: ``relations`` are ``(head, child, type)`` indexes into
    ``spans``."""

    article_id: int
    text: str
    spans: Sequence[NewSuggestion]
    relations: Sequence[tuple[int, int, str]]


def write_suggestions(
    project: Project,
    article_id: int,
    text: str,
    spans: Sequence[NewSuggestion],
    relations: Sequence[tuple[int, int, str]],
    *,
    replace: bool = False,
) -> WriteResult:
    """Write an article's suggestions in one transaction, touching no other layer.

    A span already in the article (as a suggestion or in anyone's layer, same offsets and label)
    is kept as it is; a rejected one is skipped. With ``replace`` the article's old suggestions
    (and their relations) go first. ``relations`` are ``(head, child, type)`` indexes into
    ``spans``; one is written when both ends are suggestions of this article.
    """
    batch = [ArticleSuggestions(article_id, text, spans, relations)]
    return write_suggestion_batch(project, batch, replace=replace)[0]


def write_suggestion_batch(
    project: Project, batch: Sequence[ArticleSuggestions], *, replace: bool = False
) -> list[WriteResult]:
    """:func:`write_suggestions` for several articles in one transaction (all or none of
    them), which is much quicker than one transaction each over many small articles."""
    project.require_writable()
    labels = {label.name: label.id for label in project.labels()}
    for item in batch:
        for span in item.spans:
            if span.label not in labels:
                raise ProjectError(project.path, f"has no label {span.label!r}")
            if not (0 <= span.start < span.end <= len(item.text)):
                raise ProjectError(
                    project.path,
                    f"suggested span [{span.start}, {span.end}) is outside article "
                    f"{item.article_id}",
                )
    with project.atomic():
        stamp = now()
        # The span insert triggers' work is done once for the batch's new spans (their ids
        # follow one another from the first one inserted: see annotator.store.bulk_indexes).
        # (Set aside only once a span is to be inserted: a batch adding nothing changes no schema.)
        indexes = SpanIndexes(project.db.conn)
        first: list[int] = []
        results = [
            _write_article(project, labels, item, replace, stamp, first, indexes) for item in batch
        ]
        if first:
            last = project.db.conn.execute("SELECT max(id) FROM spans").fetchone()[0]
            indexes.fill(first[0], int(last))
            indexes.put_back()
        return results


def _write_article(
    project: Project,
    labels: Mapping[str, int],
    item: ArticleSuggestions,
    replace: bool,
    stamp: str,
    first: list[int],
    indexes: SpanIndexes,
) -> WriteResult:
    conn = project.db.conn
    article_id, text, spans, relations = item
    refused = rejected(project, article_id)
    removed = 0
    stored = conn.execute("SELECT length(text) FROM articles WHERE id = ?", (article_id,))
    row = stored.fetchone()
    if row is None:
        raise ProjectError(project.path, f"has no article {article_id}")
    if row[0] != len(text):
        raise ValueError(f"text is not the stored text of article {article_id}")
    if replace:
        layer = (article_id, SUGGESTION_ANNOTATOR)
        conn.execute(
            "DELETE FROM relations WHERE"
            " head_id IN (SELECT id FROM spans WHERE article_id = ? AND annotator = ?)"
            " OR child_id IN (SELECT id FROM spans WHERE article_id = ? AND annotator = ?)",
            layer + layer,
        )
        removed = conn.execute(
            "DELETE FROM spans WHERE article_id = ? AND annotator = ?", layer
        ).rowcount
    existing: dict[tuple[int, int, int], tuple[int, str]] = {}
    for span_id, start, end, label_id, who in conn.execute(
        'SELECT id, start, "end", label_id, annotator FROM spans WHERE article_id = ?'
        " ORDER BY id DESC",
        (article_id,),
    ):
        existing[(start, end, label_id)] = (span_id, who)
    ids_by_index: dict[int, int] = {}
    new_rows: dict[tuple[int, int, int], list[int]] = {}  # key -> indexes into spans
    rows = []
    kept = skipped = 0
    for index, span in enumerate(spans):
        label_id = labels[span.label]
        key = (span.start, span.end, label_id)
        if (span.start, span.end, span.label) in refused:
            skipped += 1
            continue
        if key in new_rows:
            new_rows[key].append(index)
            kept += 1
            continue
        if key in existing:
            span_id, who = existing[key]
            kept += 1
            if who == SUGGESTION_ANNOTATOR:
                ids_by_index[index] = span_id
            continue
        new_rows[key] = [index]
        rows.append(
            (
                article_id,
                span.start,
                span.end,
                label_id,
                text[span.start : span.end],
                SUGGESTION_ANNOTATOR,
                json.dumps(dict(span.attributes), ensure_ascii=False, sort_keys=True)
                if span.attributes
                else "{}",
                stamp,
                stamp,
            )
        )
    if rows and not first:  # the id the batch's first new span gets
        indexes.set_aside()
        first.append(int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM spans").fetchone()[0]))
    conn.executemany(
        'INSERT INTO spans(article_id, start, "end", label_id, text, annotator, note,'
        " attributes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?)",
        rows,
    )
    if rows and relations:
        # The new spans' ids, by their keys (unique in the layer: a repeat is kept, not added).
        for span_id, start, end, label_id in conn.execute(
            'SELECT id, start, "end", label_id FROM spans WHERE article_id = ? AND annotator = ?'
            " AND created_at = ?",
            (article_id, SUGGESTION_ANNOTATOR, stamp),
        ):
            for index in new_rows.get((start, end, label_id), ()):
                ids_by_index[index] = span_id
    added = len(rows)
    have = {
        (h, c, t)
        for h, c, t in conn.execute(
            "SELECT head_id, child_id, type FROM relations WHERE article_id = ?", (article_id,)
        )
    }
    new_relations = []
    for head, child, rel_type in relations:
        if head in ids_by_index and child in ids_by_index:
            key3 = (ids_by_index[head], ids_by_index[child], rel_type)
            if key3 not in have:
                have.add(key3)
                new_relations.append(key3)
    conn.executemany(
        "INSERT INTO relations(article_id, head_id, child_id, type, annotator, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(article_id, h, c, t, SUGGESTION_ANNOTATOR, stamp) for h, c, t in new_relations],
    )
    return WriteResult(added, kept, skipped, removed, len(new_relations))


def remember_rejection(project: Project, span: Span, label: str, by: str) -> None:
    """Record that ``span`` (a suggestion) was rejected; its deletion is the caller's."""
    project.require_writable()
    with project.atomic():
        project.db.conn.execute(
            'INSERT OR IGNORE INTO suggestion_rejections(article_id, start, "end", label, text,'
            " rejected_by, rejected_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (span.article_id, span.start, span.end, label, span.text, by, now()),
        )


def forget_rejection(project: Project, span: Span, label: str) -> None:
    """Undo :func:`remember_rejection`."""
    project.require_writable()
    with project.atomic():
        project.db.conn.execute(
            'DELETE FROM suggestion_rejections WHERE article_id = ? AND start = ? AND "end" = ?'
            " AND label = ?",
            (span.article_id, span.start, span.end, label),
        )


def set_span_owner(
    project: Project, span_id: int, annotator: str, label_id: int | None = None
) -> tuple[Span, Span]:
    """Move a span to ``annotator``'s layer (relabelled when ``label_id`` is given), with the
    relations between it and spans already in that layer; returns (before, after)."""
    project.require_writable()
    before = project.span(span_id)
    if label_id is not None:
        project.label(label_id)
    conn = project.db.conn
    with project.atomic():
        conn.execute(
            "UPDATE spans SET annotator = ?, label_id = ?, updated_at = ? WHERE id = ?",
            (annotator, label_id if label_id is not None else before.label_id, now(), span_id),
        )
        # A relation follows its spans into a layer once both ends are there.
        conn.execute(
            "UPDATE relations SET annotator = ? WHERE (head_id = ? OR child_id = ?) AND"
            " (SELECT count(*) FROM spans s WHERE s.id IN (relations.head_id, relations.child_id)"
            " AND s.annotator = ?) = 2",
            (annotator, span_id, span_id, annotator),
        )
        if annotator == SUGGESTION_ANNOTATOR:
            # Back among the suggestions (an undone accept): its relations are suggested again.
            conn.execute(
                "UPDATE relations SET annotator = ? WHERE head_id = ? OR child_id = ?",
                (annotator, span_id, span_id),
            )
        else:
            conn.execute(
                "UPDATE articles SET status = 'in progress' WHERE id = ? AND status = 'new'",
                (before.article_id,),
            )
    return before, project.span(span_id)
