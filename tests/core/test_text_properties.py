"""Property tests (hypothesis) of the offset maths: canonical text, remapping, UTF-16 offsets."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from annotator.core.text import BOM, Utf16Index, canonicalize
from tests.core.test_text import expected_canonical, leading_boms_only

FUZZ = settings(max_examples=150, deadline=None)

# Whole characters plus the pieces the maths must get right: line ends of every style, NULs,
# BOMs, astral characters (flags, skin tones, emoji), combining marks, separators.
PIECES = [
    "\r",
    "\n",
    "\r\n",
    "\n\r",
    "\x00",
    BOM,
    "🇺🇸",
    "👍🏽",
    "\U0001f600",
    "𝔘",
    "e\u0301",
    "\u2029",
    "\u2028",
    "\u00a0",
    "\u200d",
    "\ufdd0",
    "مرحبا",
    "中",
]
CHARS = st.characters(blacklist_categories=("Cs",))  # any code point but lone surrogates
raw_texts = st.lists(st.one_of(CHARS, st.sampled_from(PIECES)), max_size=40).map("".join)


def reference_canonical(raw: str, *, at_start: bool = True) -> str:
    """Canonicalization written out one character at a time, independently of the product.

    ``at_start``: nothing but BOMs comes before ``raw`` in its text (a slice inside the leading
    run of BOMs continues that run)."""
    out = []
    leading = at_start
    for i, char in enumerate(raw):
        if leading and char == BOM:
            continue  # every BOM of the leading run goes
        leading = False
        if char == "\x00":
            continue
        if char == "\r":
            if raw[i + 1 : i + 2] == "\n":
                continue  # the CR of a CRLF goes; its LF stays
            out.append("\n")
            continue
        out.append(char)
    return "".join(out)


def inside_crlf(raw: str, offset: int) -> bool:
    return 0 < offset < len(raw) and raw[offset - 1] == "\r" and raw[offset] == "\n"


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# ---------------------------------------------------------------------------- canonicalize
@FUZZ
@given(raw_texts)
@example("\r\n\r\r\n\x00\r")
@example(BOM + "x\r")
def test_canonicalize_matches_the_reference(raw: str) -> None:
    canonical = canonicalize(raw)
    assert canonical.text == reference_canonical(raw)
    assert "\r" not in canonical.text and "\x00" not in canonical.text
    assert canonical.changed == (canonical.text != raw)


@FUZZ
@given(raw_texts)
def test_canonical_text_is_canonical(raw: str) -> None:
    text = canonicalize(raw).text
    if text.startswith(BOM):
        return  # see test_a_text_starting_with_two_boms_is_not_stored_with_one
    again = canonicalize(text)
    assert again.text == text and not again.changed


def test_a_text_starting_with_two_boms_is_not_stored_with_one() -> None:
    canonical = canonicalize(BOM + BOM + "Quote\r\nhere")
    assert canonical.text == "Quote\nhere"
    assert canonical.remap(2) == 0 and canonical.remap(9) == 6


@FUZZ
@given(raw_texts)
def test_remap_sends_every_kept_character_to_itself(raw: str) -> None:
    canonical = canonicalize(raw)
    text = canonical.text
    mapped = [canonical.remap(i) for i in range(len(raw) + 1)]
    assert mapped[0] == 0 and mapped[-1] == len(text)
    assert mapped == sorted(mapped)
    dropped = set(canonical.removed)
    for i, char in enumerate(raw):
        if i in dropped:
            continue
        assert text[mapped[i]] == ("\n" if char == "\r" else char)


@FUZZ
@given(raw_texts, st.data())
def test_remapped_spans_cover_the_same_text(raw: str, data: st.DataObject) -> None:
    canonical = canonicalize(raw)
    bounds = [i for i in range(len(raw) + 1) if not inside_crlf(raw, i)]
    start = data.draw(st.sampled_from(bounds))
    end = data.draw(st.sampled_from([b for b in bounds if b >= start]))
    got = canonical.text[canonical.remap(start) : canonical.remap(end)]
    assert got == reference_canonical(raw[start:end], at_start=not raw[:start].strip(BOM))


@FUZZ
@given(raw_texts, st.data())
def test_the_two_references_agree_on_every_slice(raw: str, data: st.DataObject) -> None:
    """This file's reference and tests/core/test_text.py's, slice by slice."""
    bounds = [i for i in range(len(raw) + 1) if not inside_crlf(raw, i)]
    start = data.draw(st.sampled_from(bounds))
    end = data.draw(st.sampled_from([b for b in bounds if b >= start]))
    at_start = leading_boms_only(raw[:start])
    assert reference_canonical(raw[start:end], at_start=at_start) == expected_canonical(
        raw[start:end], at_start=at_start
    )


def test_a_slice_inside_the_leading_boms_loses_them_like_the_text() -> None:
    raw = BOM + BOM + "Quote"
    canonical = canonicalize(raw)
    assert canonical.text[canonical.remap(1) : canonical.remap(5)] == "Quo"
    assert reference_canonical(raw[1:5], at_start=True) == "Quo"
    assert expected_canonical(raw[1:5], at_start=True) == "Quo"
    # past the leading run, a BOM is text like any other character
    inner = "x" + BOM + "y"
    assert reference_canonical(inner[1:], at_start=False) == BOM + "y"
    assert expected_canonical(inner[1:], at_start=False) == BOM + "y"


# ---------------------------------------------------------------------------------- UTF-16
@FUZZ
@given(raw_texts.map(lambda raw: canonicalize(raw).text))
def test_utf16_offsets_round_trip(text: str) -> None:
    index = Utf16Index(text)
    assert index.length == len(text)
    assert index.length16 == utf16_length(text)
    for i in range(len(text) + 1):
        offset16 = index.to_utf16(i)
        assert offset16 == utf16_length(text[:i])
        assert index.to_code_point(offset16) == i
        assert index.to_code_point(offset16, round_up=True) == i


@FUZZ
@given(raw_texts.map(lambda raw: canonicalize(raw).text))
def test_every_utf16_offset_lands_on_a_whole_character(text: str) -> None:
    index = Utf16Index(text)
    for offset16 in range(index.length16 + 1):
        down = index.to_code_point(offset16)
        up = index.to_code_point(offset16, round_up=True)
        assert index.to_utf16(down) <= offset16 <= index.to_utf16(up)
        assert up - down in (0, 1)
        if up != down:  # inside a surrogate pair: between the halves of one astral character
            assert ord(text[down]) > 0xFFFF
            assert index.to_utf16(down) + 1 == offset16


@FUZZ
@given(raw_texts.map(lambda raw: canonicalize(raw).text), st.data())
def test_a_span_survives_the_trip_to_the_view_and_back(text: str, data: st.DataObject) -> None:
    if not text:
        return
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    index = Utf16Index(text)
    start16, end16 = index.to_utf16(start), index.to_utf16(end)
    assert text.encode("utf-16-le")[2 * start16 : 2 * end16].decode("utf-16-le") == text[start:end]
    assert (index.to_code_point(start16), index.to_code_point(end16, round_up=True)) == (
        start,
        end,
    )
