"""The corpus features in the real main window: search and jump to hits (F3), tag all
occurrences as one undo step, document labels in the header, claims and sources edited with
undo, the schema imported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from annotator.settings import Settings
from annotator.store import Project
from annotator.store.doc_labels import doc_labels, save_doc_field
from tests.corpus.conftest import AWKWARD, Corpus, corpus  # noqa: F401 (the fixture)


@pytest.fixture
def win(qtbot, corpus: Corpus, settings: Settings):  # noqa: F811
    from annotator.ui.main_window import MainWindow

    with Project.open(corpus.path, backups=False) as project:
        save_doc_field(project, "Frame", "single", choices=["conflict", "economic"])
        save_doc_field(project, "Topics", "multiple", choices=["war", "trade"])
    window = MainWindow(Project.open(corpus.path), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    if window.project is not None:
        window.close()


def test_search_hit_opens_article_and_selects_it_and_f3_steps(qtbot, win, corpus: Corpus) -> None:  # noqa: F811
    win.named_actions["search_corpus"].trigger()
    panel = win.corpus.search_panel
    assert win.corpus.docks["search"].isVisible()
    panel.query_edit.setText("sanctions")
    qtbot.keyClick(panel.query_edit, Qt.Key.Key_Return)
    assert panel.model.rowCount() >= 5
    awkward_row = next(
        r for r in range(panel.model.rowCount()) if panel.model.hit(r).article_id == corpus.awkward
    )
    rect = panel.table.visualRect(panel.model.index(awkward_row, 2))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert win.article_id == corpus.awkward
    hit = panel.model.hit(awkward_row)
    assert win.reader.view.selected_range() == (hit.start, hit.end)
    assert AWKWARD[hit.start : hit.end] == "sanctions"  # after an emoji and a flag
    win.named_actions["find_next_hit"].trigger()
    following = panel.model.hit(awkward_row + 1)
    assert win.reader.view.selected_range() == (following.start, following.end)
    win.named_actions["find_previous_hit"].trigger()
    assert win.reader.view.selected_range() == (hit.start, hit.end)
    panel.query_edit.setText("NOT")
    qtbot.keyClick(panel.query_edit, Qt.Key.Key_Return)
    assert "syntax error" in panel.status.text()


def test_tag_all_occurrences_is_one_undo_step(qtbot, win, corpus: Corpus) -> None:  # noqa: F811
    win.open_article(corpus.awkward)
    start = AWKWARD.index("sanctions")
    win.reader.view.select_range(start, start + len("sanctions"))
    label_id = next(lb.id for lb in win.session.labels() if lb.name == "Speculation")
    span = win.tag_selection(label_id)
    assert span is not None
    win.reader.view.set_current_span(span.id)
    dialog = win.corpus.tag_all_dialog(win.corpus.current_span())
    qtbot.addWidget(dialog)
    # In this article: "sanctions" (second line); SANCTIONS in "SANCTIONS-related" is a whole word too.
    texts = [item.data(0, Qt.ItemDataRole.UserRole).text for item in dialog.items()]
    assert texts == ["sanctions", "SANCTIONS", "sanctions"]
    dialog.case_box.setChecked(True)
    assert [i.data(0, Qt.ItemDataRole.UserRole).text for i in dialog.items()] == ["sanctions"] * 2
    dialog.corpus_button.setChecked(True)
    assert len(dialog.items()) > 2  # the seed article too
    dialog.items()[0].setCheckState(0, Qt.CheckState.Unchecked)
    chosen = dialog.checked()
    assert "of" in dialog.summary.text()
    before = win.session.project.counts()["spans"]
    depth = win.undo_stack.count()
    assert win.corpus.apply_occurrences(label_id, chosen) == len(chosen)
    assert win.session.project.counts()["spans"] == before + len(chosen)
    assert win.undo_stack.count() == depth + 1
    win.undo_stack.undo()
    assert win.session.project.counts()["spans"] == before
    win.undo_stack.redo()
    assert win.session.project.counts()["spans"] == before + len(chosen)


def test_doc_labels_edited_in_the_header_with_undo(qtbot, win, corpus: Corpus) -> None:  # noqa: F811
    win.open_article(corpus.seed)
    bar = win.corpus.doc_bar
    assert bar.isVisible()
    frame = bar.editors["Frame"]
    frame.setFocus()
    qtbot.keyClick(frame, Qt.Key.Key_Down)  # by key: the next choice
    assert doc_labels(win.session.project, corpus.seed) == {"Frame": ["conflict"]}
    topics = bar.editors["Topics"]
    qtbot.mouseClick(topics[1], Qt.MouseButton.LeftButton)  # by mouse
    assert doc_labels(win.session.project, corpus.seed) == {
        "Frame": ["conflict"],
        "Topics": ["trade"],
    }
    win.undo_stack.undo()
    assert doc_labels(win.session.project, corpus.seed) == {"Frame": ["conflict"]}
    assert not topics[1].isChecked()
    win.open_article(corpus.awkward)
    assert frame.currentText() == "—"
    win.undo_stack.redo()
    assert doc_labels(win.session.project, corpus.seed)["Topics"] == ["trade"]


def test_claim_checked_in_the_claims_view_is_undoable(qtbot, win, corpus: Corpus) -> None:  # noqa: F811
    win.named_actions["show_claims"].trigger()
    view = win.corpus.claims_view
    assert view.model.rowCount() == 2
    view.table.selectRow(1)
    view.verdict_edit.setCurrentText("misleading")
    view.status_edit.setCurrentText("checked")
    qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
    assert view.model.claim(1).verdict == "misleading"
    win.undo_stack.undo()
    view.reload()
    assert view.model.claim(1).verdict == ""
    view.table.doubleClicked.emit(view.model.index(0, 0))
    claim = view.model.claim(0)
    assert win.article_id == claim.article_id
    assert win.reader.view.selected_range() == (claim.start, claim.end)


def test_named_override_from_the_attribution_view(qtbot, win, corpus: Corpus) -> None:  # noqa: F811
    win.named_actions["show_attribution"].trigger()
    view = win.corpus.attribution_view
    tree = view.tree
    officials = next(
        tree.topLevelItem(i)
        for i in range(tree.topLevelItemCount())
        if tree.topLevelItem(i).text(0) == "Officials"
    )
    tree.setCurrentItem(officials)
    qtbot.mouseClick(view.named_button, Qt.MouseButton.LeftButton)
    officials = next(
        tree.topLevelItem(i)
        for i in range(tree.topLevelItemCount())
        if tree.topLevelItem(i).text(0) == "Officials"
    )
    assert officials.text(1) == "named"
    win.undo_stack.undo()
    view.reload()
    officials = next(
        tree.topLevelItem(i)
        for i in range(tree.topLevelItemCount())
        if tree.topLevelItem(i).text(0) == "Officials"
    )
    assert officials.text(1) == "anonymous (guess)"


def test_schema_import_from_the_window(qtbot, win, tmp_path: Path, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    good = tmp_path / "s.json"
    good.write_text(
        json.dumps(
            {
                "news_annotator_schema": 1,
                "labels": [
                    {"name": "Anonymous", "parent": "Source", "description": "Unnamed source"}
                ],
                "doc_labels": [{"name": "Reliability", "type": "number", "min": 1, "max": 5}],
            }
        )
    )
    assert win.corpus.import_schema_file(good)
    assert any(lb.name == "Anonymous" for lb in win.session.labels())
    assert "Reliability" in win.corpus.doc_bar.editors
    assert "Unnamed source" in win.corpus.guidelines.browser.toPlainText()
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warned.append(a[2]))
    bad = tmp_path / "bad.json"
    bad.write_text('{"news_annotator_schema": 1, "labelz": []}')
    assert not win.corpus.import_schema_file(bad)
    assert "unknown field 'labelz'" in warned[0]


def test_article_list_filters_combine_and_count(qtbot, win, corpus: Corpus) -> None:  # noqa: F811
    c = win.corpus
    qtbot.mouseClick(c.filter_button, Qt.MouseButton.LeftButton)
    bar = c.filter_bar
    assert bar.isVisible()
    model = win.article_model

    def listed() -> list[int]:
        return [model.article_id(r) for r in range(model.rowCount())]

    assert listed() == [1, 2, 3]
    bar.status_boxes["in progress"].setChecked(True)
    assert listed() == [1, 2]
    assert "2 of 3 articles: 0 new, 2 in progress, 0 done" == bar.count_label.text()
    bar.outlet_combo.setCurrentIndex(bar.outlet_combo.findData("Test Wire"))
    assert listed() == [2]
    bar.outlet_combo.setCurrentIndex(0)
    bar.label_mode.setCurrentText("without")
    bar.label_combo.setCurrentIndex(bar.label_combo.findText("Claim"))
    assert listed() == []
    bar.label_mode.setCurrentText("with")
    bar.annotator_combo.setCurrentIndex(bar.annotator_combo.findData("bob"))
    assert listed() == [1, 2]
    bar.date_from.setText("2017-02")
    qtbot.waitUntil(lambda: listed() == [2])
    # The Search panel's query, once run, can filter the list too.
    bar.date_from.clear()
    qtbot.waitUntil(lambda: listed() == [1, 2])
    c.show_search()
    c.search_panel.search_for("weather OR Peskov")
    bar.search_box.setChecked(True)
    assert listed() == [1]
    assert win.articles.count_label.text() == "1 of 3 articles"
    # Folded away, the filters no longer apply.
    qtbot.mouseClick(c.filter_button, Qt.MouseButton.LeftButton)
    assert listed() == [1, 2, 3]


def test_span_edits_are_checked_against_attribute_definitions(qtbot, win, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from annotator.core.schema import AttributeDef
    from annotator.store.schema_defs import set_attribute_defs
    from annotator.ui.controllers import spans as spans_module

    project = win.session.project
    claim_label = next(lb for lb in win.session.labels() if lb.name == "Claim")
    set_attribute_defs(
        project,
        claim_label.id,
        [
            AttributeDef("verdict", "choice", ("true", "false")),
            AttributeDef("score", "number", minimum=1, maximum=5),
        ],
    )
    span = next(s for s in project.spans(1) if s.label_id == claim_label.id)
    refusal = win.corpus.attribute_refusal(span, {"attributes": {"verdict": "maybe", "score": "9"}})
    assert refusal is not None and "verdict: 'maybe' is not one of true, false" in refusal
    assert win.corpus.attribute_refusal(span, {"attributes": {"verdict": "true"}}) is None
    assert win.corpus.attribute_refusal(span, {"note": "x"}) is None

    # Through the window's Edit Span command, with the dialog answering as the analyst would.
    class Dialog:
        DialogCode = spans_module.SpanEditorDialog.DialogCode
        removed_relations: list = []

        def __init__(self, *args: object) -> None:
            pass

        def exec(self) -> object:
            return self.DialogCode.Accepted

        def changes(self) -> dict[str, object]:
            return {"attributes": {"verdict": "maybe"}}

    warned: list[str] = []
    monkeypatch.setattr(spans_module, "SpanEditorDialog", Dialog)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warned.append(a[2]))
    win.open_article(1)
    win.reader.view.set_current_span(span.id)
    depth = win.undo_stack.count()
    win.named_actions["edit_span"].trigger()
    assert warned and "not one of true, false" in warned[0]
    assert project.span(span.id).attributes == span.attributes
    assert win.undo_stack.count() == depth


def test_corpus_panels_read_nothing_until_shown(qtbot, win, corpus: Corpus) -> None:  # noqa: F811
    """Claims, sources and statistics read the whole corpus: not while the window comes up."""
    corpus_panels = win.corpus
    qtbot.wait(400)  # past the refresh timer that reads the panels on screen
    assert corpus_panels.claims_view.model.rowCount() == 0
    assert corpus_panels.attribution_view.tree.topLevelItemCount() == 0
    assert corpus_panels.dashboard.stats is None and not corpus_panels.dashboard.canvases
    win.named_actions["show_claims"].trigger()
    assert corpus_panels.claims_view.model.rowCount() > 0
    win.named_actions["show_attribution"].trigger()
    assert corpus_panels.attribution_view.tree.topLevelItemCount() > 0
    win.named_actions["show_statistics"].trigger()
    assert corpus_panels.dashboard.stats is not None and corpus_panels.dashboard.canvases


def test_undoing_a_label_deletion_gives_back_its_parent_and_attributes(
    qtbot,
    win,
    corpus: Corpus,  # noqa: F811
) -> None:
    from annotator.core.schema import AttributeDef
    from annotator.store.schema_defs import (
        attribute_defs,
        label_parents,
        set_attribute_defs,
        set_label_parent,
    )

    project = win.session.project
    ids = {label.name: label.id for label in project.labels()}
    set_label_parent(project, ids["Quote"], ids["Source"])
    defs = [AttributeDef("tone", "choice", ("neutral", "hostile"), None, None, "")]
    set_attribute_defs(project, ids["Quote"], defs)
    spans = project.counts()["spans"]
    win.labels.delete_label(ids["Quote"])
    assert ids["Quote"] not in {label.id for label in project.labels()}
    win.undo_stack.undo()
    assert label_parents(project)[ids["Quote"]] == ids["Source"]
    assert attribute_defs(project, ids["Quote"]) == defs
    assert project.counts()["spans"] == spans
    win.undo_stack.redo()
    win.undo_stack.undo()  # the second restore, from the redo's own snapshot, keeps them too
    assert label_parents(project)[ids["Quote"]] == ids["Source"]
    assert attribute_defs(project, ids["Quote"]) == defs


def test_search_finds_titles_and_notes_and_a_note_hit_selects_its_span(
    qtbot,
    win,
    corpus: Corpus,  # noqa: F811
) -> None:
    project = win.session.project
    label = project.labels()[0].id
    span = project.add_span(corpus.plain, 11, 14, label, "alice")  # "see"
    project.update_span(span.id, note="Ask the Kremlin 🇷🇺 first")
    win.named_actions["search_corpus"].trigger()
    panel = win.corpus.search_panel
    panel.query_edit.setText("kremlin OR plain")
    qtbot.keyClick(panel.query_edit, Qt.Key.Key_Return)
    rows = {
        panel.model.hit(r).where: r
        for r in range(panel.model.rowCount())
        if panel.model.hit(r).article_id == corpus.plain
    }
    assert set(rows) == {"title", "note"}
    where_column = panel.model.COLUMNS.index("In")
    assert panel.model.index(rows["note"], where_column).data() == "note"
    assert panel.model.index(rows["title"], where_column).data() == "title"
    assert panel.model.index(rows["note"], 2).data() == "Kremlin"
    win.open_article(corpus.seed)
    rect = panel.table.visualRect(panel.model.index(rows["note"], 2))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert win.article_id == corpus.plain
    assert win.reader.view.current_span_id == span.id
    assert win.reader.view.selected_range() == (11, 14)
    win.open_article(corpus.seed)
    rect = panel.table.visualRect(panel.model.index(rows["title"], 2))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert win.article_id == corpus.plain
