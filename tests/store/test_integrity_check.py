"""The span check reads each article's text once and compares in Python: it must find exactly
what the plain SQL comparison (substr and length over every span) finds."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from annotator.core.model import ArticleDraft
from annotator.store import Project
from annotator.store.integrity import SpanMismatch, span_mismatches, span_mismatches_in_file


def by_sql(conn: sqlite3.Connection) -> list[SpanMismatch]:
    rows = conn.execute(
        'SELECT s.id, s.article_id, s.start, s."end", s.text,'
        ' substr(a.text, s.start + 1, s."end" - s.start), length(a.text)'
        " FROM spans s JOIN articles a ON a.id = s.article_id"
        ' WHERE s.text IS NOT substr(a.text, s.start + 1, s."end" - s.start)'
        ' OR s."end" > length(a.text)'
        " ORDER BY s.article_id, s.start, s.id"
    ).fetchall()
    return [SpanMismatch(r[0], r[1], r[2], r[3], r[4], r[5] or "", r[6]) for r in rows]


@pytest.mark.parametrize("seed", range(4))
def test_the_check_finds_what_sql_finds(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    path = tmp_path / "drift.annot"
    pieces = ["Putin", "🇺🇸", "said", "café", "👍🏽", "مرحبا", "\n", " ", "e\u0301"]
    with Project.open(path, backups=False) as project:
        label = project.labels()[0].id
        for n in range(150):  # more than two batches of articles
            text = f"{n} " + "".join(rng.choice(pieces) for _ in range(rng.randint(5, 60)))
            article_id, _ = project.add_article(ArticleDraft(text))
            for _ in range(rng.randint(0, 6)):
                start = rng.randrange(len(text) - 1)
                project.add_span(article_id, start, rng.randint(start + 1, len(text)), label, "a")
    conn = sqlite3.connect(path)
    # Drift made outside the app: texts edited, spans moved past the end, stored texts changed.
    for article_id in rng.sample(range(1, 151), 40):
        conn.execute(
            "UPDATE articles SET text = ? || text WHERE id = ?", (rng.choice(pieces), article_id)
        )
    for span_id in rng.sample(
        range(1, conn.execute("SELECT max(id) FROM spans").fetchone()[0]), 20
    ):
        conn.execute(
            'UPDATE spans SET "end" = "end" + 500, start = start + ? WHERE id = ?',
            (rng.choice([0, 400]), span_id),
        )
    conn.execute("UPDATE spans SET text = text || 'x' WHERE id % 13 = 0")
    conn.commit()
    expected = by_sql(conn)
    assert expected  # the drift is there to be found
    assert span_mismatches(conn) == expected
    conn.close()
    assert span_mismatches_in_file(path) == expected
