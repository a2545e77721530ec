"""Statistics as files: the figures as CSV and charts drawn with matplotlib (PNG, SVG).

The charts are built as matplotlib ``Figure`` objects without pyplot, so the same figure is
saved here and shown in the app's dashboard (which puts it on a Qt canvas).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.formats.csv_safety import neutralise
from annotator.store.stats import CorpusStats

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# chart name -> (title, x-axis label, which figures of CorpusStats, bars or a line)
CHARTS: dict[str, tuple[str, str, str, str]] = {
    "labels": ("Spans per label", "label", "spans_per_label", "bar"),
    "annotators": ("Spans per annotator", "annotator", "spans_per_annotator", "bar"),
    "outlets": ("Spans per outlet", "outlet", "spans_per_outlet", "bar"),
    "dates": ("Spans over publication date", "month", "spans_per_month", "line"),
    "status": ("Articles by status", "status", "articles_per_status", "bar"),
}
STATS_CSV_COLUMNS = ("label", "annotator", "spans", "articles")


class ChartsUnavailable(RuntimeError):
    """matplotlib is not installed."""


def chart_rows(stats: CorpusStats, chart: str) -> list[tuple[str, int]]:
    rows: list[tuple[str, int]] = getattr(stats, CHARTS[chart][2])
    return rows


def write_stats_csv(stats: CorpusStats, out: Path) -> None:
    """One row per (label, annotator): ``label, annotator, spans, articles``."""
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(STATS_CSV_COLUMNS)
        for row in stats.by_label_annotator:
            writer.writerow([_cell(row.label), _cell(row.annotator), row.spans, row.articles])


def write_chart_csv(stats: CorpusStats, chart: str, out: Path) -> None:
    """The numbers of one chart: a name column and a count column."""
    _title, axis, _attr, _kind = CHARTS[chart]
    column = "articles" if chart == "status" else "spans"
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([axis, column])
        for name, count in chart_rows(stats, chart):
            writer.writerow([_cell(name), count])


def _cell(text: str) -> str:
    # Names come from imported files: a spreadsheet must not run one as a formula.
    return neutralise(text)


def build_chart(stats: CorpusStats, chart: str, figure: Figure | None = None) -> Figure:
    """Draw one chart on ``figure`` (a new one when None) and return it."""
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - the stats extra is not installed
        raise ChartsUnavailable(
            "drawing charts needs matplotlib: pip install 'news-annotator[stats]'"
        ) from exc
    title, axis, _attr, kind = CHARTS[chart]
    rows = chart_rows(stats, chart)
    fig = figure if figure is not None else Figure(figsize=(7, 4), layout="constrained")
    fig.clear()
    ax = fig.add_subplot()
    names = [name for name, _ in rows]
    counts = [count for _, count in rows]
    if not rows:
        ax.text(0.5, 0.5, "nothing to count yet", ha="center", va="center")
        ax.set_axis_off()
    elif kind == "line":
        # Months on a time axis, so that a gap of years looks like one; undated spans apart.
        months = [(_month(name), count) for name, count in rows]
        dated = [(month, count) for month, count in months if month is not None]
        undated = sum(count for month, count in months if month is None)
        if dated:
            ax.plot([d for d, _ in dated], [c for _, c in dated], marker="o")  # type: ignore[arg-type]
            fig.autofmt_xdate()
        if undated:
            title += f" ({undated} undated)"
    else:
        bars = ax.bar(range(len(rows)), counts, color="#4c9be8")
        ax.bar_label(bars, fmt="%d")
        ax.margins(y=0.12)  # room for the numbers above the bars
        _ticks(ax, names)
    ax.set_title(title)
    ax.set_xlabel(axis)
    ax.set_ylabel("articles" if chart == "status" else "spans")
    return fig


def _month(name: str) -> date | None:
    try:
        year, month = name.split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        return None


def _ticks(ax: Any, names: Sequence[str]) -> None:
    ax.set_xticks(range(len(names)))
    shown = [n if len(n) <= 24 else n[:23] + "…" for n in names]
    rotate = len(names) > 6 or any(len(n) > 10 for n in names)
    ax.set_xticklabels(shown, rotation=40 if rotate else 0, ha="right" if rotate else "center")


def save_chart(stats: CorpusStats, chart: str, out: Path) -> None:
    """Save one chart; the suffix (.png, .svg, .pdf) chooses the format."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = build_chart(stats, chart)
    FigureCanvasAgg(fig)
    fig.savefig(out, dpi=100)
