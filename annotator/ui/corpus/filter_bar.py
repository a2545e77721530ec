"""Filters of the article list: status, outlet, publication dates, a label present or absent, an
annotator, and the Search panel's query; combined, with counts."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from annotator.core.model import STATUSES
from annotator.store import Project, ProjectError
from annotator.store.filters import ArticleFilter, outlets, status_counts
from annotator.store.search import SearchQueryError, check_query

ANY = "(any)"


class ArticleFilterBar(QWidget):
    """``filter_changed(ArticleFilter)`` whenever the analyst changes a criterion."""

    filter_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.query = ""  # the Search panel's current query
        self.status_boxes = {status: QCheckBox(status) for status in STATUSES}
        self.outlet_combo = QComboBox()
        self.date_from = QLineEdit()
        self.date_from.setPlaceholderText("from YYYY-MM-DD")
        self.date_to = QLineEdit()
        self.date_to.setPlaceholderText("to YYYY-MM-DD")
        self.label_mode = QComboBox()
        self.label_mode.addItems(["with", "without"])
        self.label_combo = QComboBox()
        self.annotator_combo = QComboBox()
        self.search_box = QCheckBox("Only hits of the search")
        self.search_box.setToolTip("Keep the articles that match the Search panel's query")
        self.count_label = QLabel()
        self.count_label.setWordWrap(True)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        statuses = QHBoxLayout()
        for box in self.status_boxes.values():
            statuses.addWidget(box)
        statuses.addStretch(1)
        grid.addLayout(statuses, 0, 0, 1, 4)
        grid.addWidget(QLabel("Outlet"), 1, 0)
        grid.addWidget(self.outlet_combo, 1, 1, 1, 3)
        grid.addWidget(QLabel("Dates"), 2, 0)
        grid.addWidget(self.date_from, 2, 1)
        grid.addWidget(self.date_to, 2, 2, 1, 2)
        grid.addWidget(QLabel("Label"), 3, 0)
        grid.addWidget(self.label_mode, 3, 1)
        grid.addWidget(self.label_combo, 3, 2, 1, 2)
        grid.addWidget(QLabel("Annotator"), 4, 0)
        grid.addWidget(self.annotator_combo, 4, 1, 1, 3)
        grid.addWidget(self.search_box, 5, 0, 1, 4)
        grid.addWidget(self.count_label, 6, 0, 1, 4)
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self._emit)
        for box in self.status_boxes.values():
            box.toggled.connect(self._emit)
        for combo in (self.outlet_combo, self.label_mode, self.label_combo, self.annotator_combo):
            combo.currentIndexChanged.connect(self._emit)
        for edit in (self.date_from, self.date_to):
            edit.textChanged.connect(self._timer.start)
        self.search_box.toggled.connect(self._emit)
        self._filling = False
        self.set_project(None)

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.refresh_choices()

    def refresh_choices(self) -> None:
        self._filling = True
        try:
            for combo, items in (
                (self.outlet_combo, outlets(self.project) if self.project else []),
                (
                    self.label_combo,
                    [(lb.name, lb.id) for lb in self.project.labels()] if self.project else [],
                ),
                (
                    self.annotator_combo,
                    [(a, a) for a in self.project.annotators() if a] if self.project else [],
                ),
            ):
                chosen = combo.currentData()
                combo.clear()
                combo.addItem(ANY, None)
                for item in items:
                    if combo is self.outlet_combo:
                        name, count = item
                        combo.addItem(f"{name} ({count})", name)
                    else:
                        combo.addItem(str(item[0]), item[1])
                index = combo.findData(chosen) if chosen is not None else 0
                combo.setCurrentIndex(max(0, index))
        finally:
            self._filling = False

    def set_query(self, query: str) -> None:
        """The Search panel's query, used when "Only hits of the search" is on."""
        self.query = query
        if self.search_box.isChecked():
            self._emit()

    def current_filter(self) -> ArticleFilter:
        checked = frozenset(s for s, box in self.status_boxes.items() if box.isChecked())
        label = self.label_combo.currentData()
        without = self.label_mode.currentText() == "without"
        return ArticleFilter(
            statuses=checked or None,
            outlet=self.outlet_combo.currentData(),
            date_from=self.date_from.text().strip() or None,
            date_to=self.date_to.text().strip() or None,
            label_present=label if label is not None and not without else None,
            label_absent=label if label is not None and without else None,
            annotator=self.annotator_combo.currentData(),
            query=self.query if self.search_box.isChecked() else "",
        )

    def show_counts(self, shown: int, total: int) -> None:
        """Say how many articles the filter keeps, and how many of each status."""
        if self.project is None:
            self.count_label.clear()
            return
        try:
            per_status = status_counts(self.project, self.current_filter())
        except (SearchQueryError, ProjectError) as exc:
            self.count_label.setText(str(exc))
            return
        parts = ", ".join(f"{n} {status}" for status, n in per_status.items())
        self.count_label.setText(f"{shown} of {total} articles: {parts}")

    @Slot()
    def _emit(self, *_args: object) -> None:
        if self._filling:
            return
        f = self.current_filter()
        if f.query:
            try:
                check_query(self.project, f.query) if self.project else None
            except SearchQueryError as exc:
                self.count_label.setText(str(exc))
                return
        self.filter_changed.emit(f)
