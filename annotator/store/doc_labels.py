"""Document-level labels: the fields a project defines and each article's values of them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from annotator.core.schema import DOC_FIELD_KINDS, DocField, doc_value_problems
from annotator.store.project import Project, ProjectError

_FIELD_COLUMNS = "id, name, kind, choices, minimum, maximum, description, position"


def _field(row: Sequence[Any]) -> DocField:
    try:
        choices = json.loads(row[3])
    except ValueError:
        choices = []
    return DocField(
        id=row[0],
        name=row[1],
        kind=row[2],
        choices=tuple(str(c) for c in choices) if isinstance(choices, list) else (),
        minimum=row[4],
        maximum=row[5],
        description=row[6],
        position=row[7],
    )


def doc_fields(project: Project) -> list[DocField]:
    rows = project.db.conn.execute(
        f"SELECT {_FIELD_COLUMNS} FROM doc_fields ORDER BY position, id"
    ).fetchall()
    return [_field(r) for r in rows]


def doc_field_by_name(project: Project, name: str) -> DocField | None:
    row = project.db.conn.execute(
        f"SELECT {_FIELD_COLUMNS} FROM doc_fields WHERE name = ?", (name,)
    ).fetchone()
    return _field(row) if row else None


def save_doc_field(
    project: Project,
    name: str,
    kind: str,
    *,
    choices: Sequence[str] = (),
    minimum: float | None = None,
    maximum: float | None = None,
    description: str = "",
) -> DocField:
    """Define a field, or redefine the one of that name (articles' values are kept)."""
    project.require_writable()
    name = name.strip()
    if not name:
        raise ProjectError(project.path, "a document label field needs a name")
    if kind not in DOC_FIELD_KINDS:
        raise ProjectError(
            project.path,
            f"field {name!r}: type {kind!r} is not one of " + ", ".join(DOC_FIELD_KINDS),
        )
    if kind in ("single", "multiple") and not choices:
        raise ProjectError(project.path, f"field {name!r}: a choice field needs choices")
    conn = project.db.conn
    encoded = json.dumps(list(choices), ensure_ascii=False)
    with project.atomic():
        existing = doc_field_by_name(project, name)
        if existing is None:
            position = conn.execute(
                "SELECT coalesce(max(position) + 1, 0) FROM doc_fields"
            ).fetchone()[0]
            conn.execute(
                "INSERT INTO doc_fields(name, kind, choices, minimum, maximum, description,"
                " position) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (name, kind, encoded, minimum, maximum, description, position),
            )
        else:
            conn.execute(
                "UPDATE doc_fields SET kind = ?, choices = ?, minimum = ?, maximum = ?,"
                " description = ? WHERE id = ?",
                (kind, encoded, minimum, maximum, description, existing.id),
            )
    field = doc_field_by_name(project, name)
    assert field is not None
    return field


def doc_labels(project: Project, article_id: int) -> dict[str, list[str]]:
    """An article's values, by field name, fields in their order."""
    return doc_labels_of(project, [article_id]).get(article_id, {})


def doc_labels_of(project: Project, article_ids: Iterable[int]) -> dict[int, dict[str, list[str]]]:
    """The values of several articles (those with none are left out)."""
    ids = sorted(set(article_ids))
    found: dict[int, dict[str, list[str]]] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        rows = project.db.conn.execute(
            "SELECT d.article_id, f.name, d.value FROM doc_labels d"
            " JOIN doc_fields f ON f.id = d.field_id"
            f" WHERE d.article_id IN ({', '.join('?' * len(chunk))})"
            " ORDER BY d.article_id, f.position, f.id, d.value",
            chunk,
        )
        for article_id, name, value in rows:
            found.setdefault(article_id, {}).setdefault(name, []).append(value)
    return found


def doc_label_problems(project: Project, values: Mapping[str, Sequence[str]]) -> list[str]:
    """Why these values (field name -> values) cannot be stored: unknown fields, bad values."""
    fields = {f.name: f for f in doc_fields(project)}
    problems: list[str] = []
    for name, items in values.items():
        field = fields.get(name)
        if field is None:
            known = ", ".join(fields) or "none defined"
            problems.append(
                f"unknown document label field {name!r} (fields: {known}; define it in the "
                "label schema first)"
            )
            continue
        problems.extend(doc_value_problems(field, list(items)))
    return problems


def set_doc_labels(
    project: Project, article_id: int, values: Mapping[str, Sequence[str]]
) -> dict[str, list[str]]:
    """Set the named fields of an article (an empty list clears one); other fields stay.

    Checked first: nothing is stored when a field is unknown or a value breaks its definition.
    Returns the article's previous values of those fields, which undo sets back.
    """
    project.require_writable()
    problems = doc_label_problems(project, values)
    if problems:
        raise ProjectError(project.path, "; ".join(problems))
    if not project.has_article(article_id):
        raise ProjectError(project.path, f"has no article {article_id}")
    fields = {f.name: f for f in doc_fields(project)}
    before_all = doc_labels(project, article_id)
    before = {name: before_all.get(name, []) for name in values}
    conn = project.db.conn
    with project.atomic():
        for name, items in values.items():
            field_id = fields[name].id
            conn.execute(
                "DELETE FROM doc_labels WHERE article_id = ? AND field_id = ?",
                (article_id, field_id),
            )
            conn.executemany(
                "INSERT OR IGNORE INTO doc_labels(article_id, field_id, value) VALUES (?, ?, ?)",
                [(article_id, field_id, str(v)) for v in items],
            )
    return before
