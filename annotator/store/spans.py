"""Spans and the relations between them: adding (one or a batch), changing, deleting with what
restores them (undo), and reading an article's spans in reading order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from annotator.core.model import Relation, Span, SpanSnapshot
from annotator.core.text import offsets_in_range
from annotator.store.articles import ArticleRepository
from annotator.store.rows import (
    INSERT_NEW_RELATION,
    INSERT_NEW_SPAN,
    INSERT_RELATION,
    INSERT_SPAN,
    RELATION_COLUMNS,
    SPAN_COLUMNS,
    Handle,
    SpanCopy,
    chunks,
    dumps,
    new_span_values,
    now,
    relation_from_row,
    relation_values,
    span_from_row,
    span_values,
)


class NewSpan(NamedTuple):
    """A span to add to an article in a batch (:meth:`Project.add_spans`)."""

    start: int
    end: int
    label_id: int
    annotator: str
    note: str = ""
    attributes: Mapping[str, str] = {}


class SpanRepository:
    """The spans and relations of one project."""

    def __init__(self, handle: Handle, articles: ArticleRepository) -> None:
        self._h = handle
        self._articles = articles

    # ----------------------------------------------------------------------------- reading
    def of_article(self, article_id: int, annotators: Iterable[str] | None = None) -> list[Span]:
        """The spans of an article, by start then longest first; all layers unless named."""
        sql = f"SELECT {SPAN_COLUMNS} FROM spans WHERE article_id = ?"
        params: list[Any] = [article_id]
        if annotators is not None:
            names = list(annotators)
            sql += f" AND annotator IN ({', '.join('?' * len(names))})"
            params.extend(names)
        sql += ' ORDER BY start, "end" DESC, id'
        return [span_from_row(r) for r in self._h.conn.execute(sql, params)]

    def get(self, span_id: int) -> Span:
        row = self._h.conn.execute(
            f"SELECT {SPAN_COLUMNS} FROM spans WHERE id = ?", (span_id,)
        ).fetchone()
        if row is None:
            raise self._h.error(f"has no span {span_id}")
        return span_from_row(row)

    def annotators(self, article_id: int | None = None) -> list[str]:
        conn = self._h.conn
        if article_id is None:
            rows = conn.execute("SELECT DISTINCT annotator FROM spans ORDER BY annotator")
        else:
            rows = conn.execute(
                "SELECT DISTINCT annotator FROM spans WHERE article_id = ? ORDER BY annotator",
                (article_id,),
            )
        return [str(r[0]) for r in rows]

    def exists(self, article_id: int, start: int, end: int, label_id: int, annotator: str) -> bool:
        row = self._h.conn.execute(
            'SELECT 1 FROM spans WHERE article_id = ? AND start = ? AND "end" = ?'
            " AND label_id = ? AND annotator = ? LIMIT 1",
            (article_id, start, end, label_id, annotator),
        ).fetchone()
        return row is not None

    def keys(self, article_id: int) -> dict[tuple[int, int, int, str], int]:
        """``(start, end, label_id, annotator) -> span id`` for an article's spans, read in one
        query (the lowest id where a span is there twice): what a batch checks duplicates by."""
        rows = self._h.conn.execute(
            'SELECT start, "end", label_id, annotator, id FROM spans WHERE article_id = ?'
            " ORDER BY id DESC",
            (article_id,),
        )
        return {(start, end, label, who): span_id for start, end, label, who, span_id in rows}

    def label_usage(self, label_id: int) -> int:
        return int(
            self._h.conn.execute(
                "SELECT count(*) FROM spans WHERE label_id = ?", (label_id,)
            ).fetchone()[0]
        )

    def ids_with_label(self, label_id: int) -> list[int]:
        rows = self._h.conn.execute("SELECT id FROM spans WHERE label_id = ?", (label_id,))
        return [int(row[0]) for row in rows]

    # ----------------------------------------------------------------------------- writing
    def _covered_text(self, article_id: int, start: int, end: int) -> str:
        recent = self._articles.recent
        if recent is not None and recent[0] == article_id:
            text = recent[1]
            if not offsets_in_range(len(text), start, end):
                raise self._h.error(
                    f"span [{start}, {end}) is outside article {article_id} "
                    f"({len(text)} characters) or empty"
                )
            return text[start:end]
        row = self._h.conn.execute(
            "SELECT length(text), substr(text, ?, ?) FROM articles WHERE id = ?",
            (start + 1, end - start, article_id),
        ).fetchone()
        if row is None:
            raise self._h.error(f"has no article {article_id}")
        length, covered = row
        if not offsets_in_range(length, start, end):
            raise self._h.error(
                f"span [{start}, {end}) is outside article {article_id} "
                f"({length} characters) or empty"
            )
        return str(covered)

    def _check_labels(self, label_ids: Iterable[int]) -> None:
        """A ProjectError naming a missing label, not a foreign-key failure."""
        wanted = sorted(set(label_ids))
        known = {
            r[0]
            for r in self._h.conn.execute(
                f"SELECT id FROM labels WHERE id IN ({', '.join('?' * len(wanted))})", wanted
            )
        }
        for label_id in wanted:
            if label_id not in known:
                raise self._h.error(f"has no label {label_id}")

    def add(
        self,
        article_id: int,
        start: int,
        end: int,
        label_id: int,
        annotator: str,
        *,
        note: str = "",
        attributes: dict[str, str] | None = None,
    ) -> Span:
        h = self._h
        h.writable()
        text = self._covered_text(article_id, start, end)
        self._check_labels([label_id])
        stamp = now()
        with h.db.atomic():
            span = SpanCopy(
                article_id,
                start,
                end,
                label_id,
                text,
                annotator,
                note,
                attributes or {},
                stamp,
                stamp,
            )
            cursor = h.conn.execute(INSERT_NEW_SPAN, new_span_values(span))
            self._articles.touch(article_id)
        assert cursor.lastrowid is not None
        return self.get(cursor.lastrowid)

    def add_batch(self, article_id: int, spans: Sequence[NewSpan], *, text: str) -> list[int]:
        """Add spans to one article in one batch and return their ids, in the order given.

        Does what :meth:`add` does for each, with the same errors (nothing is added when one
        span is refused), in a few statements: ``text`` must be the article's stored text (an
        import has it at hand), from which each span's covered text is sliced.
        """
        h = self._h
        h.writable()
        if not spans:
            return []
        row = h.conn.execute(
            "SELECT length(text) FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            raise h.error(f"has no article {article_id}")
        length = row[0]
        if length != len(text):
            raise ValueError(f"text is not the stored text of article {article_id}")
        for span in spans:
            if not offsets_in_range(length, span.start, span.end):
                raise h.error(
                    f"span [{span.start}, {span.end}) is outside article {article_id} "
                    f"({length} characters) or empty"
                )
        self._check_labels(span.label_id for span in spans)
        stamp = now()
        with h.db.atomic():
            # Ids as SQLite would give them one insert at a time (the largest id plus one), so
            # they are known without a query per span.
            first = int(h.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM spans").fetchone()[0])
            ids = list(range(first, first + len(spans)))
            h.conn.executemany(
                INSERT_SPAN,
                [
                    span_values(
                        Span(
                            id=span_id,
                            article_id=article_id,
                            start=span.start,
                            end=span.end,
                            label_id=span.label_id,
                            text=text[span.start : span.end],
                            annotator=span.annotator,
                            note=span.note,
                            attributes=dict(span.attributes),
                            created_at=stamp,
                            updated_at=stamp,
                        )
                    )
                    for span_id, span in zip(ids, spans, strict=True)
                ],
            )
            self._articles.touch(article_id)
        return ids

    def update(self, span_id: int, **changes: Any) -> tuple[Span, Span]:
        """Change start/end, label_id, note or attributes; return (before, after)."""
        h = self._h
        h.writable()
        allowed = {"start", "end", "label_id", "note", "attributes"}
        bad = set(changes) - allowed
        if bad:
            raise ValueError(f"cannot change {sorted(bad)} of a span")
        before = self.get(span_id)
        values: dict[str, Any] = dict(changes)
        if "start" in values or "end" in values:
            start = int(values.get("start", before.start))
            end = int(values.get("end", before.end))
            values["text"] = self._covered_text(before.article_id, start, end)
            values["start"], values["end"] = start, end
        if "label_id" in values:
            self._check_labels([int(values["label_id"])])
        if "attributes" in values:
            values["attributes"] = dumps(values["attributes"] or {})
        values["updated_at"] = now()
        assignments = ", ".join(f'"{key}" = ?' for key in values)
        with h.db.atomic():
            h.conn.execute(
                f"UPDATE spans SET {assignments} WHERE id = ?", [*values.values(), span_id]
            )
        return before, self.get(span_id)

    def snapshot(self, span_id: int) -> SpanSnapshot:
        """A span with its relations: what puts it back after a delete."""
        span = self.get(span_id)
        rows = self._h.conn.execute(
            f"SELECT {RELATION_COLUMNS} FROM relations WHERE head_id = ? OR child_id = ?"
            " ORDER BY id",
            (span_id, span_id),
        ).fetchall()
        return SpanSnapshot(span, tuple(relation_from_row(r) for r in rows))

    def delete(self, span_id: int) -> SpanSnapshot:
        """Delete a span and its relations; return what restores them."""
        h = self._h
        h.writable()
        with h.db.atomic():
            snapshot = self.snapshot(span_id)
            h.conn.execute("DELETE FROM spans WHERE id = ?", (span_id,))
        return snapshot

    def put_back(self, snapshots: Iterable[SpanSnapshot]) -> None:
        """Insert spans and their relations as they were (ids kept; a relation shared by two
        of the spans once), inside the caller's transaction."""
        snapshots = list(snapshots)
        conn = self._h.conn
        conn.executemany(INSERT_SPAN, [span_values(s.span) for s in snapshots])
        seen: set[int] = set()
        for snapshot in snapshots:
            for rel in snapshot.relations:
                if rel.id not in seen:
                    seen.add(rel.id)
                    conn.execute(INSERT_RELATION, relation_values(rel))

    def restore(self, snapshot: SpanSnapshot) -> Span:
        """Put a deleted span back with its id and relations (undo of a delete)."""
        h = self._h
        h.writable()
        with h.db.atomic():
            self.put_back([snapshot])
        return self.get(snapshot.span.id)

    # --------------------------------------------------------------------------- relations
    def relations(self, article_id: int) -> list[Relation]:
        rows = self._h.conn.execute(
            f"SELECT {RELATION_COLUMNS} FROM relations WHERE article_id = ? ORDER BY id",
            (article_id,),
        ).fetchall()
        return [relation_from_row(r) for r in rows]

    def relation(self, relation_id: int) -> Relation:
        row = self._h.conn.execute(
            f"SELECT {RELATION_COLUMNS} FROM relations WHERE id = ?", (relation_id,)
        ).fetchone()
        if row is None:
            raise self._h.error(f"has no relation {relation_id}")
        return relation_from_row(row)

    def _check_relation(
        self, head_article: int, child_article: int, head_id: int, child_id: int, rel_type: str
    ) -> None:
        if head_article != child_article:
            raise self._h.error("a relation links two spans of the same article")
        if head_id == child_id:
            raise self._h.error("a span cannot be linked to itself")
        if not rel_type.strip():
            raise self._h.error("a relation needs a type")

    def add_relation(self, head_id: int, child_id: int, rel_type: str, annotator: str) -> Relation:
        h = self._h
        h.writable()
        head, child = self.get(head_id), self.get(child_id)
        self._check_relation(head.article_id, child.article_id, head_id, child_id, rel_type)
        with h.db.atomic():
            cursor = h.conn.execute(
                INSERT_NEW_RELATION,
                (head.article_id, head_id, child_id, rel_type.strip(), annotator, now()),
            )
        assert cursor.lastrowid is not None
        return self.relation(cursor.lastrowid)

    def relation_keys_of(self, article_id: int) -> set[tuple[int, int, str]]:
        """``(head_id, child_id, type)`` of the relations from the article's spans, in one
        query: what a batch checks duplicates by (see :meth:`has_relation`)."""
        rows = self._h.conn.execute(
            "SELECT head_id, child_id, type FROM relations"
            " WHERE head_id IN (SELECT id FROM spans WHERE article_id = ?)",
            (article_id,),
        )
        return {(head, child, rel_type) for head, child, rel_type in rows}

    def add_relations(
        self, article_id: int, relations: Sequence[tuple[int, int, str, str]]
    ) -> None:
        """Add ``(head_id, child_id, type, annotator)`` relations between spans of one article
        in one batch, with the checks and errors of :meth:`add_relation` (nothing is added when
        one is refused)."""
        h = self._h
        h.writable()
        if not relations:
            return
        wanted = sorted({r[0] for r in relations} | {r[1] for r in relations})
        where: dict[int, int] = {}
        for chunk in chunks(wanted):
            where.update(
                h.conn.execute(
                    f"SELECT id, article_id FROM spans WHERE id IN ({', '.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
            )
        for head_id, child_id, rel_type, _annotator in relations:
            for span_id in (head_id, child_id):
                if span_id not in where:
                    raise h.error(f"has no span {span_id}")
            if where[head_id] != article_id:
                raise h.error("a relation links two spans of the same article")
            self._check_relation(where[head_id], where[child_id], head_id, child_id, rel_type)
        stamp = now()
        with h.db.atomic():
            h.conn.executemany(
                INSERT_NEW_RELATION,
                [
                    (article_id, head_id, child_id, rel_type.strip(), annotator, stamp)
                    for head_id, child_id, rel_type, annotator in relations
                ],
            )

    def has_relation(self, head_id: int, child_id: int, rel_type: str) -> bool:
        row = self._h.conn.execute(
            "SELECT 1 FROM relations WHERE head_id = ? AND child_id = ? AND type = ?",
            (head_id, child_id, rel_type),
        ).fetchone()
        return row is not None

    def delete_relation(self, relation_id: int) -> Relation:
        h = self._h
        h.writable()
        rel = self.relation(relation_id)
        with h.db.atomic():
            h.conn.execute("DELETE FROM relations WHERE id = ?", (relation_id,))
        return rel

    def restore_relation(self, rel: Relation) -> Relation:
        h = self._h
        h.writable()
        with h.db.atomic():
            h.conn.execute(INSERT_RELATION, relation_values(rel))
        return self.relation(rel.id)
