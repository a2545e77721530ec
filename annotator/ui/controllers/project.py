"""The project's lifecycle in the window: opening, creating and switching projects, recent
projects, saving a copy, backups (periodic, and restoring one), and the background check of
every span when a project opens."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QDialog, QFileDialog, QMainWindow, QMenu, QMessageBox

from annotator.store import PROJECT_SUFFIX, Project, ProjectError
from annotator.store.backup import BackupInfo, ProjectVanished, list_backups, restore_backup
from annotator.store.integrity import FileCheckResult, SpanMismatch
from annotator.ui.controllers.workspace import Workspace
from annotator.ui.dialogs import BackupDialog, show_message
from annotator.ui.opening import (
    SpanCheck,
    open_project_interactively,
    report_damage,
    report_span_mismatches,
)
from annotator.ui.session import ProjectSession
from annotator.ui.worker import Worker

PROJECT_FILTER = f"News Annotator projects (*{PROJECT_SUFFIX});;All files (*)"


class ProjectController(QObject):
    """Owns which project the window shows, and everything done to the file as a whole."""

    backup_failed = Signal(object, str)  # the project's path, and why no backup could be made

    def __init__(self, workspace: Workspace, window: QMainWindow) -> None:
        super().__init__(window)
        self.workspace = workspace
        self._window = window  # parent of dialogs; raised when asked to open its own project
        self._span_checks: list[SpanCheck] = []
        # Backups on opening, running, each with what records its outcome.
        self._open_backups: list[tuple[Worker[BackupInfo], Callable[[object, object], None]]] = []
        self.span_mismatches: list[SpanMismatch] = []  # found by the last background span check
        self.recent_menu: QMenu | None = None
        # Rolling backups: the store decides whether one is due (changed, and old enough).
        self.backup_timer = QTimer(self, interval=60_000)
        self.backup_timer.timeout.connect(self.on_backup_timer)
        self.backup_timer.start()

    def bind_recent_menu(self, menu: QMenu) -> None:
        self.recent_menu = menu
        menu.aboutToShow.connect(self._fill_recent_menu)

    # ----------------------------------------------------------------------- showing
    def set_project(self, project: Project, *, close_previous: bool = True) -> None:
        """Show ``project``; the previous one is closed after its reading place is saved."""
        ws = self.workspace
        old = ws.project
        if old is not None and close_previous:
            ws.project_closing.emit()
            ws.undo_stack.clear()
            ws.set_session(None)
            old.close()
        ws.settings.remember_project(project.path)
        ws.settings.save()
        ws.set_session(ProjectSession(project, ws.settings.annotator or "analyst", self._window))
        ws.refresh_actions()
        self._start_span_check(project)
        self._start_open_backup(project)
        ws.project_opened.emit(project.path)

    def open_project(self, path: Path, *, create: bool = False) -> bool:
        """Open another project; every way that can fail is explained (see ui.opening)."""
        ws = self.workspace
        path = Path(path).expanduser().absolute()
        if ws.project is not None and path == ws.project.path:
            self._window.raise_()
            self._window.activateWindow()
            return True
        project = open_project_interactively(self._window, path, create=create)
        if project is None:
            if not path.exists():
                ws.settings.forget_project(path)
                ws.settings.save()
            return False
        self.set_project(project)
        return True

    def shutdown(self) -> None:
        """The window closes: wait for background checks, then close the project."""
        for check in list(self._span_checks):
            check.cancel()
            check.wait()
        for worker, settle in list(self._open_backups):
            worker.wait()  # a backup is not cut short: it is what a crash would be restored from
            settle(worker.result, worker.error)  # so closing knows the file equals it
        project = self.workspace.project
        if project is not None:
            project.close()
            self.workspace.set_session(None)

    # ----------------------------------------------------------------------- dialogs
    @Slot()
    def new_project(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self._window, "New project", str(Path.home()), PROJECT_FILTER
        )
        if not path:
            return
        target = Path(path)
        if target.suffix != PROJECT_SUFFIX:
            target = target.with_suffix(PROJECT_SUFFIX)
        if target.exists():
            show_message(
                self._window,
                QMessageBox.Icon.Warning,
                "New project",
                f"{target} already exists; open it instead.",
            )
            return
        self.open_project(target, create=True)

    @Slot()
    def open_project_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self._window, "Open project", str(Path.home()), PROJECT_FILTER
        )
        if path:
            self.open_project(Path(path))

    def _fill_recent_menu(self) -> None:
        menu = self.recent_menu
        assert menu is not None
        menu.clear()
        recent = self.workspace.settings.recent_projects
        for entry in recent:
            action = menu.addAction(entry.replace("&", "&&"))
            action.triggered.connect(lambda _=False, p=entry: self.open_project(Path(p)))
        if not recent:
            menu.addAction("(none)").setEnabled(False)

    @Slot()
    def save_copy(self) -> None:
        project = self.workspace.project
        assert project is not None
        suggestion = str(project.path.with_name(project.path.stem + " copy" + PROJECT_SUFFIX))
        path, _ = QFileDialog.getSaveFileName(
            self._window, "Save a copy", suggestion, PROJECT_FILTER
        )
        if not path:
            return
        try:
            project.copy_to(Path(path))
        except (ProjectError, OSError) as exc:
            show_message(
                self._window,
                QMessageBox.Icon.Critical,
                "Save a copy",
                f"The copy could not be written:\n{exc}",
            )
            return
        self.workspace.post(f"Copy saved to {path}", 5000)

    # ----------------------------------------------------------------------- backups
    def on_backup_timer(self) -> None:
        project = self.workspace.project
        backups = project.backups if project is not None else None
        if backups is None:
            return
        try:
            backups.maybe_backup()
        except ProjectVanished as exc:
            self.backup_timer.stop()
            answer = show_message(
                self._window,
                QMessageBox.Icon.Critical,
                "Project file gone",
                f"{exc}\n\nSave a copy of the project now, somewhere safe?",
                buttons=QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
                default=QMessageBox.StandardButton.Save,
            )
            if answer == QMessageBox.StandardButton.Save:
                self.save_copy()
        except ProjectError as exc:
            self.backup_failed.emit(project.path if project is not None else "", str(exc))

    def restore_from_backup(self) -> bool:
        """Let the analyst pick a backup and put it in place of the open project."""
        ws = self.workspace
        project = ws.project
        if project is None:
            return False
        path = project.path
        dialog = BackupDialog(list_backups(path), self._window)
        info = dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None
        if info is None:
            return False
        ws.project_closing.emit()
        ws.undo_stack.clear()  # the undo history belongs to the file being replaced
        project.close()
        worker: Worker[object] = Worker(lambda _control: restore_backup(info, path), self)
        worker.finished.connect(worker.deleteLater)
        worker.start()
        try:
            worker.wait_for_end()
        except (ProjectError, OSError) as exc:
            show_message(self._window, QMessageBox.Icon.Critical, "Restore failed", str(exc))
        reopened = open_project_interactively(self._window, path)
        if reopened is None:
            return False
        self.set_project(reopened, close_previous=False)  # closed above
        ws.post(f"Restored the backup of {info.describe()}", 10000)
        return True

    def _start_open_backup(self, project: Project) -> None:
        """Take the backup on opening (when the file changed since its last one) on a worker
        thread with a connection of its own: copying a large file takes seconds."""
        backups = project.backups
        if backups is None or not backups.open_backup_due:
            return
        baseline = backups.changes
        worker: Worker[BackupInfo] = Worker(lambda _control: backups.take_open_backup(), self)

        def ended(info: object, error: object) -> None:
            if entry not in self._open_backups:
                return  # recorded already (the window closed while it ran)
            self._open_backups.remove(entry)
            if getattr(project, "_closed", False):
                return
            message = getattr(error, "message", None) or (str(error) if error else None)
            backups.open_backup_taken(
                info if isinstance(info, BackupInfo) else None, message, baseline
            )
            if error is not None:
                show_message(
                    self._window,
                    QMessageBox.Icon.Warning,
                    "Backup failed",
                    f"No backup could be made on opening: {message}\n\nYour work is saved in "
                    "the project file itself; backups will be tried again.",
                )

        entry = (worker, ended)
        self._open_backups.append(entry)
        worker.succeeded.connect(lambda info: ended(info, None))
        worker.failed.connect(lambda exc: ended(None, exc))
        worker.finished.connect(worker.deleteLater)
        worker.start()

    # ----------------------------------------------------------------------- checking
    def _start_span_check(self, project: Project) -> None:
        """Check every span against its text in the background; report drift when found."""
        check = SpanCheck(project.path, self, quick_check=not project.quick_checked)
        check.checked.connect(
            lambda found, path=project.path: self._on_span_check_checked(path, found)
        )
        check.finished.connect(check.deleteLater)
        self._span_checks.append(check)
        check.finished.connect(lambda c=check: self._span_checks.remove(c))
        check.start()

    def _on_span_check_checked(self, path: Path, result: FileCheckResult) -> None:
        self.span_mismatches = result.mismatches
        project = self.workspace.project
        if project is None or project.path != path:
            return
        if result.damage is not None:
            report_damage(self._window, path, result.damage)
        else:
            report_span_mismatches(self._window, path, result.mismatches)
