"""brat type and file names made safe, and what the reader and the writer share."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

from annotator.core.model import Article

NoteCallback = Callable[[Path, int | None, str], None]  # (file, 1-based line or None, message)


ANNOTATION_CONF = "annotation.conf"


VISUAL_CONF = "visual.conf"


NAME_MAX = 60


# A discontinuous brat span is imported as one span per fragment, each linked to the next by a
# relation of this type; the brat export joins such chains into one T line again.
CONTINUATION = "continues"
# The span attribute holding a span's normalizations (brat N lines): "RESOURCE:ID name" per line.
NORMALIZATION = "normalization"
FLAG_VALUE = "true"  # how a brat flag attribute (no value) is held in a span's attributes


_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)


_VALUE_UNSAFE = re.compile(r"[\s|,]")


_ID = re.compile(r"^([A-Za-z]+[0-9]+\S*|#[A-Za-z]*[0-9]+\S*|\*)\t")


_SPAN_DEFAULT_COLOR = "#cccccc"


# ------------------------------------------------------------------------------------ names
def brat_name(name: str) -> str:
    """``name`` as a brat type name: ASCII letters, digits, ``_`` and ``-`` only (brat's storage
    form, ``^[a-zA-Z0-9_-]*$``: brat refuses others in annotation.conf); accents are dropped
    ("Citação" is ``Citacao``), any other character becomes ``_``; never empty."""
    plain = "".join(
        ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch)
    )
    safe = "".join(ch if ch in _STORAGE_CHARS else "_" for ch in plain)
    return safe or "_"


_STORAGE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


def document_name(title: str, article_id: int) -> str:
    """The file name stem an article gets before uniqueness: its title made file-system safe."""
    parts: list[str] = []
    word = []
    for ch in unicodedata.normalize("NFC", title):
        if ch.isalnum():
            word.append(ch)
        elif word:
            parts.append("".join(word))
            word = []
    if word:
        parts.append("".join(word))
    stem = "-".join(parts)[:NAME_MAX].rstrip("-")
    return stem or f"article-{article_id}"


class _Names:
    """Hands out unique names: file stems per export, brat type names per namespace."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def file_stem(self, article: Article) -> str:
        stem = document_name(article.title, article.id)
        if stem.casefold() in self._used or stem.casefold() in _WINDOWS_RESERVED:
            stem = f"{stem}-{article.id}"
        base, n = stem, 2
        while stem.casefold() in self._used:
            stem, n = f"{base}-{n}", n + 1
        self._used.add(stem.casefold())
        return stem


class _TypeNames:
    """Original name -> brat-safe type name, unique within one namespace."""

    def __init__(self) -> None:
        self.by_name: dict[str, str] = {}
        self._taken: set[str] = set()

    def get(self, name: str) -> str:
        found = self.by_name.get(name)
        if found is not None:
            return found
        safe = base = brat_name(name)
        n = 2
        while safe in self._taken:
            safe, n = f"{base}_{n}", n + 1
        self._taken.add(safe)
        self.by_name[name] = safe
        return safe

    def renamed(self) -> list[tuple[str, str]]:
        return [(name, safe) for name, safe in self.by_name.items() if name != safe]


def _offsets(fragments: Sequence[tuple[int, int]]) -> str:
    return ";".join(f"{s} {e}" for s, e in fragments)


def _short(text: str) -> str:
    shown = repr(text)
    return shown if len(shown) <= 60 else shown[:57] + "..."
