"""Other occurrences of a span's text, for tagging them all at once.

An occurrence is the same text as a whole word (or words): not inside a longer word, compared
with or without regard to case. Across the corpus the full-text index first finds the articles
that hold the words, then each of those is searched exactly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from annotator.store.project import Project

MAX_OCCURRENCES = 5000


@dataclass(frozen=True, slots=True)
class Occurrence:
    article_id: int
    title: str
    start: int
    end: int
    text: str
    left: str
    right: str
    tagged: bool  # a span of the label is already there


def _pattern(text: str, case_sensitive: bool) -> re.Pattern[str]:
    return re.compile(re.escape(text), 0 if case_sensitive else re.IGNORECASE)


def _wordish(char: str) -> bool:
    """A character that continues a word: letters, digits, _ and combining marks (the accent
    of a decomposed "é" belongs to its letter)."""
    return char.isalnum() or char == "_" or unicodedata.category(char).startswith("M")


def _whole(body: str, start: int, end: int) -> bool:
    before = body[start - 1] if start > 0 else ""
    after = body[end] if end < len(body) else ""
    first, last = body[start], body[end - 1]
    return not (
        (before and _wordish(before) and _wordish(first))
        or (
            after
            and _wordish(after)
            and (_wordish(last) or unicodedata.category(after).startswith("M"))
        )
    )


def occurrences(
    project: Project,
    text: str,
    label_id: int,
    *,
    article_id: int | None = None,
    case_sensitive: bool = False,
    context: int = 40,
    limit: int = MAX_OCCURRENCES,
) -> list[Occurrence]:
    """Whole-word occurrences of ``text`` in one article (or, with None, the whole corpus), in
    article and text order; ``tagged`` marks those that already have a span of ``label_id``."""
    if not text.strip():
        return []
    pattern = _pattern(text, case_sensitive)
    found: list[Occurrence] = []
    for art_id, title, body in _candidates(project, text, article_id):
        tagged = {
            (start, end)
            for start, end in project.db.conn.execute(
                'SELECT start, "end" FROM spans WHERE article_id = ? AND label_id = ?',
                (art_id, label_id),
            )
        }
        for match in pattern.finditer(body):
            start, end = match.span()
            if not _whole(body, start, end):
                continue
            found.append(
                Occurrence(
                    art_id,
                    title,
                    start,
                    end,
                    match.group(),
                    body[max(0, start - context) : start],
                    body[end : end + context],
                    (start, end) in tagged,
                )
            )
            if len(found) >= limit:
                return found
    return found


def _candidates(
    project: Project, text: str, article_id: int | None
) -> Iterable[tuple[int, str, str]]:
    conn = project.db.conn
    if article_id is not None:
        yield from conn.execute(
            "SELECT id, title, text FROM articles WHERE id = ?", (article_id,)
        ).fetchall()
        return
    words = re.findall(r"\w+", text)
    if not words:
        yield from conn.execute("SELECT id, title, text FROM articles ORDER BY id")
        return
    # All the words as a phrase: a superset of the articles holding the exact text.
    phrase = '"' + " ".join(words).replace('"', '""') + '"'
    yield from conn.execute(
        "SELECT a.id, a.title, a.text FROM articles_fts f JOIN articles a ON a.id = f.rowid"
        " WHERE f.articles_fts MATCH ? ORDER BY f.rowid",
        (phrase,),
    )
