"""Command-line subcommands over colleagues' project files: agreement and merge."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.cli_text import error, json_safe, print_text, warn_if_not_backed_up

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


# -------------------------------------------------------------------------------------- agree
def add_agree(sub: Subparsers) -> None:
    p = sub.add_parser(
        "agree",
        help="inter-annotator agreement between project files (opened read-only)",
        description=(
            "Compare the main annotator layer (the annotator with the most spans) of each FILE "
            "over the articles all files share (matched by text, whatever their titles): span F1 "
            "(exact and overlap), character-level Cohen's kappa and Krippendorff's alpha per "
            "label; for three or more files also the pairwise matrix and Fleiss' kappa. Files "
            "are only read: nothing is written to them or beside them. 'n/a' (null in JSON) "
            "marks an undefined figure. Exit status: 0 report printed, 1 no article is shared "
            "by all files, 2 a file could not be read."
        ),
    )
    p.add_argument("files", type=Path, nargs="+", metavar="FILE", help="project files (.annot)")
    p.add_argument("--labels", help="compare only these labels (comma-separated, in this order)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    p.add_argument("--html", type=Path, metavar="PATH", help="also write an HTML report here")
    p.add_argument("--csv", type=Path, metavar="PATH", help="also write the figures as CSV here")


def run_agree(args: argparse.Namespace) -> int:
    import json

    from annotator.review.report import format_table, render_html, to_dict, write_csv
    from annotator.review.streaming import compare_files
    from annotator.store import ProjectError

    if len(args.files) < 2:
        return error("agree needs at least two project files")
    labels = None
    if args.labels is not None:
        labels = list(dict.fromkeys(n.strip() for n in args.labels.split(",") if n.strip()))
        if not labels:
            return error("--labels names no label")
    try:
        # Reports that list every article need them kept; the table and JSON do not.
        keep = args.html is not None or args.csv is not None
        comparison = compare_files(args.files, labels, keep_articles=keep)
    except ProjectError as exc:
        return error(exc)
    try:
        if args.html is not None:
            args.html.write_text(render_html(comparison), encoding="utf-8")
        if args.csv is not None:
            with args.csv.open("w", encoding="utf-8", newline="") as stream:
                write_csv(comparison, stream)
    except OSError as exc:
        return error(f"cannot write the report: {exc}")
    if args.json:
        print(json_safe(json.dumps(to_dict(comparison), ensure_ascii=False, indent=2)))
    else:
        print_text(format_table(comparison))
    return 0 if comparison.agreement.article_count else 1


# -------------------------------------------------------------------------------------- merge
def add_merge(sub: Subparsers) -> None:
    p = sub.add_parser(
        "merge",
        help="copy a colleague's spans, relations and notes into a project as their layer",
        description=(
            "Copy every span (with its note, attributes and who made it) and relation of SOURCE "
            "into TARGET (created if it does not exist), adding the articles and labels TARGET "
            "lacks. SOURCE is only read. Spans TARGET already has are skipped, so merging the "
            "same file twice adds nothing. All or nothing: on an error TARGET is unchanged. "
            "Exit status: 0 merged, 2 error."
        ),
    )
    p.add_argument("target", type=Path, metavar="TARGET", help="the project to merge into")
    p.add_argument("source", type=Path, metavar="SOURCE", help="the colleague's project file")
    p.add_argument(
        "--as",
        dest="as_name",
        metavar="NAME",
        help="name of the merged layer in TARGET (default: the colleague's annotator name); "
        "needed when TARGET already has its own layer of that name",
    )


def run_merge(args: argparse.Namespace) -> int:
    from annotator.review.merge import merge_project
    from annotator.store import Project, ProjectError
    from annotator.store.readonly import open_read_only

    try:
        source = open_read_only(args.source)  # checked before TARGET is even opened
    except ProjectError as exc:
        return error(exc)
    try:
        project = Project.open(args.target)
    except ProjectError as exc:
        source.close()
        return error(exc)
    try:
        result = merge_project(project, source, as_name=args.as_name)
    except ProjectError as exc:
        return error(exc)
    finally:
        project.close()
        source.close()
        warn_if_not_backed_up(project)
    print_text(result.describe())
    return 0
