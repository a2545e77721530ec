"""Faults reproduced for real: links around the lock, a full disk under the lock, the CLI and the
backups, killed backups, read-only use leaving side files, emptied project files.

Full disks are a real tmpfs filled until not one more byte fits (tests/fullfs.py); kills are a
real SIGKILL of a child process, asserted to have landed while the child was at work.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.core.model import ArticleDraft
from annotator.store import Project, ProjectEmpty, ProjectError, ReadOnlyError
from annotator.store.backup import backup_dir, list_backups
from annotator.store.lock import ProjectLocked, lock_path_for
from tests.fullfs import fill

REPO = Path(__file__).resolve().parents[2]


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "annotator.cli", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, **(env or {})),
        cwd=REPO,
        timeout=120,
        check=False,
    )


def make_project(path: Path, articles: int = 2) -> None:
    with Project.open(path) as project:
        label = project.labels()[0]
        for i in range(articles):
            article_id, _ = project.add_article(ArticleDraft(f"Article {i}: Putin called Trump."))
            project.add_span(article_id, 0, 7, label.id, "alice")


def article_file(folder: Path, name: str = "new.txt") -> Path:
    path = folder / name
    path.write_text("A new article arrives 📰 with café\u0301 and NBSP\u00a0text.", "utf-8")
    return path


# --------------------------------------------------------------------- 3. links and the lock
def test_a_symlink_reaches_the_same_lock(tmp_path: Path) -> None:
    """Before: the lock was named after the link, so a second process imported through
    ``alias.annot -> s.annot`` while the app held the project."""
    real = tmp_path / "s.annot"
    make_project(real)
    alias = tmp_path / "alias.annot"
    alias.symlink_to(real)
    linked_dir = tmp_path / "linked-folder"
    linked_dir.symlink_to(tmp_path, target_is_directory=True)
    assert lock_path_for(alias) == lock_path_for(real) == lock_path_for(linked_dir / "s.annot")
    with Project.open(real) as project:
        count = project.counts()["articles"]
        for via in (alias, linked_dir / "s.annot"):
            done = cli("import", str(via), str(article_file(tmp_path)))
            assert done.returncode == 2, done.stdout + done.stderr
            assert "cannot be opened for editing" in done.stderr
            assert "Traceback" not in done.stderr
        assert project.counts()["articles"] == count
        # The app's own edits still work: nobody else got in.
        project.add_article(ArticleDraft("Still mine."))
    with pytest.raises(ProjectLocked):
        with Project.open(real), Project.open(alias):
            pass


def test_a_hard_linked_project_opens_read_only_saying_why(tmp_path: Path) -> None:
    """Before: through a hard link SQLite kept a second -wal under the link's name and two
    writers' views of one file diverged. Now every name of a multiply linked file opens
    read-only, naming the cause; no side file appears beside either name."""
    real = tmp_path / "s.annot"
    make_project(real)
    twin = tmp_path / "twin.annot"
    os.link(real, twin)
    before = sorted(os.listdir(tmp_path))
    for name in (real, twin):
        with Project.open(name) as project:
            assert project.read_only
            assert "hard links" in (project.read_only_reason or "")
            assert project.counts()["articles"] == 2
            with pytest.raises(ReadOnlyError, match="hard links"):
                project.add_article(ArticleDraft("no"))
    assert sorted(os.listdir(tmp_path)) == before
    done = cli("import", str(twin), str(article_file(tmp_path / "..", "x.txt")))
    assert done.returncode == 2 and "hard links" in done.stderr, done.stderr
    os.unlink(twin)  # one name again: editable
    with Project.open(real) as project:
        assert not project.read_only


# ------------------------------------------------------------------- 4. the CLI on a full disk
def test_import_on_a_full_disk_says_so_and_leaves_no_lock_file(
    tmp_path: Path, small_fs: Path
) -> None:
    """Before: an OSError traceback from writing the lock record, and a 0-byte lock file."""
    target = small_fs / "p.annot"
    make_project(target)
    source = article_file(tmp_path)
    before = target.read_bytes()
    fill(small_fs)
    done = cli("import", str(target), str(source))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "disk is full" in done.stderr, done.stderr
    assert not lock_path_for(target).exists()
    assert target.read_bytes() == before


@pytest.mark.parametrize("room", [1, 3, 8, 24, 64])
def test_import_that_fills_the_disk_is_undone_and_said(
    tmp_path: Path, small_fs: Path, room: int
) -> None:
    """With a little room left (``room`` pages), the disk fills at different moments: taking
    the lock, opening, or in the middle of the import. Each time: a named message, exit status
    2, no traceback, no stale lock file, the project as it was."""
    target = small_fs / "p.annot"
    make_project(target)
    big = tmp_path / "big.txt"
    big.write_text("Quote 📰 " * 100_000, "utf-8")
    reserve = small_fs / "reserve"
    reserve.write_bytes(b"\0" * (room * 4096))
    filler = fill(small_fs)
    reserve.unlink()
    done = cli("import", str(target), str(big))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "disk is full" in done.stderr, done.stderr
    assert not lock_path_for(target).exists()
    print(f"room {room} page(s): {done.stderr.strip()}")
    filler.unlink()  # room to read it back
    conn = sqlite3.connect(target)
    try:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_merge_on_a_full_disk_is_refused_whole_with_a_named_message(
    tmp_path: Path, small_fs: Path
) -> None:
    """Before: ``sqlite3.OperationalError`` escaped the merge as a traceback. The target's lock
    is taken while there is room; then the disk fills and the merge has to write."""
    from annotator.review.merge import merge_file
    from annotator.store.errors import DISK_FULL, StoreWriteFailed

    colleague = tmp_path / "bob.annot"
    with Project.open(colleague) as bob:
        label = bob.labels()[0]
        for i in range(300):
            article_id, _ = bob.add_article(ArticleDraft(f"Bob's article {i} " + "words " * 200))
            bob.add_span(article_id, 0, 5, label.id, "bob")
    target = small_fs / "mine.annot"
    make_project(target)
    with Project.open(target) as project:
        project.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = project.counts()
        fill(small_fs)
        with pytest.raises(StoreWriteFailed) as caught:
            merge_file(project, colleague)
        assert caught.value.kind == DISK_FULL
        assert "disk is full" in str(caught.value)
        assert project.counts() == before
    # The CLI says the same in words, with exit status 2 and no traceback.
    done = cli("merge", str(target), str(colleague))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "disk is full" in done.stderr and "Traceback" not in done.stderr
    assert not lock_path_for(target).exists()


# ------------------------------------------------------------------ 5. backups that fail
def test_a_failed_backup_is_reported_on_standard_error(tmp_path: Path, small_fs: Path) -> None:
    """Before: with the backup folder on a full disk an import exited 0, saying nothing."""
    target = tmp_path / "p.annot"
    make_project(target)
    data = small_fs / "data"
    data.mkdir()
    fill(small_fs)
    done = cli("import", str(target), str(article_file(tmp_path)), env={"XDG_DATA_HOME": str(data)})
    assert done.returncode == 0, done.stderr  # the import itself is saved
    assert "1 article" in done.stdout
    assert "warning: no backup of" in done.stderr, done.stderr
    assert "disk is full" in done.stderr or "No space left" in done.stderr
    assert "Traceback" not in done.stderr


# --------------------------------------------------------------- 6. killed backups' leftovers
CHILD_BACKUP = """
import sys
from pathlib import Path
from annotator.store import Project
from annotator.store.backup import write_backup
project = Project.open(Path(sys.argv[1]), backups=False)
print("READY", flush=True)
while True:
    write_backup(project.db.conn, project.path, "manual")
"""


def kill_during_backup(target: Path) -> Path:
    """Start a child that backs ``target`` up in a loop; SIGKILL it while a temporary copy is
    being written; return that copy (still on disk)."""
    folder = backup_dir(target)
    folder.mkdir(parents=True, exist_ok=True)
    already = set(folder.glob(".*.annot.part"))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD_BACKUP, str(target)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert child.stdout is not None
    with child.stdout:
        assert child.stdout.readline().strip() == "READY"
        deadline = time.monotonic() + 60
        part = None
        while time.monotonic() < deadline:
            parts = [p for p in folder.glob(".*.annot.part") if p not in already]
            if parts and parts[0].stat().st_size > 0:
                part = parts[0]
                break
            time.sleep(0.001)
        assert part is not None, "the child never started a backup copy"
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL  # killed, not finished or failed
    assert part.exists(), "the kill landed while the temporary copy was being written"
    assert part.stat().st_size > 0
    return part


def test_temporary_files_of_killed_backups_are_removed_at_the_next_start(tmp_path: Path) -> None:
    """Before: each kill left a project-sized ``.<stamp>-<reason>.annot.part`` (and -journal)
    that nothing pruned. A child backs up in a loop and is SIGKILLed while a temporary copy is
    on disk; the next start (opening the project) and the next backup remove them."""
    from annotator.store.backup import write_backup

    target = tmp_path / "big.annot"
    with Project.open(target, backups=False) as project:
        with project.atomic():
            for i in range(600):
                project.add_article(ArticleDraft(f"{i} " + "padding words " * 1200))
    assert target.stat().st_size > 5_000_000
    folder = backup_dir(target)

    left = kill_during_backup(target)
    with Project.open(target) as project:  # the next start
        assert project.counts()["articles"] == 600
    assert not left.exists()
    assert not [p for p in folder.iterdir() if ".part" in p.name]

    left = kill_during_backup(target)
    with Project.open(target, backups=False) as project:
        write_backup(project.db.conn, project.path, "manual")  # the next backup
    assert not left.exists()
    assert not [p for p in folder.iterdir() if ".part" in p.name]
    assert list_backups(target)  # the finished backups are kept


# ------------------------------------------------------------ 7. read-only use, no side files
CHILD_READ_ONLY = """
import os, sys
from pathlib import Path
# Import all the store needs before giving up root, whose Python lives in /root.
from annotator.store import Project, ReadOnlyError
from annotator.store import backup, fsinfo, lock, readonly, errors  # noqa: F401
from annotator.core.model import ArticleDraft
os.setgid(65534)
os.setuid(65534)
path = Path(sys.argv[1])
mode = sys.argv[2]
if mode == "read":
    with Project.open(path) as project:
        print("READ_ONLY", project.read_only, project.read_only_reason, flush=True)
        print("ARTICLES", project.counts()["articles"], flush=True)
elif mode == "write":
    with Project.open(path) as project:
        print("READ_ONLY", project.read_only, project.read_only_reason, flush=True)
        project.add_article(ArticleDraft("written after chmod"))
        print("WROTE", flush=True)
"""


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder the unprivileged user can reach (pytest's own tmp folders are root's, 0700)."""
    if os.geteuid() != 0:
        pytest.skip("the test switches to the unprivileged user 'nobody', which needs root")
    folder = Path(tempfile.mkdtemp(prefix="annotator-shared-"))
    os.chmod(folder, 0o777)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_as_nobody(path: Path, mode: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO), XDG_DATA_HOME=str(path.parent / "data"))
    return subprocess.run(
        [sys.executable, "-c", CHILD_READ_ONLY, str(path), mode],
        capture_output=True,
        text=True,
        env=env,
        cwd="/",
        timeout=60,
        check=False,
    )


def test_a_read_only_project_leaves_no_side_files_and_stays_editable(shared_folder: Path) -> None:
    """Before: opening a 0444 project left read-only -shm/-wal files beside it, after which it
    could not be edited even once made writable ("attempt to write a readonly database").

    Root writes through any mode bits, so the child gives up root (nobody) after importing."""
    folder = shared_folder
    path = folder / "p.annot"
    make_project(path)
    os.chown(path, 65534, 65534)
    os.chmod(path, 0o444)
    before = sorted(os.listdir(folder))
    done = run_as_nobody(path, "read")
    assert done.returncode == 0, done.stderr
    assert "READ_ONLY True opened read-only because the file is read-only" in done.stdout
    assert "ARTICLES 2" in done.stdout
    assert sorted(os.listdir(folder)) == before  # no -shm, no -wal
    os.chmod(path, 0o644)
    done = run_as_nobody(path, "write")
    assert done.returncode == 0, done.stderr
    assert "READ_ONLY False" in done.stdout and "WROTE" in done.stdout


def test_read_only_side_files_left_by_others_are_named(shared_folder: Path) -> None:
    """If some other program left read-only side files, the cause is named, not "attempt to
    write a readonly database"."""
    folder = shared_folder
    path = folder / "p.annot"
    make_project(path)
    os.chown(path, 65534, 65534)
    shm = Path(f"{path}-shm")
    shm.write_bytes(b"\0" * 32768)  # what a read-only opening by an older version left
    os.chmod(shm, 0o444)
    done = run_as_nobody(path, "read")
    assert done.returncode == 0, done.stderr
    assert "p.annot-shm beside it is read-only" in done.stdout
    assert "ARTICLES 2" in done.stdout


# -------------------------------------------------------------------- 9. an emptied project
def test_an_emptied_project_is_noticed_by_the_cli(tmp_path: Path) -> None:
    """Before: a 0-byte .annot silently became a new, empty project."""
    target = tmp_path / "p.annot"
    make_project(target)
    target.write_bytes(b"")  # what a failed sync leaves
    done = cli("import", str(target), str(article_file(tmp_path)))
    assert done.returncode == 2
    assert "is empty (0 bytes)" in done.stderr
    assert target.read_bytes() == b""
    with pytest.raises(ProjectEmpty):
        Project.open(target)


def test_errors_of_the_store_name_their_cause() -> None:
    from annotator.store.errors import DISK_FULL, GONE, LOCKED, READ_ONLY, kind_of

    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("SELECT * FROM nowhere")
    except sqlite3.OperationalError as exc:
        assert kind_of(exc) == "other"
    assert kind_of(OSError(28, "No space left on device")) == DISK_FULL
    assert kind_of(OSError(30, "Read-only file system")) == READ_ONLY
    assert kind_of(OSError(2, "No such file")) == GONE
    assert kind_of(sqlite3.OperationalError("database is locked")) == LOCKED
    assert issubclass(ProjectEmpty, ProjectError)
