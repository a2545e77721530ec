"""Command line: ``annotator [PROJECT]`` opens the app; subcommands work without a display.

Each subcommand is a pair of functions, one adding its parser and one running it, listed once in
:data:`SUBCOMMAND_TABLE`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from annotator import __version__

Subparsers = argparse._SubParsersAction  # type: ignore[type-arg]


def _default_annotator() -> str:
    from annotator.settings import Settings

    return Settings.load().annotator or "analyst"


def _error(message: object) -> int:
    print(f"annotator: {message}", file=sys.stderr)
    return 2


# ------------------------------------------------------------------------------------- import
def _add_import(sub: Subparsers) -> None:
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
    p.add_argument("--encoding", help="read every file in this encoding instead of detecting it")


def _run_import(args: argparse.Namespace) -> int:
    from annotator.formats.importer import import_paths
    from annotator.store import Project, ProjectError

    try:
        project = Project.open(args.project)
    except ProjectError as exc:
        return _error(exc)
    try:
        summary = import_paths(
            project,
            args.paths,
            annotator=args.annotator or _default_annotator(),
            csv_text_column=args.text_column,
            encoding=args.encoding,
        )
    except ProjectError as exc:
        return _error(exc)
    finally:
        project.close()
    print(summary.describe())
    return 1 if summary.rejected and not (summary.articles_added or summary.duplicates) else 0


# --------------------------------------------------------------------------------- registry
SUBCOMMAND_TABLE: dict[str, tuple[Callable[[Subparsers], None], Callable[[argparse.Namespace], int]]] = {
    "import": (_add_import, _run_import),
}
SUBCOMMANDS = tuple(SUBCOMMAND_TABLE)


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
    if args_list and args_list[0] in SUBCOMMAND_TABLE:
        parser = argparse.ArgumentParser(prog="annotator")
        sub = parser.add_subparsers(dest="command", required=True)
        for add, _run in SUBCOMMAND_TABLE.values():
            add(sub)
        args = parser.parse_args(args_list)
        return SUBCOMMAND_TABLE[args.command][1](args)
    parser = build_parser()
    parser.add_argument("project", nargs="?", type=Path, help="project file to open")
    args = parser.parse_args(args_list)
    from annotator.app import run_gui

    return run_gui(args.project)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
