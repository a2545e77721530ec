"""The Claims view: every claim of the corpus with its verdict and status, filterable; a claim
is checked here (verdict, checker, status, evidence) and opened in the reader on activation."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.core.claims import CLAIM_STATUSES
from annotator.store import Project, ProjectError
from annotator.store.claims import ClaimFilter, ClaimRow, claim_attributes, claims, verdicts
from annotator.ui.table_model import ModelIndex, TableModel, one_line

ALL = "(all)"
NONE_YET = "(no verdict yet)"
VERDICT_COLOURS = {
    "true": "#2e7d32",
    "mostly true": "#689f38",
    "misleading": "#ef6c00",
    "false": "#c62828",
    "unverifiable": "#6d6d6d",
}


class ClaimsModel(TableModel):
    COLUMNS = ("Claim", "Verdict", "Status", "Checker", "Evidence", "Article")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ClaimRow] = []

    def row_total(self) -> int:
        return len(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        claim = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                one_line(claim.text, 160),
                claim.verdict or "—",
                claim.claim_status,
                claim.checker,
                str(len(claim.evidence)) if claim.evidence else "",
                one_line(claim.title, 60) or f"#{claim.article_id}",
            )[col]
        if role == Qt.ItemDataRole.ForegroundRole and col == 1 and claim.verdict:
            colour = VERDICT_COLOURS.get(claim.verdict)
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.ToolTipRole and col in (0, 4):
            return "\n".join(claim.evidence) if col == 4 else one_line(claim.text, 1000)
        if role == Qt.ItemDataRole.UserRole:
            return claim
        return None

    def set_rows(self, rows: list[ClaimRow]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def claim(self, row: int) -> ClaimRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, span_id: int) -> int | None:
        return next((i for i, c in enumerate(self._rows) if c.span_id == span_id), None)


class ClaimsView(QWidget):
    """Filter bar, the claims table and an editor for the selected claim.

    ``claim_activated`` asks the window to open the claim's article at the claim;
    ``update_requested(span_id, attributes)`` asks it to store the claim's new attributes (as
    one undoable change); the view reloads when told the spans changed (:meth:`reload`).
    """

    claim_activated = Signal(object)  # ClaimRow
    update_requested = Signal(int, object)  # span id, dict of attributes

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.verdict_filter = QComboBox()
        self.status_filter = QComboBox()
        self.status_filter.addItems([ALL, *CLAIM_STATUSES])
        self.checker_filter = QComboBox()
        self.count_label = QLabel()
        self.model = ClaimsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, 6):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)

        self.verdict_edit = QComboBox()
        self.checker_edit = QLineEdit()
        self.status_edit = QComboBox()
        self.status_edit.addItems(list(CLAIM_STATUSES))
        self.evidence_edit = QPlainTextEdit()
        self.evidence_edit.setPlaceholderText(
            "One item a line: a URL, span:ARTICLE:START-END, or free text"
        )
        self.evidence_edit.setMaximumHeight(90)
        self.apply_button = QPushButton("Apply")
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b03a2e")
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)

        bar = QHBoxLayout()
        for text, widget in (
            ("Verdict", self.verdict_filter),
            ("Status", self.status_filter),
            ("Checker", self.checker_filter),
        ):
            bar.addWidget(QLabel(text))
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        editor = QWidget()
        form = QFormLayout(editor)
        form.addRow("Verdict", self.verdict_edit)
        form.addRow("Checker", self.checker_edit)
        form.addRow("Status", self.status_edit)
        form.addRow("Evidence", self.evidence_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.error_label, 1)
        buttons.addWidget(self.apply_button)
        form.addRow(buttons)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(editor)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        editor.setMinimumWidth(260)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(split, 1)

        for combo in (self.verdict_filter, self.status_filter, self.checker_filter):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self.table.activated.connect(self._on_table_activated)
        self.table.doubleClicked.connect(self._on_table_activated)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.apply_button.clicked.connect(self._apply)
        self.set_project(None)

    def set_project(self, project: Project | None, *, load: bool = True) -> None:
        """Show ``project``'s claims; with ``load`` False only forget the last project's, and
        read them at the next :meth:`reload` (a hidden panel reads nothing)."""
        self.project = project
        self._filling = True
        self.verdict_filter.clear()
        self.verdict_edit.clear()
        if project is not None:
            choices = list(verdicts(project))
            self.verdict_filter.addItems([ALL, *choices, NONE_YET])
            self.verdict_edit.addItems(["", *choices])
        self._filling = False
        if load:
            self.reload()
        else:
            self.model.set_rows([])
            self.count_label.clear()

    def claim_filter(self) -> ClaimFilter:
        verdict = self.verdict_filter.currentText()
        status = self.status_filter.currentText()
        checker = self.checker_filter.currentText()
        return ClaimFilter(
            verdict="" if verdict == NONE_YET else (None if verdict in ("", ALL) else verdict),
            claim_status=None if status in ("", ALL) else status,
            checker=None if checker in ("", ALL) else checker,
        )

    def reload(self) -> None:
        """Read the claims again (after edits anywhere), keeping the selected claim."""
        if getattr(self, "_filling", False):
            return
        current = self.current_claim()
        if self.project is None:
            self.model.set_rows([])
            self.count_label.clear()
            return
        every = claims(self.project)
        checkers = sorted({c.checker for c in every if c.checker})
        self._filling = True
        chosen = self.checker_filter.currentText()
        self.checker_filter.clear()
        self.checker_filter.addItems([ALL, *checkers])
        self.checker_filter.setCurrentText(chosen if chosen in checkers else ALL)
        self._filling = False
        rows = claims(self.project, self.claim_filter())
        self.model.set_rows(rows)
        checked = sum(1 for c in every if c.claim_status == "checked")
        self.count_label.setText(
            f"{len(rows)} shown · {len(every)} claim(s), {checked} checked, "
            f"{len(every) - checked} open"
        )
        if current is not None:
            row = self.model.row_of(current.span_id)
            if row is not None:
                self.table.selectRow(row)

    @Slot()
    def _on_filter_changed(self) -> None:
        self.reload()

    def current_claim(self) -> ClaimRow | None:
        index = self.table.currentIndex()
        return self.model.claim(index.row()) if index.isValid() else None

    @Slot(QModelIndex, QModelIndex)
    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        claim = self.model.claim(current.row())
        self.error_label.clear()
        if claim is None:
            return
        self.verdict_edit.setCurrentText(claim.verdict)
        self.checker_edit.setText(claim.checker)
        self.status_edit.setCurrentText(claim.claim_status)
        self.evidence_edit.setPlainText("\n".join(claim.evidence))

    @Slot(QModelIndex)
    def _on_table_activated(self, index: QModelIndex) -> None:
        claim = self.model.claim(index.row())
        if claim is not None:
            self.claim_activated.emit(claim)

    @Slot()
    def _apply(self) -> None:
        claim = self.current_claim()
        if claim is None or self.project is None:
            return
        evidence = [
            line.strip() for line in self.evidence_edit.toPlainText().splitlines() if line.strip()
        ]
        try:
            span = self.project.span(claim.span_id)
            attributes = claim_attributes(
                self.project,
                span.attributes,
                verdict=self.verdict_edit.currentText(),
                checker=self.checker_edit.text(),
                claim_status=self.status_edit.currentText(),
                evidence=evidence,
            )
        except ProjectError as exc:
            self.error_label.setText(exc.message)
            return
        self.error_label.clear()
        self.update_requested.emit(claim.span_id, attributes)
