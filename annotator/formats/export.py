"""Exporting a project: which articles and spans go out, and what each format writer reports.

Writers take an iterable of :class:`ExportDoc` (one article with its spans and relations, label
names resolved) so that they stream: no writer needs more than one article in memory. The
formats themselves are listed in :mod:`annotator.formats.registry`; :func:`export_project` is the
one entry point the CLI and the UI call.

A writer is a callable ``write(docs, out, *, labels) -> ExportReport`` (see :class:`Writer`):

- ``docs`` is consumed once, in article-id order; progress and cancellation happen while it is
  consumed (:func:`export_project` wraps it), so a writer only writes.
- ``out`` is the file (or, for a folder format, the folder) to write; its parent exists.
  Use :func:`atomic_file` / :func:`atomic_folder` so a failed or cancelled export leaves no
  half-written output behind.
- ``labels`` are the project's labels that the export keeps (name, colour, ...), in the
  project's order, for formats that declare them (a Label Studio config, brat's annotation.conf).
- The returned report counts what was written and lists, as :class:`Loss` entries, everything the
  format could not carry (never drop anything silently).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from annotator.core.model import STATUSES, Label
from annotator.formats import split_commit
from annotator.formats.atomic import atomic_file, atomic_folder
from annotator.formats.errors import ExportCancelled, ExportError
from annotator.formats.export_model import (
    CancelCheck,
    ExportDoc,
    ExportFilter,
    ExportRelation,
    ExportReport,
    ExportSpan,
    LabelSchema,
    Loss,
    ProgressCallback,
    Writer,
)
from annotator.formats.registry import get_format
from annotator.formats.splits import SPLIT_NAMES, parse_split, split_article_ids, split_target
from annotator.store import Project, ProjectError
from annotator.store.doc_labels import doc_fields
from annotator.store.doc_labels import doc_labels as doc_labels_of_article
from annotator.store.schema_defs import attribute_defs, label_parents
from annotator.store.stream import iter_article_rows

__all__ = [
    "SPLIT_NAMES",
    "CancelCheck",
    "ExportCancelled",
    "ExportDoc",
    "ExportError",
    "ExportFilter",
    "ExportRelation",
    "ExportReport",
    "ExportSpan",
    "LabelSchema",
    "Loss",
    "ProgressCallback",
    "Writer",
    "atomic_file",
    "atomic_folder",
    "export_project",
    "iter_docs",
    "parse_split",
    "split_article_ids",
    "split_target",
]


# --------------------------------------------------------------------------------- reading
def iter_docs(project: Project, filter: ExportFilter = ExportFilter()) -> Iterator[ExportDoc]:
    """Stream the project's articles as :class:`ExportDoc`, in article-id order.

    The project is read in one pass (:func:`annotator.store.stream.iter_article_rows`): only the
    current article is in memory. Label names in ``filter.labels`` that the project does not
    have match nothing.
    """
    labels = {label.id: label.name for label in project.labels()}
    fields = tuple(doc_fields(project))
    with_doc_labels = bool(fields)
    label_ids = None
    if filter.labels is not None:
        label_ids = [lid for lid, name in labels.items() if name in filter.labels]
    for article, spans, relations in iter_article_rows(
        project,
        status=filter.status,
        label_ids=label_ids,
        annotator=filter.annotator,
        article_ids=filter.article_ids,
    ):
        pairs = sorted(
            [
                (
                    ExportSpan(
                        s.start,
                        s.end,
                        labels[s.label_id],
                        s.text,
                        s.annotator,
                        s.note,
                        s.attributes,
                        s.created_at,
                        s.updated_at,
                    ),
                    s.id,
                )
                for s in spans
            ],
            key=_pair_key,
        )
        if relations:
            index = {span_id: i for i, (_, span_id) in enumerate(pairs)}
            export_relations = tuple(
                sorted(
                    [
                        ExportRelation(index[r.head_id], index[r.child_id], r.type, r.annotator)
                        for r in relations
                    ],
                    key=_relation_key,
                )
            )
        else:
            export_relations = ()
        doc_labels = (
            {
                name: tuple(values)
                for name, values in doc_labels_of_article(project, article.id).items()
            }
            if with_doc_labels
            else {}
        )
        yield ExportDoc(article, tuple(s for s, _ in pairs), export_relations, doc_labels, fields)


def _pair_key(pair: tuple[ExportSpan, int]) -> tuple[Any, ...]:
    span = pair[0]
    return (span.start, -span.end, span.label, span.annotator, span.note, pair[1])


def _relation_key(r: ExportRelation) -> tuple[Any, ...]:
    return (r.head, r.child, r.type, r.annotator)


# ------------------------------------------------------------------------------------ export
def _tracked(
    docs: Iterable[ExportDoc],
    total: int,
    progress: ProgressCallback | None,
    is_cancelled: CancelCheck | None,
    done: list[int],
) -> Iterator[ExportDoc]:
    for doc in docs:
        if is_cancelled is not None and is_cancelled():
            raise ExportCancelled("export cancelled; nothing was written")
        yield doc
        done[0] += 1
        if progress is not None:
            progress(done[0], total)


def _moved(path: Path, staged: Path, final: Path) -> Path:
    """Where a file a writer reported under a staged part is once the part is moved in."""
    if path == staged:
        return final
    if path.parent == staged.parent:  # a file written beside it (a config, a label set)
        return final.with_name(path.name)
    try:
        return final / path.relative_to(staged)
    except ValueError:
        return path


def _report_unexportable_relations(
    project: Project, ids: Sequence[int], report: ExportReport
) -> None:
    """Relations between spans of two articles (a file from before merges refused them): no
    format carries one, so each is counted as lost rather than dropped unsaid."""
    exported = set(ids)
    across = [
        rel
        for rel in project.relations_across_articles()
        if rel[1] in exported or rel[2] in exported
    ]
    report.lose(
        len(across),
        "relation(s) between spans of two different articles left out (a relation must stay "
        "within one article; ids "
        + ", ".join(str(rel[0]) for rel in across[:20])
        + (", ..." if len(across) > 20 else "")
        + ")",
    )


def export_project(
    project: Project,
    format_name: str,
    out: str | Path,
    *,
    filter: ExportFilter = ExportFilter(),
    split: str | Sequence[float] | None = None,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    is_cancelled: CancelCheck | None = None,
    writer_options: dict[str, Any] | None = None,
) -> ExportReport:
    """Export ``project`` as ``format_name`` to ``out`` and return what was written and lost.

    ``writer_options`` go to the format's writer as keyword arguments (CoNLL's ``scheme``,
    ``csv``'s ``raw`` and ``bom``). The parts of a split are written aside and moved in together
    (:mod:`annotator.formats.split_commit`): killed at any moment, the output never mixes parts
    of two runs, and the next export to the same place completes or undoes the killed one.

    ``split`` ('80/10/10' or fractions) deals the exported articles into train/dev/test parts
    (see :func:`split_article_ids`, :func:`split_target`). ``progress(done, total)`` is called
    after each article; ``is_cancelled()`` is checked before each one and, when true, stops the
    export with :class:`ExportCancelled`, leaving no output file. Raises :class:`ExportError`
    for an unknown format or label, a missing optional dependency or an unwritable target.
    """
    spec = get_format(format_name)
    writer = spec.load_writer()
    out = Path(out).expanduser()
    if filter.status is not None:
        if filter.status not in STATUSES:
            raise ExportError(
                f"unknown status {filter.status!r}; one of " + ", ".join(map(repr, STATUSES))
            )
    all_labels = project.labels()
    if filter.labels is not None:
        missing = sorted(filter.labels - {label.name for label in all_labels})
        if missing:
            raise ExportError(
                "no label named "
                + ", ".join(map(repr, missing))
                + "; the project's labels: "
                + ", ".join(label.name for label in all_labels)
            )
        labels = [label for label in all_labels if label.name in filter.labels]
    else:
        labels = all_labels
    if spec.folder:
        if out.exists() and not out.is_dir():
            raise ExportError(f"{out} is a file; {spec.name} writes a folder")
    elif out.is_dir():
        raise ExportError(f"{out} is a folder; {spec.name} writes a file")

    ids = project.export_article_ids(status=filter.status)
    if filter.article_ids is not None:
        ids = [i for i in ids if i in filter.article_ids]
    if split is None:
        parts: dict[str, list[int] | None] = {"": None}
    else:
        fractions = parse_split(split) if isinstance(split, str) else tuple(split)
        if len(fractions) not in SPLIT_NAMES:
            raise ExportError("a split has two (train/test) or three (train/dev/test) parts")
        parts = dict(split_article_ids(ids, fractions, seed))

    report = ExportReport(spec.name)
    _report_unexportable_relations(project, ids, report)
    done = [0]
    options = dict(writer_options or {})
    if spec.name in SCHEMA_FORMATS:
        options["schema"] = label_schema(project, labels)
    finals: dict[str, Path] = {}
    labelled = [0]  # articles with document labels the format cannot carry
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        # Finish (or undo) a split export to the same place that was killed part-way.
        split_commit.recover(out)
        if split is not None:
            split_commit.begin(out)
        for name, part_ids in parts.items():
            target = out if not name else split_target(out, name, folder=spec.folder)
            if name:
                finals[name] = target
                target = split_commit.staged(out, target)
            part_filter = (
                filter if part_ids is None else replace(filter, article_ids=frozenset(part_ids))
            )
            docs = _tracked(iter_docs(project, part_filter), len(ids), progress, is_cancelled, done)
            if spec.name not in DOC_LABEL_FORMATS:
                docs = _counting_doc_labels(docs, labelled)
            part = writer(docs, target, labels=labels, **options)
            if name:
                for path in part.files:
                    if path != target and path.parent == target.parent:
                        # Written beside the part: moved in with it.
                        finals[f"{name}:{path.name}"] = _moved(path, target, finals[name])
                part.files = [_moved(path, target, finals[name]) for path in part.files]
            report.add(part)
            if name:
                report.splits[name] = part.articles
        if split is not None:
            # Every part is complete: all of them replace the old set together.
            retired = [split_target(out, n, folder=spec.folder) for n in SPLIT_NAMES[3]]
            split_commit.commit(out, list(finals.values()), retired)
    except BaseException as exc:
        if split is not None:
            split_commit.abandon(out)  # the staged parts go; the old set stays whole
        else:
            for path in report.files:
                if path.is_file():
                    path.unlink(missing_ok=True)
        if isinstance(exc, ProjectError):
            raise ExportError(str(exc)) from exc
        if isinstance(exc, OSError):
            raise ExportError(f"cannot write {exc.filename or out}: {exc.strerror or exc}") from exc
        raise
    if spec.name not in TIME_FORMATS and spec.name != "csv-articles":  # that one has no spans
        report.lose(report.spans, TIMES_NOT_WRITTEN)
    report.lose(
        labelled[0],
        f"article(s) with document labels: {spec.name} cannot carry document labels "
        f"({', '.join(sorted(DOC_LABEL_FORMATS))} can)",
    )
    return report


# Formats whose writers carry the label schema (LabelSchema) with the label set.
SCHEMA_FORMATS = frozenset({"jsonl", "csv-articles", "parquet", "labelstudio"})


def label_schema(project: Project, labels: Sequence[Label]) -> LabelSchema:
    """The attribute definitions and parents of ``labels`` and the project's document label
    fields; a parent outside ``labels`` is left out (the label set holds no such label)."""
    names = {label.id: label.name for label in project.labels()}
    exported = {label.id for label in labels}
    attributes = {}
    for label in labels:
        defs = attribute_defs(project, label.id)
        if defs:
            attributes[label.name] = tuple(defs)
    parents = {
        names[child]: names[parent]
        for child, parent in label_parents(project).items()
        if child in exported and parent in exported
    }
    return LabelSchema(attributes, parents, tuple(doc_fields(project)))


# Formats whose writers carry each span's created_at/updated_at; the others report them lost.
TIME_FORMATS = frozenset(
    {"jsonl", "parquet", "labelstudio", "labelstudio-min", "spacy", "hf", "xmi"}
)
TIMES_NOT_WRITTEN = "span creation and change time(s) not written (re-import stamps spans anew)"

# Formats whose writers carry ExportDoc.doc_labels; every other export reports them as lost.
DOC_LABEL_FORMATS = frozenset({"jsonl", "parquet", "labelstudio", "spacy", "csv-articles"})


def _counting_doc_labels(docs: Iterable[ExportDoc], count: list[int]) -> Iterator[ExportDoc]:
    for doc in docs:
        if doc.doc_labels:
            count[0] += 1
        yield doc
