"""The main window driven like an analyst would: select, press a key, undo, reopen."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QTextCursor
from PySide6.QtWidgets import QApplication, QMessageBox

from annotator.core.model import ArticleDraft
from annotator.settings import Settings
from annotator.store import Project
from annotator.ui.actions import ACTIONS
from annotator.ui.main_window import MainWindow
from tests.ui.conftest import MIXED_TEXT


def db_spans(path: Path) -> list[tuple[int, int, str, str, str]]:
    """Spans as another process would read them: start, end, text, label, annotator."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            'SELECT s.start, s."end", s.text, l.name, s.annotator FROM spans s'
            " JOIN labels l ON l.id = s.label_id ORDER BY s.start, s.id"
        ).fetchall()
    finally:
        conn.close()


def select_utf16(window: MainWindow, start16: int, end16: int) -> None:
    view = window.reader.view
    cursor = view.textCursor()
    cursor.setPosition(start16)
    cursor.setPosition(end16, QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)


def utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def select_text(window: MainWindow, needle: str) -> tuple[int, int]:
    start = MIXED_TEXT.index(needle)
    end = start + len(needle)
    select_utf16(window, utf16(MIXED_TEXT, start), utf16(MIXED_TEXT, end))
    return start, end


def press(qtbot, window: MainWindow, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    window.reader.view.setFocus()
    qtbot.keyClick(window.reader.view, key, modifier)


def test_opens_first_article_and_shows_it(window: MainWindow) -> None:
    assert window.article_id is not None
    raw = window.reader.view.document().toRawText().replace("\u2029", "\n")
    assert raw == MIXED_TEXT
    assert window.article_model.rowCount() == 3
    assert window.reader.header.title_text() == "Mixed scripts"


@pytest.mark.parametrize(
    "needle",
    ["🇺🇸", "thumbs 👍🏽", "Cafe\u0301 owners\u00a0agreed", "المتحدث", "Peskov.\nCafe\u0301"],
)
def test_hotkey_tags_selection_with_exact_code_point_offsets(qtbot, window, project_path, needle):
    window.settings.snap_to_words = False
    window.reader.view.snap_to_words = False
    start, end = select_text(window, needle)
    press(qtbot, window, Qt.Key.Key_1)
    spans = db_spans(project_path)
    assert spans == [(start, end, needle, "Quote", "alice")]
    assert MIXED_TEXT[spans[0][0] : spans[0][1]] == needle


def test_selection_inside_a_flag_snaps_to_the_whole_grapheme(qtbot, window, project_path):
    window.reader.view.snap_to_words = False
    flag = MIXED_TEXT.index("🇺🇸")
    # From the middle of the first regional indicator's surrogate pair to the middle of the second.
    select_utf16(window, utf16(MIXED_TEXT, flag) + 1, utf16(MIXED_TEXT, flag + 1) + 1)
    press(qtbot, window, Qt.Key.Key_2)
    assert db_spans(project_path) == [(flag, flag + 2, "🇺🇸", "Source", "alice")]


def test_undo_and_redo_restore_the_database(qtbot, window, project_path):
    select_text(window, "Peskov")
    press(qtbot, window, Qt.Key.Key_2)
    assert len(db_spans(project_path)) == 1
    span_id = window.reader.view.current_span_id
    window.undo_action.trigger()
    assert db_spans(project_path) == []
    window.redo_action.trigger()
    assert [s[2] for s in db_spans(project_path)] == ["Peskov"]
    # the redone span has its old id, so relations and the selection stay valid
    assert window.session.project.spans(window.article_id)[0].id == span_id


def test_relabel_delete_and_undo_with_relations(qtbot, window, project_path):
    select_text(window, "“we will see”")
    press(qtbot, window, Qt.Key.Key_1)
    quote_id = window.reader.view.current_span_id
    select_text(window, "Peskov")
    press(qtbot, window, Qt.Key.Key_2)
    source_id = window.reader.view.current_span_id
    # link the quote to its source: select the quote, Link, click the source
    window.reader.view.set_current_span(quote_id)
    window.named_actions["link_span"].trigger()
    window.reader.view.span_clicked.emit(source_id)
    relations = window.session.project.relations(window.article_id)
    assert [(r.head_id, r.child_id, r.type) for r in relations] == [
        (quote_id, source_id, "attributed_to")
    ]
    # relabel the quote as a Claim with its hotkey (no text selected, span selected)
    window.reader.view.set_current_span(quote_id)
    view = window.reader.view
    cursor = view.textCursor()
    cursor.clearSelection()
    view.setTextCursor(cursor)
    window.reader.view.set_current_span(quote_id)
    press(qtbot, window, Qt.Key.Key_3)
    assert window.session.project.span(quote_id).label_id == window.session.label_for_hotkey("3").id
    # delete the source: its relation goes too; undo brings both back
    window.reader.view.set_current_span(source_id)
    window.named_actions["delete_span"].trigger()
    assert window.session.project.relations(window.article_id) == []
    assert len(db_spans(project_path)) == 1
    window.undo_action.trigger()
    assert len(db_spans(project_path)) == 2
    assert [
        (r.head_id, r.child_id) for r in window.session.project.relations(window.article_id)
    ] == [(quote_id, source_id)]
    # undo the relabel and the link, in order
    window.undo_action.trigger()
    assert window.session.project.span(quote_id).label_id == window.session.label_for_hotkey("1").id
    window.undo_action.trigger()
    assert window.session.project.relations(window.article_id) == []


def test_span_panel_follows_spans_and_selects_in_reader(qtbot, window):
    select_text(window, "Peskov")
    press(qtbot, window, Qt.Key.Key_2)
    select_text(window, "Expect many tweets to follow both phone calls.")
    press(qtbot, window, Qt.Key.Key_4)
    model = window.span_model
    assert model.rowCount() == 2
    assert [model.index(r, 0).data() for r in range(2)] == ["Source", "Speculation"]
    window.spans.view.selectRow(1)
    assert window.reader.view.current_span_id == model.span_at(1).id
    # filter by label
    window.spans.label_filter.setCurrentIndex(window.spans.label_filter.findText("Source"))
    assert model.rowCount() == 1


def test_next_and_previous_span_and_article_keys(qtbot, window):
    select_text(window, "Flags")
    press(qtbot, window, Qt.Key.Key_3)
    select_text(window, "Peskov")
    press(qtbot, window, Qt.Key.Key_2)
    window.reader.view.set_current_span(None)
    window.named_actions["next_span"].trigger()
    first = window.reader.view.current_span_id
    window.named_actions["next_span"].trigger()
    second = window.reader.view.current_span_id
    assert first != second
    window.named_actions["previous_span"].trigger()
    assert window.reader.view.current_span_id == first
    opened = window.article_id
    window.named_actions["next_article"].trigger()
    assert window.article_id != opened
    window.named_actions["previous_article"].trigger()
    assert window.article_id == opened


def test_boundary_nudges_merge_into_one_undo_step(qtbot, window):
    select_text(window, "tweets")
    press(qtbot, window, Qt.Key.Key_4)
    span_id = window.reader.view.current_span_id
    window.named_actions["extend_start"].trigger()
    window.named_actions["extend_end"].trigger()
    assert window.session.project.span(span_id).text == "many tweets to"
    window.undo_action.trigger()
    assert window.session.project.span(span_id).text == "tweets"


def test_label_set_edits_are_undoable(qtbot, window, monkeypatch):
    select_text(window, "Peskov")
    press(qtbot, window, Qt.Key.Key_2)
    source = window.session.label_for_hotkey("2")
    window.labels.update_label(source.id, {"name": "Speaker", "color": "#123456"})
    assert window.session.label(source.id).name == "Speaker"
    assert "Speaker (2)" in [a.text() for a in window.label_bar.actions()]
    window.undo_action.trigger()
    assert window.session.label(source.id).name == "Source"
    # deleting a label in use asks first and says how many spans it removes
    asked: list[str] = []

    def fake_exec(box):
        asked.append(box.text())
        assert box.textFormat() == Qt.TextFormat.PlainText
        return QMessageBox.StandardButton.Yes.value

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    window.labels.manage_labels()
    dialog = window.labels.label_dialog
    dialog.list.setCurrentRow([lb.id for lb in window.session.labels()].index(source.id))
    dialog.buttons["delete"].click()
    assert "removes 1 span" in asked[0]
    assert window.session.project.label_by_name("Source") is None
    assert window.session.project.counts()["spans"] == 0
    window.undo_action.trigger()
    assert window.session.project.label_by_name("Source") is not None
    assert window.session.project.counts()["spans"] == 1
    assert window.reader.view.spans_at(MIXED_TEXT.index("Peskov"))
    dialog.close()


def test_status_and_article_list(qtbot, window):
    window.named_actions["status_done"].trigger()
    row = window.article_model.row_of(window.article_id)
    assert window.article_model.index(row, window.article_model.STATUS).data() == "done"
    window.undo_action.trigger()
    assert window.article_model.index(row, window.article_model.STATUS).data() == "new"


def test_search_filters_article_list(qtbot, window):
    window.articles.search_box.setText("two lin")
    qtbot.waitUntil(lambda: window.article_model.rowCount() == 1)
    assert window.article_model.index(0, 0).data() == "Second"


def test_reopening_restores_project_article_and_position(qtbot, project_path, settings):
    long_text = "\n".join(f"Paragraph {i} of a long article about talks." for i in range(400))
    with Project.open(project_path) as project:
        long_id, _ = project.add_article(ArticleDraft(text=long_text, title="Long"))
    first = MainWindow(Project.open(project_path), settings)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    first.open_article(long_id)
    offset = long_text.index("Paragraph 200")
    first.reader.view.scroll_to_offset(offset)
    seen = first.reader.view.first_visible_offset()
    first.close()
    reloaded = Settings.load()
    assert reloaded.last_project == str(project_path)
    second = MainWindow(Project.open(Path(reloaded.last_project)), reloaded)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    assert second.article_id == long_id
    assert abs(second.reader.view.first_visible_offset() - seen) < 200
    second.close()


def _drop(window: MainWindow, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = QPointF(window.rect().center())
    enter = QDragEnterEvent(
        QPoint(int(pos.x()), int(pos.y())),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        pos,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, drop)


def test_drag_and_drop_imports_files_and_folders(qtbot, window, tmp_path):
    folder = tmp_path / "drop"
    (folder / "nested").mkdir(parents=True)
    (folder / "one.txt").write_text(
        "Dropped headline\n\nBody of the dropped article.", encoding="utf-8"
    )
    (folder / "nested" / "two.txt").write_text(
        "Nested headline\r\nNested body.\r\n", encoding="utf-8"
    )
    lines = [
        json.dumps(
            {
                "text": "JSONL article with a quote.",
                "title": "From JSONL",
                "spans": [{"start": 19, "end": 26, "label": "Quote", "annotator": "bob"}],
            }
        ),
    ]
    jsonl = tmp_path / "batch.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = window.session.project.counts()["articles"]
    _drop(window, [folder, jsonl])
    project = window.session.project
    assert project.counts()["articles"] == before + 3
    assert window.article_model.rowCount() == before + 3
    titles = [
        window.article_model.index(r, 0).data() for r in range(window.article_model.rowCount())
    ]
    assert {"Dropped headline", "Nested headline", "From JSONL"} <= set(titles)
    jsonl_id = next(a.id for a in project.article_summaries() if a.title == "From JSONL")
    assert [(s.text, s.annotator) for s in project.spans(jsonl_id)] == [("a quote", "bob")]


def test_malformed_drop_changes_nothing_and_names_file_and_line(
    qtbot, window, tmp_path, monkeypatch
):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"text": "fine"\n{"text": "ok", "spans": [{"start": 5, "end": 99, "label": "Quote"}]}\n',
        encoding="utf-8",
    )
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "open", lambda self: shown.append(self.detailedText()))
    before = window.session.project.counts()
    _drop(window, [bad])
    assert window.session.project.counts() == before
    assert shown and "bad.jsonl:1" in shown[0] and "bad.jsonl:2" in shown[0]


def test_read_only_project_refuses_edits(qtbot, project_path, settings):
    win = MainWindow(Project.open(project_path, read_only=True), settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    assert "read-only" in win.windowTitle()
    select_text(win, "Peskov")
    win.reader.view.setFocus()
    qtbot.keyClick(win.reader.view, Qt.Key.Key_1)
    assert db_spans(project_path) == []
    win.close()


def test_no_two_actions_share_a_shortcut_and_none_takes_a_label_hotkey(window) -> None:
    seen: dict[str, str] = {}
    for spec in ACTIONS:
        if spec.shortcut is None:
            continue
        for key in (
            QKeySequence.keyBindings(spec.shortcut)
            if isinstance(spec.shortcut, QKeySequence.StandardKey)
            else [QKeySequence(spec.shortcut)]
        ):
            text = key.toString()
            assert text not in seen, f"{spec.name} and {seen[text]} share {text}"
            seen[text] = spec.name
    for label in window.session.labels():
        assert label.hotkey not in seen


def test_models_pass_qt_model_tester(qtmodeltester, window):
    select_text(window, "Peskov")
    window.tag_selection(window.session.label_for_hotkey("2").id)
    qtmodeltester.check(window.article_model)
    qtmodeltester.check(window.span_model)


def test_span_editor_changes_note_attributes_bounds_and_links_in_one_undo_step(
    qtbot, window, monkeypatch
):
    from annotator.ui.dialogs import SpanEditorDialog

    select_text(window, "“we will see”")
    press(qtbot, window, Qt.Key.Key_1)
    quote_id = window.reader.view.current_span_id
    select_text(window, "Peskov")
    press(qtbot, window, Qt.Key.Key_2)
    source_id = window.reader.view.current_span_id
    window.reader.view.set_current_span(quote_id)
    window.named_actions["link_span"].trigger()
    window.reader.view.span_clicked.emit(source_id)
    window.reader.view.set_current_span(quote_id)
    quote = window.session.project.span(quote_id)

    def fake_exec(dialog: SpanEditorDialog) -> int:
        assert dialog.links.count() == 1
        assert "Peskov" in dialog.links.item(0).text()
        dialog.note.setPlainText("Said on a call <b>Friday</b>")
        dialog._add_attribute_row("confidence", "high")
        dialog.start_box.setValue(quote.start + 1)  # drop the opening quote mark
        dialog.end_box.setValue(quote.end - 1)
        dialog.links.setCurrentRow(0)
        dialog._on_unlink_clicked()
        return SpanEditorDialog.DialogCode.Accepted

    monkeypatch.setattr(SpanEditorDialog, "exec", fake_exec)
    window.named_actions["edit_span"].trigger()
    edited = window.session.project.span(quote_id)
    assert edited.text == "we will see"
    assert edited.note == "Said on a call <b>Friday</b>"
    assert edited.attributes == {"confidence": "high"}
    assert window.session.project.relations(window.article_id) == []
    # the tooltip shows the note as text, not as markup
    assert "&lt;b&gt;Friday&lt;/b&gt;" in window.reader.view.tooltip_html([edited])
    window.undo_action.trigger()
    restored = window.session.project.span(quote_id)
    assert (restored.text, restored.note, restored.attributes) == ("“we will see”", "", {})
    assert len(window.session.project.relations(window.article_id)) == 1


def test_label_manager_adds_renames_and_reorders(qtbot, window, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    window.labels.manage_labels()
    dialog = window.labels.label_dialog
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Denial", True))
    dialog.buttons["add"].click()
    names = [lb.name for lb in window.session.labels()]
    assert names[-1] == "Denial"
    denial = window.session.project.label_by_name("Denial")
    assert denial.hotkey == "5"
    # the new label tags with its key at once
    select_text(window, "Expect many tweets")
    press(qtbot, window, Qt.Key.Key_5)
    assert window.session.project.spans(window.article_id)[0].label_id == denial.id
    dialog.list.setCurrentRow(len(names) - 1)
    dialog.buttons["up"].click()
    assert [lb.name for lb in window.session.labels()][-2] == "Denial"
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Quote", True))
    dialog.list.setCurrentRow(0)
    dialog.buttons["rename"].click()  # same name: nothing changes
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: warned.append(box.text()) or 0)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Claim", True))
    dialog.list.setCurrentRow(0)
    dialog.buttons["rename"].click()  # a duplicate name is refused with a message
    assert warned and "Claim" in warned[0]
    assert window.session.labels()[0].name == "Quote"
    window.undo_action.trigger()  # reorder
    window.undo_action.trigger()  # the tag
    window.undo_action.trigger()  # the new label
    assert window.session.project.label_by_name("Denial") is None
    dialog.close()


def test_csv_without_text_column_asks_which_column(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    csv_file = tmp_path / "dump.csv"
    csv_file.write_text(
        'id,headline,body\n1,"Talks","Putin and Trump will talk.\nMore later."\n', encoding="utf-8"
    )
    offered: list[list[str]] = []

    def fake_get_item(parent, title, label, items, current, editable):
        offered.append(list(items))
        return "body", True

    monkeypatch.setattr(QInputDialog, "getItem", fake_get_item)
    summary = window.import_paths([csv_file])
    assert offered == [["id", "headline", "body"]]
    assert summary is not None and summary.articles_added == 1
    added = window.session.project.article(summary.article_ids[0])
    assert added.text == "Putin and Trump will talk.\nMore later."
