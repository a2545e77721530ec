"""The reader's overlay: marks drawn over the text that are not spans of the project."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from annotator.core.model import Label, Span
from annotator.ui.reader import OverlayMark, ReaderView

LABELS = [Label(1, "Quote", "#e9a23b"), Label(2, "Source", "#4c9be8")]
TEXT = "Peskov said the call was useful.\nTrump agreed 👍🏽 with him.\n" + "Filler line.\n" * 80
GREEN = QColor("#00c000")
MAGENTA = QColor("#d000d0")


@pytest.fixture
def view(qtbot) -> ReaderView:
    widget = ReaderView()
    qtbot.addWidget(widget)
    widget.resize(520, 300)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_article(
        TEXT, [Span(7, 1, 0, 6, 2, "Peskov", "alice")], LABELS, own_annotator="alice"
    )
    return widget


def place(words: str) -> tuple[int, int]:
    start = TEXT.index(words)
    return start, start + len(words)


def test_marks_are_kept_apart_from_spans_and_cleared_with_the_article(
    view: ReaderView, caplog
) -> None:
    start, end = place("said the call")
    inside = OverlayMark(start, end, GREEN, Qt.PenStyle.SolidLine, 0, "bob: Quote")
    with caplog.at_level(logging.WARNING):
        view.set_overlay([inside, OverlayMark(5, len(TEXT) + 3, GREEN), OverlayMark(4, 4, GREEN)])
    assert view.overlay == (inside,)
    assert "outside the text" in caplog.text
    assert view.overlay_at(start) == [inside]
    assert view.overlay_at(end) == []
    assert view.overlay_at(-1) == []
    # Not a span: no id, not clickable, not current.
    assert list(view.spans) == [7]
    assert view.spans_at(start) == []
    view.set_article(TEXT, [], LABELS, own_annotator="alice")
    assert view.overlay == ()


def test_marks_across_paragraphs_and_after_astral_characters(view: ReaderView) -> None:
    start, end = place("useful.\nTrump agreed 👍🏽 with")
    mark = OverlayMark(start, end, GREEN, Qt.PenStyle.DotLine, 1, "carol")
    view.set_overlay([mark])
    assert view.overlay_at(place("Trump")[0]) == [mark]
    assert view.overlay_at(place("with")[0]) == [mark]
    assert view.overlay_at(place("him")[0]) == []


def _grab(view: ReaderView) -> QImage:
    view.viewport().repaint()
    return view.viewport().grab().toImage()


def _count(image: QImage, color: QColor, rows: range, columns: range, tolerance: int = 40) -> int:
    found = 0
    for y in rows:
        for x in columns:
            pixel = image.pixelColor(x, y)
            if (
                abs(pixel.red() - color.red()) < tolerance
                and abs(pixel.green() - color.green()) < tolerance
                and abs(pixel.blue() - color.blue()) < tolerance
            ):
                found += 1
    return found


def test_lanes_are_painted_in_the_line_box_and_bars_in_the_margin(view: ReaderView) -> None:
    scheme = view.highlighter.scheme
    line_color, bar_color = scheme.line(GREEN), scheme.line(MAGENTA)
    start, end = place("said the call")
    cursor = view.textCursor()
    cursor.setPosition(start)
    left = view.cursorRect(cursor)
    cursor.setPosition(end)
    right = view.cursorRect(cursor)
    top, bottom = left.top(), left.bottom()
    columns = range(left.left() + 2, right.left() - 2)
    before = _grab(view)
    assert _count(before, line_color, range(top, bottom + 1), columns) == 0
    view.set_overlay(
        [
            OverlayMark(start, end, GREEN, Qt.PenStyle.SolidLine, 0, "bob"),
            OverlayMark(start, end, MAGENTA, Qt.PenStyle.SolidLine, None, "kind"),
        ]
    )
    image = _grab(view)
    height = bottom - top + 1
    lower = range(top + height * 2 // 3, bottom + 1)
    upper = range(top, top + height // 3)
    assert _count(image, line_color, lower, columns) >= len(columns)  # a full line at the bottom
    assert _count(image, line_color, upper, columns) == 0
    margin = range(0, left.left())
    assert _count(image, bar_color, range(top, bottom + 1), margin) > 0
    # Lane 1 runs at the top of the line box instead.
    view.set_overlay([OverlayMark(start, end, GREEN, Qt.PenStyle.SolidLine, 1, "carol")])
    image = _grab(view)
    assert _count(image, line_color, upper, columns) >= len(columns)
    assert _count(image, line_color, lower, columns) == 0


def test_tooltip_names_marks_with_their_text_escaped(view: ReaderView) -> None:
    start, end = place("said")
    mark = OverlayMark(start, end, GREEN, Qt.PenStyle.SolidLine, 0, "<b>bob</b>: <img src=x>")
    view.set_overlay([mark])
    html = view.tooltip_html(view.spans_at(start), view.overlay_at(start))
    assert "&lt;b&gt;bob&lt;/b&gt;: &lt;img src=x&gt;" in html
    assert "<img" not in html
    span_html = view.tooltip_html(view.spans_at(0), view.overlay_at(0))
    assert "Source" in span_html and "bob" not in span_html


def test_reveal_offset_scrolls_only_when_needed(view: ReaderView) -> None:
    view.scroll_to_offset(0)
    view.reveal_offset(place("Trump")[0])
    assert view.verticalScrollBar().value() == 0  # already on screen
    far = len(TEXT) - 5
    view.reveal_offset(far)
    assert view.verticalScrollBar().value() > 0
    assert view.first_visible_offset() <= far
