"""Rolling backups of project files through SQLite's backup API, kept in the user's data folder.

Backups are taken when a project is opened (unless the file is unchanged since the backup taken
when it was last closed), from a GUI timer while it changes (:meth:`BackupManager.maybe_backup`),
when it is closed after changes, and always before a schema migration. Each is a complete,
self-contained single file (rollback journal, no -wal) under
``data_dir()/backups/<stem>-<hash of the project's path>/``, with a JSON sidecar that says when
and why it was taken and how many articles and spans it holds.

This module holds what backs up the open project (:class:`BackupManager`); the backup folder
itself (writing, listing, pruning) is :mod:`annotator.store.backup_files` and restoring is
:mod:`annotator.store.restore`. The names callers use are importable from here.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from sqlite_utils import Database

from annotator.store.backup_files import (
    BackupInfo,
    RetentionPolicy,
    atomic_write_json,
    backup_dir,
    backups_root,
    latest_backup,
    list_backups,
    project_key,
    read_backup_info,
    remove_leftovers,
    write_backup,
)
from annotator.store.errors import ProjectError
from annotator.store.restore import restore_backup

__all__ = [
    "BackupInfo",
    "BackupManager",
    "ProjectVanished",
    "RetentionPolicy",
    "backup_before_migration",
    "backup_equal_to",
    "backup_dir",
    "backups_root",
    "file_fingerprint",
    "latest_backup",
    "list_backups",
    "project_key",
    "restore_backup",
    "write_backup",
]

STATE_FILE = "state.json"
DEFAULT_INTERVAL = 10 * 60.0  # seconds between periodic backups of a changing project


class OpenFile(Protocol):
    """An open project file: its path and database."""

    path: Path
    db: Database


class OpenProject(OpenFile, Protocol):
    """What backups need of an open project (:class:`~annotator.store.project.Project`)."""

    read_only: bool
    migration_backup: BackupInfo | None


class ProjectVanished(ProjectError):
    """The open project's file was moved, deleted or replaced; its data went to a backup."""

    def __init__(self, path: Path, backup: BackupInfo | None) -> None:
        self.backup = backup
        where = (
            f" Everything up to now is safe in the backup {backup.path}."
            if backup is not None
            else ""
        )
        super().__init__(
            path,
            "was moved, renamed, deleted or replaced by another program while it was open, so "
            f"changes can no longer be saved to it.{where} Use Save a Copy to keep working.",
        )


# ---------------------------------------------------------------------- the open project
def file_fingerprint(path: Path) -> dict[str, int] | None:
    """Size, times and identity of a project file and its -wal: equal fingerprints mean an
    unchanged file."""
    try:
        main = os.stat(path)
    except OSError:
        return None
    fingerprint = {
        "size": main.st_size,
        "mtime_ns": main.st_mtime_ns,
        "ino": main.st_ino,
        "dev": main.st_dev,
    }
    try:
        wal = os.stat(f"{path}-wal")
        fingerprint["wal_size"], fingerprint["wal_mtime_ns"] = wal.st_size, wal.st_mtime_ns
    except OSError:
        pass
    return fingerprint


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def backup_before_migration(project: OpenFile, *, root: Path | None = None) -> BackupInfo:
    """Called by Project.open before it upgrades an existing file: refuse to upgrade without."""
    try:
        return write_backup(project.db.conn, project.path, "before-migration", root=root)
    except ProjectError as exc:
        raise ProjectError(
            project.path,
            f"was not upgraded to this version's format because no backup could be made "
            f"first ({exc.message}). Free some disk space, or open it read-only.",
        ) from exc


class BackupManager:
    """Backups of one open, writable project.

    The GUI calls :meth:`maybe_backup` from a timer (say every minute): it backs up when the
    project changed since the last backup and ``interval`` seconds have passed. Each call also
    checkpoints the WAL when anything changed, so committed work reaches the main file (and the
    disk) within one timer period, and notices a project file that was moved or deleted while
    open (raising :class:`ProjectVanished` after backing up the live data).
    """

    def __init__(
        self,
        project: OpenProject,
        *,
        interval: float = DEFAULT_INTERVAL,
        root: Path | None = None,
        policy: RetentionPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.project = project
        self.interval = interval
        self.root = root
        self.policy = policy or RetentionPolicy()
        self.last_backup: BackupInfo | None = None
        self.last_error: str | None = None  # why the last automatic backup failed, for the GUI
        self.open_backup_due = False  # opened(defer=True) left the backup on opening to take
        self._clock = clock
        self._conn = project.db.conn
        self._baseline = self._conn.total_changes
        self._ticked = self._baseline
        self._last_backup_at = clock()
        self._identity = _identity(project.path)
        # A backup killed last time (power cut, kill) left a project-sized temporary file.
        remove_leftovers(project.path, root=root)

    # ---- queries
    @property
    def changed_since_backup(self) -> bool:
        return self._conn.total_changes != self._baseline

    def backups(self) -> list[BackupInfo]:
        return list_backups(self.project.path, root=self.root)

    # ---- actions
    def backup_now(self, reason: str = "manual") -> BackupInfo:
        """Back up the committed state now (raises :class:`ProjectError` when it cannot)."""
        if self._conn.in_transaction:
            raise ProjectError(self.project.path, "cannot be backed up in the middle of a change")
        changes = self._conn.total_changes
        info = write_backup(
            self._conn, self.project.path, reason, root=self.root, policy=self.policy
        )
        self._baseline = changes
        self.last_backup = info
        self._last_backup_at = self._clock()
        self.last_error = None
        return info

    def maybe_backup(self) -> BackupInfo | None:
        """The timer's call: the new backup, or None when none was due.

        Raises :class:`ProjectVanished` when the file is gone (its data is then in a backup),
        :class:`ProjectError` when a due backup failed (also kept in :attr:`last_error`).
        """
        project = self.project
        if project.read_only or getattr(project, "_closed", False):
            return None
        if self._conn.in_transaction:
            return None  # an import is running and pumps events: nothing of it is committed
        self._check_still_there()
        changes = self._conn.total_changes
        if changes != self._ticked:
            self._ticked = changes
            self._checkpoint()
        if changes == self._baseline or self._clock() - self._last_backup_at < self.interval:
            return None
        try:
            return self.backup_now("periodic")
        except ProjectError as exc:
            self.last_error = exc.message
            raise

    def _checkpoint(self) -> None:
        # With synchronous=NORMAL a commit reaches the WAL but is synced to disk only at a
        # checkpoint; this one bounds what a power cut can take to one timer period.
        with contextlib.suppress(sqlite3.Error):
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def check_still_there(self) -> None:
        """Raise :class:`ProjectVanished` (after backing up the live data) when the project file
        was moved, deleted or replaced while open: in WAL mode SQLite keeps writing into the
        vanished file, so every change made after that would be lost at close."""
        if getattr(self.project, "_closed", False):
            return
        self._check_still_there()

    def _check_still_there(self) -> None:
        if self._identity is None or _identity(self.project.path) == self._identity:
            return
        rescue = self.last_backup if self.last_backup and not self.changed_since_backup else None
        if rescue is None or rescue.reason != "file-vanished":
            try:
                rescue = self.backup_now("file-vanished")
            except ProjectError as exc:
                self.last_error = exc.message
        raise ProjectVanished(self.project.path, rescue)

    # ---- hooks called by Project.open / Project.close
    def opened(
        self, fingerprint: dict[str, int] | None, *, new: bool, defer: bool = False
    ) -> BackupInfo | None:
        """Back up a project just opened, unless it is new or unchanged since its last backup.

        ``defer`` leaves a due backup to the caller (:attr:`open_backup_due`), who takes it off
        the GUI thread with :meth:`take_open_backup` and reports with :meth:`open_backup_taken`:
        a copy of a file of hundreds of megabytes takes seconds."""
        if new:
            return None
        path = backup_equal_to(self.project.path, fingerprint, root=self.root)
        if path is not None and self.project.migration_backup is None:
            self.last_backup = read_backup_info(path, self.project.path)
            return None
        if defer:
            self.open_backup_due = True
            return None
        try:
            return self.backup_now("open")
        except ProjectError as exc:
            self.last_error = exc.message
            return None

    def take_open_backup(self) -> BackupInfo:
        """The deferred backup on opening, taken on the calling (worker) thread through a
        read-only connection of its own, one consistent snapshot of the committed data (the
        window's connection keeps writing meanwhile: WAL). Raises ProjectError."""
        path = self.project.path
        try:
            conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise ProjectError(path, f"could not be backed up: {exc}") from exc
        try:
            return write_backup(conn, path, "open", root=self.root, policy=self.policy)
        finally:
            conn.close()

    def open_backup_taken(self, info: BackupInfo | None, error: str | None, baseline: int) -> None:
        """On the project's own thread, after :meth:`take_open_backup`: ``baseline`` is
        ``changes`` read when it started (later changes are not known to be in it)."""
        self.open_backup_due = False
        if info is None:
            self.last_error = error
            return
        self.last_backup = info
        self._baseline = baseline
        self._last_backup_at = self._clock()
        self.last_error = None

    @property
    def changes(self) -> int:
        """The project connection's count of changes (a baseline for a backup)."""
        return self._conn.total_changes

    def closing(self) -> bool:
        """Before the connection closes: back up unsaved-to-backup changes; whether the file
        will then equal the latest backup."""
        if self._conn.in_transaction:
            return False
        if self.changed_since_backup or _identity(self.project.path) != self._identity:
            try:
                self.backup_now("close")
            except ProjectError as exc:
                self.last_error = exc.message
                return False
        return self.last_backup is not None and _identity(self.project.path) == self._identity

    def closed(self) -> None:
        """After the connection closed: remember the file as equal to the latest backup."""
        if self.last_backup is None:
            return
        state = {
            "project_path": str(self.project.path),
            "closed": file_fingerprint(self.project.path),
            "backup": self.last_backup.path.name,
        }
        with contextlib.suppress(OSError):
            atomic_write_json(backup_dir(self.project.path, self.root) / STATE_FILE, state)


def backup_equal_to(
    project_path: Path, fingerprint: dict[str, int] | None, *, root: Path | None = None
) -> Path | None:
    """The backup that a project file found with ``fingerprint`` equals, or None: the file is
    then exactly as this app left it when it last closed it cleanly (and backed it up), so
    nothing has touched it since, neither another program nor the disk's failure to write."""
    if fingerprint is None:
        return None
    folder = backup_dir(project_path, root)
    try:
        data = json.loads((folder / STATE_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("closed") != fingerprint:
        return None
    named = data.get("backup")
    if not isinstance(named, str) or not (folder / named).is_file():
        return None
    return folder / named
