"""Who is quoted: telling a named source ("Dmitry Peskov") from an anonymous one ("officials")."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

SOURCE_LABEL = "Source"
QUOTE_LABEL = "Quote"
NAMED = "named"  # the span attribute that overrides the guess: "true" or "false"

_WORD = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*\.?")
# Words that open a description rather than a name: "a source", "two officials", "some people".
_DESCRIPTIVE_OPENERS = frozenset(
    "a an some several two three four many one few other others senior unnamed".split()
)
# Words that make any description anonymous wherever they stand.
_ANONYMITY_CUES = frozenset(
    "anonymous anonymity unnamed unidentified familiar condition undisclosed".split()
)
# A description whose head noun is one of these names nobody: "White House officials".
_GENERIC_HEADS = frozenset(
    """
    official officials source sources people person persons aide aides diplomat diplomats
    insider insiders spokesperson spokesman spokeswoman representative representatives analyst
    analysts expert experts observer observers witness witnesses resident residents member
    members staff staffer staffers employee employees executive executives officer officers
    lawmaker lawmakers adviser advisers advisor advisors minister ministers
    """.split()
)


def source_key(text: str) -> str:
    """The text a source is counted by: case-folded, white space collapsed, NFC."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def guess_named(text: str) -> bool:
    """Whether a Source span's text looks like a name (True) or a description (False).

    A proper name shows as a capitalised word that is not the head of a generic description:
    "Dmitry Peskov", "Kremlin spokesman Dmitry Peskov", "Reuters" are named; "a source familiar
    with the plans", "officials", "White House officials", "the spokesman" are not. Scripts with
    no capital letters give no such evidence and are guessed anonymous; the ``named`` attribute
    overrides the guess.
    """
    words = _WORD.findall(text)
    if not words:
        return False
    lowered = [w.casefold().rstrip(".") for w in words]
    if lowered[0] in _DESCRIPTIVE_OPENERS or any(w in _ANONYMITY_CUES for w in lowered):
        return False
    if lowered[-1] in _GENERIC_HEADS:
        return False
    first = 1 if lowered[0] == "the" else 0
    return any(w[0].isupper() for w in words[first:])


def named_override(attributes: Mapping[str, str]) -> bool | None:
    """The analyst's ``named`` attribute: True/False, or None when absent or unreadable."""
    value = attributes.get(NAMED, "").strip().casefold()
    if value in ("true", "yes", "1", "named"):
        return True
    if value in ("false", "no", "0", "anonymous"):
        return False
    return None
