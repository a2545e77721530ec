"""Checks that find drift in a project without changing it: spans whose text moved."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from annotator.store.errors import ProjectError


@dataclass(frozen=True, slots=True)
class SpanMismatch:
    """A span whose stored covered text differs from the article's text at its offsets."""

    span_id: int
    article_id: int
    start: int
    end: int
    stored_text: str
    actual_text: str  # what the article has at [start, end) now ("" when outside the text)
    article_length: int

    @property
    def outside(self) -> bool:
        return self.end > self.article_length

    def describe(self) -> str:
        if self.outside:
            return (
                f"span {self.span_id} of article {self.article_id} at [{self.start}, {self.end}) "
                f"reaches past the article's end ({self.article_length} characters); it stores "
                f"{self.stored_text!r}"
            )
        return (
            f"span {self.span_id} of article {self.article_id} at [{self.start}, {self.end}) "
            f"stores {self.stored_text!r} but the article has {self.actual_text!r} there"
        )


def span_mismatches(conn: sqlite3.Connection) -> list[SpanMismatch]:
    """Every span whose text is not the article's text at its offsets, by article and start.

    Offsets count characters (code points), as Python's slicing and SQLite's ``substr`` and
    ``length`` do; the store keeps NULs out of texts, which would end SQLite's count early.
    Articles are read a batch at a time and each text once, however many spans it has:
    ``substr`` in SQL would walk a 1 MB text from its start for each of 10,000 spans.
    """
    found: list[SpanMismatch] = []
    last = 0
    while True:
        articles = conn.execute(
            "SELECT id, text FROM articles WHERE id > ? ORDER BY id LIMIT 64", (last,)
        ).fetchall()
        if not articles:
            return found
        first, last = articles[0][0], articles[-1][0]
        texts = dict(articles)
        rows = conn.execute(
            'SELECT id, article_id, start, "end", text FROM spans'
            " WHERE article_id BETWEEN ? AND ? ORDER BY article_id, start, id",
            (first, last),
        ).fetchall()
        for span_id, article_id, start, end, stored in rows:
            text = texts.get(article_id)
            if text is None:
                continue  # no such article (the join of the SQL check leaves it out too)
            if not isinstance(text, str):  # a value that is not text: let SQLite compare it
                found.extend(_mismatches_in_sql(conn, span_id))
                continue
            actual = text[start:end]
            if stored != actual or end > len(text):
                found.append(
                    SpanMismatch(span_id, article_id, start, end, stored, actual, len(text))
                )


def _mismatches_in_sql(conn: sqlite3.Connection, span_id: int) -> list[SpanMismatch]:
    """The check of one span done by SQLite (for a text stored as something other than text)."""
    rows = conn.execute(
        'SELECT s.id, s.article_id, s.start, s."end", s.text,'
        ' substr(a.text, s.start + 1, s."end" - s.start), length(a.text)'
        " FROM spans s JOIN articles a ON a.id = s.article_id"
        ' WHERE s.id = ? AND (s.text IS NOT substr(a.text, s.start + 1, s."end" - s.start)'
        ' OR s."end" > length(a.text))',
        (span_id,),
    ).fetchall()
    return [
        SpanMismatch(row[0], row[1], row[2], row[3], row[4], row[5] or "", row[6]) for row in rows
    ]


def span_mismatches_in_file(path: str | Path) -> list[SpanMismatch]:
    """:func:`span_mismatches` on its own read-only connection, so it can run off the GUI thread
    while the project stays open for writing."""
    try:
        conn = sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro", uri=True)
        try:
            return span_mismatches(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise ProjectError(path, f"could not be checked: {exc}") from exc


def relations_across_articles(conn: sqlite3.Connection) -> list[tuple[int, int, int]]:
    """``(relation id, head's article, child's article)`` of every relation whose two spans
    (or whose own article) are not one article: no export format can carry one, and merges and
    imports refuse them; a file written before they did may still hold some."""
    rows = conn.execute(
        "SELECT r.id, h.article_id, c.article_id FROM relations r"
        " JOIN spans h ON h.id = r.head_id JOIN spans c ON c.id = r.child_id"
        " WHERE h.article_id != c.article_id OR r.article_id != h.article_id"
        " ORDER BY r.id"
    )
    return [(int(a), int(b), int(c)) for a, b, c in rows]
