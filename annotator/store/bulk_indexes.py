"""What a span's insert triggers keep in step, filled a batch at a time during a bulk write.

Row by row, every span inserted runs triggers that keep the span search index (``spans_fts``),
the notes search index (``article_notes_fts``: one row per article holding all its notes,
rebuilt on each insert, so its cost grows with the square of an article's notes) and the
per-article label and annotator summaries (``article_labels``, ``article_annotators``) in step.
Over an import of many spans that is most of the import's time. During a bulk write those
insert triggers are set aside inside its transaction, the same rows are written once per batch
by set-based statements over the batch's span ids, and the triggers are put back as they were
stored before the transaction ends; a kill or an error rolls all of it back together.

A trigger is only set aside when its stored text is exactly the one whose effect
:meth:`SpanIndexes.fill` reproduces; any other (a later schema that changed it) is left to run
row by row.
"""

from __future__ import annotations

import sqlite3

# The insert triggers as the schema stores them (migrations 0005, 0008 and 0009).
_SPANS_FTS_AI = (
    "CREATE TRIGGER spans_fts_ai AFTER INSERT ON spans BEGIN\n"
    "          INSERT INTO spans_fts (rowid, text) VALUES (new.id, new.text);\n"
    "        END"
)
_NOTES_AI = (
    "CREATE TRIGGER article_notes_ai AFTER INSERT ON spans WHEN new.note != '' BEGIN\n"
    "          DELETE FROM article_notes_fts WHERE rowid = new.article_id;"
    " INSERT INTO article_notes_fts (rowid, notes) SELECT new.article_id, n FROM"
    " (SELECT group_concat(note, char(10)) AS n FROM (SELECT note FROM spans"
    " WHERE article_id = new.article_id AND note != '' ORDER BY id)) WHERE n IS NOT NULL;\n"
    "        END"
)
_LABELS_AI = (
    "CREATE TRIGGER article_labels_ai AFTER INSERT ON spans BEGIN\n"
    "              INSERT INTO article_labels (article_id, label_id, status_rank, spans)"
    " SELECT new.article_id, new.label_id,"
    " CASE a.status WHEN 'new' THEN 0 WHEN 'in progress' THEN 1 ELSE 2 END, 1"
    " FROM articles a INDEXED BY articles_status_by_id WHERE a.id = new.article_id"
    " ON CONFLICT (article_id, label_id) DO UPDATE SET spans = spans + 1;\n"
    "            END"
)
_ANNOTATORS_AI = (
    "CREATE TRIGGER article_annotators_ai AFTER INSERT ON spans BEGIN\n"
    "              INSERT INTO article_annotators (article_id, annotator, status_rank, spans)"
    " SELECT new.article_id, new.annotator,"
    " CASE a.status WHEN 'new' THEN 0 WHEN 'in progress' THEN 1 ELSE 2 END, 1"
    " FROM articles a INDEXED BY articles_status_by_id WHERE a.id = new.article_id"
    " ON CONFLICT (article_id, annotator) DO UPDATE SET spans = spans + 1;\n"
    "            END"
)

# Their work for the spans with ids between the two parameters (all inserted by the write, after
# every span already stored). Summary rows take the article's status rank at this point of the
# write, as the trigger's would; an existing row only counts more spans, as with the trigger.
_SPANS_FTS_FILL = (
    "INSERT INTO spans_fts (rowid, text) SELECT id, text FROM spans WHERE id BETWEEN ? AND ?"
)
_NOTES_CLEAR = (
    "DELETE FROM article_notes_fts WHERE rowid IN"
    " (SELECT DISTINCT article_id FROM spans WHERE id BETWEEN ? AND ? AND note != '')"
)
_NOTES_FILL = (
    "INSERT INTO article_notes_fts (rowid, notes)"
    " SELECT article_id, group_concat(note, char(10)) FROM"
    " (SELECT article_id, note FROM spans WHERE note != '' AND article_id IN"
    " (SELECT DISTINCT article_id FROM spans WHERE id BETWEEN ? AND ? AND note != '')"
    " ORDER BY article_id, id)"
    " GROUP BY article_id"
)
_LABELS_FILL = (
    "INSERT INTO article_labels (article_id, label_id, status_rank, spans)"
    " SELECT s.article_id, s.label_id,"
    " CASE a.status WHEN 'new' THEN 0 WHEN 'in progress' THEN 1 ELSE 2 END, count(*)"
    " FROM spans s JOIN articles a ON a.id = s.article_id WHERE s.id BETWEEN ? AND ?"
    " GROUP BY s.article_id, s.label_id"
    " ON CONFLICT (article_id, label_id) DO UPDATE SET spans = spans + excluded.spans"
)
_ANNOTATORS_FILL = (
    "INSERT INTO article_annotators (article_id, annotator, status_rank, spans)"
    " SELECT s.article_id, s.annotator,"
    " CASE a.status WHEN 'new' THEN 0 WHEN 'in progress' THEN 1 ELSE 2 END, count(*)"
    " FROM spans s JOIN articles a ON a.id = s.article_id WHERE s.id BETWEEN ? AND ?"
    " GROUP BY s.article_id, s.annotator"
    " ON CONFLICT (article_id, annotator) DO UPDATE SET spans = spans + excluded.spans"
)

_KNOWN = {
    "spans_fts_ai": _SPANS_FTS_AI,
    "article_notes_ai": _NOTES_AI,
    "article_labels_ai": _LABELS_AI,
    "article_annotators_ai": _ANNOTATORS_AI,
}


class SpanIndexes:
    """The span insert triggers set aside for one bulk write, and their work done per batch."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._aside: set[str] = set()

    @property
    def aside(self) -> frozenset[str]:
        """The names of the triggers set aside."""
        return frozenset(self._aside)

    def set_aside(self) -> None:
        """Drop the known span insert triggers (inside the caller's transaction)."""
        stored = dict(
            self._conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'spans'"
            ).fetchall()
        )
        for name, sql in _KNOWN.items():
            if stored.get(name) == sql:
                self._conn.execute(f'DROP TRIGGER "{name}"')
                self._aside.add(name)

    def fill(self, first_span: int, last_span: int) -> None:
        """Do the set-aside triggers' work for the spans with ids ``first_span..last_span``."""
        run, ids = self._conn.execute, (first_span, last_span)
        if "spans_fts_ai" in self._aside:
            run(_SPANS_FTS_FILL, ids)
        if "article_notes_ai" in self._aside:
            run(_NOTES_CLEAR, ids)
            run(_NOTES_FILL, ids)
        if "article_labels_ai" in self._aside:
            run(_LABELS_FILL, ids)
        if "article_annotators_ai" in self._aside:
            run(_ANNOTATORS_FILL, ids)

    def put_back(self) -> None:
        """Recreate the triggers set aside, exactly as they were stored."""
        if "spans_fts_ai" in self._aside:
            self._conn.execute(_SPANS_FTS_AI)
        if "article_notes_ai" in self._aside:
            self._conn.execute(_NOTES_AI)
        if "article_labels_ai" in self._aside:
            self._conn.execute(_LABELS_AI)
        if "article_annotators_ai" in self._aside:
            self._conn.execute(_ANNOTATORS_AI)
        self._aside.clear()
