"""The fast tokenizer of the dataset formats agrees with the CoNLL export's rules."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.formats.conll import tokenize
from annotator.formats.tokens import cut_tokens, token_bounds

HARD = (
    list("aZ09_ .,'-\"!?()")
    + ["\n", "\t", "\u00a0", "\u2028", "\x1c", "\x01", "\x7f"]
    + ["\u0301", "\u200d", "\u200b", "\u200c", "\ufe0f", "\u20e3", "\ufeff", "\u00ad"]
    + ["👍", "🏽", "👨", "👩", "🇺", "🇸", "😀", "𝔸", "’", "ʼ", "‐"]
    + ["ש", "م", "\u200f", "\u200e", "é", "ß", "中", "١"]
)


@settings(max_examples=400, deadline=None, database=None)
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
