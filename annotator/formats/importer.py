"""Importing files and folders of articles into a project, as one all-or-nothing batch."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from annotator.formats.csv_articles import read_csv
from annotator.formats.html_page import read_html
from annotator.formats.jsonl import read_jsonl
from annotator.formats.plain import read_plain
from annotator.formats.records import ArticleRecord, ReadResult, RecordError, Rejection
from annotator.formats.walk import collect_files
from annotator.store import Project, ProjectError

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
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class _Options:
    csv_text_column: str
    encoding: str | None


def import_paths(
    project: Project,
    paths: Sequence[str | Path],
    *,
    annotator: str,
    csv_text_column: str = "text",
    progress: ProgressCallback | None = None,
    is_cancelled: CancelCheck | None = None,
    encoding: str | None = None,
) -> ImportSummary:
    """Import files and folders into ``project`` in one transaction and return the summary.

    Records that cannot be imported are listed in the summary and leave no trace. Cancelling
    (``is_cancelled()`` true between files or records) raises :class:`ImportCancelled`; an error
    of the project raises :class:`ProjectError`; either way the whole batch is rolled back.
    ``progress(done, total, path)`` is called before each file, ``done`` files being finished.
    ``encoding`` overrides detection for every file.
    """

    def check_cancelled() -> None:
        if is_cancelled is not None and is_cancelled():
            raise ImportCancelled("import cancelled; nothing was imported")

    if isinstance(paths, str | Path):  # one path given bare, not a string of one-letter paths
        paths = [paths]
    options = _Options(csv_text_column, encoding or None)
    summary = ImportSummary()
    entries = collect_files(paths, SUFFIXES, check_cancelled=check_cancelled)
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
                for item in _read(entry, options):
                    check_cancelled()
                    if isinstance(item, RecordError):
                        summary.rejections.append(Rejection(entry, item.line, item.message))
                    else:
                        writer.write(item)
                done += 1
    except sqlite3.Error as exc:
        raise ProjectError(project.path, f"import failed and was undone: {exc}") from exc
    return summary


def _read(path: Path, options: _Options) -> ReadResult:
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield RecordError(None, f"cannot be read: {exc.strerror or exc}")
        return
    suffix = path.suffix.lower()
    if suffix in (".txt", ".md"):
        yield from read_plain(data, encoding=options.encoding, markdown=suffix == ".md")
    elif suffix in (".html", ".htm"):
        yield from read_html(data, encoding=options.encoding)
    elif suffix == ".jsonl":
        yield from read_jsonl(data, encoding=options.encoding)
    elif suffix == ".csv":
        yield from read_csv(data, text_column=options.csv_text_column, encoding=options.encoding)
    else:  # collect_files lets only SUFFIXES through
        yield RecordError(None, f"unsupported file type '{path.suffix}'")


class _Writer:
    """Writes checked records into the open batch and keeps the summary's counts."""

    def __init__(self, project: Project, annotator: str, summary: ImportSummary) -> None:
        self._project = project
        self._annotator = annotator
        self._summary = summary
        self._touched: set[int] = set()

    def write(self, record: ArticleRecord) -> None:
        project = self._project
        article_id, added = project.add_article(record.draft)
        if added:
            self._summary.articles_added += 1
        else:
            self._summary.duplicates += 1
        if article_id not in self._touched:
            self._touched.add(article_id)
            self._summary.article_ids.append(article_id)
        span_ids: list[int] = []
        for span in record.spans:
            label_id = project.ensure_label(span.label).id
            who = span.annotator or self._annotator
            if project.has_span(article_id, span.start, span.end, label_id, who):
                span_ids.append(
                    self._existing_span_id(article_id, span.start, span.end, label_id, who)
                )
                continue
            stored = project.add_span(
                article_id,
                span.start,
                span.end,
                label_id,
                who,
                note=span.note,
                attributes=span.attributes,
            )
            span_ids.append(stored.id)
            self._summary.spans_added += 1
        for relation in record.relations:
            head, child = span_ids[relation.head], span_ids[relation.child]
            if project.has_relation(head, child, relation.type):
                continue
            # A relation belongs to the layer of its spans unless it names its own annotator.
            who = relation.annotator or record.spans[relation.head].annotator or self._annotator
            project.add_relation(head, child, relation.type, who)
            self._summary.relations_added += 1

    def _existing_span_id(
        self, article_id: int, start: int, end: int, label_id: int, annotator: str
    ) -> int:
        for span in self._project.spans(article_id, [annotator]):
            if (span.start, span.end, span.label_id) == (start, end, label_id):
                return span.id
        raise ProjectError(
            self._project.path, f"lost span [{start}, {end}) of article {article_id}"
        )
