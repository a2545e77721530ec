"""The span panel: the open article's spans, readable at any width and with any number of
layers, filtered by label and annotator, sorted by any column; a row clicked (or Enter) takes
the reader to its span, a relation clicked to the span at its other end."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.core.model import Label
from annotator.ui.layout_memory import ColumnFitter
from annotator.ui.models import SpanTableModel, badge_icon

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class _MiddleElided(QStyledItemDelegate):
    def initStyleOption(  # noqa: N802 (Qt override)
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


class SpanTableView(QTableView):
    """A span table where Enter goes to the span instead of reaching a window shortcut."""

    row_entered = Signal(QModelIndex)

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in _ENTER_KEYS
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            event.accept()  # ours: the key press comes to keyPressEvent
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() in _ENTER_KEYS and self.currentIndex().isValid():
            self.row_entered.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)


class SpanPanel(QWidget):
    """Filters above the span table; the model is set per project (:meth:`set_model`)."""

    span_chosen = Signal(int)  # a row clicked or entered: show this span
    relation_followed = Signal(int)  # a relation clicked: show the span at its other end

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("spanPanel")
        self.model: SpanTableModel | None = None
        self.label_filter = QComboBox(self)
        self.label_filter.setObjectName("spanLabelFilter")
        self.label_filter.setAccessibleName(self.tr("Show spans of label"))
        self.annotator_filter = QComboBox(self)
        self.annotator_filter.setObjectName("spanAnnotatorFilter")
        self.annotator_filter.setAccessibleName(self.tr("Show spans of annotator"))
        self.annotator_filter.addItem(self.tr("All annotators"), None)
        self.view = SpanTableView(self)
        self.view.setObjectName("spanTable")
        self.view.setAccessibleName(self.tr("Spans of the article"))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        self.view.setSortingEnabled(True)
        # The span text loses its middle when narrow (start and end stay); names their end.
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setItemDelegateForColumn(SpanTableModel.TEXT, _MiddleElided(self.view))
        self.view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.fitter = ColumnFitter(self.view, SpanTableModel.TEXT, 0.35)
        self.view.clicked.connect(self._on_view_clicked)
        self.view.row_entered.connect(self._on_view_row_entered)
        filters = QHBoxLayout()
        show = QLabel(self.tr("&Show:"), self)
        show.setBuddy(self.label_filter)
        filters.addWidget(show)
        filters.addWidget(self.label_filter, 1)
        filters.addWidget(self.annotator_filter, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        self.label_filter.currentIndexChanged.connect(self._on_label_filter_changed)
        self.annotator_filter.currentIndexChanged.connect(self._on_annotator_filter_changed)
        self.setFocusProxy(self.view)

    def set_model(self, model: SpanTableModel) -> None:
        self.model = model
        self.view.setModel(model)
        header = self.view.horizontalHeader()
        header.setMinimumSectionSize(20)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(SpanTableModel.TEXT, QHeaderView.ResizeMode.Stretch)
        metrics = self.view.fontMetrics()
        char = max(1, metrics.averageCharWidth())
        # The text keeps at least 35% of the width; the other columns give way in proportion,
        # the label never below its longest name with its badge (ui/layout_memory.py).
        labels = model.session.labels()
        widest = max((metrics.horizontalAdvance(label.name) for label in labels), default=40)
        label_width = min(160, widest + 34)  # with its badge
        self.fitter.minimums = {
            SpanTableModel.LABEL: label_width,
            SpanTableModel.ANNOTATOR: 8 * char,
            SpanTableModel.NOTE: 36,
            SpanTableModel.RELATIONS: 8 * char,
        }
        for column, width in (
            (SpanTableModel.LABEL, label_width),
            (SpanTableModel.ANNOTATOR, 10 * char + 16),
            (SpanTableModel.NOTE, 10 * char + 16),
            (SpanTableModel.RELATIONS, 18 * char + 16),
        ):
            header.resizeSection(column, width)
            self.fitter.desired[column] = width
        # Too narrow for every header in full: the notes (also in the reader's tooltip) go.
        self.fitter.optional = [SpanTableModel.NOTE]
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.fitter.fit()
        self._apply_filters()

    def set_labels(self, labels: Sequence[Label]) -> None:
        """Fill the label filter (keeping the choice when the label still exists)."""
        previous = self.label_filter.currentData()
        self.label_filter.blockSignals(True)
        self.label_filter.clear()
        self.label_filter.addItem(self.tr("All labels"), None)
        model = self.model
        for label in labels:
            letter = model.badge_of(label.id) if model is not None else label.name[:1].upper()
            self.label_filter.addItem(badge_icon(label.color, letter), label.name, label.id)
        index = self.label_filter.findData(previous) if previous is not None else 0
        self.label_filter.setCurrentIndex(max(0, index))
        self.label_filter.blockSignals(False)
        self._apply_filters()

    def refresh_annotators(self) -> None:
        """Offer the annotators of the spans shown now (keeping the choice if still there)."""
        model = self.model
        names = model.annotators() if model is not None else []
        combo = self.annotator_filter
        offered = [combo.itemData(i) for i in range(1, combo.count())]
        if names != offered:  # moving between articles of the same layers changes nothing
            previous = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(self.tr("All annotators"), None)
            for name in names:
                combo.addItem(name, name)
            index = combo.findData(previous) if previous is not None else 0
            combo.setCurrentIndex(max(0, index))
            combo.blockSignals(False)
        # Whose span it is matters only when more than one annotator's spans are listed.
        hide = len(names) <= 1
        if hide != self.view.isColumnHidden(SpanTableModel.ANNOTATOR):
            self.view.setColumnHidden(SpanTableModel.ANNOTATOR, hide)
            self.fitter.fit()
        self._apply_filters()

    def _apply_filters(self) -> None:
        if self.model is None:
            return
        self.model.set_label_filter(self.label_filter.currentData())
        self.model.set_annotator_filter(self.annotator_filter.currentData())

    @Slot()
    def _on_label_filter_changed(self) -> None:
        if self.model is not None:
            self.model.set_label_filter(self.label_filter.currentData())

    @Slot()
    def _on_annotator_filter_changed(self) -> None:
        if self.model is not None:
            self.model.set_annotator_filter(self.annotator_filter.currentData())

    @Slot(QModelIndex)
    def _on_view_clicked(self, index: QModelIndex) -> None:
        if self.model is None or not index.isValid():
            return
        if index.column() == SpanTableModel.RELATIONS:
            related = index.data(SpanTableModel.RELATED_ROLE) or []
            if related:
                self.relation_followed.emit(related[0])
                return
        span = self.model.span_at(index.row())
        if span is not None:
            self.span_chosen.emit(span.id)

    @Slot(QModelIndex)
    def _on_view_row_entered(self, index: QModelIndex) -> None:
        if self.model is None:
            return
        span = self.model.span_at(index.row())
        if span is not None:
            self.span_chosen.emit(span.id)
