"""Corpus statistics: spans per label, annotator, outlet and month; progress by status."""

from __future__ import annotations

import re
from dataclasses import dataclass

from annotator.core.model import STATUSES
from annotator.store.project import Project


@dataclass(frozen=True, slots=True)
class LabelAnnotatorRow:
    label: str
    annotator: str
    spans: int
    articles: int


@dataclass(frozen=True, slots=True)
class CorpusStats:
    """Every figure the dashboard draws, each a list of (name, count) in display order."""

    by_label_annotator: list[LabelAnnotatorRow]
    spans_per_label: list[tuple[str, int]]
    spans_per_annotator: list[tuple[str, int]]
    spans_per_outlet: list[tuple[str, int]]
    spans_per_month: list[tuple[str, int]]
    articles_per_status: list[tuple[str, int]]


NO_OUTLET = "(no outlet)"
_MONTH = re.compile(r"\d{4}-\d{2}")
NO_DATE = "(no date)"


def corpus_stats(project: Project, *, top_outlets: int = 20) -> CorpusStats:
    """Every figure, from three queries that read indexes only."""
    conn = project.db.conn
    rows = [
        LabelAnnotatorRow(label, annotator, spans, articles)
        for label, annotator, spans, articles in conn.execute(
            "SELECT l.name, s.annotator, count(*), count(DISTINCT s.article_id)"
            " FROM spans s JOIN labels l ON l.id = s.label_id"
            " GROUP BY s.label_id, s.annotator ORDER BY l.position, l.id, s.annotator"
        )
    ]
    per_label = [
        (name, int(count))
        for name, count in conn.execute(
            "SELECT l.name, (SELECT count(*) FROM spans s WHERE s.label_id = l.id) FROM labels l"
            " ORDER BY l.position, l.id"
        )
    ]
    per_annotator: dict[str, int] = {}
    for row in rows:
        per_annotator[row.annotator] = per_annotator.get(row.annotator, 0) + row.spans
    # Spans per article (from an index of spans), and each article's outlet, date and status
    # (from the articles_meta index, never the article rows): summed up here.
    spans_of = dict(conn.execute("SELECT article_id, count(*) FROM spans GROUP BY article_id"))
    outlet_counts: dict[str, int] = {}
    month_counts: dict[str, int] = {}
    status_counts: dict[str, int] = {}
    for article_id, status, source, published in conn.execute(
        "SELECT id, status, source, published FROM articles"
    ):
        status_counts[status] = status_counts.get(status, 0) + 1
        count = spans_of.get(article_id)
        if not count:
            continue
        outlet = source or NO_OUTLET
        outlet_counts[outlet] = outlet_counts.get(outlet, 0) + count
        month = published[:7] if _MONTH.match(published) else NO_DATE
        month_counts[month] = month_counts.get(month, 0) + count
    per_outlet = sorted(outlet_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top_outlets]
    # Undated spans go last.
    per_month = sorted(month_counts.items(), key=lambda kv: (kv[0] == NO_DATE, kv[0]))
    per_status = [(status, int(status_counts.get(status, 0))) for status in STATUSES]
    return CorpusStats(
        by_label_annotator=rows,
        spans_per_label=per_label,
        spans_per_annotator=sorted(per_annotator.items(), key=lambda kv: (-kv[1], kv[0])),
        spans_per_outlet=per_outlet,
        spans_per_month=per_month,
        articles_per_status=per_status,
    )
