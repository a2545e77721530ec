"""The base of the flat table models: counts and header answered once, for every table."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from annotator.ui.article_list_model import ArticleListModel
from annotator.ui.corpus.claims_view import ClaimsModel
from annotator.ui.corpus.search_panel import SearchHitModel
from annotator.ui.layers_panel import LayersModel
from annotator.ui.models import SpanTableModel
from annotator.ui.review.models import (
    DisagreementModel,
    FiguresModel,
    PairwiseModel,
    UnsharedModel,
)
from annotator.ui.table_model import ModelIndex, TableModel, one_line


class Words(TableModel):
    COLUMNS = ("Word", "Length")

    def __init__(self, words: list[str]) -> None:
        super().__init__()
        self.words = words

    def row_total(self) -> int:
        return len(self.words)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        word = self.words[index.row()]
        return word if index.column() == 0 else len(word)


def test_a_table_answers_counts_and_header_from_its_columns(qapp: object, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = Words(["café", "👍🏽", "مرحبا"])
    qtmodeltester.check(model)
    assert (model.rowCount(), model.columnCount()) == (3, 2)
    assert model.rowCount(model.index(0, 0)) == 0  # flat: no row has children
    assert model.columnCount(model.index(0, 0)) == 0
    horizontal = Qt.Orientation.Horizontal
    assert [model.headerData(i, horizontal) for i in range(3)] == ["Word", "Length", None]
    assert model.headerData(0, horizontal, Qt.ItemDataRole.ToolTipRole) is None
    assert model.headerData(0, Qt.Orientation.Vertical) is None
    assert model.index(1, 1).data() == len("👍🏽")
    assert model.rowCount(QModelIndex()) == 3


def test_the_app_s_flat_tables_share_the_base() -> None:
    tables = (ArticleListModel, SpanTableModel, ClaimsModel, SearchHitModel, LayersModel)
    tables += (DisagreementModel, FiguresModel, PairwiseModel, UnsharedModel)
    for model in tables:
        assert issubclass(model, TableModel)
        assert "rowCount" not in vars(model) and "columnCount" not in vars(model)


def test_cell_text_goes_on_one_line_and_is_cut_with_an_ellipsis() -> None:
    text = "Peskov\r\n said\u00a0“talks”  e\u0301 👍🏽 مرحبا"
    assert one_line(text) == "Peskov said “talks” e\u0301 👍🏽 مرحبا"
    assert one_line("   \n ") == ""
    assert one_line(text, 12) == "Peskov said…"
    assert len(one_line(text, 12)) == 12
    assert one_line("short", 12) == "short"
