"""A project's backup folder: where its backups live, each one written through SQLite's backup
API as one self-contained file with a JSON sidecar (when, why, how many articles and spans),
listed newest first, and pruned by a retention policy. See :mod:`annotator.store.backup` for
when backups are taken and :mod:`annotator.store.restore` for putting one back."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from annotator.settings import data_dir
from annotator.store.errors import ProjectError
from annotator.store.schema import MIGRATION_SET

__all__ = [
    "BACKUP_SUFFIX",
    "REASONS",
    "BackupInfo",
    "RetentionPolicy",
    "atomic_write_json",
    "backup_dir",
    "backups_root",
    "connect",
    "copy_database",
    "fsync_path",
    "latest_backup",
    "list_backups",
    "new_name",
    "project_key",
    "prune",
    "read_backup_info",
    "remove_leftovers",
    "write_backup",
]

BACKUP_SUFFIX = ".annot"
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
def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection of our own, with foreign keys on like every connection of the store."""
    if read_only:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    else:
        conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def fsync_path(path: Path, *, directory: bool = False) -> None:
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


def atomic_write_json(path: Path, data: dict[str, Any]) -> None:
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


def new_name(folder: Path, created: datetime, reason: str) -> Path:
    stamp = created.strftime("%Y%m%dT%H%M%S%fZ")
    candidate = folder / f"{stamp}-{reason}{BACKUP_SUFFIX}"
    n = 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{stamp}-{reason}-{n}{BACKUP_SUFFIX}"
    return candidate


def copy_database(
    source: sqlite3.Connection, target: Path
) -> tuple[int | None, int | None, tuple[str, ...]]:
    """Write ``source`` into ``target`` (a new file) through the backup API as a single file
    with a rollback journal; return its article and span counts and schema."""
    target.unlink(missing_ok=True)
    dest = connect(target)
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
    fsync_path(target)
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
        final = new_name(folder, created, reason)
        tmp = folder / f".{final.name}.part"
        try:
            articles, spans, schema = copy_database(source, tmp)
            os.replace(tmp, final)
        finally:
            for leftover in (tmp, Path(f"{tmp}-journal")):
                leftover.unlink(missing_ok=True)
        info = BackupInfo(
            final, project_path, created, reason, articles, spans, final.stat().st_size, schema
        )
        atomic_write_json(final.with_suffix(".json"), info._sidecar())
        fsync_path(folder, directory=True)
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
        conn = connect(path, read_only=True)
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


def read_backup_info(path: Path, project_path: Path) -> BackupInfo | None:
    """What a backup file is: its sidecar says, or else its name and the file itself."""
    return _info_from_sidecar(path) or _info_from_file(path, project_path)


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
        info = read_backup_info(path, project_path)
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
