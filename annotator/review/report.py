"""Agreement reports: a JSON-ready dict, a plain-text table, a standalone HTML page and CSV.

Every string that comes from a project file (labels, annotator and file names, titles, span
text) is data: HTML-escaped in the page, and in CSV prefixed with an apostrophe when a
spreadsheet would take it for a formula.
"""

from __future__ import annotations

import csv
import html
from collections.abc import Mapping, Sequence
from typing import IO, Any

from annotator.review.agreement import Agreement, Kind, LabelFigures
from annotator.review.compare import Comparison

NOT_AVAILABLE = "n/a"


def _figure(value: float | None) -> str:
    return NOT_AVAILABLE if value is None else f"{value:.3f}"


def counted_kinds(agreement: Agreement) -> dict[str, int]:
    """Disagreements per kind, whether or not the articles were kept."""
    return {kind.value: agreement.disagreement_counts.get(kind, 0) for kind in Kind}


# ----------------------------------------------------------------------------------- JSON
def _label_dict(figures: LabelFigures, *, many: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "exact_f1": figures.exact_f1,
        "overlap_f1": figures.overlap_f1,
        "kappa": figures.kappa,
        "alpha": figures.alpha,
    }
    if many:
        entry["fleiss_kappa"] = figures.fleiss_kappa
    entry["spans"] = dict(figures.spans)
    return entry


def to_dict(comparison: Comparison) -> dict[str, Any]:
    """The report as one JSON-ready object (None for undefined figures)."""
    agreement = comparison.agreement
    many = len(agreement.annotators) >= 3
    result: dict[str, Any] = {
        "articles": agreement.article_count,
        "annotators": list(agreement.annotators),
        "labels": {
            label: _label_dict(agreement.by_label[label], many=many) for label in agreement.labels
        },
        "overall": {
            "exact_f1": agreement.overall.exact_f1,
            "overlap_f1": agreement.overall.overlap_f1,
            "spans": dict(agreement.overall.spans),
        },
        "disagreements": counted_kinds(agreement),
        "files": [
            {
                "annotator": layer.name,
                "path": str(layer.source),
                "articles": len(layer.articles),
                "other_annotators": dict(layer.other_annotators),
                "issues": list(layer.issues),
            }
            for layer in comparison.layers
        ],
        "unshared_articles": [
            {"title": info.title, "content_hash": info.key, "in": list(holders)}
            for info, holders in comparison.alignment.unshared
        ],
    }
    if many:
        result["pairwise"] = [
            {
                "a": pair.a,
                "b": pair.b,
                "exact_f1": pair.exact_f1,
                "overlap_f1": pair.overlap_f1,
                "kappa": {label: figures.kappa for label, figures in pair.labels.items()},
                "labels": {
                    label: {
                        "exact_f1": figures.exact_f1,
                        "overlap_f1": figures.overlap_f1,
                        "kappa": figures.kappa,
                    }
                    for label, figures in pair.labels.items()
                },
            }
            for pair in agreement.pairwise
        ]
    return result


# ----------------------------------------------------------------------------------- table
def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(w) for cell, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)))
    return [line.rstrip() for line in lines]


def format_table(comparison: Comparison, *, max_listed: int = 10) -> str:
    """A readable plain-text report."""
    agreement = comparison.agreement
    names = agreement.annotators
    many = len(names) >= 3
    lines = [
        "Agreement between "
        + ", ".join(f"{layer.name} ({layer.source.name})" for layer in comparison.layers)
    ]
    unshared = comparison.alignment.unshared
    lines.append(
        f"Articles compared (in every file): {agreement.article_count}; "
        f"in some files only: {len(unshared)}"
    )
    for layer in comparison.layers:
        only = comparison.alignment.only_in(layer.name)
        if only:
            listed = ", ".join(repr(info.title or info.key[:12]) for info in only[:max_listed])
            more = f" and {len(only) - max_listed} more" if len(only) > max_listed else ""
            lines.append(f"  only in {layer.name}: {len(only)} ({listed}{more})")
        if layer.other_annotators:
            others = ", ".join(f"{n} ({c})" for n, c in layer.other_annotators.items())
            lines.append(f"  {layer.source.name}: other layers not compared: {others}")
        for issue in layer.issues[:max_listed]:
            lines.append(f"  {layer.source.name}: {issue}")
        if len(layer.issues) > max_listed:
            lines.append(f"  {layer.source.name}: ... {len(layer.issues) - max_listed} more")
    lines.append("")
    header = ["label", "exact F1", "overlap F1", "kappa" if not many else "mean kappa", "alpha"]
    if many:
        header.append("Fleiss kappa")
    header += [f"spans {n}" for n in names]
    rows = []
    for label in agreement.labels:
        f = agreement.by_label[label]
        row = [
            label,
            _figure(f.exact_f1),
            _figure(f.overlap_f1),
            _figure(f.kappa),
            _figure(f.alpha),
        ]
        if many:
            row.append(_figure(f.fleiss_kappa))
        rows.append(row + [str(f.spans.get(n, 0)) for n in names])
    o = agreement.overall
    overall = ["(overall)", _figure(o.exact_f1), _figure(o.overlap_f1), "", ""]
    if many:
        overall.append("")
    rows.append(overall + [str(o.spans.get(n, 0)) for n in names])
    lines += _table(header, rows)
    if many:
        lines.append("")
        lines.append("Pairwise")
        header = ["pair", "exact F1", "overlap F1"] + [
            f"kappa {label}" for label in agreement.labels
        ]
        rows = [
            [f"{p.a} / {p.b}", _figure(p.exact_f1), _figure(p.overlap_f1)]
            + [_figure(p.labels[label].kappa) for label in agreement.labels]
            for p in agreement.pairwise
        ]
        lines += _table(header, rows)
    counts = counted_kinds(agreement)
    lines.append("")
    lines.append(
        f"Disagreements: {sum(counts.values())} (only some annotators: {counts['only']}, "
        f"different label: {counts['label']}, different boundaries: {counts['boundary']})"
    )
    lines.append("n/a: undefined (no spans on either side, or no variation to measure).")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------ HTML
_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.kind { font-weight: 600; }
.muted { color: #777; }
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _html_table(header: Sequence[str], rows: Sequence[Sequence[tuple[str, bool]]]) -> str:
    """Cells are ``(already escaped html, numeric)``."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="num">{c}</td>' if num else f"<td>{c}</td>" for c, num in row)
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _marks_html(marks: Sequence[Any]) -> str:
    if not marks:
        return '<span class="muted">—</span>'
    return "<br>".join(
        f"{_e(m.label)} [{m.start}, {m.end})" + (f" “{_e(m.text)}”" if m.text else "")
        for m in marks
    )


def render_html(comparison: Comparison, *, title: str = "Agreement report") -> str:
    """A standalone HTML page (no scripts, no external resources)."""
    agreement = comparison.agreement
    names = agreement.annotators
    many = len(names) >= 3
    esc_names = [_e(n) for n in names]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
    ]
    files = [
        [
            (_e(layer.name), False),
            (_e(layer.source), False),
            (str(len(layer.articles)), True),
            (_e(", ".join(f"{n} ({c})" for n, c in layer.other_annotators.items())), False),
            ("<br>".join(_e(i) for i in layer.issues), False),
        ]
        for layer in comparison.layers
    ]
    parts.append("<h2>Files</h2>")
    parts.append(
        _html_table(
            ["annotator", "file", "articles", "other layers (not compared)", "issues"], files
        )
    )
    parts.append(
        f"<p>{agreement.article_count} article(s) in every file compared; "
        f"{len(comparison.alignment.unshared)} in some files only.</p>"
    )
    header = ["label", "exact F1", "overlap F1", "mean kappa" if many else "kappa", "alpha"]
    if many:
        header.append("Fleiss kappa")
    header += [f"spans {n}" for n in esc_names]
    rows = []
    for label in agreement.labels:
        f = agreement.by_label[label]
        row = [(_e(label), False)] + [
            (_figure(v), True) for v in (f.exact_f1, f.overlap_f1, f.kappa, f.alpha)
        ]
        if many:
            row.append((_figure(f.fleiss_kappa), True))
        rows.append(row + [(str(f.spans.get(n, 0)), True) for n in names])
    o = agreement.overall
    overall = [
        ("(overall)", False),
        (_figure(o.exact_f1), True),
        (_figure(o.overlap_f1), True),
        ("", False),
        ("", False),
    ] + ([("", False)] if many else [])
    rows.append(overall + [(str(o.spans.get(n, 0)), True) for n in names])
    parts.append("<h2>Per label</h2>")
    parts.append(_html_table(header, rows))
    if many:
        parts.append("<h2>Pairwise</h2>")
        parts.append(
            _html_table(
                ["pair", "exact F1", "overlap F1"] + [f"kappa {_e(lb)}" for lb in agreement.labels],
                [
                    [
                        (f"{_e(p.a)} / {_e(p.b)}", False),
                        (_figure(p.exact_f1), True),
                        (_figure(p.overlap_f1), True),
                    ]
                    + [(_figure(p.labels[lb].kappa), True) for lb in agreement.labels]
                    for p in agreement.pairwise
                ],
            )
        )
    if comparison.alignment.unshared:
        parts.append("<h2>Articles not in every file (not compared)</h2>")
        parts.append(
            _html_table(
                ["title", "content hash", "in"],
                [
                    [
                        (_e(info.title), False),
                        (_e(info.key[:16]), False),
                        (_e(", ".join(holders)), False),
                    ]
                    for info, holders in comparison.alignment.unshared
                ],
            )
        )
    parts.append("<h2>Articles</h2>")
    parts.append(
        _html_table(
            ["title", "exact F1", "overlap F1", "disagreements"],
            [
                [
                    (_e(a.title or a.key[:16]), False),
                    (_figure(a.overall.exact_f1), True),
                    (_figure(a.overall.overlap_f1), True),
                    (str(len(a.disagreements)), True),
                ]
                for a in agreement.articles
            ],
        )
    )
    parts.append("<h2>Disagreements</h2>")
    for article in agreement.articles:
        if not article.disagreements:
            continue
        parts.append(f"<h3>{_e(article.title or article.key[:16])}</h3>")
        parts.append(
            _html_table(
                ["kind", "where"] + esc_names,
                [
                    [
                        (f'<span class="kind">{_e(d.describe())}</span>', False),
                        (f"[{d.start}, {d.end})", False),
                    ]
                    + [(_marks_html(d.spans_of(n)), False) for n in names]
                    for d in article.disagreements
                ],
            )
        )
    parts.append(
        "<p class='muted'>n/a: undefined (no spans on either side, or no variation "
        "to measure).</p></body></html>"
    )
    return "\n".join(parts)


# ------------------------------------------------------------------------------------- CSV
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text_cell(value: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _number_cell(value: float | None) -> str:
    return "" if value is None else repr(value)


def write_csv(comparison: Comparison, stream: IO[str]) -> None:
    """Figures as rows: scope ``all`` (per label and overall), ``pair`` (every pair of
    annotators) and ``article`` (each compared article); empty cells for undefined figures."""
    agreement = comparison.agreement
    names = agreement.annotators
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(
        [
            "scope",
            "article",
            "title",
            "label",
            "annotator_a",
            "annotator_b",
            "exact_f1",
            "overlap_f1",
            "kappa",
            "alpha",
            "fleiss_kappa",
        ]
        + [f"spans {_text_cell(n)}" for n in names]
    )

    def row(
        scope: str, key: str, title: str, label: str, a: str, b: str, f: LabelFigures
    ) -> list[str]:
        return [
            scope,
            key,
            _text_cell(title),
            _text_cell(label),
            _text_cell(a),
            _text_cell(b),
            _number_cell(f.exact_f1),
            _number_cell(f.overlap_f1),
            _number_cell(f.kappa),
            _number_cell(f.alpha),
            _number_cell(f.fleiss_kappa),
        ] + [str(f.spans[n]) if n in f.spans else "" for n in names]

    def label_rows(
        scope: str,
        key: str,
        title: str,
        by_label: Mapping[str, LabelFigures],
        overall: LabelFigures,
    ) -> None:
        for label, figures in by_label.items():
            writer.writerow(row(scope, key, title, label, "", "", figures))
        writer.writerow(row(scope, key, title, "", "", "", overall))

    label_rows("all", "", "", agreement.by_label, agreement.overall)
    for pair in agreement.pairwise:
        for label, figures in pair.labels.items():
            writer.writerow(row("pair", "", "", label, pair.a, pair.b, figures))
        writer.writerow(
            row("pair", "", "", "", pair.a, pair.b, LabelFigures(pair.exact_f1, pair.overlap_f1))
        )
    for article in agreement.articles:
        label_rows("article", article.key, article.title, article.labels, article.overall)


def write_disagreements_csv(comparison: Comparison, stream: IO[str]) -> None:
    """One row per disagreement: article, kind, extent and each annotator's spans there."""
    agreement = comparison.agreement
    names = agreement.annotators
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["article", "title", "kind", "start", "end"] + [_text_cell(n) for n in names])
    for article in agreement.articles:
        for d in article.disagreements:
            writer.writerow(
                [article.key, _text_cell(article.title), d.kind.value, d.start, d.end]
                + [
                    _text_cell("; ".join(f"{m.start}-{m.end} {m.label}" for m in d.spans_of(n)))
                    for n in names
                ]
            )
