"""The corpus panels through their real widgets on a real project: search, claims,
attribution and the statistics dashboard."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtCore import Qt

from annotator.store import Project
from annotator.store.claims import claims
from annotator.store.search import SearchHit
from annotator.store.sources import QuoteRef
from annotator.ui.corpus.attribution_view import AttributionView
from annotator.ui.corpus.claims_view import ClaimsView
from annotator.ui.corpus.dashboard import StatsDashboard
from annotator.ui.corpus.search_panel import PAGE, SearchHitModel, SearchPanel
from tests.corpus.conftest import AWKWARD, Corpus, corpus  # noqa: F401 (the fixture)


def test_search_panel_shows_kwic_rows_and_activates_hits(qtbot, corpus: Corpus) -> None:  # noqa: F811
    project = Project.open(corpus.path, read_only=True)
    panel = SearchPanel()
    qtbot.addWidget(panel)
    panel.set_project(project)
    panel.query_edit.setText("sanctions")
    qtbot.keyClick(panel.query_edit, Qt.Key.Key_Return)
    model = panel.model
    assert model.rowCount() > 3
    # Columns: article | left | hit | right; the hit column is the word itself.
    assert {model.index(r, 2).data() for r in range(model.rowCount())} == {"sanctions", "SANCTIONS"}
    assert "hit(s)" in panel.status.text()
    qtbot.waitUntil(lambda: "2 article(s) match" in panel.status.text())
    with qtbot.waitSignal(panel.hit_activated) as activated:
        rect = panel.table.visualRect(model.index(0, 2))
        qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    hit = activated.args[0]
    assert isinstance(hit, SearchHit) and hit.article_id == corpus.seed
    with qtbot.waitSignal(panel.hit_activated) as stepped:
        panel.step(1)
    assert stepped.args[0] == model.hit(1)
    project.close()


def test_the_article_count_after_a_search_is_skipped_once_the_project_is_closed(
    qtbot,
    corpus: Corpus,  # noqa: F811
) -> None:
    # The first page shows at once and the articles are counted on the next turn of the event
    # loop: a window closed in between (its project with it) must not have the count read a
    # closed file (an error in the excepthook), nor a panel deleted in between be called.
    project = Project.open(corpus.path, read_only=True)
    panel = SearchPanel()
    qtbot.addWidget(panel)
    panel.set_project(project)
    assert panel.search_for("sanctions")
    shown = panel.status.text()
    project.close()
    qtbot.wait(50)  # the count's turn: pytest-qt fails the test on an exception raised in it
    assert panel.status.text() == shown and "article(s) match" not in shown
    with Project.open(corpus.path, read_only=True) as again:
        gone = SearchPanel()
        gone.set_project(again)
        assert gone.search_for("sanctions")
        gone.deleteLater()
        qtbot.waitUntil(lambda: not _alive(gone))
        qtbot.wait(50)


def _alive(widget: SearchPanel) -> bool:
    from shiboken6 import isValid

    return bool(isValid(widget))


def test_search_panel_restricts_to_label_and_explains_bad_queries(qtbot, corpus: Corpus) -> None:  # noqa: F811
    with Project.open(corpus.path, read_only=True) as project:
        panel = SearchPanel()
        qtbot.addWidget(panel)
        panel.set_project(project)
        panel.label_combo.setCurrentText("Quote")
        assert panel.search_for("sanctions", panel.scope())
        hits = [panel.model.hit(r) for r in range(panel.model.rowCount())]
        assert [(h.article_id, h.label) for h in hits if h] == [(corpus.awkward, "Quote")] * 2
        assert AWKWARD[hits[0].start : hits[0].end] == "sanctions"  # type: ignore[union-attr]
        panel.query_edit.setText('"sanctions')
        assert panel.run_search() is False
        assert panel.model.rowCount() == 0
        assert "double quote is not closed" in panel.status.text()


def test_search_panel_saves_and_reruns_searches(qtbot, corpus: Corpus) -> None:  # noqa: F811
    with Project.open(corpus.path, backups=False) as project:
        panel = SearchPanel()
        qtbot.addWidget(panel)
        panel.set_project(project)
        panel.label_combo.setCurrentText("Quote")
        panel.query_edit.setText("sanctions")
        assert panel.save_as("Quotes on sanctions")
        panel.query_edit.setText("weather")
        panel.label_combo.setCurrentText("(any)")
        assert panel.run_search() and panel.model.rowCount() == 1
        index = panel.saved_combo.findText("Quotes on sanctions")
        panel.saved_combo.activated.emit(index)
        assert panel.query_edit.text() == "sanctions" and panel.label_combo.currentText() == "Quote"
        assert panel.model.rowCount() == 2
    with Project.open(corpus.path, read_only=True) as again:
        panel.set_project(again)
        assert panel.saved_combo.findText("Quotes on sanctions") >= 0


def test_hit_model_pages_with_fetch_more(qtbot, tmp_path: Path, qtmodeltester) -> None:
    from annotator.core.model import ArticleDraft

    with Project.open(tmp_path / "many.annot", backups=False) as project:
        with project.atomic():
            for i in range(30):
                project.add_article(ArticleDraft(text=f"Article {i}. " + "the word " * 20))
        model = SearchHitModel()
        model.run(project, "word")
        assert model.rowCount() == PAGE and model.canFetchMore()
        model.fetchMore()
        model.fetchMore()
        model.fetchMore()
        assert model.rowCount() == 600 and not model.canFetchMore()
        keys = [model.hit(r).key for r in range(600)]  # type: ignore[union-attr]
        assert keys == sorted(set(keys))
        qtmodeltester.check(model)


def test_claims_view_filters_edits_and_jumps(qtbot, corpus: Corpus) -> None:  # noqa: F811
    with Project.open(corpus.path, backups=False) as project:
        view = ClaimsView()
        qtbot.addWidget(view)
        view.set_project(project)
        assert view.model.rowCount() == 2
        assert "2 claim(s), 1 checked, 1 open" in view.count_label.text()
        view.status_filter.setCurrentText("open")
        assert view.model.rowCount() == 1
        view.table.selectRow(0)
        assert view.verdict_edit.currentText() == ""
        view.verdict_edit.setCurrentText("false")
        view.checker_edit.setText("Bo")
        view.status_edit.setCurrentText("checked")
        view.evidence_edit.setPlainText("https://example.org/x\nspan:1:0-5\n")
        with qtbot.waitSignal(view.update_requested) as request:
            qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
        span_id, attributes = request.args
        assert attributes["verdict"] == "false"
        assert attributes["evidence"] == '["https://example.org/x", "span:1:0-5"]'
        project.update_span(span_id, attributes=attributes)  # what the window's command does
        view.reload()
        assert view.model.rowCount() == 0  # no longer open
        view.status_filter.setCurrentText("checked")
        assert view.model.rowCount() == 2
        with qtbot.waitSignal(view.claim_activated) as jumped:
            view.table.doubleClicked.emit(view.model.index(1, 0))
        assert jumped.args[0].span_id == span_id
        assert [c.verdict for c in claims(project)] == ["mostly true", "false"]


def test_attribution_view_lists_sources_and_requests_overrides(qtbot, corpus: Corpus) -> None:  # noqa: F811
    with Project.open(corpus.path, read_only=True) as project:
        view = AttributionView()
        qtbot.addWidget(view)
        view.set_project(project)
        tree = view.tree
        names = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
        assert set(names) == {
            "Peskov",
            "presidential spokesman Dmitry Peskov",
            "«مصدر مطلع»",
            "Officials",
        }
        officials = next(
            tree.topLevelItem(i)
            for i in range(tree.topLevelItemCount())
            if tree.topLevelItem(i).text(0) == "Officials"
        )
        assert officials.text(1) == "anonymous (guess)" and officials.text(2) == "1"
        assert "4 source(s): 2 named, 2 anonymous" in view.summary.text()
        tree.setCurrentItem(officials)
        with qtbot.waitSignal(view.named_requested) as request:
            qtbot.mouseClick(view.named_button, Qt.MouseButton.LeftButton)
        assert request.args[1] is True and len(request.args[0]) == 1
        with qtbot.waitSignal(view.quote_activated) as activated:
            tree.itemDoubleClicked.emit(officials.child(0), 0)
        assert isinstance(activated.args[0], QuoteRef)
        view.article_button.setChecked(True)
        view.set_article(corpus.seed)
        assert tree.topLevelItemCount() == 2


def test_dashboard_draws_and_exports(qtbot, corpus: Corpus, tmp_path: Path) -> None:  # noqa: F811
    from PIL import Image

    with Project.open(corpus.path, read_only=True) as project:
        dash = StatsDashboard()
        qtbot.addWidget(dash)
        dash.set_project(project)
        assert dash.tabs.count() == 5
        assert "9 span(s) in 3 article(s)" in dash.summary.text()
        figure = dash.canvases["labels"].figure  # type: ignore[attr-defined]
        axes = figure.axes[0]
        assert [t.get_text() for t in axes.get_xticklabels()] == [
            "Quote",
            "Source",
            "Claim",
            "Speculation",
        ]
        assert [p.get_height() for p in axes.patches] == [3, 4, 2, 0]
        dash.tabs.setCurrentIndex(2)
        dash.export("png", tmp_path / "o.png")
        dash.export("svg", tmp_path / "o.svg")
        dash.export("csv", tmp_path / "o.csv")
        with Image.open(tmp_path / "o.png") as image:
            assert image.format == "PNG"
        assert "Spans per outlet" in (tmp_path / "o.svg").read_text(encoding="utf-8")
        with (tmp_path / "o.csv").open(encoding="utf-8", newline="") as fh:
            assert list(csv.reader(fh)) == [
                ["outlet", "spans"],
                ["Test Wire", "5"],
                ["ZeroHedge", "4"],
            ]
