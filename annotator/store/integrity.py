"""Checks that find drift in a project without changing it: spans whose text moved."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
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


def span_mismatches(
    conn: sqlite3.Connection, stopped: Callable[[], bool] | None = None
) -> list[SpanMismatch]:
    """Every span whose text is not the article's text at its offsets, by article and start.

    Offsets count characters (code points), as Python's slicing and SQLite's ``substr`` and
    ``length`` do; the store keeps NULs out of texts, which would end SQLite's count early.
    Articles are read a batch at a time and each text once, however many spans it has:
    ``substr`` in SQL would walk a 1 MB text from its start for each of 10,000 spans.
    """
    found: list[SpanMismatch] = []
    last = 0
    while True:
        if stopped is not None and stopped():
            return found
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


@dataclass(slots=True)
class FileCheckResult:
    """What :class:`FileCheck` found: why SQLite finds the file damaged (None: it does not), and
    the spans out of step with their text."""

    damage: str | None = None
    mismatches: list[SpanMismatch] = field(default_factory=list)
    cancelled: bool = False


class FileCheck:
    """The whole-file checks of an open project, on a read-only connection of their own so they
    run off the GUI thread while the project stays open for writing: SQLite's ``quick_check``
    (when opening skipped it, see ``Project.open``) and every span against its text.

    :meth:`cancel` (from any thread) stops them at once: closing the window does not wait for a
    check of 100,000 articles to end.
    """

    def __init__(self, path: str | Path, *, quick_check: bool = True) -> None:
        self.path = Path(path).absolute()
        self.quick_check = quick_check
        self._stop = threading.Event()
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def cancel(self) -> None:
        self._stop.set()
        with self._lock:
            if self._conn is not None:
                self._conn.interrupt()

    def run(self) -> FileCheckResult:
        """Raises ProjectError when the file cannot be read at all."""
        result = FileCheckResult()
        try:
            conn = sqlite3.connect(
                f"{self.path.as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise ProjectError(self.path, f"could not be checked: {exc}") from exc
        with self._lock:
            self._conn = conn
        try:
            if self._stop.is_set():
                result.cancelled = True
                return result
            if self.quick_check:
                check = conn.execute("PRAGMA quick_check").fetchone()[0]
                if check != "ok":
                    result.damage = f"is damaged: {check}"
                    return result
            result.mismatches = span_mismatches(conn, self._stop.is_set)
            result.cancelled = self._stop.is_set()
            return result
        except sqlite3.Error as exc:
            if self._stop.is_set():
                result.cancelled = True
                return result
            name = getattr(exc, "sqlite_errorname", "") or ""
            if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in str(exc):
                result.damage = f"is damaged or unreadable: {exc}"
                return result
            raise ProjectError(self.path, f"could not be checked: {exc}") from exc
        finally:
            with self._lock:
                self._conn = None
            conn.close()


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
