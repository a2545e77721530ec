"""The annotations of a parsed WebAnno TSV file, layer by layer: span layers with their stacked
values and disambiguation ids, relation layers and chains (see
:mod:`annotator.formats.webanno_tsv`)."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from annotator.core.text import Utf16Index
from annotator.formats.limits import TooLarge, load_json
from annotator.formats.records import (
    InvalidRecord,
)
from annotator.formats.webanno_tsv.escaping import (
    NULL_COLUMN,
    NULL_VALUE,
    SPAN_LAYER,
    _short,
    unescape_value,
)


# ------------------------------------------------------------------------------------ reading
@dataclass
class _Column:
    layer: str  # span, relation, chain
    type_name: str
    feature: str | None  # None: a placeholder column of a layer without features
    kind: str = (
        "primitive"  # primitive, placeholder, ref, slot_role, slot_target, chain_type, chain_link
    )
    base: str = ""  # relation layers: the type their ends are


_STRUCTURE = frozenset(
    {"POS", "Lemma", "Stem", "MorphologicalFeatures", "Dependency", "Token", "Sentence", "Chunk"}
)


@dataclass
class _Annotation:
    type_name: str
    begin: int
    end: int
    features: dict[str, str | None] = field(default_factory=dict)
    unit: str = ""  # the id-defining unit
    disambiguation: int | None = None


@dataclass
class _Unit:
    id: str
    begin: int
    end: int
    line: int
    fields: list[str] = field(default_factory=list)
    by_type: dict[str, list[_Annotation]] = field(default_factory=dict)


_CHAIN_LINK = re.compile(r"^(?P<value>.*)->(?P<chain>\d+)-(?P<link>\d+)$", re.S)


class _LineError(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _split_stack(raw: str) -> list[str]:
    """Stacked values split on each ``|`` that no backslash escapes."""
    parts: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(raw):
        char = raw[i]
        if char == "\\" and i + 1 < len(raw):
            current.append(raw[i : i + 2])
            i += 2
            continue
        if char == "|":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    parts.append("".join(current))
    return parts


def _disambiguated(value: str) -> tuple[str, str | None]:
    if value.endswith("]") and not value.endswith("\\]"):
        at = value.rfind("[")
        if at >= 0:
            return value[:at], value[at + 1 : -1]
    return value, None


def _annotations(
    units: list[_Unit], columns: list[_Column], skipped: Counter[str]
) -> tuple[
    list[_Annotation],
    list[tuple[_Annotation, _Unit, str]],
    dict[tuple[str, int], dict[int, _Annotation]],
]:
    spans: list[_Annotation] = []
    relations: list[tuple[_Annotation, _Unit, str]] = []
    chains: dict[tuple[str, int], dict[int, _Annotation]] = {}
    by_id: dict[tuple[str, int], _Annotation] = {}
    for unit in units:
        fields = unit.fields
        relation_here: dict[str, list[_Annotation]] = {}
        chain_here: dict[str, list[_Annotation | None]] = {}
        for c, column in enumerate(columns):
            raw = fields[c + 3]
            if raw == NULL_COLUMN:
                continue
            if column.kind in ("slot_role", "slot_target"):
                if column.kind == "slot_role":
                    skipped[f"slot feature value(s) of {_short(column.type_name)}"] += len(
                        _split_stack(raw)
                    )
                continue
            for k, value in enumerate(_split_stack(raw)):
                if column.layer == "span":
                    value, info = _disambiguated(value)
                    stack = unit.by_type.setdefault(column.type_name, [])
                    annotation = stack[k] if k < len(stack) else None
                    number = int(info) if info is not None and info.isdigit() else None
                    if annotation is None and number is not None:
                        annotation = by_id.get((column.type_name, number))
                        if annotation is not None:
                            stack.append(annotation)
                            annotation.end = unit.end
                    if annotation is None:
                        annotation = _Annotation(
                            column.type_name, unit.begin, unit.end, unit=unit.id
                        )
                        stack.append(annotation)
                        spans.append(annotation)
                        if number is not None:
                            by_id[(column.type_name, number)] = annotation
                            annotation.disambiguation = number
                    if column.feature is not None and column.kind == "primitive":
                        annotation.features[column.feature] = (
                            None if value == NULL_VALUE else unescape_value(value)
                        )
                elif column.layer == "relation":
                    stack = relation_here.setdefault(column.type_name, [])
                    if k >= len(stack):
                        stack.append(
                            _Annotation(column.type_name, unit.begin, unit.end, unit=unit.id)
                        )
                    annotation = stack[k]
                    if column.kind == "ref":
                        annotation.features["\0ref"] = value
                        annotation.features["\0base"] = column.base
                        relations.append((annotation, unit, value))
                    elif column.feature is not None:
                        annotation.features[column.feature] = (
                            None if value == NULL_VALUE else unescape_value(value)
                        )
                else:  # chain
                    cstack = chain_here.setdefault(column.type_name, [])
                    while len(cstack) <= k:
                        cstack.append(None)
                    element = cstack[k]
                    if column.kind == "chain_link":
                        match = _CHAIN_LINK.match(value)
                        if match is None:
                            raise _LineError(
                                unit.line, f"chain link {value!r} is not VALUE->CHAIN-LINK"
                            )
                        key = (column.type_name, int(match.group("chain")))
                        link = int(match.group("link"))
                        existing = chains.setdefault(key, {}).get(link)
                        if existing is None:
                            existing = element or _Annotation(
                                column.type_name, unit.begin, unit.end, unit=unit.id
                            )
                            chains[key][link] = existing
                        else:
                            existing.end = unit.end
                        if element is not None and element is not existing:
                            existing.features.update(element.features)
                        cstack[k] = existing
                        relation_value = match.group("value")
                        existing.features["referenceRelation"] = (
                            None if relation_value == NULL_VALUE else unescape_value(relation_value)
                        )
                    else:
                        plain, _info = _disambiguated(value)
                        if element is None:
                            element = _Annotation(
                                column.type_name, unit.begin, unit.end, unit=unit.id
                            )
                            cstack[k] = element
                        element.features["referenceType"] = (
                            None if plain == NULL_VALUE else unescape_value(plain)
                        )
    return spans, relations, chains


def _span(
    annotation: _Annotation,
    columns: list[_Column],
    index: Utf16Index,
    annotator: str,
    skipped: Counter[str],
) -> dict[str, Any] | None:
    short = _short(annotation.type_name)
    if short in _STRUCTURE:
        skipped[f"{short} annotation(s) (text structure)"] += 1
        return None
    start = index.to_code_point(annotation.begin)
    end = index.to_code_point(annotation.end, round_up=True)
    if start >= end:
        skipped[f"empty {short} annotation(s)"] += 1
        return None
    features = annotation.features
    names = [
        c.feature for c in columns if c.type_name == annotation.type_name and c.kind == "primitive"
    ]
    label_feature = next((f for f in ("label", "value") if f in names), names[0] if names else None)
    label = features.get(label_feature) if label_feature else None
    if not label or not label.strip():
        label = short
    record: dict[str, Any] = {"start": start, "end": end, "label": label, "annotator": annotator}
    attributes: dict[str, Any] = {}
    for name, value in features.items():
        if name == label_feature or value is None:
            continue
        if name == "annotator":
            record["annotator"] = value
        elif annotation.type_name == SPAN_LAYER and name == "note":
            record["note"] = value
        elif annotation.type_name == SPAN_LAYER and name == "attributes":
            try:
                parsed = load_json(value)
            except (json.JSONDecodeError, TooLarge):
                parsed = None
            if not isinstance(parsed, dict):
                raise InvalidRecord(f"a span's attributes are not a JSON object: {value[:60]!r}")
            attributes.update(parsed)
        else:
            attributes[name] = value
    record["attributes"] = attributes
    return record


def _relation(
    relation: tuple[_Annotation, _Unit, str],
    units: dict[str, _Unit],
    by_annotation: dict[int, int],
    annotator: str,
    skipped: Counter[str],
) -> dict[str, Any] | None:
    annotation, unit, ref = relation
    short = _short(annotation.type_name)
    base = annotation.features.get("\0base") or ""
    source_id, info = _disambiguated(ref)
    source_number = target_number = 0
    if info is not None:
        first, _, second = info.partition("_")
        if not (first.isdigit() and second.isdigit()):
            raise _LineError(unit.line, f"relation reference {ref!r} is not UNIT[SOURCE_TARGET]")
        source_number, target_number = int(first), int(second)
    source = units.get(source_id)
    if source is None:
        raise _LineError(unit.line, f"relation reference {ref!r} names no token of the file")

    def end_of(where: _Unit, number: int) -> int | None:
        candidates = where.by_type.get(base, [])
        if number:
            candidates = [a for a in candidates if a.disambiguation == number]
        else:
            candidates = [a for a in candidates if a.disambiguation is None] or candidates
        for candidate in candidates:
            if id(candidate) in by_annotation:
                return by_annotation[id(candidate)]
        return None

    head, child = end_of(source, source_number), end_of(unit, target_number)
    if head is None or child is None or head == child:
        skipped[f"{short} relation(s) between no imported spans"] += 1
        return None
    features = {k: v for k, v in annotation.features.items() if not k.startswith("\0")}
    names = list(features)
    label_feature = next((f for f in ("label", "value") if f in names), names[0] if names else None)
    label = features.get(label_feature) if label_feature else None
    who = features.get("annotator")
    return {
        "head": head,
        "child": child,
        "label": label if label and label.strip() else short,
        "annotator": who if who else annotator,
    }
