"""WebAnno TSV 3.3's fixed parts: the header, the layers and features written, and its escaping of
values and text lines (see :mod:`annotator.formats.webanno_tsv`)."""

from __future__ import annotations

import re
from collections.abc import Callable

FORMAT_LINE = "#FORMAT=WebAnno TSV 3.3"


SPAN_LAYER = "webanno.custom.Span"


RELATION_LAYER = "webanno.custom.Relation"


SPAN_FEATURES = ("label", "annotator", "note", "attributes")


RELATION_FEATURES = ("label", "annotator")


HEADER = (
    f"{FORMAT_LINE}\n"
    f"#T_SP={SPAN_LAYER}|" + "|".join(SPAN_FEATURES) + "\n"
    f"#T_RL={RELATION_LAYER}|" + "|".join(RELATION_FEATURES) + f"|BT_{SPAN_LAYER}\n"
    "\n"
)


NULL_VALUE = "*"


NULL_COLUMN = "_"


_VALUE_ESCAPES = [
    ("\\", "\\\\"),
    ("[", "\\["),
    ("]", "\\]"),
    ("|", "\\|"),
    ("_", "\\_"),
    ("->", "\\->"),
    (";", "\\;"),
    ("\t", "\\t"),
    ("\n", "\\n"),
    ("*", "\\*"),
]


_VALUE_PATTERN = re.compile("|".join(re.escape(a) for a, _ in _VALUE_ESCAPES))


_VALUE_MAP = dict(_VALUE_ESCAPES)


_VALUE_UNESCAPE = {b: a for a, b in _VALUE_ESCAPES}


_VALUE_UNESCAPE_PATTERN = re.compile("|".join(re.escape(b) for _, b in _VALUE_ESCAPES))


# Escaping.escapeText: controls 0-7 and 14-31 as a backslash before the raw character, then the
# readable escapes; 11 (VT) is left as it is.
_TEXT_MAP: dict[str, str] = {chr(i): "\\" + chr(i) for i in range(32) if not 7 < i < 14}


_TEXT_MAP.update({"\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", "\b": "\\b", "\\": "\\\\"})
_TEXT_TABLE = str.maketrans(_TEXT_MAP)


_TEXT_UNESCAPE = {b: a for a, b in _TEXT_MAP.items()}


def escape_value(value: str) -> str:
    return _VALUE_PATTERN.sub(lambda m: _VALUE_MAP[m.group()], value)


def unescape_value(value: str) -> str:
    return _VALUE_UNESCAPE_PATTERN.sub(lambda m: _VALUE_UNESCAPE[m.group()], value)


def escape_text(text: str) -> str:
    return text.translate(_TEXT_TABLE)


# A sentence's text lines: escaped, each line after "#Text=", after the sentence's blank line.
_LINES_TABLE = str.maketrans({**_TEXT_MAP, "\n": "\n#Text="})


_NEEDS_ESCAPE = re.compile("[" + re.escape("".join(c for c in _TEXT_MAP if c != "\n")) + "]")


def text_line_maker(text: str) -> Callable[[str], str]:
    """A function that makes the ``#Text=`` lines of a sentence of ``text`` (after the blank
    line a sentence starts with): its lines escaped, as :func:`escape_text` does. (Most texts
    need no escape but at their line breaks.)"""
    return _escaped_lines if _NEEDS_ESCAPE.search(text) else _plain_lines


def _plain_lines(sentence: str) -> str:
    return "\n#Text=" + sentence.replace("\n", "\n#Text=") + "\n"


def _escaped_lines(sentence: str) -> str:
    return "\n#Text=" + sentence.translate(_LINES_TABLE) + "\n"


def unescape_text(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        if text[i] == "\\" and pair in _TEXT_UNESCAPE:
            out.append(_TEXT_UNESCAPE[pair])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def file_name(article_id: int) -> str:
    return f"article-{article_id:06d}.tsv"


def _short(type_name: str) -> str:
    return type_name.rsplit(".", 1)[-1]
