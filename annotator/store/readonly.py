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
read-only folder.

A file larger than :data:`SNAPSHOT_LIMIT` is not held in memory (two colleagues' files of
100,000 articles would take gigabytes): without side files it is read in place with
``immutable=1``, which then shows exactly the committed content, and its size and times are
compared before and after the reading (:func:`check_unchanged`), so that a program writing it
meanwhile is noticed rather than read half-written; with side files the recovered copy stays in
the private temporary folder and is read from there. The snapshot is then checked like an untrusted file: SQLite header and
application id, ``quick_check``, the recorded migrations and the tables and columns this app
reads; any failure is a :class:`ProjectError` naming the file.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import weakref
from collections.abc import Callable
from functools import partial
from pathlib import Path

from annotator.store.errors import ProjectError
from annotator.store.opening import check_header
from annotator.store.project import Project
from annotator.store.sidefiles import committed_bytes, recovered_copy, side_files
from annotator.store.upgrade_copy import upgraded

# Files up to this size are read into memory; larger ones are read from disk (module doc).
SNAPSHOT_LIMIT = 64 * 1024 * 1024

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
    """Open ``path`` as a read-only :class:`Project` over a snapshot of its committed content
    (in memory, or on disk for a large file); the file, its folder and any side files are left
    exactly as they were."""
    path = Path(path).expanduser().absolute()
    if not path.exists():
        raise ProjectError(path, "does not exist.")
    if path.is_dir():
        raise ProjectError(path, "is a folder, not a project file.")
    check_header(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ProjectError(path, f"cannot be read: {exc.strerror or exc}") from exc
    if size > SNAPSHOT_LIMIT:
        conn, cleanup = _on_disk(path)
    else:
        conn, cleanup = _in_memory(path), None
    try:
        conn, cleanup = _upgraded(path, conn, cleanup, in_memory=size <= SNAPSHOT_LIMIT)
        try:
            # A colleague's schema is untrusted: no functions with side effects run from it.
            conn.execute("PRAGMA trusted_schema = OFF")
        except sqlite3.DatabaseError as exc:
            raise ProjectError(path, f"is damaged or unreadable: {exc}") from exc
        project = Project.from_connection(path, conn)
        if cleanup is not None:
            weakref.finalize(project, cleanup)  # once the project is gone
        try:
            check_schema(project)
            conn.execute("PRAGMA query_only = ON")  # a second lock behind Project's own refusal
        except BaseException:
            project.close()
            raise
    except BaseException:
        conn.close()
        if cleanup is not None:
            cleanup()
        raise
    return project


def _upgraded(
    path: Path,
    conn: sqlite3.Connection,
    cleanup: Callable[[], object] | None,
    *,
    in_memory: bool,
) -> tuple[sqlite3.Connection, Callable[[], object] | None]:
    """The snapshot with the migrations of a file from an older version applied to it (the
    file itself is never migrated: store/upgrade_copy.py); a file read in place is copied, and
    checked unchanged by the copying."""
    reading = _read_in_place.get(id(conn))
    copy, copy_cleanup = upgraded(path, conn, in_memory=in_memory)
    if copy is conn:
        return conn, cleanup
    if reading is not None and _fingerprint(reading[0]) != reading[1]:
        copy.close()
        if copy_cleanup is not None:
            copy_cleanup()
        raise ProjectError(
            path,
            "changed while it was being read (is it open in News Annotator elsewhere?); "
            "nothing was done with it. Try again once it is closed.",
        )
    if cleanup is not None:
        cleanup()  # the old connection is closed: its copy (or its record) can go
    return copy, copy_cleanup


def _in_memory(path: Path) -> sqlite3.Connection:
    data = committed_bytes(path)
    if not data:
        raise ProjectError(path, "is empty, not a News Annotator project.")
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(data)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise ProjectError(path, f"is damaged or unreadable: {exc}") from exc
    return conn


def _on_disk(path: Path) -> tuple[sqlite3.Connection, Callable[[], object] | None]:
    """A connection reading a large file without holding it in memory (see the module doc)."""
    sides = side_files(path)
    if not sides:
        fingerprint = _fingerprint(path)
        conn = _immutable(path)
        _read_in_place[id(conn)] = (path, fingerprint)
        return conn, partial(_read_in_place.pop, id(conn), None)
    folder = Path(tempfile.mkdtemp(prefix="news-annotator-snapshot-"))
    try:
        copy = recovered_copy(path, sides, folder)
        conn = _immutable(copy)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if os.name == "posix":  # the open file stays readable; nothing is left behind
        shutil.rmtree(folder, ignore_errors=True)
        return conn, None
    return conn, partial(shutil.rmtree, folder, ignore_errors=True)


def _immutable(path: Path) -> sqlite3.Connection:
    try:
        return sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.DatabaseError as exc:
        raise ProjectError(path, f"is damaged or unreadable: {exc}") from exc


# Connections reading a file in place -> (the file, its fingerprint when opened).
_read_in_place: dict[int, tuple[Path, tuple[int, ...]]] = {}


def _fingerprint(path: Path) -> tuple[int, ...]:
    """Size and times of the file and of any side file: equal means unchanged."""
    values: list[int] = []
    for name in (path.name, path.name + "-wal", path.name + "-journal"):
        try:
            info = os.stat(path.with_name(name))
        except OSError:
            values.extend((-1, -1, -1))
            continue
        values.extend((info.st_size, info.st_mtime_ns, info.st_ino))
    return tuple(values)


def check_unchanged(project: Project) -> None:
    """Raise :class:`ProjectError` if a file read in place was written since it was opened
    (what was read may mix two states of it); nothing to check for a snapshot."""
    found = _read_in_place.get(id(project.db.conn))
    if found is None:
        return
    path, fingerprint = found
    if _fingerprint(path) != fingerprint:
        raise ProjectError(
            path,
            "changed while it was being read (is it open in News Annotator elsewhere?); "
            "nothing was done with it. Try again once it is closed.",
        )


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
