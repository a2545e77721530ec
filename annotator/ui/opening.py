"""Opening a project from the GUI: every way it can fail gets a clear dialog and a way out.

Nothing here writes to a file that could not be opened: a damaged project is only replaced when
the analyst chooses to restore a backup, and the damaged file is itself kept as a backup first.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from annotator.store import (
    Project,
    ProjectDamaged,
    ProjectEmpty,
    ProjectError,
    ProjectFromNewerVersion,
    ProjectMissing,
)
from annotator.store.backup import latest_backup, restore_backup
from annotator.store.integrity import FileCheck, FileCheckResult, SpanMismatch
from annotator.store.lock import ProjectLocked
from annotator.ui.dialogs import show_message

Button = QMessageBox.StandardButton


def open_project_interactively(
    parent: QWidget | None, path: Path, *, create: bool = False
) -> Project | None:
    """Open ``path``, asking the analyst what to do when it cannot be opened as it is.

    Returns None when the analyst cancels or nothing can be opened; the reason was shown.
    """
    try:
        # A file as this app left it is checked page by page in the background (SpanCheck),
        # not before the window comes up: that takes seconds on a large project.
        project = Project.open(path, create=create, defer_check=True)
    except ProjectLocked as exc:
        answer = show_message(
            parent,
            QMessageBox.Icon.Question,
            "Project already open",
            f"{path}\n\nis already open for editing: {exc.message}\n\n"
            "You can open it read-only to read and export it, or cancel.",
            buttons=Button.Open | Button.Cancel,
            default=Button.Open,
            button_texts={Button.Open: "Open Read-Only"},
        )
        return _open_read_only(parent, path) if answer == Button.Open else None
    except ProjectFromNewerVersion as exc:
        answer = show_message(
            parent,
            QMessageBox.Icon.Question,
            "Project from a newer version",
            f"{exc}\n\nThis version will not change it. Open it read-only?",
            buttons=Button.Open | Button.Cancel,
            default=Button.Open,
            button_texts={Button.Open: "Open Read-Only"},
        )
        return _open_read_only(parent, path) if answer == Button.Open else None
    except ProjectDamaged as exc:
        return _offer_restore(parent, path, exc)
    except ProjectEmpty as exc:
        return _offer_restore_or_new(parent, path, exc)
    except ProjectMissing as exc:
        show_message(
            parent,
            QMessageBox.Icon.Warning,
            "Project not found",
            f"{exc}\n\nIt may have been moved, renamed or deleted.",
        )
        return None
    except ProjectError as exc:
        show_message(parent, QMessageBox.Icon.Critical, "Cannot open project", str(exc))
        return None
    report_on_open(parent, project)
    return project


def _open_read_only(parent: QWidget | None, path: Path) -> Project | None:
    try:
        project = Project.open(path, create=False, read_only=True, lock=False)
    except ProjectError as exc:
        show_message(parent, QMessageBox.Icon.Critical, "Cannot open project", str(exc))
        return None
    report_on_open(parent, project)
    return project


def _offer_restore(parent: QWidget | None, path: Path, exc: ProjectDamaged) -> Project | None:
    backup = latest_backup(path)
    if backup is None:
        show_message(
            parent,
            QMessageBox.Icon.Critical,
            "Project damaged",
            f"{exc}\n\nThere is no backup of it. The file was not changed.",
        )
        return None
    answer = show_message(
        parent,
        QMessageBox.Icon.Warning,
        "Project damaged",
        f"{exc}\n\nRestore the latest backup?\n{backup.describe()}\n\n"
        "The damaged file is kept as a backup too, so nothing is thrown away.",
        buttons=Button.Yes | Button.Cancel,
        default=Button.Yes,
        button_texts={Button.Yes: "Restore Backup"},
    )
    if answer != Button.Yes:
        return None
    try:
        restore_backup(backup, path)
        project = Project.open(path, create=False)
    except ProjectError as error:
        show_message(parent, QMessageBox.Icon.Critical, "Restore failed", str(error))
        return None
    report_on_open(parent, project)
    return project


def _offer_restore_or_new(parent: QWidget | None, path: Path, exc: ProjectEmpty) -> Project | None:
    """An emptied project file: restore its newest backup, or start a new project in its place
    (the empty file holds nothing to lose), or leave it; then say which happened."""
    backup = latest_backup(path)
    buttons = Button.Reset | Button.Cancel
    texts = {Button.Reset: "Start a New Project"}
    offer = "There is no backup of it."
    if backup is not None:
        buttons |= Button.Yes
        texts[Button.Yes] = "Restore Newest Backup"
        offer = f"Its newest backup:\n{backup.describe()}"
    answer = show_message(
        parent,
        QMessageBox.Icon.Warning,
        "Project file is empty",
        f"{exc}\n\n{offer}\n\nRestore the backup, start a new, empty project under this "
        "name, or cancel and leave the file as it is.",
        buttons=buttons,
        default=Button.Yes if backup is not None else Button.Cancel,
        button_texts=texts,
    )
    try:
        if answer == Button.Yes and backup is not None:
            restore_backup(backup, path)
            project = Project.open(path, create=False)
            done = f"{path.name} was restored from its backup of {backup.describe()}."
        elif answer == Button.Reset:
            if path.exists() and path.stat().st_size == 0:
                path.unlink()
            project = Project.open(path, create=True)
            done = f"{path.name} was empty; a new, empty project was started in its place."
        else:
            return None
    except (ProjectError, OSError) as error:
        show_message(parent, QMessageBox.Icon.Critical, "Cannot open project", str(error))
        return None
    show_message(parent, QMessageBox.Icon.Information, "Project file was empty", done)
    report_on_open(parent, project)
    return project


def report_on_open(parent: QWidget | None, project: Project) -> None:
    """Say what the analyst must know about a project that did open."""
    if project.storage_warning:
        show_message(parent, QMessageBox.Icon.Warning, "Project location", project.storage_warning)
    if project.backups is not None and project.backups.last_error:
        show_message(
            parent,
            QMessageBox.Icon.Warning,
            "Backup failed",
            f"No backup could be made on opening: {project.backups.last_error}\n\nYour work is "
            "saved in the project file itself; backups will be tried again.",
        )


class SpanCheck(QThread):
    """Checks the project file on a connection of its own: SQLite's check of every page when
    opening skipped it, and every span's text against its article.

    A large project takes seconds to check, so the window opens at once and the result arrives
    with :attr:`checked` (a :class:`~annotator.store.integrity.FileCheckResult`); :meth:`cancel`
    stops it at once (the window is closing).
    """

    checked = Signal(object)

    def __init__(self, path: Path, parent: QObject | None = None, *, quick_check: bool = False):
        super().__init__(parent)
        self.path = path
        self._check = FileCheck(path, quick_check=quick_check)

    def cancel(self) -> None:
        self._check.cancel()

    def run(self) -> None:
        try:
            result = self._check.run()
        except ProjectError:
            result = FileCheckResult()  # unreadable now (e.g. replaced); opening it again says so
        if not result.cancelled:
            self.checked.emit(result)


def report_damage(parent: QWidget | None, path: Path, damage: str) -> None:
    """The background check found the open file damaged."""
    show_message(
        parent,
        QMessageBox.Icon.Critical,
        "Project damaged",
        f"{path} {damage}\n\nSave what you can: export it, or restore its latest backup "
        "(File ▸ Restore from Backup). Changes may fail from now on.",
    )


def report_span_mismatches(
    parent: QWidget | None, path: Path, mismatches: Sequence[SpanMismatch]
) -> None:
    if not mismatches:
        return
    show_message(
        parent,
        QMessageBox.Icon.Warning,
        "Spans out of step with their text",
        f"{len(mismatches)} span(s) in {path.name} no longer cover the text they were made on. "
        "They were left exactly as stored; check them before exporting.",
        details="\n".join(m.describe() for m in mismatches[:500]),
    )
