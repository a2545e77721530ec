"""The fast tokenizer of the dataset formats agrees with the CoNLL export's rules."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.formats.conll import Token, sentences, tokenize
from annotator.formats.conll.text import _ends_sentence
from annotator.formats.tokens import cut_tokens, token_bounds

HARD = (
    list("aZ09_ .,'-\"!?()")
    + ["\n", "\t", "\u00a0", "\u2028", "\x1c", "\x01", "\x7f"]
    + ["\u0301", "\u200d", "\u200b", "\u200c", "\ufe0f", "\u20e3", "\ufeff", "\u00ad"]
    + ["👍", "🏽", "👨", "👩", "🇺", "🇸", "😀", "𝔸", "’", "ʼ", "‐"]
    + ["ש", "م", "\u200f", "\u200e", "é", "ß", "中", "١"]
)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(HARD), max_size=60).map("".join))
def test_fast_tokens_are_the_conll_tokens(text: str) -> None:
    assert token_bounds(text) == [(t.start, t.end) for t in tokenize(text)]


def test_tokens_are_cut_at_span_edges_inside_them() -> None:
    text = "Moscow-based officials 👍🏽 said"
    assert cut_tokens(text, [(3, 9), (24, 26)]) == [
        (0, 3),
        (3, 9),
        (9, 12),
        (13, 22),
        (23, 24),
        (24, 25),
        (26, 30),
    ]


SENTENCE_HARD = [*HARD, ".", "!", "?", "…", "”", "»", ")", "«", "“", "Dr", "U.S.", " ", "\r\n"]


def _reference_sentences(text: str, tokens: list, protected: list) -> list[tuple[int, int]]:
    """The sentence rule tried after every token (what :func:`sentences` must agree with)."""
    no_break = {k for first, last in protected for k in range(first, last)}
    ranges, start = [], 0
    for k in range(len(tokens) - 1):
        if k not in no_break and _ends_sentence(text, tokens, k):
            ranges.append((start, k + 1))
            start = k + 1
    if tokens:
        ranges.append((start, len(tokens)))
    return ranges


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(SENTENCE_HARD), max_size=60).map("".join), st.data())
def test_sentences_found_from_candidates_are_the_rule_applied_everywhere(
    text: str, data: st.DataObject
) -> None:
    tokens = [Token(a, b, text[a:b]) for a, b in token_bounds(text)]
    protected = []
    if len(tokens) > 1:  # spans: nested, overlapping, touching or apart
        for _ in range(data.draw(st.integers(1, 3))):
            first = data.draw(st.integers(0, len(tokens) - 1))
            protected.append((first, data.draw(st.integers(first, len(tokens) - 1))))
    expected = _reference_sentences(text, tokens, protected)
    assert sentences(text, tokens, protected) == expected
    assert sentences(text, [t[:2] for t in tokens], protected) == expected  # (start, end) pairs


# Characters that decide where the expression hands over to the rules: joiners, marks, the
# emoji joiner and modifiers, flag letters, tags, a letter outside the first plane.
NEIGHBOURS = ["a", "'", "-", "’", "\u00ad", "\u200c", "\u0301", "\u200d", "🏽", "🇺", "\U000e0067"]


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    st.lists(st.one_of(st.sampled_from(HARD + NEIGHBOURS), st.characters()), max_size=40).map(
        "".join
    )
)
def test_fast_tokens_are_the_conll_tokens_for_any_characters(text: str) -> None:
    assert token_bounds(text) == [(t.start, t.end) for t in tokenize(text)]


def test_every_character_below_the_third_plane_is_cut_as_the_rules_cut_it() -> None:
    chars = [chr(code) for code in range(0x20000) if not 0xD800 <= code < 0xE000]
    for left, right in [("a", "a"), ("'", "\u0301"), ("’", "🏽"), ("\u200d", "-"), ("🇺", "\u200c")]:
        text = "".join(f"{left}{char}{right} {char}{char}\u00a0" for char in chars)
        assert token_bounds(text) == [(t.start, t.end) for t in tokenize(text)]


def test_a_word_before_a_joiner_that_joins_nothing_ends_there() -> None:
    # Found on Python 3.11.2, whose possessive quantifiers mis-matched before a lookahead.
    for joiner in ("'", "’", "-", "ʼ", "‐"):
        for text in (f"a{joiner} ", f"a{joiner}", f"ab{joiner}.", f"a{joiner}b{joiner} "):
            assert token_bounds(text) == [(t.start, t.end) for t in tokenize(text)], text
