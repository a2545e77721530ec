"""Benchmark of the reader pane: open a 1 MB article with 10,000 spans, change spans, scroll.

Not a test (pytest collects only test_*.py); run it by hand and read the medians it prints:

    .venv/bin/python tests/benchmarks/bench_reader.py [--size 1000000] [--spans 10000] [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QtMsgType, qInstallMessageHandler  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from annotator.core.model import DEFAULT_LABELS, Label, Relation, Span  # noqa: E402
from annotator.core.text import Utf16Index  # noqa: E402
from annotator.ui.highlighter import SpanIndex  # noqa: E402
from annotator.ui.layer_styles import assign_layer_styles  # noqa: E402
from annotator.ui.reader import ReaderPane, RelationMode  # noqa: E402

OWN = "me"
OTHER = "colleague"
_NAMES = [
    "Vladimir Putin",
    "Donald Trump",
    "Dmitry Peskov",
    "Angela Merkel",
    "the Kremlin",
    "White House officials",
    "a senior diplomat",
    "Bloomberg",
    "Reuters",
    "the ministry",
]
_VERBS = [
    "said",
    "told reporters",
    "wrote on Twitter",
    "claimed",
    "denied",
    "warned",
    "confirmed",
    "suggested",
    "insisted",
    "added",
]
_CLAUSES = [
    "the talks would cover sanctions, Ukraine and the fight against terrorism",
    "relations between Moscow and Washington had reached their lowest point since the Cold War",
    "a meeting in Reykjavík could follow as early as next month",
    "the economy grew by 2.3% in the third quarter, beating expectations",
    "nobody should expect a breakthrough 👍🏽 after one phone call",
    "the 🇺🇸 delegation would arrive on Saturday morning",
    "the decision was \u201centirely political\u201d and would be challenged in court",
    "prices of oil and gas rose sharply after the announcement",
    "Café owners in the capital reported fewer tourists than last year",
    "the résumé of the new envoy was published on the ministry\u2019s website",
]


def make_article(size: int, rng: random.Random) -> str:
    paragraphs: list[str] = []
    total = 0
    while total < size:
        sentences = []
        for _ in range(rng.randint(3, 5)):
            name, verb, clause = rng.choice(_NAMES), rng.choice(_VERBS), rng.choice(_CLAUSES)
            if rng.random() < 0.4:
                sentences.append(f"\u201c{clause[0].upper()}{clause[1:]},\u201d {name} {verb}.")
            else:
                sentences.append(f"{name[0].upper()}{name[1:]} {verb} that {clause}.")
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        total += len(paragraph) + 2
    return "\n\n".join(paragraphs)


def make_spans(text: str, count: int, labels: list[Label], rng: random.Random) -> list[Span]:
    """Word-aligned spans, mostly inside a paragraph, many nested or overlapping, a few across."""
    words = [i + 1 for i, ch in enumerate(text) if ch == " "]
    spans: list[Span] = []
    for span_id in range(1, count + 1):
        start = rng.choice(words)
        length = rng.randint(8, 160) if rng.random() < 0.97 else rng.randint(400, 1200)
        end = min(len(text), start + length)
        while end < len(text) and not text[end].isspace():
            end += 1
        while text[end - 1].isspace():
            end -= 1
        annotator = OWN if rng.random() < 0.8 else OTHER
        label = rng.choice(labels)
        spans.append(Span(span_id, 1, start, end, label.id, text[start:end], annotator))
    return spans


def make_relations(spans: list[Span], count: int, rng: random.Random) -> list[Relation]:
    """Relations between spans of the same layer near each other (a quote and its source)."""
    ordered = sorted(spans, key=lambda s: s.start)
    relations: list[Relation] = []
    for relation_id in range(1, count + 1):
        i = rng.randrange(len(ordered) - 20)
        head, child = ordered[i], ordered[i + rng.randint(1, 19)]
        relations.append(Relation(relation_id, 1, head.id, child.id, "attributed_to", OWN))
    return relations


def median_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _quiet_offscreen(kind: QtMsgType, _context: object, message: str) -> None:
    # The offscreen platform says it cannot pass a window's size hints on; nothing to see.
    if "This plugin does not support" not in message:
        print(message, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="characters of text")
    parser.add_argument("--spans", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7, help="repetitions of the open scenario")
    parser.add_argument("--relations", type=int, default=1_000)
    args = parser.parse_args(argv)

    qInstallMessageHandler(_quiet_offscreen)
    app = QApplication.instance() or QApplication(sys.argv)
    rng = random.Random(20240126)
    labels = [Label(i + 1, spec.name, spec.color) for i, spec in enumerate(DEFAULT_LABELS)]
    text = make_article(args.size, rng)
    spans = make_spans(text, args.spans, labels, rng)
    astral = sum(1 for ch in text if ord(ch) > 0xFFFF)
    print(
        f"article: {len(text):,} code points, {text.count(chr(10) * 2) + 1:,} paragraphs, "
        f"{astral:,} characters outside the BMP; {len(spans):,} spans "
        f"({sum(s.annotator == OWN for s in spans):,} own)"
    )

    index_ms = median_ms(lambda: SpanIndex(text, spans), 5)
    utf16_ms = median_ms(lambda: Utf16Index(text), 5)

    pane = ReaderPane()
    pane.resize(1100, 850)
    pane.show()
    app.processEvents()
    view = pane.view

    def open_article() -> None:
        view.set_article(text, spans, labels, own_annotator=OWN)
        app.processEvents()
        view.grab()

    def clear() -> None:
        view.clear()
        app.processEvents()

    opens = []
    for _ in range(args.runs):
        clear()
        t0 = time.perf_counter()
        open_article()
        opens.append((time.perf_counter() - t0) * 1000)
    view.highlighter.trace = []
    t0 = time.perf_counter()
    view.highlighter.rehighlight()
    rehighlight_ms = (time.perf_counter() - t0) * 1000
    blocks = len(view.highlighter.trace)
    view.highlighter.trace = None

    def text_only() -> None:
        view.set_article(text, [], labels, own_annotator=OWN)
        app.processEvents()
        view.grab()

    plain = []
    for _ in range(args.runs):
        clear()
        t0 = time.perf_counter()
        text_only()
        plain.append((time.perf_counter() - t0) * 1000)
    open_article()

    # One span at a time in the visible part of the text, as a user would add it.
    visible = view.first_visible_offset()
    new_id = len(spans) + 1
    new_span = Span(new_id, 1, visible + 20, visible + 60, labels[0].id, "", OWN)

    def add() -> None:
        view.add_span(new_span)
        view.viewport().repaint()

    def remove() -> None:
        view.remove_span(new_id)
        view.viewport().repaint()

    repeat = 50
    add_times, remove_times, update_times = [], [], []
    for i in range(repeat):
        t0 = time.perf_counter()
        add()
        add_times.append((time.perf_counter() - t0) * 1000)
        moved = Span(new_id, 1, new_span.start + i % 5, new_span.end + i % 7, labels[1].id, "", OWN)
        t0 = time.perf_counter()
        view.update_span(moved)
        view.viewport().repaint()
        update_times.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        remove()
        remove_times.append((time.perf_counter() - t0) * 1000)

    bar = view.verticalScrollBar()

    def scroll_page() -> None:
        bar.setValue(bar.value() + bar.pageStep())
        view.viewport().repaint()

    scroll = median_ms(scroll_page, 40)
    bar.setValue(0)
    view.viewport().repaint()
    paint = median_ms(view.viewport().repaint, 20)

    # The reading set-up analysts use: lines spaced 1.6, every layer drawn with its bars and
    # badges, and 1,000 relations drawn as arcs, each between spans a few paragraphs apart.
    view.set_layer_styles(assign_layer_styles({s.annotator for s in spans}, OWN))
    t0 = time.perf_counter()
    view.set_line_spacing(1.6)
    app.processEvents()
    spacing_ms = (time.perf_counter() - t0) * 1000
    relations = make_relations(spans, args.relations, rng)
    t0 = time.perf_counter()
    view.set_relations(relations)
    relations_ms = (time.perf_counter() - t0) * 1000
    view.relation_mode = RelationMode.ALL
    bar.setValue(0)
    view.viewport().repaint()
    frames = []
    for _ in range(60):
        t0 = time.perf_counter()
        scroll_page()
        frames.append((time.perf_counter() - t0) * 1000)
    frames.sort()
    on_screen = len(view.relations)

    rows = [
        (f"set_article + first paint ({len(spans):,} spans)", statistics.median(opens), 1),
        ("  of which: span index build", index_ms, 1),
        ("  of which: UTF-16 index build", utf16_ms, 1),
        (f"  of which, about: highlighting {blocks:,} blocks", rehighlight_ms, 1),
        ("set_article + first paint (no spans)", statistics.median(plain), 1),
        ("add span + repaint", statistics.median(add_times), 2),
        ("update span + repaint", statistics.median(update_times), 2),
        ("remove span + repaint", statistics.median(remove_times), 2),
        ("scroll a page + repaint", scroll, 2),
        ("repaint of the viewport", paint, 2),
        ("line spacing 1.6 applied (whole article)", spacing_ms, 1),
        (f"set {len(relations):,} relations", relations_ms, 2),
        ("scroll a page, spacing + relations (median)", statistics.median(frames), 2),
        ("scroll a page, spacing + relations (p95)", frames[int(len(frames) * 0.95) - 1], 2),
    ]
    for name, value, digits in rows:
        print(f"{name:<44} median {value:8.{digits}f} ms")
    print(f"(scroll frame target: under 16 ms; {on_screen:,} relations drawn where on screen)")
    print(
        f"(open: min {min(opens):.1f} ms, max {max(opens):.1f} ms over {args.runs} runs; "
        f"span changes over {repeat} runs)"
    )
    pane.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
