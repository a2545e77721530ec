"""Corpus statistics: spans per label, annotator, outlet and month; progress by status."""

from __future__ import annotations

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
NO_DATE = "(no date)"


def corpus_stats(project: Project, *, top_outlets: int = 20) -> CorpusStats:
    """All figures, each from one grouped query."""
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
    per_outlet = [
        (name or NO_OUTLET, int(count))
        for name, count in conn.execute(
            "SELECT a.source, count(*) FROM spans s JOIN articles a ON a.id = s.article_id"
            " GROUP BY a.source ORDER BY count(*) DESC, a.source LIMIT ?",
            (top_outlets,),
        )
    ]
    per_month = [
        (month or NO_DATE, int(count))
        for month, count in conn.execute(
            "SELECT CASE WHEN a.published GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]*'"
            " THEN substr(a.published, 1, 7) ELSE '' END AS month, count(*)"
            " FROM spans s JOIN articles a ON a.id = s.article_id GROUP BY month ORDER BY month"
        )
    ]
    # Undated spans go last.
    per_month.sort(key=lambda item: (item[0] == NO_DATE, item[0]))
    status_counts = dict(conn.execute("SELECT status, count(*) FROM articles GROUP BY status"))
    per_status = [(status, int(status_counts.get(status, 0))) for status in STATUSES]
    return CorpusStats(
        by_label_annotator=rows,
        spans_per_label=per_label,
        spans_per_annotator=sorted(per_annotator.items(), key=lambda kv: (-kv[1], kv[0])),
        spans_per_outlet=per_outlet,
        spans_per_month=per_month,
        articles_per_status=per_status,
    )
