"""Writing the native JSON Lines export: one article per line, spaCy/Prodigy-style spans.

A line (keys sorted, UTF-8, no ASCII escaping, "\\n" line ends)::

    {"meta": {"author": "", "content_hash": "…", "published": "", "source": "Reuters",
              "status": "done", "title": "…", "url": "", ...free metadata},
     "relations": [{"annotator": "ann", "child": 0, "child_span": {...}, "head": 1,
                    "head_span": {...}, "label": "attributed_to"}],
     "spans": [{"annotator": "ann", "attributes": {}, "end": 6, "label": "Source",
                "note": "", "start": 0, "text": "Peskov"}],
     "text": "Peskov said …",
     "doc_labels": {"Frame": ["conflict"]}}

``doc_labels`` (document-level labels, values as strings) is written only for articles that have
some.

Offsets are code points of ``text``; relations' ``head``/``child`` index ``spans``. The same
project always gives the same bytes. :func:`annotator.formats.jsonl.read_jsonl` reads it back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from annotator.core.claims import EVIDENCE, evidence_of
from annotator.core.model import Article, Label
from annotator.formats.export import (
    ExportDoc,
    ExportReport,
    ExportSpan,
    LabelSchema,
    atomic_file,
)
from annotator.formats.label_sets import label_set_text, labels_path


def article_meta(article: Article) -> dict[str, Any]:
    """An article's metadata as exports write it: free metadata, fields and content hash."""
    meta: dict[str, Any] = dict(article.meta)
    meta.update(
        title=article.title,
        source=article.source,
        author=article.author,
        url=article.url,
        published=article.published,
        status=article.status,
        content_hash=article.content_hash,
    )
    return meta


def span_dict(span: ExportSpan) -> dict[str, Any]:
    made = {
        "start": span.start,
        "end": span.end,
        "label": span.label,
        "text": span.text,
        "annotator": span.annotator,
        "note": span.note,
        "attributes": _attributes(span.attributes),
    }
    if span.created_at:
        made["created_at"] = span.created_at
    if span.updated_at:
        made["updated_at"] = span.updated_at
    return made


def _attributes(attributes: dict[str, str]) -> dict[str, Any]:
    """Span attributes as JSON: a claim's evidence is a list of strings, the rest strings."""
    out: dict[str, Any] = dict(attributes)
    if EVIDENCE in out:
        out[EVIDENCE] = evidence_of(attributes)
    return out


def doc_dict(doc: ExportDoc) -> dict[str, Any]:
    spans = [span_dict(s) for s in doc.spans]
    line = {
        "text": doc.article.text,
        "meta": article_meta(doc.article),
        "spans": spans,
        "relations": [
            {
                "head": r.head,
                "child": r.child,
                "label": r.type,
                "annotator": r.annotator,
                "head_span": spans[r.head],
                "child_span": spans[r.child],
            }
            for r in doc.relations
        ],
    }
    if doc.doc_labels:
        line["doc_labels"] = {name: list(values) for name, values in doc.doc_labels.items()}
    return line


def dumps(obj: Any) -> str:
    """The one JSON encoding every JSON export uses: sorted keys, real characters, compact."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


def write_jsonl(
    docs: Iterable[ExportDoc],
    out: Path,
    *,
    labels: Sequence[Label] = (),
    schema: LabelSchema | None = None,
) -> ExportReport:
    report = ExportReport("jsonl")
    sidecar = labels_path(out)
    schema = schema or LabelSchema()
    with atomic_file(out) as fh:
        for doc in docs:
            fh.write(dumps(doc_dict(doc)))
            fh.write("\n")
            report.articles += 1
            report.spans += len(doc.spans)
            report.relations += len(doc.relations)
        with atomic_file(sidecar) as side:
            side.write(label_set_text(labels, schema))
    report.files.extend([out, sidecar])
    return report
