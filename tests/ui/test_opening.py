"""Opening what it should not, from the GUI: a clear dialog naming the file, the file unchanged."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from annotator.core.model import ArticleDraft, LabelSpec
from annotator.settings import Settings
from annotator.store import Project
from annotator.store.backup import list_backups
from annotator.store.lock import ProjectLock
from annotator.ui.dialogs import BackupDialog
from annotator.ui.main_window import MainWindow

XSS = "<img src=x onerror=alert(1)>"


class Answers:
    """Stands in for the analyst in front of message boxes: records them, clicks a button."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, button=QMessageBox.StandardButton.Ok):
        self.seen: list[tuple[str, str, str]] = []
        self.button = button

        def fake_exec(box: QMessageBox) -> int:
            assert box.textFormat() == Qt.TextFormat.PlainText
            self.seen.append((box.windowTitle(), box.text(), box.detailedText()))
            return self.button.value

        monkeypatch.setattr(QMessageBox, "exec", fake_exec)

    def texts(self) -> str:
        return "\n".join(text for _, text, _ in self.seen)


def make_project(path: Path, text: str = "Peskov said the call was useful.") -> None:
    with Project.open(path, backups=False) as project:
        article_id, _ = project.add_article(ArticleDraft(text=text, title="Call"))
        project.add_span(article_id, 0, 6, project.labels()[1].id, "alice")


def open_in(window: MainWindow, path: Path) -> bool:
    return window.open_project(path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"plain text, not a database" * 10, "not a News Annotator project"),
        (b"", "is empty (0 bytes)"),  # an emptied project, never silently a new one
    ],
)
def test_not_a_project_is_refused_and_left_alone(
    qtbot, window, tmp_path, monkeypatch, content, expected
):
    bogus = tmp_path / "bogus.annot"
    bogus.write_bytes(content)
    answers = Answers(monkeypatch)
    before_project = window.project.path
    opened = open_in(window, bogus)
    assert not opened
    assert str(bogus) in answers.texts() and expected in answers.texts()
    assert bogus.read_bytes() == content
    assert window.project.path == before_project  # the open project stays open


def test_database_of_another_application_is_refused(qtbot, window, tmp_path, monkeypatch):
    other = tmp_path / "other.annot"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("PRAGMA application_id = 12345")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    answers = Answers(monkeypatch)
    assert not open_in(window, other)
    assert "another application" in answers.texts() and str(other) in answers.texts()
    assert other.read_bytes() == before


def test_locked_project_offers_read_only(qtbot, window, tmp_path, monkeypatch):
    path = tmp_path / "busy.annot"
    make_project(path)
    lock = ProjectLock.acquire(path)
    try:
        answers = Answers(monkeypatch, QMessageBox.StandardButton.Open)
        assert open_in(window, path)
        assert "already open" in answers.texts()
        assert window.project.read_only
        assert "read-only" in window.windowTitle()
    finally:
        window.close()
        lock.release()


def test_locked_project_cancel_keeps_current(qtbot, window, tmp_path, monkeypatch):
    path = tmp_path / "busy.annot"
    make_project(path)
    lock = ProjectLock.acquire(path)
    try:
        Answers(monkeypatch, QMessageBox.StandardButton.Cancel)
        current = window.project.path
        assert not open_in(window, path)
        assert window.project.path == current
    finally:
        lock.release()


def test_project_from_a_newer_version_opens_read_only(qtbot, window, tmp_path, monkeypatch):
    path = tmp_path / "future.annot"
    make_project(path)
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations(migration_set, name, applied_at)"
        " VALUES ('news-annotator', '9999_from_the_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()
    before = path.read_bytes()
    answers = Answers(monkeypatch, QMessageBox.StandardButton.Open)
    assert open_in(window, path)
    assert "newer version" in answers.texts()
    assert window.project.read_only
    window.close()
    assert path.read_bytes() == before


def test_damaged_project_offers_its_latest_backup(qtbot, window, tmp_path, monkeypatch):
    path = tmp_path / "precious.annot"
    make_project(path)
    Project.open(path).close()  # opening with backups on takes one
    assert list_backups(path)
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # trash the first page after the header
    path.write_bytes(bytes(data))
    answers = Answers(monkeypatch, QMessageBox.StandardButton.Yes)
    assert open_in(window, path)
    assert "damaged" in answers.texts().lower() and "Restore the latest backup" in answers.texts()
    assert window.project.counts()["spans"] == 1
    # the damaged file was kept as a backup too
    assert any(b.damaged for b in list_backups(path))


def test_damaged_project_without_backup_is_left_as_is(qtbot, window, tmp_path, monkeypatch):
    path = tmp_path / "broken.annot"
    make_project(path)
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\x00" * (4096 - 100)
    path.write_bytes(bytes(data))
    before = path.read_bytes()
    answers = Answers(monkeypatch)
    assert not open_in(window, path)
    assert "no backup" in answers.texts()
    assert path.read_bytes() == before


def test_vanished_recent_project_is_reported_and_forgotten(qtbot, window, tmp_path, monkeypatch):
    gone = tmp_path / "gone.annot"
    window.settings.recent_projects.append(str(gone))
    answers = Answers(monkeypatch)
    assert not open_in(window, gone)
    assert str(gone) in answers.texts()
    assert str(gone) not in Settings.load().recent_projects
    assert not gone.exists()  # not silently recreated as an empty project


def test_span_text_drift_is_reported_not_shifted(qtbot, project_path, settings, monkeypatch):
    with Project.open(project_path, backups=False) as project:
        article_id = project.article_summaries()[0].id
        span = project.add_span(article_id, 0, 5, project.labels()[0].id, "alice")
    conn = sqlite3.connect(project_path)
    conn.execute("UPDATE spans SET text = 'Moved' WHERE id = ?", (span.id,))
    conn.commit()
    conn.close()
    answers = Answers(monkeypatch)
    win = MainWindow(Project.open(project_path), settings)
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: bool(answers.seen), timeout=5000)
    title, text, details = answers.seen[0]
    assert "1 span(s)" in text and f"span {span.id}" in details and "'Moved'" in details
    assert win.session.project.span(span.id).start == 0  # left exactly as stored
    win.close()


def test_restore_from_backup_brings_back_an_earlier_state(qtbot, window, monkeypatch):
    project = window.session.project
    backup = project.backups.backup_now()
    assert backup.spans == 0
    start = window.workspace.article_text.index("Peskov")
    window.reader.view.select_range(start, start + 6)
    window.tag_selection(window.session.label_for_hotkey("2").id)
    assert window.session.project.counts()["spans"] == 1
    monkeypatch.setattr(BackupDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(
        BackupDialog, "chosen", lambda self: next(b for b in self.backups if b.path == backup.path)
    )
    assert window.restore_from_backup()
    assert window.session.project.counts()["spans"] == 0
    assert not window.undo_stack.canUndo()
    # what was replaced is itself a backup
    assert any(b.spans == 1 for b in list_backups(window.project.path))


def test_untrusted_names_and_notes_are_shown_as_text(qtbot, window, monkeypatch):
    label = window.session.add_label(LabelSpec(XSS, "#123456", "5"))
    window.labels.rebuild()
    start = window.workspace.article_text.index("Peskov")
    window.reader.view.select_range(start, start + 6)
    span = window.tag_selection(label.id)
    window.session.update_span(span.id, note="\x1b[31m red <b>bold</b>")
    # toolbar action: the name as typed, no markup, no mnemonic
    action = next(a for a in window.label_bar.actions() if a.text().startswith("<img"))
    assert action.text() == f"{XSS} (5)"
    assert "&lt;img" in action.toolTip()
    # span table: display text literal, tooltips escaped
    model = window.span_model
    row = model.row_of(span.id)
    assert model.index(row, 0).data() == XSS
    tip = model.index(row, model.NOTE).data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;bold&lt;/b&gt;" in tip and "<b>" not in tip
    # reader hover
    html_tip = window.reader.view.tooltip_html([window.session.project.span(span.id)])
    assert "&lt;img src=x onerror=alert(1)&gt;" in html_tip and "<img" not in html_tip
    # deleting it asks with the name as plain text
    answers = Answers(monkeypatch, QMessageBox.StandardButton.No)
    window.labels.manage_labels()
    dialog = window.labels.label_dialog
    dialog.list.setCurrentRow([lb.id for lb in window.session.labels()].index(label.id))
    dialog.buttons["delete"].click()
    assert XSS in answers.texts()
    dialog.close()


@pytest.mark.parametrize("choice", ["restore", "new", "cancel"])
def test_an_emptied_project_offers_its_backup_or_a_new_project(
    qtbot, window, tmp_path, monkeypatch, choice
):
    """Before: a 0-byte .annot (failed sync, interrupted copy) silently became a new project."""
    path = tmp_path / "synced.annot"
    with Project.open(path) as project:  # opened and closed with changes: a backup is taken
        article_id, _ = project.add_article(ArticleDraft(text="Kept in the backup.", title="K"))
        project.add_span(article_id, 0, 4, project.labels()[0].id, "alice")
    assert list_backups(path)
    path.write_bytes(b"")  # the failed sync
    button = {
        "restore": QMessageBox.StandardButton.Yes,
        "new": QMessageBox.StandardButton.Reset,
        "cancel": QMessageBox.StandardButton.Cancel,
    }[choice]
    answers = Answers(monkeypatch, button)
    opened = open_in(window, path)
    first_title, first_text, _ = answers.seen[0]
    assert first_title == "Project file is empty"
    assert "is empty (0 bytes)" in first_text and "1 articles, 1 spans" in first_text
    if choice == "cancel":
        assert not opened and path.read_bytes() == b""
        return
    assert opened and window.project.path == path
    said = answers.texts()
    if choice == "restore":
        assert "was restored from its backup" in said
        assert window.project.counts()["spans"] == 1
    else:
        assert "a new, empty project was started" in said
        assert window.project.counts()["articles"] == 0


def test_damage_found_after_opening_is_reported(qtbot, window, tmp_path, monkeypatch):
    """A file as the app left it opens without its page check (seconds on a large project);
    the check runs in the background and says so when the disk damaged it meanwhile."""
    import os

    path = tmp_path / "rotten.annot"
    make_project(path)
    Project.open(path).close()  # closed cleanly, backed up: the next opening trusts it
    # An index the window does not read on coming up goes bad on disk, times and size kept.
    conn = sqlite3.connect(path)
    root, size = conn.execute(
        "SELECT rootpage, (SELECT page_size FROM pragma_page_size) FROM sqlite_master"
        " WHERE name = 'articles_by_title'"
    ).fetchone()
    conn.close()
    stat = path.stat()
    with path.open("r+b") as fh:
        fh.seek((root - 1) * size)
        fh.write(b"\xa5" * size)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    answers = Answers(monkeypatch)
    assert open_in(window, path)
    assert not window.project.quick_checked
    qtbot.waitUntil(lambda: bool(answers.seen), timeout=10000)
    title, text, _ = answers.seen[0]
    assert title == "Project damaged" and str(path) in text and "Restore" in text
    window.close()


def test_backup_on_opening_is_taken_off_the_gui_thread(qtbot, window, tmp_path, monkeypatch):
    """A project changed since its last backup is backed up on opening, on a worker thread with
    a connection of its own: the window does not wait for the copy of a large file."""
    import threading

    from annotator.store.backup import BackupManager

    path = tmp_path / "changed.annot"
    make_project(path)  # written without backups: the first opening backs it up
    assert not list_backups(path)
    threads: list[threading.Thread] = []
    take = BackupManager.take_open_backup

    def spy(self: BackupManager):  # noqa: ANN202
        threads.append(threading.current_thread())
        return take(self)

    monkeypatch.setattr(BackupManager, "take_open_backup", spy)
    assert open_in(window, path)
    backups = window.project.backups
    qtbot.waitUntil(lambda: not backups.open_backup_due, timeout=10000)
    assert threads and threads[0] is not threading.main_thread()
    assert [b.reason for b in list_backups(path)] == ["open"]
    assert backups.last_backup is not None and backups.last_backup.reason == "open"
    assert not backups.changed_since_backup
    assert backups.last_backup.spans == 1


def test_closing_while_the_backup_on_opening_runs_keeps_it_as_the_files_equal(
    qtbot, tmp_path, settings
):
    path = tmp_path / "quick.annot"
    make_project(path)
    win = MainWindow(Project.open(path, defer_check=True), settings)
    qtbot.addWidget(win)
    assert win.project.backups.open_backup_due  # its worker runs
    win.close()  # at once: closing waits for the backup and records the file as equal to it
    assert [b.reason for b in list_backups(path)] == ["open"]
    with Project.open(path, defer_check=True) as again:
        assert again.backups is not None and not again.backups.open_backup_due
        assert not again.quick_checked  # as it was left: checked in the background
