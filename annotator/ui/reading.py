"""Reading comfort and help, wired into the main window: theme, reading font and spacing, how
layers and relations are drawn, Preferences (Ctrl+,), the Help menu (F1 cheat sheet, user guide,
About) and moving the keyboard focus between panels (F6)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QDockWidget, QMainWindow, QMenu, QWidget

from annotator.core.model import SUGGESTION_ANNOTATOR
from annotator.settings import Settings
from annotator.store import Project
from annotator.store.annotator_names import annotators_in_file
from annotator.ui.actions import ACTIONS, apply_shortcuts, connect_handlers
from annotator.ui.controllers import ArticleController, SpanController
from annotator.ui.help import ShortcutsWindow, UserGuideWindow, shortcut_rows, show_about
from annotator.ui.layer_styles import assign_layer_styles
from annotator.ui.layers_panel import LayersPanel
from annotator.ui.preferences import PreferencesDialog
from annotator.ui.reader import ReaderPane, RelationMode
from annotator.ui.review.actions import REVIEW_ACTIONS
from annotator.ui.session import ProjectSession
from annotator.ui.theme import ThemeKeeper, apply_theme


class ReadingWindow(Protocol):
    """What reading preferences and help use of the main window (no more)."""

    settings: Settings
    named_actions: dict[str, QAction]
    reader: ReaderPane
    articles: ArticleController
    spans: SpanController
    layers_menu: QMenu

    @property
    def project(self) -> Project | None: ...

    @property
    def session(self) -> ProjectSession | None: ...

    @property
    def article_id(self) -> int | None: ...

    def open_article(self, article_id: int, *, position: int | None = None) -> None: ...

    def set_layer_visible(self, name: str, on: bool) -> None: ...


class LayerScan(QThread):
    """Reads the annotators of a project file on a connection of its own."""

    found = Signal(object)  # list of names

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path

    def run(self) -> None:
        self.found.emit(annotators_in_file(self.path))


def system_font_scale() -> float:
    """How much larger than the usual 10 points the system's interface font is: the reading
    text grows with it (a smaller system font leaves the reading size alone)."""
    size = QGuiApplication.font().pointSizeF()
    return max(1.0, min(3.0, size / 10.0)) if size > 0 else 1.0


class ReadingController(QObject):
    """Applies the analyst's reading preferences and owns Preferences and Help."""

    def __init__(self, window: QMainWindow, host: ReadingWindow) -> None:
        """``window`` parents the menus and windows; ``host`` is the same window seen through
        :class:`ReadingWindow`. The window connects its article_opened and project_opened
        signals to :meth:`_on_window_article_opened` and :meth:`_on_window_project_opened`."""
        super().__init__(window)
        self.window = window
        self.host = host
        self.settings = host.settings
        self.shortcuts_window: ShortcutsWindow | None = None
        self.guide_window: UserGuideWindow | None = None
        self.preferences_dialog: PreferencesDialog | None = None
        self._layer_names: set[str] | None = None  # every annotator of the open project
        self._scans: list[LayerScan] = []
        window.installEventFilter(self)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        keeper = app.findChild(ThemeKeeper)
        self.theme = keeper if keeper is not None else ThemeKeeper(app, self.settings.theme)
        a = host.named_actions
        self.help_menu = QMenu("&Help", window)
        self.help_menu.addActions([a["keyboard_shortcuts"], a["user_guide"]])
        self.help_menu.addSeparator()
        self.help_menu.addAction(a["about"])
        window.menuBar().addMenu(self.help_menu)
        a["show_all_relations"].setChecked(self.settings.relation_mode == RelationMode.ALL)
        connect_handlers(
            a,
            {
                "preferences": self.show_preferences,
                "keyboard_shortcuts": self.show_shortcuts,
                "user_guide": self.show_user_guide,
                "about": lambda: show_about(window),
                "show_all_relations": self._on_show_all_relations_toggled,
                "next_pane": lambda: self.move_focus(1),
                "previous_pane": lambda: self.move_focus(-1),
            },
        )
        self._build_layers_dock()
        self.apply_reading_preferences()
        self._connect_session()
        self._refresh_layers_and_relations(rescan=True)

    # ---- preferences ---------------------------------------------------------------------

    def apply_reading_preferences(self) -> None:
        """Font, spacing, relations, backups and shortcuts from the settings, at once."""
        s = self.settings
        view = self.host.reader.view
        view.set_reading_font(s.font_family, s.font_size * system_font_scale())
        view.set_line_spacing(s.line_spacing)
        view.relation_mode = s.relation_mode
        self.host.reader.header.set_point_size(view.font().pointSizeF())
        apply_shortcuts(self.host.named_actions, s.shortcuts)
        self._apply_backup_settings()

    def _apply_backup_settings(self) -> None:
        project = self.host.project
        backups = project.backups if project is not None else None
        if backups is not None:
            backups.interval = self.settings.backup_interval_minutes * 60.0
            backups.policy = dataclasses.replace(
                backups.policy, keep_last=self.settings.backup_keep
            )

    def reserved_keys(self) -> dict[str, str]:
        """Keys owned outside the registry: label hotkeys and the review actions."""
        reserved: dict[str, str] = {}
        session = self.host.session
        if session is not None:
            for label in session.labels():
                if label.hotkey:
                    reserved[f"Tag as {label.name}"] = label.hotkey
        review = getattr(self.window, "review", None)
        for name, action in getattr(review, "named_actions", {}).items():
            for key in action.shortcuts():
                reserved[action.text().replace("&", "").rstrip("…") or name] = key.toString()
        return reserved

    def show_preferences(self) -> PreferencesDialog:
        dialog = PreferencesDialog(
            self.settings, specs=ACTIONS, reserved=self.reserved_keys(), parent=self.window
        )
        dialog.theme_previewed.connect(self._on_preferences_theme_previewed)
        dialog.finished.connect(lambda result: self._on_preferences_finished(dialog, result))
        self.preferences_dialog = dialog
        dialog.open()
        return dialog

    @Slot(str)
    def _on_preferences_theme_previewed(self, theme: str) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)

    def _on_preferences_finished(self, dialog: PreferencesDialog, result: int) -> None:
        self.preferences_dialog = None
        dialog.deleteLater()
        if result != QDialog.DialogCode.Accepted:
            return
        old_name = self.settings.annotator
        dialog.values.apply_to(self.settings)
        self.settings.save()
        self.theme.apply(self.settings.theme)
        self.host.named_actions["show_all_relations"].setChecked(
            self.settings.relation_mode == RelationMode.ALL
        )
        self.apply_reading_preferences()
        session = self.host.session
        if session is not None and self.settings.annotator and self.settings.annotator != old_name:
            session.annotator = self.settings.annotator
            if self.host.article_id is not None:
                self.host.open_article(
                    self.host.article_id,
                    position=self.host.reader.view.first_visible_offset(),
                )

    @Slot(bool)
    def _on_show_all_relations_toggled(self, on: bool) -> None:
        mode = RelationMode.ALL if on else RelationMode.SELECTED
        self.host.reader.view.relation_mode = mode
        if self.settings.relation_mode != mode:
            self.settings.relation_mode = mode
            self.settings.save()

    # ---- help ----------------------------------------------------------------------------

    def show_shortcuts(self) -> ShortcutsWindow:
        session = self.host.session
        labels = session.labels() if session is not None else []
        review = getattr(self.window, "review", None)
        review_actions = getattr(review, "named_actions", {})
        actions = {**self.host.named_actions, **review_actions}
        rows = shortcut_rows(
            actions,
            labels=[lb for lb in labels if lb.hotkey],
            extra=[("Review", spec) for spec in REVIEW_ACTIONS],
        )
        if self.shortcuts_window is None:
            self.shortcuts_window = ShortcutsWindow(rows, self.window)
        else:
            self.shortcuts_window.set_rows(rows)
        self.shortcuts_window.show()
        self.shortcuts_window.raise_()
        self.shortcuts_window.activateWindow()
        return self.shortcuts_window

    def show_user_guide(self) -> UserGuideWindow:
        if self.guide_window is None:
            self.guide_window = UserGuideWindow(self.window)
        self.guide_window.show()
        self.guide_window.raise_()
        return self.guide_window

    # ---- layers and relations in the reader ------------------------------------------------

    def _build_layers_dock(self) -> None:
        window = self.window
        self.layers_panel = LayersPanel()
        self.layers_dock = QDockWidget("Layers", window)
        self.layers_dock.setObjectName("layers_dock")
        self.layers_dock.setWidget(self.layers_panel)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.layers_dock)
        spans_dock = getattr(window, "spans_dock", None)
        if isinstance(spans_dock, QDockWidget):
            window.splitDockWidget(spans_dock, self.layers_dock, Qt.Orientation.Vertical)
            window.resizeDocks([spans_dock, self.layers_dock], [520, 200], Qt.Orientation.Vertical)
        view_menu = self.host.layers_menu.parentWidget()
        if isinstance(view_menu, QMenu):
            view_menu.addAction(self.layers_dock.toggleViewAction())
        self.layers_panel.model.visibility_changed.connect(self._on_layers_visibility_changed)

    @Slot(str, bool)
    def _on_layers_visibility_changed(self, name: str, shown: bool) -> None:
        self.host.set_layer_visible(name, shown)
        self._refresh_layers_panel()

    def _refresh_layers_panel(self) -> None:
        session = self.host.session
        if session is None or self._layer_names is None:
            return
        view = self.host.reader.view
        names = self._layer_names | {session.annotator}
        visible = view.visible_annotators
        shown = names if visible is None else set(visible)
        counts: dict[str, int] = {}
        for span in view.spans.values():
            counts[span.annotator] = counts.get(span.annotator, 0) + 1
        model = self.layers_panel.model
        model.set_layers(
            names,
            session.annotator,
            {name: view.layer_style(name) for name in names},
            shown,
            counts,
        )

    def _connect_session(self) -> None:
        session = self.host.session
        if session is None:
            return
        session.relation_added.connect(self._on_session_relations_changed)
        session.relation_removed.connect(self._on_session_relations_changed)

    @Slot(object)
    def _on_window_project_opened(self, _path: object) -> None:
        self._connect_session()
        self._apply_backup_settings()
        self._refresh_layers_and_relations(rescan=True)

    @Slot(int)
    def _on_window_article_opened(self, _article_id: int) -> None:
        # The article controller gave the reader the article's relations with its spans.
        self._refresh_layers_and_relations(relations=False)

    @Slot(object)
    def _on_session_relations_changed(self, _relation: object) -> None:
        self._refresh_relations()

    def _refresh_layers_and_relations(
        self, *, rescan: bool = False, relations: bool = True
    ) -> None:
        session = self.host.session
        if session is None:
            return
        view = self.host.reader.view
        if rescan or self._layer_names is None:
            # The whole project is looked over on a thread of its own (a large one holds
            # hundreds of thousands of spans); meanwhile the article's layers are known.
            self._layer_names = set()
            self._scan_layers(session.project.path)
        here = {span.annotator for span in view.spans.values()}
        self._add_layers(here)
        if relations:
            self._refresh_relations()

    def _add_layers(self, names: set[str]) -> None:
        """Layers met for the first time are styled and shown (a colleague's, gold)."""
        session = self.host.session
        if session is None or self._layer_names is None:
            return
        # Suggestions waiting for review are their own overlay (ui/suggestions.py), no layer.
        names = names - {SUGGESTION_ANNOTATOR}
        new = names - self._layer_names
        self._layer_names |= names
        view = self.host.reader.view
        view.set_layer_styles(assign_layer_styles(self._layer_names, session.annotator))
        for name in sorted(new - {session.annotator}):
            self.host.set_layer_visible(name, True)
        self._refresh_layers_panel()

    def _scan_layers(self, path: Path) -> None:
        scan = LayerScan(path, self)
        scan.found.connect(lambda names, p=path: self._on_layer_scan_found(p, names))
        scan.finished.connect(lambda s=scan: self._scans.remove(s))
        scan.finished.connect(scan.deleteLater)
        self._scans.append(scan)
        scan.start()

    def _on_layer_scan_found(self, path: Path, names: list[str]) -> None:
        project = self.host.project
        if project is not None and project.path == path:
            self._add_layers(set(names))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if obj is self.window and event.type() == QEvent.Type.Close:
            for scan in list(self._scans):
                scan.wait()
        return False

    def _refresh_relations(self) -> None:
        session = self.host.session
        article_id = self.host.article_id
        if session is None or article_id is None:
            self.host.reader.view.set_relations([])
            return
        relations = session.project.relations(article_id)
        self.host.reader.view.set_relations(
            [r for r in relations if r.annotator != SUGGESTION_ANNOTATOR]
        )

    # ---- keyboard focus --------------------------------------------------------------------

    def panes(self) -> list[QWidget]:
        """The panels F6 moves through, in reading order, those on screen only."""
        w = self.host
        candidates: list[QWidget] = [w.articles.view, w.reader.view, w.spans.view]
        return [pane for pane in candidates if pane.isVisible() and pane.isEnabled()]

    def move_focus(self, step: int) -> None:
        panes = self.panes()
        if not panes:
            return
        focused = QApplication.focusWidget()
        current = next(
            (
                i
                for i, pane in enumerate(panes)
                if focused is not None and (focused is pane or pane.isAncestorOf(focused))
            ),
            -1,
        )
        panes[(current + step) % len(panes)].setFocus()
