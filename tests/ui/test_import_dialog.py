"""The import dialog: every format the command line imports, detection, and the import on a
worker thread with progress inside one large file and a Cancel that keeps nothing."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from PySide6.QtWidgets import QDialogButtonBox, QPushButton, QWidget

from annotator.formats.export import export_project
from annotator.formats.registry import import_formats
from annotator.store import Project
from annotator.ui.import_dialog import (
    DETECT,
    ImportDialog,
    ImportRun,
    ImportWorker,
    count_lines,
)
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
    # The next dialog starts where the last files came from.
    assert dialog.start_folder == tmp_path


def big_jsonl(path: Path, articles: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for n in range(articles):
            text = f"Article {n}: Peskov said the call was 👍 positive."
            start = text.index("Peskov")
            record = {
                "text": text,
                "spans": [{"start": start, "end": start + 6, "label": "Source"}],
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def test_one_large_file_shows_progress_by_records_from_a_worker_thread(
    qtbot, tmp_path: Path
) -> None:
    source = big_jsonl(tmp_path / "big.jsonl", 3000)
    assert count_lines(source) == 3000
    project_path = tmp_path / "p.annot"
    gui_project = Project.open(project_path)  # the window's own connection, holding the lock
    parent = QWidget()
    qtbot.addWidget(parent)
    worker = ImportWorker(project_path, [source], annotator="me", format=None)
    seen: list[tuple[int, int]] = []
    threads: set[int] = set()

    def on_progress(done: int, total: int, _text: str) -> None:
        # A plain function runs where the signal is emitted: the worker's thread.
        seen.append((done, total))
        threads.add(threading.get_ident())

    worker.progressed.connect(on_progress)
    run = ImportRun(worker, parent)
    with qtbot.waitSignal(run.done, timeout=60000) as blocker:
        run.start()
    summary = blocker.args[0]
    assert summary is not None and summary.articles_added == 3000
    assert summary.spans_added == 3000
    # The bar counted records of the one file against its 3,000 lines, in order.
    totals = {total for _, total in seen if total}
    assert totals == {3000}
    done = [d for d, t in seen if t]
    assert len(done) >= 2 and done == sorted(done) and 0 < done[-1] <= 3000
    assert threading.get_ident() not in threads  # the work ran off the GUI thread
    assert run.dialog.maximum() == 3000  # and the dialog, on the GUI thread, followed it
    assert len(gui_project.article_ids()) == 3000  # the window's connection sees the import
    gui_project.close()


def test_cancel_keeps_nothing(qtbot, tmp_path: Path) -> None:
    source = big_jsonl(tmp_path / "big.jsonl", 20000)
    project_path = tmp_path / "p.annot"
    gui_project = Project.open(project_path)
    parent = QWidget()
    qtbot.addWidget(parent)
    worker = ImportWorker(project_path, [source], annotator="me", format=None)
    run = ImportRun(worker, parent)
    progressed: list[int] = []

    def cancel_once_going(done: int, _total: int, _text: str) -> None:
        progressed.append(done)  # runs in the worker's thread, so the cancel lands mid-import
        if done > 500:
            worker.cancel()

    worker.progressed.connect(cancel_once_going)
    with qtbot.waitSignal(run.done, timeout=60000) as blocker:
        run.start()
    assert blocker.args[0] is None and run.error == ""
    assert max(progressed) > 500  # it was cancelled mid-import, not before it began
    assert gui_project.article_ids() == []
    gui_project.close()


def test_the_cancel_button_cancels_the_worker(qtbot, tmp_path: Path) -> None:
    source = big_jsonl(tmp_path / "big.jsonl", 100)
    project_path = tmp_path / "p.annot"
    Project.open(project_path).close()
    parent = QWidget()
    qtbot.addWidget(parent)
    worker = ImportWorker(project_path, [source], annotator="me", format=None)
    run = ImportRun(worker, parent)
    run.dialog.findChild(QPushButton).click()  # Cancel, pressed before the first record
    with qtbot.waitSignal(run.done, timeout=30000) as blocker:
        run.start()
    assert blocker.args[0] is None
    with Project.open(project_path) as project:
        assert project.article_ids() == []


def test_a_failure_is_reported_not_raised(qtbot, tmp_path: Path) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    worker = ImportWorker(tmp_path / "missing.annot", [tmp_path], annotator="me", format="nonsense")
    run = ImportRun(worker, parent)
    with qtbot.waitSignal(run.done, timeout=30000) as blocker:
        run.start()
    assert blocker.args[0] is None and run.error
