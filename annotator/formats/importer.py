"""Importing files and folders of articles into a project, as one all-or-nothing batch."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from annotator.core.text import offsets_in_range
from annotator.formats.csv_spans import read_csv_file
from annotator.formats.export import ExportError
from annotator.formats.html_page import read_html_path
from annotator.formats.jsonl import read_jsonl_path
from annotator.formats.plain import read_plain_path
from annotator.formats.records import (
    AnnotationRecord,
    ArticleRecord,
    ReadOptions,
    ReadResult,
    RecordError,
    Rejection,
    RelationRecord,
    SpanRecord,
)
from annotator.formats.registry import FormatSpec, get_format
from annotator.formats.walk import collect_files
from annotator.store import Project, ProjectError
from annotator.store.project import NewSpan

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
) -> ImportSummary:
    """Import files and folders into ``project`` in one transaction and return the summary.

    Records that cannot be imported are listed in the summary and leave no trace. Cancelling
    (``is_cancelled()`` true between files or records) raises :class:`ImportCancelled`; an error
    of the project raises :class:`ProjectError`; either way the whole batch is rolled back.
    ``progress(done, total, path)`` is called before each file, ``done`` files being finished.
    ``encoding`` overrides detection for every file. ``format`` names a format of
    :data:`annotator.formats.registry.FORMATS` to read every path as, whatever its suffix; a
    folder is then searched for that format's suffixes, or handed whole to a folder format
    (brat, parquet). Without it the suffix decides. An unknown format raises
    :class:`ProjectError` before anything is read.
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
    )
    reader: Callable[[Path, ReadOptions], ReadResult] = _read
    if format is None:
        entries = collect_files(paths, SUFFIXES, check_cancelled=check_cancelled)
    else:
        try:
            spec = get_format(format)
            reader = spec.load_reader()
        except ExportError as exc:
            raise ProjectError(None, str(exc)) from exc
        entries = _format_entries(paths, spec, check_cancelled)
    files = [e for e in entries if isinstance(e, Path)]
    writer = _Writer(project, annotator, summary)
    try:
        with project.atomic():
            done = 0
            for entry in entries:
                if isinstance(entry, Rejection):
                    summary.rejections.append(entry)
                    continue
                check_cancelled()
                if progress is not None:
                    progress(done, len(files), str(entry))
                for item in reader(entry, options):
                    check_cancelled()
                    if isinstance(item, RecordError):
                        summary.rejections.append(
                            Rejection(item.path or entry, item.line, item.message)
                        )
                    elif isinstance(item, AnnotationRecord):
                        problem = writer.write_annotations(item)
                        if problem is not None:
                            summary.rejections.append(Rejection(entry, item.line, problem))
                    else:
                        writer.write(item, entry)
                done += 1
    except sqlite3.Error as exc:
        raise ProjectError(project.path, f"import failed and was undone: {exc}") from exc
    return summary


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
        yield from read_jsonl_path(path, encoding=options.encoding)
        return
    if suffix == ".csv":
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
    """Writes checked records into the open batch and keeps the summary's counts.

    Each record costs a few statements, however many spans it has: labels are looked up in a
    dictionary read once, duplicates are checked against the article's spans and relations read
    in one query (none for an article the batch just added), and spans and relations go in
    with one ``executemany`` each.
    """

    def __init__(self, project: Project, annotator: str, summary: ImportSummary) -> None:
        self._project = project
        self._annotator = annotator
        self._summary = summary
        self._touched: set[int] = set()
        self._labels: dict[str, int] | None = None

    def write(self, record: ArticleRecord, path: Path | None = None) -> None:
        project = self._project
        where = path or Path("")
        for note in record.notes:
            self._summary.notes.append(Rejection(where, record.line, note))
        draft = record.draft
        if record.spans and draft.status == "new":
            # Its first span would move a new article to "in progress" (see Project.add_span):
            # store it so at once rather than rewrite its row straight after.
            draft = replace(draft, status="in progress")
        article_id, added = project.add_article(draft)
        if added:
            self._summary.articles_added += 1
        else:
            self._summary.duplicates += 1
        # A duplicate has the same text: the stored text is the draft's either way.
        self._write_spans(
            article_id,
            record.draft.text,
            record.spans,
            record.relations,
            new=added,
            where=(where, record.line),
        )

    def _label_id(self, name: str) -> int:
        labels = self._labels
        if labels is None:
            labels = self._labels = {label.name: label.id for label in self._project.labels()}
        label_id = labels.get(name)
        if label_id is None:
            label_id = labels[name] = self._project.ensure_label(name).id
        return label_id

    def _write_spans(
        self,
        article_id: int,
        text: str,
        spans: Sequence[SpanRecord],
        relations: Sequence[RelationRecord],
        *,
        new: bool,
        where: tuple[Path, int | None] | None = None,
    ) -> None:
        """Add the record's spans and relations that the article does not have yet (an exact
        duplicate, in the project or earlier in the record, maps to the span already there)."""
        project = self._project
        if article_id not in self._touched:
            self._touched.add(article_id)
            self._summary.article_ids.append(article_id)
        if not spans:
            return
        existing = {} if new else project.span_keys(article_id)
        added: dict[tuple[int, int, int, str], int] = {}  # key -> index into fresh
        fresh: list[NewSpan] = []
        refs: list[tuple[bool, int]] = []  # per record span: (is fresh, id or index into fresh)
        merged = unapplied = 0
        for span in spans:
            label_id = self._label_id(span.label)
            who = span.annotator or self._annotator
            key = (span.start, span.end, label_id, who)
            if key in existing:
                refs.append((False, existing[key]))
                unapplied += bool(span.note or span.attributes)
            elif key in added:
                refs.append((True, added[key]))
                first = fresh[added[key]]
                fresh[added[key]] = _merged(first, span)
                merged += 1
            else:
                added[key] = len(fresh)
                refs.append((True, len(fresh)))
                fresh.append(
                    NewSpan(span.start, span.end, label_id, who, span.note, span.attributes)
                )
        if where is not None and merged:
            self._summary.notes.append(
                Rejection(
                    where[0],
                    where[1],
                    f"{merged} duplicate span(s) (same offsets, label and annotator) merged into "
                    "the first; their notes and attributes were added to it",
                )
            )
        if where is not None and unapplied:
            self._summary.notes.append(
                Rejection(
                    where[0],
                    where[1],
                    f"{unapplied} span(s) already in the project: their notes and attributes "
                    "from the file were not applied",
                )
            )
        fresh_ids = project.add_spans(article_id, fresh, text=text)
        self._summary.spans_added += len(fresh_ids)
        span_ids = [fresh_ids[ref] if is_fresh else ref for is_fresh, ref in refs]
        if not relations:
            return
        have = set() if new else project.relation_keys_of(article_id)
        batch: list[tuple[int, int, str, str]] = []
        for relation in relations:
            head, child = span_ids[relation.head], span_ids[relation.child]
            if (head, child, relation.type) in have:
                continue
            # A relation belongs to the layer of its spans unless it names its own annotator.
            who = relation.annotator or spans[relation.head].annotator or self._annotator
            batch.append((head, child, relation.type, who))
            have.add((head, child, relation.type.strip()))  # stored stripped
        project.add_relations(article_id, batch)
        self._summary.relations_added += len(batch)

    def write_annotations(self, record: AnnotationRecord) -> str | None:
        """Add spans to the article with the record's content hash; the problem, or None."""
        project = self._project
        article_id = project.article_id_by_hash(record.content_hash)
        if article_id is None:
            return (
                f"no article in the project has content hash {record.content_hash[:12]}…; "
                "import the articles first (this file holds spans only)"
            )
        text = project.article_text(article_id)
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
        self._write_spans(article_id, text, record.spans, record.relations, new=False)
        return None


def _merged(first: NewSpan, other: SpanRecord) -> NewSpan:
    """A span with a duplicate's note and attributes added (no note is dropped)."""
    note = first.note
    if other.note and other.note != note:
        note = f"{note}\n\n{other.note}" if note else other.note
    attributes = dict(other.attributes)
    attributes.update(first.attributes)  # the first span's value wins a conflict
    for key, value in other.attributes.items():
        if first.attributes.get(key, value) != value:
            attributes[f"{key} (2)"] = value
    return first._replace(note=note, attributes=attributes)
