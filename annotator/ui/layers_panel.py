"""The Layers panel: every annotator layer of the project with a visibility switch and a legend
of how the reader draws it (your layer filled, others outlined, underlined or hatched, gold
framed in gold)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QPointF,
    QRectF,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.ui.colors import HighlightScheme
from annotator.ui.layer_styles import LayerStyle
from annotator.ui.table_model import ModelIndex, TableModel

_SAMPLE = QColor("#0072b2")


def style_icon(style: LayerStyle, scheme: HighlightScheme, size: int = 22) -> QIcon:
    """A small picture of a layer style, drawn as the reader draws it."""
    pixmap = QPixmap(size * 2, size)
    pixmap.fill(scheme.base)
    painter = QPainter(pixmap)
    try:
        line = scheme.line(_SAMPLE)
        box = QRectF(3, 5, size * 2 - 6, size - 10)
        if style is LayerStyle.FILL:
            painter.fillRect(box, scheme.fill([_SAMPLE]))
        elif style is LayerStyle.OUTLINE:
            painter.setPen(QPen(line, 1.5))
            painter.drawRect(box)
        elif style is LayerStyle.UNDERLINE:
            painter.setPen(QPen(line, 3))
            painter.drawLine(QPointF(box.left(), box.bottom()), QPointF(box.right(), box.bottom()))
        elif style is LayerStyle.HATCH:
            painter.fillRect(box, QBrush(scheme.hatch(_SAMPLE), Qt.BrushStyle.BDiagPattern))
        else:
            painter.setPen(QPen(scheme.gold(), 1.4))
            painter.drawRect(box.adjusted(-2, -2, 2, 2))
            painter.drawRect(box.adjusted(1, 1, -1, -1))
        painter.setPen(QPen(line, 2))
        painter.drawLine(QPointF(box.left(), 2), QPointF(box.right(), 2))
    finally:
        painter.end()
    return QIcon(pixmap)


class LayersModel(TableModel):
    """One row per layer: a checkable name (shown or hidden) and its style as the legend."""

    COLUMNS = ("Layer", "Drawn as", "Spans")
    visibility_changed = Signal(str, bool)  # layer name, now shown

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._names: list[str] = []
        self._own = ""
        self._styles: dict[str, LayerStyle] = {}
        self._shown: set[str] = set()
        self._counts: dict[str, int] = {}
        self._scheme = HighlightScheme(QColor("white"), dark=False)
        self._icons: dict[LayerStyle, QIcon] = {}

    def row_total(self) -> int:
        return len(self._names)

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0 and self._names[index.row()] != self._own:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        name = self._names[index.row()]
        style = self._styles.get(name, LayerStyle.OUTLINE)
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return f"{name} (you)" if name == self._own else name
            if col == 1:
                return style.description
            return self._counts.get(name, 0)
        if role == Qt.ItemDataRole.CheckStateRole and col == 0:
            shown = name == self._own or name in self._shown
            return Qt.CheckState.Checked if shown else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DecorationRole and col == 1:
            icon = self._icons.get(style)
            if icon is None:
                icon = self._icons[style] = style_icon(style, self._scheme)
            return icon
        if role == Qt.ItemDataRole.ToolTipRole and col == 0:
            if name == self._own:
                return "Your layer: always shown"
            return f"Show or hide {name}'s spans"
        if role == Qt.ItemDataRole.UserRole:
            return name
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or index.column() != 0 or role != Qt.ItemDataRole.CheckStateRole:
            return False
        name = self._names[index.row()]
        if name == self._own:
            return False
        shown = Qt.CheckState(value) == Qt.CheckState.Checked
        if shown == (name in self._shown):
            return True
        if shown:
            self._shown.add(name)
        else:
            self._shown.discard(name)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.visibility_changed.emit(name, shown)
        return True

    # ---- our API -------------------------------------------------------------------------

    def set_layers(
        self,
        names: Iterable[str],
        own: str,
        styles: Mapping[str, LayerStyle],
        shown: Iterable[str],
        counts: Mapping[str, int] | None = None,
    ) -> None:
        """Every layer of the project (own first), how each is drawn and which are shown."""
        others = sorted(set(names) - {own}, key=str.casefold)
        styles, kept = dict(styles), set(shown) & set(others)
        if [own, *others] == self._names and styles == self._styles and kept == self._shown:
            # Another article of the same layers: only the counts change.
            counts = dict(counts or {})
            if counts != self._counts:
                self._counts = counts
                last = len(self._names) - 1
                self.dataChanged.emit(self.index(0, 2), self.index(last, 2))
            return
        self.beginResetModel()
        self._own = own
        self._names = [own, *others]
        self._styles = styles
        self._shown = kept
        self._counts = dict(counts or {})
        self.endResetModel()

    def set_scheme(self, scheme: HighlightScheme) -> None:
        """Draw the legend in the reader's colours."""
        self._scheme = scheme
        self._icons = {}
        if self._names:
            self.dataChanged.emit(self.index(0, 1), self.index(len(self._names) - 1, 1))

    def shown(self) -> set[str]:
        """The other layers shown."""
        return set(self._shown)

    def names(self) -> list[str]:
        return list(self._names)

    def set_shown(self, name: str, shown: bool) -> None:
        if name in self._names:
            row = self._names.index(name)
            state = Qt.CheckState.Checked if shown else Qt.CheckState.Unchecked
            self.setData(self.index(row, 0), state.value, Qt.ItemDataRole.CheckStateRole)


class LayersPanel(QWidget):
    """The layers table with a line of explanation."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("layersPanel")
        self.model = LayersModel(self)
        self.view = QTableView(self)
        self.view.setObjectName("layersTable")
        self.view.setAccessibleName(self.tr("Annotator layers"))
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        note = QLabel(self.tr("Tick a layer to show it in the reader and the span list."), self)
        note.setWordWrap(True)
        note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.view, 1)
        layout.addWidget(note)
        self.setFocusProxy(self.view)
        self.model.set_scheme(HighlightScheme.from_palette(self.palette()))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            # A theme switch: the legend is drawn again in the new colours.
            self.model.set_scheme(HighlightScheme.from_palette(self.palette()))
