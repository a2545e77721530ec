"""A project file from an older version, opened read-only (a colleague's file, a locked one, one
on read-only media), works like an upgraded one: the article list filters by label and annotator,
search covers notes, the review compares it; and the file is never written, nor anything put
beside it.

Expected results come from the file's spans, read with plain SQLite from a copy in memory, not
from the tables the newer migrations add."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from annotator.review.compare import open_layer
from annotator.review.streaming import compare_files
from annotator.store import readonly, upgrade_copy
from annotator.store.errors import ReadOnlyError
from annotator.store.filters import (
    ArticleFilter,
    filtered_count,
    filtered_page_ids,
    filtered_position,
    status_counts,
)
from annotator.store.project import Project
from annotator.store.readonly import open_read_only
from annotator.store.schema import KNOWN_MIGRATIONS
from annotator.store.search import SearchScope, matching_article_count, search_hits

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("schema_*.annot"))
# Every fixture but the newest lacks a migration (0009 added the label and annotator tables).
OLD = [f for f in FIXTURES if f.stem != f"schema_{max(KNOWN_MIGRATIONS)}"]


def _open_project(path: Path) -> Project:
    return Project.open(path, create=False, read_only=True, lock=False)


def _open_hard_linked(path: Path) -> Project:
    # A file with a second name is read immutable (its side files would be misnamed).
    os.link(path, path.with_name("other-name.annot"))
    return Project.open(path, create=False, read_only=True, lock=False)


OPENERS: dict[str, Callable[[Path], Project]] = {
    "project-open-read-only": _open_project,
    "project-open-hard-linked": _open_hard_linked,
    "colleague-snapshot": open_read_only,
}


def _state(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def _expected(fixture: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.deserialize(fixture.read_bytes())
    return conn


def _ids(conn: sqlite3.Connection, sql: str, *params: object) -> list[int]:
    return [row[0] for row in conn.execute(sql, params)]


def _check_every_feature(project: Project, fixture: Path) -> None:
    truth = _expected(fixture)
    claim = next(label.id for label in project.labels() if label.name == "Claim")
    with_claim = _ids(
        truth, "SELECT DISTINCT article_id FROM spans WHERE label_id = ? ORDER BY 1", claim
    )
    by_colleague = _ids(
        truth,
        "SELECT DISTINCT article_id FROM spans WHERE annotator = 'colleague' ORDER BY 1",
    )
    every = _ids(truth, "SELECT id FROM articles ORDER BY id")
    assert with_claim and by_colleague  # the fixture has both: the checks below can fail

    by_label = ArticleFilter(label_present=claim)
    assert filtered_page_ids(project, by_label) == with_claim
    assert filtered_count(project, by_label) == len(with_claim)
    assert sum(status_counts(project, by_label).values()) == len(with_claim)
    assert filtered_position(project, by_label, with_claim[-1]) == len(with_claim) - 1
    without = ArticleFilter(label_absent=claim)
    assert filtered_page_ids(project, without) == [i for i in every if i not in with_claim]

    by_annotator = ArticleFilter(annotator="colleague")
    assert filtered_page_ids(project, by_annotator) == by_colleague
    assert filtered_count(project, by_annotator) == len(by_colleague)
    assert filtered_page_ids(project, by_annotator, order_by="status") == sorted(
        by_colleague,
        key=lambda i: (("new", "in progress", "done").index(project.article(i).status), i),
    )

    # Every criterion at once, with a query: the covering index of 0006 is read.
    statuses = frozenset({"new", "in progress", "done"})
    combined = ArticleFilter(
        statuses=statuses,
        date_from="2026",
        date_to="2026-12",
        label_present=claim,
        annotator="analyst",
        query="Kremlin",
    )
    kremlin = _ids(
        truth,
        "SELECT DISTINCT s.article_id FROM spans s JOIN articles a ON a.id = s.article_id"
        " WHERE s.label_id = ? AND s.annotator = 'analyst' AND a.text LIKE '%Kremlin%'"
        " ORDER BY 1",
        claim,
    )
    assert kremlin
    assert filtered_page_ids(project, combined) == kremlin
    assert filtered_count(project, combined) == len(kremlin)

    # Search, restricted to a label, and over the notes (migration 0008).
    assert matching_article_count(project, "Kremlin") == len(
        _ids(truth, "SELECT id FROM articles WHERE text LIKE '%Kremlin%' OR title LIKE '%Kremlin%'")
    )
    in_claims = search_hits(project, "Kremlin", scope=SearchScope(label="Claim"))
    assert [hit.text for hit in in_claims] == ["Kremlin"]
    notes = search_hits(project, "astral")
    noted = _ids(truth, "SELECT article_id FROM spans WHERE note LIKE '%astral%'")
    assert [(hit.article_id, hit.where) for hit in notes] == [(noted[0], "note")]

    # Still read-only: the upgraded copy is not an editable project.
    with pytest.raises(ReadOnlyError):
        project.set_article_status(every[0], "done")


@pytest.mark.parametrize("opener", OPENERS, ids=list(OPENERS))
@pytest.mark.parametrize("fixture", OLD, ids=[f.stem for f in OLD])
def test_an_old_file_opened_read_only_filters_and_searches_without_being_written(
    fixture: Path, opener: str, tmp_path: Path
) -> None:
    folder = tmp_path / "colleague"
    folder.mkdir()
    path = folder / fixture.name
    shutil.copyfile(fixture, path)
    before = None
    with OPENERS[opener](path) as project:
        before = _state(folder)  # after the hard link, if any
        assert project.read_only
        assert set(project.schema_version()) == KNOWN_MIGRATIONS  # the copy is upgraded
        _check_every_feature(project, fixture)
        assert _state(folder) == before
    assert _state(folder) == before
    assert path.read_bytes() == fixture.read_bytes()
    assert not any(p.name.endswith(("-wal", "-shm", "-journal")) for p in folder.iterdir())


@pytest.mark.parametrize("fixture", [OLD[0], OLD[-1]], ids=[OLD[0].stem, OLD[-1].stem])
def test_a_large_old_file_is_upgraded_in_a_private_folder_left_empty(
    fixture: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every file counts as large: read in place, then copied to a private folder to upgrade.
    monkeypatch.setattr(readonly, "SNAPSHOT_LIMIT", 0)
    monkeypatch.setattr(upgrade_copy, "MEMORY_LIMIT", 0)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr("tempfile.tempdir", None)
    folder = tmp_path / "colleague"
    folder.mkdir()
    path = folder / fixture.name
    shutil.copyfile(fixture, path)
    before = _state(folder)
    for opener in (open_read_only, _open_project):
        with opener(path) as project:
            assert set(project.schema_version()) == KNOWN_MIGRATIONS
            _check_every_feature(project, fixture)
            assert list(scratch.iterdir()) == []  # the copy's folder went at once
        assert _state(folder) == before


def test_an_old_file_with_wal_content_is_read_with_it_and_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "colleague"
    folder.mkdir()
    path = folder / OLD[0].name
    shutil.copyfile(OLD[0], path)
    # A colleague's session left committed changes in the -wal (their app is still open).
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("UPDATE articles SET title = 'Renamed in the WAL' WHERE id = 1")
    writer.commit()
    assert (folder / f"{path.name}-wal").stat().st_size > 0
    before = _state(folder)
    try:
        with open_read_only(path) as project:
            assert set(project.schema_version()) == KNOWN_MIGRATIONS
            assert project.article(1).title == "Renamed in the WAL"
            claim = next(label.id for label in project.labels() if label.name == "Claim")
            assert filtered_count(project, ArticleFilter(label_present=claim)) > 0
        assert _state(folder) == before
    finally:
        writer.close()


@pytest.mark.parametrize("fixture", OLD, ids=[f.stem for f in OLD])
def test_the_review_compares_old_files_without_writing_them(fixture: Path, tmp_path: Path) -> None:
    folder = tmp_path / "colleagues"
    folder.mkdir()
    mine, theirs = folder / "mine.annot", folder / "theirs.annot"
    shutil.copyfile(fixture, mine)
    shutil.copyfile(fixture, theirs)
    before = _state(folder)
    layer = open_layer(theirs, "analyst")
    truth = _expected(fixture)
    assert (
        sum(len(marks) for marks in layer.spans.values())
        == truth.execute("SELECT count(*) FROM spans WHERE annotator = 'analyst'").fetchone()[0]
    )
    comparison = compare_files([mine, theirs])
    assert len(comparison.layers) == 2
    assert _state(folder) == before
