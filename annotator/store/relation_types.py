"""The project's relation types: an editable list kept in the project file, ``attributed_to``
always first and the default for new links; types relations already use are always offered."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable

from annotator.core.model import DEFAULT_RELATION_TYPE
from annotator.store.layers import set_info
from annotator.store.project import Project, ProjectError

RELATION_TYPES_KEY = "relation_types"
MAX_TYPE_LENGTH = 64


def relation_types(project: Project) -> list[str]:
    """The types offered for new relations: the stored list (default first), then any type
    relations of the project use that the list lacks."""
    stored: list[str] = []
    raw = project.info(RELATION_TYPES_KEY)
    if raw:
        try:
            value = json.loads(raw)
        except ValueError:
            value = None
        if isinstance(value, list):
            stored = [t for t in value if isinstance(t, str) and valid_type_problem(t) is None]
    used = [
        str(row[0])
        for row in project.db.conn.execute("SELECT DISTINCT type FROM relations ORDER BY type")
    ]
    return list(dict.fromkeys([DEFAULT_RELATION_TYPE, *stored, *used]))


def valid_type_problem(name: str) -> str | None:
    """Why ``name`` cannot be a relation type, or None when it can."""
    if not name:
        return "a relation type needs a name"
    if len(name) > MAX_TYPE_LENGTH:
        return f"“{name[:20]}…” is longer than {MAX_TYPE_LENGTH} characters"
    if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in name):
        # Exchange formats (brat, CoNLL columns) separate fields with white space.
        return f"“{name}” contains a space or an invisible character; use _ instead"
    return None


def set_relation_types(project: Project, types: Iterable[str]) -> list[str]:
    """Store a new list (``attributed_to`` is kept first whatever the list says); refuses the
    whole list, changing nothing, when a name is unusable or given twice."""
    names = [t.strip() for t in types]
    seen: set[str] = set()
    for name in names:
        problem = valid_type_problem(name)
        if problem is not None:
            raise ProjectError(project.path, f"Relation types: {problem}.")
        if name.casefold() in seen:
            raise ProjectError(project.path, f"Relation types: “{name}” is listed twice.")
        seen.add(name.casefold())
    ordered = list(dict.fromkeys([DEFAULT_RELATION_TYPE, *names]))
    set_info(project, RELATION_TYPES_KEY, json.dumps(ordered, ensure_ascii=False))
    return relation_types(project)
