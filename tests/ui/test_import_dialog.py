"""The import dialog: every format the command line imports, detection, and the import on a
worker thread with progress inside one large file and a Cancel that keeps nothing."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

from annotator.formats.export import export_project
from annotator.formats.importer import ImportCancelled
from annotator.formats.registry import import_formats
from annotator.store import Project
from annotator.ui.import_dialog import DETECT, ImportDialog, count_lines, import_operation
from annotator.ui.worker import Worker
from tests.formats.export_corpus import build_corpus


def test_the_dialog_offers_every_format_the_command_line_imports(qtbot, tmp_path: Path) -> None:
    dialog = ImportDialog(tmp_path)
    qtbot.addWidget(dialog)
    offered = [dialog.format_box.itemData(i) for i in range(dialog.format_box.count())]
    assert offered == [DETECT, *[spec.name for spec in import_formats()]]
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # nothing chosen yet


def test_formats_are_detected_and_mixed_ones_refused(qtbot, tmp_path: Path) -> None:
    with Project.open(tmp_path / "p.annot") as project:
        build_corpus(project, tmp_path)
        export_project(project, "xmi", tmp_path / "xmi")
        export_project(project, "spacy", tmp_path / "train.spacy")
    dialog = ImportDialog(tmp_path)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.add_paths([tmp_path / "xmi"])
    assert dialog.format == "xmi" and ok.isEnabled()
    assert "detected: xmi" in dialog.detected.text()
    dialog.add_paths([tmp_path / "train.spacy"])
    assert not ok.isEnabled() and "different formats" in dialog.detected.text()
    dialog.choose_format("spacy")  # the analyst's choice wins over detection
    assert dialog.format == "spacy" and ok.isEnabled()
    # The next chooser starts where the last files came from.
    assert dialog.start_folder == tmp_path


def big_jsonl(path: Path, articles: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for n in range(articles):
            text = f"Article {n}: Peskov said the call was 👍 positive."
            start = text.index("Peskov")
            spans = [{"start": start, "end": start + 6, "label": "Source"}]
            fh.write(json.dumps({"text": text, "spans": spans}, ensure_ascii=False) + "\n")
    return path


def test_one_large_file_shows_progress_by_records_from_a_worker_thread(
    qtbot, tmp_path: Path
) -> None:
    source = big_jsonl(tmp_path / "big.jsonl", 3000)
    assert count_lines(source) == 3000
    project_path = tmp_path / "p.annot"
    gui_project = Project.open(project_path)  # the window's own connection, holding the lock
    worker = Worker(import_operation(project_path, [source], annotator="me", format=None))
    seen: list[tuple[int, int]] = []
    threads: set[int] = set()

    def on_progress(done: int, total: int, _text: str) -> None:
        # Connected directly: runs where the signal is emitted, the worker's thread.
        seen.append((done, total))
        threads.add(threading.get_ident())

    worker.progressed.connect(on_progress, Qt.ConnectionType.DirectConnection)
    worker.start()
    summary = worker.wait_for_end()
    assert summary.articles_added == 3000 and summary.spans_added == 3000
    # The bar counted records of the one file against its 3,000 lines, in order.
    assert {total for _, total in seen if total} == {3000}
    done = [d for d, t in seen if t]
    assert len(done) >= 2 and done == sorted(done) and 0 < done[-1] <= 3000
    assert threading.get_ident() not in threads  # the work ran off the GUI thread
    assert len(gui_project.article_ids()) == 3000  # the window's connection sees the import
    gui_project.close()


def test_cancel_mid_import_keeps_nothing(qtbot, tmp_path: Path) -> None:
    source = big_jsonl(tmp_path / "big.jsonl", 20000)
    project_path = tmp_path / "p.annot"
    gui_project = Project.open(project_path)
    worker = Worker(import_operation(project_path, [source], annotator="me", format=None))
    progressed: list[int] = []

    def cancel_once_going(done: int, _total: int, _text: str) -> None:
        progressed.append(done)  # in the worker's thread, so the cancel lands mid-import
        if done > 500:
            worker.cancel()

    worker.progressed.connect(cancel_once_going, Qt.ConnectionType.DirectConnection)
    worker.start()
    with pytest.raises(ImportCancelled):
        worker.wait_for_end()
    assert max(progressed) > 500  # it was cancelled mid-import, not before it began
    assert gui_project.article_ids() == []
    gui_project.close()


# ------------------------------------------------------------------------ in the main window
def test_the_window_imports_a_detected_format(qtbot, window, tmp_path: Path) -> None:
    with Project.open(tmp_path / "other.annot") as other:
        build_corpus(other, tmp_path)
        export_project(other, "xmi", tmp_path / "exported" / "xmi")
    before = len(window.session.project.article_ids())
    summary = window.imports.import_paths([tmp_path / "exported" / "xmi"])
    assert summary is not None and summary.articles_added == 4 and summary.spans_added == 14
    # The window's own connection shows what the worker's wrote.
    assert len(window.session.project.article_ids()) == before + 4
    assert window.article_id == summary.article_ids[0]
    # File ▸ Import opens next time where this import came from.
    assert window.imports.start_folder() == tmp_path / "exported"


def test_the_window_import_chooser_offers_the_detected_format(
    qtbot, window, tmp_path: Path, monkeypatch
) -> None:
    with Project.open(tmp_path / "other.annot") as other:
        build_corpus(other, tmp_path)
        export_project(other, "spacy", tmp_path / "train.spacy")
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(tmp_path / "train.spacy")], "")
    )
    before = len(window.session.project.article_ids())
    dialog = window.imports.import_files_dialog()
    assert dialog is not None and dialog.format == "spacy"
    dialog.accept()
    qtbot.waitUntil(lambda: len(window.session.project.article_ids()) == before + 4, timeout=60000)


def _big_export(tmp_path: Path, fmt: str, articles: int) -> Path:
    source = big_jsonl(tmp_path / "seed.jsonl", articles)
    out = tmp_path / ("out" if fmt in ("hf", "xmi", "parquet") else f"out.{fmt}")
    with Project.open(tmp_path / "seed.annot") as project:
        from annotator.formats.importer import import_paths

        import_paths(project, [source], annotator="a")
        export_project(project, fmt, out)
    return out


@pytest.mark.parametrize("fmt", ["spacy", "hf", "xmi"])
def test_one_file_or_folder_not_read_by_lines_shows_progress_within_it(
    qtbot, tmp_path: Path, fmt: str
) -> None:
    out = _big_export(tmp_path, fmt, 400)
    project_path = tmp_path / "p.annot"
    gui_project = Project.open(project_path)
    worker = Worker(import_operation(project_path, [out], annotator="me", format=fmt))
    seen: list[tuple[int, int, int]] = []

    def on_progress(done: int, total: int, _text: str) -> None:
        # In the worker's thread: how many articles the batch had written when told.
        seen.append((done, total, threading.get_ident()))

    worker.progressed.connect(on_progress, Qt.ConnectionType.DirectConnection)
    worker.start()
    summary = worker.wait_for_end()
    assert summary.articles_added == 400
    moving = [(d, t) for d, t, _ in seen if t > 1]
    assert moving and all(t == moving[0][1] for _, t in moving)
    # The bar moved inside the one file or folder: a value between the start and the end.
    assert any(0 < d < t for d, t in moving)
    assert [d for d, _ in moving] == sorted(d for d, _ in moving)
    gui_project.close()


def test_cancel_in_the_main_window_keeps_nothing(qtbot, window, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QProgressDialog, QPushButton

    source = big_jsonl(tmp_path / "big.jsonl", 30000)
    before = len(window.session.project.article_ids())
    worker = window.imports.start_import([source])
    assert worker is not None
    ended: list[str] = []
    worker.failed.connect(lambda exc: ended.append(type(exc).__name__))
    worker.succeeded.connect(lambda _s: ended.append("succeeded"))

    def progress_dialog() -> QProgressDialog | None:
        found = [d for d in window.findChildren(QProgressDialog) if d.isVisible()]
        return found[0] if found else None

    # The progress dialog shows up with the bar moving; its Cancel button is clicked.
    qtbot.waitUntil(lambda: (d := progress_dialog()) is not None and d.value() > 100, timeout=60000)
    dialog = progress_dialog()
    assert dialog is not None and dialog.value() < dialog.maximum()
    cancel = dialog.findChild(QPushButton)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(ended), timeout=60000)
    assert ended == ["ImportCancelled"]
    assert len(window.session.project.article_ids()) == before
    assert "nothing was imported" in window.statusBar().currentMessage()
