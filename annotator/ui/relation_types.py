"""Relation types: the editor of the project's list and the "Link as" chooser used when
linking two spans."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator.core.model import DEFAULT_RELATION_TYPE
from annotator.store.relation_types import valid_type_problem


class RelationTypesDialog(QDialog):
    """Edit the list: add, rename (double-click or F2), remove; ``attributed_to`` stays."""

    def __init__(self, types: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("relationTypesDialog")
        self.setWindowTitle(self.tr("Relation Types"))
        self.list = QListWidget(self)
        self.list.setAccessibleName(self.tr("Relation types"))
        for name in types:
            self._add_item(name)
        add = QPushButton(self.tr("&Add"), self)
        remove = QPushButton(self.tr("&Remove"), self)
        add.clicked.connect(self._on_add_clicked)
        remove.clicked.connect(self._on_remove_clicked)
        self.message = QLabel(self)
        self.message.setObjectName("relationTypesMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                self.tr("New links get the type chosen under “Link as”. Double-click to rename.")
            )
        )
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def _add_item(self, name: str) -> QListWidgetItem:
        item = QListWidgetItem(name, self.list)
        if name != DEFAULT_RELATION_TYPE:
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        return item

    def types(self) -> list[str]:
        return [self.list.item(i).text().strip() for i in range(self.list.count())]

    def add_type(self, name: str) -> bool:
        """Add a type; refused with a message when unusable or already listed."""
        name = name.strip()
        problem = valid_type_problem(name)
        if problem is None and name.casefold() in {t.casefold() for t in self.types()}:
            problem = f"“{name}” is listed already"
        if problem is not None:
            self.message.setText(problem[0].upper() + problem[1:] + ".")
            return False
        self.list.setCurrentItem(self._add_item(name))
        self.message.clear()
        return True

    @Slot()
    def _on_add_clicked(self) -> None:
        base, number = "new_type", 1
        name = base
        while name in self.types():
            number += 1
            name = f"{base}_{number}"
        if self.add_type(name):
            self.list.editItem(self.list.currentItem())

    @Slot()
    def _on_remove_clicked(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        if item.text() == DEFAULT_RELATION_TYPE:
            self.message.setText(f"{DEFAULT_RELATION_TYPE} is the default and stays.")
            return
        self.list.takeItem(self.list.row(item))

    def accept(self) -> None:
        seen: set[str] = set()
        for name in self.types():
            problem = valid_type_problem(name)
            if problem is None and name.casefold() in seen:
                problem = f"“{name}” is listed twice"
            if problem is not None:
                self.message.setText(problem[0].upper() + problem[1:] + ".")
                return
            seen.add(name.casefold())
        super().accept()


class RelationTypeChooser(QComboBox):
    """ "Link as": the type the next link gets (``attributed_to`` unless chosen)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("relationTypeChooser")
        self.setAccessibleName(self.tr("Type of new links"))
        self.setToolTip(self.tr("The type the next link (Ctrl+K) gets"))
        self.set_types([DEFAULT_RELATION_TYPE])

    def set_types(self, types: Sequence[str]) -> None:
        current = self.currentText() or DEFAULT_RELATION_TYPE
        self.blockSignals(True)
        self.clear()
        self.addItems(list(types))
        index = self.findText(current)
        self.setCurrentIndex(index if index >= 0 else max(0, self.findText(DEFAULT_RELATION_TYPE)))
        self.blockSignals(False)

    def chosen(self) -> str:
        return self.currentText() or DEFAULT_RELATION_TYPE
