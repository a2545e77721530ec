"""Search in context: FTS5 queries over article titles, bodies and the notes on spans, answered
as keyword-in-context hits.

A hit is a run of words the full-text index matched (FTS5's own ``highlight()`` marks them, so a
hit is exactly what FTS5 matched: whole words, case- and accent-insensitive, phrases as one
hit), with offsets in code points, half-open, of what it was found in: the article's stored text
(most hits), its title, or a span's note (:attr:`SearchHit.where`). Hits come a page at a time
in article order (in each article: title, text, then notes in span order); a page reads only as
many articles as it needs, so the first page of a word found in every article costs what a rare
word costs. The notes of an article are indexed as one row of their own (migration 0008), walked
in article order beside the title-and-text index.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from annotator.store.project import Project, ProjectError

DEFAULT_CONTEXT = 60  # code points of context shown on either side of a hit
# Marker pairs highlight() puts around a hit, tried in turn: the first pair not in the article.
_MARKERS = (("\ue000", "\ue001"), ("\ufdd0", "\ufdd1"), ("\U0010fffe", "\U0010ffff"))
_NOT_SEARCHABLE = re.compile("[\x00\ud800-\udfff]")


class SearchQueryError(ValueError):
    """A query FTS5 cannot run (unbalanced quotes, a lone NOT ...), in words for the analyst."""


TITLE, TEXT, NOTE = "title", "text", "note"
_PART = {TITLE: 0, TEXT: 1, NOTE: 2}


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One hit: ``text == found_in[start:end]``, ``left``/``right`` its context, where
    ``found_in`` is the article's text (``where == "text"``), its title (``"title"``) or the
    note of span ``span_id`` (``"note"``)."""

    article_id: int
    title: str
    start: int
    end: int
    text: str
    left: str
    right: str
    label: str | None = None  # the label whose span holds the hit, when the search asked for one
    span_id: int | None = None  # the span holding the hit (restricted search), or its note's
    where: str = TEXT
    notes_at: int = 0  # a note hit: where the note starts among the article's notes

    @property
    def key(self) -> tuple[int, int, int]:
        """Where the hit stands in the order of results; a page starts after a key."""
        if self.label is not None or (self.span_id is not None and self.where == TEXT):
            return (self.span_id or 0, _PART[TEXT], self.start)
        return (self.article_id, _PART[self.where], self.notes_at + self.start)


@dataclass(frozen=True, slots=True)
class SearchScope:
    """What restricts hits: inside spans of this label and/or by this annotator."""

    label: str | None = None
    annotator: str | None = None


def check_query(project: Project, query: str) -> str:
    """The query as FTS5 will run it; raises :class:`SearchQueryError` saying what is wrong."""
    if _NOT_SEARCHABLE.search(query):
        raise SearchQueryError("the query contains a character that cannot be searched for")
    stripped = query.strip()
    if not stripped:
        raise SearchQueryError("the query is empty")
    try:
        project.db.conn.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? LIMIT 1", (stripped,)
        ).fetchall()
    except sqlite3.OperationalError as exc:
        raise SearchQueryError(_explain(stripped, str(exc))) from None
    return stripped


def _explain(query: str, message: str) -> str:
    detail = message.removeprefix("fts5: ")
    hint = (
        'Put words in double quotes to search for them as they are ("NOT", "C++"); '
        "AND, OR and NOT need words on both sides (NOT only after one)."
    )
    if "unterminated string" in message:
        hint = 'A double quote is not closed; quote a phrase as "like this".'
    elif "no such column" in message:
        hint = "Only title: and text: may stand before a colon; quote other words with a colon."
    return f"cannot search for {query!r}: {detail}. {hint}"


def _label_id(project: Project, name: str) -> int:
    label = project.label_by_name(name)
    if label is None:
        known = ", ".join(lb.name for lb in project.labels())
        raise ProjectError(project.path, f"has no label {name!r} (labels: {known})")
    return label.id


def matching_article_count(project: Project, query: str, scope: SearchScope = SearchScope()) -> int:
    """How many articles hold a match: in title, text or notes, or with a scope in a span."""
    query = check_query(project, query)
    if scope.label is None and scope.annotator is None:
        conn = project.db.conn
        try:
            noted = conn.execute(
                "SELECT 1 FROM article_notes_fts WHERE article_notes_fts MATCH ? LIMIT 1", [query]
            ).fetchone()
        except sqlite3.OperationalError:
            noted = None  # a column filter (title:, text:) that notes do not have
        if noted is None:
            row = conn.execute(
                "SELECT count(*) FROM articles_fts f WHERE f.articles_fts MATCH ?", [query]
            ).fetchone()
        else:
            row = conn.execute(
                "SELECT count(*) FROM (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
                " UNION SELECT rowid FROM article_notes_fts WHERE article_notes_fts MATCH ?)",
                [query, query],
            ).fetchone()
    else:
        clauses, params = _span_clauses(project, scope)
        row = project.db.conn.execute(
            "SELECT count(DISTINCT s.article_id) FROM spans_fts f JOIN spans s ON s.id = f.rowid"
            f" WHERE f.spans_fts MATCH ? AND {clauses}",
            [query, *params],
        ).fetchone()
    return int(row[0])


def _span_clauses(project: Project, scope: SearchScope) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if scope.label is not None:
        clauses.append("s.label_id = ?")
        params.append(_label_id(project, scope.label))
    if scope.annotator is not None:
        clauses.append("s.annotator = ?")
        params.append(scope.annotator)
    return " AND ".join(clauses), params


def search_hits(
    project: Project,
    query: str,
    *,
    scope: SearchScope = SearchScope(),
    after: tuple[int, ...] | None = None,
    limit: int = 100,
    context: int = DEFAULT_CONTEXT,
) -> list[SearchHit]:
    """The next ``limit`` hits after the hit at ``after`` (a :attr:`SearchHit.key`)."""
    hits: list[SearchHit] = []
    if limit <= 0:
        return hits
    for hit in iter_hits(project, query, scope=scope, after=after, context=context):
        hits.append(hit)
        if len(hits) >= limit:
            break
    return hits


def iter_hits(
    project: Project,
    query: str,
    *,
    scope: SearchScope = SearchScope(),
    after: tuple[int, ...] | None = None,
    context: int = DEFAULT_CONTEXT,
) -> Iterator[SearchHit]:
    """Every hit after ``after`` (a :attr:`SearchHit.key`), in order, read as they are taken.

    Without a scope the query runs over titles, texts and notes, and hits come in article order
    (title, text, notes). With a label or annotator it runs over the text of their spans
    ("quotes containing sanctions": the Quote spans whose text matches), hits coming in
    (span, offset) order.
    """
    query = check_query(project, query)
    if after is not None and len(after) == 2:
        after = (after[0], _PART[TEXT], after[1])
    if scope.label is None and scope.annotator is None:
        yield from _article_hits(project, query, after, context)
    else:
        yield from _span_hits(project, query, scope, after, context)


def _marked_runs(marked: str, opener: str, closer: str) -> Iterator[tuple[int, int]]:
    """The [start, end) of each run highlight() put between the markers, in the plain text."""
    position = 0
    start = -1
    for piece in re.split(f"({re.escape(opener)}|{re.escape(closer)})", marked):
        if piece == opener:
            start = position
        elif piece == closer:
            if start >= 0 and position > start:
                yield start, position
            start = -1
        else:
            position += len(piece)


def _markers_for(text: str) -> tuple[str, str] | None:
    return next((pair for pair in _MARKERS if pair[0] not in text and pair[1] not in text), None)


def _article_hits(
    project: Project, query: str, after: tuple[int, ...] | None, context: int
) -> Iterator[SearchHit]:
    """Title, text and note hits, merged in article order from the two indexes' streams."""
    conn = project.db.conn
    first_id = after[0] if after is not None else 0
    streams = [
        iter(_title_and_text_hits(conn, query, first_id, context)),
        iter(_note_hits(conn, query, first_id, context)),
    ]
    heads: list[tuple[int, list[SearchHit]] | None] = [next(it, None) for it in streams]
    while True:
        present = [h[0] for h in heads if h is not None]
        if not present:
            return
        article_id = min(present)
        for i, head in enumerate(heads):
            if head is None or head[0] != article_id:
                continue
            for hit in head[1]:
                if after is None or hit.key > tuple(after):
                    yield hit
            heads[i] = next(streams[i], None)


def _title_and_text_hits(
    conn: sqlite3.Connection, query: str, first_id: int, context: int
) -> Iterator[tuple[int, list[SearchHit]]]:
    """Per matching article, in id order: its title's hits, then its text's."""
    opener, closer = _MARKERS[0]
    # Matches in rowid order, stepped lazily: a page reads only the articles it needs.
    rows = conn.execute(
        "SELECT f.rowid, a.title, a.text, highlight(articles_fts, 0, ?, ?),"
        " highlight(articles_fts, 1, ?, ?)"
        " FROM articles_fts f JOIN articles a ON a.id = f.rowid"
        " WHERE f.articles_fts MATCH ? AND f.rowid >= ? ORDER BY f.rowid",
        (opener, closer, opener, closer, query, first_id),
    )
    while True:
        batch = rows.fetchmany(8)
        if not batch:
            return
        for article_id, title, text, marked_title, marked_text in batch:
            pair = _markers_for(title + text)
            if pair is None:  # the article holds every marker: it cannot be highlighted
                continue
            if pair != (opener, closer):
                again = conn.execute(
                    "SELECT highlight(articles_fts, 0, ?, ?), highlight(articles_fts, 1, ?, ?)"
                    " FROM articles_fts WHERE articles_fts MATCH ? AND rowid = ?",
                    (*pair, *pair, query, article_id),
                ).fetchone()
                marked_title, marked_text = again if again else (None, None)
            hits: list[SearchHit] = []
            for where, found_in, marked in (
                (TITLE, title, marked_title),
                (TEXT, text, marked_text),
            ):
                if marked is None:
                    continue
                hits.extend(
                    SearchHit(
                        article_id=article_id,
                        title=title,
                        start=start,
                        end=end,
                        text=found_in[start:end],
                        left=found_in[max(0, start - context) : start],
                        right=found_in[end : end + context],
                        where=where,
                    )
                    for start, end in _marked_runs(marked, *pair)
                )
            yield article_id, hits


def _note_hits(
    conn: sqlite3.Connection, query: str, first_id: int, context: int
) -> Iterator[tuple[int, list[SearchHit]]]:
    """Per article whose notes match, in id order: the hits in each note, spans in id order."""
    opener, closer = _MARKERS[0]
    try:
        rows = conn.execute(
            "SELECT rowid, notes, highlight(article_notes_fts, 0, ?, ?) FROM article_notes_fts"
            " WHERE article_notes_fts MATCH ? AND rowid >= ? ORDER BY rowid",
            (opener, closer, query, first_id),
        )
        batch = rows.fetchmany(16)
    except sqlite3.OperationalError:
        return  # a column filter (title:, text:) that notes do not have: no note matches
    while batch:
        for article_id, notes, marked in batch:
            pair = _markers_for(notes)
            if pair is None:
                continue
            if pair != (opener, closer):
                again = conn.execute(
                    "SELECT highlight(article_notes_fts, 0, ?, ?) FROM article_notes_fts"
                    " WHERE article_notes_fts MATCH ? AND rowid = ?",
                    (*pair, query, article_id),
                ).fetchone()
                marked = again[0] if again else None
            if marked is None:
                continue
            hits = list(
                _hits_in_notes(conn, article_id, notes, _marked_runs(marked, *pair), context)
            )
            if hits:
                yield article_id, hits
        batch = rows.fetchmany(16)


def _hits_in_notes(
    conn: sqlite3.Connection,
    article_id: int,
    notes: str,
    runs: Iterable[tuple[int, int]],
    context: int,
) -> Iterator[SearchHit]:
    """The runs found in an article's notes (one per line, in span order) as hits in each
    span's note; a run across two notes (a phrase) belongs to neither and is left out."""
    row = conn.execute("SELECT title FROM articles WHERE id = ?", (article_id,)).fetchone()
    spans = conn.execute(
        "SELECT id, note FROM spans WHERE article_id = ? AND note != '' ORDER BY id",
        (article_id,),
    ).fetchall()
    if row is None or "\n".join(note for _, note in spans) != notes:
        return  # the index is not in step with the spans: nothing is made up
    starts, at = [], 0
    for _, note in spans:
        starts.append(at)
        at += len(note) + 1
    i = 0
    for start, end in runs:
        while i + 1 < len(starts) and starts[i + 1] <= start:
            i += 1
        span_id, note = spans[i]
        s, e = start - starts[i], end - starts[i]
        if e > len(note):
            continue
        yield SearchHit(
            article_id=article_id,
            title=row[0],
            start=s,
            end=e,
            text=note[s:e],
            left=note[max(0, s - context) : s],
            right=note[e : e + context],
            span_id=span_id,
            where=NOTE,
            notes_at=starts[i],
        )


def _span_hits(
    project: Project,
    query: str,
    scope: SearchScope,
    after: tuple[int, ...] | None,
    context: int,
) -> Iterator[SearchHit]:
    conn = project.db.conn
    clauses, params = _span_clauses(project, scope)
    opener, closer = _MARKERS[0]
    first_id = after[0] if after is not None else 0
    rows = conn.execute(
        'SELECT s.id, s.article_id, s.start, s."end", s.text, highlight(spans_fts, 0, ?, ?)'
        " FROM spans_fts f JOIN spans s ON s.id = f.rowid"
        f" WHERE f.spans_fts MATCH ? AND {clauses} AND f.rowid >= ? ORDER BY f.rowid",
        [opener, closer, query, *params, first_id],
    )
    while True:
        batch = rows.fetchmany(16)
        if not batch:
            return
        for span_id, article_id, span_start, span_end, span_text, marked in batch:
            pair = _markers_for(span_text)
            if pair is None:
                continue
            if pair != (opener, closer):
                again = conn.execute(
                    "SELECT highlight(spans_fts, 0, ?, ?) FROM spans_fts"
                    " WHERE spans_fts MATCH ? AND rowid = ?",
                    (*pair, query, span_id),
                ).fetchone()
                marked = again[0] if again else None
            if marked is None:
                continue
            runs = [
                (s, e)
                for s, e in _marked_runs(marked, *pair)
                if after is None or span_id != after[0] or span_start + s > after[-1]
            ]
            if not runs:
                continue
            low = max(0, span_start - context)
            row = conn.execute(
                "SELECT title, substr(text, ?, ?) FROM articles WHERE id = ?",
                (low + 1, span_end + context - low, article_id),
            ).fetchone()
            if row is None:
                continue
            title, window = row
            if window[span_start - low : span_end - low] != span_text:
                continue  # the span no longer matches its article (reported by the span check)
            for s, e in runs:
                start, end = span_start + s, span_start + e
                yield SearchHit(
                    article_id=article_id,
                    title=title,
                    start=start,
                    end=end,
                    text=window[start - low : end - low],
                    left=window[max(0, start - low - context) : start - low],
                    right=window[end - low : end - low + context],
                    label=scope.label,
                    span_id=span_id,
                )


# ---------------------------------------------------------------------- saved searches
_SAVED_KEY = "saved_searches"


@dataclass(frozen=True, slots=True)
class SavedSearch:
    name: str
    query: str
    label: str | None = None
    annotator: str | None = None


def saved_searches(project: Project) -> list[SavedSearch]:
    """The searches saved in the project, by name."""
    try:
        raw = json.loads(project.info(_SAVED_KEY, "[]"))
    except ValueError:
        return []
    found: list[SavedSearch] = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            label, annotator = item.get("label"), item.get("annotator")
            found.append(
                SavedSearch(
                    item["name"],
                    str(item.get("query", "")),
                    label if isinstance(label, str) else None,
                    annotator if isinstance(annotator, str) else None,
                )
            )
    return sorted(found, key=lambda s: s.name.casefold())


def save_search(project: Project, search: SavedSearch) -> None:
    """Save (or replace, by name) a search; its query must be one FTS5 can run."""
    check_query(project, search.query)
    if not search.name.strip():
        raise ProjectError(project.path, "a saved search needs a name")
    kept = [s for s in saved_searches(project) if s.name != search.name] + [search]
    _write_saved(project, kept)


def delete_saved_search(project: Project, name: str) -> None:
    _write_saved(project, [s for s in saved_searches(project) if s.name != name])


def _write_saved(project: Project, searches: list[SavedSearch]) -> None:
    payload = [
        {"name": s.name, "query": s.query, "label": s.label, "annotator": s.annotator}
        for s in searches
    ]
    with project.atomic():
        project.maintenance.set_info(_SAVED_KEY, json.dumps(payload, ensure_ascii=False))
