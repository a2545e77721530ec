"""A project file: one SQLite database holding articles, labels, spans and relations.

Every public method that writes runs in its own transaction (``db.atomic()``), so each user
action is committed at once and as a whole; callers that batch work (imports) wrap several calls
in :meth:`Project.atomic`, which nests through savepoints.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlite_utils import Database

from annotator.core.model import (
    DEFAULT_LABELS,
    LABEL_PALETTE,
    STATUSES,
    Article,
    ArticleDraft,
    ArticleSummary,
    Label,
    LabelSnapshot,
    LabelSpec,
    Relation,
    Span,
    SpanSnapshot,
)
from annotator.core.text import content_hash, offsets_in_range
from annotator.store.integrity import SpanMismatch, span_mismatches
from annotator.store.schema import APPLICATION_ID, KNOWN_MIGRATIONS, migrations

if TYPE_CHECKING:  # durability modules import this one; Project.open imports them when it runs
    from annotator.store.backup import BackupInfo, BackupManager
    from annotator.store.fsinfo import StorageInfo
    from annotator.store.lock import ProjectLock

SQLITE_MAGIC = b"SQLite format 3\x00"
PROJECT_SUFFIX = ".annot"


class NewSpan(NamedTuple):
    """A span to add to an article in a batch (:meth:`Project.add_spans`)."""

    start: int
    end: int
    label_id: int
    annotator: str
    note: str = ""
    attributes: Mapping[str, str] = {}


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


def _database_error(path: Path, exc: sqlite3.DatabaseError) -> ProjectError:
    """The ProjectError for a SQLite error raised while opening ``path``."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in str(exc):
        return ProjectDamaged(path, f"is damaged or unreadable: {exc}")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return ProjectError(path, "is in use by another program; close it there and try again.")
    from annotator.store.errors import DISK_FULL, IO, READ_ONLY, kind_of

    kind = kind_of(exc)
    if kind == DISK_FULL:
        return ProjectError(path, "cannot be opened: the disk is full. Free some space first.")
    if kind in (IO, READ_ONLY):
        return ProjectError(path, f"cannot be opened: {kind} error ({exc}).")
    return ProjectError(path, f"cannot be opened: {exc}")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


_SPAN_COLUMNS = (
    'id, article_id, start, "end", label_id, text, annotator, note, attributes, '
    "created_at, updated_at"
)
_RELATION_COLUMNS = "id, article_id, head_id, child_id, type, annotator, created_at"
_ARTICLE_COLUMNS = (
    "id, title, text, source, author, url, published, imported_at, content_hash, status, meta"
)
# What the article list sorts by. The status, title and source expressions match indexes of
# migration 0002 (store/schema.py) word for word, so that sorting is an index scan.
ARTICLE_SORT_KEYS = {
    "id": "a.id",
    "title": "a.title COLLATE NOCASE",
    "source": "a.source COLLATE NOCASE",
    "status": "CASE a.status WHEN 'new' THEN 0 WHEN 'in progress' THEN 1 ELSE 2 END",
    "spans": "(SELECT count(*) FROM spans s WHERE s.article_id = a.id)",
    "length": "length(a.text)",
}


# An article (a, or the search index's f) holds a span of a label: one lookup in the index
# spans_by_label_article of migration 0002.
_HAS_LABEL = "EXISTS (SELECT 1 FROM spans s WHERE s.article_id = a.id AND s.label_id = ?)"
_MATCH_HAS_LABEL = "EXISTS (SELECT 1 FROM spans s WHERE s.article_id = f.rowid AND s.label_id = ?)"


def _span(row: Sequence[Any]) -> Span:
    return Span(
        id=row[0],
        article_id=row[1],
        start=row[2],
        end=row[3],
        label_id=row[4],
        text=row[5],
        annotator=row[6],
        note=row[7],
        attributes=_attributes(row[8]) if row[8] and row[8] != "{}" else {},
        created_at=row[9],
        updated_at=row[10],
    )


def _relation(row: Sequence[Any]) -> Relation:
    return Relation(*row)


def _label(row: Sequence[Any]) -> Label:
    return Label(*row)


def _article(row: Sequence[Any]) -> Article:
    values = list(row)
    values[-1] = _json_object(values[-1]) if values[-1] else {}
    return Article(*values)


def _json_object(raw: object) -> dict[str, Any]:
    """A JSON object stored by the app; {} when a (colleague's, untrusted) file holds garbage."""
    try:
        parsed = json.loads(raw) if isinstance(raw, str | bytes) else {}
    except (ValueError, RecursionError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _attributes(raw: object) -> dict[str, str]:
    return {str(key): str(value) for key, value in _json_object(raw).items()}


def _check_header(path: Path) -> None:
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


class Project:
    """An open project file."""

    def __init__(self, path: Path, db: Database, *, read_only: bool) -> None:
        self.path = path
        self.db = db
        self.read_only = read_only
        self._conn: sqlite3.Connection = db.conn
        self._closed = False
        # Durability (store/fsinfo.py, lock.py, backup.py), set by open(): why a project we were
        # asked to open for writing is read-only (None: writable, or read-only as requested); a
        # warning about network or sync-folder storage; the write lock; the backups.
        self.read_only_reason: str | None = None
        self.storage: StorageInfo | None = None
        self.storage_warning: str | None = None
        self.lock: ProjectLock | None = None
        self.backups: BackupManager | None = None
        self.migration_backup: BackupInfo | None = None  # taken before this open's upgrade

    # ----------------------------------------------------------------- opening and closing
    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        create: bool = True,
        read_only: bool = False,
        lock: bool = True,
        backups: bool = True,
    ) -> Project:
        """Open (or create) a project file, upgrading its schema if it is older than this app.

        For writing, the project takes its write lock (:class:`~annotator.store.lock.ProjectLock`,
        raising ``ProjectLocked`` when another instance or window holds it; ``lock=False`` skips
        it), backs the file up first if it must upgrade it, and backs it up on opening when it
        changed since its last backup (``backups=False``: no backups but the one before an
        upgrade, for throwaway files such as benchmarks'). A file or folder that cannot be written opens read-only,
        with :attr:`read_only_reason` saying why. On a network drive or in a sync folder the
        project uses a rollback journal instead of WAL and :attr:`storage_warning` says so.
        """
        # Imported here: these durability modules import this one.
        from annotator.store import backup, fsinfo, readonly
        from annotator.store.lock import ProjectLock, hard_link_problem

        path = Path(path).expanduser().absolute()
        exists = path.exists()
        if not exists and (not create or read_only):
            raise ProjectMissing(path, "does not exist.")
        if exists:
            if path.is_dir():
                raise ProjectError(path, "is a folder, not a project file.")
            _check_header(path)
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
            problem = (
                fsinfo.write_problem(path)
                or hard_link_problem(path)
                or readonly.side_file_problem(path)
            )
            if problem is not None:
                read_only, read_only_reason = True, f"opened read-only because {problem}"
        storage = fsinfo.detect_storage(path)
        held = ProjectLock.acquire(path) if lock and not read_only else None
        fingerprint = backup.file_fingerprint(path)
        conn: sqlite3.Connection | None = None
        try:
            if read_only:
                conn = readonly.read_only_connection(path)
            else:
                conn = sqlite3.connect(str(path))
            db = Database(conn, execute_plugins=False)
            project = cls(path, db, read_only=read_only)
            project.read_only_reason = read_only_reason
            project.storage, project.storage_warning = storage, storage.warning(path)
            project.lock = held
            project._prepare(new=new)
            if not read_only and backups:
                project.backups = backup.BackupManager(project)
                project.backups.opened(fingerprint, new=new)
        except BaseException as exc:
            # A refused file must not stay open (and locked) behind the error.
            if conn is not None:
                conn.close()
            if held is not None:
                held.release()
            if isinstance(exc, sqlite3.DatabaseError):
                raise _database_error(path, exc) from exc
            raise
        return project

    @classmethod
    def from_connection(cls, path: str | Path, conn: sqlite3.Connection) -> Project:
        """A read-only project over a connection that is already open, checked as ``open()``
        checks a file: used for in-memory snapshots of colleagues' files
        (:func:`annotator.store.readonly.open_read_only`). ``path`` names the original file in
        messages; nothing is ever written to it."""
        path = Path(path)
        project = cls(path, Database(conn, execute_plugins=False), read_only=True)
        try:
            project._prepare(new=False)
        except sqlite3.DatabaseError as exc:
            raise ProjectError(path, f"is damaged or unreadable: {exc}") from exc
        return project

    def _prepare(self, *, new: bool) -> None:
        conn = self._conn
        conn.execute("PRAGMA foreign_keys = ON")
        if self.read_only:
            # Read-only files are often colleagues' (untrusted): no SQL function with side
            # effects may run from their schema. (A writable project needs it on: the full-text
            # index's triggers write to a virtual table.)
            conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute("PRAGMA busy_timeout = 5000")
        if not new:
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise ProjectDamaged(self.path, f"is damaged: {check}")
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            has_tables = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
            ).fetchone()[0]
            if app_id != APPLICATION_ID and has_tables:
                raise ProjectError(
                    self.path, "is a database of another application, not a News Annotator project."
                )
            applied = {m.name for m in migrations.applied(self.db)}
            if self.read_only and not applied:
                # Nothing to show and nothing may be created: an empty database is no project.
                raise ProjectError(self.path, "is not a News Annotator project (no project data).")
            unknown = applied - KNOWN_MIGRATIONS
            if unknown:
                if not self.read_only:
                    raise ProjectFromNewerVersion(
                        self.path,
                        "was written by a newer version of News Annotator; "
                        "open it read-only or update the app.",
                    )
        if self.read_only:
            return
        # Durability: an existing file is backed up before its schema is upgraded, and is not
        # upgraded (nor touched) when no backup can be made (store/backup.py).
        if not new and migrations.applied(self.db) and migrations.pending(self.db):
            from annotator.store.backup import backup_before_migration

            self.migration_backup = backup_before_migration(self)
        # Before WAL: so a new file carries its identity in the main file's header at once, not
        # only in the WAL until the first checkpoint.
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        if self.storage is None or not self.storage.unsafe_for_wal:
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
        fresh = not migrations.applied(self.db)
        migrations.apply(self.db)
        if fresh:
            with self.db.atomic():
                self._set_info("created_at", now())
                for spec in DEFAULT_LABELS:
                    self._insert_label(spec)

    def close(self) -> None:
        """Close the file; closing twice (say, close() then a with-block's exit) is harmless."""
        if self._closed:
            return
        self._closed = True
        # Durability: back up changes made since the last backup, then remember the closed file
        # as equal to it (the next open skips its backup) and give up the write lock.
        same_as_backup = self.backups.closing() if self.backups is not None else False
        try:
            if not self.read_only:
                try:
                    self._conn.execute("PRAGMA optimize")
                except sqlite3.OperationalError:
                    pass  # only an optimisation: a full disk must not stop a close
        finally:
            self.db.close()
            if self.backups is not None and same_as_backup:
                self.backups.closed()
            if self.lock is not None:
                self.lock.release()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """One transaction (or a savepoint inside one) around several writes."""
        self._writable()
        with self.db.atomic():
            yield

    def _writable(self) -> None:
        if self.read_only:
            raise ReadOnlyError(self.path, f"is {self.read_only_reason or 'open read-only'}.")

    def schema_version(self) -> list[str]:
        return [m.name for m in migrations.applied(self.db)]

    def _set_info(self, key: str, value: str) -> None:
        self._conn.execute(
            "INSERT INTO project_info(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def info(self, key: str, default: str = "") -> str:
        row = self._conn.execute("SELECT value FROM project_info WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def copy_to(self, target: str | Path) -> None:
        """Write a self-contained copy (rollback journal, no WAL) that can be mailed."""
        target = Path(target).expanduser().absolute()
        if target == self.path:
            raise ProjectError(target, "is the open project itself.")
        tmp = target.with_name(target.name + ".part")
        try:
            tmp.unlink(missing_ok=True)
            dest = sqlite3.connect(str(tmp))
            try:
                dest.execute("PRAGMA foreign_keys = ON")  # like every connection of the store
                self._conn.backup(dest)
                dest.execute("PRAGMA journal_mode = DELETE")
                dest.commit()
            finally:
                dest.close()
            tmp.replace(target)
        except (OSError, sqlite3.Error) as exc:
            tmp.unlink(missing_ok=True)
            raise ProjectError(target, f"cannot be written: {exc}") from exc

    # ---------------------------------------------------------------------------- articles
    def add_article(self, draft: ArticleDraft) -> tuple[int, bool]:
        """Store an article; return its id and whether it was new (False: same text already)."""
        self._writable()
        if draft.status not in STATUSES:
            raise ProjectError(self.path, f"unknown article status {draft.status!r}")
        if "\x00" in draft.text:
            # SQLite's length() stops at a NUL, so spans after one could never be stored;
            # canonicalize() removes them.
            raise ProjectError(self.path, "article text contains NUL characters")
        digest = content_hash(draft.text)
        row = self._conn.execute(
            "SELECT id FROM articles WHERE content_hash = ?", (digest,)
        ).fetchone()
        if row:
            return row[0], False
        with self.db.atomic():
            cursor = self._conn.execute(
                "INSERT INTO articles(title, text, source, author, url, published, imported_at,"
                " content_hash, status, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    draft.title,
                    draft.text,
                    draft.source,
                    draft.author,
                    draft.url,
                    draft.published,
                    now(),
                    digest,
                    draft.status,
                    json.dumps(draft.meta, ensure_ascii=False, sort_keys=True),
                ),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid, True

    def article(self, article_id: int) -> Article:
        row = self._conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            raise ProjectError(self.path, f"has no article {article_id}")
        return _article(row)

    def article_text(self, article_id: int) -> str:
        row = self._conn.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise ProjectError(self.path, f"has no article {article_id}")
        return str(row[0])

    def article_id_by_hash(self, digest: str) -> int | None:
        row = self._conn.execute(
            "SELECT id FROM articles WHERE content_hash = ?", (digest,)
        ).fetchone()
        return row[0] if row else None

    def article_count(self, *, search: str = "", label_id: int | None = None) -> int:
        """How many articles the list shows with these filters."""
        if search.strip():
            # Counted in the search index alone: its rowids are the ids of the articles (kept in
            # step by triggers), and looking each match up in the articles table costs 15 times
            # as much.
            sql = "SELECT count(*) FROM articles_fts f WHERE f.articles_fts MATCH ?"
            params: list[Any] = [fts_query(search)]
            if label_id is not None:
                sql += f" AND {_MATCH_HAS_LABEL}"
                params.append(label_id)
            return int(self._conn.execute(sql, params).fetchone()[0])
        where, params = self._article_filter(search, label_id)
        return int(
            self._conn.execute(f"SELECT count(*) FROM articles a {where}", params).fetchone()[0]
        )

    def _article_filter(self, search: str, label_id: int | None) -> tuple[str, list[Any]]:
        """The WHERE clause (over ``articles a``) of the articles the list shows."""
        clauses: list[str] = []
        params: list[Any] = []
        if search.strip():
            # The unary + keeps SQLite walking the index of the ORDER BY and checking each
            # article against the matches, so a page comes without sorting every match.
            clauses.append("+a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
            params.append(fts_query(search))
        if label_id is not None:
            clauses.append(_HAS_LABEL)
            params.append(label_id)
        return ("WHERE " + " AND ".join(clauses) if clauses else ""), params

    def _by_search_order(self, search: str, order_by: str) -> bool:
        """Whether the list is in id order of a search: then the search index gives it."""
        return bool(search.strip()) and ARTICLE_SORT_KEYS.get(order_by, "a.id") == "a.id"

    def article_page_ids(
        self,
        offset: int = 0,
        limit: int = 200,
        *,
        order_by: str = "id",
        descending: bool = False,
        search: str = "",
        label_id: int | None = None,
    ) -> list[int]:
        """The ids of one page of the article list, in its order (no other column is read)."""
        key = ARTICLE_SORT_KEYS.get(order_by, "a.id")
        direction = "DESC" if descending else "ASC"
        if self._by_search_order(search, order_by):
            # The search index hands its matches over in rowid order, a page at a time.
            sql = (
                "SELECT a.id FROM articles_fts f JOIN articles a ON a.id = f.rowid"
                " WHERE f.articles_fts MATCH ?"
            )
            params: list[Any] = [fts_query(search)]
            if label_id is not None:
                sql += f" AND {_HAS_LABEL}"
                params.append(label_id)
            sql += f" ORDER BY f.rowid {direction} LIMIT ? OFFSET ?"
        else:
            where, params = self._article_filter(search, label_id)
            order = f"{key} {direction}" + (f", a.id {direction}" if key != "a.id" else "")
            sql = f"SELECT a.id FROM articles a {where} ORDER BY {order} LIMIT ? OFFSET ?"
        return [row[0] for row in self._conn.execute(sql, [*params, limit, offset])]

    def article_summaries(
        self,
        offset: int = 0,
        limit: int = 200,
        *,
        order_by: str = "id",
        descending: bool = False,
        search: str = "",
        label_id: int | None = None,
    ) -> list[ArticleSummary]:
        """One page of the article list, counted spans included, without loading texts."""
        ids = self.article_page_ids(
            offset,
            limit,
            order_by=order_by,
            descending=descending,
            search=search,
            label_id=label_id,
        )
        return self.article_summaries_of(ids)

    def article_summaries_of(self, article_ids: Sequence[int]) -> list[ArticleSummary]:
        """The summaries of these articles, in the order given (missing ones left out).

        Spans are counted and lengths measured for these rows only, never for the whole list.
        """
        found: dict[int, ArticleSummary] = {}
        for i in range(0, len(article_ids), 500):
            chunk = list(article_ids[i : i + 500])
            rows = self._conn.execute(
                "SELECT a.id, a.title, a.source, a.status,"
                " (SELECT count(*) FROM spans s WHERE s.article_id = a.id), length(a.text)"
                f" FROM articles a WHERE a.id IN ({', '.join('?' * len(chunk))})",
                chunk,
            ).fetchall()
            found.update((row[0], ArticleSummary(*row)) for row in rows)
        return [found[i] for i in article_ids if i in found]

    def article_position(
        self,
        article_id: int,
        *,
        order_by: str = "id",
        descending: bool = False,
        search: str = "",
        label_id: int | None = None,
    ) -> int | None:
        """The row of an article in the list :meth:`article_summaries` pages through (0 first),
        or None when the filters leave it out (or there is no such article)."""
        key = ARTICLE_SORT_KEYS.get(order_by, "a.id")
        where, params = self._article_filter(search, label_id)
        joiner = "AND" if where else "WHERE"
        row = self._conn.execute(
            f"SELECT {key} FROM articles a {where} {joiner} a.id = ?", [*params, article_id]
        ).fetchone()
        if row is None:
            return None
        before = ">" if descending else "<"
        if self._by_search_order(search, order_by):
            sql = "SELECT count(*) FROM articles_fts f WHERE f.articles_fts MATCH ?"
            sql += " AND f.rowid > ?" if descending else " AND f.rowid < ?"
            count_params: list[Any] = [fts_query(search), article_id]
            if label_id is not None:
                sql += f" AND {_MATCH_HAS_LABEL}"
                count_params.append(label_id)
        elif key == "a.id":
            sql = f"SELECT count(*) FROM articles a {where} {joiner} a.id {before} ?"
            count_params = [*params, article_id]
        else:
            # Rows before it: a smaller key, or the same key and a smaller id (the tie-break).
            # Two counts rather than one row-value comparison, which SQLite cannot look up in
            # an index on an expression.
            sql = (
                f"SELECT (SELECT count(*) FROM articles a {where} {joiner} {key} {before} ?)"
                f" + (SELECT count(*) FROM articles a {where} {joiner} {key} = ?"
                f" AND a.id {before} ?)"
            )
            count_params = [*params, row[0], *params, row[0], article_id]
        return int(self._conn.execute(sql, count_params).fetchone()[0])

    def has_article(self, article_id: int) -> bool:
        """Whether the project holds an article with this id (one index lookup)."""
        row = self._conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row is not None

    def article_ids(self) -> list[int]:
        return [row[0] for row in self._conn.execute("SELECT id FROM articles ORDER BY id")]

    def set_article_status(self, article_id: int, status: str) -> str:
        """Set an article's status and return the previous one."""
        self._writable()
        if status not in STATUSES:
            raise ProjectError(self.path, f"unknown article status {status!r}")
        old = self.article_summary(article_id).status
        with self.db.atomic():
            self._conn.execute("UPDATE articles SET status = ? WHERE id = ?", (status, article_id))
        return old

    def article_summary(self, article_id: int) -> ArticleSummary:
        row = self._conn.execute(
            "SELECT a.id, a.title, a.source, a.status,"
            " (SELECT count(*) FROM spans s WHERE s.article_id = a.id), length(a.text)"
            " FROM articles a WHERE a.id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            raise ProjectError(self.path, f"has no article {article_id}")
        return ArticleSummary(*row)

    # ------------------------------------------------------------------------------ labels
    def labels(self) -> list[Label]:
        rows = self._conn.execute(
            "SELECT id, name, color, hotkey, description, position FROM labels"
            " ORDER BY position, id"
        ).fetchall()
        return [_label(r) for r in rows]

    def label(self, label_id: int) -> Label:
        row = self._conn.execute(
            "SELECT id, name, color, hotkey, description, position FROM labels WHERE id = ?",
            (label_id,),
        ).fetchone()
        if row is None:
            raise ProjectError(self.path, f"has no label {label_id}")
        return _label(row)

    def label_by_name(self, name: str) -> Label | None:
        row = self._conn.execute(
            "SELECT id, name, color, hotkey, description, position FROM labels WHERE name = ?",
            (name,),
        ).fetchone()
        return _label(row) if row else None

    def _insert_label(
        self, spec: LabelSpec, label_id: int | None = None, position: int | None = None
    ) -> Label:
        if position is None:
            query = "SELECT coalesce(max(position) + 1, 0) FROM labels"
            position = int(self._conn.execute(query).fetchone()[0])
        cursor = self._conn.execute(
            "INSERT INTO labels(id, name, color, hotkey, description, position)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (label_id, spec.name, spec.color, spec.hotkey, spec.description, position),
        )
        assert cursor.lastrowid is not None
        return self.label(cursor.lastrowid)

    def add_label(self, spec: LabelSpec) -> Label:
        self._writable()
        name = spec.name.strip()
        if not name:
            raise ProjectError(self.path, "a label needs a name")
        if self.label_by_name(name) is not None:
            raise ProjectError(self.path, f"already has a label named {name!r}")
        with self.db.atomic():
            return self._insert_label(LabelSpec(name, spec.color, spec.hotkey, spec.description))

    def ensure_label(self, name: str) -> Label:
        """The label of that name, created with the next palette colour when missing."""
        label = self.label_by_name(name)
        if label is not None:
            return label
        count = len(self.labels())
        used = {lb.hotkey for lb in self.labels()}
        hotkey = next((str(k) for k in range(1, 10) if str(k) not in used), "")
        return self.add_label(LabelSpec(name, LABEL_PALETTE[count % len(LABEL_PALETTE)], hotkey))

    def update_label(self, label_id: int, **changes: Any) -> tuple[Label, Label]:
        """Change name, color, hotkey or description; return (before, after)."""
        self._writable()
        allowed = {"name", "color", "hotkey", "description"}
        bad = set(changes) - allowed
        if bad:
            raise ValueError(f"cannot change {sorted(bad)} of a label")
        before = self.label(label_id)
        if "name" in changes:
            name = str(changes["name"]).strip()
            if not name:
                raise ProjectError(self.path, "a label needs a name")
            other = self.label_by_name(name)
            if other is not None and other.id != label_id:
                raise ProjectError(self.path, f"already has a label named {name!r}")
            changes["name"] = name
        if changes:
            assignments = ", ".join(f"{key} = ?" for key in changes)
            with self.db.atomic():
                self._conn.execute(
                    f"UPDATE labels SET {assignments} WHERE id = ?", [*changes.values(), label_id]
                )
        return before, self.label(label_id)

    def reorder_labels(self, label_ids: Sequence[int]) -> list[int]:
        """Put the labels in this order; return the previous order."""
        self._writable()
        before = [lb.id for lb in self.labels()]
        if sorted(before) != sorted(label_ids):
            raise ProjectError(self.path, "a new label order must name every label once")
        with self.db.atomic():
            self._conn.executemany(
                "UPDATE labels SET position = ? WHERE id = ?",
                [(pos, lid) for pos, lid in enumerate(label_ids)],
            )
        return before

    def label_usage(self, label_id: int) -> int:
        return int(
            self._conn.execute(
                "SELECT count(*) FROM spans WHERE label_id = ?", (label_id,)
            ).fetchone()[0]
        )

    def delete_label(self, label_id: int) -> LabelSnapshot:
        """Delete a label and its spans (and their relations); return what restores them."""
        self._writable()
        label = self.label(label_id)
        span_ids = [
            row[0]
            for row in self._conn.execute("SELECT id FROM spans WHERE label_id = ?", (label_id,))
        ]
        with self.db.atomic():
            snapshots = tuple(self._snapshot_span(sid) for sid in span_ids)
            self._conn.execute("DELETE FROM labels WHERE id = ?", (label_id,))
        return LabelSnapshot(label, snapshots)

    def restore_label(self, snapshot: LabelSnapshot) -> Label:
        self._writable()
        lb = snapshot.label
        with self.db.atomic():
            # Deleting left a gap at the label's position: only make room if it was filled since,
            # so an undo gives every other label back its old position too.
            taken = self._conn.execute(
                "SELECT 1 FROM labels WHERE position = ?", (lb.position,)
            ).fetchone()
            if taken:
                self._conn.execute(
                    "UPDATE labels SET position = position + 1 WHERE position >= ?",
                    (lb.position,),
                )
            label = self._insert_label(
                LabelSpec(lb.name, lb.color, lb.hotkey, lb.description), lb.id, lb.position
            )
            for span_snapshot in snapshot.spans:
                self._insert_span_row(span_snapshot.span)
            seen: set[int] = set()
            for span_snapshot in snapshot.spans:
                for rel in span_snapshot.relations:
                    if rel.id not in seen:
                        seen.add(rel.id)
                        self._insert_relation_row(rel)
        return label

    # ------------------------------------------------------------------------------- spans
    def spans(self, article_id: int, annotators: Iterable[str] | None = None) -> list[Span]:
        """The spans of an article, by start then longest first; all layers unless named."""
        sql = f"SELECT {_SPAN_COLUMNS} FROM spans WHERE article_id = ?"
        params: list[Any] = [article_id]
        if annotators is not None:
            names = list(annotators)
            sql += f" AND annotator IN ({', '.join('?' * len(names))})"
            params.extend(names)
        sql += ' ORDER BY start, "end" DESC, id'
        return [_span(r) for r in self._conn.execute(sql, params)]

    def span(self, span_id: int) -> Span:
        row = self._conn.execute(
            f"SELECT {_SPAN_COLUMNS} FROM spans WHERE id = ?", (span_id,)
        ).fetchone()
        if row is None:
            raise ProjectError(self.path, f"has no span {span_id}")
        return _span(row)

    def annotators(self, article_id: int | None = None) -> list[str]:
        if article_id is None:
            rows = self._conn.execute("SELECT DISTINCT annotator FROM spans ORDER BY annotator")
        else:
            rows = self._conn.execute(
                "SELECT DISTINCT annotator FROM spans WHERE article_id = ? ORDER BY annotator",
                (article_id,),
            )
        return [r[0] for r in rows]

    def _covered_text(self, article_id: int, start: int, end: int) -> str:
        row = self._conn.execute(
            "SELECT length(text), substr(text, ?, ?) FROM articles WHERE id = ?",
            (start + 1, end - start, article_id),
        ).fetchone()
        if row is None:
            raise ProjectError(self.path, f"has no article {article_id}")
        length, covered = row
        if not offsets_in_range(length, start, end):
            raise ProjectError(
                self.path,
                f"span [{start}, {end}) is outside article {article_id} "
                f"({length} characters) or empty",
            )
        return str(covered)

    def add_span(
        self,
        article_id: int,
        start: int,
        end: int,
        label_id: int,
        annotator: str,
        *,
        note: str = "",
        attributes: dict[str, str] | None = None,
    ) -> Span:
        self._writable()
        text = self._covered_text(article_id, start, end)
        self.label(label_id)  # a ProjectError naming the label, not a foreign-key failure
        stamp = now()
        with self.db.atomic():
            cursor = self._conn.execute(
                'INSERT INTO spans(article_id, start, "end", label_id, text, annotator, note,'
                " attributes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    article_id,
                    start,
                    end,
                    label_id,
                    text,
                    annotator,
                    note,
                    json.dumps(attributes or {}, ensure_ascii=False, sort_keys=True),
                    stamp,
                    stamp,
                ),
            )
            self._touch_article(article_id)
        assert cursor.lastrowid is not None
        return self.span(cursor.lastrowid)

    def has_span(
        self, article_id: int, start: int, end: int, label_id: int, annotator: str
    ) -> bool:
        return (
            self._conn.execute(
                'SELECT 1 FROM spans WHERE article_id = ? AND start = ? AND "end" = ?'
                " AND label_id = ? AND annotator = ? LIMIT 1",
                (article_id, start, end, label_id, annotator),
            ).fetchone()
            is not None
        )

    def span_keys(self, article_id: int) -> dict[tuple[int, int, int, str], int]:
        """``(start, end, label_id, annotator) -> span id`` for an article's spans, read in one
        query (the lowest id where a span is there twice): what a batch checks duplicates by."""
        rows = self._conn.execute(
            'SELECT start, "end", label_id, annotator, id FROM spans WHERE article_id = ?'
            " ORDER BY id DESC",
            (article_id,),
        )
        return {(start, end, label, who): span_id for start, end, label, who, span_id in rows}

    def add_spans(self, article_id: int, spans: Sequence[NewSpan], *, text: str) -> list[int]:
        """Add spans to one article in one batch and return their ids, in the order given.

        Does what :meth:`add_span` does for each, with the same errors (nothing is added when
        one span is refused), in a few statements: ``text`` must be the article's stored text
        (an import has it at hand), from which each span's covered text is sliced.
        """
        self._writable()
        if not spans:
            return []
        row = self._conn.execute(
            "SELECT length(text) FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            raise ProjectError(self.path, f"has no article {article_id}")
        length = row[0]
        if length != len(text):
            raise ValueError(f"text is not the stored text of article {article_id}")
        for span in spans:
            if not offsets_in_range(length, span.start, span.end):
                raise ProjectError(
                    self.path,
                    f"span [{span.start}, {span.end}) is outside article {article_id} "
                    f"({length} characters) or empty",
                )
        wanted = sorted({span.label_id for span in spans})
        known = {
            r[0]
            for r in self._conn.execute(
                f"SELECT id FROM labels WHERE id IN ({', '.join('?' * len(wanted))})", wanted
            )
        }
        for label_id in wanted:
            if label_id not in known:
                raise ProjectError(self.path, f"has no label {label_id}")
        stamp = now()
        with self.db.atomic():
            # Ids as SQLite would give them one insert at a time (the largest id plus one), so
            # they are known without a query per span.
            first = int(
                self._conn.execute("SELECT coalesce(max(id), 0) + 1 FROM spans").fetchone()[0]
            )
            ids = list(range(first, first + len(spans)))
            self._conn.executemany(
                f"INSERT INTO spans({_SPAN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        span_id,
                        article_id,
                        span.start,
                        span.end,
                        span.label_id,
                        text[span.start : span.end],
                        span.annotator,
                        span.note,
                        json.dumps(dict(span.attributes), ensure_ascii=False, sort_keys=True),
                        stamp,
                        stamp,
                    )
                    for span_id, span in zip(ids, spans, strict=True)
                ],
            )
            self._touch_article(article_id)
        return ids

    def _touch_article(self, article_id: int) -> None:
        """The first span on a new article moves it to 'in progress'."""
        self._conn.execute(
            "UPDATE articles SET status = 'in progress' WHERE id = ? AND status = 'new'",
            (article_id,),
        )

    def update_span(self, span_id: int, **changes: Any) -> tuple[Span, Span]:
        """Change start/end, label_id, note or attributes; return (before, after)."""
        self._writable()
        allowed = {"start", "end", "label_id", "note", "attributes"}
        bad = set(changes) - allowed
        if bad:
            raise ValueError(f"cannot change {sorted(bad)} of a span")
        before = self.span(span_id)
        values: dict[str, Any] = dict(changes)
        if "start" in values or "end" in values:
            start = int(values.get("start", before.start))
            end = int(values.get("end", before.end))
            values["text"] = self._covered_text(before.article_id, start, end)
            values["start"], values["end"] = start, end
        if "label_id" in values:
            self.label(int(values["label_id"]))
        if "attributes" in values:
            values["attributes"] = json.dumps(
                values["attributes"] or {}, ensure_ascii=False, sort_keys=True
            )
        values["updated_at"] = now()
        assignments = ", ".join(f'"{key}" = ?' for key in values)
        with self.db.atomic():
            self._conn.execute(
                f"UPDATE spans SET {assignments} WHERE id = ?", [*values.values(), span_id]
            )
        return before, self.span(span_id)

    def _snapshot_span(self, span_id: int) -> SpanSnapshot:
        span = self.span(span_id)
        rows = self._conn.execute(
            f"SELECT {_RELATION_COLUMNS} FROM relations WHERE head_id = ? OR child_id = ?"
            " ORDER BY id",
            (span_id, span_id),
        ).fetchall()
        return SpanSnapshot(span, tuple(_relation(r) for r in rows))

    def delete_span(self, span_id: int) -> SpanSnapshot:
        """Delete a span and its relations; return what restores them."""
        self._writable()
        with self.db.atomic():
            snapshot = self._snapshot_span(span_id)
            self._conn.execute("DELETE FROM spans WHERE id = ?", (span_id,))
        return snapshot

    def _insert_span_row(self, span: Span) -> None:
        self._conn.execute(
            f"INSERT INTO spans({_SPAN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                span.id,
                span.article_id,
                span.start,
                span.end,
                span.label_id,
                span.text,
                span.annotator,
                span.note,
                json.dumps(span.attributes, ensure_ascii=False, sort_keys=True),
                span.created_at,
                span.updated_at,
            ),
        )

    def restore_span(self, snapshot: SpanSnapshot) -> Span:
        """Put a deleted span back with its id and relations (undo of a delete)."""
        self._writable()
        with self.db.atomic():
            self._insert_span_row(snapshot.span)
            for rel in snapshot.relations:
                self._insert_relation_row(rel)
        return self.span(snapshot.span.id)

    # --------------------------------------------------------------------------- relations
    def relations(self, article_id: int) -> list[Relation]:
        rows = self._conn.execute(
            f"SELECT {_RELATION_COLUMNS} FROM relations WHERE article_id = ? ORDER BY id",
            (article_id,),
        ).fetchall()
        return [_relation(r) for r in rows]

    def relation(self, relation_id: int) -> Relation:
        row = self._conn.execute(
            f"SELECT {_RELATION_COLUMNS} FROM relations WHERE id = ?", (relation_id,)
        ).fetchone()
        if row is None:
            raise ProjectError(self.path, f"has no relation {relation_id}")
        return _relation(row)

    def add_relation(self, head_id: int, child_id: int, rel_type: str, annotator: str) -> Relation:
        self._writable()
        head, child = self.span(head_id), self.span(child_id)
        if head.article_id != child.article_id:
            raise ProjectError(self.path, "a relation links two spans of the same article")
        if head_id == child_id:
            raise ProjectError(self.path, "a span cannot be linked to itself")
        if not rel_type.strip():
            raise ProjectError(self.path, "a relation needs a type")
        with self.db.atomic():
            cursor = self._conn.execute(
                "INSERT INTO relations(article_id, head_id, child_id, type, annotator, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (head.article_id, head_id, child_id, rel_type.strip(), annotator, now()),
            )
        assert cursor.lastrowid is not None
        return self.relation(cursor.lastrowid)

    def relation_keys_of(self, article_id: int) -> set[tuple[int, int, str]]:
        """``(head_id, child_id, type)`` of the relations from the article's spans, in one
        query: what a batch checks duplicates by (see :meth:`has_relation`)."""
        rows = self._conn.execute(
            "SELECT head_id, child_id, type FROM relations"
            " WHERE head_id IN (SELECT id FROM spans WHERE article_id = ?)",
            (article_id,),
        )
        return {(head, child, rel_type) for head, child, rel_type in rows}

    def add_relations(
        self, article_id: int, relations: Sequence[tuple[int, int, str, str]]
    ) -> None:
        """Add ``(head_id, child_id, type, annotator)`` relations between spans of one article
        in one batch, with the checks and errors of :meth:`add_relation` (nothing is added when
        one is refused)."""
        self._writable()
        if not relations:
            return
        wanted = sorted({r[0] for r in relations} | {r[1] for r in relations})
        where: dict[int, int] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            where.update(
                self._conn.execute(
                    f"SELECT id, article_id FROM spans WHERE id IN ({', '.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
            )
        for head_id, child_id, rel_type, _annotator in relations:
            for span_id in (head_id, child_id):
                if span_id not in where:
                    raise ProjectError(self.path, f"has no span {span_id}")
            if where[head_id] != where[child_id] or where[head_id] != article_id:
                raise ProjectError(self.path, "a relation links two spans of the same article")
            if head_id == child_id:
                raise ProjectError(self.path, "a span cannot be linked to itself")
            if not rel_type.strip():
                raise ProjectError(self.path, "a relation needs a type")
        stamp = now()
        with self.db.atomic():
            self._conn.executemany(
                "INSERT INTO relations(article_id, head_id, child_id, type, annotator, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (article_id, head_id, child_id, rel_type.strip(), annotator, stamp)
                    for head_id, child_id, rel_type, annotator in relations
                ],
            )

    def has_relation(self, head_id: int, child_id: int, rel_type: str) -> bool:
        return (
            self._conn.execute(
                "SELECT 1 FROM relations WHERE head_id = ? AND child_id = ? AND type = ?",
                (head_id, child_id, rel_type),
            ).fetchone()
            is not None
        )

    def delete_relation(self, relation_id: int) -> Relation:
        self._writable()
        rel = self.relation(relation_id)
        with self.db.atomic():
            self._conn.execute("DELETE FROM relations WHERE id = ?", (relation_id,))
        return rel

    def _insert_relation_row(self, rel: Relation) -> None:
        self._conn.execute(
            f"INSERT INTO relations({_RELATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                rel.id,
                rel.article_id,
                rel.head_id,
                rel.child_id,
                rel.type,
                rel.annotator,
                rel.created_at,
            ),
        )

    def restore_relation(self, rel: Relation) -> Relation:
        self._writable()
        with self.db.atomic():
            self._insert_relation_row(rel)
        return self.relation(rel.id)

    # ------------------------------------------------------------------------------ export
    def export_article_ids(self, *, status: str | None = None) -> list[int]:
        """The ids of the articles an export covers, in id order (ints only, never texts)."""
        if status is None:
            rows = self._conn.execute("SELECT id FROM articles ORDER BY id")
        else:
            rows = self._conn.execute(
                "SELECT id FROM articles WHERE status = ? ORDER BY id", (status,)
            )
        return [row[0] for row in rows]

    def iter_annotated_articles(
        self,
        *,
        status: str | None = None,
        label_ids: Iterable[int] | None = None,
        annotator: str | None = None,
        article_ids: Iterable[int] | None = None,
        batch_size: int = 32,
    ) -> Iterator[tuple[Article, list[Span], list[Relation]]]:
        """Each article in id order with its spans and the relations between those spans.

        Reads ``batch_size`` articles at a time, with three queries per batch (articles, spans,
        relations), so memory stays flat however large the project. ``label_ids`` and
        ``annotator`` restrict the spans; a relation comes along only when both its spans do.
        ``article_ids`` (with ``status``) restricts the articles. Spans come sorted by start,
        longest first, then id; relations by id.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        span_clauses: list[str] = []
        span_params: list[Any] = []
        if label_ids is not None:
            wanted = sorted(set(label_ids))
            if not wanted:
                span_clauses.append("0")
            else:
                span_clauses.append(f"label_id IN ({', '.join('?' * len(wanted))})")
                span_params.extend(wanted)
        if annotator is not None:
            span_clauses.append("annotator = ?")
            span_params.append(annotator)
        span_filter = "".join(f" AND {clause}" for clause in span_clauses)
        for batch in self._article_batches(status, article_ids, batch_size):
            if not batch:
                continue
            first, last = batch[0].id, batch[-1].id
            spans_of: dict[int, list[Span]] = {a.id: [] for a in batch}
            for row in self._conn.execute(
                f"SELECT {_SPAN_COLUMNS} FROM spans WHERE article_id BETWEEN ? AND ?{span_filter}"
                ' ORDER BY article_id, start, "end" DESC, id',
                [first, last, *span_params],
            ):
                if row[1] in spans_of:
                    spans_of[row[1]].append(_span(row))
            relations_of: dict[int, list[Relation]] = {a.id: [] for a in batch}
            for row in self._conn.execute(
                f"SELECT {_RELATION_COLUMNS} FROM relations WHERE article_id BETWEEN ? AND ?"
                " ORDER BY article_id, id",
                (first, last),
            ):
                if row[1] in relations_of:
                    relations_of[row[1]].append(_relation(row))
            for article in batch:
                spans = spans_of.pop(article.id)
                kept = {s.id for s in spans}
                relations = [
                    r
                    for r in relations_of.pop(article.id)
                    if r.head_id in kept and r.child_id in kept
                ]
                yield article, spans, relations

    def _article_batches(
        self, status: str | None, article_ids: Iterable[int] | None, batch_size: int
    ) -> Iterator[list[Article]]:
        status_clause = " AND status = ?" if status is not None else ""
        status_params: list[Any] = [status] if status is not None else []
        if article_ids is not None:
            ids = sorted(set(article_ids))
            for i in range(0, len(ids), batch_size):
                chunk = ids[i : i + batch_size]
                rows = self._conn.execute(
                    f"SELECT {_ARTICLE_COLUMNS} FROM articles"
                    f" WHERE id IN ({', '.join('?' * len(chunk))}){status_clause} ORDER BY id",
                    [*chunk, *status_params],
                ).fetchall()
                yield [_article(r) for r in rows]
            return
        after = 0
        while True:
            # Keyset paging: no cursor stays open between batches, and each page is an index seek.
            rows = self._conn.execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id > ?{status_clause}"
                " ORDER BY id LIMIT ?",
                [after, *status_params, batch_size],
            ).fetchall()
            if not rows:
                return
            yield [_article(r) for r in rows]
            after = rows[-1][0]

    # ------------------------------------------------------------------------------ checks
    def check_spans(self) -> list[SpanMismatch]:
        """Spans whose stored text differs from the article at their offsets. Read-only: such
        spans are reported, never shifted to fit."""
        return span_mismatches(self._conn)

    # ------------------------------------------------------------------------------ counts
    def counts(self) -> dict[str, int]:
        conn = self._conn
        return {
            "articles": conn.execute("SELECT count(*) FROM articles").fetchone()[0],
            "spans": conn.execute("SELECT count(*) FROM spans").fetchone()[0],
            "relations": conn.execute("SELECT count(*) FROM relations").fetchone()[0],
            "labels": conn.execute("SELECT count(*) FROM labels").fetchone()[0],
        }


_NOT_SEARCHABLE = re.compile("[\x00\ud800-\udfff]")


def fts_query(search: str) -> str:
    """Turn what a user types into an FTS5 query: every word must occur, as a prefix."""
    # A NUL ends the query string inside FTS5 ("unterminated string") and a lone surrogate
    # cannot be encoded at all: both separate words instead.
    search = _NOT_SEARCHABLE.sub(" ", search)
    words = [w.replace('"', '""') for w in search.split() if w.strip()]
    return " ".join(f'"{w}"*' for w in words)
