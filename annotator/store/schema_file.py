"""The label schema as a JSON file a team shares: labels with their descriptions, hierarchy and
attribute definitions, and document label fields; written from a project and imported into one.

A schema file looks like::

    {"news_annotator_schema": 1,
     "labels": [{"name": "Source", "color": "#4c9be8", "hotkey": "2",
                 "description": "Who a statement is attributed to"},
                {"name": "Anonymous", "parent": "Source"},
                {"name": "Claim", "attributes": [
                    {"name": "verdict", "type": "choice", "choices": ["true", "false"]},
                    {"name": "score", "type": "number", "min": 1, "max": 5}]}],
     "doc_labels": [{"name": "Frame", "type": "single",
                     "choices": ["conflict", "economic", "human interest"]},
                    {"name": "Reliability", "type": "number", "min": 1, "max": 5}]}

Importing one checks the whole file first (every problem named with its line) and then applies it
in one transaction: labels are added or updated by name, each label the file lists gets exactly
the attribute definitions the file gives it, fields are added or redefined. Nothing is ever
deleted: labels, spans and articles' values the file does not mention stay as they are.
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.core.model import LABEL_PALETTE, Label, LabelSpec
from annotator.core.schema import ATTRIBUTE_KINDS, DOC_FIELD_KINDS, AttributeDef, DocField
from annotator.store.doc_labels import doc_fields, save_doc_field
from annotator.store.project import Project, ProjectError
from annotator.store.schema_defs import (
    attribute_defs,
    label_parents,
    set_attribute_defs,
    set_label_parent,
)

SCHEMA_KEY = "news_annotator_schema"
SCHEMA_VERSION = 1
_TOP_KEYS = frozenset({SCHEMA_KEY, "labels", "doc_labels"})
_LABEL_KEYS = frozenset({"name", "color", "hotkey", "description", "parent", "attributes"})
_ATTRIBUTE_KEYS = frozenset({"name", "type", "choices", "min", "max", "description"})
_FIELD_KEYS = _ATTRIBUTE_KEYS
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
MAX_SCHEMA_BYTES = 4 * 1024 * 1024


class SchemaFileError(ProjectError):
    """A schema file that cannot be imported; ``problems`` lists each as 'FILE:LINE: what'."""

    def __init__(self, path: Path, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(None, "\n".join(self.problems))


# ----------------------------------------------------------------------------- export
def export_schema(project: Project) -> dict[str, Any]:
    """The project's schema as the JSON object a schema file holds."""
    parents = label_parents(project)
    labels = project.labels()
    names = {label.id: label.name for label in labels}
    return schema_json(
        labels,
        {label.name: attribute_defs(project, label.id) for label in labels},
        {names[child]: names[parent] for child, parent in parents.items()},
        doc_fields(project),
    )


def schema_json(
    labels: Sequence[Label],
    attributes: Mapping[str, Sequence[AttributeDef]],
    parents: Mapping[str, str],
    fields: Sequence[DocField],
) -> dict[str, Any]:
    """A schema file's JSON object: the labels in order, each with its parent and attribute
    definitions (by label name), and the document label fields."""
    out_labels: list[dict[str, Any]] = []
    for label in labels:
        item: dict[str, Any] = {
            "name": label.name,
            "color": label.color,
            "hotkey": label.hotkey,
            "description": label.description,
        }
        if label.name in parents:
            item["parent"] = parents[label.name]
        defs = attributes.get(label.name)
        if defs:
            item["attributes"] = [
                definition_json(d.name, d.kind, d.choices, d.minimum, d.maximum, d.description)
                for d in defs
            ]
        out_labels.append(item)
    out_fields = [
        definition_json(f.name, f.kind, f.choices, f.minimum, f.maximum, f.description)
        for f in fields
    ]
    return {SCHEMA_KEY: SCHEMA_VERSION, "labels": out_labels, "doc_labels": out_fields}


def definition_json(
    name: str,
    kind: str,
    choices: Sequence[str],
    minimum: float | None,
    maximum: float | None,
    description: str,
) -> dict[str, Any]:
    item: dict[str, Any] = {"name": name, "type": kind}
    if choices:
        item["choices"] = list(choices)
    if minimum is not None:
        item["min"] = minimum
    if maximum is not None:
        item["max"] = maximum
    if description:
        item["description"] = description
    return item


def write_schema(project: Project, out: Path) -> None:
    text = json.dumps(export_schema(project), ensure_ascii=False, indent=2) + "\n"
    tmp = out.with_name(out.name + ".part")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ProjectError(out, f"cannot be written: {exc.strerror or exc}") from exc


# ----------------------------------------------------------------------------- import
class _Located(dict[str, Any]):
    """A JSON object that knows the line it starts on and the line of each of its keys."""

    line: int = 1
    key_lines: dict[str, int]


def _load_located(text: str) -> Any:
    """json.loads, with each object a :class:`_Located` (for messages naming lines)."""
    decoder = json.JSONDecoder()

    def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:
        s, end = s_and_end
        obj, new_end = json.decoder.JSONObject(s_and_end, *args)  # type: ignore[attr-defined]
        located = _Located(obj)
        located.line = s.count("\n", 0, end) + 1
        located.key_lines = {}
        for key in located:
            found = re.search(re.escape(json.dumps(key)) + r"\s*:", s[end:new_end]) or re.search(
                re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:", s[end:new_end]
            )
            located.key_lines[key] = (
                s.count("\n", 0, end + found.start()) + 1 if found else located.line
            )
        return located, new_end

    # The pure-Python scanner calls the decoder's parse_object (the C one does not).
    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    return decoder.decode(text)


@dataclass(frozen=True, slots=True)
class _LabelEntry:
    name: str
    color: str | None
    hotkey: str | None
    description: str | None
    parent: str | None
    attributes: tuple[AttributeDef, ...] | None


@dataclass(frozen=True, slots=True)
class _FieldEntry:
    name: str
    kind: str
    choices: tuple[str, ...]
    minimum: float | None
    maximum: float | None
    description: str


@dataclass(frozen=True, slots=True)
class SchemaImport:
    """What importing a schema file did."""

    labels_added: int
    labels_updated: int
    fields_added: int
    fields_updated: int

    def describe(self) -> str:
        return (
            f"{self.labels_added} label(s) added, {self.labels_updated} updated; "
            f"{self.fields_added} document label field(s) added, {self.fields_updated} updated; "
            "nothing deleted."
        )


class _Checker:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[str] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(f"{self.path}:{line}: {message}")

    def unknown_keys(self, obj: _Located, allowed: frozenset[str], what: str) -> None:
        for key in obj:
            if key not in allowed:
                self.problem(
                    obj.key_lines.get(key, obj.line),
                    f"unknown field {key!r} in {what} (known: {', '.join(sorted(allowed))})",
                )

    def text(self, obj: _Located, key: str, what: str, *, required: bool = False) -> str | None:
        value = obj.get(key)
        if value is None:
            if required:
                self.problem(obj.line, f"{what} has no {key!r}")
            return None
        if not isinstance(value, str):
            self.problem(obj.key_lines.get(key, obj.line), f"{what}: {key!r} must be a string")
            return None
        return value

    def number(self, obj: _Located, key: str, what: str) -> float | None:
        value = obj.get(key)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.problem(obj.key_lines.get(key, obj.line), f"{what}: {key!r} must be a number")
            return None
        return float(value)

    def objects(self, value: Any, line: int, what: str) -> list[_Located]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(line, f"{what} must be a list")
            return []
        found = []
        for item in value:
            if isinstance(item, _Located):
                found.append(item)
            else:
                self.problem(line, f"each entry of {what} must be an object")
        return found

    def definition(
        self, obj: _Located, kinds: Sequence[str], what: str
    ) -> tuple[str, str, tuple[str, ...], float | None, float | None, str] | None:
        self.unknown_keys(obj, _ATTRIBUTE_KEYS, what)
        name = (self.text(obj, "name", what, required=True) or "").strip()
        kind = self.text(obj, "type", what, required=True) or ""
        if obj.get("type") is not None and kind not in kinds:
            self.problem(
                obj.key_lines.get("type", obj.line),
                f"{what} {name!r}: type {kind!r} is not one of " + ", ".join(kinds),
            )
        choices_raw = obj.get("choices", [])
        choices: list[str] = []
        if not isinstance(choices_raw, list) or not all(
            isinstance(c, str) and c.strip() for c in choices_raw
        ):
            self.problem(
                obj.key_lines.get("choices", obj.line),
                f"{what} {name!r}: 'choices' must be a list of non-empty strings",
            )
        else:
            choices = [c.strip() for c in choices_raw]
        if kind in ("choice", "single", "multiple") and not choices:
            self.problem(obj.line, f"{what} {name!r}: a {kind} needs 'choices'")
        minimum = self.number(obj, "min", what)
        maximum = self.number(obj, "max", what)
        if minimum is not None and maximum is not None and minimum > maximum:
            self.problem(obj.line, f"{what} {name!r}: 'min' is above 'max'")
        description = self.text(obj, "description", what) or ""
        if not name:
            if "name" in obj:
                self.problem(obj.line, f"{what} has an empty name")
            return None
        return name, kind, tuple(choices), minimum, maximum, description


def read_schema_file(path: Path) -> tuple[list[_LabelEntry], list[_FieldEntry]]:
    """Check a schema file completely; raises :class:`SchemaFileError` listing every problem."""
    try:
        raw = path.read_bytes()[: MAX_SCHEMA_BYTES + 1]
    except OSError as exc:
        raise SchemaFileError(path, [f"{path}: cannot be read: {exc.strerror or exc}"]) from exc
    if len(raw) > MAX_SCHEMA_BYTES:
        raise SchemaFileError(path, [f"{path}: larger than {MAX_SCHEMA_BYTES} bytes"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SchemaFileError(path, [f"{path}:{line}: not valid UTF-8"]) from exc
    try:
        data = _load_located(text)
    except json.JSONDecodeError as exc:
        raise SchemaFileError(path, [f"{path}:{exc.lineno}: malformed JSON: {exc.msg}"]) from exc
    except RecursionError:
        raise SchemaFileError(path, [f"{path}: JSON nested too deeply"]) from None
    check = _Checker(path)
    if not isinstance(data, _Located):
        raise SchemaFileError(path, [f"{path}:1: a schema file holds one JSON object"])
    check.unknown_keys(data, _TOP_KEYS, "the schema")
    version = data.get(SCHEMA_KEY)
    if version != SCHEMA_VERSION:
        check.problem(
            data.key_lines.get(SCHEMA_KEY, data.line),
            f"not a News Annotator schema of version {SCHEMA_VERSION} "
            f"('{SCHEMA_KEY}': {json.dumps(version)})",
        )
    labels: list[_LabelEntry] = []
    names_seen: set[str] = set()
    for obj in check.objects(data.get("labels"), data.key_lines.get("labels", 1), "'labels'"):
        check.unknown_keys(obj, _LABEL_KEYS, "a label")
        name = (check.text(obj, "name", "a label", required=True) or "").strip()
        color = check.text(obj, "color", f"label {name!r}")
        if color is not None and not _COLOR.fullmatch(color):
            check.problem(
                obj.key_lines.get("color", obj.line),
                f"label {name!r}: colour {color!r} is not #rrggbb",
            )
        hotkey = check.text(obj, "hotkey", f"label {name!r}")
        description = check.text(obj, "description", f"label {name!r}")
        parent = check.text(obj, "parent", f"label {name!r}")
        attributes: tuple[AttributeDef, ...] | None = None
        if "attributes" in obj:
            defs = []
            attr_names: set[str] = set()
            for attr in check.objects(
                obj["attributes"], obj.key_lines["attributes"], f"attributes of {name!r}"
            ):
                parsed = check.definition(attr, ATTRIBUTE_KINDS, f"attribute of {name!r}")
                if parsed is None:
                    continue
                if parsed[0] in attr_names:
                    check.problem(
                        attr.line, f"label {name!r} defines attribute {parsed[0]!r} twice"
                    )
                attr_names.add(parsed[0])
                defs.append(AttributeDef(*parsed))
            attributes = tuple(defs)
        if not name:
            continue
        if name in names_seen:
            check.problem(obj.line, f"label {name!r} is listed twice")
        names_seen.add(name)
        labels.append(_LabelEntry(name, color, hotkey, description, parent, attributes))
    fields: list[_FieldEntry] = []
    field_names: set[str] = set()
    for obj in check.objects(
        data.get("doc_labels"), data.key_lines.get("doc_labels", 1), "'doc_labels'"
    ):
        parsed = check.definition(obj, DOC_FIELD_KINDS, "document label field")
        if parsed is None:
            continue
        if parsed[0] in field_names:
            check.problem(obj.line, f"document label field {parsed[0]!r} is listed twice")
        field_names.add(parsed[0])
        fields.append(_FieldEntry(*parsed))
    if check.problems:
        raise SchemaFileError(path, check.problems)
    return labels, fields


def import_schema(project: Project, path: Path) -> SchemaImport:
    """Check ``path`` completely, then apply it in one transaction (see the module's doc)."""
    labels, fields = read_schema_file(path)
    project.require_writable()
    existing = {label.name: label for label in project.labels()}
    known = set(existing) | {entry.name for entry in labels}
    problems = [
        f"{path}: label {entry.name!r}: parent {entry.parent!r} is neither in the file nor in "
        "the project"
        for entry in labels
        if entry.parent and entry.parent not in known
    ]
    if problems:
        raise SchemaFileError(path, problems)
    added = updated = 0
    field_names = {f.name for f in doc_fields(project)}
    with project.atomic():
        ids: dict[str, int] = {name: label.id for name, label in existing.items()}
        for entry in labels:
            if entry.name in existing:
                changes = {
                    key: value
                    for key, value in (
                        ("color", entry.color),
                        ("hotkey", entry.hotkey),
                        ("description", entry.description),
                    )
                    if value is not None
                }
                if changes:
                    project.update_label(ids[entry.name], **changes)
                updated += 1
            else:
                color = entry.color or LABEL_PALETTE[len(ids) % len(LABEL_PALETTE)]
                label = project.add_label(
                    LabelSpec(entry.name, color, entry.hotkey or "", entry.description or "")
                )
                ids[entry.name] = label.id
                added += 1
        for entry in labels:
            if entry.parent is not None:
                try:
                    set_label_parent(
                        project, ids[entry.name], ids[entry.parent] if entry.parent else None
                    )
                except ProjectError as exc:
                    raise SchemaFileError(
                        path, [f"{path}: label {entry.name!r}: {exc.message}"]
                    ) from exc
            if entry.attributes is not None:
                set_attribute_defs(project, ids[entry.name], entry.attributes)
        for f in fields:
            save_doc_field(
                project,
                f.name,
                f.kind,
                choices=f.choices,
                minimum=f.minimum,
                maximum=f.maximum,
                description=f.description,
            )
    return SchemaImport(
        labels_added=added,
        labels_updated=updated,
        fields_added=sum(1 for f in fields if f.name not in field_names),
        fields_updated=sum(1 for f in fields if f.name in field_names),
    )
