"""Reader painting: layer styles, stacked bars and badges, relations drawn, line spacing,
contrast of every highlight and themes, checked on the pixels the view really paints."""

from __future__ import annotations

import random

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from annotator.core.model import DEFAULT_LABELS, LABEL_PALETTE, Label, Relation, Span
from annotator.ui.colors import MIN_TEXT_CONTRAST, HighlightScheme, badge_letters, contrast_ratio
from annotator.ui.layer_styles import LayerStyle, assign_layer_styles
from annotator.ui.reader import ReaderView, RelationMode
from annotator.ui.theme import DARK, LIGHT, apply_theme, theme_palette

OWN = "alice"
LABELS = [
    Label(i + 1, spec.name, spec.color, spec.hotkey, position=i)
    for i, spec in enumerate(DEFAULT_LABELS)
]
TEXT = (
    "Presidents Vladimir Putin and Donald Trump will talk on Saturday, the Kremlin said.\n"
    "Peskov said: \u201cWe'll see, let's be patient\u201d about the 🇺🇸 call.\n"
    "قال المتحدث إن الاتصال سيتم يوم السبت.\n"
    "Nobody should expect a breakthrough after one phone call, officials said."
)


def span_of(needle: str, span_id: int, label_id: int, annotator: str = OWN) -> Span:
    start = TEXT.index(needle)
    return Span(span_id, 1, start, start + len(needle), label_id, needle, annotator)


@pytest.fixture
def view(qtbot) -> ReaderView:
    widget = ReaderView()
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def span_rect(view: ReaderView, span: Span) -> QRect:
    """Viewport rectangle of the first line of a span's text."""
    cursor = view._cursor_for(span.start, span.start)
    left = view.cursorRect(cursor)
    cursor = view._cursor_for(span.end, span.end)
    right = view.cursorRect(cursor)
    return QRect(left.left(), left.top(), max(1, right.left() - left.left()), left.height())


def pixels_near(image: QImage, rect: QRect, color: QColor, tolerance: int = 40) -> set[int]:
    """Rows of ``rect`` holding a pixel within ``tolerance`` of ``color``."""
    rows = set()
    for y in range(max(0, rect.top()), min(image.height(), rect.bottom() + 1)):
        for x in range(max(0, rect.left()), min(image.width(), rect.right() + 1), 2):
            pixel = image.pixelColor(x, y)
            if (
                abs(pixel.red() - color.red())
                + abs(pixel.green() - color.green())
                + abs(pixel.blue() - color.blue())
                <= tolerance
            ):
                rows.add(y)
    return rows


def grab(view: ReaderView) -> QImage:
    return view.viewport().grab().toImage()


# ---- colours -------------------------------------------------------------------------------


@pytest.mark.parametrize("theme", [LIGHT, DARK])
def test_every_highlight_keeps_text_contrast(theme: str) -> None:
    palette = theme_palette(theme)
    scheme = HighlightScheme.from_palette(palette)
    assert scheme.dark == (theme == DARK)
    rng = random.Random(15)
    colors = [QColor(c) for c in LABEL_PALETTE] + [
        QColor.fromRgb(rng.randrange(256), rng.randrange(256), rng.randrange(256))
        for _ in range(200)
    ]
    colors += [QColor("#ffff00"), QColor("#000000"), QColor("#ffffff"), QColor("#00ff00")]
    for color in colors:
        for depth in range(1, 5):
            fill = scheme.fill([color] * depth)
            assert contrast_ratio(fill, scheme.text) >= MIN_TEXT_CONTRAST, (color.name(), depth)
        assert contrast_ratio(scheme.current(color), scheme.text) >= MIN_TEXT_CONTRAST
        badge = scheme.line(color)
        assert contrast_ratio(badge, scheme.badge_text(badge)) >= MIN_TEXT_CONTRAST - 0.5


def test_default_palette_stays_apart_under_colour_blindness() -> None:
    # Deuteranopia and protanopia simulated (Viénot 1999 matrices on linear RGB): the default
    # label colours stay distinguishable, and letters tell them apart anyway.
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    def simulate(color: QColor, matrix: tuple[tuple[float, ...], ...]) -> tuple[float, ...]:
        rgb = (linear(color.redF()), linear(color.greenF()), linear(color.blueF()))
        return tuple(sum(m * v for m, v in zip(row, rgb, strict=True)) for row in matrix)

    deutan = ((0.29275, 0.70725, 0.0), (0.29275, 0.70725, 0.0), (-0.02234, 0.02234, 1.0))
    protan = ((0.11238, 0.88762, 0.0), (0.11238, 0.88762, 0.0), (0.00401, -0.00401, 1.0))
    colors = [QColor(spec.color) for spec in DEFAULT_LABELS]
    for matrix in (deutan, protan):
        seen = [simulate(c, matrix) for c in colors]
        for i in range(len(seen)):
            for j in range(i + 1, len(seen)):
                distance = sum((a - b) ** 2 for a, b in zip(seen[i], seen[j], strict=True)) ** 0.5
                assert distance > 0.08, (DEFAULT_LABELS[i].name, DEFAULT_LABELS[j].name)


def test_badges_are_distinct_letters() -> None:
    letters = badge_letters([(label.id, label.name) for label in LABELS])
    assert letters == {1: "Q", 2: "S", 3: "C", 4: "P"}
    many = badge_letters([(i, "Same") for i in range(30)])
    assert len(set(many.values())) == 30


def test_layer_styles_give_own_fill_gold_frame_and_distinct_others() -> None:
    styles = assign_layer_styles(["bob", "alice", "carol", "Gold", "dave"], "alice")
    assert styles["alice"] is LayerStyle.FILL
    assert styles["Gold"] is LayerStyle.GOLD
    assert [styles[n] for n in ("bob", "carol", "dave")] == [
        LayerStyle.OUTLINE,
        LayerStyle.UNDERLINE,
        LayerStyle.HATCH,
    ]
    assert assign_layer_styles(["adjudicated"], "alice", gold=["adjudicated"])["adjudicated"] is (
        LayerStyle.GOLD
    )


# ---- painting ------------------------------------------------------------------------------


def test_nested_spans_get_stacked_bars_in_their_own_colours(view: ReaderView) -> None:
    view.set_line_spacing(1.6)
    outer = span_of("Presidents Vladimir Putin and Donald Trump will talk", 1, 3)
    inner = span_of("Vladimir Putin", 2, 2)
    view.set_article(TEXT, [outer, inner], LABELS, own_annotator=OWN)
    image = grab(view)
    scheme = view.highlighter.scheme
    rect = span_rect(view, inner)
    # The line box holds the extra spacing above the glyphs: the bars run there.
    above = QRect(rect.left(), rect.top() - 2, rect.width(), rect.height() * 2 // 5)
    outer_rows = pixels_near(image, above, scheme.line(QColor(LABELS[2].color)))
    inner_rows = pixels_near(image, above, scheme.line(QColor(LABELS[1].color)))
    # Both bars run above "Vladimir Putin", on different rows: each span's extent reads apart.
    assert outer_rows and inner_rows
    assert outer_rows != inner_rows


def test_badges_of_spans_starting_together_share_one_row(view: ReaderView) -> None:
    view.set_line_spacing(1.6)
    outer = span_of("Presidents Vladimir Putin and Donald Trump", 1, 3)
    inner = span_of("Presidents Vladimir Putin", 2, 2)
    view.set_article(TEXT, [outer, inner], LABELS, own_annotator=OWN)
    image = grab(view)
    scheme = view.highlighter.scheme
    rect = span_rect(view, inner)
    # Above the first letters, where both spans start: two badges, side by side.
    above = QRect(rect.left() - 2, rect.top() - rect.height(), 3 * rect.height(), rect.height())
    outer_rows = pixels_near(image, above, scheme.line(QColor(LABELS[2].color)), 20)
    inner_rows = pixels_near(image, above, scheme.line(QColor(LABELS[1].color)), 20)
    assert outer_rows and inner_rows
    # Their tops are level, though each bar below runs at its own height.
    assert abs(min(outer_rows) - min(inner_rows)) <= 1, (sorted(outer_rows), sorted(inner_rows))


def test_other_layers_are_drawn_in_their_styles_and_gold_in_gold(view: ReaderView) -> None:
    view.set_line_spacing(1.6)
    theirs = span_of("the Kremlin said", 1, 2, "bob")
    gold = span_of("Peskov", 2, 2, "gold")
    view.set_article(TEXT, [theirs, gold], LABELS, own_annotator=OWN)
    view.set_layer_styles(assign_layer_styles(["bob", "gold"], OWN))
    image = grab(view)
    scheme = view.highlighter.scheme
    rect = span_rect(view, gold).adjusted(-4, -3, 4, 3)
    assert pixels_near(image, rect, scheme.gold())
    outline = span_rect(view, theirs).adjusted(-3, 0, 3, 2)
    assert pixels_near(image, outline, scheme.line(QColor(LABELS[1].color)))
    assert view.layer_style("gold") is LayerStyle.GOLD
    assert view.layer_style(OWN) is LayerStyle.FILL


def test_relations_are_drawn_and_follow_the_mode(view: ReaderView) -> None:
    view.set_line_spacing(1.6)
    quote = span_of("We'll see, let's be patient", 1, 1)
    source = span_of("Peskov", 2, 2)
    view.set_article(TEXT, [quote, source], LABELS, own_annotator=OWN)
    view.set_relations(
        [
            Relation(1, 1, quote.id, source.id, "attributed_to", OWN),
            Relation(2, 1, quote.id, 99, "attributed_to", OWN),  # a span not given: left out
        ]
    )
    assert [r.id for r in view.relations] == [1]
    assert [r.id for r in view.relations_of(source.id)] == [1]

    view.relation_mode = RelationMode.NONE
    without = grab(view)
    view.relation_mode = RelationMode.ALL
    drawn = grab(view)
    left = span_rect(view, source)
    right = span_rect(view, quote)
    between = QRect(left.left(), left.top() - 40, right.right() - left.left(), 40)
    changed = sum(
        1
        for y in range(max(0, between.top()), between.bottom())
        for x in range(between.left(), between.right())
        if without.pixel(x, y) != drawn.pixel(x, y)
    )
    assert changed > 20  # an arc runs above the line between the two spans

    view.relation_mode = RelationMode.SELECTED
    assert grab(view) == without  # nothing selected: nothing drawn
    view.set_current_span(source.id)
    assert grab(view) != without
    with pytest.raises(ValueError):
        view.relation_mode = "some"


def test_line_spacing_spreads_lines_without_touching_the_text(view: ReaderView) -> None:
    spans = [span_of("Vladimir Putin", 1, 2), span_of("the 🇺🇸 call", 2, 1)]
    view.set_article(TEXT * 3, spans, LABELS, own_annotator=OWN)
    block = view.document().firstBlock()
    natural = block.layout().lineAt(0).height()
    lines = block.layout().lineCount()

    view.set_line_spacing(1.6)

    block = view.document().firstBlock()
    assert block.layout().lineAt(0).height() >= natural * 1.45
    assert block.layout().lineCount() == lines  # the same wrapping
    assert view.document().toRawText().replace("\u2029", "\n") == TEXT * 3
    # Highlights keep their place: the span's own segment is still formatted.
    formats = [r for r in block.layout().formats() if r.format.background().style() != 0]
    assert formats
    view.set_line_spacing(1.0)
    assert view.document().firstBlock().layout().lineAt(0).height() == natural
    view.set_line_spacing(99)
    assert view.line_spacing == 2.5


def test_theme_switch_changes_the_palette_and_the_highlights(view: ReaderView, qtbot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    view.set_article(TEXT, [span_of("Peskov", 1, 1)], LABELS, own_annotator=OWN)
    try:
        apply_theme(app, LIGHT)
        qtbot.waitUntil(lambda: not view.highlighter.scheme.dark)
        light = view.highlighter.scheme.fill([QColor(LABELS[0].color)])
        apply_theme(app, DARK)
        qtbot.waitUntil(lambda: view.highlighter.scheme.dark)
        assert app.palette().color(app.palette().ColorRole.Base).lightnessF() < 0.3
        dark = view.highlighter.scheme.fill([QColor(LABELS[0].color)])
        assert dark != light and dark.lightnessF() < light.lightnessF()
    finally:
        app.setPalette(app.style().standardPalette())
