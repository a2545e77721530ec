"""File ▸ Export… on a real project: preview counts, filters, losses said, files read back."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.ui.conftest import MIXED_TEXT


def _tag(window, needle: str, hotkey: str):
    start = MIXED_TEXT.index(needle)
    window.reader.view.select_range(start, start + len(needle))
    return window.tag_selection(window.session.label_for_hotkey(hotkey).id)


def test_export_dialog_previews_filters_and_writes_jsonl(qtbot, window, tmp_path, monkeypatch):
    window.reader.view.snap_to_words = False
    _tag(window, "🇺🇸", "3")
    _tag(window, "Peskov", "2")
    _tag(window, "Expect many tweets to follow both phone calls.", "4")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    dialog = window.show_export_dialog()
    qtbot.addWidget(dialog)
    assert "3 article(s) and 3 span(s)" in dialog.preview.text()
    # only Source and Speculation
    for i in range(dialog.labels.count()):
        item = dialog.labels.item(i)
        if item.text() not in ("Source", "Speculation"):
            item.setCheckState(Qt.CheckState.Unchecked)
    assert "3 article(s) and 2 span(s)" in dialog.preview.text()
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("jsonl"))
    out = tmp_path / "out.jsonl"
    dialog.target.setText(str(out))
    dialog.run_export()
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    spans = [s for line in lines for s in line["spans"]]
    assert sorted(s["label"] for s in spans) == ["Source", "Speculation"]
    for line in lines:
        for s in line["spans"]:
            assert line["text"][s["start"] : s["end"]] == s["text"]
    assert shown and "Exported 3 article(s), 2 span(s)" in shown[0]


def test_export_dialog_says_what_a_format_loses(qtbot, window, tmp_path, monkeypatch):
    window.reader.view.snap_to_words = False
    outer = _tag(window, "Flags 🇺🇸 and thumbs", "1")
    _tag(window, "🇺🇸", "3")  # nested inside the quote: BIO cannot hold both
    assert outer is not None
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    dialog = window.show_export_dialog()
    qtbot.addWidget(dialog)
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("conll"))
    out = tmp_path / "out.conll"
    dialog.target.setText(str(out))
    dialog.run_export()
    assert out.exists()
    assert shown and "lost: 1" in shown[0]


def test_export_dialog_csv_options_raw_and_bom(qtbot, window, tmp_path, monkeypatch):
    window.reader.view.snap_to_words = False
    _tag(window, "Peskov", "2")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    dialog = window.show_export_dialog()
    qtbot.addWidget(dialog)
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("jsonl"))
    assert not dialog.csv_options.isVisibleTo(dialog) and not dialog.scheme_box.isVisibleTo(dialog)
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("csv"))
    assert dialog.csv_options.isVisibleTo(dialog)
    assert not dialog.csv_raw.isChecked() and not dialog.csv_bom.isChecked()
    qtbot.mouseClick(dialog.csv_bom, Qt.MouseButton.LeftButton, pos=dialog.csv_bom.rect().center())
    assert dialog.csv_bom.isChecked()
    out = tmp_path / "spans.csv"
    dialog.target.setText(str(out))
    dialog.run_export()
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"Peskov" in data
    assert shown and "Exported" in shown[-1]


def test_export_dialog_csv_raw_keeps_formula_cells(qtbot, window, tmp_path, monkeypatch):
    import csv

    from annotator.store.doc_labels import save_doc_field, set_doc_labels

    project = window.session.project
    save_doc_field(project, "Frame", "single", choices=["=cmd|' /C calc'!A0", "plain"])
    set_doc_labels(project, project.article_ids()[0], {"Frame": ["=cmd|' /C calc'!A0"]})
    monkeypatch.setattr(QMessageBox, "exec", lambda self: 0)
    results = {}
    for raw in (False, True):
        dialog = window.show_export_dialog()
        qtbot.addWidget(dialog)
        dialog.format_box.setCurrentIndex(dialog.format_box.findData("csv-articles"))
        if raw:
            dialog.csv_raw.click()
        assert dialog.writer_options() == {"raw": raw, "bom": False}
        out = tmp_path / f"articles-{raw}.csv"
        dialog.target.setText(str(out))
        dialog.run_export()
        with out.open(encoding="utf-8", newline="") as fh:
            results[raw] = [row["doc_labels.Frame"] for row in csv.DictReader(fh)]
    assert results[False][0] == "'=cmd|' /C calc'!A0"
    assert results[True][0] == "=cmd|' /C calc'!A0"


def test_export_dialog_conll_scheme(qtbot, window, tmp_path, monkeypatch):
    window.reader.view.snap_to_words = False
    _tag(window, "Peskov", "2")
    monkeypatch.setattr(QMessageBox, "exec", lambda self: 0)
    dialog = window.show_export_dialog()
    qtbot.addWidget(dialog)
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("conll"))
    assert dialog.scheme_box.isVisibleTo(dialog) and not dialog.csv_options.isVisibleTo(dialog)
    dialog.scheme_box.setCurrentIndex(dialog.scheme_box.findData("BIOES"))
    out = tmp_path / "out.conll"
    dialog.target.setText(str(out))
    dialog.run_export()
    assert "\tS-Source" in out.read_text(encoding="utf-8")
