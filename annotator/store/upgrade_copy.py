"""Reading a project file from an older version of the app, read-only: its schema upgraded in a
private copy, never in the file.

A file opened read-only (a colleague's file, one locked by another window, one on read-only
media) is never migrated in place, yet the app reads tables and indexes the newer migrations
add (the labels and annotators each article holds, the index of the articles' status, outlet
and date...). So when such a file lacks migrations this app knows, what was read of it is
copied and the missing migrations run on the copy:

* a copy already in memory (a snapshot) is upgraded where it is;
* a file up to :data:`MEMORY_LIMIT` is copied into memory (SQLite's own image of what it
  reads: the committed content);
* a larger one is copied, through SQLite's backup, into a private temporary folder that is
  removed at once (on POSIX the open copy stays readable), so two large files do not take
  gigabytes of memory.

Nothing is written beside the original: the copy is read through the connection that already
reads it, which was opened so as to leave no side files.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from sqlite_utils import Database

from annotator.store.errors import ProjectDamaged
from annotator.store.schema import KNOWN_MIGRATIONS, migrations

# Files up to this size are copied into memory to be upgraded; larger ones into a private folder.
MEMORY_LIMIT = 64 * 1024 * 1024


def needs_upgrade(conn: sqlite3.Connection) -> bool:
    """Whether the project on ``conn`` lacks migrations this app knows (and holds none it does
    not: a newer file is read as it is)."""
    db = Database(conn, execute_plugins=False)
    applied = {m.name for m in migrations.applied(db)}
    return bool(applied) and not (applied - KNOWN_MIGRATIONS) and bool(KNOWN_MIGRATIONS - applied)


def upgraded(
    path: Path, conn: sqlite3.Connection, *, in_memory: bool
) -> tuple[sqlite3.Connection, Callable[[], object] | None]:
    """``conn`` itself when its project is up to date; otherwise a connection to an upgraded
    copy of it (``conn`` is then closed), with the clean-up of the copy's folder if one is left
    to remove. ``in_memory`` says ``conn`` is a private in-memory snapshot, upgraded in place.
    ``path`` names the original in errors; it is never written."""
    try:
        if not needs_upgrade(conn):
            return conn, None
    except sqlite3.DatabaseError:
        return conn, None  # opening's own checks name what is wrong with the file
    try:
        folder: Path | None = None
        if in_memory:
            copy = conn
        elif _size(conn) <= MEMORY_LIMIT:
            copy = sqlite3.connect(":memory:")
            copy.deserialize(_legacy(conn.serialize()))
        else:
            copy, folder = _on_disk_copy(conn)
        try:
            # The file is untrusted: nothing from its schema runs functions with side effects.
            copy.execute("PRAGMA trusted_schema = OFF")
            migrations.apply(Database(copy, execute_plugins=False))
        except BaseException:
            if copy is not conn:
                copy.close()
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
            raise
    except sqlite3.DatabaseError as exc:
        raise ProjectDamaged(path, f"is damaged or unreadable: {exc}") from exc
    if copy is not conn:
        conn.close()
    if folder is None:
        return copy, None
    if os.name == "posix":  # the open copy stays readable; nothing is left behind
        shutil.rmtree(folder, ignore_errors=True)
        return copy, None
    return copy, partial(shutil.rmtree, folder, ignore_errors=True)


def _legacy(image: bytes) -> bytes:
    """A database image marked as in rollback-journal mode: one in memory cannot be in WAL."""
    data = bytearray(image)
    if len(data) >= 100:
        for offset in (18, 19):
            if data[offset] == 2:
                data[offset] = 1
    return bytes(data)


def _size(conn: sqlite3.Connection) -> int:
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    return int(pages) * int(size)


def _on_disk_copy(conn: sqlite3.Connection) -> tuple[sqlite3.Connection, Path]:
    """A copy of ``conn``'s database in a new private folder (removed by the caller)."""
    folder = Path(tempfile.mkdtemp(prefix="news-annotator-upgrade-"))
    try:
        copy = sqlite3.connect(folder / "upgraded.annot")
        try:
            conn.backup(copy)
            copy.execute("PRAGMA journal_mode = MEMORY")  # no journal file beside the copy
        except BaseException:
            copy.close()
            raise
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return copy, folder
