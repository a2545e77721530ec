"""Label Studio JSON-MIN: a JSON array with one flat record per annotation.

This is what Label Studio's "JSON-MIN" export writes (``Converter.convert_to_json_min`` of
label-studio-sdk): each record is the task's data (``text``, ...), the task ``id``, one key per
control tag (``label`` here, the ``from_name``) holding that annotation's regions, and the
annotation's ``annotator`` (an e-mail or a number), ``annotation_id``, ``created_at``,
``updated_at`` and ``lead_time``. A task annotated by two people gives two records; a task
without annotations gives one record without regions. A region is the result's ``value``:
``{"start": 0, "end": 6, "text": "Peskov", "labels": ["Source"]}``. Offsets count code points
(see :mod:`annotator.formats.labelstudio`).

Written records are ordered by article, then annotator. So that nothing is lost, the writer also
gives each region an ``id`` and, when it has any, ``meta`` with its note (``{"text": [note]}``,
Label Studio's per-region note) and ``attributes``; a record's ``relations`` list the relations
whose head span is in it, ``{"from_id": .., "to_id": .., "labels": [type], "annotator": ..}``;
free metadata goes in ``meta``. Label Studio and pandas read these keys as plain data.

The reader reads these files and Label Studio's own: the records of one task (the same ``id``
and text, one after another) make one article; the text is under ``text`` or under the one data
key whose value the regions' texts are cut from (``value="$ner"`` in the labeling config gives
``ner``); every list of regions with ``start``/``end`` and ``labels`` gives spans (one per
label); the task's data keys go into the article's metadata, and other results (Choices,
TextArea) into its ``labelstudio_results`` with their annotator. A user number as annotator
becomes ``user N``. Offsets are checked against the text (a UTF-16 reading is recognised and converted,
and said so). The array is read whole, up to
:data:`~annotator.formats.limits.MAX_WHOLE_FILE_BYTES`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeGuard

from annotator.core.model import Label
from annotator.formats.export import ExportDoc, ExportReport, atomic_file
from annotator.formats.jsonl import parse_object
from annotator.formats.labelstudio.write import region_id, region_meta
from annotator.formats.limits import TooLarge, load_json
from annotator.formats.offsets import RawSpan, resolve_offsets, utf16_note
from annotator.formats.records import (
    ARTICLE_FIELDS,
    ArticleRecord,
    InvalidRecord,
    ReadOptions,
    ReadResult,
    RecordError,
    read_whole_text,
)

FROM_NAME = "label"
# Keys of a record that Label Studio adds about the annotation, not the task's data.
BOOKKEEPING = frozenset(
    {
        "id",
        "annotator",
        "annotation_id",
        "created_at",
        "updated_at",
        "lead_time",
        "agreement",
        "relations",
        "meta",
        "history",
        "was_cancelled",
    }
)


def records(doc: ExportDoc, annotation_ids: Iterator[int]) -> list[dict[str, Any]]:
    """The JSON-MIN records of one article: one per annotator, or one without regions."""
    article = doc.article
    data: dict[str, Any] = {"text": article.text}
    for name in ARTICLE_FIELDS:
        data[name] = getattr(article, name)
    if article.meta:
        data["meta"] = dict(article.meta)
    groups: dict[str, list[int]] = {}
    for i, span in enumerate(doc.spans):
        groups.setdefault(span.annotator, []).append(i)
    if not groups:
        return [
            {
                **data,
                "id": article.id,
                "annotator": None,
                "annotation_id": None,
                "created_at": None,
                "updated_at": None,
                "lead_time": None,
            }
        ]
    out = []
    for annotator, indices in groups.items():
        regions = []
        for i in indices:
            span = doc.spans[i]
            region: dict[str, Any] = {
                "start": span.start,
                "end": span.end,
                "text": span.text,
                "labels": [span.label],
                "id": region_id(article.id, i),
            }
            meta = region_meta(span, with_annotator=False)  # the record names its annotator
            if meta:
                region["meta"] = meta
            regions.append(region)
        members = set(indices)
        made = [doc.spans[i].created_at for i in indices if doc.spans[i].created_at]
        changed = [doc.spans[i].updated_at for i in indices if doc.spans[i].updated_at]
        record: dict[str, Any] = {
            **data,
            "id": article.id,
            FROM_NAME: regions,
            "annotator": annotator,
            "annotation_id": next(annotation_ids),
            "created_at": min(made) if made else None,
            "updated_at": max(changed or made) if made else None,
            "lead_time": None,
        }
        relations = [
            {
                "from_id": region_id(article.id, r.head),
                "to_id": region_id(article.id, r.child),
                "labels": [r.type],
                "annotator": r.annotator,
            }
            for r in doc.relations
            if r.head in members
        ]
        if relations:
            record["relations"] = relations
        out.append(record)
    return out


def write_labelstudio_min(
    docs: Iterable[ExportDoc], out: Path, *, labels: Sequence[Label] = ()
) -> ExportReport:
    report = ExportReport("labelstudio-min")
    counter = iter(range(1, 1 << 62))
    first = True
    with atomic_file(out) as fh:
        fh.write("[\n")
        for doc in docs:
            for record in records(doc, counter):
                if not first:
                    fh.write(",\n")
                fh.write(json.dumps(record, indent=2, ensure_ascii=False))  # as Label Studio
                first = False
            report.articles += 1
            report.spans += len(doc.spans)
            report.relations += len(doc.relations)
        fh.write("\n]")
    report.files.append(out)
    return report


# ------------------------------------------------------------------------------------ reading
def read_labelstudio_min(path: Path, options: ReadOptions) -> ReadResult:
    """Each task of a JSON-MIN file as an article, or why it cannot be imported."""
    content = read_whole_text(
        path, "Label Studio JSON-MIN file (read whole)", encoding=options.encoding
    )
    if isinstance(content, RecordError):
        yield content
        return
    try:
        items = load_json(content)
    except json.JSONDecodeError as exc:
        yield RecordError(exc.lineno, f"malformed JSON: {exc.msg} (column {exc.colno})")
        return
    except TooLarge as exc:
        yield RecordError(None, exc.message)
        return
    if not isinstance(items, list):
        yield RecordError(None, "a JSON-MIN export is a JSON array of records")
        return
    if not items:
        yield RecordError(None, "holds no records")
        return
    for first, group in _tasks(items):
        options.advance(first + len(group) - 1, len(items))
        where = f"record {first}" + (f" (task {group[0][1].get('id')})" if group[0][1] else "")
        try:
            yield _article(group, path, options, first)
        except InvalidRecord as exc:
            yield RecordError(None, f"{where}: {exc}")


def _tasks(items: list[Any]) -> Iterator[tuple[int, list[tuple[int, dict[str, Any]]]]]:
    """(number of the first record, records) of each task: records of the same task id and
    text follow each other in a JSON-MIN export."""
    group: list[tuple[int, dict[str, Any]]] = []
    key: Any = object()
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            if group:
                yield group[0][0], group
            group, key = [], object()
            yield number, [(number, {})]
            continue
        this = (item.get("id"), _text_guess(item))
        if group and this == key and item.get("id") is not None:
            group.append((number, item))
            continue
        if group:
            yield group[0][0], group
        group, key = [(number, item)], this
    if group:
        yield group[0][0], group


def _text_guess(item: dict[str, Any]) -> str | None:
    text = item.get("text")
    return text if isinstance(text, str) else None


def _regions(item: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The record's lists of labelled text regions, by control tag name."""
    found: dict[str, list[dict[str, Any]]] = {}
    for key, value in item.items():
        if key in BOOKKEEPING or not isinstance(value, list) or not value:
            continue
        if all(
            isinstance(r, dict)
            and "start" in r
            and "end" in r
            and any(k.endswith("labels") and isinstance(v, list) for k, v in r.items())
            for r in value
        ):
            found[key] = value
    return found


def _text_key(item: dict[str, Any], regions: dict[str, list[dict[str, Any]]]) -> str:
    """Which data key holds the text the regions are cut from."""
    candidates = [
        k
        for k, v in item.items()
        if isinstance(v, str) and k not in BOOKKEEPING and k not in ARTICLE_FIELDS
    ]
    if "text" in candidates:
        return "text"
    covered = [
        r.get("text") for rs in regions.values() for r in rs if isinstance(r.get("text"), str)
    ]
    fitting = [
        k
        for k in candidates
        if not any(
            isinstance(result, str)
            for result in resolve_offsets(
                item[k], [_raw(r) for rs in regions.values() for r in rs]
            ).spans
        )
        and all(isinstance(c, str) and c.replace("\\n", "\n") in item[k] for c in covered)
    ]
    if len(fitting) == 1:
        return fitting[0]
    if len(candidates) == 1:
        return candidates[0]
    raise InvalidRecord(
        "cannot tell which data key holds the text (no 'text' key; candidates: "
        + ", ".join(repr(k) for k in candidates)
        + ")"
    )


def _raw(region: dict[str, Any]) -> RawSpan:
    start, end = region.get("start"), region.get("end")
    if not _is_int(start) or not _is_int(end):
        raise InvalidRecord(f"a region's start/end must be whole numbers, not {start!r}, {end!r}")
    covered = region.get("text")
    return RawSpan(start, end, covered if isinstance(covered, str) else None)


def _annotator(value: Any) -> str:
    """A record's annotator: an e-mail as it is, a user number as "user N" (as the Label Studio
    JSON reader names them), none as the importing analyst."""
    if value is None:
        return ""
    if _is_int(value):
        return f"user {value}"
    return str(value)


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _article(
    group: list[tuple[int, dict[str, Any]]], path: Path, options: ReadOptions, first: int
) -> ArticleRecord:
    _, head = group[0]
    if not head:
        raise InvalidRecord("a record must be a JSON object")
    regions = _regions(head)
    text_key = _text_key(head, regions)
    text = head[text_key]
    native: dict[str, Any] = {"text": text}
    meta: dict[str, Any] = {}
    # The task's data stands in every record of the task alike; what differs between its
    # records (or stands in only some) is an annotator's result: a choice, a text area.
    records = [item for _, item in group]
    shared = {
        key
        for key, value in head.items()
        if all(key in item and item[key] == value for item in records)
    }
    results: list[dict[str, Any]] = []
    for item in records:
        found = _regions(item) if item is not head else regions
        for key, value in item.items():
            if key == text_key or key in found or key in BOOKKEEPING:
                continue
            if key in shared:
                if item is not head:
                    continue
                if key in ARTICLE_FIELDS and isinstance(value, str):
                    native[key] = value
                else:
                    meta[key] = value
            else:
                results.append(
                    {
                        "annotator": _annotator(item.get("annotator")),
                        "from_name": key,
                        "value": value,
                    }
                )
    if isinstance(head.get("meta"), dict):
        meta.update(head["meta"])
    if results:
        meta["labelstudio_results"] = results
    spans: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    ids: dict[str, int] = {}
    pending: list[tuple[int, dict[str, Any], str]] = []
    converted = 0
    for number, item in group:
        annotator = _annotator(item.get("annotator"))
        # The annotation's times (Label Studio's), unless a region has its own (this app's).
        times = {k: item[k] for k in ("created_at", "updated_at") if isinstance(item.get(k), str)}
        found = _regions(item) if item is not head else regions
        flat = [r for rs in found.values() for r in rs]
        check = resolve_offsets(text, [_raw(r) for r in flat])
        converted += check.converted
        for region, result in zip(flat, check.spans, strict=True):
            if isinstance(result, str):
                raise InvalidRecord(
                    f"region {region.get('id', '')!s}: {result}".replace(" : ", ": ")
                )
            meta_of = region.get("meta") if isinstance(region.get("meta"), dict) else {}
            notes = meta_of.get("text") if isinstance(meta_of, dict) else None
            note = (
                "\n".join(n for n in notes if isinstance(n, str)) if isinstance(notes, list) else ""
            )
            label_lists = [
                v for k, v in region.items() if k.endswith("labels") and isinstance(v, list)
            ]
            for names in label_lists:
                for name in names:
                    if isinstance(region.get("id"), str):
                        ids.setdefault(region["id"], len(spans))
                    spans.append(
                        {
                            "start": result[0],
                            "end": result[1],
                            "label": name,
                            "annotator": annotator,
                            "note": note,
                            "attributes": meta_of.get("attributes")
                            if isinstance(meta_of, dict)
                            else None,
                            "created_at": (meta_of or {}).get("created_at")
                            or times.get("created_at"),
                            "updated_at": (meta_of or {}).get("updated_at")
                            or times.get("updated_at"),
                        }
                    )
        for relation in item.get("relations") or []:
            pending.append((number, relation, annotator))
    for number, relation, annotator in pending:
        if not isinstance(relation, dict):
            raise InvalidRecord(f"record {number}: a relation must be an object")
        ends = [ids.get(str(relation.get(k))) for k in ("from_id", "to_id")]
        if ends[0] is None or ends[1] is None:
            raise InvalidRecord(
                f"record {number}: relation {relation.get('from_id')!r} -> "
                f"{relation.get('to_id')!r} names a region the task does not have"
            )
        labels = relation.get("labels") or []
        if not isinstance(labels, list) or not labels:
            raise InvalidRecord(f"record {number}: a relation has no label")
        who = relation.get("annotator")
        for name in labels:
            relations.append(
                {
                    "head": ends[0],
                    "child": ends[1],
                    "label": name,
                    "annotator": annotator if who is None else str(who),
                }
            )
    native["meta"] = meta
    native["spans"] = spans
    native["relations"] = relations
    record = parse_object(native, first, code_points=True)
    if converted and options.on_note is not None:
        options.on_note(path, None, f"record {first}: {utf16_note(converted)}")
    return record
