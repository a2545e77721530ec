"""Property test (hypothesis): any text, any valid spans, stored and read back unchanged."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.model import ArticleDraft
from annotator.core.text import BOM, Utf16Index, canonicalize
from annotator.store import Project

FUZZ = settings(max_examples=150, deadline=None)
PIECES = [
    "\r\n",
    "\r",
    "\n",
    BOM,
    "🇺🇸",
    "👍🏽",
    "\U0001f600",
    "𝔘",
    "e\u0301",
    "\u2029",
    "\u00a0",
    "\x00",
    "'",
    '"',
    "%",
    "_",
    "--",
    "مرحبا",
]
CHARS = st.characters(blacklist_categories=("Cs",))
raw_texts = st.lists(st.one_of(CHARS, st.sampled_from(PIECES)), min_size=1, max_size=50).map(
    "".join
)
free_text = st.text(CHARS, max_size=12)


@st.composite
def articles(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, int, str, dict[str, str]]]]:
    """A canonical text and spans on it: (start, end, label index, note, attributes)."""
    text = canonicalize(draw(raw_texts)).text
    if not text:
        text = "x"
    spans = draw(
        st.lists(
            st.tuples(
                st.integers(0, len(text) - 1),
                st.integers(1, len(text)),
                st.integers(0, 3),
                free_text,
                st.dictionaries(free_text, free_text, max_size=2),
            ).map(lambda t: (min(t[0], t[1] - 1), max(t[1], t[0] + 1), t[2], t[3], t[4])),
            max_size=8,
        )
    )
    return text, spans


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, sqlite3.Connection]]:
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.annot"
    project = Project.open(path)
    peek = sqlite3.connect(path)  # a second connection: sees only what was committed
    yield project, peek
    peek.close()
    project.close()
    with Project.open(path, read_only=True) as again:
        assert again.check_spans() == []


@FUZZ
@given(articles())
def test_any_text_and_spans_come_back_unchanged(
    store: tuple[Project, sqlite3.Connection],
    article: tuple[str, list[tuple[int, int, int, str, dict[str, str]]]],
) -> None:
    project, peek = store
    text, wanted = article
    labels = [lb.id for lb in project.labels()]
    article_id, _new = project.add_article(ArticleDraft(text))  # a repeated text: same article
    assert project.article_text(article_id) == text
    ids = []
    for start, end, label_index, note, attributes in wanted:
        span = project.add_span(
            article_id, start, end, labels[label_index], "fuzz", note=note, attributes=attributes
        )
        ids.append(span.id)
        assert span.text == text[start:end]
    stored = {s.id: s for s in project.spans(article_id)}
    committed = dict(
        (row[0], row[1:])
        for row in peek.execute(
            'SELECT id, start, "end", text FROM spans WHERE article_id = ?', (article_id,)
        )
    )
    index = Utf16Index(text)
    for span_id, (start, end, label_index, note, attributes) in zip(ids, wanted, strict=True):
        span = stored[span_id]
        assert (span.start, span.end, span.label_id) == (start, end, labels[label_index])
        assert (span.text, span.note, span.attributes) == (text[start:end], note, attributes)
        assert committed[span_id] == (start, end, text[start:end])
        # what the reader shows at the span's UTF-16 position is the stored covered text
        start16, end16 = index.to_utf16(start), index.to_utf16(end)
        assert text.encode("utf-16-le")[2 * start16 : 2 * end16].decode("utf-16-le") == span.text
    assert [m for m in project.check_spans() if m.article_id == article_id] == []
