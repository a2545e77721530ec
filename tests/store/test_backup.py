"""Rolling backups: when they are taken, what they hold, how many are kept, and restoring one."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from annotator.core.model import ArticleDraft
from annotator.formats.importer import import_paths
from annotator.settings import data_dir
from annotator.store import Project, ProjectDamaged, ProjectError
from annotator.store.backup import (
    BackupInfo,
    BackupManager,
    ProjectVanished,
    RetentionPolicy,
    backup_dir,
    backups_root,
    latest_backup,
    list_backups,
    project_key,
    restore_backup,
)
from annotator.store.lock import ProjectLocked
from tests.store.durability_child import state_digest


def contents(path: Path) -> str:
    """The project's content, timestamps aside, read through SQLite (WAL included)."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return state_digest(conn)
    finally:
        conn.close()


def main_file_only(path: Path) -> str:
    """The content of the main file alone, ignoring any -wal (what a plain file copy keeps)."""
    copy = path.with_name("main-only-" + path.name)
    shutil.copyfile(path, copy)
    try:
        conn = sqlite3.connect(f"{copy.as_uri()}?immutable=1", uri=True)
        try:
            return state_digest(conn)
        finally:
            conn.close()
    finally:
        copy.unlink()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "work" / "analyst.annot"


def add(project: Project, text: str) -> int:
    article_id, _ = project.add_article(ArticleDraft(text))
    return article_id


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ------------------------------------------------------------------------------- places
def test_backups_live_in_the_user_data_folder_under_a_key_per_project(tmp_path: Path) -> None:
    a, b = tmp_path / "one" / "Work file.annot", tmp_path / "two" / "Work file.annot"
    assert backups_root() == data_dir() / "backups"
    assert project_key(a) == project_key(a) != project_key(b)
    assert project_key(a).startswith("Work_file-")
    assert backup_dir(a).parent == backups_root()
    assert str(tmp_path) not in str(backups_root())  # the conftest points data at its own home


# ---------------------------------------------------------------------------- automatic
def test_a_new_project_is_backed_up_when_closed_after_changes(path: Path) -> None:
    with Project.open(path) as project:
        assert project.backups is not None and project.backups.last_backup is None
        assert list_backups(path) == []
        add(project, "First article 🙂")
    [backup] = list_backups(path)
    assert (backup.reason, backup.articles, backup.spans) == ("close", 1, 0)
    assert backup.project_path == path
    assert contents(backup.path) == contents(path)


def test_reopening_an_unchanged_project_takes_no_new_backup(path: Path) -> None:
    with Project.open(path) as project:
        add(project, "Text")
    with Project.open(path) as project:
        assert project.backups is not None
        assert project.backups.last_backup == list_backups(path)[0]
    with Project.open(path):
        pass
    assert [b.reason for b in list_backups(path)] == ["close"]


def test_a_project_changed_since_its_last_backup_is_backed_up_on_opening(path: Path) -> None:
    with Project.open(path) as project:
        add(project, "Text")
    conn = sqlite3.connect(path)  # another tool, or a run that crashed before backing up
    conn.execute("UPDATE articles SET title = 'changed elsewhere'")
    conn.commit()
    conn.close()
    with Project.open(path) as project:
        assert project.backups is not None and project.backups.last_backup is not None
        assert project.backups.last_backup.reason == "open"
        assert contents(project.backups.last_backup.path) == contents(path)
    assert [b.reason for b in list_backups(path)] == ["open", "close"]


def test_backups_go_through_the_backup_api_and_are_single_rollback_journal_files(
    path: Path,
) -> None:
    with Project.open(path) as project:
        add(project, "Checkpointed text")
        project.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        add(project, "Only in the WAL so far 👀")
        assert main_file_only(path) != contents(path)  # a file copy would miss this article
        assert project.backups is not None
        backup = project.backups.backup_now()
    assert contents(backup.path) == contents(path)
    assert backup.articles == 2
    conn = sqlite3.connect(backup.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    conn.close()
    assert backup.path.read_bytes()[18:20] == b"\x01\x01"  # legacy (rollback) file format
    assert not Path(f"{backup.path}-wal").exists()
    assert sorted(p.name for p in backup.path.parent.iterdir() if p.name.startswith(".")) == []


def test_maybe_backup_waits_for_changes_and_the_interval(path: Path) -> None:
    clock = Clock()
    with Project.open(path) as project:
        manager = project.backups = BackupManager(project, interval=600, clock=clock)
        assert manager.maybe_backup() is None  # nothing changed
        add(project, "One")
        assert manager.maybe_backup() is None  # changed, but too soon
        assert main_file_only(path) == contents(path)  # ... though checkpointed to the disk
        clock.now += 601
        first = manager.maybe_backup()
        assert first is not None and (first.reason, first.articles) == ("periodic", 1)
        clock.now += 601
        assert manager.maybe_backup() is None  # no change since that backup
        add(project, "Two")
        clock.now += 601
        second = manager.maybe_backup()
        assert second is not None and second.articles == 2
    assert [b.reason for b in list_backups(path)] == ["periodic", "periodic"]  # none on close


def test_maybe_backup_skips_while_an_import_is_running(path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"{i}.txt").write_text(f"Article {i}", encoding="utf-8")
    clock = Clock()
    seen: list[BackupInfo | None] = []
    with Project.open(path) as project:
        manager = project.backups = BackupManager(project, interval=0, clock=clock)

        def progress(done: int, total: int, current: str) -> None:
            # the GUI pumps events during an import: the backup timer can fire right here
            seen.append(manager.maybe_backup())

        import_paths(project, [folder], annotator="a", progress=progress)
        after = manager.maybe_backup()
    assert seen == [None, None, None]
    assert after is not None and after.articles == 3


def test_the_newest_backups_and_one_a_day_are_kept() -> None:
    now = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)

    def info(hours_ago: float, reason: str = "periodic") -> BackupInfo:
        created = now - timedelta(hours=hours_ago)
        return BackupInfo(Path(f"/b/{hours_ago}.annot"), Path("/p.annot"), created, reason, 1, 1, 1)

    recent = [info(h / 10) for h in range(12)]  # 12 in the last 1.2 hours
    daily = [info(24 * d + 1) for d in range(1, 10)] + [info(24 * d + 2) for d in range(1, 10)]
    migration = info(24 * 30, "before-migration")
    kept = RetentionPolicy(keep_last=10, daily_for_days=7).keep(recent + daily + [migration], now)
    assert {b.path for b in recent[:10]} <= kept
    assert not kept & {recent[10].path, recent[11].path}
    # the newest of each of the six days before today (today is covered by the recent ones)
    by_day = {b.path for b in daily if (now - b.created_at).days < 7 and b.created_at.hour == 11}
    assert by_day <= kept
    assert len(by_day) == 6
    assert migration.path in kept
    assert len(kept) == 10 + 6 + 1


def test_old_backups_are_pruned(path: Path) -> None:
    clock = Clock()
    with Project.open(path) as project:
        manager = project.backups = BackupManager(
            project, interval=0, clock=clock, policy=RetentionPolicy(keep_last=3, daily_for_days=1)
        )
        for i in range(6):
            add(project, f"Article {i}")
            manager.maybe_backup()
        kept = manager.backups()
    assert [b.articles for b in kept] == [6, 5, 4]
    assert len(list(backup_dir(path).glob("*.annot"))) == len(kept)
    sidecars = [p for p in backup_dir(path).glob("*.json") if p.name != "state.json"]
    assert len(sidecars) == len(kept)


def test_list_backups_reads_a_backup_without_its_sidecar(path: Path) -> None:
    with Project.open(path) as project:
        add(project, "Text")
    [backup] = list_backups(path)
    backup.path.with_suffix(".json").unlink()
    [again] = list_backups(path)
    assert (again.articles, again.spans, again.reason) == (1, 0, "close")
    assert abs(again.created_at - backup.created_at) < timedelta(seconds=1)
    assert "1 articles, 0 spans (close)" in again.describe()


def test_a_failing_backup_does_not_stop_the_project_from_opening(path: Path) -> None:
    with Project.open(path) as project:
        add(project, "Text")
    shutil.rmtree(backups_root())
    backups_root().parent.mkdir(parents=True, exist_ok=True)
    backups_root().write_text("a file where the backup folder should be")
    conn = sqlite3.connect(path)
    conn.execute("UPDATE articles SET title = 'x'")
    conn.commit()
    conn.close()
    with Project.open(path) as project:
        assert project.backups is not None and project.backups.last_error is not None
        with pytest.raises(ProjectError, match="could not be backed up"):
            project.backups.backup_now()
        add(project, "Still writable")
    backups_root().unlink()


# ------------------------------------------------------------------------------ vanished
@pytest.mark.parametrize("how", ["deleted", "moved", "replaced"])
def test_a_project_file_that_vanishes_while_open_is_rescued_into_a_backup(
    path: Path, how: str
) -> None:
    with Project.open(path) as project:
        add(project, "Written before")
        if how == "deleted":
            path.unlink()
        elif how == "moved":
            path.rename(path.with_name("elsewhere.annot"))
        else:
            path.with_name("other.annot").write_bytes(b"")
            os.replace(path.with_name("other.annot"), path)
        add(project, "Written after the file went 😬")
        assert project.backups is not None
        with pytest.raises(ProjectVanished) as caught:
            project.backups.maybe_backup()
        rescue = caught.value.backup
        assert rescue is not None and rescue.reason == "file-vanished"
        assert rescue.articles == 2
        assert str(rescue.path) in str(caught.value)
        with pytest.raises(ProjectVanished):  # every tick says so; one rescue is enough
            project.backups.maybe_backup()
        assert [b.reason for b in list_backups(path)].count("file-vanished") == 1
        project.copy_to(path.with_name("saved.annot"))  # what "Save a Copy" does
    with Project.open(path.with_name("saved.annot")) as saved:
        assert saved.counts()["articles"] == 2


# ------------------------------------------------------------------------------- restore
def test_restore_puts_the_backup_back_and_backs_up_what_it_replaces(path: Path) -> None:
    with Project.open(path) as project:
        add(project, "Good work")
    good = latest_backup(path)
    assert good is not None
    with Project.open(path) as project:
        project.db.conn.execute("PRAGMA wal_autocheckpoint = 0")
        add(project, "A mistake")
        with pytest.raises(ProjectLocked):  # not while it is open
            restore_backup(good, path)
        mistaken = contents(path)
    before = restore_backup(good, path)
    assert before is not None and before.reason == "before-restore"
    assert contents(before.path) == mistaken
    assert contents(path) == contents(good.path)
    for suffix in ("-wal", "-shm", "-journal"):
        assert not Path(f"{path}{suffix}").exists()
    assert not list(path.parent.glob(".*part"))
    with Project.open(path) as project:
        assert [project.article_text(i) for i in project.article_ids()] == ["Good work"]


def test_restore_a_backup_over_a_damaged_project_keeps_the_damaged_bytes(path: Path) -> None:
    with Project.open(path) as project:
        for i in range(30):
            add(project, f"Article {i} " + "text " * 300)
    good = latest_backup(path)
    assert good is not None
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ProjectDamaged):
        Project.open(path)
    kept = restore_backup(good, path)
    assert kept is not None and kept.damaged and kept.articles is None
    assert kept.path.read_bytes() == data[: len(data) // 2]
    assert "damaged" in kept.describe()
    assert latest_backup(path) == good  # the damaged copy is listed, never offered to restore
    with Project.open(path) as project:
        assert project.counts()["articles"] == 30


def test_restore_refuses_a_damaged_backup_and_leaves_the_target_alone(path: Path) -> None:
    with Project.open(path) as project:
        for i in range(30):
            add(project, f"Article {i} " + "text " * 300)
    backup = latest_backup(path)
    assert backup is not None
    data = backup.path.read_bytes()
    backup.path.write_bytes(data[: len(data) // 2])
    target_digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(ProjectDamaged) as caught:
        restore_backup(backup, path)
    assert caught.value.path == backup.path
    assert hashlib.sha256(path.read_bytes()).hexdigest() == target_digest


def test_restore_to_a_new_file(path: Path, tmp_path: Path) -> None:
    with Project.open(path) as project:
        add(project, "Text")
    backup = latest_backup(path)
    assert backup is not None
    target = tmp_path / "restored" / "copy.annot"
    assert restore_backup(backup, target) is None  # nothing was there to back up
    with Project.open(target) as project:
        assert project.counts()["articles"] == 1


def test_throwaway_projects_can_opt_out_of_backups(path: Path) -> None:
    with Project.open(path, backups=False) as project:
        assert project.backups is None
        add(project, "A benchmark's article")
    with Project.open(path, backups=False):
        pass
    assert list_backups(path) == []
