"""Tags of the CoNLL format: labels made tag-safe and back, and the IOB2, IOB1 and BIOES schemes
(see :mod:`annotator.formats.conll`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, unquote

# The reader's notion of one user-perceived character; tokens must agree with it.


def tag_label(label: str) -> str:
    """A label as it stands in a tag: white space and ``%`` percent-encoded (UTF-8), so that no
    tag holds white space and two labels never meet in one tag ("Direct quote" is
    ``Direct%20quote``, "Direct_quote" stays ``Direct_quote``)."""
    return "".join(quote(ch, safe="") if ch.isspace() or ch == "%" else ch for ch in label)


_ENCODED = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def label_of_tag(text: str) -> str:
    """The label a tag's label part stands for: the percent-encoded white space and ``%`` of
    :func:`tag_label` decoded, any other ``%`` sequence left as it is."""

    def decode(match: re.Match[str]) -> str:
        try:
            decoded = unquote(match.group(), errors="strict")
        except UnicodeDecodeError:
            return match.group()
        if all(ch.isspace() or ch == "%" for ch in decoded):
            return decoded
        return match.group()

    return _ENCODED.sub(decode, text)


SCHEMES = ("IOB2", "IOB1", "BIOES")


def encode_tags(spans: Iterable[tuple[int, int, str]], size: int, scheme: str) -> list[str]:
    """Tags of ``size`` tokens for sorted, non-overlapping ``(first, last, tag label)`` spans."""
    tags = ["O"] * size
    previous: tuple[int, str] | None = None  # (last token, label) of the span before
    for first, last, label in spans:
        if scheme == "BIOES":
            if first == last:
                tags[first] = f"S-{label}"
            else:
                tags[first] = f"B-{label}"
                tags[last] = f"E-{label}"
                for k in range(first + 1, last):
                    tags[k] = f"I-{label}"
        else:
            adjacent = previous is not None and previous == (first - 1, label)
            begin = "B" if scheme == "IOB2" or adjacent else "I"
            tags[first] = f"{begin}-{label}"
            for k in range(first + 1, last + 1):
                tags[k] = f"I-{label}"
        previous = (last, label)
    return tags
