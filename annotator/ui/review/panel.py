"""The review panel: what is compared, the legend, disagreements with adjudication, agreement
figures and the articles not every file holds. Widgets only; the controller fills them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from annotator.review.agreement import Kind
from annotator.review.compare import ArticleInfo
from annotator.ui.layout_memory import remember_splitter
from annotator.ui.review.models import (
    KIND_COLORS,
    KIND_NAMES,
    DisagreementModel,
    FiguresModel,
    PairwiseModel,
    UnsharedModel,
)
from annotator.ui.review.overlay import LayerCue, cue_swatch
from annotator.ui.table_model import plain_tooltip

SCOPE_ARTICLE, SCOPE_ALL = "article", "all"  # what the figures cover


def plain_label(text: str = "", *, wrap: bool = False, selectable: bool = False) -> QLabel:
    """A label that shows its text literally, whatever it looks like."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(wrap)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def mnemonic_safe(text: str) -> str:
    """Button and menu text shown as typed: "&" would underline the next letter."""
    return text.replace("&", "&&")


def _table(model: object) -> QTableView:
    view = QTableView()
    view.setModel(model)  # type: ignore[arg-type]
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.setWordWrap(False)
    view.setAlternatingRowColors(True)
    view.horizontalHeader().setHighlightSections(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    return view


def _tool_button(action: QAction) -> QToolButton:
    button = QToolButton()
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button


class LegendWidget(QWidget):
    """Names each compared annotator beside a picture of its cue in the reader."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self._entries: list[tuple[str, str]] = []

    def entries(self) -> list[tuple[str, str]]:
        """(name, how it shows) for every entry, in order."""
        return list(self._entries)

    def set_cues(self, cues: Sequence[LayerCue], gold: str | None) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self._entries = []
        for cue in cues:
            name = f"{cue.name} (you)" if cue.own else cue.name
            self._add(cue_swatch(self, cue), name, cue.description)
        if gold:
            self._add(
                cue_swatch(self, None, underline=Qt.PenStyle.DashLine),
                gold,
                "dashed underline (the gold layer in this project)",
            )
        separator = QFrame()
        separator.setFrameShape(QFrame.Shape.VLine)
        separator.setFrameShadow(QFrame.Shadow.Sunken)
        self._layout.addWidget(separator)
        for kind in Kind:
            self._add(
                cue_swatch(self, None, kind_color=KIND_COLORS[kind]),
                KIND_NAMES[kind],
                "bar in the margin: where the annotators differ",
            )
        self._layout.addStretch(1)

    def _add(self, pixmap: object, name: str, description: str) -> None:
        swatch = QLabel()
        swatch.setPixmap(pixmap)  # type: ignore[arg-type]
        text = plain_label(name)
        tip = plain_tooltip(f"{name}: {description}")
        swatch.setToolTip(tip)
        text.setToolTip(tip)
        self._layout.addWidget(swatch)
        self._layout.addWidget(text)
        self._layout.addSpacing(8)
        self._entries.append((name, description))


class ReviewPanel(QWidget):
    """The contents of the Review dock."""

    def __init__(self, actions: Mapping[str, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewPanel")
        self.disagreement_model = DisagreementModel(self)
        self.figures_model = FiguresModel(self)
        self.pairwise_model = PairwiseModel(self)
        self.unshared_model = UnsharedModel(self)

        # What is compared, and the legend.
        self.summary_label = plain_label(wrap=True, selectable=True)
        self.summary_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.legend = LegendWidget()
        top = QHBoxLayout()
        top.addWidget(self.summary_label, 1)
        for name in ("review_refresh", "review_save_report", "review_close"):
            top.addWidget(_tool_button(actions[name]))

        # Disagreements and adjudication.
        self.disagreement_view = _table(self.disagreement_model)
        self.disagreement_view.setObjectName("disagreementView")
        self.disagreement_view.horizontalHeader().setStretchLastSection(True)
        self.gold_edit = QLineEdit()
        self.gold_edit.setObjectName("goldName")
        self.gold_edit.setPlaceholderText("gold")
        self.gold_edit.setToolTip(
            plain_tooltip("The annotator name of the adjudicated layer in this project")
        )
        self.current_label = plain_label(wrap=True)
        self.current_label.setObjectName("currentDisagreement")
        self.current_label.setMinimumWidth(240)
        self.accept_row = QHBoxLayout()
        self.accept_row.setSpacing(4)
        self.accept_buttons: list[QAbstractButton] = []
        self._accept_actions = [actions[f"review_accept_{i}"] for i in (1, 2, 3)]
        self.both_button = _tool_button(actions["review_accept_all"])
        self.neither_button = _tool_button(actions["review_accept_neither"])
        self.edit_label_combo = QComboBox()
        self.edit_label_combo.setObjectName("editedLabel")
        self.edit_label_combo.setToolTip(plain_tooltip("The label of the edited span"))
        self.edit_button = _tool_button(actions["review_accept_selection"])
        self.agreements_button = _tool_button(actions["review_accept_agreements"])
        self.advance_check = QCheckBox("Go to the next disagreement after deciding")
        self.advance_check.setChecked(True)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("adjudicationProgress")
        self.progress_bar.setFormat("%v / %m decided")
        self.progress_bar.setTextVisible(True)
        # Room for its own text at any panel width: never drawn over by its neighbours.
        self.progress_bar.setMinimumWidth(
            self.progress_bar.fontMetrics().horizontalAdvance("00000 / 00000 decided") + 24
        )

        adjudication = QGroupBox("Adjudicate")
        box = QVBoxLayout(adjudication)
        box.setSpacing(6)
        self.gold_edit.setMaximumWidth(160)
        head = QHBoxLayout()
        head.addWidget(plain_label("Into layer:"))
        head.addWidget(self.gold_edit)
        head.addStretch(1)
        box.addLayout(head)
        box.addWidget(self.progress_bar)  # a row of its own: its text is never covered
        box.addWidget(self.current_label)
        box.addWidget(self._row(self.accept_row))
        box.addWidget(self._row_of(self.both_button, self.neither_button))
        box.addWidget(self._row_of(plain_label("Edited:"), self.edit_label_combo, self.edit_button))
        box.addWidget(self.advance_check)
        box.addWidget(self._row_of(self.agreements_button))
        box.addStretch(1)

        # In a scroll area: a short panel scrolls instead of squeezing rows onto each other.
        adjudication_scroll = QScrollArea()
        adjudication_scroll.setObjectName("adjudicationScroll")
        adjudication_scroll.setWidgetResizable(True)
        adjudication_scroll.setFrameShape(QFrame.Shape.NoFrame)
        adjudication_scroll.setWidget(adjudication)
        adjudication_scroll.setMinimumWidth(adjudication.minimumSizeHint().width() + 24)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.disagreement_view)
        splitter.addWidget(adjudication_scroll)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setObjectName("reviewSplitter")
        splitter.setSizes([600, 300])
        remember_splitter(splitter, "review/disagreements")
        self.splitter = splitter

        # Agreement figures.
        self.scope_combo = QComboBox()
        self.scope_combo.setObjectName("figuresScope")
        self.figures_view = _table(self.figures_model)
        self.figures_view.setObjectName("figuresView")
        self.figures_note = plain_label(
            "n/a: undefined (no spans on either side, or no variation to measure). "
            "— : kappa and alpha are computed per label only.",
            wrap=True,
        )
        self.measure_combo = QComboBox()
        self.measure_combo.setObjectName("pairwiseMeasure")
        self.pairwise_view = _table(self.pairwise_model)
        self.pairwise_view.setObjectName("pairwiseView")
        self.pairwise_view.verticalHeader().show()
        self.pairwise_box = QGroupBox("Pairwise (three or more annotators)")
        pairwise_layout = QVBoxLayout(self.pairwise_box)
        pairwise_layout.addWidget(self.measure_combo)
        pairwise_layout.addWidget(self.pairwise_view, 1)
        figures_page = QWidget()
        figures_layout = QHBoxLayout(figures_page)
        left = QVBoxLayout()
        scope_row = QHBoxLayout()
        scope_row.addWidget(plain_label("Figures for:"))
        scope_row.addWidget(self.scope_combo, 1)
        left.addLayout(scope_row)
        left.addWidget(self.figures_view, 1)
        left.addWidget(self.figures_note)
        figures_layout.addLayout(left, 3)
        figures_layout.addWidget(self.pairwise_box, 2)

        # Articles not every file holds.
        self.shared_label = plain_label(wrap=True)
        self.unshared_view = _table(self.unshared_model)
        self.unshared_view.setObjectName("unsharedView")
        self.unshared_view.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch
        )
        articles_page = QWidget()
        articles_layout = QVBoxLayout(articles_page)
        articles_layout.addWidget(self.shared_label)
        articles_layout.addWidget(self.unshared_view, 1)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(splitter, "Disagreements")
        self.tabs.addTab(figures_page, "Agreement")
        self.tabs.addTab(articles_page, "Articles")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.legend)
        layout.addWidget(self.tabs, 1)

    @staticmethod
    def _row(layout: QHBoxLayout) -> QWidget:
        holder = QWidget()
        layout.setContentsMargins(0, 0, 0, 0)
        holder.setLayout(layout)
        return holder

    def _row_of(self, *widgets: QWidget) -> QWidget:
        row = QHBoxLayout()
        row.setSpacing(4)
        for widget in widgets:
            row.addWidget(widget)
        row.addStretch(1)
        return self._row(row)

    def set_accept_buttons(self, names: Sequence[str], extra: Sequence[QPushButton]) -> None:
        """One button per compared layer: the first ones show the shortcut actions, the rest
        are the ``extra`` buttons the controller made."""
        while self.accept_row.count():
            item = self.accept_row.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.accept_buttons = []
        for action in self._accept_actions[: len(names)]:
            tool = _tool_button(action)
            self.accept_row.addWidget(tool)
            self.accept_buttons.append(tool)
        for push in extra:
            self.accept_row.addWidget(push)
            self.accept_buttons.append(push)
        self.accept_row.addStretch(1)

    # ------------------------------------------------------------- showing a comparison
    def fit_disagreement_columns(self, names: Sequence[str]) -> None:
        """Columns fitted to their contents, each annotator's at most 210 px, the decision's
        wide enough for its longest word."""
        header = self.disagreement_view.horizontalHeader()
        model = self.disagreement_model
        for column in range(model.columnCount()):
            header.setSectionResizeMode(column, header.ResizeMode.Interactive)
        self.disagreement_view.resizeColumnsToContents()
        for name in names:
            column = model.annotator_column(name)
            header.resizeSection(column, min(header.sectionSize(column), 210))
        decided = self.disagreement_view.fontMetrics().horizontalAdvance("✓ neither") + 24
        column = model.decision_column
        header.resizeSection(column, max(header.sectionSize(column), decided))

    def set_edit_labels(self, labels: Sequence[str]) -> None:
        """The labels a selection can be accepted as, keeping the current one if still there."""
        current = self.edit_label_combo.currentText()
        self.edit_label_combo.clear()
        self.edit_label_combo.addItems(list(labels))
        if current in labels:
            self.edit_label_combo.setCurrentText(current)

    def set_figure_choices(self, shared: int, labels: Sequence[str], *, pairwise: bool) -> None:
        """The scope and measure choices of the figures (kept where still offered), and the
        pairwise matrix shown for three or more layers; no change signals meanwhile."""
        scope = self.scope_combo.currentData() or SCOPE_ARTICLE
        self.scope_combo.blockSignals(True)
        self.scope_combo.clear()
        self.scope_combo.addItem("This article", SCOPE_ARTICLE)
        self.scope_combo.addItem(
            f"All {shared} shared article{'s' if shared != 1 else ''}", SCOPE_ALL
        )
        self.scope_combo.setCurrentIndex(self.scope_combo.findData(scope))
        self.scope_combo.blockSignals(False)
        measure = self.measure_combo.currentData()
        self.measure_combo.blockSignals(True)
        self.measure_combo.clear()
        self.measure_combo.addItem("Exact span F1, all labels", ("exact_f1", None))
        self.measure_combo.addItem("Overlap span F1, all labels", ("overlap_f1", None))
        for label in labels:
            self.measure_combo.addItem(f"Cohen's κ: {label}", ("kappa", label))
            self.measure_combo.addItem(f"Exact span F1: {label}", ("exact_f1", label))
        index = self.measure_combo.findData(measure) if measure is not None else 0
        self.measure_combo.setCurrentIndex(max(0, index))
        self.measure_combo.blockSignals(False)
        self.pairwise_box.setVisible(pairwise)

    def set_unshared(
        self, shared: int, only: Sequence[tuple[ArticleInfo, tuple[str, ...]]]
    ) -> None:
        """How many articles were compared, and the list of those only in some files."""
        self.shared_label.setText(
            f"{shared} article{'s' if shared != 1 else ''} in every file, compared by their text "
            f"(titles may differ). {len(only)} article{'s' if len(only) != 1 else ''} only in "
            "some of the files, not compared:"
            if only
            else f"All {shared} articles are in every file, compared by their text."
        )
        self.unshared_model.set_articles(only)
