"""Writing Label Studio tasks: one task per article with its regions, relations and document
labels, and the labeling config beside them (see :mod:`annotator.formats.labelstudio`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from annotator.core.model import Label
from annotator.core.schema import DocField
from annotator.formats.export import ExportDoc, ExportReport, atomic_file
from annotator.formats.export_model import ExportSpan, LabelSchema
from annotator.formats.jsonl_export import dumps
from annotator.formats.labelstudio.config import (
    FROM_NAME,
    TO_NAME,
    config_path,
    doc_field_name,
    labeling_config,
    xml_safe,
)
from annotator.formats.records import (
    ARTICLE_FIELDS,
)

_DATA_FIELDS = ("text", *ARTICLE_FIELDS, "content_hash")


def region_id(article_id: int, index: int) -> str:
    return f"a{article_id}s{index}"


def region_meta(span: ExportSpan, *, with_annotator: bool) -> dict[str, Any]:
    """A region's ``meta``: the span's note (as Label Studio's per-region text), its annotator
    (where the task does not say it), attributes and times; empty when it has none."""
    meta: dict[str, Any] = {}
    if span.note:
        meta["text"] = [span.note]
    if with_annotator and span.annotator:
        meta["annotator"] = span.annotator
    if span.attributes:
        meta["attributes"] = dict(span.attributes)
    if span.created_at:
        meta["created_at"] = span.created_at
    if span.updated_at:
        meta["updated_at"] = span.updated_at
    return meta


def task(doc: ExportDoc) -> dict[str, Any]:
    article = doc.article
    data: dict[str, Any] = {
        "text": article.text,
        "title": article.title,
        "source": article.source,
        "author": article.author,
        "url": article.url,
        "published": article.published,
        "status": article.status,
        "content_hash": article.content_hash,
    }
    result: list[dict[str, Any]] = []
    for i, span in enumerate(doc.spans):
        region: dict[str, Any] = {
            "id": region_id(article.id, i),
            "from_name": FROM_NAME,
            "to_name": TO_NAME,
            "type": "labels",
            "value": {
                "start": span.start,
                "end": span.end,
                "text": span.text,
                "labels": [span.label],
            },
        }
        meta = region_meta(span, with_annotator=True)
        if meta:
            region["meta"] = meta
        result.append(region)
    result.extend(doc_label_results(doc))
    for r in doc.relations:
        result.append(
            {
                "type": "relation",
                "from_id": region_id(article.id, r.head),
                "to_id": region_id(article.id, r.child),
                "direction": "right",
                "labels": [r.type],
            }
        )
    annotation: dict[str, Any] = {"result": result}
    made = [s.created_at for s in doc.spans if s.created_at]
    changed = [s.updated_at or s.created_at for s in doc.spans if s.updated_at or s.created_at]
    if made:  # Label Studio's own fields: the annotation's first span and last change
        annotation["created_at"] = min(made)
        annotation["updated_at"] = max(changed)
    return {
        "id": article.id,
        "data": data,
        "meta": dict(article.meta),
        "annotations": [annotation],
    }


def doc_label_results(doc: ExportDoc) -> list[dict[str, Any]]:
    """Document labels as Label Studio results: Choices for choice fields, Number for numbers,
    TextArea for text, each ``to_name`` the text."""
    kinds = {f.name: f.kind for f in doc.doc_fields}
    results: list[dict[str, Any]] = []
    for name, values in doc.doc_labels.items():
        kind = kinds.get(name, "multiple")
        region: dict[str, Any] = {
            "id": f"{doc.article.id}-doc-{len(results)}",
            "from_name": doc_field_name(name),
            "to_name": TO_NAME,
        }
        if kind == "number":
            try:
                number: float | int = float(values[0])
            except (IndexError, ValueError):
                continue
            number = int(number) if number == int(number) else number
            region.update(type="number", value={"number": number})
        elif kind == "text":
            region.update(type="textarea", value={"text": list(values)})
        else:
            region.update(type="choices", value={"choices": list(values)})
        results.append(region)
    return results


def write_labelstudio(
    docs: Iterable[ExportDoc],
    out: Path,
    *,
    labels: Sequence[Label] = (),
    schema: LabelSchema | None = None,
) -> ExportReport:
    report = ExportReport("labelstudio")
    schema = schema or LabelSchema()
    relation_types: set[str] = set()
    seen_labels: set[str] = set()
    relation_annotators = 0
    fields: tuple[DocField, ...] = ()
    config = config_path(out)
    with atomic_file(out) as fh:
        fh.write("[")
        for doc in docs:
            fh.write("\n" if not report.articles else ",\n")
            fh.write(dumps(task(doc)))
            report.articles += 1
            report.spans += len(doc.spans)
            report.relations += len(doc.relations)
            relation_types.update(r.type for r in doc.relations)
            fields = fields or doc.doc_fields
            seen_labels.update(s.label for s in doc.spans)
            relation_annotators += sum(
                1 for r in doc.relations if r.annotator != doc.spans[r.head].annotator
            )
        fh.write("\n]\n")
        with atomic_file(config) as xml:
            xml.write(
                labeling_config(labels, seen_labels, relation_types, fields, schema.attributes)
            )
    report.files.extend([out, config])
    report.lose(
        len(schema.parents),
        "label parent(s) not written (a labeling config has no label hierarchy)",
    )
    report.lose(
        sum(1 for defs in schema.attributes.values() for d in defs if d.description),
        "attribute description(s) not written (a labeling config's controls have no place for "
        "them); the definitions are in the config",
    )
    report.lose(
        relation_annotators,
        "relation annotator name(s) other than their head span's not written "
        "(Label Studio relations carry no annotator)",
    )
    report.lose(
        sum(
            1
            for name in seen_labels | {label.name for label in labels} | relation_types
            if not xml_safe(name)
        ),
        "label or relation type name(s) left out of the labeling config (control characters, "
        "which XML cannot hold); their spans are in the tasks",
    )
    return report
