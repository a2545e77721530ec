"""Opening a project file: refusing what is not one of ours before SQLite touches it, deciding
read-only, storage and lock, and preparing the connection (checks, journal mode, migrations,
the backup an upgrade needs first)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from annotator.store import fsinfo
from annotator.store.backup import BackupInfo, backup_before_migration, file_fingerprint
from annotator.store.errors import (
    DISK_FULL,
    IO,
    READ_ONLY,
    ProjectDamaged,
    ProjectEmpty,
    ProjectError,
    ProjectFromNewerVersion,
    ProjectMissing,
    kind_at,
)
from annotator.store.lock import ProjectLock, hard_link_problem
from annotator.store.rows import Handle
from annotator.store.schema import APPLICATION_ID, KNOWN_MIGRATIONS, migrations
from annotator.store.sidefiles import read_only_connection, side_file_problem
from annotator.store.upgrade_copy import upgraded

SQLITE_MAGIC = b"SQLite format 3\x00"
PROJECT_SUFFIX = ".annot"


def database_error(path: Path, exc: sqlite3.DatabaseError) -> ProjectError:
    """The ProjectError for a SQLite error raised while opening ``path``."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in str(exc):
        return ProjectDamaged(path, f"is damaged or unreadable: {exc}")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return ProjectError(path, "is in use by another program; close it there and try again.")
    kind = kind_at(path, exc)  # a full disk shows as "disk I/O error" when -shm cannot grow
    if kind == DISK_FULL:
        return ProjectError(path, "cannot be opened: the disk is full. Free some space first.")
    if kind in (IO, READ_ONLY):
        return ProjectError(path, f"cannot be opened: {kind} error ({exc}).")
    return ProjectError(path, f"cannot be opened: {exc}")


def check_header(path: Path) -> None:
    """Refuse a file that is not a SQLite database of ours, without opening it for writing."""
    try:
        with path.open("rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        raise ProjectError(path, f"cannot be read: {exc.strerror or exc}") from exc
    if not header:
        return  # an empty file becomes a new project
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise ProjectError(path, "is not a News Annotator project (not a SQLite database).")
    app_id = int.from_bytes(header[68:72], "big")
    if app_id not in (0, APPLICATION_ID):
        raise ProjectError(
            path, "is a database of another application, not a News Annotator project."
        )


@dataclass(slots=True)
class Connected:
    """A project file connected to, with what was decided before SQLite touched it."""

    path: Path
    conn: sqlite3.Connection
    new: bool  # no file yet: it becomes a new project
    read_only: bool
    read_only_reason: str | None  # why a file asked for writing is read-only
    storage: fsinfo.StorageInfo
    lock: ProjectLock | None
    fingerprint: dict[str, int] | None  # of the file as found, for the backup on opening
    # Removes the private copy an older file read read-only was upgraded in (if one is left).
    cleanup: Callable[[], object] | None = None

    def abandon(self) -> None:
        """A refused file must not stay open (and locked) behind the error."""
        self.conn.close()
        if self.cleanup is not None:
            self.cleanup()
        if self.lock is not None:
            self.lock.release()


def connect(path: str | Path, *, create: bool, read_only: bool, lock: bool) -> Connected:
    """Check ``path``, decide read-only, storage and lock, and connect (see ``Project.open``)."""
    path = Path(path).expanduser().absolute()
    exists = path.exists()
    if not exists and (not create or read_only):
        raise ProjectMissing(path, "does not exist.")
    if exists:
        if path.is_dir():
            raise ProjectError(path, "is a folder, not a project file.")
        check_header(path)
    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProjectError(path, f"cannot be created: {exc.strerror or exc}") from exc
    if exists and path.stat().st_size == 0:
        raise ProjectEmpty(
            path,
            "is empty (0 bytes): it was emptied, perhaps by a failed sync or an interrupted "
            "copy. Restore its newest backup, or delete the empty file to start anew.",
        )
    new = not exists
    # Durability: decide read-only, storage and lock before SQLite touches the file.
    read_only_reason = None
    if new and not os.access(path.parent, os.W_OK | os.X_OK):
        raise ProjectError(path, "cannot be created: its folder is read-only.")
    if not new and not read_only:
        problem = fsinfo.write_problem(path) or hard_link_problem(path) or side_file_problem(path)
        if problem is not None:
            read_only, read_only_reason = True, f"opened read-only because {problem}"
    storage = fsinfo.detect_storage(path)
    held = ProjectLock.acquire(path) if lock and not read_only else None
    try:
        fingerprint = file_fingerprint(path)
        cleanup = None
        if read_only:
            # An older file is read through an upgraded private copy, never migrated in place.
            conn, cleanup = upgraded(path, read_only_connection(path), in_memory=False)
        else:
            conn = sqlite3.connect(str(path))
    except BaseException as exc:
        if held is not None:
            held.release()
        if isinstance(exc, sqlite3.DatabaseError):
            raise database_error(path, exc) from exc
        raise
    return Connected(
        path, conn, new, read_only, read_only_reason, storage, held, fingerprint, cleanup
    )


def prepare(
    handle: Handle, *, new: bool, storage: fsinfo.StorageInfo | None, quick_check: bool = True
) -> tuple[BackupInfo | None, bool]:
    """Check an opened file and bring its schema up to date; return the backup taken before an
    upgrade and whether the schema was created just now (the caller then seeds it).

    ``quick_check`` False skips SQLite's check of every page (seconds for a file of hundreds of
    megabytes) for a file known to be as this app left it; the caller checks it later, off the
    GUI thread (:class:`~annotator.store.integrity.FileCheck`)."""
    conn, path, db = handle.conn, handle.path, handle.db
    conn.execute("PRAGMA foreign_keys = ON")
    if handle.read_only:
        # Read-only files are often colleagues' (untrusted): no SQL function with side
        # effects may run from their schema. (A writable project needs it on: the full-text
        # index's triggers write to a virtual table.)
        conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("PRAGMA busy_timeout = 5000")
    # 32 MB of page cache (SQLite's default is 2 MB): a long article's text fills thousands of
    # overflow pages, which every read of a column after it walks through.
    conn.execute("PRAGMA cache_size = -32768")
    if not new:
        if quick_check:
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise ProjectDamaged(path, f"is damaged: {check}")
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        has_tables = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        ).fetchone()[0]
        if app_id != APPLICATION_ID and has_tables:
            raise ProjectError(
                path, "is a database of another application, not a News Annotator project."
            )
        applied = {m.name for m in migrations.applied(db)}
        if handle.read_only and not applied:
            # Nothing to show and nothing may be created: an empty database is no project.
            raise ProjectError(path, "is not a News Annotator project (no project data).")
        unknown = applied - KNOWN_MIGRATIONS
        if unknown and not handle.read_only:
            raise ProjectFromNewerVersion(
                path,
                "was written by a newer version of News Annotator; "
                "open it read-only or update the app.",
            )
    if handle.read_only:
        return None, False
    # Durability: an existing file is backed up before its schema is upgraded, and is not
    # upgraded (nor touched) when no backup can be made (store/backup.py).
    migration_backup = None
    if not new and migrations.applied(db) and migrations.pending(db):
        migration_backup = backup_before_migration(handle)
    # Before WAL: so a new file carries its identity in the main file's header at once, not
    # only in the WAL until the first checkpoint.
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    if storage is None or not storage.unsafe_for_wal:
        # WAL + synchronous=NORMAL: a commit is one append to the WAL, not synced. A crash
        # or kill of the app loses no committed action (tests/store/test_durability_kill.py);
        # only a power cut or OS crash can drop the last commits not yet written back by the
        # OS, never corrupting the file. The backup timer's checkpoint syncs everything each
        # period, and backups bound the rest; FULL would sync on every single action.
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    else:
        # Network drives cannot share WAL's memory-mapped index and sync clients copy the
        # main file without its -wal: a rollback journal, synced on every commit, keeps the
        # main file complete after each action.
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA synchronous = FULL")
    fresh = not migrations.applied(db)
    migrations.apply(db)
    return migration_backup, fresh
