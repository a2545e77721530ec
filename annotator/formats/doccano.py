"""doccano JSONL: sequence labeling (``label`` lists) or, with relations, entities and relations.

Without relations each line is ``{"text": …, "label": [[start, end, "Label"], …], "meta": {…}}``;
when the export holds any relation every line takes doccano's relation-extraction shape
``{"text": …, "entities": [{"id", "start_offset", "end_offset", "label"}], "relations":
[{"id", "from_id", "to_id", "type"}], "meta": {…}}`` (``from_id`` is the head span, ``to_id`` the
child). Offsets are code points (doccano's Python backend counts them the same way). ``meta``
carries the article's fields and free metadata, which doccano keeps as an example's metadata.

doccano has no place for a span's annotator, note or attributes, or a relation's annotator:
the report counts them as lost; the reader gives imported spans the importing analyst's name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeGuard

from annotator.core.model import Label
from annotator.formats.export import ExportDoc, ExportReport, atomic_file
from annotator.formats.jsonl import load_object, parse_object, read_jsonl_path
from annotator.formats.jsonl_export import article_meta, dumps
from annotator.formats.records import (
    ArticleRecord,
    InvalidRecord,
    ReadOptions,
    ReadResult,
)


def write_doccano(
    docs: Iterable[ExportDoc], out: Path, *, labels: Sequence[Label] = ()
) -> ExportReport:
    """Write both shapes side by side in one pass and keep the one the export turns out to need:
    whether any article has relations is only known at the end of the stream."""
    report = ExportReport("doccano")
    notes = attributes = annotators = relation_annotators = 0
    with_relations = False
    entity_id = relation_id = 0
    simple_part = out.with_name(out.name + ".simple")
    try:
        with atomic_file(out) as rich, atomic_file(simple_part) as simple:
            for doc in docs:
                meta = article_meta(doc.article)
                text = doc.article.text
                simple.write(
                    dumps(
                        {
                            "text": text,
                            "label": [[s.start, s.end, s.label] for s in doc.spans],
                            "meta": meta,
                        }
                    )
                    + "\n"
                )
                ids = list(range(entity_id + 1, entity_id + 1 + len(doc.spans)))
                entity_id += len(doc.spans)
                relations = []
                for r in doc.relations:
                    relation_id += 1
                    relations.append(
                        {
                            "id": relation_id,
                            "from_id": ids[r.head],
                            "to_id": ids[r.child],
                            "type": r.type,
                        }
                    )
                rich.write(
                    dumps(
                        {
                            "text": text,
                            "entities": [
                                {
                                    "id": i,
                                    "start_offset": s.start,
                                    "end_offset": s.end,
                                    "label": s.label,
                                }
                                for i, s in zip(ids, doc.spans, strict=True)
                            ],
                            "relations": relations,
                            "meta": meta,
                        }
                    )
                    + "\n"
                )
                with_relations = with_relations or bool(doc.relations)
                report.articles += 1
                report.spans += len(doc.spans)
                report.relations += len(doc.relations)
                notes += sum(1 for s in doc.spans if s.note)
                attributes += sum(1 for s in doc.spans if s.attributes)
                annotators += sum(1 for s in doc.spans if s.annotator)
                relation_annotators += sum(
                    1 for r in doc.relations if r.annotator != doc.spans[r.head].annotator
                )
        if not with_relations:
            simple_part.replace(out)
    finally:
        simple_part.unlink(missing_ok=True)
    report.files.append(out)
    report.lose(notes, "span note(s) not written (doccano has no field for them)")
    report.lose(attributes, "span(s) with attributes whose attributes were not written")
    report.lose(
        annotators,
        "span annotator name(s) not written (doccano keeps no annotator per span; "
        "re-import gives them the importing analyst's name)",
    )
    report.lose(
        relation_annotators, "relation annotator name(s) other than their head span's not written"
    )
    return report


# ------------------------------------------------------------------------------------ reading
def read_doccano(path: Path, options: ReadOptions) -> ReadResult:
    """Read a doccano JSONL file (either shape; the native JSONL shape also passes)."""
    yield from read_jsonl_path(path, encoding=options.encoding, parse=parse_doccano_line)


def parse_doccano_line(line: str, number: int | None = None) -> ArticleRecord:
    """One doccano line as an article; raises :class:`InvalidRecord` naming what is wrong."""
    obj = load_object(line)
    native: dict[str, Any] = {
        k: v for k, v in obj.items() if k not in ("label", "labels", "entities", "relations")
    }
    if "entities" in obj:
        native.update(_entities_and_relations(obj))
    else:
        native["spans"] = _labels(obj.get("label", obj.get("labels")))
    return parse_object(native, number)


def _labels(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidRecord(f"'label' must be a list of [start, end, label], not {_kind(value)}")
    spans = []
    for i, item in enumerate(value):
        if not isinstance(item, list | tuple) or len(item) != 3:
            raise InvalidRecord(f"label {i} must be [start, end, label], not {item!r}")
        spans.append({"start": item[0], "end": item[1], "label": item[2]})
    return spans


def _entities_and_relations(obj: dict[str, Any]) -> dict[str, Any]:
    entities = obj.get("entities")
    if not isinstance(entities, list):
        raise InvalidRecord(f"'entities' must be a list, not {_kind(entities)}")
    spans: list[dict[str, Any]] = []
    index: dict[Any, int] = {}
    for i, item in enumerate(entities):
        if not isinstance(item, dict):
            raise InvalidRecord(f"entity {i} must be an object, not {_kind(item)}")
        entity_id = item.get("id", i)
        if not _is_id(entity_id):
            raise InvalidRecord(f"entity {i}: 'id' must be a number or string")
        if entity_id in index:
            raise InvalidRecord(f"entity {i}: id {entity_id!r} is used twice")
        index[entity_id] = len(spans)
        spans.append(
            {
                "start": item.get("start_offset"),
                "end": item.get("end_offset"),
                "label": item.get("label"),
            }
        )
    relations_value = obj.get("relations", [])
    if relations_value is None:
        relations_value = []
    if not isinstance(relations_value, list):
        raise InvalidRecord(f"'relations' must be a list, not {_kind(relations_value)}")
    relations = []
    for i, item in enumerate(relations_value):
        if not isinstance(item, dict):
            raise InvalidRecord(f"relation {i} must be an object, not {_kind(item)}")
        ends = []
        for key in ("from_id", "to_id"):
            ref = item.get(key)
            if not _is_id(ref) or ref not in index:
                raise InvalidRecord(
                    f"relation {i}: '{key}' {ref!r} is not the id of one of the line's entities"
                )
            ends.append(index[ref])
        relations.append({"head": ends[0], "child": ends[1], "label": item.get("type")})
    return {"spans": spans, "relations": relations}


def _is_id(value: Any) -> TypeGuard[int | str]:
    return isinstance(value, int | str) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__
