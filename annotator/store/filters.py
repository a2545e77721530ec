"""Article-list filters: status, outlet, publication date range, a label present or absent, an
annotator's spans, and a full-text query, combined; with the counts the list shows.

Each filter is one indexed condition (migrations 0002, 0005, 0006 and 0009): status and outlet
are index lookups, dates a range over the published column, a label a lookup in the table of the
labels (or annotators) each article holds, a query a lookup in the full-text index. A filter of one criterion is counted (in all and per status) from an index or
that table alone; the others from the index of the articles' status, outlet and date, never from
their rows (which hold the text first: reading a row's status walks its text's pages). A query
combined with other criteria is read once for the count, the page and the counts per status that
the list asks for together (``_combined_matches``).
"""

from __future__ import annotations

import weakref
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from annotator.core.model import STATUSES, ArticleSummary
from annotator.store import summaries
from annotator.store.articles import ARTICLE_SORT_KEYS
from annotator.store.errors import ProjectError
from annotator.store.project import Project
from annotator.store.search import check_query


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    """What the article list keeps; None (or empty) leaves a criterion out."""

    statuses: frozenset[str] | None = None
    outlet: str | None = None  # articles.source, compared without regard to case
    date_from: str | None = None  # YYYY-MM-DD (or a prefix: 2024, 2024-03), inclusive
    date_to: str | None = None  # inclusive: 2024-03 keeps all of March
    label_present: int | None = None  # label id
    label_absent: int | None = None  # label id
    annotator: str | None = None  # has a span by this annotator
    query: str = ""  # an FTS5 query (the Search panel's): title or text match

    @property
    def empty(self) -> bool:
        return self == ArticleFilter()


# The articles through the index that holds every column a filter tests (migration 0006), never
# their rows.
_COVERED = "articles a INDEXED BY articles_meta"


def _table(f: ArticleFilter) -> str:
    """The articles as a filter with a query and other criteria reads them: through the index
    (SQLite would start from the query's matches and read each article's row to test the
    rest); any other filter walks the articles in id order, as SQLite chooses."""
    return _COVERED if f.query.strip() else "articles a"


# A filter combining a query with other criteria: the list asks, one after another, for its count,
# its first page and its counts per status, and each would gather every match of the query again
# (all of them, for a common word). Its matches (id and status, in id order) are read once, from
# the index of status, outlet and date, and kept per project for as long as the data is
# unchanged: PRAGMA data_version moves when another connection commits, total_changes when this
# one writes.
_MatchKey = tuple[ArticleFilter, int, int]
_matches: weakref.WeakKeyDictionary[Project, tuple[_MatchKey, list[tuple[int, str]]]] = (
    weakref.WeakKeyDictionary()
)
_RANK = {"new": 0, "in progress": 1}  # any other status sorts with done, as in the SQL


def _combined_matches(project: Project, f: ArticleFilter) -> list[tuple[int, str]] | None:
    """(id, status) of every article a filter of a query and other criteria keeps, in id
    order; None for any other filter (an index answers those a page at a time)."""
    if not f.query.strip() or f == ArticleFilter(query=f.query):
        return None
    conn = project.db.conn
    key = (f, int(conn.execute("PRAGMA data_version").fetchone()[0]), conn.total_changes)
    kept = _matches.get(project)
    if kept is not None and kept[0] == key:
        return kept[1]
    where, params = where_clause(project, f)
    rows = [
        (int(i), str(status))
        for i, status in conn.execute(f"SELECT a.id, a.status FROM {_COVERED} {where}", params)
    ]
    rows.sort()
    _matches[project] = (key, rows)
    return rows


def forget_matches(project: Project) -> None:
    """Drop the matches kept for ``project`` (the next count reads them again)."""
    _matches.pop(project, None)


_LABEL_OF_ARTICLE = "SELECT 1 FROM article_labels al WHERE al.article_id = a.id AND al.label_id = ?"


def where_clause(project: Project, f: ArticleFilter) -> tuple[str, list[Any]]:
    """The WHERE clause over ``articles a`` for a filter (raises SearchQueryError for a bad
    query, ProjectError for an unknown status)."""
    clauses: list[str] = []
    params: list[Any] = []
    if f.statuses is not None:
        unknown = sorted(set(f.statuses) - set(STATUSES))
        if unknown:
            raise ProjectError(project.path, f"unknown article status {unknown[0]!r}")
        if not f.statuses:
            clauses.append("0")
        else:
            # The expression of the index articles_by_status (migration 0002).
            ranks = sorted(STATUSES.index(s) for s in f.statuses)
            clauses.append(
                "CASE a.status WHEN 'new' THEN 0 WHEN 'in progress' THEN 1 ELSE 2 END"
                f" IN ({', '.join('?' * len(ranks))})"
            )
            params.extend(ranks)
    if f.outlet is not None:
        clauses.append("a.source = ? COLLATE NOCASE")
        params.append(f.outlet)
    if f.date_from:
        clauses.append("a.published >= ?")
        params.append(f.date_from)
    if f.date_to:
        # Everything that starts with the bound or sorts before it: '2024-03' keeps 2024-03-31.
        clauses.append("a.published < ?")
        params.append(f.date_to + "\uffff")
    if f.date_from or f.date_to:
        clauses.append("a.published != ''")
    if f.label_present is not None:
        clauses.append(f"EXISTS ({_LABEL_OF_ARTICLE})")
        params.append(f.label_present)
    if f.label_absent is not None:
        clauses.append(f"NOT EXISTS ({_LABEL_OF_ARTICLE})")
        params.append(f.label_absent)
    if f.annotator is not None:
        clauses.append(
            "EXISTS (SELECT 1 FROM article_annotators aa"
            " WHERE aa.article_id = a.id AND aa.annotator = ?)"
        )
        params.append(f.annotator)
    if f.query.strip():
        clauses.append("a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
        params.append(check_query(project, f.query))
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


def filtered_count(project: Project, f: ArticleFilter) -> int:
    fast = _single_criterion_count(project, f)
    if fast is not None:
        return fast
    matches = _combined_matches(project, f)
    if matches is not None:
        return len(matches)
    where, params = where_clause(project, f)
    return int(
        project.db.conn.execute(f"SELECT count(*) FROM {_table(f)} {where}", params).fetchone()[0]
    )


def _single_criterion_count(project: Project, f: ArticleFilter) -> int | None:
    """The count of a filter with one criterion that an index answers alone (the articles
    holding a label, an annotator's articles, a query's matches), or None."""
    conn = project.db.conn
    summary = _summary_of(f)
    if summary is not None:
        return summaries.count(conn, *summary)
    if f == ArticleFilter(label_absent=f.label_absent) and f.label_absent is not None:
        total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        return int(total) - summaries.count(conn, "label", f.label_absent)
    if f == ArticleFilter(query=f.query) and f.query.strip():
        row = conn.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?",
            (check_query(project, f.query),),
        ).fetchone()
    else:
        return None
    return int(row[0])


def _summary_of(f: ArticleFilter) -> tuple[str, Any] | None:
    """("label", id) or ("annotator", name) for a filter of that one criterion, else None."""
    if f == ArticleFilter(label_present=f.label_present) and f.label_present is not None:
        return "label", f.label_present
    if f == ArticleFilter(annotator=f.annotator) and f.annotator is not None:
        return "annotator", f.annotator
    return None


def status_counts(project: Project, f: ArticleFilter) -> dict[str, int]:
    """How many articles the filter keeps, per status (all statuses, in order)."""
    conn = project.db.conn
    if f.empty:
        rows = _per_status(conn.execute("SELECT status, count(*) FROM articles GROUP BY status"))
    elif f == ArticleFilter(statuses=f.statuses) and f.statuses is not None:
        where_clause(project, f)  # an unknown status is refused as in every other count
        every = status_counts(project, ArticleFilter())
        rows = {status: every[status] if status in f.statuses else 0 for status in STATUSES}
    elif (summary := _summary_of(f)) is not None:
        rows = summaries.per_status(conn, *summary)
    elif f == ArticleFilter(label_absent=f.label_absent) and f.label_absent is not None:
        every = status_counts(project, ArticleFilter())
        labelled = summaries.per_status(conn, "label", f.label_absent)
        rows = {status: every[status] - labelled[status] for status in STATUSES}
    elif f == ArticleFilter(query=f.query) and f.query.strip():
        rows = _per_status(
            conn.execute(
                "SELECT a.status, count(*) FROM articles_fts f"
                " JOIN articles a INDEXED BY articles_status_by_id ON a.id = f.rowid"
                " WHERE f.articles_fts MATCH ? GROUP BY a.status",
                (check_query(project, f.query),),
            )
        )
    elif (matches := _combined_matches(project, f)) is not None:
        rows = dict(Counter(status for _, status in matches))
    else:
        where, params = where_clause(project, f)
        # Status, outlet, date and id all stand in this index: no article row is read.
        rows = _per_status(
            conn.execute(
                f"SELECT a.status, count(*) FROM {_COVERED} {where} GROUP BY a.status",
                params,
            )
        )
    return {status: int(rows.get(status, 0)) for status in STATUSES}


def _per_status(rows: Iterable[tuple[str, int]]) -> dict[str, int]:
    return {str(status): int(count) for status, count in rows}


def filtered_page_ids(
    project: Project,
    f: ArticleFilter,
    offset: int = 0,
    limit: int = 200,
    *,
    order_by: str = "id",
    descending: bool = False,
) -> list[int]:
    key = ARTICLE_SORT_KEYS.get(order_by, "a.id")
    direction = "DESC" if descending else "ASC"
    summary = _summary_of(f)
    if summary is not None and order_by in ("id", "status"):
        return summaries.page_ids(
            project.db.conn,
            *summary,
            by_status=order_by == "status",
            descending=descending,
            offset=offset,
            limit=limit,
        )
    if key == "a.id" and f == ArticleFilter(query=f.query) and f.query.strip():
        # In id order the search index hands its matches over a page at a time.
        rows = project.db.conn.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
            f" ORDER BY rowid {direction} LIMIT ? OFFSET ?",
            (check_query(project, f.query), limit, offset),
        )
        return [int(row[0]) for row in rows]
    if order_by in ("id", "status") and (matches := _combined_matches(project, f)) is not None:
        if order_by == "status":
            ordered = sorted(matches, key=lambda m: (_RANK.get(m[1], 2), m[0]), reverse=descending)
        else:
            ordered = matches[::-1] if descending else matches
        start = max(offset, 0)
        end = None if limit < 0 else start + limit  # as SQLite's LIMIT: negative is no limit
        return [i for i, _ in ordered[start:end]]
    where, params = where_clause(project, f)
    order = f"{key} {direction}" + (f", a.id {direction}" if key != "a.id" else "")
    # In id order the index of status, outlet and date (with the id) is walked and the page
    # sorted: SQLite would otherwise start from the matches of a query and read each article's
    # row, its text first, to test the others.
    table = _table(f) if key == "a.id" else "articles a"
    sql = f"SELECT a.id FROM {table} {where} ORDER BY {order} LIMIT ? OFFSET ?"
    return [row[0] for row in project.db.conn.execute(sql, [*params, limit, offset])]


def filtered_summaries(
    project: Project,
    f: ArticleFilter,
    offset: int = 0,
    limit: int = 200,
    *,
    order_by: str = "id",
    descending: bool = False,
) -> list[ArticleSummary]:
    ids = filtered_page_ids(project, f, offset, limit, order_by=order_by, descending=descending)
    return project.article_summaries_of(ids)


def filtered_position(
    project: Project,
    f: ArticleFilter,
    article_id: int,
    *,
    order_by: str = "id",
    descending: bool = False,
) -> int | None:
    """The row of an article in the filtered list (None when the filter leaves it out)."""
    summary = _summary_of(f)
    if summary is not None and order_by in ("id", "status"):
        return summaries.position(
            project.db.conn,
            *summary,
            article_id,
            by_status=order_by == "status",
            descending=descending,
        )
    key = ARTICLE_SORT_KEYS.get(order_by, "a.id")
    if key == "a.id" and (matches := _combined_matches(project, f)) is not None:
        at = bisect_left(matches, (article_id, ""))
        if at == len(matches) or matches[at][0] != article_id:
            return None
        return len(matches) - 1 - at if descending else at
    where, params = where_clause(project, f)
    joiner = "AND" if where else "WHERE"
    conn = project.db.conn
    row = conn.execute(
        f"SELECT {key} FROM articles a {where} {joiner} a.id = ?", [*params, article_id]
    ).fetchone()
    if row is None:
        return None
    before = ">" if descending else "<"
    if key == "a.id":
        sql = f"SELECT count(*) FROM {_table(f)} {where} {joiner} a.id {before} ?"
        count_params: list[Any] = [*params, article_id]
    else:
        sql = (
            f"SELECT (SELECT count(*) FROM articles a {where} {joiner} {key} {before} ?)"
            f" + (SELECT count(*) FROM articles a {where} {joiner} {key} = ?"
            f" AND a.id {before} ?)"
        )
        count_params = [*params, row[0], *params, row[0], article_id]
    return int(conn.execute(sql, count_params).fetchone()[0])


def outlets(project: Project) -> list[tuple[str, int]]:
    """Every outlet (article source) with its number of articles, by name."""
    rows = project.db.conn.execute(
        "SELECT a.source, count(*) FROM articles a WHERE a.source != ''"
        " GROUP BY a.source COLLATE NOCASE ORDER BY a.source COLLATE NOCASE"
    ).fetchall()
    return [(name, int(count)) for name, count in rows]


def annotators(project: Project) -> list[str]:
    return [a for a in project.annotators() if a]


def date_bounds(project: Project) -> tuple[str, str] | None:
    row = project.db.conn.execute(
        "SELECT min(published), max(published) FROM articles WHERE published != ''"
    ).fetchone()
    return (row[0], row[1]) if row and row[0] else None
