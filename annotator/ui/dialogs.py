"""Dialogs: the label manager, the span editor and the analyst-name prompt."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.core.model import LABEL_PALETTE, Label, LabelSpec, Relation, Span
from annotator.store.backup import BackupInfo
from annotator.ui.table_model import plain_tooltip


def color_icon(color: str, size: int = 14) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


def show_message(
    parent: QWidget | None,
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    *,
    details: str = "",
    buttons: QMessageBox.StandardButton = QMessageBox.StandardButton.Ok,
    default: QMessageBox.StandardButton = QMessageBox.StandardButton.NoButton,
    button_texts: dict[QMessageBox.StandardButton, str] | None = None,
) -> QMessageBox.StandardButton:
    """A message box that shows every string as plain text (names and notes are untrusted)."""
    box = QMessageBox(icon, title, text, buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if details:
        box.setDetailedText(details)
    if default != QMessageBox.StandardButton.NoButton:
        box.setDefaultButton(default)
    for button, label in (button_texts or {}).items():
        widget = box.button(button)
        if widget is not None:
            widget.setText(label)
    return QMessageBox.StandardButton(box.exec())


def ask_annotator_name(parent: QWidget | None, current: str = "") -> str | None:
    """Ask the analyst's name; None when cancelled or left empty."""
    name, ok = QInputDialog.getText(
        parent,
        "Your name",
        "The name recorded on every span you tag\n(colleagues see it when they review your file):",
        QLineEdit.EchoMode.Normal,
        current,
    )
    name = name.strip()
    return name if ok and name else None


class LabelManagerDialog(QDialog):
    """Lists the labels; each button asks the window to make one undoable change."""

    add_requested = Signal(object)  # LabelSpec
    update_requested = Signal(int, dict)  # label id, changes
    delete_requested = Signal(int)
    reorder_requested = Signal(list)

    def __init__(
        self,
        labels: Callable[[], list[Label]],
        usage: Callable[[int], int],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Labels")
        self._labels = labels
        self._usage = usage
        self.list = QListWidget()
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.model().rowsMoved.connect(self._on_list_rows_moved)
        self.list.currentRowChanged.connect(self._on_list_current_row_changed)
        self.description = QLabel()
        self.description.setTextFormat(Qt.TextFormat.PlainText)
        self.description.setWordWrap(True)
        buttons = QVBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in (
            ("add", "&Add…", self._on_add_clicked),
            ("rename", "&Rename…", self._on_rename_clicked),
            ("color", "&Colour…", self._on_color_clicked),
            ("hotkey", "&Hotkey…", self._on_hotkey_clicked),
            ("describe", "&Description…", self._on_describe_clicked),
            ("up", "Move &Up", lambda: self._move(-1)),
            ("down", "Move Do&wn", lambda: self._move(1)),
            ("delete", "&Delete…", self._on_delete_clicked),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
            self.buttons[key] = button
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(buttons)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.description)
        layout.addWidget(close)
        self.resize(460, 360)
        self.refresh()

    def refresh(self) -> None:
        current = self.current_label()
        self.list.blockSignals(True)
        self.list.clear()
        for label in self._labels():
            hotkey = f"   [{label.hotkey}]" if label.hotkey else ""
            item = QListWidgetItem(color_icon(label.color), f"{label.name}{hotkey}")
            item.setData(Qt.ItemDataRole.UserRole, label.id)
            self.list.addItem(item)
            if current is not None and label.id == current.id:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        self._on_list_current_row_changed(self.list.currentRow())

    def current_label(self) -> Label | None:
        item = self.list.currentItem()
        if item is None:
            return None
        label_id = item.data(Qt.ItemDataRole.UserRole)
        return next((lb for lb in self._labels() if lb.id == label_id), None)

    def _on_list_current_row_changed(self, row: int) -> None:
        label = self.current_label()
        self.description.setText(label.description if label else "")
        for key in ("rename", "color", "hotkey", "describe", "up", "down", "delete"):
            self.buttons[key].setEnabled(label is not None)

    def _on_list_rows_moved(self, *args: object) -> None:
        order = [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]
        self.reorder_requested.emit(order)

    def _move(self, step: int) -> None:
        row = self.list.currentRow()
        order = [lb.id for lb in self._labels()]
        target = row + step
        if row < 0 or not 0 <= target < len(order):
            return
        order[row], order[target] = order[target], order[row]
        self.reorder_requested.emit(order)
        self.list.setCurrentRow(target)

    def _on_add_clicked(self) -> None:
        name, ok = QInputDialog.getText(self, "New label", "Name:")
        if not ok or not name.strip():
            return
        labels = self._labels()
        used = {lb.hotkey for lb in labels}
        hotkey = next((str(k) for k in range(1, 10) if str(k) not in used), "")
        color = LABEL_PALETTE[len(labels) % len(LABEL_PALETTE)]
        self.add_requested.emit(LabelSpec(name.strip(), color, hotkey, ""))

    def _on_rename_clicked(self) -> None:
        label = self.current_label()
        if label is None:
            return
        name, ok = QInputDialog.getText(self, "Rename label", "Name:", text=label.name)
        if ok and name.strip() and name.strip() != label.name:
            self.update_requested.emit(label.id, {"name": name.strip()})

    def _on_color_clicked(self) -> None:
        label = self.current_label()
        if label is None:
            return
        color = QColorDialog.getColor(QColor(label.color), self, f"Colour of {label.name}")
        if color.isValid() and color.name() != label.color:
            self.update_requested.emit(label.id, {"color": color.name()})

    def _on_hotkey_clicked(self) -> None:
        label = self.current_label()
        if label is None:
            return
        keys = ["(none)"] + [str(k) for k in range(1, 10)]
        current = keys.index(label.hotkey) if label.hotkey in keys else 0
        key, ok = QInputDialog.getItem(
            self,
            "Hotkey",
            plain_tooltip(f"Key that tags a selection as {label.name}:"),
            keys,
            current,
            False,
        )
        if not ok:
            return
        hotkey = "" if key == "(none)" else key
        if hotkey == label.hotkey:
            return
        holder = next((lb for lb in self._labels() if hotkey and lb.hotkey == hotkey), None)
        if holder is not None:
            # A key tags with one label only: the label that had it gives it up.
            self.update_requested.emit(holder.id, {"hotkey": ""})
        self.update_requested.emit(label.id, {"hotkey": hotkey})

    def _on_describe_clicked(self) -> None:
        label = self.current_label()
        if label is None:
            return
        text, ok = QInputDialog.getMultiLineText(
            self, "Description", plain_tooltip(f"What {label.name} means:"), label.description
        )
        if ok and text != label.description:
            self.update_requested.emit(label.id, {"description": text})

    def _on_delete_clicked(self) -> None:
        label = self.current_label()
        if label is None:
            return
        count = self._usage(label.id)
        question = f"Delete the label “{label.name}”?"
        if count:
            question += f"\n\nThis removes {count} span(s) tagged with it (you can undo this)."
        answer = show_message(
            self,
            QMessageBox.Icon.Question,
            "Delete label",
            question,
            buttons=QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            default=QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_requested.emit(label.id)


class SpanEditorDialog(QDialog):
    """Edit one span: label, boundaries (with a live preview), note, attributes and links."""

    def __init__(
        self,
        span: Span,
        article_text: str,
        labels: list[Label],
        relations: list[tuple[Relation, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit span")
        self._text = article_text
        self.span = span
        self.removed_relations: list[Relation] = []

        self.label_box = QComboBox()
        for label in labels:
            self.label_box.addItem(color_icon(label.color), label.name, label.id)
        self.label_box.setCurrentIndex(max(0, self.label_box.findData(span.label_id)))
        self.start_box = QSpinBox()
        self.end_box = QSpinBox()
        for box in (self.start_box, self.end_box):
            box.setRange(0, len(article_text))
        self.start_box.setValue(span.start)
        self.end_box.setValue(span.end)
        self.preview = QLabel()
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.preview.setWordWrap(True)
        self.start_box.valueChanged.connect(self._update_preview)
        self.end_box.valueChanged.connect(self._update_preview)
        self.note = QPlainTextEdit(span.note)
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(80)

        self.attributes = QTableWidget(0, 2)
        self.attributes.setHorizontalHeaderLabels(["Attribute", "Value"])
        self.attributes.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for key, value in sorted(span.attributes.items()):
            self._add_attribute_row(key, value)
        add_attr = QPushButton("Add attribute")
        add_attr.clicked.connect(lambda: self._add_attribute_row("", ""))
        remove_attr = QPushButton("Remove attribute")
        remove_attr.clicked.connect(self._on_remove_attribute_clicked)
        attr_buttons = QHBoxLayout()
        attr_buttons.addWidget(add_attr)
        attr_buttons.addWidget(remove_attr)
        attr_buttons.addStretch(1)

        self.links = QListWidget()
        for relation, description in relations:
            item = QListWidgetItem(description)
            item.setData(Qt.ItemDataRole.UserRole, relation)
            self.links.addItem(item)
        self.links.setMaximumHeight(90)
        unlink = QPushButton("Remove link")
        unlink.clicked.connect(self._on_unlink_clicked)
        unlink.setEnabled(bool(relations))

        form = QFormLayout()
        form.addRow("Label:", self.label_box)
        bounds = QHBoxLayout()
        bounds.addWidget(QLabel("from"))
        bounds.addWidget(self.start_box)
        bounds.addWidget(QLabel("to"))
        bounds.addWidget(self.end_box)
        bounds.addStretch(1)
        form.addRow("Characters:", bounds)
        form.addRow("Text:", self.preview)
        form.addRow("Note:", self.note)
        form.addRow("Attributes:", self.attributes)
        form.addRow("", attr_buttons)
        form.addRow("Links:", self.links)
        form.addRow("", unlink)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(560, 560)
        self._update_preview()

    def _add_attribute_row(self, key: str, value: str) -> None:
        row = self.attributes.rowCount()
        self.attributes.insertRow(row)
        self.attributes.setItem(row, 0, QTableWidgetItem(key))
        self.attributes.setItem(row, 1, QTableWidgetItem(value))

    def _on_remove_attribute_clicked(self) -> None:
        row = self.attributes.currentRow()
        if row >= 0:
            self.attributes.removeRow(row)

    def _on_unlink_clicked(self) -> None:
        item = self.links.currentItem()
        if item is None:
            return
        self.removed_relations.append(item.data(Qt.ItemDataRole.UserRole))
        self.links.takeItem(self.links.row(item))

    def _update_preview(self) -> None:
        start, end = self.start_box.value(), self.end_box.value()
        ok = start < end
        self.preview.setText(self._text[start:end] if ok else "(the span must not be empty)")
        button = getattr(self, "buttons", None)
        if button is not None:
            button.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def changes(self) -> dict[str, object]:
        """What differs from the span as it was, ready for ``update_span``."""
        attributes: dict[str, str] = {}
        for row in range(self.attributes.rowCount()):
            key_item, value_item = self.attributes.item(row, 0), self.attributes.item(row, 1)
            key = key_item.text().strip() if key_item else ""
            if key:
                attributes[key] = value_item.text() if value_item else ""
        candidate: dict[str, object] = {
            "label_id": self.label_box.currentData(),
            "start": self.start_box.value(),
            "end": self.end_box.value(),
            "note": self.note.toPlainText(),
            "attributes": attributes,
        }
        current: dict[str, object] = {
            "label_id": self.span.label_id,
            "start": self.span.start,
            "end": self.span.end,
            "note": self.span.note,
            "attributes": dict(self.span.attributes),
        }
        return {k: v for k, v in candidate.items() if v != current[k]}


class BackupDialog(QDialog):
    """Lists a project's automatic backups (time, contents, why taken); one can be restored."""

    def __init__(self, backups: list[BackupInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore from Backup")
        self.backups = backups
        self.list = QListWidget()
        for info in backups:
            item = QListWidgetItem(info.describe())
            item.setToolTip(str(info.path))
            self.list.addItem(item)
        if backups:
            self.list.setCurrentRow(0)
        intro = QLabel(
            "Backups are taken when the project opens, every few minutes while it changes and "
            "before an upgrade. Restoring replaces the project with the chosen backup; the "
            "project as it is now is backed up first."
            if backups
            else "This project has no backups yet."
        )
        intro.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Restore")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(backups))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.buttons)
        self.resize(520, 360)

    def chosen(self) -> BackupInfo | None:
        row = self.list.currentRow()
        return self.backups[row] if 0 <= row < len(self.backups) else None
