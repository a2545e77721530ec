"""Document-level labels in the article header: one editor per field the project defines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QWidget,
)

from annotator.core.schema import DocField

UNSET = "—"


class DocLabelsBar(QWidget):
    """``values_edited(field name, values)`` when the analyst changes a field (mouse or keys)."""

    values_edited = Signal(str, object)  # field name, list[str]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("docLabelsBar")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(8, 2, 8, 2)
        self._fields: list[DocField] = []
        self.editors: dict[str, QWidget | list[QToolButton]] = {}
        self._filling = False
        self.setVisible(False)

    def set_fields(self, fields: Sequence[DocField]) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self._fields = list(fields)
        self.editors = {}
        for f in self._fields:
            caption = QLabel(f.name + ":")
            if f.description:
                caption.setToolTip(f.description)
            self._layout.addWidget(caption)
            if f.kind == "single":
                combo = QComboBox()
                combo.addItems([UNSET, *f.choices])
                combo.setObjectName(f"doc_{f.name}")
                combo.activated.connect(lambda _i, name=f.name: self._emit(name))
                self._layout.addWidget(combo)
                self.editors[f.name] = combo
            elif f.kind == "multiple":
                buttons = []
                for choice in f.choices:
                    button = QToolButton()
                    button.setText(choice)
                    button.setCheckable(True)
                    button.toggled.connect(lambda _on, name=f.name: self._emit(name))
                    self._layout.addWidget(button)
                    buttons.append(button)
                self.editors[f.name] = buttons
            elif f.kind == "number":
                spin = QDoubleSpinBox()
                low = f.minimum if f.minimum is not None else -1e9
                spin.setRange(low - 1, f.maximum if f.maximum is not None else 1e9)
                spin.setSpecialValueText(UNSET)  # the value below the minimum means "not set"
                spin.setDecimals(0 if _whole(f) else 2)
                spin.setKeyboardTracking(False)
                spin.valueChanged.connect(lambda _v, name=f.name: self._emit(name))
                self._layout.addWidget(spin)
                self.editors[f.name] = spin
            else:
                edit = QLineEdit()
                edit.setPlaceholderText(UNSET)
                edit.editingFinished.connect(lambda name=f.name: self._emit(name))
                self._layout.addWidget(edit)
                self.editors[f.name] = edit
        self._layout.addStretch(1)
        self.setVisible(bool(self._fields))

    def set_values(self, values: Mapping[str, Sequence[str]]) -> None:
        """Show an article's values (no signal is sent)."""
        self._filling = True
        try:
            for f in self._fields:
                current = list(values.get(f.name, []))
                editor = self.editors[f.name]
                if isinstance(editor, QComboBox):
                    editor.setCurrentText(current[0] if current else UNSET)
                elif isinstance(editor, list):
                    for button in editor:
                        button.setChecked(button.text() in current)
                elif isinstance(editor, QDoubleSpinBox):
                    try:
                        editor.setValue(float(current[0]) if current else editor.minimum())
                    except ValueError:
                        editor.setValue(editor.minimum())
                elif isinstance(editor, QLineEdit):
                    editor.setText(current[0] if current else "")
        finally:
            self._filling = False

    def values_of(self, name: str) -> list[str]:
        editor = self.editors[name]
        if isinstance(editor, QComboBox):
            text = editor.currentText()
            return [] if text == UNSET else [text]
        if isinstance(editor, list):
            return [b.text() for b in editor if b.isChecked()]
        if isinstance(editor, QDoubleSpinBox):
            if editor.value() == editor.minimum():
                return []
            value = editor.value()
            return [str(int(value)) if value == int(value) else str(value)]
        if isinstance(editor, QLineEdit):
            return [editor.text().strip()] if editor.text().strip() else []
        return []

    def _emit(self, name: str) -> None:
        if not self._filling:
            self.values_edited.emit(name, self.values_of(name))


def _whole(f: DocField) -> bool:
    return all(v is None or v == int(v) for v in (f.minimum, f.maximum))
