"""The label schema a project holds beyond its labels: the hierarchy (a label's parent) and the
attribute definitions of each label. Document label fields are store/doc_labels.py; the JSON
file a team shares them in is store/schema_file.py."""

from __future__ import annotations

import json
import json.decoder
import json.scanner
from collections.abc import Sequence

from annotator.core.schema import ATTRIBUTE_KINDS, AttributeDef
from annotator.store.project import Project, ProjectError


# --------------------------------------------------------------------------- hierarchy
def label_parents(project: Project) -> dict[int, int]:
    """label id -> parent label id, for labels that sit under another."""
    return dict(project.db.conn.execute("SELECT label_id, parent_id FROM label_parents"))


def set_label_parent(project: Project, label_id: int, parent_id: int | None) -> None:
    """Put a label under another (None: at the top); a cycle is refused."""
    project.require_writable()
    project.label(label_id)
    if parent_id is not None:
        project.label(parent_id)
        parents = label_parents(project)
        step: int | None = parent_id
        while step is not None:
            if step == label_id:
                raise ProjectError(
                    project.path, "a label cannot sit under itself or one of its own sub-labels"
                )
            step = parents.get(step)
    with project.atomic():
        project.db.conn.execute("DELETE FROM label_parents WHERE label_id = ?", (label_id,))
        if parent_id is not None:
            project.db.conn.execute(
                "INSERT INTO label_parents(label_id, parent_id) VALUES (?, ?)",
                (label_id, parent_id),
            )


def label_path(project: Project, label_id: int) -> list[str]:
    """The label's name after its ancestors' (["Source", "Anonymous"])."""
    parents = label_parents(project)
    names = {label.id: label.name for label in project.labels()}
    path = [names[label_id]]
    step = parents.get(label_id)
    while step is not None and len(path) <= len(names):
        path.insert(0, names[step])
        step = parents.get(step)
    return path


# ------------------------------------------------------------------------- attributes
def attribute_defs(project: Project, label_id: int) -> list[AttributeDef]:
    rows = project.db.conn.execute(
        "SELECT name, kind, choices, minimum, maximum, description FROM label_attributes"
        " WHERE label_id = ? ORDER BY position, id",
        (label_id,),
    ).fetchall()
    return [
        AttributeDef(name, kind, tuple(_choices(choices)), minimum, maximum, description)
        for name, kind, choices, minimum, maximum, description in rows
    ]


def _choices(raw: str) -> list[str]:
    try:
        parsed = json.loads(raw)
    except ValueError:
        return []
    return [str(c) for c in parsed] if isinstance(parsed, list) else []


def set_attribute_defs(project: Project, label_id: int, defs: Sequence[AttributeDef]) -> None:
    """Give a label exactly these attribute definitions (span attribute values are kept)."""
    project.require_writable()
    project.label(label_id)
    for d in defs:
        if d.kind not in ATTRIBUTE_KINDS:
            raise ProjectError(project.path, f"attribute {d.name!r}: unknown type {d.kind!r}")
    with project.atomic():
        conn = project.db.conn
        conn.execute("DELETE FROM label_attributes WHERE label_id = ?", (label_id,))
        conn.executemany(
            "INSERT INTO label_attributes(label_id, name, kind, choices, minimum, maximum,"
            " description, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    label_id,
                    d.name,
                    d.kind,
                    json.dumps(list(d.choices), ensure_ascii=False),
                    d.minimum,
                    d.maximum,
                    d.description,
                    position,
                )
                for position, d in enumerate(defs)
            ],
        )
