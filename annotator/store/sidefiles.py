"""Side files beside a project file (``-wal``, ``-shm``, ``-journal``) and reading a file
without leaving any: the connection a read-only open uses, and the committed database image
read without SQLite touching the file. Nothing here needs an open project."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from annotator.store.errors import ProjectError

# Side files SQLite keeps beside a database; either may hold committed (WAL) or to-be-undone
# (hot journal) content that decides what the database really contains.
SIDE_SUFFIXES: tuple[str, ...] = ("-wal", "-journal")

# Bytes 18 and 19 of the header: file format write/read version, 2 for WAL, 1 for a rollback
# journal. An in-memory database cannot be in WAL mode, so a snapshot is marked as legacy.
_WAL_VERSION_OFFSETS = (18, 19)


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
        conn.deserialize(committed_bytes(path))
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


def committed_bytes(path: Path) -> bytes:
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
        conn = sqlite3.connect(recovered_copy(path, sides, Path(folder)))
        try:
            return conn.serialize()
        finally:
            conn.close()


def recovered_copy(path: Path, sides: list[Path], folder: Path) -> Path:
    """Copy the file and its side files into ``folder`` (private) and let SQLite recover the
    copy there: replay the WAL's committed frames into it, roll back a hot journal. Returns the
    copy, a file in rollback-journal mode with no side file left."""
    copy = folder / "snapshot.annot"
    try:
        shutil.copyfile(path, copy)
        for side in sides:
            shutil.copyfile(side, copy.with_name(copy.name + side.name[len(path.name) :]))
    except OSError as exc:
        raise ProjectError(path, f"cannot be read: {exc.strerror or exc}") from exc
    conn = sqlite3.connect(copy)
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
        # Reading page 1 makes SQLite open the WAL or roll back the journal.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            conn.execute("PRAGMA journal_mode = DELETE")  # folds the WAL into the copy
    except sqlite3.DatabaseError as exc:
        raise ProjectError(path, f"is damaged or unreadable: {exc}") from exc
    finally:
        conn.close()
    return copy
