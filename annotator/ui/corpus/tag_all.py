"""Tag all occurrences: preview the other places a span's text occurs, with checkboxes."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.store import Project
from annotator.store.occurrences import Occurrence, occurrences
from annotator.ui.table_model import one_line

OCCURRENCE_ROLE = Qt.ItemDataRole.UserRole


class TagAllDialog(QDialog):
    """Lists the occurrences of ``text`` (whole words) in the article or the corpus; the checked
    ones are returned by :meth:`checked` when the analyst applies."""

    def __init__(
        self,
        project: Project,
        text: str,
        label_id: int,
        label_name: str,
        article_id: int,
        exclude: tuple[int, int, int] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Tag All Occurrences as {label_name}")
        self.project, self.text, self.label_id, self.article_id = (
            project,
            text,
            label_id,
            article_id,
        )
        self.exclude = exclude  # (article, start, end) of the span just tagged
        self.article_button = QRadioButton("This article")
        self.corpus_button = QRadioButton("Whole corpus")
        self.article_button.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.article_button)
        group.addButton(self.corpus_button)
        self.case_box = QCheckBox("Match case")
        self.summary = QLabel()
        self.list = QTreeWidget()
        self.list.setHeaderLabels(["Occurrence", "Article"])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.all_button = QPushButton("Check All")
        self.none_button = QPushButton("Check None")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Cancel
        )
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        top = QHBoxLayout()
        top.addWidget(QLabel(f"Whole-word occurrences of “{one_line(text)}”:"))
        top.addStretch(1)
        for widget in (self.article_button, self.corpus_button, self.case_box):
            top.addWidget(widget)
        bottom = QHBoxLayout()
        bottom.addWidget(self.all_button)
        bottom.addWidget(self.none_button)
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        layout.addLayout(bottom)
        self.resize(760, 420)
        self.article_button.toggled.connect(self.refresh)
        self.case_box.toggled.connect(self.refresh)
        self.all_button.clicked.connect(lambda: self._check_all(True))
        self.none_button.clicked.connect(lambda: self._check_all(False))
        self.list.itemChanged.connect(self._update_summary)
        self.buttons.rejected.connect(self.reject)
        self.apply_button.clicked.connect(self.accept)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        found = occurrences(
            self.project,
            self.text,
            self.label_id,
            article_id=self.article_id if self.article_button.isChecked() else None,
            case_sensitive=self.case_box.isChecked(),
        )
        self.list.blockSignals(True)
        self.list.clear()
        for occ in found:
            if self.exclude == (occ.article_id, occ.start, occ.end):
                continue
            item = QTreeWidgetItem(
                [
                    f"…{one_line(occ.left)[-40:]} [{occ.text}] {one_line(occ.right)[:40]}…",
                    one_line(occ.title),
                ]
            )
            item.setData(0, OCCURRENCE_ROLE, occ)
            if occ.tagged:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                item.setCheckState(0, Qt.CheckState.Unchecked)
                item.setToolTip(0, "Already tagged with this label")
            else:
                item.setCheckState(0, Qt.CheckState.Checked)
            self.list.addTopLevelItem(item)
        self.list.blockSignals(False)
        self.list.resizeColumnToContents(0)
        self._update_summary()

    def items(self) -> list[QTreeWidgetItem]:
        found = (self.list.topLevelItem(i) for i in range(self.list.topLevelItemCount()))
        return [item for item in found if item is not None]

    def _check_all(self, on: bool) -> None:
        for item in self.items():
            if item.flags() & Qt.ItemFlag.ItemIsEnabled:
                item.setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    @Slot()
    def _update_summary(self) -> None:
        total = len(self.items())
        checked = len(self.checked())
        self.summary.setText(f"{checked} of {total} to tag")
        self.apply_button.setEnabled(checked > 0)

    def checked(self) -> list[Occurrence]:
        return [
            item.data(0, OCCURRENCE_ROLE)
            for item in self.items()
            if item.checkState(0) == Qt.CheckState.Checked
        ]
