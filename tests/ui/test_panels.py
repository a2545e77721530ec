"""Span panel, Layers panel and relation types, through their widgets and a real project."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem

from annotator.core.model import DEFAULT_RELATION_TYPE, ArticleDraft
from annotator.store import Project, ProjectError
from annotator.store.relation_types import relation_types, set_relation_types
from annotator.ui.layer_styles import LayerStyle, assign_layer_styles
from annotator.ui.layers_panel import LayersPanel
from annotator.ui.models import SpanTableModel
from annotator.ui.relation_types import RelationTypeChooser, RelationTypesDialog
from annotator.ui.session import ProjectSession
from annotator.ui.span_panel import SpanPanel

TEXT = (
    "Presidential spokesman Dmitry Peskov told reporters on a conference call that nobody "
    "should expect a breakthrough 👍🏽 after one phone call with the new administration."
)


@pytest.fixture
def project(tmp_path: Path):
    with Project.open(tmp_path / "p.annot") as project:
        project.add_article(ArticleDraft(text=TEXT, title="Call"))
        yield project


def add(project: Project, needle: str, label: int, annotator: str = "alice", note: str = ""):
    start = TEXT.index(needle)
    span = project.add_span(1, start, start + len(needle), label, annotator=annotator)
    if note:
        span = project.update_span(span.id, note=note)[1]
    return span


@pytest.fixture
def panel(qtbot, project: Project):
    session = ProjectSession(project, "alice")
    model = SpanTableModel(session)
    widget = SpanPanel()
    widget.set_model(model)
    qtbot.addWidget(widget)
    widget.resize(420, 300)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def load(panel: SpanPanel, project: Project) -> SpanTableModel:
    model = panel.model
    assert model is not None
    model.set_article(1, project.spans(1), project.relations(1))
    panel.set_labels(model.session.labels())
    panel.refresh_annotators()
    return model


def texts(model: SpanTableModel, column: int = SpanTableModel.TEXT) -> list[str]:
    return [str(model.index(r, column).data()) for r in range(model.rowCount())]


def test_columns_badges_tooltips_and_relations_with_types(panel, project, qtmodeltester) -> None:
    quote = add(project, "nobody should expect a breakthrough 👍🏽", 1, note="hedged")
    source = add(project, "Dmitry Peskov", 2)
    add(project, "a conference call", 3, annotator="bob")
    project.add_relation(quote.id, source.id, DEFAULT_RELATION_TYPE, "alice")
    model = load(panel, project)
    qtmodeltester.check(model)
    assert model.COLUMNS == ("Label", "Text", "Annotator", "Note", "Relations")
    row = model.row_of(quote.id)
    assert row is not None
    index = model.index(row, SpanTableModel.TEXT)
    assert index.data() == quote.text
    assert quote.text in index.data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(row, SpanTableModel.NOTE).data() == "hedged"
    assert model.index(row, SpanTableModel.RELATIONS).data() == "attributed_to → Dmitry Peskov"
    assert model.index(row, SpanTableModel.LABEL).data(Qt.ItemDataRole.AccessibleTextRole) == (
        "Quote, badge Q"
    )
    assert not model.index(row, SpanTableModel.LABEL).data(Qt.ItemDataRole.DecorationRole).isNull()
    # Two annotators listed: the annotator column shows.
    assert not panel.view.isColumnHidden(SpanTableModel.ANNOTATOR)
    # The span text loses its middle when too long for its column; names lose their end.
    option = QStyleOptionViewItem()
    panel.view.itemDelegateForColumn(SpanTableModel.TEXT).initStyleOption(option, index)
    assert option.textElideMode == Qt.TextElideMode.ElideMiddle
    assert panel.view.textElideMode() == Qt.TextElideMode.ElideRight


def test_text_column_keeps_room_at_any_width_with_layers(panel, project) -> None:
    for i, (needle, who) in enumerate(
        [("Presidential spokesman", "alice"), ("Dmitry Peskov", "bob"), ("reporters", "carol")]
    ):
        add(project, needle, 1 + i % 3, annotator=who)
    load(panel, project)
    for width in (260, 420, 1024):
        panel.resize(width, 300)
        QApplication.processEvents()
        viewport = panel.view.viewport().width()
        text_width = panel.view.columnWidth(SpanTableModel.TEXT)
        # The text keeps at least ~a third of the table, however narrow, with three layers.
        assert text_width >= 0.34 * viewport, (width, text_width, viewport)
        assert not panel.view.isColumnHidden(SpanTableModel.ANNOTATOR)
        # No header is cut: each column is at least as wide as its header's word.
        metrics = panel.view.horizontalHeader().fontMetrics()
        for column, title in enumerate(SpanTableModel.COLUMNS):
            if panel.view.isColumnHidden(column):
                assert column == SpanTableModel.NOTE and width < 1024  # no room: notes go first
                continue
            needed = metrics.horizontalAdvance(title)
            assert panel.view.columnWidth(column) >= needed, (width, title)


def test_filter_by_label_and_annotator_and_sort(panel, project) -> None:
    add(project, "Dmitry Peskov", 2)
    add(project, "reporters", 2, annotator="bob")
    add(project, "a conference call", 1, annotator="bob")
    model = load(panel, project)
    assert texts(model) == ["Dmitry Peskov", "reporters", "a conference call"]
    panel.annotator_filter.setCurrentIndex(panel.annotator_filter.findData("bob"))
    assert texts(model) == ["reporters", "a conference call"]
    panel.label_filter.setCurrentIndex(panel.label_filter.findData(2))
    assert texts(model) == ["reporters"]
    panel.annotator_filter.setCurrentIndex(0)
    panel.label_filter.setCurrentIndex(0)
    panel.view.sortByColumn(SpanTableModel.TEXT, Qt.SortOrder.AscendingOrder)
    assert texts(model) == ["a conference call", "Dmitry Peskov", "reporters"]
    panel.view.sortByColumn(SpanTableModel.ANNOTATOR, Qt.SortOrder.DescendingOrder)
    assert texts(model, SpanTableModel.ANNOTATOR)[0] == "bob"
    # A span added while sorted lands in its sorted place.
    model.session.add_span(1, TEXT.index("phone call"), TEXT.index("phone call") + 10, 3)
    assert "phone call" in texts(model)


def test_click_enter_and_relation_click(qtbot, panel, project) -> None:
    quote = add(project, "nobody should expect", 1)
    source = add(project, "Dmitry Peskov", 2)
    project.add_relation(quote.id, source.id, DEFAULT_RELATION_TYPE, "alice")
    model = load(panel, project)
    row = model.row_of(quote.id)
    assert row is not None
    rect = panel.view.visualRect(model.index(row, SpanTableModel.TEXT))
    with qtbot.waitSignal(panel.span_chosen) as blocker:
        qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [quote.id]
    with qtbot.waitSignal(panel.span_chosen) as blocker:
        qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    assert blocker.args == [quote.id]
    rect = panel.view.visualRect(model.index(row, SpanTableModel.RELATIONS))
    panel.view.scrollTo(model.index(row, SpanTableModel.RELATIONS))
    rect = panel.view.visualRect(model.index(row, SpanTableModel.RELATIONS))
    with qtbot.waitSignal(panel.relation_followed) as blocker:
        qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [source.id]
    assert panel.view.currentIndex() != QModelIndex()


def test_layers_panel_lists_every_layer_with_toggles_and_legend(qtbot, qtmodeltester) -> None:
    panel = LayersPanel()
    qtbot.addWidget(panel)
    names = ["alice", "bob", "gold", "carol"]
    styles = assign_layer_styles(names, "alice")
    panel.model.set_layers(
        names, "alice", styles, shown={"bob", "gold", "carol"}, counts={"bob": 3}
    )
    qtmodeltester.check(panel.model)
    model = panel.model
    assert model.names() == ["alice", "bob", "carol", "gold"]
    assert [model.index(r, 1).data() for r in range(4)] == [
        LayerStyle.FILL.description,
        LayerStyle.OUTLINE.description,
        LayerStyle.UNDERLINE.description,
        LayerStyle.GOLD.description,
    ]
    assert model.index(0, 0).data() == "alice (you)"
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsUserCheckable
    with qtbot.waitSignal(model.visibility_changed) as blocker:
        model.setData(
            model.index(1, 0), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole
        )
    assert blocker.args == ["bob", False]
    assert model.shown() == {"gold", "carol"}
    assert model.index(1, 2).data() == 3


def test_relation_types_are_kept_in_the_project(project) -> None:
    assert relation_types(project) == [DEFAULT_RELATION_TYPE]
    assert set_relation_types(project, ["supports", "contradicts"]) == [
        DEFAULT_RELATION_TYPE,
        "supports",
        "contradicts",
    ]
    with pytest.raises(ProjectError, match="space"):
        set_relation_types(project, ["two words"])
    with pytest.raises(ProjectError, match="twice"):
        set_relation_types(project, ["a", "A"])
    assert relation_types(project) == [DEFAULT_RELATION_TYPE, "supports", "contradicts"]
    a = add(project, "Dmitry Peskov", 2)
    b = add(project, "reporters", 2)
    project.add_relation(a.id, b.id, "imported_type", "alice")
    assert relation_types(project)[-1] == "imported_type"
    path = project.path
    project.close()
    with Project.open(path) as again:
        assert "contradicts" in relation_types(again)


def test_relation_types_dialog_and_chooser(qtbot) -> None:
    dialog = RelationTypesDialog([DEFAULT_RELATION_TYPE, "supports"])
    qtbot.addWidget(dialog)
    assert dialog.add_type("contradicts")
    assert not dialog.add_type("supports")
    assert "already" in dialog.message.text()
    assert not dialog.add_type("has space")
    assert dialog.types() == [DEFAULT_RELATION_TYPE, "supports", "contradicts"]
    chooser = RelationTypeChooser()
    qtbot.addWidget(chooser)
    assert chooser.chosen() == DEFAULT_RELATION_TYPE
    chooser.set_types(dialog.types())
    chooser.setCurrentIndex(chooser.findText("supports"))
    chooser.set_types([DEFAULT_RELATION_TYPE, "supports", "new"])
    assert chooser.chosen() == "supports"
    chooser.set_types([DEFAULT_RELATION_TYPE])
    assert chooser.chosen() == DEFAULT_RELATION_TYPE
