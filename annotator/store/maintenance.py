"""Keeping a project in order: its small key/value records, schema version, counts, the check
for spans whose text drifted, and self-contained copies."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from annotator.store.errors import ProjectError
from annotator.store.integrity import SpanMismatch, relations_across_articles, span_mismatches
from annotator.store.rows import Handle
from annotator.store.schema import migrations


class Maintenance:
    """Project-wide records and checks of one project."""

    def __init__(self, handle: Handle) -> None:
        self._h = handle

    def schema_version(self) -> list[str]:
        return [m.name for m in migrations.applied(self._h.db)]

    def set_info(self, key: str, value: str) -> None:
        """Set a project_info record inside the caller's transaction."""
        self._h.conn.execute(
            "INSERT INTO project_info(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def info(self, key: str, default: str = "") -> str:
        row = self._h.conn.execute(
            "SELECT value FROM project_info WHERE key = ?", (key,)
        ).fetchone()
        return str(row[0]) if row else default

    def counts(self) -> dict[str, int]:
        conn = self._h.conn
        return {
            "articles": conn.execute("SELECT count(*) FROM articles").fetchone()[0],
            "spans": conn.execute("SELECT count(*) FROM spans").fetchone()[0],
            "relations": conn.execute("SELECT count(*) FROM relations").fetchone()[0],
            "labels": conn.execute("SELECT count(*) FROM labels").fetchone()[0],
        }

    def check_spans(self) -> list[SpanMismatch]:
        """Spans whose stored text differs from the article at their offsets. Read-only: such
        spans are reported, never shifted to fit."""
        return span_mismatches(self._h.conn)

    def relations_across_articles(self) -> list[tuple[int, int, int]]:
        """``(relation id, head's article, child's article)`` of relations that leave their
        article (see :func:`~annotator.store.integrity.relations_across_articles`)."""
        return relations_across_articles(self._h.conn)

    def copy_to(self, target: str | Path) -> None:
        """Write a self-contained copy (rollback journal, no WAL) that can be mailed."""
        target = Path(target).expanduser().absolute()
        if target == self._h.path:
            raise ProjectError(target, "is the open project itself.")
        tmp = target.with_name(target.name + ".part")
        try:
            tmp.unlink(missing_ok=True)
            dest = sqlite3.connect(str(tmp))
            try:
                dest.execute("PRAGMA foreign_keys = ON")  # like every connection of the store
                self._h.conn.backup(dest)
                dest.execute("PRAGMA journal_mode = DELETE")
                dest.commit()
            finally:
                dest.close()
            tmp.replace(target)
        except (OSError, sqlite3.Error) as exc:
            tmp.unlink(missing_ok=True)
            raise ProjectError(target, f"cannot be written: {exc}") from exc
