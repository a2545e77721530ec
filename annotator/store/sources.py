"""Attribution: each source with the quotes attributed to it, named or anonymous, and counts.

A quote is attributed to a source by a relation between a Quote span and a Source span (either
way round; the app links from the quote to the source). Sources are counted by their text,
case-folded and with white space collapsed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from annotator.core.attribution import (
    QUOTE_LABEL,
    SOURCE_LABEL,
    guess_named,
    named_override,
    source_key,
)
from annotator.store.project import Project
from annotator.store.rows import string_dict as _attributes


@dataclass(frozen=True, slots=True)
class QuoteRef:
    span_id: int
    article_id: int
    start: int
    end: int
    text: str


@dataclass(slots=True)
class SourceRow:
    """One distinct source across the articles considered."""

    source: str  # the most frequent spelling
    key: str
    named: bool
    guessed: bool  # True: the guess decided; False: a ``named`` attribute did
    mentions: int = 0
    quotes: list[QuoteRef] = field(default_factory=list)
    articles: set[int] = field(default_factory=set)
    span_ids: list[int] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "named": self.named,
            "quotes": len(self.quotes),
            "mentions": self.mentions,
            "articles": len(self.articles),
        }


def sources(project: Project, article_id: int | None = None) -> list[SourceRow]:
    """Sources of the corpus (or of one article), most quoted first, then by name."""
    conn = project.db.conn
    where = " AND s.article_id = ?" if article_id is not None else ""
    params: list[object] = [SOURCE_LABEL]
    if article_id is not None:
        params.append(article_id)
    mention_rows = conn.execute(
        "SELECT s.id, s.article_id, s.text, s.attributes FROM spans s"
        f" JOIN labels l ON l.id = s.label_id WHERE l.name = ?{where} ORDER BY s.id",
        params,
    ).fetchall()
    key_of_span: dict[int, str] = {}
    spellings: dict[str, Counter[str]] = {}
    overrides: dict[str, Counter[bool]] = {}
    rows: dict[str, SourceRow] = {}
    for span_id, art, text, raw in mention_rows:
        key = source_key(text)
        if not key:
            continue
        key_of_span[span_id] = key
        spellings.setdefault(key, Counter())[" ".join(text.split())] += 1
        override = named_override(_attributes(raw)) if raw and raw != "{}" else None
        if override is not None:
            overrides.setdefault(key, Counter())[override] += 1
        row = rows.setdefault(key, SourceRow(source="", key=key, named=False, guessed=True))
        row.mentions += 1
        row.articles.add(art)
        row.span_ids.append(span_id)
    # Quotes linked to a Source span, in either direction.
    relation_where = " AND r.article_id = ?" if article_id is not None else ""
    links = conn.execute(
        'SELECT q.id, q.article_id, q.start, q."end", q.text, src.id FROM relations r'
        " JOIN spans h ON h.id = r.head_id JOIN labels hl ON hl.id = h.label_id"
        " JOIN spans c ON c.id = r.child_id JOIN labels cl ON cl.id = c.label_id"
        " JOIN spans q ON q.id = CASE WHEN hl.name = ? THEN h.id ELSE c.id END"
        " JOIN spans src ON src.id = CASE WHEN hl.name = ? THEN h.id ELSE c.id END"
        " WHERE ((hl.name = ? AND cl.name = ?) OR (hl.name = ? AND cl.name = ?))"
        f"{relation_where} ORDER BY q.article_id, q.start, q.id",
        [QUOTE_LABEL, SOURCE_LABEL, QUOTE_LABEL, SOURCE_LABEL, SOURCE_LABEL, QUOTE_LABEL]
        + ([article_id] if article_id is not None else []),
    ).fetchall()
    seen: set[tuple[str, int]] = set()
    for quote_id, art, start, end, text, source_id in links:
        source_key_ = key_of_span.get(source_id)
        if source_key_ is None or (source_key_, quote_id) in seen:
            continue
        seen.add((source_key_, quote_id))
        rows[source_key_].quotes.append(QuoteRef(quote_id, art, start, end, text))
    for key, row in rows.items():
        row.source = spellings[key].most_common(1)[0][0]
        votes = overrides.get(key)
        if votes:
            row.named, row.guessed = votes.most_common(1)[0][0], False
        else:
            row.named, row.guessed = guess_named(row.source), True
    return sorted(rows.values(), key=lambda r: (-len(r.quotes), -r.mentions, r.key))
