"""Span creation and change times travel in every format that has a place for them, and the
formats without one say so in the export summary."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from annotator.formats.export import TIME_FORMATS, export_project
from annotator.formats.importer import import_paths
from annotator.formats.registry import FORMATS
from annotator.store import Project
from tests.formats.export_corpus import build_corpus

REAL = Path(__file__).parent / "realtools" / "labelstudio"


def _stamp_spans(path: Path) -> dict[tuple[str, int, int, str], tuple[str, str]]:
    """Give every span its own made and changed times; (hash, start, end, label) -> times."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            'SELECT s.id, a.content_hash, s.start, s."end", l.name FROM spans s'
            " JOIN articles a ON a.id = s.article_id JOIN labels l ON l.id = s.label_id"
        ).fetchall()
        times = {}
        for n, (span_id, digest, start, end, label) in enumerate(rows):
            made = f"2024-03-{1 + n % 28:02d}T0{n % 10}:1{n % 6}:00.{n:03d}+00:00"
            changed = f"2025-01-{1 + n % 28:02d}T12:00:00.000+00:00"
            conn.execute(
                "UPDATE spans SET created_at = ?, updated_at = ? WHERE id = ?",
                (made, changed, span_id),
            )
            times[(digest, start, end, label)] = (made, changed)
        conn.commit()
    finally:
        conn.close()
    return times


def _times(path: Path) -> dict[tuple[str, int, int, str], tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return {
            (digest, start, end, label): (made, changed)
            for digest, start, end, label, made, changed in conn.execute(
                'SELECT a.content_hash, s.start, s."end", l.name, s.created_at, s.updated_at'
                " FROM spans s JOIN articles a ON a.id = s.article_id"
                " JOIN labels l ON l.id = s.label_id"
            )
        }
    finally:
        conn.close()


@pytest.mark.parametrize("fmt", sorted(TIME_FORMATS))
def test_span_times_go_out_and_come_back(tmp_path: Path, fmt: str) -> None:
    spec = FORMATS[fmt]
    source = tmp_path / "source.annot"
    with Project.open(source) as project:
        build_corpus(project, tmp_path)
    wanted = _stamp_spans(source)
    out = tmp_path / ("out" if spec.folder else f"out{spec.suffix}")
    with Project.open(source, read_only=True) as project:
        report = export_project(project, fmt, out)
    assert not any("time" in loss.what for loss in report.losses), report.describe()
    copy = tmp_path / "copy.annot"
    with Project.open(copy) as project:
        summary = import_paths(project, [out], annotator="x", format=fmt)
    assert summary.rejected == 0, summary.describe()
    assert _times(copy) == wanted


@pytest.mark.parametrize(
    "fmt", sorted(f for f in FORMATS if f not in TIME_FORMATS and f != "csv-articles")
)
def test_formats_without_a_place_for_times_say_so(tmp_path: Path, fmt: str) -> None:
    spec = FORMATS[fmt]
    if spec.writer is None:
        pytest.skip("import-only format")
    with Project.open(tmp_path / "p.annot") as project:
        build_corpus(project, tmp_path)
        out = tmp_path / ("out" if spec.folder else f"out{spec.suffix}")
        report = export_project(project, fmt, out)
    assert any("creation and change time" in loss.what for loss in report.losses)
    assert "Nothing was lost" not in report.describe()


def test_label_studio_annotation_times_become_span_times(tmp_path: Path) -> None:
    # Label Studio's own export: created_at/updated_at on each annotation, none on results.
    tasks = json.loads((REAL / "export.json").read_text("utf-8"))
    stamped = [a for t in tasks for a in t.get("annotations", []) if a.get("created_at")]
    assert stamped, "the Label Studio export has annotation times"
    copy = tmp_path / "copy.annot"
    folder = tmp_path / "ls"
    folder.mkdir()
    (folder / "export.json").write_text(json.dumps(tasks), "utf-8")
    (folder / "config.xml").write_text((REAL / "config.xml").read_text("utf-8"), "utf-8")
    with Project.open(copy) as project:
        summary = import_paths(project, [folder / "export.json"], annotator="x")
        assert summary.spans_added > 0
    got = set(_times(copy).values())
    made = {_utc(a["created_at"]) for a in stamped}
    assert {m for m, _ in got} <= made and len(got) >= 1


def _utc(text: str) -> str:
    from datetime import UTC, datetime

    when = datetime.fromisoformat(text)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="milliseconds")


def test_a_time_that_is_no_time_is_rejected_by_line(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    lines = [
        {
            "text": "Peskov spoke.",
            "spans": [
                {"start": 0, "end": 6, "label": "Source", "created_at": "2024-05-01T10:00:00Z"}
            ],
        },
        {
            "text": "Trump called.",
            "spans": [{"start": 0, "end": 5, "label": "Source", "created_at": "yesterday"}],
        },
    ]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), "utf-8")
    with Project.open(tmp_path / "p.annot") as project:
        summary = import_paths(project, [path], annotator="x")
    assert summary.articles_added == 1 and summary.rejected == 1
    assert summary.rejections[0].line == 2 and "ISO 8601" in summary.rejections[0].message
    assert set(_times(tmp_path / "p.annot").values()) == {
        ("2024-05-01T10:00:00.000+00:00", "2024-05-01T10:00:00.000+00:00")
    }
