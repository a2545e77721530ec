"""A new analyst's first run: default project with the sample article, tag, undo, reopen."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QTextCursor

from annotator.app import choose_project
from annotator.settings import Settings, default_project_path
from annotator.ui.main_window import MainWindow

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "samples" / "putin-trump-call.txt"
TITLE = 'Putin, Trump To Talk By Phone On Saturday: "Getting Along With Russia Is A Great Thing"'


def _utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def test_first_run_opens_default_project_with_sample_then_tags_and_restores(qtbot):
    QCoreApplication.setOrganizationName("news-annotator-tests")
    settings = Settings(annotator="alice")
    assert not default_project_path().exists()
    project, problem = choose_project(None, settings)
    assert problem is None
    assert project.path == default_project_path()
    window = MainWindow(project, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)

    sample = SAMPLE.read_text(encoding="utf-8")
    assert window.session.project.article(window.article_id).title == TITLE
    # the headline is the text's first line: shown once, there, as a headline
    assert window.reader.header.title_text() == ""
    first = window.reader.view.document().firstBlock()
    assert first.text() == TITLE
    assert first.begin().fragment().charFormat().fontWeight() == 700
    assert window.reader.view.document().toRawText().replace("\u2029", "\n") == sample

    sentence = "Expect many tweets to follow both phone calls."
    start = sample.index(sentence)
    view = window.reader.view
    cursor = view.textCursor()
    cursor.setPosition(_utf16(sample, start))
    cursor.setPosition(_utf16(sample, start + len(sentence)), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_4)

    conn = sqlite3.connect(default_project_path())
    rows = conn.execute(
        'SELECT s.start, s."end", s.text, l.name FROM spans s JOIN labels l ON l.id = s.label_id'
    ).fetchall()
    conn.close()
    assert rows == [(start, start + len(sentence), sentence, "Speculation")]

    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.session.project.counts()["spans"] == 0
    qtbot.keyClick(
        view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert window.session.project.counts()["spans"] == 1
    article_id = window.article_id
    window.close()

    again = Settings.load()
    project2, problem2 = choose_project(None, again)
    assert problem2 is None and project2.path == default_project_path()
    # the sample is not imported a second time
    assert project2.counts()["articles"] == 1
    second = MainWindow(project2, again)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    assert second.article_id == article_id
    assert [s.text for s in second.session.project.spans(article_id)] == [sentence]
    second.close()


def test_a_project_that_cannot_be_opened_falls_back_with_a_message(qtbot, tmp_path):
    bogus = tmp_path / "notes.annot"
    bogus.write_bytes(b"this is not a database at all" * 10)
    before = bogus.read_bytes()
    settings = Settings(annotator="alice")
    project, problem = choose_project(bogus, settings)
    try:
        assert problem is not None and str(bogus) in problem
        assert project.path == default_project_path()
        assert bogus.read_bytes() == before
    finally:
        project.close()
