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

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from annotator.store.project import Project, ProjectError, _check_header

# Side files SQLite keeps beside a database; either may hold committed (WAL) or to-be-undone
# (hot journal) content that decides what the database really contains.
SIDE_SUFFIXES: tuple[str, ...] = ("-wal", "-journal")

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

# Bytes 18 and 19 of the header: file format write/read version, 2 for WAL, 1 for a rollback
# journal. An in-memory database cannot be in WAL mode, so a snapshot is marked as legacy.
_WAL_VERSION_OFFSETS = (18, 19)


def open_read_only(path: str | Path) -> Project:
    """Open ``path`` as a read-only :class:`Project` over an in-memory snapshot of its committed
    content; the file, its folder and any side files are left exactly as they were."""
    path = Path(path).expanduser().absolute()
    if not path.exists():
        raise ProjectError(path, "does not exist.")
    if path.is_dir():
        raise ProjectError(path, "is a folder, not a project file.")
    _check_header(path)
    data = _committed_bytes(path)
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


def unwritable_side_files(path: Path) -> list[Path]:
    """``-wal``, ``-shm`` or ``-journal`` files beside ``path`` this process cannot write."""
    found = []
    for suffix in ("-wal", "-shm", "-journal"):
        side = path.with_name(path.name + suffix)
        if side.exists() and not os.access(side, os.W_OK):
            found.append(side)
    return found


def side_file_problem(path: Path) -> str | None:
    """Why a writable project still cannot be written: read-only side files beside it (left,
    say, by an older version that opened the file read-only), or None."""
    stuck = unwritable_side_files(path)
    if not stuck:
        return None
    names = ", ".join(side.name for side in stuck)
    verb = "is" if len(stuck) == 1 else "are"
    return (
        f"{names} beside it {verb} read-only (left behind by a program that opened the project "
        f"read-only); make {'it' if len(stuck) == 1 else 'them'} writable, or delete "
        f"{path.name}-shm, to edit the project"
    )


def read_only_connection(path: Path) -> sqlite3.Connection:
    """A connection for reading ``path`` that leaves nothing behind beside a file this process
    cannot write.

    A file we could write may have a writer at work (the project is open for editing
    elsewhere): it is opened ``mode=ro`` and shares the writer's WAL as SQLite intends. A file
    nobody can be writing through us (read-only file or folder, read-only side files, or a
    file with several hard links, whose side files would be named after just one name) is
    opened ``immutable=1`` when no ``-wal``/``-journal`` content exists, so SQLite creates no
    ``-shm``/``-wal`` beside it, and otherwise read into an in-memory snapshot (see
    :func:`open_read_only`), which also replays the WAL content ``immutable`` would ignore.
    """
    path = Path(path)
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)
    try:
        linked = os.stat(path).st_nlink > 1  # side files named after this name would be wrong
    except OSError:
        linked = False
    if writable and not linked and not unwritable_side_files(path):
        return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    if not side_files(path):
        return sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(_committed_bytes(path))
    except BaseException:
        conn.close()
        raise
    return conn


def side_files(path: Path) -> list[Path]:
    """The non-empty ``-wal``/``-journal`` files beside ``path`` (what SQLite would consult)."""
    found = []
    for suffix in SIDE_SUFFIXES:
        side = path.with_name(path.name + suffix)
        try:
            if side.is_file() and side.stat().st_size > 0:
                found.append(side)
        except OSError:
            continue
    return found


def _committed_bytes(path: Path) -> bytes:
    """The database image a reader would see, as bytes, read without SQLite touching ``path``."""
    sides = side_files(path)
    try:
        if not sides:
            data = bytearray(path.read_bytes())
        else:
            data = bytearray(_recovered_copy(path, sides))
    except OSError as exc:
        raise ProjectError(path, f"cannot be read: {exc.strerror or exc}") from exc
    except sqlite3.DatabaseError as exc:
        raise ProjectError(path, f"is damaged or unreadable: {exc}") from exc
    if len(data) >= 100:
        for offset in _WAL_VERSION_OFFSETS:
            if data[offset] == 2:
                data[offset] = 1
    return bytes(data)


def _recovered_copy(path: Path, sides: list[Path]) -> bytes:
    """Copy the file and its side files into a private temporary folder and let SQLite recover
    the copy there: replay the WAL's committed frames, roll back a hot journal."""
    with tempfile.TemporaryDirectory(prefix="news-annotator-snapshot-") as folder:
        copy = Path(folder) / "snapshot.annot"
        shutil.copyfile(path, copy)
        for side in sides:
            shutil.copyfile(side, copy.with_name(copy.name + side.name[len(path.name) :]))
        conn = sqlite3.connect(copy)
        try:
            conn.execute("PRAGMA trusted_schema = OFF")
            # Reading page 1 makes SQLite open the WAL or roll back the journal.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn.serialize()
        finally:
            conn.close()


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
