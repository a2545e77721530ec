"""Annotator layers: whose spans the reader and the span panel show (the analyst's own, other
annotators' the analyst turned on, or all)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from annotator.ui.controllers.workspace import Workspace


class LayerController(QObject):
    """Owns View ▸ Annotator Layers and View ▸ Show All Layers."""

    def __init__(
        self,
        workspace: Workspace,
        menu: QMenu,
        show_all: QAction,
        show: Callable[[set[str] | None], None],
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.menu = menu
        self.show_all = show_all
        self._show = show  # shows only these annotators' spans (None: everyone's)
        self.shown_layers: set[str] = set()  # other annotators' layers the analyst turned on
        menu.aboutToShow.connect(self._fill_menu)
        show_all.toggled.connect(self.apply)
        workspace.session_changed.connect(self._on_workspace_session_changed)

    def visible_annotators(self) -> set[str] | None:
        if self.show_all.isChecked():
            return None
        assert self.workspace.session is not None
        return {self.workspace.session.annotator} | self.shown_layers

    def set_layer_visible(self, name: str, on: bool) -> None:
        """Show or hide another annotator's layer (a colleague's, a gold layer) in the reader."""
        layers = set(self.shown_layers)
        if on:
            layers.add(name)
        else:
            layers.discard(name)
        self.shown_layers = layers
        self.apply()

    def apply(self) -> None:
        if self.workspace.session is not None:
            self._show(self.visible_annotators())

    def _fill_menu(self) -> None:
        self.menu.clear()
        session = self.workspace.session
        if session is None:
            return
        names = session.project.annotators()
        own = session.annotator
        if own not in names:
            names.append(own)
        for name in sorted(names):
            shown = name.replace("&", "&&") + (" (you)" if name == own else "")
            action = self.menu.addAction(shown)
            action.setCheckable(True)
            visible = self.visible_annotators()
            action.setChecked(visible is None or name in visible)
            action.setEnabled(name != own and not self.show_all.isChecked())
            action.toggled.connect(lambda on, n=name: self.set_layer_visible(n, on))

    def _on_workspace_session_changed(self, _session: object) -> None:
        self.shown_layers = set()
