"""Importing files and folders of articles into a project, as one all-or-nothing batch."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from annotator.core.text import offsets_in_range
from annotator.formats.csv_spans import read_csv_file
from annotator.formats.export import ExportError
from annotator.formats.html_page import read_html_path
from annotator.formats.jsonl import read_jsonl_path
from annotator.formats.label_sets import apply_label_set, read_label_set
from annotator.formats.plain import read_plain_path
from annotator.formats.records import (
    AnnotationRecord,
    ArticleRecord,
    LabelSetRecord,
    ReadOptions,
    ReadResult,
    RecordError,
    Rejection,
)
from annotator.formats.registry import FormatSpec, get_format
from annotator.formats.walk import collect_files
from annotator.store import Project, ProjectError
from annotator.store.bulk import BulkWriter, RecordRefused, Written
from annotator.store.doc_labels import (
    doc_label_problems,
    set_doc_labels,
)
from annotator.store.errors import OTHER, SQLiteError, kind_at, store_failure

__all__ = [
    "SUFFIXES",
    "CancelCheck",
    "ImportCancelled",
    "ImportSummary",
    "ProgressCallback",
    "Rejection",
    "import_paths",
]

ProgressCallback = Callable[[int, int, str], None]  # (files done, files total, current file)
CancelCheck = Callable[[], bool]

SUFFIXES: tuple[str, ...] = (".txt", ".md", ".html", ".htm", ".jsonl", ".csv")


NOTES_SHOWN = 50  # notes listed in a summary; the rest are counted


class ImportCancelled(Exception):
    """The user cancelled; the batch was rolled back and nothing was imported."""


@dataclass(slots=True)
class ImportSummary:
    """What one import did; ``article_ids`` holds added and duplicate articles alike, once each."""

    articles_added: int = 0
    duplicates: int = 0
    spans_added: int = 0
    relations_added: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    notes: list[Rejection] = field(default_factory=list)  # imported, but not exactly as written
    article_ids: list[int] = field(default_factory=list)  # every article touched, in file order

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    def describe(self) -> str:
        lines = [
            f"{self.articles_added} article(s) added, {self.duplicates} skipped as duplicates, "
            f"{self.rejected} rejected; {self.spans_added} span(s) and "
            f"{self.relations_added} relation(s) added."
        ]
        lines.extend(f"  rejected: {r}" for r in self.rejections)
        lines.extend(f"  note: {n}" for n in self.notes[:NOTES_SHOWN])
        if len(self.notes) > NOTES_SHOWN:
            lines.append(
                f"  ... and {len(self.notes) - NOTES_SHOWN} more note(s) like these "
                "(the first are shown)"
            )
        return "\n".join(lines)


def import_paths(
    project: Project,
    paths: Sequence[str | Path],
    *,
    annotator: str,
    csv_text_column: str = "text",
    progress: ProgressCallback | None = None,
    is_cancelled: CancelCheck | None = None,
    encoding: str | None = None,
    format: str | None = None,
    batch_size: int = 1000,
    within: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Import files and folders into ``project`` in one transaction and return the summary.

    Records that cannot be imported are listed in the summary and leave no trace. Cancelling
    (``is_cancelled()`` true between files or records) raises :class:`ImportCancelled`; an error
    of the project raises :class:`ProjectError`; either way the whole batch is rolled back.
    ``progress(done, total, path)`` is called before each file, ``done`` files being finished.
    ``encoding`` overrides detection for every file. ``format`` names a format of
    :data:`annotator.formats.registry.FORMATS` to read every path as, whatever its suffix; a
    folder is then searched for that format's suffixes, or handed whole to a folder format
    (brat, parquet). Without it each path is read as the format detected from its name and
    first bytes (:func:`annotator.formats.detect.detect_format`), as the import dialog does;
    what is in no format is read as articles by its suffix. An unknown format raises
    :class:`ProjectError` before anything is read. Rows go to the project ``batch_size``
    articles at a time, across files (see :class:`~annotator.store.bulk.BulkWriter`); the
    transaction is still one, around the whole import. ``within(done, total)`` is told how far
    a reader is inside the file or folder it reads (bytes, records or files; see
    :attr:`ReadOptions.progress`), for readers that know.
    """

    def check_cancelled() -> None:
        if is_cancelled is not None and is_cancelled():
            raise ImportCancelled("import cancelled; nothing was imported")

    if isinstance(paths, str | Path):  # one path given bare, not a string of one-letter paths
        paths = [paths]
    summary = ImportSummary()
    options = ReadOptions(
        encoding=encoding or None,
        csv_text_column=csv_text_column,
        on_note=lambda path, line, message: summary.notes.append(Rejection(path, line, message)),
        progress=within,
    )
    readers: dict[Path, Reader] = {}
    if format is None:
        entries = _detected_entries(paths, readers, check_cancelled)
    else:
        try:
            spec = get_format(format)
            reader = spec.load_reader()
        except ExportError as exc:
            raise ProjectError(None, str(exc)) from exc
        entries = _format_entries(paths, spec, check_cancelled)
        readers = {e: reader for e in entries if isinstance(e, Path)}
    files = [e for e in entries if isinstance(e, Path)]
    try:
        with project.atomic():
            writer = _Writer(project, annotator, summary, batch_size)
            done = 0
            for entry in entries:
                if isinstance(entry, Rejection):
                    summary.rejections.append(entry)
                    continue
                check_cancelled()
                if progress is not None:
                    progress(done, len(files), str(entry))
                for item in readers.get(entry, _read)(entry, options):
                    check_cancelled()
                    if isinstance(item, RecordError):
                        summary.rejections.append(
                            Rejection(item.path or entry, item.line, item.message)
                        )
                    elif isinstance(item, LabelSetRecord):
                        apply_label_set(project, item, summary.notes, entry)
                    elif isinstance(item, AnnotationRecord):
                        problem = writer.write_annotations(item)
                        if problem is not None:
                            summary.rejections.append(Rejection(entry, item.line, problem))
                    else:
                        problem = writer.doc_label_problem(item)
                        if problem is not None:
                            summary.rejections.append(Rejection(entry, item.line, problem))
                            continue
                        try:
                            writer.write(item, entry)
                        except RecordRefused as exc:
                            summary.rejections.append(Rejection(entry, item.line, exc.message))
                done += 1
            writer.finish()
    except SQLiteError as exc:
        if (
            kind_at(project.path, exc) != OTHER
        ):  # a full disk, a lock, a vanished file: said in words
            failure = store_failure(project.path, exc)
            raise ProjectError(project.path, f"nothing was imported: {failure.advice}") from exc
        raise ProjectError(project.path, f"import failed and was undone: {exc}") from exc
    return summary


Reader = Callable[[Path, ReadOptions], ReadResult]

# Files a folder is searched for when no format is named: the article suffixes, and the file
# formats that :func:`annotator.formats.detect.detect_format` recognises from their content.
DETECTED_SUFFIXES: tuple[str, ...] = (*SUFFIXES, ".json", ".spacy", ".conll", ".conll03", ".iob")


def _detected_entries(
    paths: Sequence[str | Path], readers: dict[Path, Reader], check_cancelled: Callable[[], None]
) -> list[Path | Rejection]:
    """What to read when no format is named: each path as the format its name and first bytes
    show (:func:`~annotator.formats.detect.detect_format`, as the import dialog decides), a
    folder in no format searched for files that are each detected in turn, and everything else
    read as articles by its suffix. ``readers`` is filled with each detected file's reader."""
    from annotator.formats.detect import detect_format

    entries: list[Path | Rejection] = []
    seen: set[Path] = set()

    def add(path: Path, fmt: str | None) -> None:
        real = path.resolve()
        if real in seen:
            return
        seen.add(real)
        entries.append(path)
        if fmt is not None:
            try:
                readers[path] = get_format(fmt).load_reader()
            except ExportError as exc:
                raise ProjectError(None, str(exc)) from exc

    for given in paths:
        path = Path(given).expanduser()
        fmt = detect_format(path) if path.exists() else None
        if fmt is not None:
            add(path, fmt)
            continue
        if path.is_dir():
            found = collect_files([path], DETECTED_SUFFIXES, check_cancelled=check_cancelled)
        else:
            found = collect_files([path], SUFFIXES, check_cancelled=check_cancelled)
        for entry in found:
            if isinstance(entry, Rejection):
                entries.append(entry)
                continue
            kind = detect_format(entry)
            if kind is None and entry.suffix.lower() not in SUFFIXES:
                entries.append(
                    Rejection(
                        entry,
                        None,
                        f"not recognised as any format (a '{entry.suffix}' file); name its "
                        "format with --format",
                    )
                )
                continue
            add(entry, kind)
    return entries


def _format_entries(
    paths: Sequence[str | Path], spec: FormatSpec, check_cancelled: Callable[[], None]
) -> list[Path | Rejection]:
    """What to read as a named format: files the user named whatever their suffix, folders
    searched for the format's suffixes, or handed whole to a folder format."""
    entries: list[Path | Rejection] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given).expanduser()
        if spec.folder or path.is_file():
            found: list[Path | Rejection] = (
                [path] if path.exists() else [Rejection(path, None, "no such file or folder")]
            )
        else:
            found = collect_files([path], spec.suffixes, check_cancelled=check_cancelled)
        for entry in found:
            if isinstance(entry, Path):
                if entry.resolve() in seen:
                    continue
                seen.add(entry.resolve())
            entries.append(entry)
    return entries


def _read(path: Path, options: ReadOptions) -> ReadResult:
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from read_label_set(path)
        yield from read_jsonl_path(path, encoding=options.encoding)
        return
    if suffix == ".csv":
        from annotator.formats.labelstudio import looks_like_labelstudio_csv, read_labelstudio

        if looks_like_labelstudio_csv(path):  # its regions are JSON in a column: never 0 spans
            yield from read_labelstudio(path, options)
            return
        # An ordinary CSV of articles, or a span table this app exported (no article texts).
        yield from read_csv_file(path, options)
        return
    if suffix in (".txt", ".md"):
        yield from read_plain_path(path, options)  # size checked before the file is read
    elif suffix in (".html", ".htm"):
        yield from read_html_path(path, options)
    else:  # collect_files lets only SUFFIXES through
        yield RecordError(None, f"unsupported file type '{path.suffix}'")


class _Writer:
    """Writes checked records into the open batch through a :class:`BulkWriter` (rows of many
    articles at a time, see store/bulk.py) and keeps the summary's counts."""

    def __init__(
        self, project: Project, annotator: str, summary: ImportSummary, batch_size: int
    ) -> None:
        self._summary = summary
        self._touched: set[int] = set()
        self._bulk = BulkWriter(project, annotator=annotator, batch_size=batch_size)
        self._project = project
        self._doc_labels: list[tuple[int, dict[str, tuple[str, ...]]]] = []

    def write(self, record: ArticleRecord, path: Path | None = None) -> None:
        where = path or Path("")
        for note in record.notes:
            self._summary.notes.append(Rejection(where, record.line, note))
        written = self._bulk.write(record.draft, record.spans, record.relations)
        self._count(written, where, record.line)
        if written.added:
            self._summary.articles_added += 1
        else:
            self._summary.duplicates += 1
        if record.doc_labels:
            # Stored when the batch is written (finish): the article row may not be there yet.
            self._doc_labels.append((written.article_id, dict(record.doc_labels)))

    def doc_label_problem(self, record: ArticleRecord) -> str | None:
        """Why the record's document labels cannot be stored (checked before anything of the
        record is written), or None."""
        if not record.doc_labels:
            return None
        problems = doc_label_problems(self._project, dict(record.doc_labels))
        return "; ".join(problems) if problems else None

    def write_annotations(self, record: AnnotationRecord) -> str | None:
        """Add spans to the article with the record's content hash; the problem, or None."""
        bulk = self._bulk
        article_id = bulk.article_id_by_hash(record.content_hash)
        text = None if article_id is None else bulk.article_text(article_id)
        if article_id is None or text is None:
            return (
                f"no article in the project has content hash {record.content_hash[:12]}…; "
                "import the articles first (this file holds spans only)"
            )
        for i, span in enumerate(record.spans):
            if not offsets_in_range(len(text), span.start, span.end):
                return (
                    f"span {i}: [{span.start}, {span.end}) is outside the article "
                    f"({len(text)} characters)"
                )
            if i < len(record.span_texts) and text[span.start : span.end] != record.span_texts[i]:
                return (
                    f"span {i}: its text {record.span_texts[i]!r} does not match the article's "
                    f"text at [{span.start}, {span.end}), {text[span.start : span.end]!r}"
                )
        try:
            written = bulk.write_annotations(article_id, text, record.spans, record.relations)
        except RecordRefused as exc:
            return exc.message
        self._count(written)
        return None

    def finish(self) -> None:
        self._bulk.finish()
        for article_id, values in self._doc_labels:
            set_doc_labels(self._project, article_id, values)
        self._doc_labels.clear()

    def _count(self, written: Written, where: Path | None = None, line: int | None = None) -> None:
        summary = self._summary
        if written.article_id not in self._touched:
            self._touched.add(written.article_id)
            summary.article_ids.append(written.article_id)
        summary.spans_added += written.spans_added
        summary.relations_added += written.relations_added
        if where is None:
            return
        if written.merged:
            summary.notes.append(
                Rejection(
                    where,
                    line,
                    f"{written.merged} duplicate span(s) (same offsets, label and annotator) "
                    "merged into the first; their notes and attributes were added to it",
                )
            )
        if written.unapplied:
            summary.notes.append(
                Rejection(
                    where,
                    line,
                    f"{written.unapplied} span(s) already in the project: their notes and "
                    "attributes from the file were not applied",
                )
            )
