"""Command line: ``annotator [PROJECT]`` opens the app; subcommands work without a display."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from annotator import __version__

SUBCOMMANDS = ("import",)


def _default_annotator() -> str:
    from annotator.settings import Settings

    return Settings.load().annotator or "analyst"


def _build_import_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "import",
        help="import articles into a project (created if needed) and print a summary",
        description=(
            "Import .txt/.md, saved .html/.htm pages, .jsonl and .csv files, or whole folders of "
            "them, into PROJECT (created if it does not exist). The whole batch is imported or, "
            "on an error that stops it, none of it; rejected records are listed with file and line."
        ),
    )
    p.add_argument("project", type=Path, help="the project file (.annot)")
    p.add_argument("paths", type=Path, nargs="+", metavar="PATH", help="files or folders")
    p.add_argument(
        "--annotator",
        help="name recorded on imported spans that do not name their own annotator "
        "(default: the analyst name from your settings)",
    )
    p.add_argument(
        "--text-column", default="text", help="the CSV column holding article text (default: text)"
    )


def _run_import(args: argparse.Namespace) -> int:
    from annotator.formats.importer import import_paths
    from annotator.store import Project, ProjectError

    try:
        project = Project.open(args.project)
    except ProjectError as exc:
        print(f"annotator: {exc}", file=sys.stderr)
        return 2
    try:
        summary = import_paths(
            project,
            args.paths,
            annotator=args.annotator or _default_annotator(),
            csv_text_column=args.text_column,
        )
    except ProjectError as exc:
        print(f"annotator: {exc}", file=sys.stderr)
        return 2
    finally:
        project.close()
    print(summary.describe())
    return 1 if summary.rejected and not (summary.articles_added or summary.duplicates) else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="annotator",
        description=(
            "News Annotator: read news articles and tag quotes, sources, claims and speculation. "
            "Without a subcommand, opens the app on PROJECT (or the last/default project)."
        ),
        epilog="Subcommands: " + ", ".join(SUBCOMMANDS) + " (see 'annotator SUBCOMMAND --help').",
    )
    parser.add_argument("--version", action="version", version=f"News Annotator {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] in SUBCOMMANDS:
        parser = argparse.ArgumentParser(prog="annotator")
        sub = parser.add_subparsers(dest="command", required=True)
        _build_import_parser(sub)
        args = parser.parse_args(args_list)
        if args.command == "import":
            return _run_import(args)
        return 2  # pragma: no cover - argparse rejects unknown subcommands
    parser = build_parser()
    parser.add_argument("project", nargs="?", type=Path, help="project file to open")
    args = parser.parse_args(args_list)
    from annotator.app import run_gui

    return run_gui(args.project)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
