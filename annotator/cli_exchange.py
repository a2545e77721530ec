"""Command-line subcommands that move data in and out of a project: import and export."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.cli_text import error, print_text, terminal_safe, warn_if_not_backed_up

if TYPE_CHECKING:
    from annotator.formats.export import ExportFilter, ExportReport
    from annotator.store import Project

    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def _default_annotator() -> str:
    from annotator.settings import Settings

    return Settings.load().annotator or "analyst"


# ------------------------------------------------------------------------------------- import
def add_import(sub: Subparsers) -> None:
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


def run_import(args: argparse.Namespace) -> int:
    from annotator.formats.importer import import_paths
    from annotator.store import Project, ProjectError

    try:
        project = Project.open(args.project)
    except ProjectError as exc:
        return error(exc)
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
        return error(exc)
    finally:
        project.close()
        warn_if_not_backed_up(project)
    print_text(summary.describe())
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
        "Without it each PATH is read as the format its name and first bytes show (as the "
        "import dialog detects it); files in no format are read as articles by their suffix",
    )


# ------------------------------------------------------------------------------------- export
def add_export(sub: Subparsers) -> None:
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
            "Exit status: 0 exported (a selection of no articles writes an empty export), 2 "
            "nothing exported (an error; no file is written)."
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


def run_export(args: argparse.Namespace) -> int:
    from annotator.formats.export import ExportError, ExportFilter, export_project
    from annotator.store import Project, ProjectError

    labels = None
    if args.labels is not None:
        labels = frozenset(name.strip() for name in args.labels.split(",") if name.strip())
        if not labels:
            return error("--labels names no label")
    export_filter = ExportFilter(labels=labels, status=args.status, annotator=args.annotator)
    options: dict[str, object] = {}
    if args.scheme is not None:
        if args.format != "conll":
            return error("--scheme is an option of the conll format")
        options["scheme"] = args.scheme
    to_stdout = str(args.output) == "-"
    if args.csv_raw or args.csv_bom:
        if args.format not in ("csv", "csv-articles"):
            return error("--csv-raw and --csv-bom apply to --format csv and csv-articles only")
        options.update(raw=args.csv_raw, bom=args.csv_bom)
    if to_stdout and args.split:
        return error("--split writes several files; it cannot write to standard output")
    try:
        project = Project.open(args.project, create=False, read_only=True)
    except ProjectError as exc:
        return error(exc)
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
        return error(exc)
    finally:
        project.close()
    if to_stdout:
        print(terminal_safe(report.describe()), file=sys.stderr)
    else:
        print_text(report.describe())
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
