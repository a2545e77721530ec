"""Exports of every format this module owns: golden files, determinism, round trips, readers.

Golden files live in tests/formats/golden/; regenerate them after a deliberate format change with
``UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/formats/test_export_formats.py`` and review
the diff.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from annotator.formats.export import ExportFilter, ExportReport, export_project
from annotator.formats.importer import import_paths
from annotator.store import Project
from tests.formats.export_corpus import (
    GOLDEN,
    LS_EMOJI_TEXT,
    corpus_project,
    empty_project,
    snapshot,
)

OUTPUTS = {
    "jsonl": "export.jsonl",
    "doccano": "export.doccano.jsonl",
    "csv": "export.csv",
    "labelstudio": "export.labelstudio.json",
    "parquet": "export.parquet",
}


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Project]:
    with corpus_project(tmp_path) as project:
        yield project


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Project]:
    with empty_project(tmp_path) as project:
        yield project


def export(project: Project, fmt: str, folder: Path, **options: Any) -> tuple[Path, ExportReport]:
    out = folder / OUTPUTS[fmt]
    return out, export_project(project, fmt, out, **options)


def parquet_as_json(folder: Path) -> str:
    """The three tables' rows as JSON: Parquet bytes carry the writer's version, rows do not."""
    import pyarrow.parquet as pq

    tables = {
        name: pq.read_table(folder / f"{name}.parquet").to_pylist()
        for name in ("articles", "spans", "relations")
    }
    return json.dumps(tables, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def check_golden(name: str, actual: bytes) -> None:
    golden = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        golden.write_bytes(actual)
    assert golden.exists(), f"no golden file {golden}; run with UPDATE_GOLDEN=1 once"
    assert actual == golden.read_bytes(), f"{name} differs from its golden file"


# ------------------------------------------------------------------------------- golden files
@pytest.mark.parametrize("fmt", ["jsonl", "doccano", "csv", "labelstudio"])
def test_file_formats_match_golden_files(source: Project, tmp_path: Path, fmt: str) -> None:
    out, report = export(source, fmt, tmp_path)
    check_golden(OUTPUTS[fmt], out.read_bytes())
    if fmt == "labelstudio":
        config = tmp_path / "export.labelstudio.config.xml"
        assert report.files == [out, config]
        check_golden(config.name, config.read_bytes())


def test_parquet_tables_match_golden_rows(source: Project, tmp_path: Path) -> None:
    out, report = export(source, "parquet", tmp_path)
    assert sorted(p.name for p in out.iterdir()) == [
        "articles.parquet",
        "doc_fields.parquet",
        "labels.parquet",
        "relations.parquet",
        "spans.parquet",
    ]
    check_golden("export.parquet.json", parquet_as_json(out).encode("utf-8"))


@pytest.mark.parametrize("fmt", list(OUTPUTS))
def test_exporting_twice_gives_identical_bytes(source: Project, tmp_path: Path, fmt: str) -> None:
    first, _ = export(source, fmt, tmp_path / "a")
    second, _ = export(source, fmt, tmp_path / "b")
    files = sorted(p.name for p in first.iterdir()) if first.is_dir() else [first.name]
    for name in files:
        a = first / name if first.is_dir() else first
        b = second / name if second.is_dir() else second
        assert a.read_bytes() == b.read_bytes(), name


def test_jsonl_lines_are_sorted_utf8_with_lf(source: Project, tmp_path: Path) -> None:
    out, report = export(source, "jsonl", tmp_path)
    raw = out.read_bytes()
    assert b"\r" not in raw and raw.endswith(b"\n")
    assert "🇺🇸".encode() in raw and b"\\u" not in raw  # real characters, not escapes
    lines = raw.decode("utf-8").splitlines()
    assert len(lines) == report.articles == 4
    for line in lines:
        obj = json.loads(line)
        assert list(obj) == sorted(obj)
        assert set(obj) == {"text", "meta", "spans", "relations"}
        assert set(obj["meta"]) >= {
            "title",
            "source",
            "url",
            "author",
            "published",
            "status",
            "content_hash",
        }
        for span in obj["spans"]:
            assert set(span) == {
                "start",
                "end",
                "label",
                "text",
                "annotator",
                "note",
                "attributes",
                "created_at",
                "updated_at",
            }
        for rel in obj["relations"]:
            assert rel["head_span"] == obj["spans"][rel["head"]]
            assert rel["child_span"] == obj["spans"][rel["child"]]
            assert {"head", "child", "label", "head_span", "child_span"} <= set(rel)


@pytest.mark.parametrize("fmt", ["jsonl", "doccano", "labelstudio", "parquet", "csv"])
def test_every_span_covers_its_text(source: Project, tmp_path: Path, fmt: str) -> None:
    """text[start:end] is the span's text in every format that states both."""
    out, _ = export(source, fmt, tmp_path)
    checked = 0
    if fmt in ("jsonl", "doccano"):
        for line in out.read_text(encoding="utf-8").splitlines():
            obj = json.loads(line)
            text = obj["text"]
            for span in obj.get("spans", []):
                assert text[span["start"] : span["end"]] == span["text"]
                checked += 1
            for start, end, _label in obj.get("label", []):
                assert text[start:end].strip() == text[start:end]  # real boundaries
                checked += 1
            for entity in obj.get("entities", []):
                assert 0 <= entity["start_offset"] < entity["end_offset"] <= len(text)
                checked += 1
    elif fmt == "labelstudio":
        for task in json.loads(out.read_text(encoding="utf-8")):
            for region in task["annotations"][0]["result"]:
                if region["type"] == "labels":
                    value = region["value"]
                    assert task["data"]["text"][value["start"] : value["end"]] == value["text"]
                    checked += 1
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        texts = {
            row["article_id"]: row["text"]
            for row in pq.read_table(out / "articles.parquet").to_pylist()
        }
        for row in pq.read_table(out / "spans.parquet").to_pylist():
            assert texts[row["article_id"]][row["start"] : row["end"]] == row["text"]
            checked += 1
    else:
        import csv

        with out.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                article = source.article(int(row["article_id"]))
                assert article.text[int(row["start"]) : int(row["end"])] == row["text"]
                checked += 1
    assert checked == 14


# -------------------------------------------------------------------------------- round trips
def import_into(project: Project, *paths: Path, fmt: str | None = None) -> None:
    summary = import_paths(project, list(paths), annotator="importer", format=fmt)
    assert not summary.rejections, summary.describe()


@pytest.mark.parametrize("fmt", ["jsonl", "labelstudio", "parquet"])
def test_round_trip_keeps_everything(
    source: Project, fresh: Project, tmp_path: Path, fmt: str
) -> None:
    out, report = export(source, fmt, tmp_path)
    import_into(fresh, out, fmt=fmt)
    expected = snapshot(source)
    if fmt == "labelstudio":
        # Label Studio relations have no annotator: carol's relation comes back as bob's,
        # and the report said so.
        assert [str(loss) for loss in report.losses] == [
            "1 relation annotator name(s) other than their head span's not written "
            "(Label Studio relations carry no annotator)",
        ]
        expected = _relation_annotators_from_heads(expected)
    else:
        # Everything the snapshot holds comes back, span times too.
        assert [str(loss) for loss in report.losses] == []
    assert snapshot(fresh) == expected


def test_jsonl_round_trip_without_format_uses_the_suffix(
    source: Project, fresh: Project, tmp_path: Path
) -> None:
    out, _ = export(source, "jsonl", tmp_path)
    import_into(fresh, out)
    assert snapshot(fresh) == snapshot(source)


def test_doccano_round_trip_keeps_texts_meta_offsets_labels_relations(
    source: Project, fresh: Project, tmp_path: Path
) -> None:
    out, report = export(source, "doccano", tmp_path)
    assert {str(loss) for loss in report.losses} == {
        "3 span note(s) not written (doccano has no field for them)",
        "2 span(s) with attributes whose attributes were not written",
        "14 span annotator name(s) not written (doccano keeps no annotator per span; "
        "re-import gives them the importing analyst's name)",
        "1 relation annotator name(s) other than their head span's not written",
        "14 span creation and change time(s) not written (re-import stamps spans anew)",
    }
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert set(first) == {"text", "entities", "relations", "meta"}  # relation shape
    import_into(fresh, out, fmt="doccano")
    assert snapshot(fresh, annotators=False, notes=False) == snapshot(
        source, annotators=False, notes=False
    )
    assert fresh.annotators() == ["importer"]


def test_doccano_without_relations_uses_the_label_shape(
    source: Project, fresh: Project, tmp_path: Path
) -> None:
    out, report = export(
        source, "doccano", tmp_path, filter=ExportFilter(labels=frozenset({"Claim"}))
    )
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert all(set(obj) == {"text", "label", "meta"} for obj in lines)
    assert report.relations == 0 and sum(len(obj["label"]) for obj in lines) == report.spans == 5
    import_into(fresh, out, fmt="doccano")
    assert fresh.counts()["spans"] == 5


def test_csv_round_trip_onto_the_same_articles(
    source: Project, fresh: Project, tmp_path: Path
) -> None:
    """CSV carries no text: articles come first (a JSONL export without spans), then the CSV."""
    articles, _ = export(source, "jsonl", tmp_path, filter=ExportFilter(labels=frozenset()))
    out, report = export(source, "csv", tmp_path)
    assert {str(loss) for loss in report.losses} == {
        "4 article text(s) and metadata not written (CSV rows name their article by content "
        "hash; re-import them onto a project that already holds those articles)",
        "1 article(s) without spans have no row at all",
        "14 span creation and change time(s) not written (re-import stamps spans anew)",
    }
    import_into(fresh, articles)
    assert fresh.counts()["spans"] == 0
    import_into(fresh, out)  # the suffix decides; the header marks a span table
    assert snapshot(fresh) == snapshot(source)


def test_csv_onto_a_project_without_the_articles_rejects_each_article(
    source: Project, fresh: Project, tmp_path: Path
) -> None:
    out, _ = export(source, "csv", tmp_path)
    summary = import_paths(fresh, [out], annotator="importer", format="csv")
    assert summary.articles_added == 0 and summary.spans_added == 0
    assert len(summary.rejections) == 3  # three articles have spans
    assert all("import the articles first" in r.message for r in summary.rejections)
    assert [r.line for r in summary.rejections] == [2, 6, 16]


def _relation_annotators_from_heads(expected: list[Any]) -> list[Any]:
    fixed = []
    for article in expected:
        relations = sorted((head, child, kind, head[4]) for head, child, kind, _ in article[-1])
        fixed.append((*article[:-1], relations))
    return fixed


# ----------------------------------------------------------------------- independent readers
def test_spacy_char_span_accepts_every_jsonl_span(source: Project, tmp_path: Path) -> None:
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("en")
    out, _ = export(source, "jsonl", tmp_path)
    count = 0
    for line in out.read_text(encoding="utf-8").splitlines():
        obj = json.loads(line)
        doc = nlp.make_doc(obj["text"])
        for span in obj["spans"]:
            char_span = doc.char_span(
                span["start"], span["end"], label=span["label"], alignment_mode="strict"
            )
            assert char_span is not None, f"spaCy cannot align {span} strictly"
            assert char_span.text == span["text"] and char_span.label_ == span["label"]
            count += 1
    assert count == 14


def test_label_studio_shape_matches_its_documented_json(source: Project, tmp_path: Path) -> None:
    """Keys from labelstud.io/guide/task_format and the editor's serialized relation type."""
    out, _ = export(source, "labelstudio", tmp_path)
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(tasks, list) and len(tasks) == 4
    config = ET.fromstring((tmp_path / "export.labelstudio.config.xml").read_text("utf-8"))
    labels = {el.get("value"): el.get("background") for el in config.iter("Label")}
    assert labels["Quote"] == "#e69f00" and set(labels) >= {"Quote", "Source", "Claim"}
    relation_values = {el.get("value") for el in config.iter("Relation")}
    (labels_tag,) = config.iter("Labels")
    (text_tag,) = config.iter("Text")
    assert text_tag.get("value") == "$text"
    for task in tasks:
        assert isinstance(task["id"], int) and isinstance(task["data"]["text"], str)
        (annotation,) = task["annotations"]
        ids = set()
        for item in annotation["result"]:
            if item["type"] == "labels":
                assert item["from_name"] == labels_tag.get("name")
                assert item["to_name"] == labels_tag.get("toName") == text_tag.get("name")
                value = item["value"]
                assert set(value) == {"start", "end", "text", "labels"}
                assert all(label in labels for label in value["labels"])
                ids.add(item["id"])
            else:
                assert item["type"] == "relation"
                assert set(item) == {"type", "from_id", "to_id", "direction", "labels"}
                assert item["from_id"] in ids and item["to_id"] in ids
                assert item["direction"] == "right"
                assert set(item["labels"]) <= relation_values


def test_label_studio_offsets_are_code_points_like_label_studio_itself(
    source: Project, tmp_path: Path
) -> None:
    """Label Studio's editor test (e2e/ner/emoji.cy.ts) expects start 21, end 25 for 'test'."""
    out, _ = export(source, "labelstudio", tmp_path)
    (task,) = [t for t in json.loads(out.read_text("utf-8")) if t["data"]["text"] == LS_EMOJI_TEXT]
    value = task["annotations"][0]["result"][0]["value"]
    assert (value["start"], value["end"], value["text"]) == (21, 25, "test")


def test_parquet_is_readable_by_pyarrow_with_typed_columns(source: Project, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out, _ = export(source, "parquet", tmp_path)
    spans = pq.read_table(out / "spans.parquet")
    assert spans.schema.field("start").type == pa.int64()
    assert spans.schema.field("attributes").type == pa.map_(pa.string(), pa.string())
    assert spans.num_rows == 14
    relations = pq.read_table(out / "relations.parquet")
    assert relations.num_rows == 4
    articles = pq.read_table(out / "articles.parquet")
    assert articles.column("status").to_pylist() == ["done", "in progress", "new", "done"]
