"""The main window composes; its controllers do (annotator/ui/controllers/).

Each concern lives in one controller or panel: the project's lifecycle (controllers/project.py),
importing and exporting (imports.py), the article list and the article on screen (articles.py),
span editing and the Spans dock (spans.py), labels (labels.py), annotator layers (layers.py),
relations (relations.py), reading settings (view.py), and the review (ui/review). They share a
:class:`~annotator.ui.controllers.workspace.Workspace` (session, article, undo stack, status)
and talk through signals; the window builds the menus, docks and toolbar, creates the
controllers and wires them together in :meth:`MainWindow._compose`. New features get their own
controller or panel and are wired there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QUndoStack
from PySide6.QtWidgets import QLabel, QMainWindow, QStyle, QToolBar, QToolButton

from annotator.core.model import Relation, Span
from annotator.formats.importer import ImportSummary
from annotator.settings import Settings
from annotator.store import PROJECT_SUFFIX, Project
from annotator.ui.actions import build_actions
from annotator.ui.article_list_model import ArticleListModel
from annotator.ui.controllers import (
    ArticleController,
    ImportController,
    LabelController,
    LayerController,
    ProjectController,
    RelationController,
    SpanController,
    ViewController,
    Workspace,
)
from annotator.ui.corpus.controller import CorpusController
from annotator.ui.export_dialog import ExportDialog
from annotator.ui.models import SpanTableModel
from annotator.ui.reader import ReaderPane
from annotator.ui.reading import ReadingController
from annotator.ui.review import ReviewController, ReviewHost
from annotator.ui.session import ProjectSession
from annotator.ui.store_errors import StoreErrorReporter
from annotator.ui.suggestions import SuggestionController


class MainWindow(QMainWindow):
    """One project at a time; every edit goes through the undo stack into the project file."""

    article_opened = Signal(int)
    project_opened = Signal(object)  # Path

    def __init__(self, project: Project, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        # First: its undo stack must outlive the actions it updates (children go in order).
        self.workspace = Workspace(settings, self)
        self.undo_stack: QUndoStack = self.workspace.undo_stack
        # The window's fixed actions by name (ui/actions.py); not QWidget.actions().
        self.named_actions = build_actions(self, shortcuts=settings.shortcuts)
        self.undo_action = self.named_actions["undo"]
        self.redo_action = self.named_actions["redo"]
        self.workspace.bind_history(self.undo_action, self.redo_action)
        self.setAcceptDrops(True)
        self.setWindowIcon(self.windowIcon())
        self.reader = ReaderPane()
        self.reader.view.setAcceptDrops(False)
        self.reader.view.viewport().setAcceptDrops(False)
        self.setCentralWidget(self.reader)
        self.label_bar = QToolBar("Labels", self)
        self.label_bar.setObjectName("label_bar")
        self.label_bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.label_bar)
        self.saved_label = QLabel()
        self.statusBar().addPermanentWidget(self.saved_label)
        self.store_errors = StoreErrorReporter(self)  # failed writes and backups, in words
        self._compose()
        self.projects.set_project(project)
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
                [self.articles_dock, self.spans_dock], [300, 420], Qt.Orientation.Horizontal
            )

    # ------------------------------------------------------------------------ composing
    def _compose(self) -> None:
        """Create the controllers, put their panels and actions in place, wire them up."""
        ws, a, reader = self.workspace, self.named_actions, self.reader
        self.projects = ProjectController(ws, self)
        self.articles = ArticleController(ws, reader, self)
        self.spans = SpanController(ws, reader, a, self)
        self.relations = RelationController(ws, reader, a, self.spans.current_span, self)
        self.imports = ImportController(ws, self, self.articles.open_article)
        self.view_settings = ViewController(ws, reader, a, self.articles.reopen, self)
        self.articles_dock, self.spans_dock = self.articles.dock, self.spans.dock
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.articles_dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.spans_dock)
        self._build_menus()
        self.labels = LabelController(ws, self, self.label_bar, self.tag_menu, self.tag_selection)
        self.layers = LayerController(
            ws, self.layers_menu, a["show_all_layers"], self._show_layers, self
        )
        self.spans.tag_menu = self.tag_menu
        self._build_label_bar()

        a["new_project"].triggered.connect(self.projects.new_project)
        a["open_project"].triggered.connect(self.projects.open_project_dialog)
        a["save_copy"].triggered.connect(self.projects.save_copy)
        a["restore_backup"].triggered.connect(self.restore_from_backup)
        a["quit"].triggered.connect(self.close)
        a["clear_span"].triggered.connect(self._clear_span)
        self.projects.bind_recent_menu(self.recent_menu)
        self.articles.bind_actions(a)
        self.imports.bind_actions(a)
        self.labels.bind_manage_action(a["manage_labels"])

        ws.session_changed.connect(self._on_workspace_session_changed)
        ws.project_closing.connect(self.articles.remember_place)
        ws.status_posted.connect(self._on_workspace_status_posted)
        self.projects.backup_failed.connect(self.store_errors.backup_failed)
        ws.project_opened.connect(self.project_opened)
        ws.article_opened.connect(self.article_opened)
        self.articles.article_shown.connect(self._on_articles_article_shown)
        self.labels.labels_rebuilt.connect(self.articles.set_labels)
        self.labels.labels_rebuilt.connect(self.spans.set_labels)
        reader.view.selection_changed.connect(ws.refresh_actions)

        # Review ▸ (compare, agreement, adjudication, merge): its own package, through a host.
        self.review = ReviewController(
            ReviewHost(
                window=self,
                workspace=ws,
                reader=reader.view,
                open_article=self.articles.open_article,
                set_layer_visible=self.layers.set_layer_visible,
                listed_article_ids=self._listed_article_ids,
            )
        )
        self.reading = ReadingController(self, self)  # theme, reading preferences, Help
        ws.article_opened.connect(self.reading._on_window_article_opened)
        ws.project_opened.connect(self.reading._on_window_project_opened)
        # Suggestions ▸ (the suggestions layer, accept and reject, runs): its own module.
        self.suggestions = SuggestionController(ws, reader.view, self, self._listed_article_ids)
        # Corpus ▸ (search in context, claims, attribution, statistics, schema): its own package.
        self.corpus = CorpusController(self)
        self.spans.attribute_check = self.corpus.attribute_refusal

    def _build_menus(self) -> None:
        a = self.named_actions
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([a["new_project"], a["open_project"]])
        self.recent_menu = file_menu.addMenu("Open &Recent")
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
        edit_menu.addAction(a["relation_types"])
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
        view_menu.addSeparator()
        view_menu.addActions(
            [self.articles_dock.toggleViewAction(), self.spans_dock.toggleViewAction()]
        )
        for action in a.values():
            self.addAction(action)  # shortcuts work even when a menu is hidden

    def _build_label_bar(self) -> None:
        """After the label actions (added by the label controller): undo, redo, Labels…"""
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
        self.label_bar.addAction(self.named_actions["manage_labels"])
        self.label_bar.addSeparator()
        link_as = QLabel(" Link as: ")
        link_as.setBuddy(self.relations.type_chooser)
        self.label_bar.addWidget(link_as)
        self.label_bar.addWidget(self.relations.type_chooser)

    # ------------------------------------------------------------------------- wiring
    def _on_workspace_session_changed(self, session: ProjectSession) -> None:
        """A project is shown: every panel takes it up, in this order."""
        session.write_failed.connect(self.store_errors.change_failed)
        self.articles.show_project(session)
        self.spans.show_project(session)
        self.labels.show_project(session)
        session.labels_changed.connect(self._on_session_labels_changed)
        session.article_changed.connect(self.workspace.refresh_actions)
        for sig in (
            session.span_added,
            session.span_removed,
            session.span_changed,
            session.labels_changed,
            session.relation_added,
            session.relation_removed,
            session.article_changed,
        ):
            sig.connect(self._show_saved)
        self.labels.rebuild()
        self._update_title()
        self.articles.open_reading_place()

    def _on_session_labels_changed(self) -> None:
        """Labels changed: show the article again with them, keeping the current span."""
        current = self.reader.view.current_span_id
        self.articles.reopen()
        self.spans.keep_current(current)

    def _on_articles_article_shown(
        self, article_id: int | None, spans: list[Span], relations: list[Relation]
    ) -> None:
        self.spans.show_article(article_id, spans, relations)
        if article_id is not None:
            self.layers.apply()

    def _show_layers(self, visible: set[str] | None) -> None:
        self.reader.view.set_visible_annotators(visible)
        self.spans.set_visible_annotators(visible)

    def _clear_span(self) -> None:
        """Esc: stop linking if a link is in progress, else drop the current span."""
        if not self.relations.cancel():
            self.spans.clear_current()

    def _listed_article_ids(self) -> Iterator[int]:
        model = self.articles.model
        if model is None:
            return
        for row in range(model.rowCount()):
            article_id = model.article_id(row)
            if article_id is not None:
                yield article_id

    def _on_workspace_status_posted(self, text: str, timeout: int) -> None:
        self.statusBar().showMessage(text, timeout)

    def _show_saved(self) -> None:
        self.saved_label.setText("All changes saved")

    def _update_title(self) -> None:
        project = self.project
        if project is None:
            return
        suffix = " [read-only]" if project.read_only else ""
        self.setWindowTitle(f"{project.path.name}{suffix} — News Annotator")
        self.setWindowFilePath(str(project.path))

    # ------------------------------------------------------------------------- state
    @property
    def project(self) -> Project | None:
        return self.workspace.project

    @property
    def session(self) -> ProjectSession | None:
        return self.workspace.session

    @property
    def article_id(self) -> int | None:
        return self.workspace.article_id

    @property
    def article_model(self) -> ArticleListModel:
        assert self.articles.model is not None
        return self.articles.model

    @property
    def span_model(self) -> SpanTableModel:
        assert self.spans.model is not None
        return self.spans.model

    # ------------------------------------------------------------------- entry points
    def open_project(self, path: Path, *, create: bool = False) -> bool:
        return self.projects.open_project(path, create=create)

    def restore_from_backup(self) -> bool:
        return self.projects.restore_from_backup()

    def open_article(self, article_id: int, *, position: int | None = None) -> None:
        self.articles.open_article(article_id, position=position)

    def tag_selection(self, label_id: int) -> Span | None:
        return self.spans.tag_selection(label_id)

    def set_layer_visible(self, name: str, on: bool) -> None:
        self.layers.set_layer_visible(name, on)

    def import_paths(self, paths: list[Path]) -> ImportSummary | None:
        return self.imports.import_paths(paths)

    def show_export_dialog(self) -> ExportDialog | None:
        return self.imports.show_export_dialog()

    # ------------------------------------------------------------------------- events
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

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.articles.remember_place()
        self.settings.zoom = self.reader.view.zoom_steps
        self.settings.save()
        QSettings().setValue("main_window/geometry", self.saveGeometry())
        QSettings().setValue("main_window/state", self.saveState())
        self.projects.shutdown()
        super().closeEvent(event)
