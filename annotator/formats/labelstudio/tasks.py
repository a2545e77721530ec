"""One Label Studio task as an article: its text, regions, per-region results, relations and
document-level results (see :mod:`annotator.formats.labelstudio`)."""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from typing import Any, TypeGuard

from annotator.formats.jsonl import load_object, parse_object
from annotator.formats.labelstudio.config import Config
from annotator.formats.offsets import RawSpan, resolve_offsets
from annotator.formats.records import (
    ARTICLE_FIELDS,
    ArticleRecord,
    InvalidRecord,
)


def parse_task_line(
    line: str, number: int | None = None, config: Config | None = None
) -> ArticleRecord:
    """One task on a line of its own (JSON Lines); raises :class:`InvalidRecord`."""
    return parse_task(load_object(line), number, config)


def parse_task(item: Any, number: int | None = None, config: Config | None = None) -> ArticleRecord:
    """One Label Studio task as an article; raises :class:`InvalidRecord`.

    The text is ``data[KEY]`` for the key the labeling config's ``Text`` tag names
    (``value="$KEY"``), else ``data.text``, else the one string field of ``data`` (of several,
    the one every region's text fits). Regions of ``labels`` results are spans; a per-region
    ``textarea`` result (same id) is the span's note, per-region ``choices`` and other
    per-region results its attributes (named by the control); a result of a control the config
    shows for one label (``whenLabelValue``, as the export writes attribute definitions) is that
    attribute's value, a text area's too. Document-level results
    (``choices``, ``textarea``, ratings ...) are kept in the article's meta under
    ``labelstudio_results`` with who gave them; nothing is dropped.
    """
    if not isinstance(item, dict):
        raise InvalidRecord(f"a task must be an object, not {_kind(item)}")
    data = item.get("data")
    if not isinstance(data, dict):
        raise InvalidRecord("missing 'data' object" if data is None else "'data' must be an object")
    annotations = item.get("annotations", item.get("completions", []))
    if annotations is None:
        annotations = []
    if not isinstance(annotations, list):
        raise InvalidRecord(f"'annotations' must be a list, not {_kind(annotations)}")
    key = _text_key(data, annotations, config)
    text = data[key]
    meta = item.get("meta")
    extra: dict[str, Any] = dict(meta) if isinstance(meta, dict) else {}
    fields = set(ARTICLE_FIELDS) | {key, "content_hash"}
    extra.update({k: v for k, v in data.items() if k not in fields})
    if key != "text":
        extra["labelstudio_text_key"] = key
    native: dict[str, Any] = {"text": text, "meta": extra}
    native.update({k: data[k] for k in ARTICLE_FIELDS if k in data})
    spans: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    documents: list[dict[str, Any]] = []
    notes: list[str] = []
    origins: list[str] = []  # per span, the result it came from (for messages)
    cancelled = 0
    for a, annotation in enumerate(annotations):
        if not isinstance(annotation, dict):
            raise InvalidRecord(f"annotation {a} must be an object")
        if annotation.get("was_cancelled") or annotation.get("skipped"):
            cancelled += 1
            continue
        who = _completed_by(annotation.get("completed_by"))
        times = {
            key: annotation[key]
            for key in ("created_at", "updated_at")
            if isinstance(annotation.get(key), str) and annotation[key]
        }
        result = annotation.get("result", [])
        if result is None:
            result = []
        if not isinstance(result, list):
            raise InvalidRecord(f"annotation {a}: 'result' must be a list")
        regions: dict[str, list[int]] = {}  # region id -> its spans (one per label)
        later: list[tuple[int, dict[str, Any]]] = []
        for r, region in enumerate(result):
            where = f"annotation {a}, result {r}"
            if not isinstance(region, dict):
                raise InvalidRecord(f"{where} must be an object")
            if region.get("type") == "labels":
                region_key = region.get("id")
                made = _region_spans(region, who, where, times)
                origins.extend([where] * len(made))
                if region_key is not None:
                    if str(region_key) in regions:
                        raise InvalidRecord(f"{where}: region id {region_key!r} appears twice")
                    regions[str(region_key)] = list(range(len(spans), len(spans) + len(made)))
                spans.extend(made)
            else:
                later.append((r, region))
        for r, region in later:
            where = f"annotation {a}, result {r}"
            kind = region.get("type")
            if kind == "relation":
                relations.extend(_relation(region, regions, where))
                continue
            region_key = region.get("id")
            owners = regions.get(str(region_key)) if region_key is not None else None
            value = region.get("value")
            name = str(region.get("from_name") or kind or "result")
            if owners is not None and isinstance(value, dict):
                attribute = config.attribute_controls.get(name) if config else None
                for index in owners:
                    if attribute is not None:
                        _attach_attribute(spans[index], kind, attribute, value)
                    else:
                        _attach(spans[index], kind, name, value)
            else:
                documents.append(
                    {"annotator": who, "from_name": name, "type": kind, "value": value}
                )
    documents = _doc_labels_of(documents, config, native)
    if documents:
        extra["labelstudio_results"] = documents
        notes.append(
            f"{len(documents)} document-level result(s) (choices, text areas ...) kept in the "
            "article's meta 'labelstudio_results'"
        )
    if cancelled:
        notes.append(f"{cancelled} cancelled or skipped annotation(s) not imported")
    native["spans"] = spans
    native["relations"] = relations
    try:
        record = parse_object(native, number)
    except InvalidRecord as exc:
        found = _SPAN_MESSAGE.match(str(exc))
        if found and int(found.group(1)) < len(origins):
            raise InvalidRecord(f"{origins[int(found.group(1))]}: {found.group(2)}") from None
        raise
    return replace(record, notes=record.notes + tuple(notes)) if notes else record


_SPAN_MESSAGE = re.compile(r"^span (\d+): (.*)$", re.DOTALL)


def _doc_labels_of(
    documents: list[dict[str, Any]], config: Config | None, native: dict[str, Any]
) -> list[dict[str, Any]]:
    """Document-level results of the config's document controls become the article's document
    labels (``native["doc_labels"]``: choices, a number, text lines); the rest are returned.
    Two annotators' values of one field are all kept (a multiple choice holds them all)."""
    if config is None or not config.controls:
        return documents
    fields = dict(config.controls)
    kinds = {f.name: f.kind for f in config.doc_fields}
    found: dict[str, list[tuple[dict[str, Any], list[str]]]] = {}
    rest: list[dict[str, Any]] = []
    for result in documents:
        name = fields.get(result["from_name"])
        value = result.get("value")
        values: list[str] | None = None
        if name is not None and isinstance(value, dict):
            kind = kinds[name]
            if kind in ("single", "multiple") and isinstance(value.get("choices"), list):
                values = [str(c) for c in value["choices"]]
            elif kind == "number" and isinstance(value.get("number"), int | float):
                number = value["number"]
                values = [str(int(number)) if number == int(number) else str(number)]
            elif kind == "text" and value.get("text") is not None:
                lines = value["text"] if isinstance(value["text"], list) else [value["text"]]
                values = [str(line) for line in lines]
        if name is None or values is None:
            rest.append(result)
            continue
        found.setdefault(name, []).append((result, values))
    labels: dict[str, list[str]] = {}
    for name, given in found.items():
        values = list(dict.fromkeys(v for _, vs in given for v in vs))
        if kinds[name] in ("single", "number") and len(values) > 1:
            # Annotators disagree on a one-value field: nothing chosen for them; their results
            # stay in the metadata, with who gave them.
            rest.extend(result for result, _ in given)
            continue
        labels[name] = values
    if labels:
        native["doc_labels"] = labels
    return rest


def _text_key(data: dict[str, Any], annotations: list[Any], config: Config | None) -> str:
    if config is not None and config.text_keys:
        for key in config.text_keys:
            if isinstance(data.get(key), str):
                return key
        raise InvalidRecord(
            "the labeling config's text field "
            + " or ".join(f"'data.{k}'" for k in config.text_keys)
            + " is missing or not text"
        )
    if isinstance(data.get("text"), str):
        return "text"
    strings = [k for k, v in data.items() if isinstance(v, str)]
    if len(strings) == 1:
        return strings[0]
    if not strings:
        raise InvalidRecord("'data' holds no text field")
    covered = [
        (region["value"]["start"], region["value"]["end"], region["value"]["text"])
        for annotation in annotations
        if isinstance(annotation, dict) and isinstance(annotation.get("result"), list)
        for region in annotation["result"]
        if isinstance(region, dict)
        and region.get("type") == "labels"
        and isinstance(region.get("value"), dict)
        and isinstance(region["value"].get("text"), str)
        and _is_int(region["value"].get("start"))
        and _is_int(region["value"].get("end"))
    ]
    fitting = [
        k
        for k in strings
        if covered
        and all(
            isinstance(check, tuple)
            for check in resolve_offsets(data[k], [RawSpan(s, e, t) for s, e, t in covered]).spans
        )
    ]
    if len(fitting) == 1:
        return fitting[0]
    raise InvalidRecord(
        "cannot tell which field of 'data' holds the text ("
        + ", ".join(strings)
        + "); put the labeling config beside the file as NAME.config.xml or config.xml"
    )


def _relation(
    region: dict[str, Any], regions: dict[str, list[int]], where: str
) -> list[dict[str, Any]]:
    ends = []
    for key in ("from_id", "to_id"):
        ref = region.get(key)
        if not isinstance(ref, str | int) or str(ref) not in regions:
            raise InvalidRecord(
                f"{where}: relation '{key}' {ref!r} is not the id of a labelled region "
                "of the same annotation"
            )
        ends.append(regions[str(ref)][0])
    if region.get("direction") == "left":
        ends.reverse()
    rel_labels = region.get("labels") or [None]
    if not isinstance(rel_labels, list):
        raise InvalidRecord(f"{where}: relation 'labels' must be a list")
    return [{"head": ends[0], "child": ends[1], "label": rel_type} for rel_type in rel_labels]


def _attach_attribute(span: dict[str, Any], kind: Any, name: str, value: dict[str, Any]) -> None:
    """A result of an attribute's per-region control (see ``Config.attribute_controls``) onto
    its span, as the attribute's value: the choice, the text's lines, the number."""
    if kind == "choices" and isinstance(value.get("choices"), list):
        given = ", ".join(str(c) for c in value["choices"])
    elif kind == "textarea":
        lines = value.get("text")
        lines = lines if isinstance(lines, list) else [lines]
        given = "\n".join(str(line) for line in lines if line is not None)
    elif (
        kind == "number"
        and isinstance(value.get("number"), int | float)
        and not isinstance(value["number"], bool)
        and math.isfinite(value["number"])
    ):
        number = value["number"]
        given = str(int(number)) if number == int(number) else str(number)
    else:
        _attach(span, kind, name, value)
        return
    span.setdefault("attributes", {})[name] = given


def _attach(span: dict[str, Any], kind: Any, name: str, value: dict[str, Any]) -> None:
    """A per-region result onto its span: a text area's lines as the note, choices and other
    controls as attributes named by the control."""
    if kind == "textarea":
        lines = value.get("text")
        lines = lines if isinstance(lines, list) else [lines]
        added = "\n".join(str(line) for line in lines if line is not None)
        if added:
            span["note"] = f"{span['note']}\n{added}" if span.get("note") else added
        return
    attributes = span.setdefault("attributes", {})
    if kind == "choices" and isinstance(value.get("choices"), list):
        attributes[name] = ", ".join(str(c) for c in value["choices"])
        return
    rest = {k: v for k, v in value.items() if k not in ("start", "end", "text")}
    attributes[name] = json.dumps(
        rest if len(rest) != 1 else next(iter(rest.values())), ensure_ascii=False
    )


def _region_spans(
    region: dict[str, Any], who: str, where: str, times: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """The spans of a ``labels`` region (one per label). Their times are the region's own
    (``meta.created_at``/``updated_at``, as this app writes them), else the annotation's
    (``times``: Label Studio's ``created_at``/``updated_at`` of the whole annotation)."""
    value = region.get("value")
    if not isinstance(value, dict):
        raise InvalidRecord(f"{where}: 'value' must be an object")
    start, end = value.get("start"), value.get("end")
    if not _is_int(start) or not _is_int(end):
        raise InvalidRecord(
            f"{where}: 'start' and 'end' must be whole numbers (HyperText regions with XPath "
            "offsets cannot be imported)"
        )
    if start >= end:
        raise InvalidRecord(f"{where}: start {start} is not before end {end}")
    labels = value.get("labels")
    if not isinstance(labels, list) or not labels:
        raise InvalidRecord(f"{where}: 'value.labels' must be a non-empty list")
    covered = value.get("text")
    meta = region.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    note = meta.get("text", "")
    if isinstance(note, list):
        note = "\n".join(str(n) for n in note)
    annotator = meta.get("annotator") or who
    spans = []
    for label in labels:
        span: dict[str, Any] = {"start": start, "end": end, "label": label}
        if isinstance(covered, str):
            span["text"] = covered
        if isinstance(note, str) and note:
            span["note"] = note
        if isinstance(annotator, str) and annotator:
            span["annotator"] = annotator
        if isinstance(meta.get("attributes"), dict) and meta["attributes"]:
            span["attributes"] = dict(meta["attributes"])
        for key in ("created_at", "updated_at"):
            when = meta.get(key) or (times or {}).get(key)
            if when:
                span[key] = when
        spans.append(span)
    return spans


def _completed_by(value: Any) -> str:
    """A name for who made an annotation: the email (or user name) of a Label Studio export,
    ``user N`` for a user known only by id (Label Studio's JSON export writes the id alone), else
    nothing (the importing analyst)."""
    if isinstance(value, dict):
        for key in ("email", "username"):
            if isinstance(value.get(key), str) and value[key]:
                return str(value[key])
        value = value.get("id")
    if _is_int(value):
        return f"user {value}"
    if isinstance(value, str) and value.strip():
        return value.strip()
    return ""


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _short(text: Any) -> str:
    shown = repr(text)
    return shown if len(shown) <= 60 else shown[:57] + "..."
