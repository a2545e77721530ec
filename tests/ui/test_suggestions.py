"""Suggestions in the window: run on a worker thread, drawn as dashed outlines, accepted and
rejected from the keyboard in the reader, each one undo step."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from annotator.core.model import SUGGESTION_ANNOTATOR, ArticleDraft
from annotator.settings import Settings
from annotator.store import Project
from annotator.store.suggestions import rejected
from tests.conftest import SAMPLE


@pytest.fixture
def seed_path(tmp_path: Path) -> Path:
    path = tmp_path / "seed.annot"
    with Project.open(path) as project:
        text = SAMPLE.read_text(encoding="utf-8")
        project.add_article(ArticleDraft(text=text, title=text.splitlines()[0]))
        for i in range(24):
            project.add_article(ArticleDraft(text=f"Article {i}. " + text))
    return path


@pytest.fixture
def win(qtbot, seed_path: Path, settings: Settings):
    from annotator.ui.main_window import MainWindow

    window = MainWindow(Project.open(seed_path), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.open_article(1)
    yield window
    if window.project is not None:
        window.close()


def run_article(qtbot, window) -> None:
    ctrl = window.suggestions
    ctrl.actions["run_article"].trigger()
    qtbot.waitUntil(lambda: ctrl.run is None and bool(ctrl.spans), timeout=20000)


def press(qtbot, window, key: Qt.Key, text: str = "") -> None:
    view = window.reader.view
    view.setFocus()
    qtbot.keyClick(view, key) if not text else qtbot.keyClicks(view, text)


def own_spans(window) -> list:
    return [s for s in window.reader.view.spans.values() if s.annotator == "alice"]


def test_suggestions_are_drawn_as_dashed_outlines_apart_from_the_analysts_spans(qtbot, win) -> None:
    view = win.reader.view
    view.select_range(0, 5)
    win.tag_selection(win.session.labels()[2].id)
    run_article(qtbot, win)
    ctrl = win.suggestions
    assert len(ctrl.spans) > 20
    outlines = [m for m in view.overlay if m.outline]
    assert len(outlines) == len(ctrl.spans)
    assert {m.style for m in outlines} == {Qt.PenStyle.DashLine}
    # the suggestions are not spans of the reader, nor of the span panel
    assert all(s.annotator != SUGGESTION_ANNOTATOR for s in view.spans.values())
    assert len(own_spans(win)) == 1 and win.span_model.rowCount() == 1
    assert win.suggestions.last_summary.added == len(ctrl.spans)


def test_enter_accepts_and_one_undo_puts_it_back(qtbot, win) -> None:
    run_article(qtbot, win)
    ctrl = win.suggestions
    count = len(ctrl.spans)
    press(qtbot, win, Qt.Key.Key_BracketRight)
    assert ctrl.current == 0
    first = ctrl.spans[0]
    assert [m.style for m in win.reader.view.overlay if m.outline][0] == Qt.PenStyle.SolidLine
    press(qtbot, win, Qt.Key.Key_Return)
    accepted = win.session.project.span(first.id)
    assert accepted.annotator == "alice" and accepted.label_id == first.label_id
    assert first.id in win.reader.view.spans and len(ctrl.spans) == count - 1
    assert win.span_model.row_of(first.id) is not None
    assert win.undo_stack.undoText() == "Accept suggestion"
    win.undo_stack.undo()
    assert win.session.project.span(first.id).annotator == SUGGESTION_ANNOTATOR
    assert first.id not in win.reader.view.spans and len(ctrl.spans) == count
    win.undo_stack.redo()
    assert win.session.project.span(first.id).annotator == "alice"


def test_label_key_accepts_as_that_label(qtbot, win) -> None:
    run_article(qtbot, win)
    ctrl = win.suggestions
    press(qtbot, win, Qt.Key.Key_BracketLeft)  # the last one
    last = ctrl.spans[-1]
    speculation = next(lb for lb in win.session.labels() if lb.hotkey == "3")
    press(qtbot, win, Qt.Key.Key_3, "3")
    after = win.session.project.span(last.id)
    assert after.annotator == "alice" and after.label_id == speculation.id
    win.undo_stack.undo()
    assert win.session.project.span(last.id).label_id == last.label_id


def test_backspace_rejects_for_good_and_undo_forgets_the_rejection(qtbot, win) -> None:
    run_article(qtbot, win)
    ctrl = win.suggestions
    press(qtbot, win, Qt.Key.Key_BracketRight)
    press(qtbot, win, Qt.Key.Key_BracketRight)
    victim = ctrl.spans[1]
    label = win.session.label(victim.label_id).name
    press(qtbot, win, Qt.Key.Key_Backspace)
    project = win.session.project
    assert (victim.start, victim.end, label) in rejected(project, 1)
    assert all(s.id != victim.id for s in ctrl.spans)
    run_article(qtbot, win)  # running again does not bring it back
    assert all(
        (s.start, s.end) != (victim.start, victim.end)
        for s in ctrl.spans
        if s.label_id == victim.label_id
    )
    win.undo_stack.undo()
    assert (victim.start, victim.end, label) not in rejected(project, 1)
    assert any(s.id == victim.id for s in ctrl.spans)


def test_accept_all_and_reject_all_are_one_undo_step_each(qtbot, win) -> None:
    run_article(qtbot, win)
    ctrl = win.suggestions
    count = len(ctrl.spans)
    ctrl.actions["accept_all"].trigger()
    assert ctrl.spans == [] and len(own_spans(win)) == count
    relations = win.session.project.relations(1)
    assert relations and {r.annotator for r in relations} == {"alice"}
    win.undo_stack.undo()
    assert len(ctrl.spans) == count and own_spans(win) == []
    ctrl.actions["reject_all"].trigger()
    assert ctrl.spans == [] and len(rejected(win.session.project, 1)) == count
    win.undo_stack.undo()
    assert len(ctrl.spans) == count and rejected(win.session.project, 1) == set()


def test_whole_project_run_reports_progress_and_can_be_cancelled(qtbot, win) -> None:
    ctrl = win.suggestions
    seen: list[tuple[int, int]] = []
    ctrl.actions["run_all"].trigger()
    run = ctrl.run
    assert not ctrl.actions["run_all"].isEnabled()  # one run at a time
    run.progressed.connect(lambda done, total, _text: seen.append((done, total)))

    def cancel_after_two(done: int, _total: int, _text: str) -> None:
        if done == 2:
            run.cancel()  # on the worker thread, between articles two and three

    run.progressed.connect(cancel_after_two, Qt.ConnectionType.DirectConnection)
    qtbot.waitUntil(lambda: ctrl.run is None, timeout=30000)
    summary = ctrl.last_summary
    assert summary.cancelled and summary.articles == 2
    assert seen == [(1, 25), (2, 25)]
    with Project.open(win.session.project.path, create=False, read_only=True, lock=False) as p:
        done = [i for i in p.article_ids() if p.spans(i, [SUGGESTION_ANNOTATOR])]
    assert done == [1, 2]
    assert ctrl.actions["run_all"].isEnabled()


def test_the_progress_dialog_cancels_the_run(qtbot, win) -> None:
    ctrl = win.suggestions
    ctrl.actions["run_all"].trigger()
    run = ctrl.run
    ctrl.progress.findChild(QPushButton).click()  # the dialog's Cancel button
    assert run.is_cancelled()
    qtbot.waitUntil(lambda: ctrl.run is None, timeout=30000)
    assert ctrl.last_summary.cancelled and ctrl.last_summary.articles < 25


def test_closing_the_window_during_a_run_stops_it(qtbot, win) -> None:
    ctrl = win.suggestions
    ctrl.actions["run_all"].trigger()
    run = ctrl.run
    win.close()
    assert run.isFinished() and ctrl.run is None and win.project is None


def test_a_failed_run_is_told_in_words_and_leaves_the_menu_usable(
    qtbot, win, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    ctrl = win.suggestions
    path = win.session.project.path
    moved = path.with_name("elsewhere.annot")
    path.rename(moved)  # the run opens the project on a connection of its own: it is gone
    try:
        ctrl.actions["run_all"].trigger()
        qtbot.waitUntil(lambda: ctrl.run is None, timeout=30000)
    finally:
        moved.rename(path)
    assert len(shown) == 1 and "keep their suggestions" in shown[0]
    assert str(path.name) in ctrl.last_error and ctrl.last_summary is None
    assert ctrl.actions["run_all"].isEnabled() and ctrl.progress is None
