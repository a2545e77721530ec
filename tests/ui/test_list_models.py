"""The article list and span table models on more rows than one page, and the main window's
list with them: rows read a page at a time wherever the view is, positions found without
reading the pages before them, and a changed span keeping its row (and the view's selection)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt

from annotator.core.model import ArticleDraft
from annotator.settings import ReadingPlace, Settings
from annotator.store import Project
from annotator.ui.article_list_model import ArticleListModel
from annotator.ui.main_window import MainWindow
from annotator.ui.models import SpanTableModel
from annotator.ui.session import ProjectSession
from annotator.ui.table_model import PAGE

ARTICLES = 2 * PAGE + 57


@pytest.fixture
def big_project(tmp_path: Path) -> Iterator[Project]:
    with Project.open(tmp_path / "many.annot") as project:
        quote = project.label_by_name("Quote")
        assert quote is not None
        with project.atomic():
            for n in range(ARTICLES):
                article_id, _ = project.add_article(
                    ArticleDraft(f"Story number {n} about talks.", title=f"Story {n:04d}")
                )
                if n % 3 == 0:
                    project.add_span(article_id, 0, 5, quote.id, "alice")
                if n % 5 == 0:
                    project.set_article_status(article_id, "done")
        yield project


class CountingProject:
    """Counts the pages the model reads (article_summaries calls)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.pages = 0
        self._real = project.article_summaries

        def counted(*args: object, **kwargs: object) -> object:
            self.pages += 1
            return self._real(*args, **kwargs)  # type: ignore[arg-type]

        project.article_summaries = counted  # type: ignore[method-assign]


def test_rows_are_every_article_and_pages_are_read_when_shown(qapp, big_project: Project):
    counter = CountingProject(big_project)
    model = ArticleListModel(ProjectSession(big_project, "alice"))
    assert model.rowCount() == model.total == ARTICLES
    assert counter.pages == 0  # nothing read until a row is asked for
    assert model.index(0, 0).data() == "Story 0000"
    assert model.index(ARTICLES - 1, 0).data() == f"Story {ARTICLES - 1:04d}"
    assert counter.pages == 2  # the first page and the last, not the one between
    assert model.article_id(PAGE + 3) == PAGE + 4
    assert counter.pages == 3
    assert model.article_id(ARTICLES) is None and model.article_id(-1) is None
    assert not model.canFetchMore(QModelIndex())


def test_row_of_finds_a_far_article_reading_one_page(qapp, big_project: Project):
    counter = CountingProject(big_project)
    model = ArticleListModel(ProjectSession(big_project, "alice"))
    model.sort(ArticleListModel.STATUS, Qt.SortOrder.DescendingOrder)  # status: done first
    last = ARTICLES  # id of the last article: n = ARTICLES - 1, not a multiple of 5: not done
    row = model.row_of(last)
    assert row is not None and model.article_id(row) == last
    assert counter.pages == 1
    expected = [
        s.id for s in big_project.article_summaries(0, 10_000, order_by="status", descending=True)
    ]
    assert row == expected.index(last)
    quote = big_project.label_by_name("Quote")
    assert quote is not None
    model.set_filter("", quote.id)
    assert model.total == len(range(0, ARTICLES, 3))
    assert model.row_of(2) is None  # article 2 (n = 1) has no quote
    filtered = [
        s.id
        for s in big_project.article_summaries(
            0, 10_000, order_by="status", descending=True, label_id=quote.id
        )
    ]
    assert model.row_of(ARTICLES) == filtered.index(ARTICLES)  # n = 456 is a multiple of 3
    model.set_filter("talks 0456", None)
    assert model.total == 1 and model.article_id(0) == 457


def test_article_list_passes_the_model_tester(qapp, qtmodeltester, big_project: Project):
    model = ArticleListModel(ProjectSession(big_project, "alice"))
    qtmodeltester.check(model)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)


def test_window_opens_the_last_place_far_down_the_list(qtbot, big_project: Project):
    path = big_project.path
    far = ARTICLES - 5
    settings = Settings(annotator="alice", places={str(path): ReadingPlace(far, 0)})
    big_project.close()
    window = MainWindow(Project.open(path), settings)
    qtbot.addWidget(window)
    assert window.article_id == far
    row = window.article_model.row_of(far)
    assert row == far - 1
    assert window.articles.view.selectionModel().isRowSelected(row, QModelIndex())
    window.named_actions["next_article"].trigger()
    assert window.article_id == far + 1
    window.articles.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    window.named_actions["next_article"].trigger()  # the next one in the new order
    assert window.article_id == far
    window.close()


def test_a_changed_span_keeps_its_row_and_the_views_selection(qtbot, big_project: Project):
    from PySide6.QtWidgets import QTableView

    session = ProjectSession(big_project, "alice")
    article_id = 1
    quote, source = session.label_for_hotkey("1"), session.label_for_hotkey("2")
    assert quote is not None and source is not None
    spans = [session.add_span(article_id, start, start + 3, quote.id) for start in (6, 13, 20)]
    model = SpanTableModel(session)
    model.set_article(article_id, big_project.spans(article_id), [])
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    moved: list[int] = []
    view.selectionModel().currentRowChanged.connect(lambda cur, _prev: moved.append(cur.row()))
    middle = spans[1]
    row = model.row_of(middle.id)
    assert row is not None
    flags = (
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    )
    view.selectionModel().setCurrentIndex(model.index(row, 0), flags)
    moved.clear()
    session.update_span(middle.id, label_id=source.id)  # relabel: same place
    assert model.span_at(view.currentIndex().row()).id == middle.id  # type: ignore[union-attr]
    assert model.span_at(row).label_id == source.id  # type: ignore[union-attr]
    session.update_span(middle.id, start=22, end=26)  # boundaries: it moves down, selected
    current = model.span_at(view.currentIndex().row())
    assert current is not None and current.id == middle.id and current.start == 22
    assert [s.id for s in model.spans()] == sorted(
        (s.id for s in model.spans()), key=lambda i: big_project.span(i).start
    )
    session.update_span(middle.id, start=0, end=7)  # and up, to the first row
    assert view.currentIndex().row() == 0 and model.span_at(0).id == middle.id  # type: ignore[union-attr]
    assert not moved or all(model.span_at(r) is not None for r in moved)


def test_links_column_follows_relations(qtbot, big_project: Project):
    session = ProjectSession(big_project, "alice")
    quote, source = session.label_for_hotkey("1"), session.label_for_hotkey("2")
    assert quote is not None and source is not None
    head = session.add_span(2, 0, 5, quote.id)
    child = session.add_span(2, 6, 12, source.id)
    model = SpanTableModel(session)
    model.set_article(2, big_project.spans(2), big_project.relations(2))
    links = model.COLUMNS.index("Relations")

    def link_text(span_id: int) -> str:
        row = model.row_of(span_id)
        assert row is not None
        return str(model.index(row, links).data())

    assert link_text(head.id) == ""
    relation = session.add_relation(head.id, child.id, "attributed_to")
    assert link_text(head.id) == f"attributed_to → {child.text}"
    assert link_text(child.id) == f"attributed_to ← {head.text}"
    session.delete_relation(relation.id)
    assert link_text(head.id) == "" and link_text(child.id) == ""
