"""Schema migrations: a fixture file of every released schema version opens with the current
code, every row surviving, and the file is backed up before any migration runs.

The fixtures in ``fixtures/`` are written by ``fixtures/make_fixtures.py`` once per released
schema version and never regenerated. A future migration is stood in for by a test-only step
added to a copy of the migration set; the product's set is left alone.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from annotator.store import Project, ProjectError, maintenance, opening, schema
from annotator.store.backup import backups_root, list_backups
from annotator.store.lock import lock_path_for

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("schema_*.annot"))
TABLES = ("articles", "labels", "spans", "relations", "project_info")
TEST_MIGRATION = "9000_test_only_review_flags"


def columns_of(path: Path) -> dict[str, list[str]]:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return {
            table: [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            for table in TABLES
        }
    finally:
        conn.close()


def rows(
    path: Path, columns: dict[str, list[str]] | None = None
) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the project's tables (only the columns named, if given), read without
    changing the file."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        result = {}
        for table in TABLES:
            names = ", ".join(f'"{c}"' for c in columns[table]) if columns else "*"
            result[table] = conn.execute(f"SELECT {names} FROM {table} ORDER BY rowid").fetchall()
        return result
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fixture_copy(fixture: Path, tmp_path: Path) -> Path:
    target = tmp_path / "old" / fixture.name
    target.parent.mkdir()
    shutil.copyfile(fixture, target)
    return target


def _review_flags(db: Database) -> None:
    # What a real next migration could look like: a new column with a default, a new table.
    db.execute("ALTER TABLE spans ADD COLUMN reviewed INTEGER NOT NULL DEFAULT 0")
    db.execute(
        "CREATE TABLE review_notes (id INTEGER PRIMARY KEY, span_id INTEGER"
        " REFERENCES spans(id) ON DELETE CASCADE, body TEXT NOT NULL)"
    )


def with_extra_migration(
    monkeypatch: pytest.MonkeyPatch, step: Callable[[Database], None] = _review_flags
) -> None:
    """Make Project.open see the product's migrations plus one test-only step."""
    extended = Migrations(schema.MIGRATION_SET)
    extended._migrations = list(schema.migrations._migrations)
    extended(name=TEST_MIGRATION)(step)
    monkeypatch.setattr(opening, "migrations", extended)
    monkeypatch.setattr(maintenance, "migrations", extended)
    monkeypatch.setattr(opening, "KNOWN_MIGRATIONS", schema.KNOWN_MIGRATIONS | {TEST_MIGRATION})


def test_there_is_a_fixture_for_the_current_schema() -> None:
    newest = schema.migrations._migrations[-1].name
    assert (Path(__file__).parent / "fixtures" / f"schema_{newest}.annot").is_file(), (
        "a new migration needs its fixture: run tests/store/fixtures/make_fixtures.py"
    )


def test_the_product_has_no_test_migration() -> None:
    assert TEST_MIGRATION not in schema.KNOWN_MIGRATIONS


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_each_fixture_opens_with_the_current_code_and_keeps_every_row(
    fixture: Path, tmp_path: Path
) -> None:
    path = fixture_copy(fixture, tmp_path)
    old_columns = columns_of(path)
    before = rows(path)
    assert before["spans"] and before["relations"]
    assert any("🇺🇸" in str(row) for row in before["spans"])
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    old_schema = {r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")}
    conn.close()
    with Project.open(path) as project:
        if old_schema < schema.KNOWN_MIGRATIONS:  # an older release's file: upgraded now
            assert project.migration_backup is not None
            assert rows(project.migration_backup.path) == before
        else:
            assert project.migration_backup is None
        assert project.check_spans() == []
        # everything reads back through the API the UI uses
        for article_id in project.article_ids():
            text = project.article_text(article_id)
            for span in project.spans(article_id):
                assert text[span.start : span.end] == span.text
        assert set(project.schema_version()) == schema.KNOWN_MIGRATIONS
    # Every row keeps every value it had (a migration that drops or changes a column must say
    # here how the old values map to the new ones).
    assert rows(path, old_columns) == before


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_migrating_each_fixture_backs_it_up_first_and_keeps_every_row(
    fixture: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = fixture_copy(fixture, tmp_path)
    before = rows(path)
    with_extra_migration(monkeypatch)
    with Project.open(path) as project:
        backup = project.migration_backup
        assert backup is not None and backup.reason == "before-migration"
        assert TEST_MIGRATION in project.schema_version()
        assert TEST_MIGRATION not in backup.schema
        assert project.check_spans() == []
        spans = {s.id: s for a in project.article_ids() for s in project.spans(a)}
        assert len(spans) == len(before["spans"])
    # the backup holds the file exactly as it was before the upgrade
    assert rows(backup.path) == before
    # every row survived the upgrade; spans gained the new column's default
    after = rows(path)
    for table in TABLES:
        if table == "spans":
            assert [row[:-1] for row in after[table]] == before[table]
            assert {row[-1] for row in after[table]} == {0}
        else:
            assert after[table] == before[table]
    assert [b.reason for b in list_backups(path)].count("before-migration") == 1
    with Project.open(path) as project:  # upgraded once: no second migration backup
        assert project.migration_backup is None


def test_no_migration_backup_when_the_schema_is_current(tmp_path: Path) -> None:
    path = tmp_path / "current.annot"
    with Project.open(path) as project:
        assert project.migration_backup is None
    with Project.open(path) as project:
        assert project.migration_backup is None


def test_a_file_that_cannot_be_backed_up_is_not_upgraded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = fixture_copy(FIXTURES[-1], tmp_path)
    before_digest = digest(path)
    backups_root().parent.mkdir(parents=True, exist_ok=True)
    backups_root().write_text("a file where the backup folder should be")
    with_extra_migration(monkeypatch)
    with pytest.raises(ProjectError, match="was not upgraded") as caught:
        Project.open(path)
    assert caught.value.path == path and str(path) in str(caught.value)
    assert digest(path) == before_digest
    assert not lock_path_for(path).exists()
    with Project.open(path, read_only=True) as project:  # still readable as it was
        assert TEST_MIGRATION not in project.schema_version()


def test_a_failing_migration_leaves_the_file_as_it_was_and_a_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = fixture_copy(FIXTURES[-1], tmp_path)
    before = rows(path)

    def broken(db: Database) -> None:
        db.execute("ALTER TABLE spans ADD COLUMN half_done INTEGER")
        raise RuntimeError("bug in a migration")

    with_extra_migration(monkeypatch, broken)
    with pytest.raises(RuntimeError, match="bug in a migration"):
        Project.open(path)
    assert rows(path) == before
    conn = sqlite3.connect(path)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(spans)")]
    conn.close()
    assert "half_done" not in columns
    [backup] = list_backups(path)
    assert backup.reason == "before-migration" and rows(backup.path) == before
    assert not lock_path_for(path).exists()
