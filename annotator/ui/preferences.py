"""Preferences (Ctrl+,): reading font and spacing, theme, annotator name, folders, backups and
keyboard shortcuts, the shortcuts read from and checked against the action registry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFontComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from annotator.settings import (
    BACKUP_INTERVAL_RANGE,
    BACKUP_KEEP_RANGE,
    FONT_SIZE_RANGE,
    LINE_SPACING_RANGE,
    Settings,
)
from annotator.ui.actions import (
    ACTIONS,
    ActionSpec,
    category_of,
    default_keys,
    keys_for,
    shortcut_conflicts,
    shortcut_text,
)
from annotator.ui.theme import THEME_NAMES, THEMES

RELATION_MODE_NAMES = {
    "all": "Every relation on screen",
    "selected": "Only the selected span's",
    "none": "None",
}


@dataclass
class PreferenceValues:
    """What the dialog edits: a copy, applied to the settings on OK only."""

    font_family: str
    font_size: float
    line_spacing: float
    theme: str
    relation_mode: str
    annotator: str
    default_project_folder: str
    backup_interval_minutes: int
    backup_keep: int
    shortcuts: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, settings: Settings) -> PreferenceValues:
        return cls(
            settings.font_family,
            settings.font_size,
            settings.line_spacing,
            settings.theme,
            settings.relation_mode,
            settings.annotator,
            settings.default_project_folder,
            settings.backup_interval_minutes,
            settings.backup_keep,
            dict(settings.shortcuts),
        )

    def apply_to(self, settings: Settings) -> None:
        settings.font_family = self.font_family
        settings.font_size = self.font_size
        settings.line_spacing = self.line_spacing
        settings.theme = self.theme
        settings.relation_mode = self.relation_mode
        if self.annotator.strip():
            settings.annotator = self.annotator.strip()
        settings.default_project_folder = self.default_project_folder
        settings.backup_interval_minutes = self.backup_interval_minutes
        settings.backup_keep = self.backup_keep
        settings.shortcuts = dict(self.shortcuts)


class PreferencesDialog(QDialog):
    """Edits a copy of the settings; OK hands it back through :attr:`values`.

    ``reserved`` names keys other parts of the app own (label hotkeys, review actions), as
    owner -> key: a shortcut clashing with one of them, or with another action, is refused with
    a message in the dialog. The theme is previewed at once (``theme_previewed``); the caller
    restores the previous one on Cancel.
    """

    theme_previewed = Signal(str)

    def __init__(
        self,
        settings: Settings,
        *,
        specs: Sequence[ActionSpec] = ACTIONS,
        reserved: Mapping[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle(self.tr("Preferences"))
        self.values = PreferenceValues.of(settings)
        self._original_theme = settings.theme
        self._specs = list(specs)
        self._reserved = dict(reserved or {})
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._build_reading_tab(), self.tr("&Reading"))
        self.tabs.addTab(self._build_work_tab(), self.tr("&Work"))
        self.tabs.addTab(self._build_shortcuts_tab(), self.tr("&Shortcuts"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)
        self.resize(720, 560)

    # ---- tabs ----------------------------------------------------------------------------

    def _build_reading_tab(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        v = self.values
        self.default_font_box = QCheckBox(self.tr("Use the default reading face"), page)
        self.default_font_box.setChecked(not v.font_family)
        self.font_box = QFontComboBox(page)
        self.font_box.setAccessibleName(self.tr("Reading font"))
        if v.font_family:
            self.font_box.setCurrentFont(QFont(v.font_family))
        self.font_box.setEnabled(bool(v.font_family))
        self.default_font_box.toggled.connect(lambda on: self.font_box.setEnabled(not on))
        self.size_box = QDoubleSpinBox(page)
        self.size_box.setAccessibleName(self.tr("Font size"))
        self.size_box.setRange(*FONT_SIZE_RANGE)
        self.size_box.setSingleStep(0.5)
        self.size_box.setSuffix(" pt")
        self.size_box.setValue(v.font_size)
        self.spacing_box = QDoubleSpinBox(page)
        self.spacing_box.setAccessibleName(self.tr("Line spacing"))
        self.spacing_box.setRange(*LINE_SPACING_RANGE)
        self.spacing_box.setSingleStep(0.1)
        self.spacing_box.setDecimals(1)
        self.spacing_box.setSuffix(" ×")
        self.spacing_box.setValue(v.line_spacing)
        self.theme_box = QComboBox(page)
        self.theme_box.setAccessibleName(self.tr("Theme"))
        for theme in THEMES:
            self.theme_box.addItem(THEME_NAMES[theme], theme)
        self.theme_box.setCurrentIndex(max(0, self.theme_box.findData(v.theme)))
        self.theme_box.currentIndexChanged.connect(self._on_theme_box_changed)
        self.relation_box = QComboBox(page)
        self.relation_box.setAccessibleName(self.tr("Relations drawn"))
        for mode, name in RELATION_MODE_NAMES.items():
            self.relation_box.addItem(name, mode)
        self.relation_box.setCurrentIndex(max(0, self.relation_box.findData(v.relation_mode)))
        form.addRow("", self.default_font_box)
        form.addRow(self.tr("Reading &font:"), self.font_box)
        form.addRow(self.tr("Font &size:"), self.size_box)
        form.addRow(self.tr("&Line spacing:"), self.spacing_box)
        form.addRow(self.tr("&Theme:"), self.theme_box)
        form.addRow(self.tr("&Relations drawn:"), self.relation_box)
        return page

    def _build_work_tab(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        v = self.values
        self.annotator_edit = QLineEdit(v.annotator, page)
        self.annotator_edit.setAccessibleName(self.tr("Annotator name"))
        self.annotator_edit.setPlaceholderText(self.tr("The name recorded on your spans"))
        self.folder_edit = QLineEdit(v.default_project_folder, page)
        self.folder_edit.setAccessibleName(self.tr("Default project folder"))
        self.folder_edit.setPlaceholderText(self.tr("The app's data folder"))
        browse = QPushButton(self.tr("&Browse…"), page)
        browse.setAccessibleName(self.tr("Choose the default project folder"))
        browse.clicked.connect(self._browse_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(browse)
        self.interval_box = QSpinBox(page)
        self.interval_box.setAccessibleName(self.tr("Minutes between backups"))
        self.interval_box.setRange(*BACKUP_INTERVAL_RANGE)
        self.interval_box.setSuffix(self.tr(" min"))
        self.interval_box.setValue(v.backup_interval_minutes)
        self.keep_box = QSpinBox(page)
        self.keep_box.setAccessibleName(self.tr("Backups kept"))
        self.keep_box.setRange(*BACKUP_KEEP_RANGE)
        self.keep_box.setValue(v.backup_keep)
        form.addRow(self.tr("&Annotator name:"), self.annotator_edit)
        form.addRow(self.tr("Default &project folder:"), folder_row)
        form.addRow(self.tr("&Back up a changed project every:"), self.interval_box)
        form.addRow(self.tr("&Keep the latest:"), self.keep_box)
        return page

    def _build_shortcuts_tab(self) -> QWidget:
        page = QWidget(self)
        self.shortcut_model = QStandardItemModel(0, 3, page)
        self.shortcut_model.setHorizontalHeaderLabels(
            [self.tr("Menu"), self.tr("Action"), self.tr("Shortcut")]
        )
        for spec in self._specs:
            items = [
                QStandardItem(category_of(spec.name)),
                QStandardItem(spec.title),
                QStandardItem(shortcut_text(keys_for(spec, self.values.shortcuts))),
            ]
            for item in items:
                item.setEditable(False)
                item.setToolTip(spec.tip)
                item.setData(spec.name, Qt.ItemDataRole.UserRole)
            self.shortcut_model.appendRow(items)
        self.shortcut_view = QTableView(page)
        self.shortcut_view.setObjectName("shortcutTable")
        self.shortcut_view.setAccessibleName(self.tr("Actions and shortcuts"))
        self.shortcut_view.setModel(self.shortcut_model)
        self.shortcut_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.shortcut_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.shortcut_view.verticalHeader().hide()
        header = self.shortcut_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.key_edit = QKeySequenceEdit(page)
        self.key_edit.setAccessibleName(self.tr("New shortcut"))
        self.key_edit.setMaximumSequenceLength(1)
        set_button = QPushButton(self.tr("S&et"), page)
        clear_button = QPushButton(self.tr("&No Shortcut"), page)
        reset_button = QPushButton(self.tr("&Default"), page)
        set_button.clicked.connect(self._on_set_clicked)
        clear_button.clicked.connect(self._on_clear_clicked)
        reset_button.clicked.connect(self._on_reset_clicked)
        self.shortcut_message = QLabel(page)
        self.shortcut_message.setObjectName("shortcutMessage")
        self.shortcut_message.setWordWrap(True)
        self.shortcut_message.setTextFormat(Qt.TextFormat.PlainText)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Shortcut:"), page))
        row.addWidget(self.key_edit, 1)
        row.addWidget(set_button)
        row.addWidget(clear_button)
        row.addWidget(reset_button)
        layout = QVBoxLayout(page)
        layout.addWidget(self.shortcut_view, 1)
        layout.addLayout(row)
        layout.addWidget(self.shortcut_message)
        self.shortcut_view.selectionModel().currentRowChanged.connect(self._on_shortcut_row_changed)
        return page

    # ---- shortcuts -----------------------------------------------------------------------

    def select_action(self, name: str) -> None:
        for row in range(self.shortcut_model.rowCount()):
            if self.shortcut_model.item(row, 0).data(Qt.ItemDataRole.UserRole) == name:
                self.shortcut_view.selectRow(row)
                return
        raise KeyError(name)

    def _selected_spec(self) -> ActionSpec | None:
        index = self.shortcut_view.currentIndex()
        if not index.isValid():
            return None
        name = self.shortcut_model.item(index.row(), 0).data(Qt.ItemDataRole.UserRole)
        return next((spec for spec in self._specs if spec.name == name), None)

    def assign_shortcut(self, name: str, keys: str) -> bool:
        """Give an action a shortcut ("" for none); refused, with a message, when another
        action or a label already has it."""
        spec = next(spec for spec in self._specs if spec.name == name)
        proposed = dict(self.values.shortcuts)
        proposed[name] = QKeySequence(keys).toString(QKeySequence.SequenceFormat.PortableText)
        defaults = default_keys(spec)
        if len(defaults) == 1 and defaults[0] == QKeySequence(keys):
            proposed.pop(name)  # the default again
        assignments = {s.name: keys_for(s, proposed) for s in self._specs}
        conflicts = [c for c in shortcut_conflicts(assignments, self._reserved) if name in c[1:]]
        if conflicts:
            key, first, second = conflicts[0]
            other = second if first == name else first
            shown = QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)
            self._say(
                self.tr(
                    "{key} is already the shortcut of “{other}”. Choose another key, or "
                    "change that one first."
                ).format(key=shown, other=self._title_of(other))
            )
            return False
        self.values.shortcuts = proposed
        self._refresh_row(name)
        self._say(
            self.tr("“{action}”: {keys}").format(
                action=spec.title, keys=shortcut_text(keys_for(spec, proposed)) or self.tr("none")
            )
        )
        return True

    def reset_shortcut(self, name: str) -> bool:
        """Back to the default shortcut, unless something else took it meanwhile."""
        spec = next(spec for spec in self._specs if spec.name == name)
        proposed = {k: v for k, v in self.values.shortcuts.items() if k != name}
        assignments = {s.name: keys_for(s, proposed) for s in self._specs}
        conflicts = [c for c in shortcut_conflicts(assignments, self._reserved) if name in c[1:]]
        if conflicts:
            key, first, second = conflicts[0]
            other = second if first == name else first
            self._say(
                self.tr("The default, {key}, is now the shortcut of “{other}”.").format(
                    key=key, other=self._title_of(other)
                )
            )
            return False
        self.values.shortcuts = proposed
        self._refresh_row(name)
        self._say(self.tr("“{action}”: back to its default.").format(action=spec.title))
        return True

    def _title_of(self, owner: str) -> str:
        spec = next((s for s in self._specs if s.name == owner), None)
        return spec.title if spec is not None else owner

    def _refresh_row(self, name: str) -> None:
        spec = next(spec for spec in self._specs if spec.name == name)
        for row in range(self.shortcut_model.rowCount()):
            if self.shortcut_model.item(row, 0).data(Qt.ItemDataRole.UserRole) == name:
                self.shortcut_model.item(row, 2).setText(
                    shortcut_text(keys_for(spec, self.values.shortcuts))
                )

    def _say(self, text: str) -> None:
        self.shortcut_message.setText(text)
        self.shortcut_message.setAccessibleDescription(text)

    @Slot()
    def _on_shortcut_row_changed(self) -> None:
        spec = self._selected_spec()
        if spec is not None:
            keys = keys_for(spec, self.values.shortcuts)
            self.key_edit.setKeySequence(keys[0] if keys else QKeySequence())

    @Slot()
    def _on_set_clicked(self) -> None:
        spec = self._selected_spec()
        if spec is None:
            self._say(self.tr("Choose an action in the list first."))
            return
        keys = self.key_edit.keySequence().toString(QKeySequence.SequenceFormat.PortableText)
        self.assign_shortcut(spec.name, keys)

    @Slot()
    def _on_clear_clicked(self) -> None:
        spec = self._selected_spec()
        if spec is not None:
            self.assign_shortcut(spec.name, "")

    @Slot()
    def _on_reset_clicked(self) -> None:
        spec = self._selected_spec()
        if spec is not None:
            self.reset_shortcut(spec.name)

    # ---- the rest ------------------------------------------------------------------------

    @Slot()
    def _on_theme_box_changed(self) -> None:
        self.theme_previewed.emit(self.theme_box.currentData())

    @Slot()
    def _browse_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Default project folder"), self.folder_edit.text()
        )
        if folder:
            self.folder_edit.setText(folder)

    def accept(self) -> None:
        v = self.values
        v.font_family = (
            "" if self.default_font_box.isChecked() else self.font_box.currentFont().family()
        )
        v.font_size = self.size_box.value()
        v.line_spacing = round(self.spacing_box.value(), 2)
        v.theme = self.theme_box.currentData()
        v.relation_mode = self.relation_box.currentData()
        v.annotator = self.annotator_edit.text()
        v.default_project_folder = self.folder_edit.text().strip()
        v.backup_interval_minutes = self.interval_box.value()
        v.backup_keep = self.keep_box.value()
        super().accept()

    def reject(self) -> None:
        if self.theme_box.currentData() != self._original_theme:
            self.theme_previewed.emit(self._original_theme)
        super().reject()
