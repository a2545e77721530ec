"""The span check reads each article's text once and compares in Python: it must find exactly
what the plain SQL comparison (substr and length over every span) finds."""

from __future__ import annotations

import os
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


def _project_with_spans(path: Path) -> None:
    with Project.open(path) as project:  # closed cleanly, with backups: its state is recorded
        label = project.labels()[0].id
        for n in range(40):
            article_id, _ = project.add_article(ArticleDraft(f"{n} Peskov said 👍🏽 café " * 30))
            project.add_span(article_id, 0, 2, label, "a")


def _trash_page(path: Path, page: int) -> None:
    """Overwrite one page of the file in place, keeping its size and times: what a disk that
    failed to write looks like to the fingerprint of the last clean close."""
    stat = path.stat()
    size = sqlite3.connect(path).execute("PRAGMA page_size").fetchone()[0]
    with path.open("r+b") as fh:
        fh.seek((page - 1) * size)
        fh.write(b"\xa5" * size)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_opening_skips_the_page_check_only_for_a_file_as_it_was_left(tmp_path: Path) -> None:
    path = tmp_path / "left.annot"
    _project_with_spans(path)
    with Project.open(path, defer_check=True) as project:
        assert not project.quick_checked  # as this app closed it: checked in the background
    with Project.open(path) as project:
        assert project.quick_checked  # not asked to defer: checked as ever
    conn = sqlite3.connect(path)
    conn.execute("UPDATE articles SET title = 'changed elsewhere' WHERE id = 1")
    conn.commit()
    conn.close()
    with Project.open(path, defer_check=True) as project:
        assert project.quick_checked  # changed by another program: checked before use


def test_background_check_finds_damage_that_opening_skipped(tmp_path: Path) -> None:
    from annotator.store.integrity import FileCheck

    path = tmp_path / "rotten.annot"
    _project_with_spans(path)
    conn = sqlite3.connect(path)
    root = conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'spans_by_article'"
    ).fetchone()[0]
    conn.close()
    _trash_page(path, root)
    with Project.open(path, defer_check=True) as project:
        assert not project.quick_checked  # the fingerprint did not change: opening trusted it
        result = FileCheck(path, quick_check=True).run()
    assert result.damage is not None and "damaged" in result.damage
    assert not result.cancelled


def test_background_check_finds_drift_and_stops_when_cancelled(tmp_path: Path) -> None:
    from annotator.store.integrity import FileCheck

    path = tmp_path / "drift.annot"
    _project_with_spans(path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE spans SET text = 'xx' WHERE id = 3")
    conn.commit()
    conn.close()
    result = FileCheck(path, quick_check=True).run()
    assert result.damage is None
    assert [m.span_id for m in result.mismatches] == [3]
    check = FileCheck(path, quick_check=True)
    check.cancel()
    stopped = check.run()
    assert stopped.cancelled and stopped.mismatches == []
