"""Rolling backups of project files through SQLite's backup API, kept in the user's data folder.

Backups are taken when a project is opened (unless the file is unchanged since the backup taken
when it was last closed), from a GUI timer while it changes (:meth:`BackupManager.maybe_backup`),
when it is closed after changes, and always before a schema migration. Each is a complete,
self-contained single file (rollback journal, no -wal) under
``data_dir()/backups/<stem>-<hash of the project's path>/``, with a JSON sidecar that says when
and why it was taken and how many articles and spans it holds.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlite_utils import Database

from annotator.settings import data_dir
from annotator.store.errors import ProjectDamaged, ProjectError
from annotator.store.lock import ProjectLock
from annotator.store.schema import APPLICATION_ID, MIGRATION_SET


class OpenFile(Protocol):
    """An open project file: its path and database."""

    path: Path
    db: Database


class OpenProject(OpenFile, Protocol):
    """What backups need of an open project (:class:`~annotator.store.project.Project`)."""

    read_only: bool
    migration_backup: BackupInfo | None


BACKUP_SUFFIX = ".annot"
STATE_FILE = "state.json"
DEFAULT_INTERVAL = 10 * 60.0  # seconds between periodic backups of a changing project
REASONS = (
    "open",  # on opening, when the file changed since the last backup
    "periodic",  # from the GUI timer, while the project changes
    "close",  # on closing, when it changed since the last backup
    "before-migration",  # before upgrading the file's schema
    "before-restore",  # the file a restore replaced
    "manual",
    "file-vanished",  # the project file was moved or deleted while open: the live data
)
_NAME = re.compile(r"^(?P<stamp>\d{8}T\d{6}\d{6}Z)-(?P<reason>[a-z-]+?)(-\d+)?\.annot$")


# ----------------------------------------------------------------------------- records
@dataclass(frozen=True, slots=True)
class BackupInfo:
    """One backup file of one project."""

    path: Path
    project_path: Path
    created_at: datetime  # timezone-aware, UTC
    reason: str
    articles: int | None  # None: unknown (a damaged file kept byte for byte)
    spans: int | None
    size: int
    schema: tuple[str, ...] = ()
    damaged: bool = False  # a byte copy of a file SQLite could not read, kept as evidence

    def describe(self) -> str:
        """One line for a list: local time, contents and why it was taken."""
        when = self.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        if self.damaged:
            return f"{when} — copy of a damaged file ({self.reason})"
        return f"{when} — {self.articles} articles, {self.spans} spans ({self.reason})"

    def _sidecar(self) -> dict[str, Any]:
        return {
            "project_path": str(self.project_path),
            "created_at": self.created_at.isoformat(),
            "reason": self.reason,
            "articles": self.articles,
            "spans": self.spans,
            "size": self.size,
            "schema": list(self.schema),
            "damaged": self.damaged,
        }


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """Keep the newest ``keep_last``, plus the newest of each of the last ``daily_for_days`` days
    (local time), plus the newest backup taken before a schema migration."""

    keep_last: int = 10
    daily_for_days: int = 7

    def keep(self, backups: list[BackupInfo], now: datetime | None = None) -> set[Path]:
        newest_first = sorted(backups, key=lambda b: b.created_at, reverse=True)
        kept = {b.path for b in newest_first[: self.keep_last]}
        today = (now or datetime.now(UTC)).astimezone().date()
        days = {today - timedelta(days=n) for n in range(self.daily_for_days)}
        for backup in newest_first:
            day = backup.created_at.astimezone().date()
            if day in days:
                kept.add(backup.path)
                days.discard(day)
        migration = next((b for b in newest_first if b.reason == "before-migration"), None)
        if migration is not None:
            kept.add(migration.path)
        return kept


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


# -------------------------------------------------------------------------------- places
def backups_root() -> Path:
    return data_dir() / "backups"


def project_key(project_path: str | Path) -> str:
    """A folder name for a project's backups: its stem plus a hash of its absolute path."""
    resolved = os.path.normcase(str(Path(project_path).expanduser().resolve()))
    digest = hashlib.sha256(resolved.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    stem = re.sub(r"[^\w.-]+", "_", Path(project_path).stem, flags=re.UNICODE).strip("._")
    return f"{stem[:40] or 'project'}-{digest}"


def backup_dir(project_path: str | Path, root: Path | None = None) -> Path:
    return (root or backups_root()) / project_key(project_path)


# ------------------------------------------------------------------------------ low level
def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection of our own, with foreign keys on like every connection of the store."""
    if read_only:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    else:
        conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _fsync_path(path: Path, *, directory: bool = False) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0))
    except OSError:
        return  # Windows cannot open folders; its renames are durable enough
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _atomic_write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _contents(conn: sqlite3.Connection) -> tuple[int | None, int | None, tuple[str, ...]]:
    def count(table: str) -> int | None:
        try:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        except sqlite3.Error:
            return None

    try:
        rows = conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid",
            (MIGRATION_SET,),
        ).fetchall()
        schema = tuple(str(r[0]) for r in rows)
    except sqlite3.Error:
        schema = ()
    return count("articles"), count("spans"), schema


def _new_name(folder: Path, created: datetime, reason: str) -> Path:
    stamp = created.strftime("%Y%m%dT%H%M%S%fZ")
    candidate = folder / f"{stamp}-{reason}{BACKUP_SUFFIX}"
    n = 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{stamp}-{reason}-{n}{BACKUP_SUFFIX}"
    return candidate


def _copy_database(
    source: sqlite3.Connection, target: Path
) -> tuple[int | None, int | None, tuple[str, ...]]:
    """Write ``source`` into ``target`` (a new file) through the backup API as a single file
    with a rollback journal; return its article and span counts and schema."""
    target.unlink(missing_ok=True)
    dest = _connect(target)
    try:
        source.backup(dest)
        dest.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal
        check = dest.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise sqlite3.DatabaseError(f"the copy fails its check: {check}")
        contents = _contents(dest)
        dest.commit()
    finally:
        dest.close()
    _fsync_path(target)
    return contents


def remove_leftovers(project_path: str | Path, *, root: Path | None = None) -> list[Path]:
    """Delete what interrupted backups left in the project's backup folder: the temporary
    ``.<name>.annot.part`` copies (as large as the project) with their ``-journal``, and
    unfinished sidecars. Only the project's writer backs it up (it holds the write lock), so
    whatever temporary file is there when it starts a backup is a killed run's. Returns what
    was deleted."""
    folder = backup_dir(project_path, root)
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if name.startswith(".") and (
            name.endswith(".part") or name.endswith((".part-journal", ".part-wal", ".part-shm"))
        ):
            with contextlib.suppress(OSError):
                entry.unlink()
                removed.append(entry)
    return removed


def write_backup(
    source: sqlite3.Connection,
    project_path: Path,
    reason: str,
    *,
    root: Path | None = None,
    policy: RetentionPolicy | None = None,
) -> BackupInfo:
    """Back up what ``source`` sees (committed data) and prune old backups of the project."""
    if reason not in REASONS:
        raise ValueError(f"unknown backup reason {reason!r}")
    project_path = Path(project_path).absolute()
    folder = backup_dir(project_path, root)
    created = datetime.now(UTC)
    remove_leftovers(project_path, root=root)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        final = _new_name(folder, created, reason)
        tmp = folder / f".{final.name}.part"
        try:
            articles, spans, schema = _copy_database(source, tmp)
            os.replace(tmp, final)
        finally:
            for leftover in (tmp, Path(f"{tmp}-journal")):
                leftover.unlink(missing_ok=True)
        info = BackupInfo(
            final, project_path, created, reason, articles, spans, final.stat().st_size, schema
        )
        _atomic_write_json(final.with_suffix(".json"), info._sidecar())
        _fsync_path(folder, directory=True)
    except (OSError, sqlite3.Error) as exc:
        raise ProjectError(project_path, f"could not be backed up to {folder}: {exc}") from exc
    prune(project_path, policy or RetentionPolicy(), root=root)
    return info


def _info_from_sidecar(path: Path) -> BackupInfo | None:
    try:
        data = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        return BackupInfo(
            path=path,
            project_path=Path(data["project_path"]),
            created_at=datetime.fromisoformat(data["created_at"]),
            reason=str(data["reason"]),
            articles=data["articles"],
            spans=data["spans"],
            size=path.stat().st_size,
            schema=tuple(data.get("schema", ())),
            damaged=bool(data.get("damaged", False)),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _info_from_file(path: Path, project_path: Path) -> BackupInfo | None:
    """A backup whose sidecar is missing: what the name and the file itself say."""
    match = _NAME.match(path.name)
    if match is None:
        return None
    created = datetime.strptime(match["stamp"], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
    articles = spans = None
    schema: tuple[str, ...] = ()
    damaged = False
    try:
        conn = _connect(path, read_only=True)
        try:
            articles, spans, schema = _contents(conn)
        finally:
            conn.close()
    except sqlite3.Error:
        damaged = True
    return BackupInfo(
        path,
        project_path,
        created,
        match["reason"],
        articles,
        spans,
        path.stat().st_size,
        schema,
        damaged,
    )


def list_backups(project_path: str | Path, *, root: Path | None = None) -> list[BackupInfo]:
    """The project's backups, newest first."""
    project_path = Path(project_path).expanduser().absolute()
    folder = backup_dir(project_path, root)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob(f"*{BACKUP_SUFFIX}"):
        if path.name.startswith("."):
            continue
        info = _info_from_sidecar(path) or _info_from_file(path, project_path)
        if info is not None:
            found.append(info)
    return sorted(found, key=lambda b: b.created_at, reverse=True)


def latest_backup(project_path: str | Path, *, root: Path | None = None) -> BackupInfo | None:
    """The newest backup SQLite can read (for "restore the latest backup" offers)."""
    return next((b for b in list_backups(project_path, root=root) if not b.damaged), None)


def prune(project_path: Path, policy: RetentionPolicy, *, root: Path | None = None) -> None:
    backups = list_backups(project_path, root=root)
    keep = policy.keep(backups)
    for backup in backups:
        if backup.path not in keep:
            for path in (
                backup.path,
                backup.path.with_suffix(".json"),
                Path(f"{backup.path}-wal"),
                Path(f"{backup.path}-journal"),
            ):
                with contextlib.suppress(OSError):
                    path.unlink(missing_ok=True)


# ------------------------------------------------------------------------------ restore
def _check_source(path: Path) -> None:
    try:
        conn = _connect(path, read_only=True)
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
    final = _new_name(folder, created, reason)
    for suffix in ("", "-wal", "-journal"):
        source = Path(f"{target}{suffix}")
        if source.exists():
            shutil.copyfile(source, Path(f"{final}{suffix}"))
            _fsync_path(Path(f"{final}{suffix}"))
    info = BackupInfo(
        final, target, created, reason, None, None, final.stat().st_size, (), damaged=True
    )
    _atomic_write_json(final.with_suffix(".json"), info._sidecar())
    _fsync_path(folder, directory=True)
    return info


def _backup_file(target: Path, reason: str, root: Path | None) -> BackupInfo:
    """Back up a project file that is not open (through SQLite if it can read it)."""
    try:
        conn = _connect(target, read_only=True)
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
            source = _connect(info.path, read_only=True)
            try:
                _copy_database(source, tmp)
            finally:
                source.close()
            for suffix in ("-wal", "-shm", "-journal"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            os.replace(tmp, target)
            _fsync_path(target.parent, directory=True)
        except (OSError, sqlite3.Error) as exc:
            raise ProjectError(target, f"could not be restored: {exc}") from exc
        finally:
            for leftover in (tmp, Path(f"{tmp}-journal")):
                leftover.unlink(missing_ok=True)
        return before
    finally:
        lock.release()


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
    def opened(self, fingerprint: dict[str, int] | None, *, new: bool) -> BackupInfo | None:
        """Back up a project just opened, unless it is new or unchanged since its last backup."""
        if new:
            return None
        path = backup_equal_to(self.project.path, fingerprint, root=self.root)
        if path is not None and self.project.migration_backup is None:
            self.last_backup = _info_from_sidecar(path) or _info_from_file(path, self.project.path)
            return None
        try:
            return self.backup_now("open")
        except ProjectError as exc:
            self.last_error = exc.message
            return None

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
            _atomic_write_json(backup_dir(self.project.path, self.root) / STATE_FILE, state)


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
