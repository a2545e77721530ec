"""Opening a colleague's project file strictly read-only, as an in-memory snapshot.

SQLite itself cannot promise that reading leaves a file alone: a read-only connection to a WAL
database creates (and keeps) ``-shm`` and ``-wal`` files beside it, and ``immutable=1`` avoids
that only by ignoring the ``-wal`` content and any hot rollback journal, so it shows a state the
colleague never committed. So the file is never handed to SQLite at all:

* without side files, Python reads its bytes and SQLite deserializes them into memory;
* with a non-empty ``-wal`` or ``-journal`` beside it, the file and that side file are copied into
  a private temporary folder, SQLite opens the copy there (replaying the WAL or rolling back the
  unfinished transaction, exactly as it would for the colleague) and the result is serialized
  into memory; the temporary folder is removed at once.

Either way nothing is created, changed or locked beside the original, which also works in a
read-only folder. The snapshot is then checked like an untrusted file: SQLite header and
application id, ``quick_check``, the recorded migrations and the tables and columns this app
reads; any failure is a :class:`ProjectError` naming the file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from annotator.store.errors import ProjectError
from annotator.store.opening import check_header
from annotator.store.project import Project
from annotator.store.sidefiles import committed_bytes

# The tables and columns the review code reads: a file lacking any of them is refused up front
# rather than failing half-way through a comparison.
REQUIRED_COLUMNS: dict[str, frozenset[str]] = {
    "articles": frozenset(
        {
            "id",
            "title",
            "text",
            "source",
            "author",
            "url",
            "published",
            "imported_at",
            "content_hash",
            "status",
            "meta",
        }
    ),
    "labels": frozenset({"id", "name", "color", "hotkey", "description", "position"}),
    "spans": frozenset(
        {
            "id",
            "article_id",
            "start",
            "end",
            "label_id",
            "text",
            "annotator",
            "note",
            "attributes",
            "created_at",
            "updated_at",
        }
    ),
    "relations": frozenset(
        {"id", "article_id", "head_id", "child_id", "type", "annotator", "created_at"}
    ),
    "project_info": frozenset({"key", "value"}),
}


def open_read_only(path: str | Path) -> Project:
    """Open ``path`` as a read-only :class:`Project` over an in-memory snapshot of its committed
    content; the file, its folder and any side files are left exactly as they were."""
    path = Path(path).expanduser().absolute()
    if not path.exists():
        raise ProjectError(path, "does not exist.")
    if path.is_dir():
        raise ProjectError(path, "is a folder, not a project file.")
    check_header(path)
    data = committed_bytes(path)
    if not data:
        raise ProjectError(path, "is empty, not a News Annotator project.")
    conn = sqlite3.connect(":memory:")
    try:
        try:
            conn.deserialize(data)
            # A colleague's schema is untrusted: no functions with side effects run from it.
            conn.execute("PRAGMA trusted_schema = OFF")
        except sqlite3.DatabaseError as exc:
            raise ProjectError(path, f"is damaged or unreadable: {exc}") from exc
        project = Project.from_connection(path, conn)
        try:
            check_schema(project)
            conn.execute("PRAGMA query_only = ON")  # a second lock behind Project's own refusal
        except BaseException:
            project.close()
            raise
    except BaseException:
        conn.close()
        raise
    return project


def check_schema(project: Project) -> None:
    """Refuse a project whose tables lack what this app reads, naming the file."""
    conn = project.db.conn
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    problems = []
    for table, needed in REQUIRED_COLUMNS.items():
        if table not in tables:
            problems.append(f"no table {table!r}")
            continue
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        missing = sorted(needed - columns)
        if missing:
            problems.append(f"table {table!r} lacks {', '.join(missing)}")
    if problems:
        raise ProjectError(
            project.path, "is not a usable News Annotator project: " + "; ".join(problems) + "."
        )
