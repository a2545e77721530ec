"""A project file: one SQLite database holding articles, labels, spans and relations.

:class:`Project` is the one object the rest of the app holds: it opens and closes the file
(store/opening.py) with its lock and backups, and hands every query to a repository that owns
one concern: articles and the article list (store/articles.py), labels (store/labels.py), spans
and relations (store/spans.py), and project-wide records and checks (store/maintenance.py). Its
methods only delegate; new store code goes into a repository, and reaches callers through a
method here. Exports read the whole project in one pass through store/stream.py.

Every public method that writes runs in its own transaction (``db.atomic()``), so each user
action is committed at once and as a whole; callers that batch work (imports) wrap several calls
in :meth:`Project.atomic`, which nests through savepoints.
"""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Unpack

from sqlite_utils import Database

from annotator.core.model import (
    DEFAULT_LABELS,
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
from annotator.store.articles import ARTICLE_SORT_KEYS, ArticleQuery, ArticleRepository, ListArgs
from annotator.store.backup import BackupInfo, BackupManager, backup_equal_to
from annotator.store.errors import (
    ProjectDamaged,
    ProjectEmpty,
    ProjectError,
    ProjectFromNewerVersion,
    ProjectMissing,
    ReadOnlyError,
)
from annotator.store.fsinfo import StorageInfo
from annotator.store.integrity import SpanMismatch
from annotator.store.labels import LabelRepository
from annotator.store.lock import ProjectLock
from annotator.store.maintenance import Maintenance
from annotator.store.opening import PROJECT_SUFFIX, SQLITE_MAGIC, connect, database_error, prepare
from annotator.store.rows import Handle, now
from annotator.store.spans import NewSpan, SpanRepository

__all__ = [
    "ARTICLE_SORT_KEYS",
    "PROJECT_SUFFIX",
    "SQLITE_MAGIC",
    "NewSpan",
    "Project",
    "ProjectDamaged",
    "ProjectEmpty",
    "ProjectError",
    "ProjectFromNewerVersion",
    "ProjectMissing",
    "ReadOnlyError",
    "now",
]


class Project:
    """An open project file."""

    def __init__(self, path: Path, db: Database, *, read_only: bool) -> None:
        self.path = path
        self.db = db
        self.read_only = read_only
        self._closed = False
        handle = Handle(path, db, read_only=read_only)
        # The repositories, one per concern; the methods below delegate to them.
        self.article_repo = ArticleRepository(handle)
        self.span_repo = SpanRepository(handle, self.article_repo)
        self.label_repo = LabelRepository(handle, self.span_repo)
        self.maintenance = Maintenance(handle)
        self._handle = handle
        # Durability (store/fsinfo.py, lock.py, backup.py), set by open(): a warning about
        # network or sync-folder storage; the write lock; the backups.
        self.storage: StorageInfo | None = None
        self.storage_warning: str | None = None
        self.lock: ProjectLock | None = None
        self.backups: BackupManager | None = None
        self.migration_backup: BackupInfo | None = None  # taken before this open's upgrade
        # False when opening skipped SQLite's check of every page (``defer_check``): the
        # caller runs it off the GUI thread (store/integrity.py FileCheck).
        self.quick_checked = True

    @property
    def read_only_reason(self) -> str | None:
        """Why a project asked for writing is read-only (None: writable, or read-only as asked);
        refused writes say it."""
        return self._handle.read_only_reason

    @read_only_reason.setter
    def read_only_reason(self, reason: str | None) -> None:
        self._handle.read_only_reason = reason

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
        defer_check: bool = False,
    ) -> Project:
        """Open (or create) a project file, upgrading its schema if it is older than this app.

        For writing, the project takes its write lock (:class:`~annotator.store.lock.ProjectLock`,
        raising ``ProjectLocked`` when another instance or window holds it; ``lock=False`` skips
        it), backs the file up first if it must upgrade it, and backs it up on opening when it
        changed since its last backup (``backups=False``: no backups but the one before an
        upgrade, for throwaway files such as benchmarks'). A file or folder that cannot be
        written opens read-only, with :attr:`read_only_reason` saying why. On a network drive
        or in a sync folder the project uses a rollback journal instead of WAL and
        :attr:`storage_warning` says so.

        ``defer_check`` skips SQLite's check of every page when the file is exactly as this app
        left it at its last clean close (seconds saved on a large project); the window then
        checks it in the background, and :attr:`quick_checked` is False. It also leaves a due
        backup on opening to the window, to take on a worker thread
        (``backups.open_backup_due``).
        """
        found = connect(path, create=create, read_only=read_only, lock=lock)
        try:
            project = cls(
                found.path, Database(found.conn, execute_plugins=False), read_only=found.read_only
            )
            project.read_only_reason = found.read_only_reason
            project.storage, project.storage_warning = (
                found.storage,
                found.storage.warning(found.path),
            )
            project.lock = found.lock
            if found.cleanup is not None:
                weakref.finalize(project, found.cleanup)  # the upgraded copy's folder
                found.cleanup = None
            deferred = (
                defer_check
                and backups
                and not found.read_only
                and not found.new
                and backup_equal_to(found.path, found.fingerprint) is not None
            )
            project.quick_checked = not deferred
            project._prepare(new=found.new, quick_check=not deferred)
            if not found.read_only and backups:
                project.backups = BackupManager(project)
                # The window takes the backup on opening off its thread (WAL lets it read a
                # snapshot while the window writes); a rollback journal would block writes.
                project.backups.opened(
                    found.fingerprint,
                    new=found.new,
                    defer=defer_check and not found.storage.unsafe_for_wal,
                )
        except BaseException as exc:
            # Named before the lock file goes: its room on a full disk would hide the cause.
            named = (
                database_error(found.path, exc) if isinstance(exc, sqlite3.DatabaseError) else None
            )
            found.abandon()
            if named is not None:
                raise named from exc
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

    def _prepare(self, *, new: bool, quick_check: bool = True) -> None:
        self.migration_backup, fresh = prepare(
            self._handle, new=new, storage=self.storage, quick_check=quick_check
        )
        if fresh:
            with self.db.atomic():
                self.maintenance.set_info("created_at", now())
                for spec in DEFAULT_LABELS:
                    self.label_repo.insert(spec)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called (nothing can be read or written any more)."""
        return self._closed

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
                    self.db.conn.execute("PRAGMA optimize")
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

    def require_writable(self) -> None:
        """Raise ReadOnlyError (saying why) unless the project may be written."""
        self._handle.writable()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """One transaction (or a savepoint inside one) around several writes."""
        self._handle.writable()
        with self.db.atomic():
            yield

    # ------------------------------------------------------------- records and checks
    def schema_version(self) -> list[str]:
        return self.maintenance.schema_version()

    def info(self, key: str, default: str = "") -> str:
        return self.maintenance.info(key, default)

    def copy_to(self, target: str | Path) -> None:
        """Write a self-contained copy (rollback journal, no WAL) that can be mailed."""
        self.maintenance.copy_to(target)

    def check_spans(self) -> list[SpanMismatch]:
        """Spans whose stored text differs from the article at their offsets (reported only)."""
        return self.maintenance.check_spans()

    def counts(self) -> dict[str, int]:
        return self.maintenance.counts()

    def relations_across_articles(self) -> list[tuple[int, int, int]]:
        """Relations whose spans are in two articles (no format can carry one)."""
        return self.maintenance.relations_across_articles()

    # ---------------------------------------------------------------------------- articles
    def add_article(self, draft: ArticleDraft) -> tuple[int, bool]:
        """Store an article; return its id and whether it was new (False: same text already)."""
        return self.article_repo.add(draft)

    def article(self, article_id: int) -> Article:
        return self.article_repo.get(article_id)

    def article_text(self, article_id: int) -> str:
        return self.article_repo.text(article_id)

    def article_id_by_hash(self, digest: str) -> int | None:
        return self.article_repo.id_by_hash(digest)

    def has_article(self, article_id: int) -> bool:
        """Whether the project holds an article with this id (one index lookup)."""
        return self.article_repo.exists(article_id)

    def article_ids(self) -> list[int]:
        return self.article_repo.ids()

    def set_article_status(self, article_id: int, status: str) -> str:
        """Set an article's status and return the previous one."""
        return self.article_repo.set_status(article_id, status)

    def article_summary(self, article_id: int) -> ArticleSummary:
        return self.article_repo.summary(article_id)

    def article_summaries_of(self, article_ids: Sequence[int]) -> list[ArticleSummary]:
        """The summaries of these articles, in the order given (missing ones left out)."""
        return self.article_repo.summaries_of(article_ids)

    # The article list: the keywords (order_by, descending, search, label_id) are those of
    # store.articles.ArticleQuery, declared there once.
    def article_count(self, *, search: str = "", label_id: int | None = None) -> int:
        """How many articles the list shows with these filters."""
        return self.article_repo.count(ArticleQuery(search=search, label_id=label_id))

    def article_page_ids(
        self, offset: int = 0, limit: int = 200, **query: Unpack[ListArgs]
    ) -> list[int]:
        """The ids of one page of the article list, in its order (no other column is read)."""
        return self.article_repo.page_ids(ArticleQuery(**query), offset, limit)

    def article_summaries(
        self, offset: int = 0, limit: int = 200, **query: Unpack[ListArgs]
    ) -> list[ArticleSummary]:
        """One page of the article list, counted spans included, without loading texts."""
        repo = self.article_repo
        return repo.summaries_of(repo.page_ids(ArticleQuery(**query), offset, limit))

    def article_position(self, article_id: int, **query: Unpack[ListArgs]) -> int | None:
        """The row of an article in the list :meth:`article_summaries` pages through (0 first),
        or None when the filters leave it out (or there is no such article)."""
        return self.article_repo.position(article_id, ArticleQuery(**query))

    # ------------------------------------------------------------------------------ labels
    def labels(self) -> list[Label]:
        return self.label_repo.all()

    def label(self, label_id: int) -> Label:
        return self.label_repo.get(label_id)

    def label_by_name(self, name: str) -> Label | None:
        return self.label_repo.by_name(name)

    def add_label(self, spec: LabelSpec) -> Label:
        return self.label_repo.add(spec)

    def ensure_label(self, name: str) -> Label:
        """The label of that name, created with the next palette colour when missing."""
        return self.label_repo.ensure(name)

    def update_label(self, label_id: int, **changes: Any) -> tuple[Label, Label]:
        """Change name, color, hotkey or description; return (before, after)."""
        return self.label_repo.update(label_id, **changes)

    def reorder_labels(self, label_ids: Sequence[int]) -> list[int]:
        """Put the labels in this order; return the previous order."""
        return self.label_repo.reorder(label_ids)

    def label_usage(self, label_id: int) -> int:
        return self.span_repo.label_usage(label_id)

    def delete_label(self, label_id: int) -> LabelSnapshot:
        """Delete a label and its spans (and their relations); return what restores them."""
        return self.label_repo.delete(label_id)

    def restore_label(self, snapshot: LabelSnapshot) -> Label:
        return self.label_repo.restore(snapshot)

    # ------------------------------------------------------------------------------- spans
    def spans(self, article_id: int, annotators: Iterable[str] | None = None) -> list[Span]:
        """The spans of an article, by start then longest first; all layers unless named."""
        return self.span_repo.of_article(article_id, annotators)

    def span(self, span_id: int) -> Span:
        return self.span_repo.get(span_id)

    def annotators(self, article_id: int | None = None) -> list[str]:
        return self.span_repo.annotators(article_id)

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
        return self.span_repo.add(
            article_id, start, end, label_id, annotator, note=note, attributes=attributes
        )

    def has_span(
        self, article_id: int, start: int, end: int, label_id: int, annotator: str
    ) -> bool:
        return self.span_repo.exists(article_id, start, end, label_id, annotator)

    def span_keys(self, article_id: int) -> dict[tuple[int, int, int, str], int]:
        """``(start, end, label_id, annotator) -> span id`` for an article's spans."""
        return self.span_repo.keys(article_id)

    def add_spans(self, article_id: int, spans: Sequence[NewSpan], *, text: str) -> list[int]:
        """Add spans to one article in one batch and return their ids, in the order given
        (``text``: the article's stored text; see :meth:`SpanRepository.add_batch`)."""
        return self.span_repo.add_batch(article_id, spans, text=text)

    def update_span(self, span_id: int, **changes: Any) -> tuple[Span, Span]:
        """Change start/end, label_id, note or attributes; return (before, after)."""
        return self.span_repo.update(span_id, **changes)

    def delete_span(self, span_id: int) -> SpanSnapshot:
        """Delete a span and its relations; return what restores them."""
        return self.span_repo.delete(span_id)

    def restore_span(self, snapshot: SpanSnapshot) -> Span:
        """Put a deleted span back with its id and relations (undo of a delete)."""
        return self.span_repo.restore(snapshot)

    # --------------------------------------------------------------------------- relations
    def relations(self, article_id: int) -> list[Relation]:
        return self.span_repo.relations(article_id)

    def relation(self, relation_id: int) -> Relation:
        return self.span_repo.relation(relation_id)

    def add_relation(self, head_id: int, child_id: int, rel_type: str, annotator: str) -> Relation:
        return self.span_repo.add_relation(head_id, child_id, rel_type, annotator)

    def relation_keys_of(self, article_id: int) -> set[tuple[int, int, str]]:
        """``(head_id, child_id, type)`` of the relations from the article's spans."""
        return self.span_repo.relation_keys_of(article_id)

    def add_relations(
        self, article_id: int, relations: Sequence[tuple[int, int, str, str]]
    ) -> None:
        """Add ``(head_id, child_id, type, annotator)`` relations between spans of one article
        in one batch (nothing is added when one is refused)."""
        self.span_repo.add_relations(article_id, relations)

    def has_relation(self, head_id: int, child_id: int, rel_type: str) -> bool:
        return self.span_repo.has_relation(head_id, child_id, rel_type)

    def delete_relation(self, relation_id: int) -> Relation:
        return self.span_repo.delete_relation(relation_id)

    def restore_relation(self, rel: Relation) -> Relation:
        return self.span_repo.restore_relation(rel)

    # ------------------------------------------------------------------------------ export
    def export_article_ids(self, *, status: str | None = None) -> list[int]:
        """The ids of the articles an export covers, in id order (ints only, never texts)."""
        return self.article_repo.ids(status=status)
