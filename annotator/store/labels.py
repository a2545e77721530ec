"""The project's label set: adding, renaming, recolouring, reordering and deleting labels (with
their spans, and what restores them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from annotator.core.model import LABEL_PALETTE, Label, LabelSnapshot, LabelSpec
from annotator.store.rows import LABEL_COLUMNS, Handle, label_from_row
from annotator.store.spans import SpanRepository


class LabelRepository:
    """The labels of one project."""

    def __init__(self, handle: Handle, spans: SpanRepository) -> None:
        self._h = handle
        self._spans = spans

    def all(self) -> list[Label]:
        rows = self._h.conn.execute(
            f"SELECT {LABEL_COLUMNS} FROM labels ORDER BY position, id"
        ).fetchall()
        return [label_from_row(r) for r in rows]

    def get(self, label_id: int) -> Label:
        row = self._h.conn.execute(
            f"SELECT {LABEL_COLUMNS} FROM labels WHERE id = ?", (label_id,)
        ).fetchone()
        if row is None:
            raise self._h.error(f"has no label {label_id}")
        return label_from_row(row)

    def by_name(self, name: str) -> Label | None:
        row = self._h.conn.execute(
            f"SELECT {LABEL_COLUMNS} FROM labels WHERE name = ?", (name,)
        ).fetchone()
        return label_from_row(row) if row else None

    def insert(
        self, spec: LabelSpec, label_id: int | None = None, position: int | None = None
    ) -> Label:
        """Insert a label row, last unless ``position`` is given, inside the caller's
        transaction (no checks: see :meth:`add`)."""
        conn = self._h.conn
        if position is None:
            query = "SELECT coalesce(max(position) + 1, 0) FROM labels"
            position = int(conn.execute(query).fetchone()[0])
        cursor = conn.execute(
            "INSERT INTO labels(id, name, color, hotkey, description, position)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (label_id, spec.name, spec.color, spec.hotkey, spec.description, position),
        )
        assert cursor.lastrowid is not None
        return self.get(cursor.lastrowid)

    def _free_name(self, name: str, label_id: int | None = None) -> str:
        name = name.strip()
        if not name:
            raise self._h.error("a label needs a name")
        other = self.by_name(name)
        if other is not None and other.id != label_id:
            raise self._h.error(f"already has a label named {name!r}")
        return name

    def add(self, spec: LabelSpec) -> Label:
        h = self._h
        h.writable()
        name = self._free_name(spec.name)
        with h.db.atomic():
            return self.insert(LabelSpec(name, spec.color, spec.hotkey, spec.description))

    def ensure(self, name: str) -> Label:
        """The label of that name, created with the next palette colour when missing."""
        label = self.by_name(name)
        if label is not None:
            return label
        labels = self.all()
        used = {lb.hotkey for lb in labels}
        hotkey = next((str(k) for k in range(1, 10) if str(k) not in used), "")
        color = LABEL_PALETTE[len(labels) % len(LABEL_PALETTE)]
        return self.add(LabelSpec(name, color, hotkey))

    def update(self, label_id: int, **changes: Any) -> tuple[Label, Label]:
        """Change name, color, hotkey or description; return (before, after)."""
        h = self._h
        h.writable()
        allowed = {"name", "color", "hotkey", "description"}
        bad = set(changes) - allowed
        if bad:
            raise ValueError(f"cannot change {sorted(bad)} of a label")
        before = self.get(label_id)
        if "name" in changes:
            changes["name"] = self._free_name(str(changes["name"]), label_id)
        if changes:
            assignments = ", ".join(f"{key} = ?" for key in changes)
            with h.db.atomic():
                h.conn.execute(
                    f"UPDATE labels SET {assignments} WHERE id = ?", [*changes.values(), label_id]
                )
        return before, self.get(label_id)

    def reorder(self, label_ids: Sequence[int]) -> list[int]:
        """Put the labels in this order; return the previous order."""
        h = self._h
        h.writable()
        before = [lb.id for lb in self.all()]
        if sorted(before) != sorted(label_ids):
            raise h.error("a new label order must name every label once")
        with h.db.atomic():
            h.conn.executemany(
                "UPDATE labels SET position = ? WHERE id = ?",
                [(pos, lid) for pos, lid in enumerate(label_ids)],
            )
        return before

    def delete(self, label_id: int) -> LabelSnapshot:
        """Delete a label and its spans (and their relations); return what restores them."""
        h = self._h
        h.writable()
        label = self.get(label_id)
        span_ids = self._spans.ids_with_label(label_id)
        with h.db.atomic():
            snapshots = tuple(self._spans.snapshot(sid) for sid in span_ids)
            # Its place in the schema goes with it (the rows cascade): kept for the undo.
            parent = h.conn.execute(
                "SELECT parent_id FROM label_parents WHERE label_id = ?", (label_id,)
            ).fetchone()
            children = h.conn.execute(
                "SELECT label_id FROM label_parents WHERE parent_id = ? ORDER BY label_id",
                (label_id,),
            ).fetchall()
            attributes = h.conn.execute(
                "SELECT name, kind, choices, minimum, maximum, description, position"
                " FROM label_attributes WHERE label_id = ? ORDER BY position, id",
                (label_id,),
            ).fetchall()
            h.conn.execute("DELETE FROM labels WHERE id = ?", (label_id,))
        return LabelSnapshot(
            label,
            snapshots,
            parent_id=int(parent[0]) if parent else None,
            child_ids=tuple(int(row[0]) for row in children),
            attribute_rows=tuple(tuple(row) for row in attributes),
        )

    def restore(self, snapshot: LabelSnapshot) -> Label:
        h = self._h
        h.writable()
        lb = snapshot.label
        with h.db.atomic():
            # Deleting left a gap at the label's position: only make room if it was filled since,
            # so an undo gives every other label back its old position too.
            taken = h.conn.execute(
                "SELECT 1 FROM labels WHERE position = ?", (lb.position,)
            ).fetchone()
            if taken:
                h.conn.execute(
                    "UPDATE labels SET position = position + 1 WHERE position >= ?",
                    (lb.position,),
                )
            label = self.insert(
                LabelSpec(lb.name, lb.color, lb.hotkey, lb.description), lb.id, lb.position
            )
            self._restore_schema(label.id, snapshot)
            self._spans.put_back(snapshot.spans)
        return label

    def _restore_schema(self, label_id: int, snapshot: LabelSnapshot) -> None:
        """Put a restored label back in the schema: under its parent (if that still exists),
        over its children (those that still exist and found no other parent meanwhile), with
        its attribute definitions."""
        conn = self._h.conn
        if snapshot.parent_id is not None and self._exists(snapshot.parent_id):
            conn.execute(
                "INSERT OR IGNORE INTO label_parents(label_id, parent_id) VALUES (?, ?)",
                (label_id, snapshot.parent_id),
            )
        for child in snapshot.child_ids:
            if child != label_id and self._exists(child):
                conn.execute(
                    "INSERT OR IGNORE INTO label_parents(label_id, parent_id) VALUES (?, ?)",
                    (child, label_id),
                )
        conn.executemany(
            "INSERT OR IGNORE INTO label_attributes(label_id, name, kind, choices, minimum,"
            " maximum, description, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(label_id, *row) for row in snapshot.attribute_rows],
        )

    def _exists(self, label_id: int) -> bool:
        row = self._h.conn.execute("SELECT 1 FROM labels WHERE id = ?", (label_id,)).fetchone()
        return row is not None
