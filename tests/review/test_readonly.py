"""Opening a colleague's file writes nothing to it or beside it, sees exactly what was committed
(WAL content, a crashed transaction rolled back) and refuses files that are not projects, naming
them. Every case compares the folder's names and bytes before and after."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from annotator.core.model import ArticleDraft
from annotator.review.compare import open_layer
from annotator.store import Project, ProjectError, ReadOnlyError
from annotator.store.readonly import open_read_only
from annotator.store.schema import APPLICATION_ID
from tests.review.conftest import TEXTS, build_project, fingerprint

REPO = Path(__file__).resolve().parents[2]


def span_count(path: Path) -> int:
    with open_read_only(path) as project:
        return project.counts()["spans"]


def immutable_span_count(path: Path, table: str = "spans") -> int | str:
    """What SQLite's own immutable=1 mode would show (to prove a case really needs more)."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        return f"error: {exc}"
    finally:
        conn.close()


def open_fds_on(folder: Path) -> list[str]:
    fd_dir = Path("/proc/self/fd")
    if not fd_dir.is_dir():
        pytest.skip("needs /proc to list open files")
    found = []
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(folder)):
            found.append(target)
    return found


@pytest.fixture
def colleague(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    build_project(
        folder / "colleague.annot", "carol", [(0, 0, 5, "Source"), (1, 0, 36, "Speculation")]
    )
    return folder / "colleague.annot"


# ------------------------------------------------------------------------ clean files
def test_a_checkpointed_wal_mode_file_is_left_alone(colleague: Path) -> None:
    folder = colleague.parent
    assert colleague.read_bytes()[18:20] == b"\x02\x02"  # WAL mode in the header
    before = fingerprint(folder)
    with open_read_only(colleague) as project:
        assert project.read_only
        assert project.counts() == {"articles": 3, "spans": 2, "relations": 0, "labels": 4}
        assert fingerprint(folder) == before  # not even while open: no -shm, no -wal
        assert open_fds_on(folder) == []  # the snapshot lives in memory
        with pytest.raises(ReadOnlyError):
            project.add_article(ArticleDraft("new"))
        with pytest.raises(sqlite3.OperationalError):  # and SQLite itself refuses writes
            project.db.conn.execute("DELETE FROM spans")
    assert fingerprint(folder) == before


def test_a_rollback_journal_file_is_left_alone(colleague: Path) -> None:
    mailed = colleague.with_name("mailed.annot")
    with Project.open(colleague) as project:
        project.copy_to(mailed)  # journal_mode=DELETE, as a copy meant to travel
    colleague.unlink()
    before = fingerprint(mailed.parent)
    assert span_count(mailed) == 2
    assert fingerprint(mailed.parent) == before


# -------------------------------------------------------------------------- WAL content
def test_committed_wal_content_of_a_running_colleague_app_is_seen(colleague: Path) -> None:
    folder = colleague.parent
    writer = Project.open(colleague)  # the colleague's app, still running
    try:
        article = writer.article_ids()[0]
        quote = writer.label_by_name("Quote")
        assert quote is not None
        writer.add_span(article, 10, 20, quote.id, "carol")
        assert Path(f"{colleague}-wal").stat().st_size > 0
        assert immutable_span_count(colleague) == 2  # immutable=1 misses the WAL
        before = fingerprint(folder)
        with open_read_only(colleague) as project:
            assert project.counts()["spans"] == 3
        assert fingerprint(folder) == before  # main file, -wal and -shm byte for byte
    finally:
        writer.close()


def test_a_wal_file_mailed_without_its_shm_is_read_without_creating_one(
    colleague: Path, tmp_path: Path
) -> None:
    writer = Project.open(colleague)
    try:
        quote = writer.label_by_name("Quote")
        assert quote is not None
        for start in (10, 20, 30):
            writer.add_span(writer.article_ids()[0], start, start + 5, quote.id, "carol")
        inbox = tmp_path / "mailed"
        inbox.mkdir()
        # What arrives after a crash or a careless copy: the file and its -wal, no -shm.
        shutil.copyfile(colleague, inbox / "colleague.annot")
        shutil.copyfile(f"{colleague}-wal", inbox / "colleague.annot-wal")
    finally:
        writer.close()
    copy = inbox / "colleague.annot"
    assert immutable_span_count(copy) == 2
    before = fingerprint(inbox)
    assert sorted(before) == ["colleague.annot", "colleague.annot-wal"]
    assert span_count(copy) == 5
    assert fingerprint(inbox) == before  # no -shm appeared, the -wal is untouched


def test_a_hot_journal_is_rolled_back_in_the_snapshot_only(tmp_path: Path) -> None:
    source = tmp_path / "source.annot"
    build_project(source, "carol", [(0, 0, 5, "Source")])
    rollback = tmp_path / "rollback.annot"
    with Project.open(source) as project:
        project.copy_to(rollback)
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    conn = sqlite3.connect(rollback, isolation_level=None)
    try:
        conn.execute("PRAGMA cache_size = 1")  # spill changed pages into the file mid-transaction
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO articles(title, text, imported_at, content_hash) VALUES (?, ?, '', ?)",
            [(f"t{i}", "x" * 3000 + str(i), f"h{i}") for i in range(300)],
        )
        assert Path(f"{rollback}-journal").stat().st_size > 0
        # The state a power cut would leave: changed pages in the file, originals in the journal.
        shutil.copyfile(rollback, crashed / "c.annot")
        shutil.copyfile(f"{rollback}-journal", crashed / "c.annot-journal")
        conn.execute("ROLLBACK")
    finally:
        conn.close()
    target = crashed / "c.annot"
    assert immutable_span_count(target, "articles") != 3  # immutable=1 shows the torn state
    before = fingerprint(crashed)
    with open_read_only(target) as project:
        assert project.counts()["articles"] == 3  # the uncommitted 300 are gone
        assert project.counts()["spans"] == 1
    assert fingerprint(crashed) == before  # the hot journal is still there, unplayed


# ----------------------------------------------------------------------- read-only folder
def test_read_only_folder_as_root_nothing_appears(colleague: Path) -> None:
    """As root, chmod does not stop writes; what can be checked is that none happen."""
    folder = colleague.parent
    before = fingerprint(folder)
    os.chmod(colleague, 0o444)
    os.chmod(folder, 0o555)
    try:
        assert span_count(colleague) == 2
        assert fingerprint(folder) == before
    finally:
        os.chmod(folder, 0o755)
        os.chmod(colleague, 0o644)


UNPRIVILEGED_SCRIPT = textwrap.dedent(
    """
    import json, os, sqlite3, sys, tempfile
    sys.path.insert(0, sys.argv[1])
    # Import everything while still able to read the interpreter's own files.
    from annotator.review.compare import open_layer
    from annotator.store.readonly import open_read_only
    import annotator.review.agreement, annotator.store.layers  # noqa: F401
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
    path = sys.argv[2]
    result = {"uid": os.getuid(), "writable": os.access(os.path.dirname(path), os.W_OK)}
    try:
        conn = sqlite3.connect("file:" + path + "?mode=ro", uri=True)
        conn.execute("SELECT count(*) FROM spans").fetchone()
        result["plain_sqlite"] = "ok"
    except sqlite3.Error as exc:
        result["plain_sqlite"] = str(exc)
    layer = open_layer(path)
    result["annotator"] = layer.annotator
    result["spans"] = layer.span_count
    print(json.dumps(result))
    """
)


@pytest.fixture
def world_readable_tmp() -> Iterator[Path]:
    """A folder an unprivileged user can reach (pytest's tmp_path lives under a 0700 folder)."""
    folder = Path(tempfile.mkdtemp(prefix="annotator-ro-test-", dir="/tmp"))
    os.chmod(folder, 0o755)
    try:
        yield folder
    finally:
        for root, dirs, _files in os.walk(folder):
            for d in dirs:
                os.chmod(Path(root) / d, 0o755)
        shutil.rmtree(folder)


def test_really_read_only_folder_with_wal_content(world_readable_tmp: Path) -> None:
    """A WAL file with -wal content, no -shm, in a folder the reading user cannot write: the
    hardest case, run as user nobody in a subprocess (root ignores permissions)."""
    if os.geteuid() != 0:
        pytest.skip("dropping to an unprivileged user needs root")
    if not Path("/proc/self").exists():
        pytest.skip("Linux only")
    work = world_readable_tmp / "work"
    build = build_project(work / "c.annot", "carol", [(0, 0, 5, "Source")])
    inbox = world_readable_tmp / "inbox"
    inbox.mkdir()
    writer = Project.open(build.path)
    try:
        quote = writer.label_by_name("Quote")
        assert quote is not None
        writer.add_span(build.article_ids[0], 10, 20, quote.id, "carol")
        shutil.copyfile(build.path, inbox / "c.annot")
        shutil.copyfile(f"{build.path}-wal", inbox / "c.annot-wal")
    finally:
        writer.close()
    for entry in inbox.iterdir():
        os.chmod(entry, 0o444)
    os.chmod(inbox, 0o555)
    before = fingerprint(inbox)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["TMPDIR"] = "/tmp"
    result = subprocess.run(
        [sys.executable, "-c", UNPRIVILEGED_SCRIPT, str(REPO), str(inbox / "c.annot")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd="/",
    )
    if result.returncode != 0 and "Operation not permitted" in result.stderr:
        pytest.skip("this container does not allow changing user")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["uid"] == 65534 and report["writable"] is False
    # SQLite's own read-only mode cannot even read it there (it needs the -shm) ...
    assert report["plain_sqlite"] != "ok"
    # ... the snapshot reads the committed WAL content.
    assert (report["annotator"], report["spans"]) == ("carol", 2)
    assert fingerprint(inbox) == before


# --------------------------------------------------------------------------- refusals
def make_text_file(path: Path) -> None:
    path.write_text("These are my notes, not a database.\n" * 10)


def make_foreign_app_db(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.commit()
    conn.close()


def make_plain_db_with_tables(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, text TEXT)")
    conn.commit()
    conn.close()


def make_empty_sqlite_db(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.commit()
    conn.close()


def make_empty_file(path: Path) -> None:
    path.write_bytes(b"")


def make_damaged_db(path: Path) -> None:
    with Project.open(path) as project:
        project.add_article(ArticleDraft("x" * 50_000))
    data = bytearray(path.read_bytes())
    data[4096:8192] = b"\xde\xad\xbe\xef" * 1024
    path.write_bytes(bytes(data))


def make_project_missing_a_column(path: Path) -> None:
    """Our application id and migration record, but a spans table without its label column."""
    build_project(path, "carol", [(0, 0, 5, "Source")])
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.executescript(
        """
        CREATE TABLE spans2 (id INTEGER PRIMARY KEY, article_id INTEGER, start INTEGER,
                             "end" INTEGER, text TEXT);
        DROP TABLE spans;
        ALTER TABLE spans2 RENAME TO spans;
        """
    )
    conn.commit()
    conn.close()


def make_project_without_relations(path: Path) -> None:
    build_project(path, "carol", [])
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE relations")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (make_text_file, "not a SQLite database"),
        (make_foreign_app_db, "another application"),
        (make_plain_db_with_tables, "another application"),
        (make_empty_sqlite_db, "no project data"),
        (make_empty_file, "empty"),
        (make_damaged_db, "damaged"),
        (make_project_missing_a_column, "table 'spans' lacks"),
        (make_project_without_relations, "no table 'relations'"),
    ],
    ids=[
        "text",
        "other-app",
        "app-id-0-tables",
        "empty-db",
        "empty-file",
        "damaged",
        "missing-column",
        "missing-table",
    ],
)
def test_files_that_are_not_projects_are_refused_by_name_and_untouched(
    tmp_path: Path, make: Callable[[Path], None], message: str
) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    path = folder / "suspicious.annot"
    make(path)
    for side in folder.glob("*-*"):
        side.unlink()  # only the file as it would arrive
    before = fingerprint(folder)
    with pytest.raises(ProjectError, match=message) as caught:
        open_read_only(path)
    assert caught.value.path == path
    assert str(path) in str(caught.value)
    assert fingerprint(folder) == before
    assert open_fds_on(folder) == []
    with pytest.raises(ProjectError):
        open_layer(path)


def test_a_missing_file_and_a_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="does not exist"):
        open_read_only(tmp_path / "nope.annot")
    assert not (tmp_path / "nope.annot").exists()
    with pytest.raises(ProjectError, match="folder"):
        open_read_only(tmp_path)


def test_a_file_from_a_newer_version_is_still_readable(tmp_path: Path) -> None:
    path = tmp_path / "newer.annot"
    build_project(path, "carol", [(0, 0, 5, "Source")], texts=TEXTS[:1])
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations(migration_set, name, applied_at)"
        " VALUES ('news-annotator', '9999_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()
    assert span_count(path) == 1
