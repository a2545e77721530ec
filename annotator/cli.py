"""Command line: ``annotator [PROJECT]`` opens the app; subcommands work without a display.

Each subcommand is a pair of functions, one adding its parser and one running it, listed once in
:data:`SUBCOMMAND_TABLE`; they live by theme in :mod:`annotator.cli_exchange` (import, export),
:mod:`annotator.cli_review` (agree, merge), :mod:`annotator.cli_corpus` (search, claims,
sources, stats, schema) and here (suggest); what they print goes through
:mod:`annotator.cli_text`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from annotator import __version__, cli_corpus, cli_exchange, cli_review
from annotator.cli_text import error, print_text

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


# ------------------------------------------------------------------------------------ suggest
def _add_suggest(sub: Subparsers) -> None:
    p = sub.add_parser(
        "suggest",
        help="propose Quote, Source and Speculation spans as the 'suggestions' layer",
        description=(
            "Run the rule-based suggester over every article of PROJECT and write what it finds "
            "as spans of the annotator 'suggestions' (Quote -> Source links as attributed_to "
            "relations), for an analyst to accept or reject in the app. No other layer is "
            "touched. Running it again adds only what is new; suggestions rejected in the app "
            "are never proposed again. Exit status: 0 done, 2 error (nothing written)."
        ),
    )
    p.add_argument("project", type=Path, help="the project file (.annot)")
    p.add_argument(
        "--labels",
        help="only these labels, comma-separated (default: Quote,Source,Speculation and the "
        "labels of your patterns)",
    )
    p.add_argument(
        "--patterns",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="a patterns.jsonl of your own, added to the built-in rules (may be repeated)",
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help="drop the existing suggestions (not rejections) and make them anew",
    )
    p.add_argument(
        "--processes",
        type=_positive_int,
        default=None,
        metavar="N",
        help="run the suggester in N processes (default: one per core, up to four, for 500 "
        "articles or more; 1 otherwise)",
    )


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of 1 or more")
    return number


def _run_suggest(args: argparse.Namespace) -> int:
    from annotator.store import Project, ProjectError
    from annotator.suggest import PatternError, Suggester
    from annotator.suggest.run import parse_labels, suggest_project

    try:
        labels = parse_labels(args.labels)
        suggester = Suggester(extra_patterns=args.patterns)
    except (ValueError, PatternError) as exc:
        return error(exc)
    try:
        project = Project.open(args.project, create=False)
    except ProjectError as exc:
        return error(exc)
    try:
        summary = suggest_project(
            project,
            suggester=suggester,
            labels=labels,
            replace=args.replace,
            processes=args.processes,
        )
    except ProjectError as exc:
        return error(exc)
    finally:
        project.close()
    print_text(summary.describe())
    return 0


# --------------------------------------------------------------------------------- registry
SUBCOMMAND_TABLE: dict[
    str, tuple[Callable[[Subparsers], None], Callable[[argparse.Namespace], int]]
] = {
    "import": (cli_exchange.add_import, cli_exchange.run_import),
    "export": (cli_exchange.add_export, cli_exchange.run_export),
    "agree": (cli_review.add_agree, cli_review.run_agree),
    "merge": (cli_review.add_merge, cli_review.run_merge),
    "suggest": (_add_suggest, _run_suggest),
    "search": (cli_corpus.add_search, cli_corpus.run_search),
    "claims": (cli_corpus.add_claims, cli_corpus.run_claims),
    "sources": (cli_corpus.add_sources, cli_corpus.run_sources),
    "stats": (cli_corpus.add_stats, cli_corpus.run_stats),
    "schema": (cli_corpus.add_schema, cli_corpus.run_schema),
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
    _add_self_test_option(parser)
    return parser


# ---------------------------------------------------------------------------------- self-test
def _add_self_test_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="start the app on a temporary project, tag, undo, redo and export the sample "
        "article, then exit 0 if all of it worked (non-zero with the reason otherwise); "
        "your own settings and projects are not touched",
    )


def _run_self_test() -> int:
    from annotator.selftest import run_self_test

    return run_self_test()


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _main(argv)
        sys.stdout.flush()  # here, not at exit, where a closed pipe prints a warning
        return code
    except BrokenPipeError:
        # The reader went away (``| head``) after taking what it wanted: end quietly, with
        # neither a message nor a failure status.
        _silence_stdout()
        return 0


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is no real file (tests capture it)
        pass


def _main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] in SUBCOMMAND_TABLE:
        parser = argparse.ArgumentParser(prog="annotator")
        sub = parser.add_subparsers(dest="command", required=True)
        for add, _run in SUBCOMMAND_TABLE.values():
            add(sub)
        args = parser.parse_args(args_list)
        from annotator.store.errors import SQLiteError, store_failure

        try:
            return SUBCOMMAND_TABLE[args.command][1](args)
        except BrokenPipeError:
            raise  # main() ends quietly on a closed pipe
        except (SQLiteError, OSError) as exc:
            # A full disk, a lock or a vanished file met outside the commands' own handling:
            # said in words, never a traceback.

            where = getattr(args, "project", None) or getattr(args, "target", None)
            return error(store_failure(where, exc))
    parser = build_parser()
    parser.add_argument("project", nargs="?", type=Path, help="project file to open")
    args = parser.parse_args(args_list)
    if args.self_test:
        return _run_self_test()
    from annotator.app import run_gui

    return run_gui(args.project)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
