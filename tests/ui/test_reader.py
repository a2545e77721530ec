"""Reader pane: offsets across Qt's UTF-16, grapheme-safe selections, highlights, clicks, tips."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPalette, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QApplication, QToolTip, QWidget

from annotator.core.model import Article, Label, Span
from annotator.core.text import Utf16Index, canonicalize
from annotator.ui.layer_styles import LayerStyle
from annotator.ui.reader import ArticleHeader, ReaderPane, ReaderView

OWN = "alice"
OTHER = "bob"
LABELS = [
    Label(1, "Quote", "#e9a23b"),
    Label(2, "Source", "#4c9be8"),
    Label(3, "Claim", "#d9534f"),
    Label(4, "Speculation", "#8e6cc9"),
]
Underline = QTextCharFormat.UnderlineStyle

MIXED = (
    "Flags 🇺🇸 and thumbs 👍🏽 said Peskov.\n"
    "Cafe\u0301 owners\u00a0agreed: \u201cwe will see\u201d.\n"
    "قال المتحدث إن الاتصال سيتم يوم السبت.\n"
    "Expect many tweets to follow both phone calls."
)


def make_span(
    span_id: int,
    start: int,
    end: int,
    label_id: int = 1,
    *,
    annotator: str = OWN,
    note: str = "",
    text: str = "",
) -> Span:
    return Span(span_id, 1, start, end, label_id, text, annotator, note)


def span_of(text: str, needle: str, span_id: int, label_id: int = 1, **kwargs: object) -> Span:
    start = text.index(needle)
    return make_span(span_id, start, start + len(needle), label_id, **kwargs)  # type: ignore[arg-type]


def block_formats(view: ReaderView, number: int) -> list[tuple[int, int, QTextCharFormat]]:
    block = view.document().findBlockByNumber(number)
    return [(r.start, r.length, QTextCharFormat(r.format)) for r in block.layout().formats()]


def all_formats(view: ReaderView) -> list[list[tuple[int, int, QTextCharFormat]]]:
    return [block_formats(view, n) for n in range(view.document().blockCount())]


def select16(view: ReaderView, anchor16: int, position16: int) -> None:
    """Select by UTF-16 positions, as Qt's own cursor movements would."""
    cursor = view.textCursor()
    cursor.setPosition(anchor16)
    cursor.setPosition(position16, QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)


def char_center(view: ReaderView, offset: int) -> QPoint:
    """Viewport point over the middle of the character at a code-point offset."""
    utf16 = Utf16Index(view.text)
    cursor = QTextCursor(view.document())
    cursor.setPosition(utf16.to_utf16(offset))
    left = view.cursorRect(cursor)
    cursor.setPosition(utf16.to_utf16(offset + 1))
    right = view.cursorRect(cursor)
    return QPoint((left.left() + right.left()) // 2, left.center().y())


@pytest.fixture
def view(qtbot) -> ReaderView:
    widget = ReaderView()
    qtbot.addWidget(widget)
    widget.resize(760, 520)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


# ---- text and offsets ---------------------------------------------------------------------

ROUND_TRIP_TEXTS = {
    "emoji": "Flags 🇺🇸 and thumbs 👍🏽 up.\nA family 👨\u200d👩\u200d👧 too.",
    "combining": "Cafe\u0301 and nai\u0308ve re\u0301sume\u0301",
    "nbsp": "10\u00a0km away\u00a0\u2014 he said",
    "arabic": "قال المتحدث إن الاتصال سيتم يوم السبت.\nEnglish after Arabic.",
    "line separator": "one\u2028two\nthree",
    "from crlf": canonicalize("first line\r\nsecond line\r\n\r\nthird\rfourth").text,
    "blank lines": "\n\nstarts and ends with blank lines\n\n",
    "mixed": MIXED,
    "empty": "",
}


@pytest.mark.parametrize("text", ROUND_TRIP_TEXTS.values(), ids=ROUND_TRIP_TEXTS.keys())
def test_document_holds_exactly_the_stored_text(view: ReaderView, text: str) -> None:
    view.set_article(text, [], LABELS, own_annotator=OWN)

    assert view.document().toRawText().replace("\u2029", "\n") == text
    assert view.document().characterCount() - 1 == Utf16Index(text).length16
    assert view.document().blockCount() == text.count("\n") + 1


@pytest.mark.parametrize("text", ["a\r\nb", "a\rb", "\ufeffstarts with a BOM"])
def test_text_that_is_not_canonical_is_refused(view: ReaderView, text: str) -> None:
    with pytest.raises(ValueError, match="LF line ends"):
        view.set_article(text, [], LABELS, own_annotator=OWN)


def test_selection_inside_surrogate_pairs_grows_to_whole_characters(view: ReaderView) -> None:
    text = "Go 🇺🇸 now 👍🏽 ok"
    view.set_article(text, [], LABELS, own_annotator=OWN)
    utf16 = Utf16Index(text)
    flag = text.index("🇺🇸")
    thumb = text.index("👍")

    # From the middle of the flag's first regional indicator to the middle of the thumb.
    select16(view, utf16.to_utf16(flag) + 1, utf16.to_utf16(thumb) + 1)

    start, end = view.selected_range()
    assert text[start:end] == "🇺🇸 now 👍🏽"


def test_selection_between_flag_halves_and_before_skin_tone_keeps_clusters(
    view: ReaderView,
) -> None:
    text = "Go 🇺🇸 now 👍🏽 ok"
    view.set_article(text, [], LABELS, own_annotator=OWN)
    utf16 = Utf16Index(text)
    second_indicator = text.index("🇺🇸") + 1
    skin_tone = text.index("🏽")

    # Both positions are valid code-point boundaries yet split a user-perceived character.
    select16(view, utf16.to_utf16(skin_tone), utf16.to_utf16(second_indicator))

    start, end = view.selected_range()
    assert text[start:end] == "🇺🇸 now 👍🏽"


def test_selection_never_splits_a_combining_sequence(view: ReaderView) -> None:
    text = "Cafe\u0301 owners agreed"
    view.set_article(text, [], LABELS, own_annotator=OWN)
    e = text.index("e\u0301")

    select16(view, 1, e + 1)  # ends between "e" and its accent

    start, end = view.selected_range()
    assert text[start:end] == "afe\u0301"


def test_selection_is_trimmed_and_white_space_alone_is_none(view: ReaderView) -> None:
    text = "one   two \u00a0 three"
    view.set_article(text, [], LABELS, own_annotator=OWN)

    select16(view, 3, text.index("three"))
    assert text.__getitem__(slice(*view.selected_range())) == "two"

    select16(view, 3, 6)
    assert view.selected_range() is None

    view.setTextCursor(QTextCursor(view.document()))
    assert view.selected_range() is None


def test_selection_across_paragraphs_keeps_the_line_break(view: ReaderView) -> None:
    view.set_article(MIXED, [], LABELS, own_annotator=OWN)
    utf16 = Utf16Index(MIXED)
    start = MIXED.index("Peskov")
    end = MIXED.index(" owners")

    select16(view, utf16.to_utf16(start), utf16.to_utf16(end))

    assert MIXED.__getitem__(slice(*view.selected_range())) == "Peskov.\nCafe\u0301"


def test_snap_to_words_grows_partial_words(view: ReaderView) -> None:
    text = "Presidents Vladimir Putin and Donald Trump 👍🏽 spoke"
    view.set_article(text, [], LABELS, own_annotator=OWN)
    utf16 = Utf16Index(text)
    select16(view, text.index("adimir"), text.index("tin"))
    assert text.__getitem__(slice(*view.selected_range())) == "adimir Pu"

    view.snap_to_words = True

    assert text.__getitem__(slice(*view.selected_range())) == "Vladimir Putin"
    select16(view, text.index("Trump"), utf16.to_utf16(text.index("👍")) + 1)
    assert text.__getitem__(slice(*view.selected_range())) == "Trump 👍🏽"


def test_select_range_round_trips_through_utf16(view: ReaderView, qtbot) -> None:
    view.set_article(MIXED, [], LABELS, own_annotator=OWN)
    start = MIXED.index("🇺🇸")
    end = MIXED.index(" said")

    with qtbot.waitSignal(view.selection_changed):
        view.select_range(start, end)

    assert view.selected_range() == (start, end)
    assert view.textCursor().selectedText() == "🇺🇸 and thumbs 👍🏽"


def test_selection_changed_fires_only_when_the_code_point_range_changes(
    view: ReaderView, qtbot
) -> None:
    text = "Go 👍🏽 now"
    view.set_article(text, [], LABELS, own_annotator=OWN)
    thumb16 = Utf16Index(text).to_utf16(text.index("👍"))
    select16(view, 0, thumb16 + 1)
    fired: list[None] = []
    view.selection_changed.connect(lambda: fired.append(None))

    select16(view, 0, thumb16 + 2)  # still inside the same cluster: same snapped range
    assert fired == []
    select16(view, 0, 2)
    assert len(fired) == 1


def test_mouse_drag_selects_text(view: ReaderView, qtbot) -> None:
    text = "Presidents Vladimir Putin and Donald Trump will have their first call."
    view.set_article(text, [], LABELS, own_annotator=OWN)
    view.snap_to_words = True
    press = char_center(view, text.index("adimir"))
    release = char_center(view, text.index("tin and"))
    viewport = view.viewport()

    with qtbot.waitSignal(view.selection_changed):
        qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=press)
        qtbot.mouseMove(viewport, release)
        qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=release)

    assert text.__getitem__(slice(*view.selected_range())) == "Vladimir Putin"
    assert view.current_span_id is None  # a drag is not a click


# ---- highlights ----------------------------------------------------------------------------


def test_spans_in_code_points_are_formatted_at_their_utf16_positions(view: ReaderView) -> None:
    text = "A 🇺🇸 flag and 👍🏽 thumbs.\nThe 👍🏽 second 🇺🇸 line ends here."
    first = span_of(text, "flag and 👍🏽", 1)
    second = span_of(text, "second 🇺🇸 line", 2, 2)
    view.set_article(text, [first, second], LABELS, own_annotator=OWN)

    [(start, length, fmt)] = block_formats(view, 0)
    assert (start, length) == (first.start + 2, len("flag and 👍🏽") + 2)
    assert fmt.background().style() != Qt.BrushStyle.NoBrush

    block_start = text.index("The")
    [(start, length, _)] = block_formats(view, 1)
    # Two UTF-16 units for the thumb before it, two more for the flag inside it.
    assert start == second.start - block_start + 2
    assert length == len("second 🇺🇸 line") + 2


def hue_of(color: QColor) -> float:
    return color.hslHueF()


def test_overlapping_spans_show_the_innermost_colour_never_a_mix(view: ReaderView) -> None:
    text = "The president said that the talks would resume on Monday."
    outer = span_of(text, "president said that the talks", 1, 1)
    inner = span_of(text, "said that", 2, 2)
    view.set_article(text, [outer, inner], LABELS, own_annotator=OWN)

    ranges = block_formats(view, 0)
    assert [(s, n) for s, n, _ in ranges] == [
        (outer.start, inner.start - outer.start),
        (inner.start, inner.end - inner.start),
        (inner.end, outer.end - inner.end),
    ]
    before, overlap, after = (fmt for _, _, fmt in ranges)
    assert before == after
    scheme = view.highlighter.scheme
    # Quote's orange outside, Source's blue (a step stronger, being nested) inside: no mud.
    assert before.background().color() == scheme.fill([QColor("#e9a23b")])
    assert overlap.background().color() == scheme.fill([QColor("#4c9be8")] * 2)
    assert abs(hue_of(overlap.background().color()) - hue_of(QColor("#4c9be8"))) < 0.02


def test_partly_overlapping_and_triple_stacked_spans(view: ReaderView) -> None:
    text = "abcdefghijklmnopqrstuvwxyz"
    spans = [make_span(1, 0, 10, 1), make_span(2, 5, 15, 2), make_span(3, 7, 9, 3)]
    view.set_article(text, spans, LABELS, own_annotator=OWN)

    formats = {(s, s + n): fmt for s, n, fmt in block_formats(view, 0)}
    assert sorted(formats) == [(0, 5), (5, 7), (7, 9), (9, 10), (10, 15)]
    # Segments covered by the same spans look the same; any other pair looks different.
    assert formats[(5, 7)] == formats[(9, 10)]
    assert len({formats[r].background().color().rgb() for r in formats}) == 4
    innermost = {(0, 5): 0, (5, 7): 1, (7, 9): 2, (10, 15): 1}
    for segment, label in innermost.items():
        color = formats[segment].background().color()
        assert abs(hue_of(color) - hue_of(QColor(LABELS[label].color))) < 0.03


def test_same_label_nesting_is_still_visible(view: ReaderView) -> None:
    text = "He said the talks were over, she said."
    view.set_article(
        text, [make_span(1, 0, 37, 1), make_span(2, 8, 27, 1)], LABELS, own_annotator=OWN
    )
    formats = block_formats(view, 0)
    assert len(formats) == 3
    assert formats[1][2].background() != formats[0][2].background()


def test_other_layers_get_no_fill_and_hatched_layers_a_hatch(view: ReaderView) -> None:
    text = "Peskov said the call went well."
    theirs = span_of(text, "the call", 1, 3, annotator=OTHER)
    view.set_article(text, [theirs], LABELS, own_annotator=OWN)

    # Outlined (the default for other layers) is painted by the view, not formatted.
    assert block_formats(view, 0) == []

    view.set_layer_styles({OTHER: LayerStyle.HATCH})
    [(start, length, fmt)] = block_formats(view, 0)
    assert (start, length) == (theirs.start, theirs.end - theirs.start)
    assert fmt.background().style() == Qt.BrushStyle.BDiagPattern

    view.set_visible_annotators({OWN})
    assert block_formats(view, 0) == []
    assert view.spans_at(theirs.start) == []
    assert view.spans_at(theirs.start, visible_only=False) == [theirs]

    view.set_visible_annotators(None)
    assert len(block_formats(view, 0)) == 1


def test_switching_layers_rehighlights_only_their_paragraphs(view: ReaderView) -> None:
    text = "\n".join(f"Paragraph {i} has a few words in it." for i in range(8))
    starts = [text.index(f"Paragraph {i}") for i in range(8)]
    spans = [make_span(i + 1, start, start + 9) for i, start in enumerate(starts)]
    spans.append(make_span(20, starts[5] + 12, starts[5] + 20, 2, annotator=OTHER))
    view.set_article(text, spans, LABELS, own_annotator=OWN)
    view.set_layer_styles({OTHER: LayerStyle.HATCH})
    trace: list[int] = []
    view.highlighter.trace = trace

    view.set_visible_annotators({OWN})
    assert trace == [5]
    assert len(block_formats(view, 5)) == 1

    trace.clear()
    view.set_visible_annotators({OWN})  # no change, no work
    view.set_visible_annotators({OWN, "carol"})  # nobody's spans change either
    assert trace == []

    view.set_visible_annotators(None)
    assert trace == [5]
    assert len(block_formats(view, 5)) == 2


def test_spans_at_lists_innermost_first(view: ReaderView) -> None:
    text = "abcdefghijklmnopqrstuvwxyz"
    spans = [make_span(1, 0, 20), make_span(2, 4, 8), make_span(3, 2, 12)]
    view.set_article(text, spans, LABELS, own_annotator=OWN)

    assert [s.id for s in view.spans_at(5)] == [2, 3, 1]
    assert [s.id for s in view.spans_at(15)] == [1]
    assert view.spans_at(22) == []
    assert view.spans_at(99) == []


def test_changing_one_span_rehighlights_only_its_blocks(view: ReaderView) -> None:
    paragraphs = [f"Paragraph {i} says something quotable about the talks." for i in range(6)]
    text = "\n".join(paragraphs)
    starts = [text.index(p) for p in paragraphs]
    spans = [make_span(1, starts[0] + 10, starts[0] + 20), make_span(2, starts[4], starts[4] + 9)]
    view.set_article(text, spans, LABELS, own_annotator=OWN)
    before = all_formats(view)
    trace: list[int] = []
    view.highlighter.trace = trace

    view.add_span(make_span(3, starts[2] + 12, starts[2] + 30, 2))
    assert trace == [2]
    after = all_formats(view)
    assert [n for n in range(6) if after[n] != before[n]] == [2]

    trace.clear()
    view.update_span(make_span(3, starts[3] + 5, starts[3] + 15, 3))
    assert sorted(trace) == [2, 3]
    assert block_formats(view, 2) == []
    assert block_formats(view, 3)[0][:2] == (5, 10)

    trace.clear()
    view.add_span(make_span(4, starts[1] + 40, starts[2] + 8, 4))  # across a paragraph break
    assert trace == [1, 2]

    trace.clear()
    view.remove_span(3)
    assert trace == [3]
    assert block_formats(view, 3) == []
    assert all_formats(view)[0] == before[0]
    assert all_formats(view)[4] == before[4]


def test_span_changes_are_checked(view: ReaderView) -> None:
    view.set_article("short text", [make_span(1, 0, 5)], LABELS, own_annotator=OWN)
    with pytest.raises(ValueError, match="already shown"):
        view.add_span(make_span(1, 0, 5))
    with pytest.raises(ValueError, match="not inside"):
        view.add_span(make_span(2, 5, 50))
    with pytest.raises(KeyError):
        view.remove_span(99)
    with pytest.raises(KeyError):
        view.update_span(make_span(99, 0, 2))


def test_spans_outside_the_text_are_skipped_on_open(view: ReaderView, caplog) -> None:
    view.set_article("tiny", [make_span(1, 0, 2), make_span(2, 3, 40)], LABELS, own_annotator=OWN)
    assert list(view.spans) == [1]
    assert "outside the text" in caplog.text


def test_set_labels_recolours_every_highlight(view: ReaderView) -> None:
    text = "Quoted words here."
    view.set_article(text, [make_span(1, 0, 6)], LABELS, own_annotator=OWN)
    old = block_formats(view, 0)[0][2].background().color()

    view.set_labels([Label(1, "Quote", "#00aa00"), *LABELS[1:]])

    new = block_formats(view, 0)[0][2].background().color()
    assert new != old
    assert new.green() > new.red()


def test_zoom_keeps_highlights_and_reading_position(view: ReaderView, qtbot) -> None:
    paragraph = "Officials said the talks would go on. " * 12
    text = "\n\n".join(f"{i}. {paragraph}" for i in range(60))
    starts = [text.index(f"{i}. ") for i in range(60)]
    spans = [make_span(i + 1, start + 4, start + 40) for i, start in enumerate(starts)]
    view.set_article(text, spans, LABELS, own_annotator=OWN)
    view.scroll_to_offset(text.index("30. "))
    formats = all_formats(view)
    size = view.font().pointSizeF()

    with qtbot.waitSignal(view.zoom_changed) as blocker:
        view.zoom_in()
    view.zoom_in()

    assert blocker.args == [1]
    assert view.zoom_steps == 2
    assert view.font().pointSizeF() > size
    assert all_formats(view) == formats
    assert text.index("30. ") <= view.first_visible_offset() < text.index("31. ")
    view.grab()  # paints at the new size without complaint
    assert all_formats(view) == formats

    view.set_zoom(0)
    assert view.font().pointSizeF() == size
    view.set_zoom(1000)
    assert view.zoom_steps < 1000
    view.zoom_out()
    view.reset_zoom()
    assert view.zoom_steps == 0


def test_text_column_is_limited_and_centred(view: ReaderView, qtbot) -> None:
    view.set_article("word " * 2000, [], LABELS, own_annotator=OWN)
    view.resize(1800, 600)
    qtbot.waitUntil(lambda: view.viewportMargins().left() > 100)
    margins = view.viewportMargins()
    assert margins.left() == margins.right()
    line = view.document().firstBlock().layout().lineAt(0)
    assert 55 <= line.textLength() <= 90

    view.resize(400, 600)
    qtbot.waitUntil(lambda: view.viewportMargins().left() < 100)


def test_dark_palette_derives_dark_highlights(view: ReaderView) -> None:
    text = "Quoted words here."
    view.set_article(text, [make_span(1, 0, 6)], LABELS, own_annotator=OWN)
    assert block_formats(view, 0)[0][2].background().color().lightnessF() > 0.5

    palette = QPalette(view.palette())
    palette.setColor(QPalette.ColorRole.Base, QColor("#1e1f22"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#e6e6e6"))
    view.setPalette(palette)

    assert view.highlighter.scheme.dark
    background = block_formats(view, 0)[0][2].background().color()
    assert background.lightnessF() < 0.5
    assert background != QColor("#1e1f22")


# ---- current span, clicks, tips ------------------------------------------------------------


def test_current_span_is_an_extra_selection(view: ReaderView, qtbot) -> None:
    text = "Go 👍🏽 now, said the flag 🇺🇸 bearer."
    span = span_of(text, "said the flag 🇺🇸", 7)
    view.set_article(text, [span], LABELS, own_annotator=OWN)
    utf16 = Utf16Index(text)

    with qtbot.waitSignal(view.current_span_changed) as blocker:
        view.set_current_span(7)

    assert blocker.args == [7]
    assert view.current_span_id == 7
    [selection] = view.extraSelections()
    assert selection.cursor.selectionStart() == utf16.to_utf16(span.start)
    assert selection.cursor.selectionEnd() == utf16.to_utf16(span.end)
    view.grab()

    with qtbot.waitSignal(view.current_span_changed) as blocker:
        view.remove_span(7)
    assert blocker.args == [None]
    assert view.current_span_id is None
    assert view.extraSelections() == []
    with pytest.raises(KeyError):
        view.set_current_span(7)


def test_set_current_span_scrolls_it_into_view(view: ReaderView) -> None:
    text = "\n\n".join(f"Paragraph {i}. " + "Filler words go on and on. " * 10 for i in range(200))
    far = span_of(text, "Paragraph 150.", 1)
    view.set_article(text, [far], LABELS, own_annotator=OWN)
    assert view.first_visible_offset() == 0

    view.set_current_span(1)

    first = view.first_visible_offset()
    assert text.index("Paragraph 140.") < first <= far.start


def test_click_selects_innermost_span_and_cycles_outwards(view: ReaderView, qtbot) -> None:
    text = "He said that the talks had gone well and would continue."
    outer = span_of(text, "said that the talks had gone well", 1, 1)
    inner = span_of(text, "the talks", 2, 2)
    view.set_article(text, [outer, inner], LABELS, own_annotator=OWN)
    point = char_center(view, text.index("talks"))
    viewport = view.viewport()

    with qtbot.waitSignal(view.span_clicked) as blocker:
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=point)
    assert blocker.args == [2]
    assert view.current_span_id == 2

    with qtbot.waitSignal(view.span_clicked) as blocker:
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=point)
    assert blocker.args == [1]

    with qtbot.waitSignal(view.span_clicked) as blocker:
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=point)
    assert blocker.args == [2]

    # Only the outer span here: a click picks it.
    with qtbot.waitSignal(view.span_clicked) as blocker:
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=char_center(view, 4))
    assert blocker.args == [1]

    with qtbot.waitSignal(view.current_span_changed) as blocker:
        qtbot.mouseClick(
            viewport, Qt.MouseButton.LeftButton, pos=char_center(view, text.index("continue"))
        )
    assert blocker.args == [None]


def test_click_on_emoji_and_arabic_finds_their_spans(view: ReaderView, qtbot) -> None:
    view.set_article(
        MIXED,
        [span_of(MIXED, "thumbs 👍🏽 said", 1), span_of(MIXED, "الاتصال", 2, 2)],
        LABELS,
        own_annotator=OWN,
    )
    assert view.offset_at(char_center(view, MIXED.index("said"))) == MIXED.index("said")

    with qtbot.waitSignal(view.span_clicked) as blocker:
        qtbot.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, pos=char_center(view, MIXED.index("said"))
        )
    assert blocker.args == [1]
    arabic = MIXED.index("الاتصال") + 2
    assert view.spans_at(view.offset_at(char_center(view, arabic)))[0].id == 2


@pytest.fixture
def shown_tips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Tool tips the view asks for. (Offscreen, a real tip window only warns that it cannot
    be raised, which the Qt log check would count as a failure.)"""
    tips: list[str] = []
    monkeypatch.setattr(QToolTip, "showText", lambda _pos, text, *_args: tips.append(text))
    monkeypatch.setattr(QToolTip, "hideText", lambda: tips.append(""))
    return tips


def test_tooltip_names_spans_and_escapes_user_text(view: ReaderView, shown_tips: list[str]) -> None:
    text = "The minister said the <b>report</b> was fake."
    hostile = "<img src=x onerror=alert(1)>"
    spans = [
        span_of(text, "said the <b>report</b>", 1, 1, note=hostile),
        span_of(text, "report", 2, 2, annotator="<script>", note="second\nline"),
    ]
    view.set_article(
        text, spans, [Label(1, "Quote & <i>co</i>", "#e9a23b"), *LABELS[1:]], own_annotator=OWN
    )
    point = char_center(view, text.index("port"))

    event = QHelpEvent(QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point))
    QApplication.sendEvent(view.viewport(), event)
    [tip] = shown_tips

    assert "<img" not in tip and "<script>" not in tip and "<i>co" not in tip
    assert "&lt;img src=x onerror=alert(1)&gt;" in tip
    rendered = QTextDocument()
    rendered.setHtml(tip)
    shown = rendered.toPlainText()
    assert hostile in shown
    assert "Quote & <i>co</i>" in shown
    assert "<script>" in shown
    # Innermost first.
    assert shown.index("Source") < shown.index("Quote")


def test_no_tooltip_off_the_spans(view: ReaderView, shown_tips: list[str]) -> None:
    text = "Nothing tagged here, only this."
    view.set_article(text, [span_of(text, "only", 1)], LABELS, own_annotator=OWN)
    point = char_center(view, 3)
    event = QHelpEvent(QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point))
    QApplication.sendEvent(view.viewport(), event)
    assert shown_tips == [""]


# ---- scrolling -----------------------------------------------------------------------------


def test_first_visible_offset_and_scroll_to_offset_round_trip(view: ReaderView) -> None:
    text = "\n\n".join(
        f"Paragraph {i} 👍🏽 " + "with several words that wrap over lines. " * 9 for i in range(150)
    )
    view.set_article(text, [], LABELS, own_annotator=OWN)
    target = text.index("Paragraph 70 ") + 200  # in the middle of a wrapped paragraph

    view.scroll_to_offset(target)
    first = view.first_visible_offset()

    assert first <= target < first + 120
    assert "\n" not in text[first:target]
    view.scroll_to_offset(0)
    assert view.first_visible_offset() == 0
    view.scroll_to_offset(first)
    assert view.first_visible_offset() == first
    view.verticalScrollBar().setValue(view.verticalScrollBar().value() + 3)
    assert view.first_visible_offset() > first


def test_clear_forgets_the_article(view: ReaderView, qtbot) -> None:
    view.set_article("Some text.", [make_span(1, 0, 4)], LABELS, own_annotator=OWN)
    view.set_current_span(1)

    with qtbot.waitSignal(view.current_span_changed):
        view.clear()

    assert view.text == ""
    assert view.spans == {}
    assert view.document().toRawText() == ""
    assert view.first_visible_offset() == 0
    assert view.selected_range() is None


# ---- header and pane -----------------------------------------------------------------------


def test_header_shows_markup_in_titles_literally(qtbot) -> None:
    header = ArticleHeader()
    qtbot.addWidget(header)
    header.set_article("<b>Breaking</b> & <i>news</i>", "Wire · Jane Doe")

    assert header.title_text() == "<b>Breaking</b> & <i>news</i>"
    assert header.title_label.textFormat() == Qt.TextFormat.PlainText
    assert header.metadata_text() == "Wire · Jane Doe"

    header.set_article("Only a title")
    assert header.metadata_label.isHidden()


def test_pane_shows_an_article_with_its_header_aligned(qtbot) -> None:
    # Inside a plain parent: a top-level window with a layout makes the offscreen plugin warn
    # that it cannot pass size hints on, which the Qt log check would count as a failure.
    window = QWidget()
    qtbot.addWidget(window)
    pane = ReaderPane(window)
    pane.resize(1200, 700)
    window.resize(1200, 700)
    window.show()
    qtbot.waitExposed(window)
    article = Article(
        id=1,
        title="Putin, Trump To Talk",
        text=MIXED,
        source="ZeroHedge",
        author="Tyler Durden",
        url="https://example.org/a?b=<c>",
        published="2017-01-27",
        imported_at="",
        content_hash="",
        status="new",
        meta={},
    )
    pane.set_article(article, [span_of(MIXED, "Peskov", 1, 2)], LABELS, own_annotator=OWN)

    assert pane.header.title_text() == "Putin, Trump To Talk"
    assert pane.header.metadata_text() == (
        "ZeroHedge · Tyler Durden · 2017-01-27 · https://example.org/a?b=<c>"
    )
    assert pane.view.text == MIXED
    qtbot.waitUntil(
        lambda: pane.header.layout().contentsMargins().left() == pane.view.text_column_margins()[0]
    )
    assert pane.header.layout().contentsMargins().left() > 100

    size = pane.header.title_label.font().pointSizeF()
    pane.view.zoom_in()
    assert pane.header.title_label.font().pointSizeF() > size
    pane.clear()
    assert pane.header.title_text() == "" and pane.view.text == ""
