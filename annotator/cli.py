"""Command line: ``annotator [PROJECT]`` opens the app; subcommands work without a display.

Each subcommand is a pair of functions, one adding its parser and one running it, listed once in
:data:`SUBCOMMAND_TABLE`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from annotator import __version__, cli_corpus
from annotator.cli_text import _error, _json_safe, _print, terminal_safe

if TYPE_CHECKING:
    from annotator.formats.export import ExportFilter, ExportReport
    from annotator.store import Project

    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def _default_annotator() -> str:
    from annotator.settings import Settings

    return Settings.load().annotator or "analyst"


def _warn_if_not_backed_up(project: Project) -> None:
    """Say on standard error when the project's backups failed (the work itself is saved)."""
    problem = project.backups.last_error if project.backups is not None else None
    if problem:
        print(
            f"annotator: warning: no backup of {terminal_safe(str(project.path))} was written: "
            f"{terminal_safe(problem)}",
            file=sys.stderr,
        )


# ------------------------------------------------------------------------------------- import
def _add_import(sub: Subparsers) -> None:
    p = sub.add_parser(
        "import",
        help="import articles into a project (created if needed) and print a summary",
        description=(
            "Import .txt/.md, saved .html/.htm pages, .jsonl and .csv files, or whole folders of "
            "them, into PROJECT (created if it does not exist). The whole batch is imported or, "
            "on an error that stops it, none of it; rejected records are listed with file and line. "
            "Exit status: 0 all imported, 1 imported with rejected records (listed), 2 nothing "
            "imported."
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
    _add_import_format(p)


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
            format=getattr(args, "format", None),
        )
    except ProjectError as exc:
        return _error(exc)
    finally:
        project.close()
        _warn_if_not_backed_up(project)
    _print(summary.describe())
    return import_status(summary.rejected, summary.articles_added + summary.duplicates)


def import_status(rejected: int, done: int) -> int:
    """0 all done, 1 done with rejected records (listed), 2 nothing done."""
    if not rejected:
        return 0
    return 1 if done else 2


def _add_import_format(p: argparse.ArgumentParser) -> None:
    from annotator.formats.registry import import_formats

    names = [spec.name for spec in import_formats()]
    p.add_argument(
        "--format",
        choices=names,
        metavar="FORMAT",
        help="read every PATH as this format whatever its suffix (" + ", ".join(names) + "); "
        "a folder is searched for the format's files, or read whole for a folder format. "
        "Without it the suffix decides",
    )


# ------------------------------------------------------------------------------------- export
def _add_export(sub: Subparsers) -> None:
    from annotator.formats.registry import export_formats

    specs = export_formats()
    p = sub.add_parser(
        "export",
        help="export a project's articles and annotations as a dataset",
        description=(
            "Export PROJECT as FORMAT to OUT (a file, or a folder for folder formats) and print "
            "what was written and what the format could not carry. With --split the articles "
            "are dealt into train/dev/test parts, written as OUT-train.SUFFIX, OUT-dev.SUFFIX, "
            "OUT-test.SUFFIX (OUT/train/, OUT/dev/, OUT/test/ for folder formats). OUT '-' "
            "writes a file format to standard output and the summary to standard error. "
            "Exit status: 0 exported, 2 nothing exported."
        ),
        epilog="Formats: " + "; ".join(f"{spec.name}: {spec.description}" for spec in specs),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("project", type=Path, help="the project file (.annot)")
    p.add_argument(
        "--format",
        "-f",
        required=True,
        choices=[spec.name for spec in specs],
        metavar="FORMAT",
        help="one of: " + ", ".join(spec.name for spec in specs),
    )
    p.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        metavar="OUT",
        help="where to write; '-' for standard output (file formats, no --split)",
    )
    p.add_argument("--labels", help="only spans with these labels, comma-separated (L1,L2)")
    p.add_argument("--status", help="only articles with this status (new, 'in progress', done)")
    p.add_argument("--annotator", help="only this annotator's spans")
    p.add_argument(
        "--split",
        metavar="TRAIN/DEV/TEST",
        help="deal articles into parts by these percentages, e.g. 80/10/10 or 80/20",
    )
    p.add_argument("--seed", type=int, default=0, help="shuffle seed of --split (default: 0)")
    p.add_argument(
        "--scheme",
        choices=("IOB2", "IOB1", "BIOES"),
        help="tag scheme of the conll format (default: IOB2)",
    )
    p.add_argument(
        "--csv-raw",
        action="store_true",
        help="csv: write cells starting with = + - @ TAB or CR as they are (by default they get "
        "a leading apostrophe so spreadsheets do not run them as formulas)",
    )
    p.add_argument(
        "--csv-bom",
        action="store_true",
        help="csv: start the file with a UTF-8 byte-order mark (Excel needs it for UTF-8)",
    )


def _run_export(args: argparse.Namespace) -> int:
    from annotator.formats.export import ExportError, ExportFilter, export_project
    from annotator.store import Project, ProjectError

    labels = None
    if args.labels is not None:
        labels = frozenset(name.strip() for name in args.labels.split(",") if name.strip())
        if not labels:
            return _error("--labels names no label")
    export_filter = ExportFilter(labels=labels, status=args.status, annotator=args.annotator)
    options: dict[str, object] = {}
    if args.scheme is not None:
        if args.format != "conll":
            return _error("--scheme is an option of the conll format")
        options["scheme"] = args.scheme
    to_stdout = str(args.output) == "-"
    if args.csv_raw or args.csv_bom:
        if args.format != "csv":
            return _error("--csv-raw and --csv-bom apply to --format csv only")
        options.update(raw=args.csv_raw, bom=args.csv_bom)
    if to_stdout and args.split:
        return _error("--split writes several files; it cannot write to standard output")
    try:
        project = Project.open(args.project, create=False, read_only=True)
    except ProjectError as exc:
        return _error(exc)
    try:
        if to_stdout:
            report = _export_to_stdout(project, args.format, export_filter, options)
        else:
            report = export_project(
                project,
                args.format,
                args.output,
                filter=export_filter,
                split=args.split,
                seed=args.seed,
                writer_options=options,
            )
    except ExportError as exc:
        return _error(exc)
    finally:
        project.close()
    if to_stdout:
        print(terminal_safe(report.describe()), file=sys.stderr)
    else:
        _print(report.describe())
    return 0


def _export_to_stdout(
    project: Project, format_name: str, export_filter: ExportFilter, options: dict[str, object]
) -> ExportReport:
    """Export into a private temporary folder, then copy the file to standard output; files the
    format writes beside it (a labeling config) are named in the report as not written."""
    import shutil
    import tempfile

    from annotator.formats.export import ExportError, export_project
    from annotator.formats.registry import get_format

    spec = get_format(format_name)
    if spec.folder:
        raise ExportError(f"{spec.name} writes a folder; name one with -o instead of '-'")
    with tempfile.TemporaryDirectory(prefix="annotator-export-") as tmp:
        out = Path(tmp) / f"export{spec.suffix}"
        report = export_project(
            project, format_name, out, filter=export_filter, writer_options=options
        )
        sys.stdout.flush()
        with out.open("rb") as fh:
            shutil.copyfileobj(fh, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        extra = [path for path in report.files if path != out]
        report.files = [Path("-")]
        for path in extra:
            report.lose(1, f"file not written (standard output holds one file): {path.name}")
    return report


# -------------------------------------------------------------------------------------- agree
def _add_agree(sub: Subparsers) -> None:
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


def _run_agree(args: argparse.Namespace) -> int:
    import json

    from annotator.review.compare import compare_files
    from annotator.review.report import format_table, render_html, to_dict, write_csv
    from annotator.store import ProjectError

    if len(args.files) < 2:
        return _error("agree needs at least two project files")
    labels = None
    if args.labels is not None:
        labels = list(dict.fromkeys(n.strip() for n in args.labels.split(",") if n.strip()))
        if not labels:
            return _error("--labels names no label")
    try:
        comparison = compare_files(args.files, labels)
    except ProjectError as exc:
        return _error(exc)
    try:
        if args.html is not None:
            args.html.write_text(render_html(comparison), encoding="utf-8")
        if args.csv is not None:
            with args.csv.open("w", encoding="utf-8", newline="") as stream:
                write_csv(comparison, stream)
    except OSError as exc:
        return _error(f"cannot write the report: {exc}")
    if args.json:
        print(_json_safe(json.dumps(to_dict(comparison), ensure_ascii=False, indent=2)))
    else:
        _print(format_table(comparison))
    return 0 if comparison.agreement.articles else 1


# -------------------------------------------------------------------------------------- merge
def _add_merge(sub: Subparsers) -> None:
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


def _run_merge(args: argparse.Namespace) -> int:
    from annotator.review.merge import merge_project
    from annotator.store import Project, ProjectError
    from annotator.store.readonly import open_read_only

    try:
        source = open_read_only(args.source)  # checked before TARGET is even opened
    except ProjectError as exc:
        return _error(exc)
    try:
        project = Project.open(args.target)
    except ProjectError as exc:
        source.close()
        return _error(exc)
    try:
        result = merge_project(project, source, as_name=args.as_name)
    except ProjectError as exc:
        return _error(exc)
    finally:
        project.close()
        source.close()
        _warn_if_not_backed_up(project)
    _print(result.describe())
    return 0


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
        return _error(exc)
    try:
        project = Project.open(args.project, create=False)
    except ProjectError as exc:
        return _error(exc)
    try:
        summary = suggest_project(
            project,
            suggester=suggester,
            labels=labels,
            replace=args.replace,
            processes=args.processes,
        )
    except ProjectError as exc:
        return _error(exc)
    finally:
        project.close()
    _print(summary.describe())
    return 0


# --------------------------------------------------------------------------------- registry
SUBCOMMAND_TABLE: dict[
    str, tuple[Callable[[Subparsers], None], Callable[[argparse.Namespace], int]]
] = {
    "import": (_add_import, _run_import),
    "export": (_add_export, _run_export),
    "agree": (_add_agree, _run_agree),
    "merge": (_add_merge, _run_merge),
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
        # The reader went away (``| head``): end quietly, as other command-line tools do.
        _silence_stdout()
        return 141


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
            return _error(store_failure(where, exc))
    parser = build_parser()
    parser.add_argument("project", nargs="?", type=Path, help="project file to open")
    args = parser.parse_args(args_list)
    if args.self_test:
        return _run_self_test()
    from annotator.app import run_gui

    return run_gui(args.project)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
