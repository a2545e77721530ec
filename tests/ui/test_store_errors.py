"""Store errors in the GUI on a really full disk, and a locked file: the analyst
is told in words, and a failed tag, undo or redo leaves the undo stack exactly as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from annotator.core.model import ArticleDraft
from annotator.settings import Settings
from annotator.store import Project
from annotator.ui.main_window import MainWindow
from tests.fullfs import assert_full, fill
from tests.ui.conftest import MIXED_TEXT


class Said:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.messages: list[str] = []

        def fake_exec(box: QMessageBox) -> int:
            self.messages.append(box.text())
            return QMessageBox.StandardButton.Ok.value

        monkeypatch.setattr(QMessageBox, "exec", fake_exec)


def spans_in_file(path: Path) -> int:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM spans").fetchone()[0]
    finally:
        conn.close()


def state(window: MainWindow) -> tuple[int, int, bool, bool]:
    stack = window.undo_stack
    return stack.index(), stack.count(), stack.canUndo(), stack.canRedo()


def tag(window: MainWindow, needle: str) -> object:
    start = MIXED_TEXT.index(needle)
    view = window.reader.view
    cursor = view.textCursor()
    to16 = lambda i: len(MIXED_TEXT[:i].encode("utf-16-le")) // 2  # noqa: E731
    cursor.setPosition(to16(start))
    cursor.setPosition(to16(start + len(needle)), cursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    return window.tag_selection(window.session.labels()[0].id)


@pytest.fixture
def full_window(qtbot, small_fs: Path, settings: Settings):
    path = small_fs / "p.annot"
    with Project.open(path) as project:
        project.add_article(ArticleDraft(text=MIXED_TEXT, title="Mixed"))
    win = MainWindow(Project.open(path), settings)
    qtbot.addWidget(win)
    win.settings.snap_to_words = False
    win.reader.view.snap_to_words = False
    yield win, path
    if win.project is not None:
        win.close()


def test_a_full_disk_fails_tag_undo_and_redo_without_moving_the_stack(
    full_window, small_fs: Path, monkeypatch
) -> None:
    """Before: OperationalError into the excepthook, no message; a failed undo moved the index
    (24 -> 23) while the span stayed; redo then hit UNIQUE constraint failed: spans.id."""
    window, path = full_window
    said = Said(monkeypatch)
    for needle in ("Flags", "thumbs", "Peskov"):
        assert tag(window, needle) is not None
    assert state(window) == (3, 3, True, False) and spans_in_file(path) == 3
    window.project.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    filler = fill(small_fs)

    assert tag(window, "Expect") is None  # a new tag: refused, said, not pushed
    assert state(window) == (3, 3, True, False)
    window.workspace.undo()  # Ctrl+Z
    assert_full(small_fs)
    assert state(window) == (3, 3, True, False)
    assert spans_in_file(path) == 3
    assert len(window.span_model.spans()) == 3
    assert said.messages and all("disk is full" in m for m in said.messages)
    assert "disk is full" in window.statusBar().currentMessage()

    filler.unlink()  # space again: undo and redo work, no drift
    window.workspace.undo()
    assert state(window) == (2, 3, True, True) and spans_in_file(path) == 2
    window.project.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    filler = fill(small_fs)
    window.workspace.redo()
    assert state(window) == (2, 3, True, True) and spans_in_file(path) == 2
    filler.unlink()
    window.workspace.redo()
    assert state(window) == (3, 3, True, False) and spans_in_file(path) == 3
    window.workspace.undo()
    window.workspace.undo()
    assert state(window) == (1, 3, True, True) and spans_in_file(path) == 1


def test_a_locked_file_is_said_and_the_stack_stays(qtbot, window, project_path, monkeypatch):
    said = Said(monkeypatch)
    window.settings.snap_to_words = False
    window.reader.view.snap_to_words = False
    assert tag(window, "Peskov") is not None
    window.project.db.conn.execute("PRAGMA busy_timeout = 100")
    other = sqlite3.connect(project_path)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        window.workspace.undo()
        assert state(window) == (1, 1, True, False)
    finally:
        other.rollback()
        other.close()
    assert said.messages and "locked" in said.messages[-1]
    window.workspace.undo()
    assert state(window) == (0, 1, False, True)


def test_failed_backups_are_said_in_the_status_bar_and_once_in_a_dialog(
    qtbot, window, tmp_path, small_fs: Path, monkeypatch
) -> None:
    """Before: with the backup folder on a full disk nothing was said at all."""
    path = tmp_path / "other.annot"
    with Project.open(path) as project:
        project.add_article(ArticleDraft(text=MIXED_TEXT, title="Mixed"))
    with Project.open(path) as project:
        project.add_article(ArticleDraft(text="Changed since its last backup.", title="New"))
    monkeypatch.setenv("XDG_DATA_HOME", str(small_fs / "data"))
    (small_fs / "data").mkdir()
    fill(small_fs)
    said = Said(monkeypatch)
    assert window.open_project(path)
    # The backup on opening runs on a worker thread: its failure is said when it ends.
    qtbot.waitUntil(
        lambda: any("No backup could be made on opening" in m for m in said.messages),
        timeout=10000,
    )
    assert window.project.backups is not None
    window.settings.snap_to_words = False
    window.reader.view.snap_to_words = False
    window.open_article(window.project.article_ids()[0])
    assert tag(window, "Peskov") is not None  # the work itself is saved
    window.project.backups.interval = 0
    before = len(said.messages)
    for _tick in range(3):
        window.project.backups._baseline = -1  # changed since the last backup
        window.projects.on_backup_timer()
        assert "No backup could be made" in window.statusBar().currentMessage()
    assert len(said.messages) == before + 1  # one dialog, not one per tick


@pytest.mark.parametrize("how", ["moved", "deleted"])
def test_a_vanished_file_is_said_before_the_change_is_lost(
    qtbot, window, project_path, monkeypatch, how
):
    """In WAL mode SQLite keeps writing into a moved or deleted file, so without a check every
    later change would be lost at close without a word."""
    said = Said(monkeypatch)
    window.settings.snap_to_words = False
    window.reader.view.snap_to_words = False
    assert tag(window, "Peskov") is not None
    if how == "moved":
        project_path.rename(project_path.with_name("moved.annot"))
    else:
        project_path.unlink()
    assert tag(window, "Flags") is None
    assert state(window) == (1, 1, True, False)
    window.workspace.undo()
    assert state(window) == (1, 1, True, False)
    assert said.messages and "moved, renamed, deleted or replaced" in said.messages[-1]
    assert "safe in the backup" in said.messages[-1]
