"""Text maths: canonical stored text, offset remapping, hashing, UTF-16 offsets, word snapping.

hypothesis is not installed, so the property-style tests draw their cases from seeded
``random.Random`` generators: deterministic, and every failure names its seed and text.
"""

from __future__ import annotations

import hashlib
import random
import unicodedata

import pytest

from annotator.core.text import (
    BOM,
    CanonicalText,
    Utf16Index,
    canonicalize,
    content_hash,
    offsets_in_range,
    snap_to_words,
    trim_whitespace,
)

# Pieces random texts are built from: line ends of every kind, astral characters (a flag is two
# regional indicators, a thumbs-up with a skin tone is two astral code points), a combining
# accent, NBSP, right-to-left Arabic, a ZWJ family and a NUL.
PIECES = (
    "a",
    "b",
    "word",
    " ",
    "\r\n",
    "\r",
    "\n",
    "🇺🇸",
    "👍🏽",
    "e\u0301",
    "\u00a0",
    "مرحبا",
    "\u200f",
    "👨\u200d👩\u200d👧",
    "\u2028",
    "\x00",
    "x\r",
    "\r\r\n",
    "\n\r",
)
SEEDS = range(40)


def random_text(rng: random.Random, *, max_pieces: int = 14, bom: bool | None = None) -> str:
    text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, max_pieces)))
    if bom if bom is not None else rng.random() < 0.3:
        text = BOM + text
    return text


def expected_canonical(piece: str, *, at_start: bool) -> str:
    """What the stored form of ``piece`` must be, written independently of the implementation.

    ``at_start``: nothing but BOMs comes before the piece in its text, so BOMs opening the
    piece belong to the text's leading run, every one of which the store drops."""
    if at_start:
        piece = piece.lstrip(BOM)
    return piece.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def leading_boms_only(prefix: str) -> bool:
    """Whether ``prefix`` (what precedes a slice) is empty or all BOMs."""
    return not prefix.strip(BOM)


def inside_crlf(raw: str, offset: int) -> bool:
    return 0 < offset < len(raw) and raw[offset - 1] == "\r" and raw[offset] == "\n"


# --------------------------------------------------------------------------- canonicalize
@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("", ""),
        ("plain text\nwith LF", "plain text\nwith LF"),
        (BOM + "after a BOM", "after a BOM"),
        (BOM, ""),
        ("one\r\ntwo\r\n", "one\ntwo\n"),
        ("old\rmac\r", "old\nmac\n"),
        ("ends with CR\r", "ends with CR\n"),
        ("\r", "\n"),
        ("\r\n", "\n"),
        ("\r\r\n\n\r", "\n\n\n\n"),
        ("mixed\r\nline\rends\n", "mixed\nline\nends\n"),
        (BOM + "\r\nBOM then CRLF", "\nBOM then CRLF"),
        ("inner\ufeffBOM stays", "inner\ufeffBOM stays"),
        ("nul\x00gone", "nulgone"),
        ("e\u0301 \u00a0 🇺🇸 مرحبا \u2028", "e\u0301 \u00a0 🇺🇸 مرحبا \u2028"),
    ],
)
def test_canonicalize_examples(raw: str, text: str) -> None:
    canonical = canonicalize(raw)
    assert canonical.text == text
    assert canonical.changed == (raw != text)
    assert len(canonical.removed) == len(raw) - len(text)


def test_canonicalize_leaves_unchanged_text_alone() -> None:
    raw = "Nothing to do here.\nSecond line 👍🏽 e\u0301"
    canonical = canonicalize(raw)
    assert canonical == CanonicalText(raw, ())
    assert not canonical.changed
    assert all(canonical.remap(i) == i for i in range(len(raw) + 1))


def test_canonicalize_records_dropped_indices() -> None:
    raw = BOM + "a\r\nb\rc\r\n\x00"
    canonical = canonicalize(raw)
    assert canonical.text == "a\nb\nc\n"
    # the BOM, the CR of each CRLF and the NUL; the lone CR is replaced, not dropped
    assert canonical.removed == (0, 2, 7, 9)
    assert canonical.replaced == (5,)
    assert canonical.changed


def test_a_lone_cr_counts_as_a_change_though_no_offset_moves() -> None:
    canonical = canonicalize("a\rb")
    assert canonical.text == "a\nb"
    assert canonical.changed
    assert canonical.removed == ()
    assert [canonical.remap(i) for i in range(4)] == [0, 1, 2, 3]


@pytest.mark.parametrize("seed", SEEDS)
def test_canonicalize_random_texts(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(25):
        raw = random_text(rng)
        canonical = canonicalize(raw)
        assert canonical.text == expected_canonical(raw, at_start=True), (seed, raw)
        assert "\r" not in canonical.text and "\x00" not in canonical.text
        assert not canonical.text.startswith(BOM)
        assert list(canonical.removed) == sorted(set(canonical.removed))
        # canonical text is a fixed point
        again = canonicalize(canonical.text)
        assert again.text == canonical.text and not again.changed


# ---------------------------------------------------------------------------------- remap
@pytest.mark.parametrize("seed", SEEDS)
def test_remap_keeps_every_span_on_the_same_characters(seed: int) -> None:
    rng = random.Random(1000 + seed)
    for _ in range(12):
        raw = random_text(rng)
        canonical = canonicalize(raw)
        text = canonical.text
        assert canonical.remap(0) == 0
        assert canonical.remap(len(raw)) == len(text)
        mapped = [canonical.remap(i) for i in range(len(raw) + 1)]
        assert mapped == sorted(mapped), "remap must be monotonic"
        assert all(0 <= m <= len(text) for m in mapped)
        for start in range(len(raw) + 1):
            if inside_crlf(raw, start):
                continue
            for end in range(start, len(raw) + 1):
                if inside_crlf(raw, end):
                    continue
                want = expected_canonical(raw[start:end], at_start=leading_boms_only(raw[:start]))
                got = text[canonical.remap(start) : canonical.remap(end)]
                assert got == want, (seed, raw, start, end)


def test_remap_of_a_span_ending_after_crlf_covers_the_line_break() -> None:
    raw = "ab\r\ncd"
    canonical = canonicalize(raw)
    assert canonical.text == "ab\ncd"
    # [0, 4) is "ab\r\n": the whole line with its break
    assert canonical.text[canonical.remap(0) : canonical.remap(4)] == "ab\n"
    # [4, 6) is "cd"
    assert canonical.text[canonical.remap(4) : canonical.remap(6)] == "cd"
    # a span starting on the CR starts on the LF that replaced the pair
    assert canonical.text[canonical.remap(2) : canonical.remap(6)] == "\ncd"


def test_remap_past_a_bom() -> None:
    canonical = canonicalize(BOM + "Quote")
    assert canonical.remap(0) == 0
    assert canonical.remap(1) == 0
    assert canonical.remap(6) == 5


# ---------------------------------------------------------------------------- content hash
def test_content_hash_is_sha256_of_utf8() -> None:
    text = "Putin called Trump 🇺🇸 e\u0301"
    assert content_hash(text) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert len(content_hash("")) == 64


def test_content_hash_tells_texts_apart() -> None:
    texts = ["a", "a ", "a\n", "A", "e\u0301", "\u00e9", "a\u00a0b", "a b"]
    assert len({content_hash(t) for t in texts}) == len(texts)
    assert content_hash("same") == content_hash("sa" + "me")


def test_content_hash_of_canonical_text_ignores_line_end_style() -> None:
    unix = canonicalize("line one\nline two\n").text
    windows = canonicalize(BOM + "line one\r\nline two\r\n").text
    old_mac = canonicalize("line one\rline two\r").text
    assert content_hash(unix) == content_hash(windows) == content_hash(old_mac)


def test_content_hash_accepts_lone_surrogates() -> None:
    assert content_hash("\ud83d") != content_hash("\ud83e")


# ------------------------------------------------------------------------------- UTF-16
UTF16_TEXTS = [
    "",
    "plain ascii",
    "🇺🇸",
    "a🇺🇸b👍🏽c",
    "e\u0301\u00a0مرحبا 👨\u200d👩\u200d👧 x",
    "𝒳𝒴𝒵",  # mathematical script letters: astral, not emoji
    "\U0010ffff end",
    "مرحبا بالعالم 🌍\u200f",
]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.mark.parametrize("text", UTF16_TEXTS)
def test_utf16_round_trip_at_every_offset(text: str) -> None:
    index = Utf16Index(text)
    assert index.length == len(text)
    assert index.length16 == utf16_len(text)
    assert index.astral_count() == sum(ord(c) > 0xFFFF for c in text)
    for i in range(len(text) + 1):
        offset16 = index.to_utf16(i)
        assert offset16 == utf16_len(text[:i]), (text, i)
        assert index.to_code_point(offset16) == i
        assert index.to_code_point(offset16, round_up=True) == i


@pytest.mark.parametrize("seed", SEEDS)
def test_utf16_round_trip_random(seed: int) -> None:
    rng = random.Random(2000 + seed)
    text = canonicalize(random_text(rng, max_pieces=40)).text
    index = Utf16Index(text)
    assert index.length16 == utf16_len(text)
    for i in range(len(text) + 1):
        offset16 = index.to_utf16(i)
        assert offset16 == utf16_len(text[:i])
        assert index.to_code_point(offset16) == i


@pytest.mark.parametrize("text", UTF16_TEXTS)
def test_utf16_offset_inside_a_surrogate_pair_rounds_to_the_character(text: str) -> None:
    index = Utf16Index(text)
    for i, char in enumerate(text):
        if ord(char) <= 0xFFFF:
            continue
        middle = index.to_utf16(i) + 1  # between the high and the low surrogate
        assert index.to_code_point(middle) == i
        assert index.to_code_point(middle, round_up=True) == i + 1


def test_utf16_every_unit_offset_maps_to_a_whole_character() -> None:
    text = "a🇺🇸b👍🏽"
    index = Utf16Index(text)
    got = [index.to_code_point(o) for o in range(index.length16 + 1)]
    got_up = [index.to_code_point(o, round_up=True) for o in range(index.length16 + 1)]
    # units:  a  🇺(2) 🇸(2) b  👍(2) 🏽(2) end
    assert got == [0, 1, 1, 2, 2, 3, 4, 4, 5, 5, 6]
    assert got_up == [0, 1, 2, 2, 3, 3, 4, 5, 5, 6, 6]


def test_utf16_of_a_bmp_only_text_is_the_identity() -> None:
    text = "e\u0301 \u00a0 مرحبا \u2028 \ufffd"
    index = Utf16Index(text)
    assert index.astral_count() == 0
    assert all(index.to_utf16(i) == i == index.to_code_point(i) for i in range(len(text) + 1))


# ----------------------------------------------------------------------- trim and snap
@pytest.mark.parametrize(
    ("text", "start", "end", "want"),
    [
        ("  word  ", 0, 8, (2, 6)),
        ("word", 0, 4, (0, 4)),
        ("\u00a0word\u00a0", 0, 6, (1, 5)),  # NBSP is white space
        ("\n\tword\n", 0, 7, (2, 6)),
        ("a   b", 1, 4, (4, 4)),  # only white space: collapses to an empty range
        ("a b", 1, 1, (1, 1)),
        ("\u2028x\u2029", 0, 3, (1, 2)),
    ],
)
def test_trim_whitespace(text: str, start: int, end: int, want: tuple[int, int]) -> None:
    assert trim_whitespace(text, start, end) == want


def snapped(text: str, start: int, end: int) -> str:
    a, b = snap_to_words(text, start, end)
    return text[a:b]


@pytest.mark.parametrize(
    ("text", "selected", "want"),
    [
        ("The Kremlin said so", "emli", "Kremlin"),
        ("The Kremlin said so", "Kremlin said", "Kremlin said"),
        ("The Kremlin said so", "e Kremlin sa", "The Kremlin said"),
        ("The Kremlin said so", " Kremlin ", "Kremlin"),
        ("They don't know", "do", "don't"),
        ("They don't know", "t kn", "don't know"),
        ("They don’t know", "n’", "don’t"),  # typographic apostrophe
        ("a Moscow-based firm", "Mos", "Moscow-based"),
        ("He said 'Expect tweets.'", "Expect tweets.", "Expect tweets."),
        ("He said 'Expect tweets'.", "xpect twe", "Expect tweets"),  # quotes stay out
        ("the analysts' notes", "analy", "analysts"),
        ("un café noir", "caf", "café"),
        ("un cafe\u0301 noir", "caf", "cafe\u0301"),  # combining acute
        ("un cafe\u0301 noir", "cafe", "cafe\u0301"),  # never strand the accent
        ("قال مَرْحَبًا لهم", "مَ", "مَرْحَبًا"),  # Arabic harakat are combining marks
        ("कहा नमस्ते दोस्त", "नम", "नमस्ते"),  # Devanagari vowel signs and virama
        ("x 👍🏽 y", "👍", "👍🏽"),  # skin tone modifier belongs to its emoji
        ("flags 🇺🇸🇩🇪 here", "🇺", "🇺🇸"),
        ("family 👨\u200d👩\u200d👧 here", "👩", "👨\u200d👩\u200d👧"),
        ("snake_case name", "snake", "snake_case"),
        ("price 1,000.50 rose", "000", "000"),  # number punctuation is not joined
        ("hello, world", "hello,", "hello,"),
    ],
)
def test_snap_to_words_examples(text: str, selected: str, want: str) -> None:
    start = text.index(selected)
    assert snapped(text, start, start + len(selected)) == want


def test_snap_to_words_on_white_space_only_gives_an_empty_range() -> None:
    start, end = snap_to_words("one   two", 3, 6)
    assert start == end


def test_snap_to_words_at_text_edges() -> None:
    assert snap_to_words("word", 1, 3) == (0, 4)
    assert snap_to_words("two words", 0, 9) == (0, 9)
    assert snap_to_words("🇺🇸", 1, 2) == (0, 2)


def is_word_char(char: str) -> bool:
    return unicodedata.category(char)[0] in "LNM"


@pytest.mark.parametrize("seed", SEEDS)
def test_snap_to_words_properties(seed: int) -> None:
    rng = random.Random(3000 + seed)
    words = ["Putin", "Trump", "don't", "cafe\u0301", "مرحبا", "नमस्ते", "👍🏽", "🇺🇸", "x", "42"]
    seps = [" ", "  ", "\n", ", ", ". ", "\u00a0", " — ", " '", "' "]
    text = "".join(rng.choice(words) + rng.choice(seps) for _ in range(12))
    for _ in range(200):
        start = rng.randint(0, len(text) - 1)
        end = rng.randint(start + 1, len(text))
        a, b = snap_to_words(text, start, end)
        t_start, t_end = trim_whitespace(text, start, end)
        if t_start >= t_end:
            assert a == b
            continue
        assert a <= t_start < t_end <= b, (text, start, end)
        assert not text[a].isspace() and not text[b - 1].isspace()
        # never between two letters/marks, never between the halves of a character
        assert a == 0 or not (is_word_char(text[a - 1]) and is_word_char(text[a]))
        assert b == len(text) or not (is_word_char(text[b - 1]) and is_word_char(text[b]))
        assert a == 0 or not unicodedata.category(text[a]).startswith("M")
        assert b == len(text) or not unicodedata.category(text[b]).startswith("M")
        # the result is stable: snapping it again changes nothing
        assert snap_to_words(text, a, b) == (a, b)


def test_offsets_in_range() -> None:
    assert offsets_in_range(5, 0, 5)
    assert offsets_in_range(5, 4, 5)
    assert not offsets_in_range(5, 2, 2)
    assert not offsets_in_range(5, 3, 2)
    assert not offsets_in_range(5, -1, 2)
    assert not offsets_in_range(5, 0, 6)
    assert not offsets_in_range(0, 0, 0)
