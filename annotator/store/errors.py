"""What the store raises, and store failures in words.

Every module of the store (and the layers above it) imports its errors from here, so the
durability modules (lock, backup, integrity) need nothing from the project itself.

A write can fail for reasons that have nothing to do with the data: the disk is full, another
program holds the file, the file was moved or deleted while open, it became read-only, the drive
went away. SQLite reports these as ``sqlite3.OperationalError`` with a code, the operating system
as ``OSError`` with an errno; :func:`store_failure` turns either into a :class:`StoreWriteFailed`
naming the file, the cause and what to do, and :func:`translated` does it around a block.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class ProjectError(Exception):
    """A project file that cannot be opened or an operation the project refuses."""

    def __init__(self, path: Path | str | None, message: str) -> None:
        self.path = Path(path) if path is not None else None
        self.message = message
        super().__init__(f"{path}: {message}" if path is not None else message)


class ReadOnlyError(ProjectError):
    pass


class ProjectMissing(ProjectError):
    """The file is not there (moved, deleted, or on a drive that is not connected)."""


class ProjectDamaged(ProjectError):
    """SQLite cannot read the file, or it fails its check: offer to restore a backup."""


class ProjectFromNewerVersion(ProjectError):
    """Written by a newer release: it may be opened read-only, never written."""


class ProjectEmpty(ProjectError):
    """The file is there but holds nothing (0 bytes): a failed sync or an interrupted copy, not
    a new project. Offer the newest backup, or a new project in its place."""


# What SQLite raises: the layers above the store catch it by this name, never importing sqlite3.
SQLiteError = sqlite3.Error

# The kinds of failure, for callers that react differently (tests, the status bar).
DISK_FULL = "disk full"
LOCKED = "locked"
GONE = "file gone"
READ_ONLY = "read-only"
DAMAGED = "damaged"
IO = "input/output"
OTHER = "other"

_ADVICE = {
    DISK_FULL: "the disk is full. Free some space (or move the project to a disk with room), "
    "then try again; nothing of this change was saved and your earlier work is safe.",
    LOCKED: "another program is writing to it (the file is locked). Close the project in the "
    "other program, then try again; nothing of this change was saved.",
    GONE: "the file was moved, renamed or deleted while it was open, so changes can no longer "
    "be saved to it. Use Save a Copy to keep your work.",
    READ_ONLY: "the file or its folder has become read-only. Make it writable again (or use "
    "Save a Copy), then try again; nothing of this change was saved.",
    DAMAGED: "the file is damaged. Close it and restore a backup; nothing of this change was "
    "saved.",
    IO: "the disk reported an input/output error (was a drive disconnected?). Check the disk, "
    "then try again; nothing of this change was saved.",
}


class StoreWriteFailed(ProjectError):
    """A change could not be saved for a reason outside the data (disk, lock, file system)."""

    def __init__(self, path: Path | str | None, kind: str, detail: str) -> None:
        self.kind = kind
        self.detail = detail
        self.advice = _ADVICE.get(kind, f"it could not be written ({detail}).")
        super().__init__(path, f"was not changed: {self.advice}")


def kind_of(exc: BaseException) -> str:
    """Which of the kinds above an exception from SQLite or the operating system is."""
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        name = getattr(exc, "sqlite_errorname", "") or ""
        text = str(exc).lower()
        if code == sqlite3.SQLITE_FULL or name == "SQLITE_FULL" or "disk is full" in text:
            return DISK_FULL
        if name == "SQLITE_READONLY_DBMOVED":
            return GONE
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
            return LOCKED
        if name.startswith("SQLITE_READONLY") or "readonly database" in text:
            return READ_ONLY
        if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text:
            return DAMAGED
        if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")) or "disk i/o" in text:
            return IO
        return OTHER
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            return DISK_FULL
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return READ_ONLY
        if exc.errno == errno.ENOENT:
            return GONE
        if exc.errno == errno.EIO:
            return IO
    return OTHER


def kind_at(path: Path | str | None, exc: BaseException) -> str:
    """:func:`kind_of`, except that an input/output error on a disk with no room left is a full
    disk: SQLite reports a -shm or -wal it cannot grow as "disk I/O error"."""
    kind = kind_of(exc)
    if kind in (IO, OTHER) and path is not None:
        try:
            if os.statvfs(Path(path).parent).f_bavail == 0:
                return DISK_FULL
        except (OSError, AttributeError):  # no statvfs on Windows
            pass
    return kind


def store_failure(path: Path | str | None, exc: BaseException) -> StoreWriteFailed:
    """The :class:`StoreWriteFailed` for an error raised while writing ``path``."""
    if isinstance(exc, StoreWriteFailed):
        return exc
    detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return StoreWriteFailed(path, kind_at(path, exc), detail or type(exc).__name__)


@contextmanager
def translated(path: Path | str | None) -> Iterator[None]:
    """Raise :class:`StoreWriteFailed` for any SQLite or OS error of the block."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        raise store_failure(path, exc) from exc
