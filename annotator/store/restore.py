"""Putting a backup back: the current file is backed up first (byte for byte when SQLite cannot
read it), and the backup is written beside the target, checked and moved over it in one rename,
under the target's write lock."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from annotator.store.backup_files import (
    BackupInfo,
    atomic_write_json,
    backup_dir,
    connect,
    copy_database,
    fsync_path,
    new_name,
    write_backup,
)
from annotator.store.errors import ProjectDamaged, ProjectError
from annotator.store.lock import ProjectLock
from annotator.store.schema import APPLICATION_ID

__all__ = ["restore_backup"]


def _check_source(path: Path) -> None:
    try:
        conn = connect(path, read_only=True)
        try:
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise ProjectDamaged(path, f"is damaged or unreadable: {exc}") from exc
    if check != "ok":
        raise ProjectDamaged(path, f"is damaged: {check}")
    if app_id != APPLICATION_ID:
        raise ProjectError(path, "is not a News Annotator backup.")


def _keep_damaged_copy(target: Path, root: Path | None, reason: str) -> BackupInfo:
    """Keep an unreadable project byte for byte (with its -wal) before it is replaced."""
    folder = backup_dir(target, root)
    folder.mkdir(parents=True, exist_ok=True)
    created = datetime.now(UTC)
    final = new_name(folder, created, reason)
    for suffix in ("", "-wal", "-journal"):
        source = Path(f"{target}{suffix}")
        if source.exists():
            shutil.copyfile(source, Path(f"{final}{suffix}"))
            fsync_path(Path(f"{final}{suffix}"))
    info = BackupInfo(
        final, target, created, reason, None, None, final.stat().st_size, (), damaged=True
    )
    atomic_write_json(final.with_suffix(".json"), info._sidecar())
    fsync_path(folder, directory=True)
    return info


def _backup_file(target: Path, reason: str, root: Path | None) -> BackupInfo:
    """Back up a project file that is not open (through SQLite if it can read it)."""
    try:
        conn = connect(target, read_only=True)
        try:
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("damaged")
            return write_backup(conn, target, reason, root=root)
        finally:
            conn.close()
    except (sqlite3.Error, ProjectError):
        return _keep_damaged_copy(target, root, reason)


def restore_backup(
    info: BackupInfo, target_path: str | Path, *, root: Path | None = None
) -> BackupInfo | None:
    """Put a backup's contents at ``target_path`` and return the backup of what was there.

    The project must not be open (close it first): the target's write lock is taken for the
    whole restore and :class:`~annotator.store.lock.ProjectLocked` raised when it is held. The
    current file is backed up first (a byte copy if SQLite cannot read it); the backup is then
    written through the backup API into a temporary file beside the target, checked, and moved
    over the target in one atomic rename. The target's -wal, -shm and -journal are removed
    first, since SQLite would otherwise replay them into the restored file.
    """
    target = Path(target_path).expanduser().absolute()
    _check_source(info.path)
    if target.is_dir():
        raise ProjectError(target, "is a folder, not a project file.")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ProjectError(target, f"cannot be written: {exc.strerror or exc}") from exc
    lock = ProjectLock.acquire(target, heartbeat_every=None)
    try:
        before = None
        if target.exists() and target.stat().st_size > 0:
            before = _backup_file(target, "before-restore", root)
        tmp = target.with_name(f".{target.name}.restore-{os.getpid()}.part")
        try:
            source = connect(info.path, read_only=True)
            try:
                copy_database(source, tmp)
            finally:
                source.close()
            for suffix in ("-wal", "-shm", "-journal"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            os.replace(tmp, target)
            fsync_path(target.parent, directory=True)
        except (OSError, sqlite3.Error) as exc:
            raise ProjectError(target, f"could not be restored: {exc}") from exc
        finally:
            for leftover in (tmp, Path(f"{tmp}-journal")):
                leftover.unlink(missing_ok=True)
        return before
    finally:
        lock.release()
