"""The span panel, relation types and the article list in the main window, through real clicks."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt

from annotator.core.model import DEFAULT_RELATION_TYPE, ArticleDraft
from annotator.settings import Settings
from annotator.store import Project
from annotator.store.relation_types import set_relation_types
from annotator.ui.main_window import MainWindow
from annotator.ui.models import SpanTableModel

LONG = "\n\n".join(
    f"Paragraph {i}. Officials said the talks would go on, and nobody expected much. " * 3
    for i in range(300)
)


def open_long(qtbot, tmp_path: Path, settings: Settings) -> tuple[MainWindow, list[int]]:
    path = tmp_path / "long.annot"
    with Project.open(path) as project:
        article_id, _ = project.add_article(ArticleDraft(text=LONG, title="Long"))
        ids = []
        for i in (3, 120, 250, 290):
            start = LONG.index(f"Paragraph {i}.")
            ids.append(project.add_span(article_id, start, start + 12, 1, annotator="alice").id)
        start = LONG.index("Paragraph 200.")
        ids.append(project.add_span(article_id, start, start + 9, 2, annotator="bob").id)
        project.add_relation(ids[0], ids[3], DEFAULT_RELATION_TYPE, "alice")
    window = MainWindow(Project.open(path), settings)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    window.open_article(article_id)
    return window, ids


def visible_range(window: MainWindow) -> tuple[int, int]:
    view = window.reader.view
    first = view.first_visible_offset()
    corner = QPoint(view.viewport().width() - 1, view.viewport().height() - 1)
    last = view._layers.utf16.to_code_point(view.cursorForPosition(corner).position())
    return first, last


def span_visible(window: MainWindow, span_id: int) -> bool:
    span = window.reader.view.spans[span_id]
    first, last = visible_range(window)
    return first <= span.start < last


def click_cell(qtbot, window: MainWindow, span_id: int, column: int) -> None:
    panel = window.spans.panel
    model = window.span_model
    row = model.row_of(span_id)
    assert row is not None
    index = model.index(row, column)
    panel.view.scrollTo(index)
    rect = panel.view.visualRect(index)
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_clicking_a_span_row_scrolls_the_reader_to_it_and_selects_it(
    qtbot, tmp_path, settings
) -> None:
    window, ids = open_long(qtbot, tmp_path, settings)
    try:
        for span_id in (ids[2], ids[0], ids[3], ids[2]):
            click_cell(qtbot, window, span_id, SpanTableModel.TEXT)
            assert window.reader.view.current_span_id == span_id
            assert span_visible(window, span_id)
        # The reader moved away; clicking the same (current) row brings it back.
        window.reader.view.scroll_to_offset(0)
        assert not span_visible(window, ids[2])
        click_cell(qtbot, window, ids[2], SpanTableModel.LABEL)
        assert span_visible(window, ids[2])
    finally:
        window.close()


def test_enter_on_a_row_goes_to_the_span_and_a_relation_click_to_its_other_end(
    qtbot, tmp_path, settings
) -> None:
    window, ids = open_long(qtbot, tmp_path, settings)
    try:
        panel = window.spans.panel
        model = window.span_model
        window.reader.view.scroll_to_offset(0)
        panel.view.setFocus()
        panel.view.setCurrentIndex(model.index(model.row_of(ids[1]), SpanTableModel.TEXT))
        window.reader.view.scroll_to_offset(0)
        qtbot.keyClick(panel.view, Qt.Key.Key_Return)
        assert window.reader.view.current_span_id == ids[1]
        assert span_visible(window, ids[1])
        relations = model.index(model.row_of(ids[0]), SpanTableModel.RELATIONS).data()
        assert relations.startswith("attributed_to →")
        click_cell(qtbot, window, ids[0], SpanTableModel.RELATIONS)
        assert window.reader.view.current_span_id == ids[3]
        assert span_visible(window, ids[3])
    finally:
        window.close()


def test_span_panel_at_1024_pixels_keeps_the_text_readable_with_layers(
    qtbot, tmp_path, settings
) -> None:
    window, _ids = open_long(qtbot, tmp_path, settings)
    try:
        window.resize(1024, 768)
        qtbot.wait(20)
        panel = window.spans.panel
        assert not panel.view.isColumnHidden(SpanTableModel.ANNOTATOR)  # two layers shown
        width = panel.view.viewport().width()
        assert panel.view.columnWidth(SpanTableModel.TEXT) >= 0.34 * width
        # Every header shown is whole.
        metrics = panel.view.horizontalHeader().fontMetrics()
        for column, title in enumerate(SpanTableModel.COLUMNS):
            if not panel.view.isColumnHidden(column):
                assert panel.view.columnWidth(column) >= metrics.horizontalAdvance(title), title
        panel.annotator_filter.setCurrentIndex(panel.annotator_filter.findData("bob"))
        assert {
            window.span_model.span_at(r).annotator for r in range(window.span_model.rowCount())
        } == {"bob"}
    finally:
        window.close()


def test_links_get_the_type_chosen_from_the_projects_relation_types(qtbot, window) -> None:
    session = window.session
    set_relation_types(session.project, ["supports", "contradicts"])
    window.relations.type_chooser.set_types([DEFAULT_RELATION_TYPE, "supports", "contradicts"])
    assert window.relations.relation_type() == DEFAULT_RELATION_TYPE
    text = window.reader.view.text
    first = session.add_span(window.article_id, 0, 5, 1)
    second = session.add_span(window.article_id, text.index("Peskov"), text.index("Peskov") + 6, 2)
    window.reader.view.set_current_span(first.id)
    window.relations.type_chooser.setCurrentIndex(
        window.relations.type_chooser.findText("contradicts")
    )
    window.named_actions["link_span"].trigger()
    window.relations.finish_linking(second.id)
    [relation] = session.project.relations(window.article_id)
    assert relation.type == "contradicts"
    model = window.span_model
    assert (
        model.index(model.row_of(first.id), SpanTableModel.RELATIONS)
        .data()
        .startswith("contradicts →")
    )
    window.undo_stack.undo()
    assert session.project.relations(window.article_id) == []


def test_article_list_shows_outlet_date_status_and_spans_and_remembers_widths(
    qtbot, project_path, settings
) -> None:
    from annotator.ui.article_list_model import ArticleListModel

    with Project.open(project_path) as project:
        project.add_article(
            ArticleDraft(
                text="A fourth one.",
                title="A very long headline about the talks between Moscow and Washington " * 3,
                source="Bloomberg",
                published="2017-01-27T08:00:00Z",
            )
        )
    window = MainWindow(Project.open(project_path), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    try:
        model = window.article_model
        assert model.COLUMNS == ("Title", "Outlet", "Date", "Status", "Spans")
        row = model.row_of(4)
        assert model.index(row, ArticleListModel.DATE).data() == "2017-01-27"
        assert model.index(row, ArticleListModel.OUTLET).data() == "Bloomberg"
        title = model.index(row, ArticleListModel.TITLE).data(Qt.ItemDataRole.ToolTipRole)
        assert "Moscow and Washington" in title
        window.articles.view.sortByColumn(ArticleListModel.DATE, Qt.SortOrder.DescendingOrder)
        assert model.article_id(0) == 4
        header = window.articles.view.horizontalHeader()
        # A list too narrow for every column drops the outlet (the reader names it) rather than
        # cut a date; given room, it comes back.
        assert window.articles.view.isColumnHidden(ArticleListModel.OUTLET)
        metrics = window.articles.view.fontMetrics()
        for column, whole in (
            (ArticleListModel.DATE, "2017-01-27"),
            (ArticleListModel.STATUS, "in progress"),
        ):
            assert header.sectionSize(column) >= metrics.horizontalAdvance(whole), whole
        window.resizeDocks([window.articles_dock], [560], Qt.Orientation.Horizontal)
        qtbot.waitUntil(lambda: not window.articles.view.isColumnHidden(ArticleListModel.OUTLET))
        header.resizeSection(ArticleListModel.OUTLET, 131)
    finally:
        window.close()
    again = MainWindow(Project.open(project_path), settings)
    qtbot.addWidget(again)
    try:
        header = again.articles.view.horizontalHeader()
        assert header.sectionSize(ArticleListModel.OUTLET) == 131
    finally:
        again.close()
