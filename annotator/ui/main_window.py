"""The main window: article list, reader pane, span panel, menus and the undo stack."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QModelIndex, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QStyle,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from annotator.core.model import DEFAULT_RELATION_TYPE, LabelSpec, Relation, Span
from annotator.core.text import trim_whitespace
from annotator.formats.csv_articles import csv_columns
from annotator.formats.importer import ImportCancelled, ImportSummary, import_paths
from annotator.settings import ReadingPlace, Settings
from annotator.store import PROJECT_SUFFIX, Project, ProjectError
from annotator.store.backup import ProjectVanished, list_backups, restore_backup
from annotator.store.errors import StoreWriteFailed
from annotator.ui.actions import build_actions
from annotator.ui.commands import (
    AddLabelCommand,
    AddRelationCommand,
    AddSpanCommand,
    DeleteLabelCommand,
    DeleteRelationCommand,
    DeleteSpanCommand,
    ReorderLabelsCommand,
    SetStatusCommand,
    UpdateLabelCommand,
    UpdateSpanCommand,
    redo_step,
    undo_step,
)
from annotator.ui.dialogs import (
    BackupDialog,
    LabelManagerDialog,
    SpanEditorDialog,
    ask_annotator_name,
    color_icon,
    show_message,
)
from annotator.ui.export_dialog import ExportDialog
from annotator.ui.models import ArticleListModel, SpanTableModel, plain_tooltip
from annotator.ui.opening import (
    SpanCheck,
    open_project_interactively,
    report_span_mismatches,
)
from annotator.ui.reader import ReaderPane
from annotator.ui.session import ProjectSession
from annotator.ui.store_errors import StoreErrorReporter

PROJECT_FILTER = f"News Annotator projects (*{PROJECT_SUFFIX});;All files (*)"
IMPORT_FILTER = "Articles (*.txt *.md *.html *.htm *.jsonl *.csv);;All files (*)"
_WORD = re.compile(r"\w+", re.UNICODE)


class MainWindow(QMainWindow):
    """One project at a time; every edit goes through the undo stack into the project file."""

    article_opened = Signal(int)
    project_opened = Signal(object)  # Path

    def __init__(self, project: Project, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self.project: Project | None = None
        self.session: ProjectSession | None = None
        self.article_id: int | None = None
        self._article_text = ""
        self._linking_from: int | None = None
        self._label_dialog: LabelManagerDialog | None = None
        self._syncing = False  # True while the window itself moves a list's selection
        self._span_checks: list[SpanCheck] = []
        self.span_mismatches: list[object] = []  # found by the last background span check
        self.undo_stack = QUndoStack(self)
        self.store_errors = StoreErrorReporter(self)  # failed writes and backups, in words
        self.actions = build_actions(self, shortcuts=settings.shortcuts)
        self._label_actions: list[QAction] = []
        self.setAcceptDrops(True)
        self.setWindowIcon(self.windowIcon())
        self._build_widgets()
        self._build_menus()
        self._connect_actions()
        # Review ▸ (compare, agreement, adjudication, merge) lives in its own module.
        from annotator.ui.review import ReviewController

        self.review = ReviewController(self)
        from annotator.ui.reading import ReadingController

        self.reading = ReadingController(self)  # theme, reading preferences, Help
        self._set_project(project)
        geometry = QSettings().value("main_window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 820)
        state = QSettings().value("main_window/state")
        if state is not None:
            self.restoreState(state)
        else:
            self.resizeDocks(
                [self.articles_dock, self.spans_dock], [300, 430], Qt.Orientation.Horizontal
            )

    # ------------------------------------------------------------------------- building
    def _build_widgets(self) -> None:
        self.reader = ReaderPane()
        self.reader.view.setAcceptDrops(False)
        self.reader.view.viewport().setAcceptDrops(False)
        self.reader.view.span_clicked.connect(self._on_reader_span_clicked)
        self.reader.view.current_span_changed.connect(self._on_reader_current_span_changed)
        self.reader.view.selection_changed.connect(self._update_actions)
        self.reader.view.snap_to_words = self.settings.snap_to_words
        self.setCentralWidget(self.reader)

        # Article list
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("Search articles…")
        self.search_box.setClearButtonEnabled(True)
        self.article_label_filter = QComboBox()
        self._search_timer = QTimer(self, singleShot=True, interval=200)
        self._search_timer.timeout.connect(self._apply_article_filter)
        self.search_box.textChanged.connect(self._search_timer.start)
        self.article_label_filter.currentIndexChanged.connect(self._apply_article_filter)
        self.article_view = QTableView()
        self.article_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.article_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.article_view.setSortingEnabled(True)
        self.article_view.verticalHeader().hide()
        self.article_view.setWordWrap(False)
        self.article_view.setAlternatingRowColors(True)
        self.article_count_label = QLabel()
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search_box)
        layout.addWidget(self.article_label_filter)
        layout.addWidget(self.article_view, 1)
        layout.addWidget(self.article_count_label)
        self.articles_dock = QDockWidget("Articles", self)
        self.articles_dock.setObjectName("articles_dock")
        self.articles_dock.setWidget(panel)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.articles_dock)

        # Span panel
        self.span_label_filter = QComboBox()
        self.span_label_filter.currentIndexChanged.connect(self._on_span_label_filter_changed)
        self.span_view = QTableView()
        self.span_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.span_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.span_view.verticalHeader().hide()
        self.span_view.setWordWrap(False)
        self.span_view.doubleClicked.connect(lambda _index: self._edit_span())
        span_panel = QWidget()
        span_layout = QVBoxLayout(span_panel)
        span_layout.setContentsMargins(4, 4, 4, 4)
        row = QHBoxLayout()
        row.addWidget(QLabel("Show:"))
        row.addWidget(self.span_label_filter, 1)
        span_layout.addLayout(row)
        span_layout.addWidget(self.span_view, 1)
        self.spans_dock = QDockWidget("Spans", self)
        self.spans_dock.setObjectName("spans_dock")
        self.spans_dock.setWidget(span_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.spans_dock)

        self.label_bar = QToolBar("Labels", self)
        self.label_bar.setObjectName("label_bar")
        self.label_bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.label_bar)
        self.saved_label = QLabel()
        self.statusBar().addPermanentWidget(self.saved_label)

    def _build_menus(self) -> None:
        a = self.actions
        # Undo and redo run in one transaction each, so a step made of several store calls
        # (an edit that also removes links, a bulk accept) is undone whole or not at all.
        self.undo_action = a["undo"]
        self.undo_action.setEnabled(False)
        self.undo_action.triggered.connect(self._undo)
        self.undo_stack.canUndoChanged.connect(self.undo_action.setEnabled)
        self.undo_stack.undoTextChanged.connect(
            lambda text: self.undo_action.setText(f"&Undo {text}".strip())
        )
        self.redo_action = a["redo"]
        self.redo_action.setEnabled(False)
        self.redo_action.triggered.connect(self._redo)
        self.undo_stack.canRedoChanged.connect(self.redo_action.setEnabled)
        self.undo_stack.redoTextChanged.connect(
            lambda text: self.redo_action.setText(f"&Redo {text}".strip())
        )
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([a["new_project"], a["open_project"]])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addActions([a["save_copy"], a["restore_backup"]])
        file_menu.addSeparator()
        file_menu.addActions([a["import_files"], a["import_folder"], a["export"]])
        file_menu.addSeparator()
        file_menu.addAction(a["quit"])
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.undo_action, self.redo_action])
        edit_menu.addSeparator()
        edit_menu.addActions(
            [a["find"], a["manage_labels"], a["snap_to_words"], a["set_annotator"]]
        )
        edit_menu.addSeparator()
        edit_menu.addAction(a["preferences"])
        self.span_menu = bar.addMenu("&Span")
        self.tag_menu = self.span_menu.addMenu("&Tag as")
        self.span_menu.addActions(
            [a["edit_span"], a["delete_span"], a["span_to_selection"], a["link_span"]]
        )
        bounds = self.span_menu.addMenu("&Boundaries")
        bounds.addActions([a["extend_start"], a["shrink_start"], a["shrink_end"], a["extend_end"]])
        self.span_menu.addSeparator()
        self.span_menu.addActions([a["next_span"], a["previous_span"], a["clear_span"]])
        article_menu = bar.addMenu("&Article")
        article_menu.addActions([a["next_article"], a["previous_article"]])
        article_menu.addSeparator()
        article_menu.addActions([a["status_new"], a["status_in_progress"], a["status_done"]])
        view_menu = bar.addMenu("&View")
        view_menu.addActions([a["zoom_in"], a["zoom_out"], a["zoom_reset"]])
        view_menu.addSeparator()
        view_menu.addActions([a["show_all_layers"], a["show_all_relations"]])
        self.layers_menu = view_menu.addMenu("Annotator &Layers")
        self.layers_menu.aboutToShow.connect(self._fill_layers_menu)
        view_menu.addSeparator()
        view_menu.addActions(
            [self.articles_dock.toggleViewAction(), self.spans_dock.toggleViewAction()]
        )
        self._label_bar_end = self.label_bar.addSeparator()
        style = self.style()
        self.undo_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowBack))
        self.redo_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowForward))
        for action in (self.undo_action, self.redo_action):
            # Icon only: the action's text names the last edit and would stretch the bar.
            button = QToolButton(self.label_bar)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
            button.setAutoRaise(True)
            self.label_bar.addWidget(button)
        self.label_bar.addAction(a["manage_labels"])
        for action in self.actions.values():
            self.addAction(action)  # shortcuts work even when a menu is hidden
        self.reader.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.reader.view.customContextMenuRequested.connect(self._on_reader_context_menu)

    def _connect_actions(self) -> None:
        a = self.actions
        a["new_project"].triggered.connect(self._new_project)
        a["open_project"].triggered.connect(self._open_project_dialog)
        a["save_copy"].triggered.connect(self._save_copy)
        a["restore_backup"].triggered.connect(self.restore_from_backup)
        a["import_files"].triggered.connect(self._import_files_dialog)
        a["import_folder"].triggered.connect(self._import_folder_dialog)
        a["export"].triggered.connect(self.show_export_dialog)
        a["quit"].triggered.connect(self.close)
        a["manage_labels"].triggered.connect(self._manage_labels)
        a["set_annotator"].triggered.connect(self._set_annotator)
        a["snap_to_words"].setChecked(self.settings.snap_to_words)
        a["snap_to_words"].toggled.connect(self._on_snap_toggled)
        a["find"].triggered.connect(self._focus_search)
        a["edit_span"].triggered.connect(self._edit_span)
        a["delete_span"].triggered.connect(self._delete_span)
        a["span_to_selection"].triggered.connect(self._span_to_selection)
        a["extend_start"].triggered.connect(lambda: self._nudge("start", -1))
        a["shrink_start"].triggered.connect(lambda: self._nudge("start", 1))
        a["shrink_end"].triggered.connect(lambda: self._nudge("end", -1))
        a["extend_end"].triggered.connect(lambda: self._nudge("end", 1))
        a["link_span"].triggered.connect(self._start_linking)
        a["next_span"].triggered.connect(lambda: self._step_span(1))
        a["previous_span"].triggered.connect(lambda: self._step_span(-1))
        a["clear_span"].triggered.connect(self._clear_span)
        a["next_article"].triggered.connect(lambda: self._step_article(1))
        a["previous_article"].triggered.connect(lambda: self._step_article(-1))
        a["status_new"].triggered.connect(lambda: self._set_status("new"))
        a["status_in_progress"].triggered.connect(lambda: self._set_status("in progress"))
        a["status_done"].triggered.connect(lambda: self._set_status("done"))
        a["zoom_in"].triggered.connect(self._zoom_in)
        a["zoom_out"].triggered.connect(self._zoom_out)
        a["zoom_reset"].triggered.connect(lambda: self._set_zoom(0))
        a["show_all_layers"].toggled.connect(self._apply_layers)
        self.undo_stack.indexChanged.connect(self._update_actions)
        # Rolling backups: the store decides whether one is due (changed, and old enough).
        self._backup_timer = QTimer(self, interval=60_000)
        self._backup_timer.timeout.connect(self._on_backup_timer)
        self._backup_timer.start()

    # -------------------------------------------------------------------------- project
    def _set_project(self, project: Project) -> None:
        """Show ``project``; the previous one is closed after its reading place is saved."""
        if self.project is not None:
            self._remember_place()
            self.undo_stack.clear()
            old = self.project
            self.session = None
            old.close()
        self.project = project
        self.session = ProjectSession(project, self.settings.annotator or "analyst", self)
        self._shown_layers: set[str] = set()  # other annotators' layers the analyst turned on
        self.article_model = ArticleListModel(self.session, self)
        self.article_view.setModel(self.article_model)
        header = self.article_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 80)  # outlet names can be long; the title needs the room
        for col in (2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        # Performance: fit those columns to about two screens of rows. Qt measures 1,000 rows
        # by default on every sort, filter, search and change of an article's status or span
        # count (50 ms after each tag), reading five pages of the list; and 0 ("the rows on
        # screen") measures every row while the window is not shown yet.
        header.setResizeContentsPrecision(50)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.article_view.selectionModel().currentRowChanged.connect(self._on_article_row_changed)
        self.span_model = SpanTableModel(self.session, self)
        self.span_view.setModel(self.span_model)
        span_header = self.span_view.horizontalHeader()
        span_header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        span_header.setMinimumSectionSize(40)
        # Notes and links can be long: fixed widths the analyst can drag, never a wide table.
        for col, width in ((2, 70), (3, 70)):
            span_header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            span_header.resizeSection(col, width)
        span_header.setSectionResizeMode(4, QHeaderView.ResizeMode.ResizeToContents)
        self.span_view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.span_view.selectionModel().currentRowChanged.connect(self._on_span_row_changed)
        s = self.session
        s.write_failed.connect(self.store_errors.change_failed)
        s.span_added.connect(self._on_session_span_added)
        s.span_removed.connect(self._on_session_span_removed)
        s.span_changed.connect(self._on_session_span_changed)
        s.labels_changed.connect(self._on_session_labels_changed)
        s.article_changed.connect(self._on_session_article_changed)
        for sig in (
            s.span_added,
            s.span_removed,
            s.span_changed,
            s.labels_changed,
            s.relation_added,
            s.relation_removed,
            s.article_changed,
        ):
            sig.connect(self._show_saved)
        self._rebuild_labels()
        self._update_title()
        self.settings.remember_project(project.path)
        self.settings.save()
        self.article_id = None
        place = self.settings.places.get(str(project.path), ReadingPlace())
        if place.article_id is not None and project.has_article(place.article_id):
            self.open_article(place.article_id, position=place.position)
        elif self.article_model.rowCount():
            first = self.article_model.article_id(0)
            if first is not None:
                self.open_article(first)
        else:
            self._show_empty()
        self._update_actions()
        self._start_span_check(project)
        self.project_opened.emit(project.path)

    def _start_span_check(self, project: Project) -> None:
        """Check every span against its text in the background; report drift when found."""
        check = SpanCheck(project.path, self)
        check.checked.connect(
            lambda found, path=project.path: self._on_span_check_checked(path, found)
        )
        check.finished.connect(check.deleteLater)
        self._span_checks.append(check)
        check.finished.connect(lambda c=check: self._span_checks.remove(c))
        check.start()

    def _on_span_check_checked(self, path: Path, mismatches: list[object]) -> None:
        self.span_mismatches = mismatches
        if self.project is not None and self.project.path == path:
            report_span_mismatches(self, path, mismatches)

    def _update_title(self) -> None:
        if self.project is None:
            return
        suffix = " [read-only]" if self.project.read_only else ""
        self.setWindowTitle(f"{self.project.path.name}{suffix} — News Annotator")
        self.setWindowFilePath(str(self.project.path))

    def open_project(self, path: Path, *, create: bool = False) -> bool:
        """Open another project; every way that can fail is explained (see ui.opening)."""
        path = Path(path).expanduser().absolute()
        if self.project is not None and path == self.project.path:
            self.raise_()
            self.activateWindow()
            return True
        project = open_project_interactively(self, path, create=create)
        if project is None:
            if not path.exists():
                self.settings.forget_project(path)
                self.settings.save()
            return False
        self._set_project(project)
        return True

    @Slot()
    def _new_project(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "New project", str(Path.home()), PROJECT_FILTER)
        if not path:
            return
        target = Path(path)
        if target.suffix != PROJECT_SUFFIX:
            target = target.with_suffix(PROJECT_SUFFIX)
        if target.exists():
            show_message(
                self,
                QMessageBox.Icon.Warning,
                "New project",
                f"{target} already exists; open it instead.",
            )
            return
        self.open_project(target, create=True)

    @Slot()
    def _open_project_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open project", str(Path.home()), PROJECT_FILTER
        )
        if path:
            self.open_project(Path(path))

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for entry in self.settings.recent_projects:
            action = self.recent_menu.addAction(entry.replace("&", "&&"))
            action.triggered.connect(lambda _=False, p=entry: self.open_project(Path(p)))
        if not self.settings.recent_projects:
            self.recent_menu.addAction("(none)").setEnabled(False)

    @Slot()
    def _save_copy(self) -> None:
        assert self.project is not None
        suggestion = str(
            self.project.path.with_name(self.project.path.stem + " copy" + PROJECT_SUFFIX)
        )
        path, _ = QFileDialog.getSaveFileName(self, "Save a copy", suggestion, PROJECT_FILTER)
        if not path:
            return
        try:
            self.project.copy_to(Path(path))
        except (ProjectError, OSError) as exc:
            show_message(
                self,
                QMessageBox.Icon.Critical,
                "Save a copy",
                f"The copy could not be written:\n{exc}",
            )
            return
        self.statusBar().showMessage(f"Copy saved to {path}", 5000)

    # --------------------------------------------------------------------------- import
    def _on_backup_timer(self) -> None:
        backups = self.project.backups if self.project is not None else None
        if backups is None:
            return
        try:
            backups.maybe_backup()
        except ProjectVanished as exc:
            self._backup_timer.stop()
            answer = show_message(
                self,
                QMessageBox.Icon.Critical,
                "Project file gone",
                f"{exc}\n\nSave a copy of the project now, somewhere safe?",
                buttons=QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
                default=QMessageBox.StandardButton.Save,
            )
            if answer == QMessageBox.StandardButton.Save:
                self._save_copy()
        except ProjectError as exc:
            self.store_errors.backup_failed(self.project.path if self.project else "", str(exc))

    def restore_from_backup(self) -> bool:
        """Let the analyst pick a backup and put it in place of the open project."""
        if self.project is None:
            return False
        path = self.project.path
        dialog = BackupDialog(list_backups(path), self)
        info = dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None
        if info is None:
            return False
        self._remember_place()
        self.undo_stack.clear()  # the undo history belongs to the file being replaced
        self.project.close()
        try:
            restore_backup(info, path)
        except ProjectError as exc:
            show_message(self, QMessageBox.Icon.Critical, "Restore failed", str(exc))
        project = open_project_interactively(self, path)
        if project is None:
            return False
        self.project = None  # closed above: _set_project must not close it again
        self._set_project(project)
        self.statusBar().showMessage(f"Restored the backup of {info.describe()}", 10000)
        return True

    @Slot()
    def _import_files_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Import articles", str(Path.home()), IMPORT_FILTER
        )
        if paths:
            self.import_paths([Path(p) for p in paths])

    @Slot()
    def _import_folder_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Import a folder", str(Path.home()))
        if path:
            self.import_paths([Path(path)])

    def import_paths(self, paths: Sequence[Path]) -> ImportSummary | None:
        """Import with a cancellable progress dialog; the batch is all or nothing."""
        assert self.project is not None and self.session is not None
        if self.project.read_only:
            show_message(
                self, QMessageBox.Icon.Information, "Import", "This project is open read-only."
            )
            return None
        text_column = self._choose_csv_text_column(paths)
        if text_column is None:
            return None
        dialog = QProgressDialog("Importing…", "Cancel", 0, 0, self)
        dialog.setWindowTitle("Import")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(400)

        def progress(done: int, total: int, current: str) -> None:
            dialog.setMaximum(total)
            dialog.setValue(done)
            dialog.setLabelText(f"Importing {Path(current).name} ({done + 1} of {total})…")
            QApplication.processEvents()

        last_events = [time.monotonic()]

        def cancelled() -> bool:
            # Keep the Cancel button responsive inside one large file, without paying for
            # an event loop pass on every record.
            now = time.monotonic()
            if now - last_events[0] > 0.1:
                last_events[0] = now
                QApplication.processEvents()
            return dialog.wasCanceled()

        try:
            summary = import_paths(
                self.project,
                list(paths),
                annotator=self.session.annotator,
                csv_text_column=text_column,
                progress=progress,
                is_cancelled=cancelled,
            )
        except ImportCancelled:
            dialog.close()
            self.statusBar().showMessage("Import cancelled: nothing was imported.", 8000)
            return None
        except ProjectError as exc:
            dialog.close()
            show_message(
                self, QMessageBox.Icon.Critical, "Import failed", f"Nothing was imported.\n\n{exc}"
            )
            return None
        dialog.close()
        self.session.articles_added.emit()
        self.session.labels_changed.emit()
        self.session._reload_labels()
        self._rebuild_labels()
        if summary.article_ids:
            self.open_article(summary.article_ids[0])
        self._show_import_summary(summary)
        return summary

    def _choose_csv_text_column(self, paths: Sequence[Path]) -> str | None:
        """The CSV column holding article text: "text", or the one the user picks."""
        for path in paths:
            if path.suffix.lower() != ".csv" or not path.is_file():
                continue
            columns = csv_columns(path)
            if not columns or any(c.casefold() == "text" for c in columns):
                continue
            column, ok = QInputDialog.getItem(
                self,
                "Which column holds the article text?",
                f"{path.name} has no “text” column. Choose the column with the article text:",
                columns,
                0,
                False,
            )
            return column if ok else None
        return "text"

    def _show_import_summary(self, summary: ImportSummary) -> None:
        text = summary.describe()
        self.statusBar().showMessage(text.splitlines()[0], 10000)
        if summary.rejections or summary.notes:
            box = QMessageBox(self)
            box.setIcon(
                QMessageBox.Icon.Warning if summary.rejections else QMessageBox.Icon.Information
            )
            box.setWindowTitle(
                "Import finished with rejections" if summary.rejections else "Import finished"
            )
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setText(text.splitlines()[0])
            details = [f"rejected: {r}" for r in summary.rejections]
            details += [f"note: {n}" for n in summary.notes]
            box.setDetailedText("\n".join(details))
            box.open()

    def show_export_dialog(self) -> ExportDialog | None:
        if self.project is None:
            return None
        dialog = ExportDialog(self.project, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls() and all(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        projects = [p for p in paths if p.suffix == PROJECT_SUFFIX]
        if projects and len(paths) == 1:
            self.open_project(projects[0])
            return
        self.import_paths(paths)

    # -------------------------------------------------------------------------- articles
    def _show_empty(self) -> None:
        self.article_id = None
        self._article_text = ""
        self.reader.header.set_article(
            "No article yet", "Import articles with File ▸ Import, or drop files here."
        )
        self.reader.view.clear()
        self.span_model.set_article(None, [], [])

    def open_article(self, article_id: int, *, position: int | None = None) -> None:
        assert self.session is not None
        if self.article_id is not None and self.article_id != article_id:
            self._remember_place()
        project = self.session.project
        try:
            article = project.article(article_id)
        except ProjectError as exc:
            self.statusBar().showMessage(str(exc), 5000)
            return
        self.article_id = article_id
        self._article_text = article.text
        self._linking_from = None
        spans = project.spans(article_id)
        relations = project.relations(article_id)
        meta = " · ".join(
            part
            for part in (article.source, article.author, article.published, article.url)
            if part
        )
        self.reader.view.set_article(
            article.text, spans, self.session.labels(), own_annotator=self.session.annotator
        )
        if _first_line(article.text) == article.title.strip() and article.title.strip():
            # The headline is part of the text (so it can be tagged): show it there, once.
            self.reader.header.set_article("", meta)
            self.reader.view.emphasize_headline()
        else:
            self.reader.header.set_article(article.title or "(untitled)", meta)
        self.span_model.set_article(article_id, spans, relations)
        self._apply_layers()
        if position:
            self.reader.view.scroll_to_offset(position)
        row = self.article_model.row_of(article_id)
        if row is not None:
            self._syncing = True
            try:
                self.article_view.selectRow(row)
            finally:
                self._syncing = False
            self.article_view.scrollTo(self.article_model.index(row, 0))
        self.settings.places[str(project.path)] = ReadingPlace(article_id, position or 0)
        self._update_actions()
        self.article_opened.emit(article_id)

    def _on_article_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing:
            return
        article_id = self.article_model.article_id(current.row())
        if article_id is not None and article_id != self.article_id:
            self.open_article(article_id)

    def _step_article(self, step: int) -> None:
        if self.article_id is None:
            return
        row = self.article_model.row_of(self.article_id)
        target = (row if row is not None else -1) + step
        if target >= self.article_model.rowCount() and self.article_model.canFetchMore(
            QModelIndex()
        ):
            self.article_model.fetchMore(QModelIndex())
        article_id = self.article_model.article_id(target)
        if article_id is not None:
            self.open_article(article_id)

    def _set_status(self, status: str) -> None:
        if self.session is None or self.article_id is None or self.session.read_only:
            return
        try:
            before = self.session.set_article_status(self.article_id, status)
        except ProjectError:
            return  # the session said why
        if before != status:
            self.undo_stack.push(SetStatusCommand(self.session, self.article_id, before, status))

    @Slot()
    def _apply_article_filter(self) -> None:
        label_id = self.article_label_filter.currentData()
        self.article_model.set_filter(self.search_box.text(), label_id)
        if self.article_id is not None:
            row = self.article_model.row_of(self.article_id)
            if row is not None:
                self.article_view.selectRow(row)
        self._update_article_count()

    def _update_article_count(self) -> None:
        total = self.article_model.total
        self.article_count_label.setText(f"{total} article{'s' if total != 1 else ''}")

    def _focus_search(self) -> None:
        self.articles_dock.show()
        self.search_box.setFocus()
        self.search_box.selectAll()

    def _remember_place(self) -> None:
        if self.project is None or self.article_id is None:
            return
        self.settings.places[str(self.project.path)] = ReadingPlace(
            self.article_id, self.reader.view.first_visible_offset()
        )

    # ---------------------------------------------------------------------------- labels
    def _rebuild_labels(self) -> None:
        assert self.session is not None
        for action in self._label_actions:
            self.removeAction(action)
            action.deleteLater()
        self._label_actions = []
        self.tag_menu.clear()
        for label in self.session.labels():
            # "&" would turn the next letter into a mnemonic: a label name is shown as typed.
            text = label.name.replace("&", "&&") + (f" ({label.hotkey})" if label.hotkey else "")
            action = QAction(color_icon(label.color), text, self)
            action.setObjectName(f"tag_{label.id}")
            if label.hotkey:
                action.setShortcut(QKeySequence(label.hotkey))
            tip = f"Tag the selection as {label.name}, or relabel the selected span"
            action.setToolTip(
                plain_tooltip(tip + (f"\n{label.description}" if label.description else ""))
            )
            action.setStatusTip(tip)
            action.triggered.connect(lambda _=False, lid=label.id: self.tag_selection(lid))
            self.addAction(action)
            self.label_bar.insertAction(self._label_bar_end, action)
            self.tag_menu.addAction(action)
            self._label_actions.append(action)
        for combo, everything in (
            (self.article_label_filter, "All articles"),
            (self.span_label_filter, "All labels"),
        ):
            previous = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everything, None)
            for label in self.session.labels():
                prefix = "With " if combo is self.article_label_filter else ""
                combo.addItem(color_icon(label.color), f"{prefix}{label.name}", label.id)
            index = combo.findData(previous) if previous is not None else 0
            combo.setCurrentIndex(max(0, index))
            combo.blockSignals(False)
        self._update_article_count()
        # The label column fits the longest label name (its swatch included).
        metrics = self.span_view.fontMetrics()
        widest = max(
            (metrics.horizontalAdvance(lb.name) for lb in self.session.labels()), default=40
        )
        self.span_view.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Interactive
        )
        self.span_view.setColumnWidth(0, widest + 44)

    def _manage_labels(self) -> None:
        assert self.session is not None
        if self._label_dialog is None:
            dialog = LabelManagerDialog(
                lambda: self.session.labels() if self.session else [],
                lambda lid: self.session.project.label_usage(lid) if self.session else 0,
                self,
            )
            dialog.add_requested.connect(self._add_label)
            dialog.update_requested.connect(self._update_label)
            dialog.delete_requested.connect(self._delete_label)
            dialog.reorder_requested.connect(self._reorder_labels)
            dialog.finished.connect(lambda _r: setattr(self, "_label_dialog", None))
            self._label_dialog = dialog
        self._label_dialog.refresh()
        self._label_dialog.show()
        self._label_dialog.raise_()

    def _guard(self, what: str) -> bool:
        """True when the project can be edited; otherwise says why."""
        if self.session is None:
            return False
        if self.session.read_only:
            self.statusBar().showMessage(f"{what}: this project is open read-only.", 5000)
            return False
        return True

    def _add_label(self, spec: LabelSpec) -> None:
        if not self._guard("Add label"):
            return
        assert self.session is not None
        try:
            label = self.session.add_label(spec)
        except StoreWriteFailed:
            return  # the session said why
        except ProjectError as exc:
            show_message(self, QMessageBox.Icon.Warning, "Add label", exc.message)
            return
        self.undo_stack.push(AddLabelCommand(self.session, label))

    def _update_label(self, label_id: int, changes: dict[str, object]) -> None:
        if not self._guard("Change label"):
            return
        assert self.session is not None
        try:
            before, after = self.session.update_label(label_id, **changes)
        except StoreWriteFailed:
            return  # the session said why
        except ProjectError as exc:
            show_message(self, QMessageBox.Icon.Warning, "Change label", exc.message)
            return
        what = ", ".join(changes)
        self.undo_stack.push(
            UpdateLabelCommand(self.session, before, after, f"Change {what} of label {before.name}")
        )

    def _delete_label(self, label_id: int) -> None:
        if not self._guard("Delete label"):
            return
        assert self.session is not None
        try:
            snapshot = self.session.delete_label(label_id)
        except ProjectError:
            return  # the session said why
        self.undo_stack.push(DeleteLabelCommand(self.session, snapshot))

    def _reorder_labels(self, order: list[int]) -> None:
        if not self._guard("Reorder labels"):
            return
        assert self.session is not None
        try:
            before = self.session.reorder_labels(order)
        except ProjectError:
            return  # the session said why
        if before != order:
            self.undo_stack.push(ReorderLabelsCommand(self.session, before, order))

    def _on_session_labels_changed(self) -> None:
        assert self.session is not None
        self._rebuild_labels()
        if self._label_dialog is not None:
            self._label_dialog.refresh()
        if self.article_id is not None:
            position = self.reader.view.first_visible_offset()
            current = self.reader.view.current_span_id
            self.open_article(self.article_id, position=position)
            if current is not None and any(s.id == current for s in self.span_model.spans()):
                self.reader.view.set_current_span(current, scroll=False)

    # ----------------------------------------------------------------------------- spans
    def tag_selection(self, label_id: int) -> Span | None:
        """Tag the selected text with a label, or relabel the selected span."""
        if not self._guard("Tag") or self.article_id is None:
            return None
        assert self.session is not None
        selected = self.reader.view.selected_range()
        if selected is None:
            current = self._current_span()
            if current is None:
                self.statusBar().showMessage(
                    "Select some text first, then press a label's key.", 4000
                )
                return None
            if current.label_id != label_id:
                self._apply_span_change(
                    current,
                    {"label_id": label_id},
                    f"Relabel as {self.session.label(label_id).name}",
                )
            return None
        start, end = selected
        try:
            span = self.session.add_span(self.article_id, start, end, label_id)
        except ProjectError as exc:
            self.statusBar().showMessage(exc.message, 5000)
            return None
        self.undo_stack.push(AddSpanCommand(self.session, span))
        # Drop the text selection so the new highlight shows; the span becomes the current one.
        cursor = self.reader.view.textCursor()
        cursor.clearSelection()
        self.reader.view.setTextCursor(cursor)
        self.reader.view.set_current_span(span.id, scroll=False)
        return span

    def _current_span(self) -> Span | None:
        span_id = self.reader.view.current_span_id
        if span_id is None or self.session is None:
            return None
        try:
            return self.session.project.span(span_id)
        except ProjectError:
            return None

    def _apply_span_change(
        self, span: Span, changes: dict[str, object], text: str, *, merge: bool = False
    ) -> Span | None:
        assert self.session is not None
        try:
            after = self.session.update_span(span.id, **changes)
        except ProjectError as exc:
            self.statusBar().showMessage(exc.message, 5000)
            return None
        self.undo_stack.push(UpdateSpanCommand(self.session, span, after, text, merge=merge))
        return after

    def _edit_span(self) -> None:
        span = self._current_span()
        if span is None or not self._guard("Edit span"):
            return
        assert self.session is not None
        spans = {s.id: s for s in self.session.project.spans(span.article_id)}
        relations = []
        for rel in self.session.project.relations(span.article_id):
            if span.id not in (rel.head_id, rel.child_id):
                continue
            other = spans.get(rel.child_id if rel.head_id == span.id else rel.head_id)
            arrow = "→" if rel.head_id == span.id else "←"
            other_text = other.text if other else "?"
            relations.append((rel, f"{rel.type} {arrow} {other_text}"))
        dialog = SpanEditorDialog(span, self._article_text, self.session.labels(), relations, self)
        if dialog.exec() != SpanEditorDialog.DialogCode.Accepted:
            return
        changes = dialog.changes()
        if not changes and not dialog.removed_relations:
            return
        self._apply_span_edits(span, changes, dialog.removed_relations)

    def _apply_span_edits(
        self, span: Span, changes: dict[str, object], unlinked: list[Relation]
    ) -> None:
        """One undo step, one transaction; pushed only once the transaction committed."""
        assert self.session is not None
        try:
            with self.session.transaction():
                removed = [self.session.delete_relation(rel.id) for rel in unlinked]
                after = self.session.update_span(span.id, **changes) if changes else None
        except ProjectError as exc:
            self.statusBar().showMessage(exc.message, 5000)
            return
        self.undo_stack.beginMacro("Edit span")
        try:
            for relation in removed:
                self.undo_stack.push(DeleteRelationCommand(self.session, relation))
            if after is not None:
                self.undo_stack.push(UpdateSpanCommand(self.session, span, after, "Edit span"))
        finally:
            self.undo_stack.endMacro()

    def _undo(self) -> None:
        if self.session is not None:
            undo_step(self.undo_stack, self.session)

    def _redo(self) -> None:
        if self.session is not None:
            redo_step(self.undo_stack, self.session)

    def _delete_span(self) -> None:
        span = self._current_span()
        if span is None or not self._guard("Delete span"):
            return
        assert self.session is not None
        try:
            snapshot = self.session.delete_span(span.id)
        except ProjectError:
            return  # the session said why
        self.undo_stack.push(DeleteSpanCommand(self.session, snapshot))

    def _span_to_selection(self) -> None:
        span = self._current_span()
        selected = self.reader.view.selected_range()
        if span is None or selected is None or not self._guard("Set span to selection"):
            self.statusBar().showMessage("Select a span, then the text it should cover.", 4000)
            return
        start, end = selected
        if (start, end) != (span.start, span.end):
            self._apply_span_change(span, {"start": start, "end": end}, "Adjust span boundaries")

    def _nudge(self, edge: str, direction: int) -> None:
        """Move one edge of the selected span by a word."""
        span = self._current_span()
        if span is None or not self._guard("Adjust span"):
            return
        text = self._article_text
        start, end = span.start, span.end
        if edge == "start":
            start = _word_step(text, start, direction)
        else:
            end = _word_step(text, end, direction)
        start, end = trim_whitespace(text, start, end)
        if start >= end or (start, end) == (span.start, span.end):
            return
        self._apply_span_change(
            span, {"start": start, "end": end}, "Adjust span boundaries", merge=True
        )

    def _start_linking(self) -> None:
        span = self._current_span()
        if span is None or not self._guard("Link"):
            self.statusBar().showMessage("Select the span to link (e.g. a Quote) first.", 4000)
            return
        self._linking_from = span.id
        self.statusBar().showMessage(
            "Click the span it is attributed to (e.g. the Source); Esc cancels.", 0
        )

    def _finish_linking(self, target_id: int) -> None:
        assert self.session is not None and self._linking_from is not None
        head = self._linking_from
        self._linking_from = None
        if head == target_id:
            self.statusBar().showMessage("A span cannot be linked to itself.", 4000)
            return
        if self.session.project.has_relation(head, target_id, DEFAULT_RELATION_TYPE):
            self.statusBar().showMessage("These spans are already linked.", 4000)
            return
        try:
            relation = self.session.add_relation(head, target_id, DEFAULT_RELATION_TYPE)
        except ProjectError as exc:
            self.statusBar().showMessage(exc.message, 5000)
            return
        self.undo_stack.push(AddRelationCommand(self.session, relation))
        self.statusBar().showMessage("Linked.", 3000)

    def _clear_span(self) -> None:
        if self._linking_from is not None:
            self._linking_from = None
            self.statusBar().showMessage("Linking cancelled.", 3000)
            return
        self.reader.view.set_current_span(None)

    def _step_span(self, step: int) -> None:
        spans = self.span_model.spans()
        if not spans:
            return
        current = self.reader.view.current_span_id
        ids = [s.id for s in spans]
        if current in ids:
            index = ids.index(current) + step
        else:
            anchor = self.reader.view.first_visible_offset()
            index = next((i for i, s in enumerate(spans) if s.start >= anchor), 0)
            if step < 0:
                index -= 1
        index = max(0, min(len(spans) - 1, index))
        self.reader.view.set_current_span(spans[index].id)

    def _on_reader_span_clicked(self, span_id: int) -> None:
        if self._linking_from is not None:
            self._finish_linking(span_id)

    def _on_reader_current_span_changed(self, span_id: object) -> None:
        if isinstance(span_id, int):
            row = self.span_model.row_of(span_id)
            if row is not None:
                self._syncing = True
                try:
                    self.span_view.selectRow(row)
                finally:
                    self._syncing = False
                self.span_view.scrollTo(self.span_model.index(row, 1))
        else:
            self.span_view.clearSelection()
        self._update_actions()

    def _on_span_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing:
            return
        span = self.span_model.span_at(current.row())
        if span is not None and span.id != self.reader.view.current_span_id:
            self.reader.view.set_current_span(span.id)

    def _on_span_label_filter_changed(self) -> None:
        self.span_model.set_label_filter(self.span_label_filter.currentData())

    def _on_reader_context_menu(self, pos: object) -> None:
        menu = QMenu(self)
        menu.addMenu(self.tag_menu)
        a = self.actions
        menu.addActions([a["edit_span"], a["delete_span"], a["span_to_selection"], a["link_span"]])
        menu.addSeparator()
        copy = menu.addAction("Copy")
        copy.triggered.connect(self.reader.view.copy)
        menu.exec(self.reader.view.mapToGlobal(pos))  # type: ignore[arg-type]

    # ------------------------------------------------------------------- session signals
    def _on_session_span_added(self, span: Span) -> None:
        if span.article_id == self.article_id:
            self.reader.view.add_span(span)

    def _on_session_span_removed(self, span_id: int, article_id: int) -> None:
        if article_id == self.article_id:
            self.reader.view.remove_span(span_id)

    def _on_session_span_changed(self, _before: Span, after: Span) -> None:
        if after.article_id == self.article_id:
            self.reader.view.update_span(after)

    def _on_session_article_changed(self, article_id: int) -> None:
        self._update_actions()

    def _show_saved(self) -> None:
        self.saved_label.setText("All changes saved")

    # ----------------------------------------------------------------------- view state
    def _visible_annotators(self) -> set[str] | None:
        if self.actions["show_all_layers"].isChecked():
            return None
        assert self.session is not None
        return {self.session.annotator} | self._shown_layers

    def _fill_layers_menu(self) -> None:
        self.layers_menu.clear()
        if self.session is None:
            return
        names = self.session.project.annotators()
        own = self.session.annotator
        if own not in names:
            names.append(own)
        for name in sorted(names):
            shown = name.replace("&", "&&") + (" (you)" if name == own else "")
            action = self.layers_menu.addAction(shown)
            action.setCheckable(True)
            visible = self._visible_annotators()
            action.setChecked(visible is None or name in visible)
            action.setEnabled(name != own and not self.actions["show_all_layers"].isChecked())
            action.toggled.connect(lambda on, n=name: self.set_layer_visible(n, on))

    def set_layer_visible(self, name: str, on: bool) -> None:
        """Show or hide another annotator's layer (a colleague's, a gold layer) in the reader."""
        layers = set(self._shown_layers)
        if on:
            layers.add(name)
        else:
            layers.discard(name)
        self._shown_layers = layers
        self._apply_layers()

    def _apply_layers(self) -> None:
        visible = self._visible_annotators()
        self.reader.view.set_visible_annotators(visible)
        self.span_model.set_visible_annotators(visible)
        # Whose span it is matters only when more than one layer is shown.
        self.span_view.setColumnHidden(4, visible is not None and len(visible) == 1)

    def _zoom_in(self) -> None:
        self.reader.view.zoom_in()
        self.settings.zoom = self.reader.view.zoom_steps

    def _zoom_out(self) -> None:
        self.reader.view.zoom_out()
        self.settings.zoom = self.reader.view.zoom_steps

    def _set_zoom(self, steps: int) -> None:
        self.reader.view.set_zoom(steps)
        self.settings.zoom = self.reader.view.zoom_steps

    def _on_snap_toggled(self, on: bool) -> None:
        self.settings.snap_to_words = on
        self.reader.view.snap_to_words = on
        self.settings.save()

    def _set_annotator(self) -> None:
        name = ask_annotator_name(self, self.settings.annotator)
        if not name or self.session is None:
            return
        self.settings.annotator = name
        self.settings.save()
        self.session.annotator = name
        if self.article_id is not None:
            self.open_article(self.article_id, position=self.reader.view.first_visible_offset())

    def _update_actions(self) -> None:
        editable = self.session is not None and not self.session.read_only
        has_article = self.article_id is not None
        has_span = self.reader.view.current_span_id is not None
        a = self.actions
        for name in (
            "edit_span",
            "delete_span",
            "link_span",
            "extend_start",
            "shrink_start",
            "shrink_end",
            "extend_end",
            "span_to_selection",
        ):
            a[name].setEnabled(editable and has_span)
        for name in ("status_new", "status_in_progress", "status_done"):
            a[name].setEnabled(editable and has_article)
        for name in ("import_files", "import_folder", "manage_labels"):
            a[name].setEnabled(editable)
        for action in self._label_actions:
            action.setEnabled(editable and has_article)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        for check in list(self._span_checks):
            check.wait()
        self._remember_place()
        self.settings.zoom = self.reader.view.zoom_steps
        self.settings.save()
        QSettings().setValue("main_window/geometry", self.saveGeometry())
        QSettings().setValue("main_window/state", self.saveState())
        if self.project is not None:
            self.project.close()
            self.project = None
        super().closeEvent(event)


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.split("\n", 50) if line.strip()), "")


def _word_step(text: str, offset: int, direction: int) -> int:
    """The next word boundary from ``offset`` in ``direction`` (-1 left, +1 right)."""
    if direction < 0:
        starts = [m.start() for m in _WORD.finditer(text, max(0, offset - 200), offset)]
        return starts[-1] if starts and starts[-1] < offset else max(0, offset - 1)
    match = _WORD.search(
        text, offset + 1 if offset < len(text) and text[offset].isspace() else offset
    )
    if match is None:
        return len(text)
    end = match.end()
    return end if end > offset else min(len(text), offset + 1)
