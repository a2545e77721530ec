"""Offsets without covered text (doccano): the reading (code points or UTF-16 units) is decided
per document from all its spans, and a document that fits both readings is reported, never
guessed. Proven over generated documents for every example Hypothesis draws (derandomized:
the same examples on every run)."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.formats.importer import import_paths
from annotator.formats.offsets import RawSpan, resolve_offsets
from annotator.store import Project

WORDS = [
    "Putin", "a", "b", "I", "café", "e\u0301te\u0301", "مرحبا", "שלום", "1999", "U.S.",
    "don't", "well-known", ",", ".", "«", "»", "#sanctions", "@kremlin", "x",
]  # fmt: skip
ASTRAL = ["😀", "👍🏽", "🇺🇸", "👨\u200d👩\u200d👧", "𝔘", "🎉🎉"]
SEPARATORS = [" ", "  ", "\n", "\r\n", "\u00a0", "\t"]


def _units(text: str, offset: int) -> int:
    return len(text[:offset].encode("utf-16-le")) // 2


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    tokens = draw(st.lists(st.sampled_from(WORDS + ASTRAL), min_size=1, max_size=14))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(tokens), max_size=len(tokens)))
    text, bounds = "", []
    for token, sep in zip(tokens, seps, strict=True):
        if text:
            text += sep
        bounds.append((len(text), len(text) + len(token)))
        text += token
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, len(bounds) - 1), st.integers(0, len(bounds) - 1)),
            min_size=1,
            max_size=6,
        )
    )
    spans = [(bounds[min(i, j)][0], bounds[max(i, j)][1]) for i, j in pairs]
    return text, spans


@settings(max_examples=3000, derandomize=True, deadline=None)
@given(documents(), st.booleans())
def test_a_document_is_read_right_or_reported_never_guessed(
    doc: tuple[str, list[tuple[int, int]]], counted_in_utf16: bool
) -> None:
    text, truth = doc
    written = [(_units(text, s), _units(text, e)) for s, e in truth] if counted_in_utf16 else truth
    check = resolve_offsets(text, [RawSpan(s, e) for s, e in written])
    if check.ambiguous:
        # Reported, not guessed: the spans it could not place say so; the others are right.
        assert sum(isinstance(g, str) for g in check.spans) == check.ambiguous
        for got, wanted in zip(check.spans, truth, strict=True):
            assert isinstance(got, str) or got == wanted
    else:
        assert list(check.spans) == truth, (text, written, check)


def test_an_ambiguous_doccano_line_is_rejected_by_line_and_the_rest_imported(
    tmp_path: Path,
) -> None:
    # "b" at code points [5, 6), or "a" at UTF-16 units [5, 6): both are whole words.
    ambiguous = {"id": 1, "text": "😀😀 a b c d", "label": [[5, 6, "X"]], "Comments": []}
    clear = {"id": 2, "text": "🎉 Putin called Trump.", "label": [[3, 8, "PER"]], "Comments": []}
    path = tmp_path / "admin.jsonl"
    path.write_text(
        "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in (ambiguous, clear)), "utf-8"
    )
    with Project.open(tmp_path / "p.annot") as project:
        summary = import_paths(project, [path], annotator="me", format="doccano")
        texts = [
            project.article(a).text[s.start : s.end]
            for a in project.article_ids()
            for s in project.spans(a)
        ]
    assert summary.articles_added == 1 and summary.rejected == 1
    assert summary.rejections[0].line == 1
    assert "both counted in characters and counted in UTF-16" in summary.rejections[0].message
    assert texts == ["Putin"]


@settings(max_examples=1500, derandomize=True, deadline=None)
@given(documents(), st.booleans())
def test_spans_that_name_their_text_are_placed_by_it_never_rejected(
    doc: tuple[str, list[tuple[int, int]]], counted_in_utf16: bool
) -> None:
    """Label Studio and brat give each span its text: a span is placed where that text is, in
    whichever reading puts it there, and when both do (a repeated word after an emoji, as in
    '👍aa' with [2, 3) naming 'a') the offsets are characters, as a file that counts characters
    means them."""
    text, truth = doc
    written = [(_units(text, s), _units(text, e)) for s, e in truth] if counted_in_utf16 else truth
    covered = [text[s:e] for s, e in truth]
    check = resolve_offsets(
        text, [RawSpan(s, e, c) for (s, e), c in zip(written, covered, strict=True)]
    )
    assert check.ambiguous == 0
    for got, wanted in zip(check.spans, covered, strict=True):
        assert not isinstance(got, str), (text, written, check)
        assert text[got[0] : got[1]] == wanted
    if not counted_in_utf16:
        assert list(check.spans) == truth


def test_a_repeated_word_after_an_emoji_in_a_label_studio_task_keeps_its_characters(
    tmp_path: Path,
) -> None:
    # A task as Label Studio exports it (JSON list; results with value.start/end/text/labels).
    task = {
        "id": 7,
        "data": {"text": "👍aa"},
        "annotations": [
            {
                "id": 1,
                "completed_by": 1,
                "result": [
                    {
                        "id": "r1",
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                        "value": {"start": 2, "end": 3, "text": "a", "labels": ["Quote"]},
                    }
                ],
            }
        ],
    }
    source = tmp_path / "export.json"
    source.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    with Project.open(tmp_path / "p.annot") as project:
        summary = import_paths(project, [source], annotator="me", format="labelstudio")
        assert summary.rejections == []
        [article_id] = project.article_ids()
        [span] = project.spans(article_id)
        assert (span.start, span.end, span.text) == (2, 3, "a")
