"""Command-line subcommands that work across a corpus: search, claims, sources, stats, schema."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.cli_text import error as _error
from annotator.cli_text import one_line as _one_line
from annotator.cli_text import print_json as _print_json
from annotator.cli_text import print_text as _print

if TYPE_CHECKING:
    from annotator.store import Project

    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def _open_read_only(path: Path) -> Project:
    from annotator.store import Project

    return Project.open(path, create=False, read_only=True)


# ------------------------------------------------------------------------------------- search
def add_search(sub: Subparsers) -> None:
    p = sub.add_parser(
        "search",
        help="find words in the articles' titles, texts and notes; print each hit in context",
        description=(
            "Search the titles, bodies and span notes of PROJECT's articles with the FTS5 "
            'query language: words (all must occur), "a phrase", prefix*, AND, OR, NOT, '
            "NEAR(a b, 5), and parentheses. Matching is by whole words, ignoring case and "
            "accents. Each hit is printed with its context: article id, title, then left "
            "[hit] right (after 'title:' or 'note N:' for a hit in the title or in the note "
            "of span N). With --json, one JSON object per line: article_id, title, start, end "
            "(code points of the stored text), text, left, right, and label with --label; a "
            'hit in the title has "in": "title" and a hit in a note "in": "note" and '
            '"span_id", their offsets counting in the title or the note. With --label or '
            "--annotator only the text of those spans is searched. Exit status: 0 hits "
            "printed, 1 no hit, 2 an error (a malformed query, an unknown label)."
        ),
    )
    p.add_argument("project", type=Path, help="the project file (.annot); only read")
    p.add_argument("query", help="what to search for (quote it for the shell)")
    p.add_argument("--label", help="only hits inside spans of this label (e.g. Quote)")
    p.add_argument("--annotator", help="only hits inside spans made by this annotator")
    p.add_argument("--limit", type=int, default=100, help="print at most N hits (default 100)")
    p.add_argument("--context", type=int, default=60, help="characters of context each side")
    p.add_argument("--json", action="store_true", help="one JSON object per hit")


def run_search(args: argparse.Namespace) -> int:
    from annotator.store import ProjectError
    from annotator.store.search import SearchQueryError, SearchScope, search_hits

    if args.limit < 1:
        return _error("--limit must be at least 1")
    if args.context < 0:
        return _error("--context cannot be negative")
    try:
        project = _open_read_only(args.project)
    except ProjectError as exc:
        return _error(exc)
    try:
        hits = search_hits(
            project,
            args.query,
            scope=SearchScope(label=args.label, annotator=args.annotator),
            limit=args.limit,
            context=args.context,
        )
    except SearchQueryError as exc:
        return _error(exc)
    except ProjectError as exc:
        return _error(exc)
    finally:
        project.close()
    for hit in hits:
        if args.json:
            record: dict[str, object] = {
                "article_id": hit.article_id,
                "title": hit.title,
                "start": hit.start,
                "end": hit.end,
                "text": hit.text,
                "left": hit.left,
                "right": hit.right,
            }
            if args.label is not None:
                record["label"] = hit.label
            if hit.where != "text":
                record["in"] = hit.where
            if hit.where == "note":
                record["span_id"] = hit.span_id
            _print_json(record)
        else:
            left, right = hit.left.replace("\n", " "), hit.right.replace("\n", " ")
            where = {"title": "title: ", "note": f"note {hit.span_id}: "}.get(hit.where, "")
            _print(f"{hit.article_id}\t{_one_line(hit.title)}\t{where}{left}[{hit.text}]{right}")
    return 0 if hits else 1


# ------------------------------------------------------------------------------------- claims
CLAIM_FIELDS = (
    "article_id",
    "title",
    "start",
    "end",
    "text",
    "verdict",
    "checker",
    "claim_status",
    "evidence",
)


def add_claims(sub: Subparsers) -> None:
    p = sub.add_parser(
        "claims",
        help="list every Claim span with its verdict, checker, status and evidence",
        description=(
            "List the Claim spans of PROJECT in article and text order with the fields "
            + ", ".join(CLAIM_FIELDS)
            + ". Without options a table is printed; --csv writes a CSV file (evidence "
            "items joined by ' | '); --json prints one JSON object per claim (evidence as a "
            "list). --verdict and --status keep only matching claims."
        ),
    )
    p.add_argument("project", type=Path, help="the project file (.annot); only read")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--csv", type=Path, metavar="OUT", help="write the claims as CSV to OUT")
    out.add_argument("--json", action="store_true", help="one JSON object per claim")
    p.add_argument("--verdict", help="only claims with this verdict ('' for none yet)")
    p.add_argument("--status", choices=("open", "checked"), help="only open or checked claims")


def run_claims(args: argparse.Namespace) -> int:
    from annotator.store import ProjectError
    from annotator.store.claims import ClaimFilter, claims

    try:
        project = _open_read_only(args.project)
    except ProjectError as exc:
        return _error(exc)
    try:
        rows = claims(project, ClaimFilter(verdict=args.verdict, claim_status=args.status))
    finally:
        project.close()
    if args.csv is not None:
        from annotator.formats.csv_safety import neutralise as _cell

        try:
            with args.csv.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(CLAIM_FIELDS)
                for c in rows:
                    writer.writerow(
                        [
                            c.article_id,
                            _cell(c.title),
                            c.start,
                            c.end,
                            _cell(c.text),
                            _cell(c.verdict),
                            _cell(c.checker),
                            c.claim_status,
                            _cell(" | ".join(c.evidence)),
                        ]
                    )
        except OSError as exc:
            return _error(f"{args.csv}: cannot be written: {exc.strerror or exc}")
        _print(f"{len(rows)} claim(s) written to {args.csv}")
        return 0
    for c in rows:
        if args.json:
            _print_json(
                {
                    "article_id": c.article_id,
                    "title": c.title,
                    "start": c.start,
                    "end": c.end,
                    "text": c.text,
                    "verdict": c.verdict,
                    "checker": c.checker,
                    "claim_status": c.claim_status,
                    "evidence": list(c.evidence),
                }
            )
        else:
            _print(
                f"{c.article_id}\t{c.start}-{c.end}\t{c.verdict or '-'}\t{c.claim_status}\t"
                f"{c.checker or '-'}\t{_one_line(c.text)}"
            )
    return 0


# ------------------------------------------------------------------------------------ sources
def add_sources(sub: Subparsers) -> None:
    p = sub.add_parser(
        "sources",
        help="who is quoted: each source with its attributed quotes, named or anonymous",
        description=(
            "List each distinct Source of PROJECT (its text compared without regard to case "
            "and spacing) with: source, named (a proper name or a description such as 'a "
            "source familiar with the plans'; guessed from the text unless a Source span "
            "carries the attribute named=true/false), quotes (Quote spans linked to it by a "
            "relation), mentions (Source spans) and articles (articles it appears in). Most "
            "quoted first. --json prints one JSON object per source."
        ),
    )
    p.add_argument("project", type=Path, help="the project file (.annot); only read")
    p.add_argument("--json", action="store_true", help="one JSON object per source")
    p.add_argument("--article", type=int, metavar="ID", help="only this article's sources")


def run_sources(args: argparse.Namespace) -> int:
    from annotator.store import ProjectError
    from annotator.store.sources import sources

    try:
        project = _open_read_only(args.project)
    except ProjectError as exc:
        return _error(exc)
    try:
        if args.article is not None and not project.has_article(args.article):
            return _error(f"{args.project}: has no article {args.article}")
        rows = sources(project, args.article)
    finally:
        project.close()
    if not args.json:
        _print("quotes\tmentions\tarticles\tnamed\tsource")
    for row in rows:
        if args.json:
            _print_json(row.as_json())
        else:
            kind = "named" if row.named else "anonymous"
            guessed = " (guess)" if row.guessed else ""
            _print(
                f"{len(row.quotes)}\t{row.mentions}\t{len(row.articles)}\t{kind}{guessed}\t"
                f"{row.source}"
            )
    return 0


# -------------------------------------------------------------------------------------- stats
def add_stats(sub: Subparsers) -> None:
    p = sub.add_parser(
        "stats",
        help="span counts per label and annotator, as a table, CSV and a chart",
        description=(
            "Count PROJECT's spans per (label, annotator) and the articles they are in. Prints "
            "a table; --csv writes it as CSV with the columns label, annotator, spans, "
            "articles; --png draws the spans-per-label bar chart (--svg the same as SVG)."
        ),
    )
    p.add_argument("project", type=Path, help="the project file (.annot); only read")
    p.add_argument("--csv", type=Path, metavar="OUT", help="write the counts as CSV")
    p.add_argument("--png", type=Path, metavar="OUT", help="write the spans-per-label chart (PNG)")
    p.add_argument("--svg", type=Path, metavar="OUT", help="write the spans-per-label chart (SVG)")


def run_stats(args: argparse.Namespace) -> int:
    from annotator.formats.stats_export import ChartsUnavailable, save_chart, write_stats_csv
    from annotator.store import ProjectError
    from annotator.store.stats import corpus_stats

    try:
        project = _open_read_only(args.project)
    except ProjectError as exc:
        return _error(exc)
    try:
        stats = corpus_stats(project)
    finally:
        project.close()
    try:
        if args.csv is not None:
            write_stats_csv(stats, args.csv)
        for out in (args.png, args.svg):
            if out is not None:
                save_chart(stats, "labels", out)
    except ChartsUnavailable as exc:
        return _error(exc)
    except OSError as exc:
        return _error(f"cannot write: {exc.strerror or exc} ({exc.filename or ''})")
    _print("label\tannotator\tspans\tarticles")
    for row in stats.by_label_annotator:
        _print(f"{row.label}\t{row.annotator}\t{row.spans}\t{row.articles}")
    return 0


# ------------------------------------------------------------------------------------- schema
def add_schema(sub: Subparsers) -> None:
    p = sub.add_parser(
        "schema",
        help="export or import a project's label schema (labels, hierarchy, attributes, "
        "document label fields)",
        description=(
            "'annotator schema export PROJECT -o FILE.json' writes PROJECT's labels (colour, "
            "hotkey, description, parent label, attribute definitions) and document label "
            "fields as JSON. 'annotator schema import PROJECT FILE.json' checks the whole file "
            "(every problem listed with its line; then nothing changes, exit status 2), then "
            "adds or updates the labels and fields it names. Importing never deletes a label, "
            "a span or an article's values."
        ),
    )
    actions = p.add_subparsers(dest="schema_action", required=True, metavar="{export,import}")
    export = actions.add_parser("export", help="write the schema to a JSON file")
    export.add_argument("project", type=Path, help="the project file (.annot); only read")
    export.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.json")
    imp = actions.add_parser("import", help="apply a schema file to a project")
    imp.add_argument("project", type=Path, help="the project file (.annot)")
    imp.add_argument("file", type=Path, metavar="FILE.json", help="the schema file")


def run_schema(args: argparse.Namespace) -> int:
    from annotator.store import Project, ProjectError
    from annotator.store.schema_file import SchemaFileError, import_schema, write_schema

    if args.schema_action == "export":
        try:
            project = _open_read_only(args.project)
        except ProjectError as exc:
            return _error(exc)
        try:
            write_schema(project, args.output)
        except ProjectError as exc:
            return _error(exc)
        finally:
            project.close()
        _print(f"schema written to {args.output}")
        return 0
    try:
        project = Project.open(args.project, create=False)
    except ProjectError as exc:
        return _error(exc)
    try:
        result = import_schema(project, args.file)
    except SchemaFileError as exc:
        for problem in exc.problems:
            print(f"annotator: {problem}", file=sys.stderr)
        print("annotator: nothing was changed", file=sys.stderr)
        return 2
    except ProjectError as exc:
        return _error(exc)
    finally:
        project.close()
    _print(result.describe())
    return 0
