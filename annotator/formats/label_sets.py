"""The label set a file carries, read and applied to the project an import goes into.

A JSONL or csv-articles export writes its label set beside it as ``NAME.labels.json``: a schema file (see
:mod:`annotator.store.schema_file`) of the exported labels, with their colours, hotkeys,
descriptions, parents and attribute definitions, and the project's document label fields. Files
of earlier versions hold only ``{"labels": [{name, color, hotkey, description}, ...]}``; both
are read.

Applying a label set (:func:`apply_label_set`, for every format whose reader yields one: JSONL,
Parquet, Label Studio) adds what the project lacks and never changes what it has: labels it
lacks are created with the file's colours, hotkeys and descriptions; a label without attribute
definitions gets the file's; a label the import created is put under the file's parent; document
label fields it lacks are defined. Where the project's own differ, it keeps them, and a note
says which.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from annotator.core.model import LABEL_PALETTE, Label, LabelSpec
from annotator.core.schema import DocField
from annotator.formats.decode import DecodeError, decode_bytes
from annotator.formats.export_model import LabelSchema
from annotator.formats.limits import MAX_WHOLE_FILE_BYTES, TooLarge, load_json, read_bounded
from annotator.formats.records import InvalidRecord, LabelSetRecord, RecordError, Rejection
from annotator.store import Project, ProjectError
from annotator.store.doc_labels import doc_fields, save_doc_field
from annotator.store.schema_defs import attribute_defs, set_attribute_defs, set_label_parent
from annotator.store.schema_file import SCHEMA_KEY, SchemaFileError, read_schema_file, schema_json

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def labels_path(path: Path) -> Path:
    """``data.jsonl`` -> ``data.labels.json``: the label set beside a JSONL file."""
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    return path.with_name(stem + ".labels.json")


def label_set_text(labels: Sequence[Label], schema: LabelSchema) -> str:
    """The ``NAME.labels.json`` written beside an export: a schema file of ``labels``."""
    data = schema_json(labels, schema.attributes, schema.parents, schema.doc_fields)
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


# ------------------------------------------------------------------------------------ reading
def read_label_set(path: Path) -> Iterator[LabelSetRecord | RecordError]:
    """The label set of the ``NAME.labels.json`` beside ``path``, if there is one."""
    sidecar = labels_path(path)
    if not sidecar.is_file():
        return
    try:
        data = load_json(decode_bytes(read_bounded(sidecar, MAX_WHOLE_FILE_BYTES, "label set", "")))
        if isinstance(data, dict) and SCHEMA_KEY in data:
            yield _schema_label_set(sidecar)
            return
        items = data["labels"] if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise InvalidRecord("'labels' must be a list")
        specs = []
        for i, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                raise InvalidRecord(f"label {i} must be an object with a 'name'")
            color = item.get("color")
            specs.append(
                LabelSpec(
                    item["name"],
                    color if isinstance(color, str) and _HEX.match(color) else "",
                    _text_or_empty(item.get("hotkey")),
                    _text_or_empty(item.get("description")),
                )
            )
    except SchemaFileError as exc:
        for problem in exc.problems:
            yield RecordError(None, f"label set not read: {problem}", sidecar)
        return
    except (OSError, TooLarge, DecodeError, InvalidRecord, json.JSONDecodeError, KeyError) as exc:
        message = getattr(exc, "message", None) or str(exc)
        yield RecordError(None, f"label set not read: {message}", sidecar)
        return
    yield LabelSetRecord(tuple(specs))


def _schema_label_set(sidecar: Path) -> LabelSetRecord:
    """A label set written as a schema file; raises :class:`SchemaFileError`."""
    labels, fields = read_schema_file(sidecar)
    return LabelSetRecord(
        tuple(
            LabelSpec(entry.name, entry.color or "", entry.hotkey or "", entry.description or "")
            for entry in labels
        ),
        doc_fields=tuple(
            DocField(0, f.name, f.kind, f.choices, f.minimum, f.maximum, f.description, i)
            for i, f in enumerate(fields)
        ),
        attributes={entry.name: entry.attributes for entry in labels if entry.attributes},
        parents={entry.name: entry.parent for entry in labels if entry.parent},
    )


Definition = tuple[str, str, tuple[str, ...], float | None, float | None, str]


def definition_of(item: object) -> Definition | None:
    """An attribute or field definition written as a schema file writes one (``name``,
    ``type``, ``choices``, ``min``, ``max``, ``description``) as the arguments of
    :class:`~annotator.core.schema.AttributeDef` after the id of a ``DocField``; None when it
    has no name or a value of the wrong kind."""
    if not isinstance(item, dict):
        return None
    name, kind = item.get("name"), item.get("type")
    choices = item.get("choices", [])
    bounds = [item.get(key) for key in ("min", "max")]
    if not (
        isinstance(name, str)
        and name.strip()
        and isinstance(kind, str)
        and isinstance(choices, list)
        and all(isinstance(c, str) for c in choices)
        and all(
            b is None or (isinstance(b, int | float) and not isinstance(b, bool)) for b in bounds
        )
    ):
        return None
    low, high = (None if b is None else float(b) for b in bounds)
    return name.strip(), kind, tuple(choices), low, high, str(item.get("description") or "")


def _text_or_empty(value: object) -> str:
    return value if isinstance(value, str) else ""


# ----------------------------------------------------------------------------------- applying
def apply_label_set(
    project: Project, record: LabelSetRecord, notes: list[Rejection], path: Path
) -> None:
    """Add to the project what the label set has and it lacks (see the module's doc); what
    the project keeps of its own, and what could not be added, goes into ``notes``."""

    def note(message: str) -> None:
        notes.append(Rejection(path, record.line, message))

    existing = {label.name: label for label in project.labels()}
    used = {label.hotkey for label in existing.values() if label.hotkey}
    clashes: list[str] = []
    differing: list[str] = []
    created: set[str] = set()
    for spec in record.labels:
        name = spec.name.strip()
        if not name:
            continue
        have = existing.get(name)
        if have is not None:
            if (spec.color and spec.color.lower() != have.color.lower()) or (
                spec.hotkey and spec.hotkey != have.hotkey
            ):
                differing.append(name)
            continue
        if not spec.color:
            spec = replace(spec, color=LABEL_PALETTE[len(existing) % len(LABEL_PALETTE)])
        if spec.hotkey and spec.hotkey in used:
            clashes.append(f"{name} ({spec.hotkey})")
            spec = replace(spec, hotkey="")
        try:
            label = project.add_label(replace(spec, name=name))
        except (ProjectError, ValueError) as exc:
            note(f"label {name!r} not created: {exc}")
            continue
        existing[name] = label
        created.add(name)
        if label.hotkey:
            used.add(label.hotkey)
    kept_attributes: list[str] = []
    for name, defs in record.attributes.items():
        target = existing.get(name.strip())
        if target is None:
            continue
        have_defs = attribute_defs(project, target.id)
        if not have_defs:
            try:
                set_attribute_defs(project, target.id, defs)
            except ProjectError as exc:
                note(f"attribute definitions of label {name!r} not added: {exc.message}")
        elif tuple(have_defs) != tuple(defs):
            kept_attributes.append(name)
    for name, parent in record.parents.items():
        if name not in created or parent not in existing:
            continue
        try:
            set_label_parent(project, existing[name].id, existing[parent].id)
        except ProjectError as exc:
            note(f"label {name!r} not put under {parent!r}: {exc.message}")
    _apply_doc_fields(project, record, note)
    if clashes:
        note(
            "label(s) created without the file's hotkey, which another label has: "
            + ", ".join(clashes)
        )
    if differing:
        note(
            "label(s) already in the project kept their own colour and hotkey: "
            + ", ".join(differing)
        )
    if kept_attributes:
        note(
            "label(s) already in the project kept their own attribute definitions: "
            + ", ".join(kept_attributes)
        )


def _apply_doc_fields(
    project: Project, record: LabelSetRecord, note: Callable[[str], None]
) -> None:
    """Define the document label fields of a file's schema that the project lacks; a field it
    has keeps its own definition (said when the file's differs)."""
    if not record.doc_fields:
        return
    have = {f.name: f for f in doc_fields(project)}
    differing: list[str] = []
    for field_def in record.doc_fields:
        existing = have.get(field_def.name)
        if existing is not None:
            if existing.kind != field_def.kind or (
                field_def.choices and not set(field_def.choices) <= set(existing.choices)
            ):
                differing.append(field_def.name)
            continue
        try:
            save_doc_field(
                project,
                field_def.name,
                field_def.kind,
                choices=field_def.choices,
                minimum=field_def.minimum,
                maximum=field_def.maximum,
                description=field_def.description,
            )
        except ProjectError as exc:
            note(f"document label field {field_def.name!r} not defined: {exc}")
    if differing:
        note(
            "document label field(s) already in the project kept their own definition: "
            + ", ".join(differing)
        )
