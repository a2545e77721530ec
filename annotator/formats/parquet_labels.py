"""The label set of a Parquet export: ``labels.parquet`` and ``doc_fields.parquet``.

- labels: ``name``, ``color``, ``hotkey``, ``description``, ``parent`` strings (``parent`` is
  the name of the label it sits under, empty at the top), ``position`` int32, and
  ``attributes``, a list of definitions;
- doc_fields: the project's document label fields, one definition per row, with ``position``.

A definition is a struct of ``name``, ``type`` (an attribute's ``choice``, ``text`` or
``number``; a field's ``single``, ``multiple``, ``number`` or ``text``), ``choices`` (a list of
strings), ``min`` and ``max`` (doubles, null when not set) and ``description``. Nothing but
``min`` and ``max`` is nullable. Labels tables of earlier versions (without ``parent`` and
``attributes``) are read too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from annotator.core.model import Label, LabelSpec
from annotator.core.schema import AttributeDef, DocField
from annotator.formats.export_model import LabelSchema
from annotator.formats.label_sets import definition_of
from annotator.formats.records import LabelSetRecord

LABELS = "labels.parquet"
DOC_FIELDS = "doc_fields.parquet"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_DEFINITION_KEYS = ("name", "type", "choices", "min", "max", "description")


def _definition_type(pa: Any) -> Any:
    text = pa.string()
    return pa.struct(
        [
            pa.field("name", text, nullable=False),
            pa.field("type", text, nullable=False),
            pa.field("choices", pa.list_(pa.field("item", text, nullable=False)), nullable=False),
            pa.field("min", pa.float64()),
            pa.field("max", pa.float64()),
            pa.field("description", text, nullable=False),
        ]
    )


def labels_schema(pa: Any) -> Any:
    definitions = pa.list_(pa.field("item", _definition_type(pa), nullable=False))
    return pa.schema(
        [
            pa.field(name, pa.string(), nullable=False)
            for name in ("name", "color", "hotkey", "description", "parent")
        ]
        + [
            pa.field("position", pa.int32(), nullable=False),
            pa.field("attributes", definitions, nullable=False),
        ]
    )


def doc_fields_schema(pa: Any) -> Any:
    return pa.schema(
        [pa.field(name, kind, nullable=kind == pa.float64()) for name, kind in _fields(pa)]
        + [pa.field("position", pa.int32(), nullable=False)]
    )


def _fields(pa: Any) -> list[tuple[str, Any]]:
    return [(f.name, f.type) for f in _definition_type(pa)]


def _definition(
    name: str,
    kind: str,
    choices: Sequence[str],
    minimum: float | None,
    maximum: float | None,
    description: str,
) -> dict[str, Any]:
    return {
        "name": name,
        "type": kind,
        "choices": list(choices),
        "min": minimum,
        "max": maximum,
        "description": description,
    }


def write_label_tables(
    pa: Any, pq: Any, folder: Path, labels: Sequence[Label], schema: LabelSchema
) -> list[Path]:
    """Write both tables into ``folder``; their paths."""
    rows = [
        {
            "name": label.name,
            "color": label.color,
            "hotkey": label.hotkey,
            "description": label.description,
            "parent": schema.parents.get(label.name, ""),
            "position": i,
            "attributes": [
                _definition(d.name, d.kind, d.choices, d.minimum, d.maximum, d.description)
                for d in schema.attributes.get(label.name, ())
            ],
        }
        for i, label in enumerate(labels)
    ]
    pq.write_table(
        pa.Table.from_pylist(rows, schema=labels_schema(pa)), folder / LABELS, compression="zstd"
    )
    fields = [
        {
            **_definition(f.name, f.kind, f.choices, f.minimum, f.maximum, f.description),
            "position": i,
        }
        for i, f in enumerate(schema.doc_fields)
    ]
    pq.write_table(
        pa.Table.from_pylist(fields, schema=doc_fields_schema(pa)),
        folder / DOC_FIELDS,
        compression="zstd",
    )
    return [folder / LABELS, folder / DOC_FIELDS]


def read_label_tables(pq: Any, folder: Path) -> LabelSetRecord | None:
    """The label set of the tables in ``folder`` (None when it has neither); raises what
    pyarrow raises for a damaged file."""
    labels_file, fields_file = folder / LABELS, folder / DOC_FIELDS
    if not labels_file.is_file() and not fields_file.is_file():
        return None
    specs: list[LabelSpec] = []
    attributes: dict[str, tuple[AttributeDef, ...]] = {}
    parents: dict[str, str] = {}
    for row in _table_rows(pq, labels_file):
        name = _text(row.get("name")).strip()
        color = _text(row.get("color"))
        if not name or (color and not _HEX.match(color)):
            continue
        specs.append(
            LabelSpec(name, color, _text(row.get("hotkey")), _text(row.get("description")))
        )
        parsed = [definition_of(d) for d in _items(row.get("attributes"))]
        defs = tuple(AttributeDef(*p) for p in parsed if p is not None)
        if defs:
            attributes[name] = defs
        parent = _text(row.get("parent")).strip()
        if parent:
            parents[name] = parent
    found = [definition_of(row) for row in _table_rows(pq, fields_file)]
    fields = tuple(DocField(0, *p, position=i) for i, p in enumerate(found) if p is not None)
    return LabelSetRecord(tuple(specs), doc_fields=fields, attributes=attributes, parents=parents)


def _table_rows(pq: Any, path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
    return rows


def _items(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
