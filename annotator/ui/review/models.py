"""Qt table models of a comparison: disagreements, agreement figures, the pairwise matrix and the
articles not every file holds. Every string from a project file is shown as plain text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from annotator.review.adjudicate import Decision
from annotator.review.agreement import Disagreement, Kind, LabelFigures, Mark, PairFigures
from annotator.review.compare import ArticleInfo
from annotator.ui.table_model import ModelIndex, TableModel, one_line, plain_tooltip

NOT_AVAILABLE = "n/a"
NOT_COMPUTED = "—"  # a figure the review core computes per label only (kappa, alpha overall)

# One colour per kind of disagreement: the margin bars in the reader, the list and the legend.
KIND_COLORS: dict[Kind, str] = {
    Kind.ONLY: "#e8772e",
    Kind.LABEL: "#b04ac0",
    Kind.BOUNDARY: "#1f9e89",
}
KIND_NAMES: dict[Kind, str] = {
    Kind.ONLY: "only in one",
    Kind.LABEL: "different labels",
    Kind.BOUNDARY: "different boundaries",
}

_Display = Qt.ItemDataRole.DisplayRole
_Tip = Qt.ItemDataRole.ToolTipRole
_User = Qt.ItemDataRole.UserRole


def format_figure(value: float | None) -> str:
    """Three decimals, or "n/a" for a figure that is undefined (no spans, no variation)."""
    return NOT_AVAILABLE if value is None else f"{value:.3f}"


def kind_text(item: Disagreement) -> str:
    """What kind of difference this is, in words ("only in bob", "different labels", …)."""
    if item.kind is Kind.ONLY:
        return "only in " + ", ".join(item.annotators_with_spans)
    return KIND_NAMES[item.kind]


def marks_text(marks: Sequence[Mark], limit: int = 40) -> str:
    if not marks:
        return "—"
    return "; ".join(
        f"{m.label} “{one_line(m.text, limit)}”" if m.text else f"{m.label} [{m.start}, {m.end})"
        for m in marks
    )


def decision_text(decision: Decision | None) -> str:
    if decision is None:
        return ""
    if decision.accepted is None:
        return "✓ edited"
    if not decision.accepted:
        return "✓ neither"
    return "✓ " + " + ".join(decision.accepted)


class _TableModel(TableModel):
    """Rows of a flat table whose columns follow the comparison; subclasses say what a cell
    shows."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._columns: list[str] = []
        self._row_count = 0

    def row_total(self) -> int:
        return self._row_count

    def columns(self) -> Sequence[str]:
        return self._columns

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = _Display
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            if role == _Tip:
                return plain_tooltip(self._columns[section])
        return super().headerData(section, orientation, role)

    def _valid(self, index: ModelIndex) -> bool:
        return (
            index.isValid()
            and 0 <= index.row() < self._row_count
            and 0 <= index.column() < len(self._columns)
        )


class DisagreementModel(_TableModel):
    """Every disagreement of the comparison, article by article, with the decision taken.

    Columns: number, kind, where, each annotator's spans there, the decision, the article.
    """

    NUMBER, KIND, WHERE = 0, 1, 2

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[Disagreement] = []
        self._annotators: list[str] = []
        self._titles: Mapping[str, str] = {}
        self._workable: frozenset[str] = frozenset()
        self._decisions: dict[str, Decision] = {}

    @property
    def decision_column(self) -> int:
        return 3 + len(self._annotators)

    @property
    def article_column(self) -> int:
        return 4 + len(self._annotators)

    def annotator_column(self, name: str) -> int:
        return 3 + self._annotators.index(name)

    def set_disagreements(
        self,
        items: Sequence[Disagreement],
        annotators: Sequence[str],
        titles: Mapping[str, str],
        workable_articles: frozenset[str],
        decisions: Mapping[str, Decision],
    ) -> None:
        """Show ``items``; ``workable_articles`` are the article keys the open project holds
        (the others cannot be opened or adjudicated before a merge)."""
        self.beginResetModel()
        self._items = list(items)
        self._annotators = list(annotators)
        self._titles = dict(titles)
        self._workable = workable_articles
        self._decisions = dict(decisions)
        self._columns = ["#", "Kind", "Where", *self._annotators, "Decision", "Article"]
        self._row_count = len(self._items)
        self.endResetModel()

    def set_decisions(self, decisions: Mapping[str, Decision]) -> None:
        self._decisions = dict(decisions)
        if self._items:
            column = self.decision_column
            self.dataChanged.emit(self.index(0, column), self.index(self._row_count - 1, column))

    def item(self, row: int) -> Disagreement | None:
        return self._items[row] if 0 <= row < self._row_count else None

    def row_of(self, key: str) -> int | None:
        return next((i for i, item in enumerate(self._items) if item.key == key), None)

    def _annotator_at(self, col: int) -> str | None:
        index = col - 3
        return self._annotators[index] if 0 <= index < len(self._annotators) else None

    def data(self, index: ModelIndex, role: int = _Display) -> Any:
        if not self._valid(index):
            return None
        item = self._items[index.row()]
        col = index.column()
        name = self._annotator_at(col)
        if role == _Display:
            if col == self.NUMBER:
                return str(index.row() + 1)
            if col == self.KIND:
                return kind_text(item)
            if col == self.WHERE:
                return f"{item.start}–{item.end}"
            if name is not None:
                return marks_text(item.spans_of(name))
            if col == self.decision_column:
                return decision_text(self._decisions.get(item.key))
            return one_line(self._titles.get(item.article, "") or item.article[:12], 60)
        if role == _Tip:
            if item.article not in self._workable:
                return plain_tooltip(
                    "This article is not in your project: merge it (Review ▸ Merge from…) "
                    "to open or adjudicate it."
                )
            if col == self.article_column:
                return plain_tooltip(self._titles.get(item.article, ""))
            if name is not None:
                marks = item.spans_of(name)
                lines = [f"{m.label} [{m.start}, {m.end}): {m.text}" for m in marks]
                return plain_tooltip(f"{name}:\n" + ("\n".join(lines) or "nothing here"))
            return None
        if role == Qt.ItemDataRole.DecorationRole and col == self.KIND:
            return QColor(KIND_COLORS[item.kind])
        if role == Qt.ItemDataRole.ForegroundRole and item.article not in self._workable:
            return QApplication.palette().brush(
                QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text
            )
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.NUMBER, self.WHERE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == _User:
            return item.key
        return None


class FiguresModel(_TableModel):
    """Agreement per label and overall: span F1 (exact, overlap), kappa, alpha, span counts."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._annotators: list[str] = []
        self._labels: list[str] = []
        self._by_label: Mapping[str, LabelFigures] = {}
        self._overall: LabelFigures | None = None
        self._many = False
        self._figure_columns: list[str] = []

    def set_figures(
        self,
        annotators: Sequence[str],
        labels: Sequence[str],
        by_label: Mapping[str, LabelFigures],
        overall: LabelFigures | None,
    ) -> None:
        self.beginResetModel()
        self._annotators = list(annotators)
        self._many = len(self._annotators) >= 3
        self._labels = [label for label in labels if label in by_label]
        self._by_label = dict(by_label)
        self._overall = overall
        self._figure_columns = ["exact_f1", "overlap_f1", "kappa"]
        headers = ["Label", "Exact F1", "Overlap F1"]
        if self._many:
            headers += ["Mean Cohen's κ", "Fleiss' κ"]
            self._figure_columns.append("fleiss_kappa")
        else:
            headers.append("Cohen's κ")
        headers.append("Krippendorff's α")
        self._figure_columns.append("alpha")
        self._columns = headers + [f"Spans {name}" for name in self._annotators]
        self._row_count = len(self._labels) + (1 if overall is not None else 0)
        self.endResetModel()

    def clear(self) -> None:
        self.set_figures([], [], {}, None)

    def _row(self, row: int) -> tuple[str, LabelFigures, bool]:
        if row < len(self._labels):
            label = self._labels[row]
            return label, self._by_label[label], False
        assert self._overall is not None
        return "All labels", self._overall, True

    def figure(self, row: int, column: int) -> float | int | None:
        """The number behind a cell (None when undefined)."""
        _name, figures, _overall = self._row(row)
        if 1 <= column <= len(self._figure_columns):
            value: float | None = getattr(figures, self._figure_columns[column - 1])
            return value
        return figures.spans.get(self._annotators[column - 1 - len(self._figure_columns)], 0)

    def data(self, index: ModelIndex, role: int = _Display) -> Any:
        if not self._valid(index):
            return None
        name, figures, overall = self._row(index.row())
        col = index.column()
        per_label_only = overall and col > 2 and col <= len(self._figure_columns)
        if role == _Display:
            if col == 0:
                return name
            if per_label_only:
                return NOT_COMPUTED
            if col <= len(self._figure_columns):
                value = self.figure(index.row(), col)
                return format_figure(value if not isinstance(value, int) else float(value))
            return str(self.figure(index.row(), col))
        if role == _User:
            return None if col == 0 or per_label_only else self.figure(index.row(), col)
        if role == _Tip:
            if col == 0:
                return plain_tooltip(name)
            if per_label_only:
                return plain_tooltip("Kappa and alpha are computed per label only.")
            if col <= len(self._figure_columns) and self.figure(index.row(), col) is None:
                return plain_tooltip("n/a: undefined (no spans on either side, or no variation)")
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and overall:
            font = QApplication.font()
            font.setBold(True)
            return font
        return None


class PairwiseModel(_TableModel):
    """Annotator × annotator: one figure per pair (exact or overlap F1, or a label's kappa)."""

    MEASURES = ("exact_f1", "overlap_f1", "kappa")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._annotators: list[str] = []
        self._pairs: dict[frozenset[str], PairFigures] = {}
        self._measure = "exact_f1"
        self._label: str | None = None

    def set_pairs(
        self,
        annotators: Sequence[str],
        pairs: Sequence[PairFigures],
        measure: str = "exact_f1",
        label: str | None = None,
    ) -> None:
        """``measure`` is one of :data:`MEASURES`; ``label`` None means all labels (F1 only)."""
        if measure not in self.MEASURES:
            raise ValueError(measure)
        self.beginResetModel()
        self._annotators = list(annotators)
        self._pairs = {frozenset((p.a, p.b)): p for p in pairs}
        self._measure = measure
        self._label = label
        self._columns = list(self._annotators)
        self._row_count = len(self._annotators)
        self.endResetModel()

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = _Display
    ) -> Any:
        if orientation == Qt.Orientation.Vertical and 0 <= section < self._row_count:
            if role == _Display:
                return self._annotators[section]
            if role == _Tip:
                return plain_tooltip(self._annotators[section])
            return None
        return super().headerData(section, orientation, role)

    def value(self, row: int, column: int) -> float | None:
        if row == column:
            return None
        pair = self._pairs.get(frozenset((self._annotators[row], self._annotators[column])))
        if pair is None:
            return None
        if self._label is None:
            result: float | None = getattr(pair, self._measure, None)
            return result
        figures = pair.labels.get(self._label)
        return None if figures is None else getattr(figures, self._measure)

    def data(self, index: ModelIndex, role: int = _Display) -> Any:
        if not self._valid(index):
            return None
        row, col = index.row(), index.column()
        if role == _Display:
            return NOT_COMPUTED if row == col else format_figure(self.value(row, col))
        if role == _User:
            return None if row == col else self.value(row, col)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class UnsharedModel(_TableModel):
    """Articles only some of the files hold (not compared)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[ArticleInfo, tuple[str, ...]]] = []
        self._columns = ["Title", "In files"]

    def set_articles(self, rows: Sequence[tuple[ArticleInfo, tuple[str, ...]]]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._row_count = len(self._rows)
        self.endResetModel()

    def data(self, index: ModelIndex, role: int = _Display) -> Any:
        if not self._valid(index):
            return None
        info, holders = self._rows[index.row()]
        text = (info.title or info.key[:12]) if index.column() == 0 else ", ".join(holders)
        if role == _Display:
            return one_line(text, 80)
        if role == _Tip:
            return plain_tooltip(text)
        if role == _User:
            return info.key
        return None
