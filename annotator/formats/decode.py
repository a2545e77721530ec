"""Bytes to text: BOM, then strict UTF-8, then detection limited to the encodings news files use."""

from __future__ import annotations

import codecs
import unicodedata

from charset_normalizer import from_bytes

# Longest first: the UTF-32 LE BOM begins with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Single-byte code pages that saved news files really come in. Detection over every code page
# picks exotic ones (mac_roman, cp775) for short Western texts, so it is kept to these.
PLAUSIBLE_ENCODINGS: tuple[str, ...] = ("cp1252", "latin_1", "iso8859_15", "cp1250", "cp1251")
# Among equally plausible decodings, the most likely for a news file comes first.
_PREFERENCE: tuple[str, ...] = ("cp1252", "iso8859_15", "latin_1", "cp1250", "cp1251")
_CHAOS_TOLERANCE = 0.05
# charset-normalizer cannot tell cp1250 from cp1252 on news-length texts (it read short French
# as cp1250: "Voilà" became "Voilŕ"). A decoding whose accented letters all belong to one
# language's alphabet is the better one; these are the languages those code pages serve.
_ALPHABETS: tuple[frozenset[str], ...] = tuple(
    frozenset(letters)
    for letters in (
        "àâæçéèêëîïôœùûüÿ",  # French
        "äöüß",  # German
        "áéíñóúü",  # Spanish
        "àèéìíîòóùú",  # Italian
        "ãõáâàçéêíóôú",  # Portuguese
        "àçèéíïòóúü",  # Catalan
        "éëïóöü",  # Dutch
        "æøåéó",  # Danish, Norwegian
        "åäöé",  # Swedish, Finnish
        "ðþáéíóúýæö",  # Icelandic
        "áčďéěíňóřšťúůýž",  # Czech
        "áäčďéíĺľňóôŕšťúýž",  # Slovak
        "ąćęłńóśźż",  # Polish
        "áéíóöőúüű",  # Hungarian
        "čćđšž",  # Croatian, Slovene, Bosnian, Serbian (Latin)
        "ăâîșțşţ",  # Romanian
        "ëç",  # Albanian
        "".join(map(chr, range(0x0400, 0x0530))),  # Cyrillic
    )
)
# Unicode categories of characters that, between two letters, betray a wrong code page.
_ODD_IN_WORDS = frozenset({"No", "Sm", "Sc", "Sk", "So", "Po"})
_WIDE_ENCODINGS: tuple[str, ...] = ("utf_16_le", "utf_16_be", "utf_32_le", "utf_32_be")
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v\x1b")
_MAX_CONTROL_SHARE = 0.05
_MAX_WIDE_CHAOS = 0.2

BINARY_MESSAGE = "looks like a binary file, not text"


class DecodeError(ValueError):
    """The bytes are not text in any encoding we accept."""

    def __init__(self, message: str, *, binary: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.binary = binary


def bom_encoding(data: bytes) -> str | None:
    """The codec named by a leading byte order mark, or None."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def decode_bytes(data: bytes, *, encoding: str | None = None) -> str:
    """Decode a file's bytes; a leading BOM is dropped. Raises :class:`DecodeError`."""
    if encoding:
        text = _decode_as(data, encoding)
    elif (named := bom_encoding(data)) is not None:
        text = _decode_as(data, named)
    elif b"\x00" in data:
        text = _decode_wide(data)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode_detected(data)
    if _mostly_control(text):
        raise DecodeError(BINARY_MESSAGE, binary=True)
    return text


def _decode_as(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except LookupError as exc:
        raise DecodeError(f"unknown encoding {encoding!r}") from exc
    except UnicodeDecodeError as exc:
        raise DecodeError(f"is not valid {encoding} (byte {exc.start + 1}: {exc.reason})") from exc


def _decode_wide(data: bytes) -> str:
    """NUL bytes without a BOM: UTF-16/32 text that lost its BOM, or binary data."""
    match = from_bytes(data, cp_isolation=list(_WIDE_ENCODINGS)).best()
    if match is None or match.chaos > _MAX_WIDE_CHAOS:
        raise DecodeError(BINARY_MESSAGE, binary=True)
    text = str(match)
    if "\x00" in text:
        raise DecodeError(BINARY_MESSAGE, binary=True)
    return text


def _decode_detected(data: bytes) -> str:
    matches = list(from_bytes(data, cp_isolation=list(PLAUSIBLE_ENCODINGS)))
    if not matches:
        raise DecodeError(
            "is neither UTF-8 nor text in a Western, Central European or Cyrillic code page "
            "(cp1252, latin-1, cp1250, cp1251); save it as UTF-8 and try again",
            binary=_mostly_control(data.decode("latin_1")),
        )
    least_chaos = min(m.chaos for m in matches)
    names = {
        name
        for m in matches
        if m.chaos <= least_chaos + _CHAOS_TOLERANCE
        for name in (m.encoding, *m.could_be_from_charset)
    }
    decoded: dict[str, str] = {}
    for name in names:
        try:
            decoded[name] = data.decode(name)
        except UnicodeDecodeError:
            continue
    if not decoded:  # pragma: no cover - charset-normalizer only offers what decodes
        return str(matches[0])
    rank = {name: i for i, name in enumerate(_PREFERENCE)}
    best = min(
        decoded,
        key=lambda name: (
            _oddities(decoded[name]),
            _foreign_letters(decoded[name]),
            rank.get(name, len(rank)),
        ),
    )
    return decoded[best]


def _oddities(text: str) -> int:
    """Symbols inside words (Polish "by³o" read as cp1252) and C1 control codes."""
    count = 0
    for i, ch in enumerate(text):
        if ch < "\x80":  # ASCII reads the same in every candidate code page
            continue
        if ch <= "\x9f":
            count += 1
        elif (
            0 < i < len(text) - 1
            and unicodedata.category(ch) in _ODD_IN_WORDS
            and text[i - 1].isalpha()
            and text[i + 1].isalpha()
        ):
            count += 1
    return count


def _foreign_letters(text: str) -> int:
    """How many distinct accented letters no single language's alphabet explains."""
    letters = {ch for ch in text.lower() if ch > "\x7f" and ch.isalpha()}
    if not letters:
        return 0
    return min(len(letters - alphabet) for alphabet in _ALPHABETS)


def looks_binary(text: str) -> bool:
    """Whether decoded text (its first 64k characters decide) is binary data, as
    :func:`decode_bytes` judges it: for readers that decode a file a piece at a time."""
    return _mostly_control(text)


def _mostly_control(text: str) -> bool:
    """Whether so many characters are control codes that the text must be binary data."""
    if not text:
        return False
    sample = text[:65536]
    controls = sum(
        1 for ch in sample if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) == "Cc"
    )
    return controls > _MAX_CONTROL_SHARE * len(sample)
