"""Durability of the project file: one transaction per action, WAL and synchronous settings,
foreign keys on every connection, storage detection, and files the store must refuse untouched.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from annotator.core.model import ArticleDraft, LabelSpec
from annotator.formats.importer import import_paths
from annotator.store import (
    Project,
    ProjectDamaged,
    ProjectError,
    ProjectFromNewerVersion,
    ProjectMissing,
    ReadOnlyError,
    fsinfo,
)
from annotator.store.backup import list_backups, restore_backup
from annotator.store.fsinfo import StorageInfo
from annotator.store.integrity import SpanMismatch
from annotator.store.lock import lock_path_for
from annotator.store.schema import MIGRATION_SET

TEXT = "Putin told Trump 🇺🇸 the call went well, Peskov said.\nمرحبا 👍🏽 end."


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(folder: Path) -> set[str]:
    return set(os.listdir(folder))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "analyst.annot"


@pytest.fixture
def project(path: Path) -> Iterator[Project]:
    with Project.open(path) as opened:
        yield opened


def label(project: Project, name: str) -> int:
    found = project.label_by_name(name)
    assert found is not None
    return found.id


def fill(project: Project) -> tuple[int, list[int]]:
    article_id, _ = project.add_article(ArticleDraft(TEXT, title="Call"))
    quote, source = label(project, "Quote"), label(project, "Source")
    s1 = project.add_span(article_id, 0, 5, source, "ann").id
    s2 = project.add_span(article_id, 11, 16, quote, "ann").id
    s3 = project.add_span(article_id, 17, 19, quote, "ann").id  # the flag: one character pair
    project.add_relation(s2, s1, "attributed_to", "ann")
    return article_id, [s1, s2, s3]


# ---------------------------------------------------------- one transaction per user action
class Transactions:
    """Watches one connection: the transactions each call opened and any write outside one."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.statements: list[str] = []
        conn.set_trace_callback(self.statements.append)

    def during(self, call: Callable[[], object]) -> tuple[int, int, list[str]]:
        self.statements.clear()
        call()
        begins = commits = depth = 0
        outside = []
        for sql in self.statements:
            head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
            if sql.lstrip().startswith("--"):
                continue  # trigger bodies, reported as comments
            if head == "BEGIN":
                begins, depth = begins + 1, depth + 1
            elif head in ("COMMIT", "END", "ROLLBACK"):
                commits, depth = commits + (head != "ROLLBACK"), depth - 1
            elif head in ("INSERT", "UPDATE", "DELETE", "REPLACE") and depth == 0:
                outside.append(sql)
        return begins, commits, outside


def test_every_session_action_is_exactly_one_committed_transaction(project: Project) -> None:
    """The Project methods ProjectSession calls, one per user action (and per undo step)."""
    article_id, (s1, s2, s3) = fill(project)
    watch = Transactions(project.db.conn)
    quote, claim = label(project, "Quote"), label(project, "Claim")
    state: dict[str, object] = {}
    actions: list[tuple[str, Callable[[], object]]] = [
        ("add_span", lambda: state.update(span=project.add_span(article_id, 20, 24, claim, "a"))),
        ("update_span", lambda: project.update_span(s1, end=6, note="n", attributes={"k": "v"})),
        ("add_relation", lambda: state.update(rel=project.add_relation(s3, s2, "x", "a"))),
        ("delete_relation", lambda: project.delete_relation(state["rel"].id)),  # type: ignore[attr-defined]
        ("restore_relation", lambda: project.restore_relation(state["rel"])),  # type: ignore[arg-type]
        ("delete_span", lambda: state.update(snap=project.delete_span(s2))),
        ("restore_span", lambda: project.restore_span(state["snap"])),  # type: ignore[arg-type]
        ("set_article_status", lambda: project.set_article_status(article_id, "done")),
        ("add_label", lambda: state.update(lb=project.add_label(LabelSpec("New", "#123456")))),
        ("update_label", lambda: project.update_label(quote, name="Quotation")),
        (
            "reorder_labels",
            lambda: project.reorder_labels([lb.id for lb in project.labels()][::-1]),
        ),
        ("delete_label", lambda: state.update(lsnap=project.delete_label(quote))),
        ("restore_label", lambda: project.restore_label(state["lsnap"])),  # type: ignore[arg-type]
        ("add_article", lambda: project.add_article(ArticleDraft("Another article."))),
    ]
    for name, action in actions:
        begins, commits, outside = watch.during(action)
        assert (begins, commits, outside) == (1, 1, []), name
        assert not project.db.conn.in_transaction, name


def test_an_import_is_one_transaction(project: Project, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(5):
        (folder / f"{i}.txt").write_text(f"Headline {i}\n\nBody {i} 🙂", encoding="utf-8")
    watch = Transactions(project.db.conn)
    begins, commits, outside = watch.during(lambda: import_paths(project, [folder], annotator="a"))
    assert (begins, commits, outside) == (1, 1, [])
    assert project.counts()["articles"] == 5


# ----------------------------------------------------------------- journal and connections
def test_wal_with_synchronous_normal_and_foreign_keys(project: Project) -> None:
    conn = project.db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert project.storage_warning is None


class RecordingConnection(sqlite3.Connection):
    closed_with: list[tuple[str, int]] = []

    def close(self) -> None:
        name = self.execute("PRAGMA database_list").fetchone()[2]
        RecordingConnection.closed_with.append(
            (name, self.execute("PRAGMA foreign_keys").fetchone()[0])
        )
        super().close()


def test_every_connection_of_the_store_has_foreign_keys_on(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[sqlite3.Connection] = []
    real_connect = sqlite3.connect

    def connect(*args: object, **kwargs: object) -> sqlite3.Connection:
        kwargs.setdefault("factory", RecordingConnection)
        conn = real_connect(*args, **kwargs)  # type: ignore[arg-type]
        opened.append(conn)
        return conn

    RecordingConnection.closed_with = []
    monkeypatch.setattr(sqlite3, "connect", connect)
    with Project.open(path) as project:  # new file
        fill(project)
        project.copy_to(tmp_path / "copy.annot")
        assert project.backups is not None
        project.backups.backup_now()
    with Project.open(path) as project:  # existing file: backups on open and close
        project.add_article(ArticleDraft("more"))
    with Project.open(path, read_only=True):
        pass
    restore_backup(list_backups(path)[-1], path)
    assert len(opened) >= 8
    assert len(RecordingConnection.closed_with) == len(opened), "a connection was left open"
    assert all(fk == 1 for _name, fk in RecordingConnection.closed_with), (
        RecordingConnection.closed_with
    )


# ------------------------------------------------------------------ network and sync folders
MOUNTINFO = r"""22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw
40 27 0:50 / /home/ana/shared rw,relatime - nfs4 fileserver:/export/shared rw,vers=4.2
41 27 0:51 / /mnt/win\040share rw,relatime - cifs //nas/team rw
42 40 0:52 / /home/ana/shared/local-cache rw - tmpfs tmpfs rw
43 27 0:53 / /home/ana/remote rw - fuse.sshfs ana@host:/data rw
44 27 0:54 / /home/ana/other rw - fuse ana@host:/data rw
"""


@pytest.mark.parametrize(
    ("where", "fs_type", "network"),
    [
        ("/home/ana/notes/p.annot", "ext4", False),
        ("/home/ana/shared/team/p.annot", "nfs4", True),
        ("/mnt/win share/p.annot", "cifs", True),
        ("/home/ana/shared/local-cache/p.annot", "tmpfs", False),  # the innermost mount wins
        ("/home/ana/remote/p.annot", "fuse.sshfs", True),
        ("/home/ana/other/p.annot", "fuse", True),  # a FUSE mount of "user@host:" is remote
        ("/home/ana/sharedness/p.annot", "ext4", False),  # a prefix of a name is no parent
    ],
)
def test_mountinfo_finds_the_filesystem(where: str, fs_type: str, network: bool) -> None:
    mount = fsinfo.mount_of(Path(where), fsinfo.parse_mountinfo(MOUNTINFO))
    assert mount is not None
    assert mount.fs_type == fs_type
    assert fsinfo.is_network_type(mount.fs_type, mount.source) is network


def test_mac_mount_output_is_parsed() -> None:
    text = (
        "/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)\n"
        "//ana@nas._smb._tcp.local/team on /Volumes/team (smbfs, nodev, nosuid, mounted by ana)\n"
    )
    mount = fsinfo.mount_of(Path("/Volumes/team/p.annot"), fsinfo.parse_mac_mount(text))
    assert mount is not None and mount.fs_type == "smbfs"
    assert fsinfo.is_network_type(mount.fs_type)


@pytest.mark.parametrize(
    ("where", "service"),
    [
        ("/home/ana/Dropbox/work/p.annot", "Dropbox"),
        ("/home/ana/Dropbox (Personal)/p.annot", "Dropbox"),
        ("C:/Users/ana/OneDrive - ACME Corp/p.annot", "OneDrive"),
        (
            "/Users/ana/Library/CloudStorage/GoogleDrive-ana@x.org/My Drive/p.annot",
            "a cloud storage folder",
        ),
        ("/Users/ana/Library/Mobile Documents/com~apple~CloudDocs/p.annot", "iCloud Drive"),
        ("/home/ana/Nextcloud/p.annot", "Nextcloud"),
        ("/home/ana/projects/dropbox-export-notes/p.annot", None),
        ("/home/ana/mega/p.annot", None),
        ("/home/ana/Dropbox.annot", None),  # the file's own name does not count
    ],
)
def test_sync_folders_are_recognised_by_name(where: str, service: str | None) -> None:
    assert fsinfo.sync_service_of(Path(where)) == service


def test_this_machines_temporary_folder_is_local(tmp_path: Path) -> None:
    info = fsinfo.detect_storage(tmp_path / "p.annot")
    assert not info.unsafe_for_wal
    assert info.fs_type  # Linux tells the type


def test_a_project_in_a_sync_folder_uses_a_rollback_journal(tmp_path: Path) -> None:
    path = tmp_path / "Dropbox" / "team" / "p.annot"
    with Project.open(path) as project:
        fill(project)
        conn = project.db.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert project.storage_warning is not None
        assert "Dropbox" in project.storage_warning and str(path) in project.storage_warning
    assert not Path(f"{path}-wal").exists()
    with Project.open(path) as project:
        assert project.counts()["spans"] == 3


def test_a_wal_project_moved_onto_a_network_drive_switches_journal(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Project.open(path) as project:
        fill(project)
    network = StorageInfo(fs_type="nfs4", network=True, sync_service=None)
    monkeypatch.setattr(fsinfo, "detect_storage", lambda _path: network)
    with Project.open(path) as project:
        assert project.db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert (
            project.storage_warning is not None
            and "network drive (nfs4)" in project.storage_warning
        )
        project.add_article(ArticleDraft("written with a rollback journal"))
    assert not Path(f"{path}-wal").exists()
    with Project.open(path, read_only=True) as project:
        assert project.counts()["articles"] == 2


# ------------------------------------------------------------------- files to refuse untouched
def make_project(path: Path, articles: int = 1) -> None:
    with Project.open(path) as project:
        fill(project)
        for i in range(articles - 1):
            project.add_article(ArticleDraft(f"Article {i} " + "padding text " * 400))


@pytest.mark.parametrize("read_only", [False, True], ids=["write", "read-only"])
@pytest.mark.parametrize("damage", ["truncated", "scribbled"])
def test_a_damaged_project_is_refused_untouched_naming_the_file(
    tmp_path: Path, damage: str, read_only: bool
) -> None:
    path = tmp_path / "hurt.annot"
    make_project(path, articles=40)
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:
        path.write_bytes(data[:8192] + b"\xde\xad\xbe\xef" * 2048 + data[16384:])
    before, files = digest(path), listing(tmp_path)
    with pytest.raises(ProjectDamaged) as caught:
        Project.open(path, read_only=read_only)
    assert caught.value.path == path and str(path) in str(caught.value)
    assert "damaged" in caught.value.message
    assert digest(path) == before
    assert not lock_path_for(path).exists()
    assert listing(tmp_path) - files <= {f"{path.name}-wal", f"{path.name}-shm"}
    # what the GUI offers next: the latest backup of this file (taken on closing it)
    backups = list_backups(path)
    assert backups and backups[0].articles == 40


def test_a_path_that_vanished_is_refused_and_nothing_is_created(tmp_path: Path) -> None:
    path = tmp_path / "gone" / "project.annot"
    for kwargs in ({"create": False}, {"read_only": True}):
        with pytest.raises(ProjectMissing, match="does not exist") as caught:
            Project.open(path, **kwargs)  # type: ignore[arg-type]
        assert caught.value.path == path
    assert not path.parent.exists()


def test_a_file_we_may_not_write_opens_read_only_saying_why(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests run as root, for whom chmod stops nothing: os.access is made to say no."""
    make_project(path)
    before, files = digest(path), listing(path.parent)
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode, **kw: False if Path(p) == path else real_access(p, mode)
    )
    with Project.open(path) as project:
        assert project.read_only
        assert project.read_only_reason == "opened read-only because the file is read-only"
        assert project.lock is None and project.backups is None
        assert project.counts()["spans"] == 3
        with pytest.raises(ReadOnlyError):
            project.add_article(ArticleDraft("x"))
    assert digest(path) == before
    # Opened immutable: no -shm or -wal is left beside a file nobody can be writing.
    assert listing(path.parent) == files


def test_a_folder_we_may_not_write_opens_read_only_as_immutable(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_project(path)
    before, files = digest(path), listing(path.parent)
    real_access = os.access
    monkeypatch.setattr(
        os,
        "access",
        lambda p, mode, **kw: False if Path(p) == path.parent else real_access(p, mode),
    )
    with Project.open(path) as project:
        assert project.read_only
        assert project.read_only_reason is not None and "folder" in project.read_only_reason
        assert project.check_spans() == []
    assert digest(path) == before
    assert listing(path.parent) == files  # immutable: not even a -shm was created


def test_a_new_project_in_a_folder_we_may_not_write_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False)
    with pytest.raises(ProjectError, match="folder is read-only"):
        Project.open(tmp_path / "new.annot")
    assert listing(tmp_path) == set()


def test_opening_read_only_on_request_leaves_the_file_alone(path: Path) -> None:
    make_project(path)
    before = digest(path)
    with Project.open(path, read_only=True) as project:
        assert project.read_only and project.read_only_reason is None
        assert project.counts()["relations"] == 1
    assert digest(path) == before


def test_a_project_from_a_newer_version_is_never_written(path: Path) -> None:
    make_project(path)
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations(migration_set, name, applied_at) VALUES (?, ?, ?)",
        (MIGRATION_SET, "9999_future", "2099-01-01"),
    )
    conn.commit()
    conn.close()
    before, files = digest(path), listing(path.parent)
    with pytest.raises(ProjectFromNewerVersion, match="newer version") as caught:
        Project.open(path)
    assert caught.value.message.startswith("was written by a newer version")  # app.py relies on it
    assert digest(path) == before and listing(path.parent) == files
    with Project.open(path, read_only=True) as project:
        assert project.counts()["spans"] == 3
    assert digest(path) == before


# --------------------------------------------------------------------------- span drift
def test_check_spans_reports_drift_and_never_shifts_spans(path: Path) -> None:
    with Project.open(path) as project:
        article_id, (s1, s2, s3) = fill(project)
        assert project.check_spans() == []
    conn = sqlite3.connect(path)
    # someone edited the article text outside the app: "Putin" became "Vladimir Putin"
    conn.execute("UPDATE articles SET text = 'Vladimir ' || text WHERE id = ?", (article_id,))
    conn.execute('UPDATE spans SET "end" = 10000 WHERE id = ?', (s3,))
    conn.commit()
    conn.close()
    before = digest(path)
    with Project.open(path, read_only=True) as project:
        found = project.check_spans()
    assert digest(path) == before
    assert [m.span_id for m in found] == [s1, s2, s3]
    first = found[0]
    assert first == SpanMismatch(s1, article_id, 0, 5, "Putin", "Vladi", len(TEXT) + 9)
    assert "stores 'Putin' but the article has 'Vladi' there" in first.describe()
    assert found[2].outside and "past the article's end" in found[2].describe()
    with Project.open(path) as project:  # opening for writing shifts nothing either
        assert [(s.id, s.start, s.end) for s in project.spans(article_id)] == [
            (s1, 0, 5),
            (s2, 11, 16),
            (s3, 17, 10000),
        ]
        assert len(project.check_spans()) == 3
