"""Help: the keyboard cheat sheet (read from the action registry), the bundled user guide
(opened inside the app, offline) and About."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, QUrl
from PySide6.QtGui import QAction, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from annotator import __version__
from annotator.core.model import Label
from annotator.resources import resource_path
from annotator.ui.actions import ACTIONS, ActionSpec, category_of, shortcut_text

USER_GUIDE = "guide/user-guide.html"


@dataclass(frozen=True, slots=True)
class ShortcutRow:
    menu: str
    action: str
    keys: str
    help: str
    name: str = ""  # the action's registry name ("" for label hotkeys)


def shortcut_rows(
    actions: Mapping[str, QAction],
    specs: Sequence[ActionSpec] = ACTIONS,
    *,
    labels: Iterable[Label] = (),
    extra: Iterable[tuple[str, ActionSpec]] = (),
) -> list[ShortcutRow]:
    """One row per registered action, with the shortcuts it has now (the analyst's choice or the
    default), then the label hotkeys and ``extra`` actions (menu, spec) of other registries."""
    rows = []
    for menu, spec in [(category_of(spec.name), spec) for spec in specs] + list(extra):
        action = actions.get(spec.name)
        keys = shortcut_text(action.shortcuts()) if action is not None else ""
        if spec.context_keys:
            keys = f"{keys}; {spec.context_keys}" if keys else spec.context_keys
        rows.append(ShortcutRow(menu, spec.title, keys, spec.tip, spec.name))
    for label in labels:
        rows.append(
            ShortcutRow(
                "Labels",
                f"Tag as {label.name}",
                label.hotkey,
                "Tag the selected text, or relabel the selected span",
            )
        )
    return rows


class _AnyColumnFilter(QSortFilterProxyModel):
    def filterAcceptsRow(  # noqa: N802 (Qt override)
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        needle = self.filterRegularExpression().pattern().casefold()
        if not needle:
            return True
        model = self.sourceModel()
        return any(
            needle in str(model.index(source_row, col, source_parent).data() or "").casefold()
            for col in range(model.columnCount())
        )


class ShortcutsWindow(QDialog):
    """Every action and its shortcut, searchable: the keyboard cheat sheet (F1)."""

    HEADERS = ("Menu", "Action", "Shortcut", "What it does")

    def __init__(self, rows: Sequence[ShortcutRow], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsWindow")
        self.setWindowTitle(self.tr("Keyboard Shortcuts"))
        self.setAccessibleName(self.tr("Keyboard Shortcuts"))
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search actions and keys…"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(self.tr("Search shortcuts"))
        self.model = QStandardItemModel(0, len(self.HEADERS), self)
        self.model.setHorizontalHeaderLabels(list(self.HEADERS))
        self.set_rows(rows)
        self.proxy = _AnyColumnFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(self)
        self.table.setObjectName("shortcutsTable")
        self.table.setAccessibleName(self.tr("Actions and their shortcuts"))
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        # Registry order (File, Edit, Span, Article, View, Help) until a header is clicked.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.proxy.sort(-1)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        for col in range(3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        note = QLabel(self.tr("Change any shortcut in Edit ▸ Preferences ▸ Shortcuts."), self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.resize(820, 620)

    def set_rows(self, rows: Sequence[ShortcutRow]) -> None:
        self.model.removeRows(0, self.model.rowCount())
        for row in rows:
            items = [QStandardItem(text) for text in (row.menu, row.action, row.keys, row.help)]
            for item in items:
                item.setEditable(False)
                item.setToolTip(row.help)
                item.setData(row.name, Qt.ItemDataRole.UserRole)
            self.model.appendRow(items)

    def rows(self) -> list[tuple[str, ...]]:
        """What the table shows, row by row (after the search filter)."""
        return [
            tuple(str(self.proxy.index(r, c).data() or "") for c in range(self.proxy.columnCount()))
            for r in range(self.proxy.rowCount())
        ]

    def _on_search_text_changed(self, text: str) -> None:
        self.proxy.setFilterRegularExpression(text.strip())
        self.proxy.invalidate()


class UserGuideWindow(QDialog):
    """The bundled user guide, read inside the app: no browser, no network."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("userGuideWindow")
        self.setWindowTitle(self.tr("User Guide"))
        self.browser = QTextBrowser(self)
        self.browser.setAccessibleName(self.tr("User guide"))
        self.browser.setOpenExternalLinks(False)
        self.browser.setOpenLinks(True)
        path = resource_path(USER_GUIDE)
        self.browser.setSearchPaths([str(path.parent)])
        if path.is_file():
            self.browser.setSource(QUrl.fromLocalFile(str(path)))
        else:
            self.browser.setPlainText(f"The user guide is missing from this installation ({path}).")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(760, 680)


def about_text() -> str:
    return (
        f"<h3>News Annotator {__version__}</h3>"
        "<p>An offline desktop tool for reading news closely: tag quotes, sources, claims and "
        "speculation, link them, compare with colleagues and export for analysis.</p>"
        "<p>Free software; your projects never leave your computer.</p>"
    )


def show_about(parent: QWidget) -> QMessageBox:
    """About News Annotator, shown without blocking."""
    box = QMessageBox(parent)
    box.setObjectName("aboutBox")
    box.setWindowTitle("About News Annotator")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(about_text())
    box.setIcon(QMessageBox.Icon.Information)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
