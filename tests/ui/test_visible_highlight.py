"""A long article is highlighted only where it is seen (ui/visible_highlight.py): what is
painted looks exactly as when the whole text is highlighted at once, the rest is not touched
until it is scrolled to, and a change of look reaches every paragraph before it is painted."""

from __future__ import annotations

import random

import pytest
from PySide6.QtGui import QTextCharFormat, QTextDocument
from PySide6.QtWidgets import QApplication

from annotator.core.model import Label, Span
from annotator.ui import visible_highlight
from annotator.ui.highlighter import SpanIndex
from annotator.ui.reader import ReaderView

OWN = "alice"
LABELS = [Label(1, "Quote", "#e9a23b"), Label(2, "Source", "#4c9be8"), Label(3, "Claim", "#d9534f")]
PARAGRAPH = (
    "Flags 🇺🇸 and thumbs 👍🏽 said Peskov {n}. Cafe\u0301 owners\u00a0agreed: "
    "\u201cwe will see\u201d. قال المتحدث إن الاتصال سيتم يوم السبت."
)


def long_article(paragraphs: int = 400) -> tuple[str, list[Span]]:
    parts = [PARAGRAPH.format(n=n) for n in range(paragraphs)]
    text = "\n".join(parts)
    spans, at = [], 0
    for n, part in enumerate(parts):
        for i, needle in enumerate(("Peskov", "owners\u00a0agreed", "المتحدث")):
            start = at + part.index(needle)
            spans.append(
                Span(
                    len(spans) + 1,
                    1,
                    start,
                    start + len(needle),
                    i + 1,
                    needle,
                    OWN if n % 3 else "bob",
                )
            )
        spans.append(Span(len(spans) + 1, 1, at, at + len(part), 3, part, OWN))  # nests the rest
        at += len(part) + 1
    return text, spans


def formats(view: ReaderView, number: int) -> list[tuple[int, int, QTextCharFormat]]:
    block = view.document().findBlockByNumber(number)
    return [(r.start, r.length, QTextCharFormat(r.format)) for r in block.layout().formats()]


def shown(qtbot) -> ReaderView:  # type: ignore[no-untyped-def]
    view = ReaderView()
    qtbot.addWidget(view)
    view.resize(700, 400)
    view.show()
    qtbot.waitExposed(view)
    return view


def painted(view: ReaderView) -> None:
    view.viewport().repaint()
    QApplication.processEvents()


@pytest.fixture
def lazy_from_small(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(visible_highlight, "LAZY_FROM_CHARS", 5_000)


def test_only_what_is_seen_is_highlighted_and_it_looks_the_same(qtbot, lazy_from_small) -> None:  # type: ignore[no-untyped-def]
    text, spans = long_article()
    view = shown(qtbot)
    trace: list[int] = []
    view.highlighter.trace = trace
    view.set_article(text, spans, LABELS, own_annotator=OWN)
    painted(view)
    assert view._visible.active
    last = view.document().blockCount() - 1
    assert trace and max(trace) < 40  # the first screen, of 400 paragraphs
    assert formats(view, 0) and not formats(view, last)

    # The same article highlighted whole, as a short one would be.
    whole = shown(qtbot)
    whole._visible._lazy_from = 10**9
    whole.set_article(text, spans, LABELS, own_annotator=OWN)
    assert not whole._visible.active
    for number in sorted(set(trace)):
        assert formats(view, number) == formats(whole, number), number

    trace.clear()
    view.scroll_to_offset(len(text) - 10)
    painted(view)
    assert last in trace and min(trace) > 300
    assert formats(view, last) == formats(whole, last) != []


def test_a_change_of_look_reaches_paragraphs_seen_before(qtbot, lazy_from_small) -> None:  # type: ignore[no-untyped-def]
    text, spans = long_article()
    view = shown(qtbot)
    view.set_article(text, spans, LABELS, own_annotator=OWN)
    painted(view)
    before = formats(view, 0)
    view.scroll_to_offset(len(text) - 10)
    painted(view)
    recoloured = [*LABELS[:2], Label(3, "Claim", "#123456")]  # the paragraph-long span
    view.set_labels(recoloured)  # only the end is on screen now
    painted(view)
    view.scroll_to_offset(0)
    painted(view)
    after = formats(view, 0)
    assert after != before
    whole = shown(qtbot)
    whole._visible._lazy_from = 10**9
    whole.set_article(text, spans, recoloured, own_annotator=OWN)
    assert after == formats(whole, 0)
    # Hiding a layer: its spans go from what is painted next.
    view.set_visible_annotators({"bob"})
    painted(view)
    whole.set_visible_annotators({"bob"})
    assert formats(view, 0) == formats(whole, 0)


def test_a_span_added_far_from_the_screen_shows_when_scrolled_to(qtbot, lazy_from_small) -> None:  # type: ignore[no-untyped-def]
    text, spans = long_article()
    view = shown(qtbot)
    view.set_article(text, spans[:-8], LABELS, own_annotator=OWN)
    painted(view)
    for span in spans[-8:]:
        view.add_span(span)
    view.scroll_to_offset(len(text) - 10)
    painted(view)
    whole = shown(qtbot)
    whole._visible._lazy_from = 10**9
    whole.set_article(text, spans, LABELS, own_annotator=OWN)
    last = view.document().blockCount() - 1
    assert formats(view, last) == formats(whole, last) != []


def test_short_texts_are_highlighted_whole(qtbot) -> None:  # type: ignore[no-untyped-def]
    text, spans = long_article(20)
    view = shown(qtbot)
    view.set_article(text, spans, LABELS, own_annotator=OWN)
    assert not view._visible.active
    assert formats(view, view.document().blockCount() - 1)


def test_hiding_a_layer_highlights_only_what_is_seen(qtbot, lazy_from_small) -> None:  # type: ignore[no-untyped-def]
    text, spans = long_article()
    view = shown(qtbot)
    view.set_article(text, spans, LABELS, own_annotator=OWN)
    painted(view)
    trace: list[int] = []
    view.highlighter.trace = trace
    view.set_visible_annotators({"bob"})  # changes every paragraph
    painted(view)
    assert trace and max(trace) < 40
    view.scroll_to_offset(len(text) - 10)
    painted(view)
    whole = shown(qtbot)
    whole._visible._lazy_from = 10**9
    whole.set_article(text, spans, LABELS, own_annotator=OWN)
    whole.set_visible_annotators({"bob"})
    last = view.document().blockCount() - 1
    assert formats(view, last) == formats(whole, last)
    view.scroll_to_offset(0)
    painted(view)
    assert formats(view, 0) == formats(whole, 0)


@pytest.mark.parametrize(
    "text",
    ["", "a", "\n", "ab\ncd\n\nef\n", "x\u2029y\nz", "emoji 😀\nNBSP\u00a0here\nשלום\n", "\n\n"],
)
def test_span_index_finds_blocks_and_spans_as_qt_splits_the_text(text: str) -> None:
    document = QTextDocument()
    document.setPlainText(text)
    index = SpanIndex(text)
    assert index.block_count == document.blockCount()
    rng = random.Random(7)
    for span_id in range(200 if text else 0):
        start = rng.randrange(len(text))
        end = rng.randrange(start + 1, len(text) + 1)
        span = Span(span_id, 1, start, end, 1, text[start:end], "ana")
        blocks = index.add(span)
        assert blocks == index.blocks_of(start, end)
        assert all(span in index.in_block(b) for b in blocks)
