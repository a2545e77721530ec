"""The project file's schema, kept as sqlite-utils migrations so files can be upgraded."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

# "NANT" in the file header: tells a News Annotator project from any other SQLite file.
APPLICATION_ID = int.from_bytes(b"NANT", "big")
MIGRATION_SET = "news-annotator"

migrations = Migrations(MIGRATION_SET)


@migrations(name="0001_initial")
def _initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            author TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '',
            published TEXT NOT NULL DEFAULT '',
            imported_at TEXT NOT NULL,
            content_hash TEXT NOT NULL UNIQUE,
            status TEXT NOT NULL DEFAULT 'new'
                CHECK (status IN ('new', 'in progress', 'done')),
            meta TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE labels (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            color TEXT NOT NULL,
            hotkey TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL DEFAULT '',
            position INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE spans (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label_id INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            annotator TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            attributes TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK (0 <= start AND start < "end")
        );
        CREATE INDEX spans_by_article ON spans(article_id, start);
        CREATE INDEX spans_by_label ON spans(label_id);
        CREATE TABLE relations (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            head_id INTEGER NOT NULL REFERENCES spans(id) ON DELETE CASCADE,
            child_id INTEGER NOT NULL REFERENCES spans(id) ON DELETE CASCADE,
            type TEXT NOT NULL,
            annotator TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        CREATE INDEX relations_by_article ON relations(article_id);
        CREATE INDEX relations_by_head ON relations(head_id);
        CREATE INDEX relations_by_child ON relations(child_id);
        CREATE TABLE project_info (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """
    )
    db.table("articles").enable_fts(["title", "text"], create_triggers=True, tokenize="unicode61")


KNOWN_MIGRATIONS = frozenset(m.name for m in migrations._migrations)
