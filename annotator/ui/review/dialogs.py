"""Small dialogs of reviewing; every string from a colleague's file is shown as plain text."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QVBoxLayout, QWidget

from annotator.ui.review.panel import plain_label


class LayerNameDialog(QDialog):
    """Asks under which layer (annotator) name a colleague's spans are merged."""

    def __init__(
        self, file_name: str, main: str, suggestion: str, problem: str, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Merge from a colleague's project")
        who = f"the spans of “{main}”" if main else "the spans"
        self.prompt = plain_label(
            f"Merge {who} from {file_name} into this project as the layer:", wrap=True
        )
        self.name_edit = QLineEdit(suggestion)
        self.name_edit.selectAll()
        self.problem = plain_label(problem, wrap=True)
        self.problem.setStyleSheet("color: #b3261e;")
        self.problem.setVisible(bool(problem))
        hint = plain_label(
            "The layer keeps their work apart from yours; View ▸ Annotator Layers shows it, "
            "and Edit ▸ Undo takes the whole merge back.",
            wrap=True,
        )
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Merge")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.name_edit)
        layout.addWidget(self.problem)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)


def ask_layer_name(
    parent: QWidget | None, file_name: str, main: str, suggestion: str, problem: str = ""
) -> str | None:
    """The layer name to merge under, or None when cancelled or left empty."""
    dialog = LayerNameDialog(file_name, main, suggestion, problem, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.name_edit.text().strip() or None
