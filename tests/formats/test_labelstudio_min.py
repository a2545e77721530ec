"""Label Studio JSON-MIN, written and read, against the shape label-studio-sdk's converter writes.

``Converter.convert_to_json_min`` writes ``[\\n`` then each record with ``json.dump(record,
indent=2, ensure_ascii=False)`` joined by ``,\\n`` and ``\\n]``; a record is the task's data, then
``id``, then each control tag's prettified results (regions as dicts without ``type``; a single
choice or text area as a bare string), then ``annotator`` (``completed_by``: an int id, or the
e-mail of a user object), ``annotation_id``, ``created_at``, ``updated_at``, ``lead_time``.
Annotations come newest first; cancelled ones are left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from annotator.formats.export import export_project
from annotator.formats.importer import import_paths
from annotator.store import Project
from tests.formats.export_corpus import LS_EMOJI_TEXT, build_corpus, snapshot


def converter_output(records: list[dict[str, Any]]) -> str:
    """Bytes as convert_to_json_min writes them."""
    return "[\n" + ",\n".join(json.dumps(r, indent=2, ensure_ascii=False) for r in records) + "\n]"


def ls_record(
    data: dict[str, Any], task_id: int, outputs: dict[str, Any], **annotation: Any
) -> dict[str, Any]:
    record = dict(data)
    record["id"] = task_id
    record.update(outputs)
    record["annotator"] = annotation.get("annotator")
    record["annotation_id"] = annotation.get("annotation_id")
    record["created_at"] = annotation.get("created_at")
    record["updated_at"] = annotation.get("updated_at")
    record["lead_time"] = annotation.get("lead_time")
    return record


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Project]:
    with Project.open(tmp_path / "source.annot") as project:
        build_corpus(project, tmp_path)
        yield project


def test_export_has_the_converters_shape_and_reads_as_json(source: Project, tmp_path: Path) -> None:
    out = tmp_path / "min.json"
    report = export_project(source, "labelstudio-min", out)
    assert report.lossless
    raw = out.read_text(encoding="utf-8")
    assert raw.startswith('[\n{\n  "text": ') and raw.endswith("\n]")
    records = json.loads(raw)
    # One record per article and annotator; the article without spans has one without regions.
    assert [(r["id"], r["annotator"]) for r in records] == [
        (1, "alice"),
        (2, "alice"),
        (2, "bob"),
        (3, None),
        (4, "alice"),
    ]
    emoji = records[-1]
    assert emoji["text"] == LS_EMOJI_TEXT
    [region] = emoji["label"]
    assert {k: region[k] for k in ("start", "end", "text", "labels")} == {
        "start": 21,  # Label Studio's own emoji test expects 21 for "test"
        "end": 25,
        "text": "test",
        "labels": ["Claim"],
    }
    for record in records:
        for key in ("annotation_id", "created_at", "updated_at", "lead_time"):
            assert key in record
        for region in record.get("label", []):
            assert record["text"][region["start"] : region["end"]] == region["text"]


def test_round_trip_keeps_everything(source: Project, tmp_path: Path) -> None:
    out = tmp_path / "min.json"
    export_project(source, "labelstudio-min", out)
    with Project.open(tmp_path / "fresh.annot") as fresh:
        summary = import_paths(fresh, [out], annotator="someone", format="labelstudio-min")
        assert summary.rejections == [] and summary.notes == []
        assert (summary.articles_added, summary.spans_added, summary.relations_added) == (4, 14, 4)
        assert snapshot(fresh) == snapshot(source)


def test_label_studios_own_json_min_imports_with_both_annotators(tmp_path: Path) -> None:
    text = LS_EMOJI_TEXT
    records = [
        # Newest annotation first, as the converter sorts them; completed_by ints stay ints.
        ls_record(
            {"text": text},
            3,
            {
                "label": [{"start": 21, "end": 25, "text": "test", "labels": ["Claim"]}],
                "sentiment": "Negative",
                "comment": "checked twice",
            },
            annotator=2,
            annotation_id=8,
            created_at="2024-01-30T02:41:00.000000Z",
            updated_at="2024-01-30T02:41:00.000000Z",
            lead_time=3.5,
        ),
        ls_record(
            {"text": text},
            3,
            {"label": [{"start": 2, "end": 9, "text": "Warning", "labels": ["Claim", "Quote"]}]},
            annotator="ann@example.com",
            annotation_id=7,
            created_at="2024-01-30T02:40:43.893565Z",
            updated_at="2024-01-30T02:40:43.893578Z",
            lead_time=8.65,
        ),
        # A task nobody annotated: data and id, empty bookkeeping.
        ls_record({"text": "An unannotated story."}, 4, {}),
        # Text under another data key (value="$ner" in the labeling config).
        ls_record(
            {"ner": "Peskov said so.", "source": "TASS"},
            5,
            {"label": [{"start": 0, "end": 6, "text": "Peskov", "labels": ["Source"]}]},
            annotator=1,
            annotation_id=9,
        ),
    ]
    path = tmp_path / "result.json"
    path.write_text(converter_output(records), encoding="utf-8")
    with Project.open(tmp_path / "p.annot") as project:
        summary = import_paths(project, [path], annotator="me", format="labelstudio-min")
        assert summary.rejections == []
        assert summary.articles_added == 3 and summary.spans_added == 4
        names = {label.id: label.name for label in project.labels()}
        first, second, third = project.article_ids()
        assert sorted((s.text, names[s.label_id], s.annotator) for s in project.spans(first)) == [
            ("Warning", "Claim", "ann@example.com"),
            ("Warning", "Quote", "ann@example.com"),
            ("test", "Claim", "user 2"),
        ]
        # One annotator's choice and text area, with who gave them (the other record has none).
        assert project.article(first).meta["labelstudio_results"] == [
            {"annotator": "user 2", "from_name": "sentiment", "value": "Negative"},
            {"annotator": "user 2", "from_name": "comment", "value": "checked twice"},
        ]
        assert project.article_text(second) == "An unannotated story."
        assert project.article_text(third) == "Peskov said so."
        assert project.article(third).source == "TASS"


def test_utf16_offsets_of_an_old_label_studio_are_converted_and_said(tmp_path: Path) -> None:
    text = LS_EMOJI_TEXT  # the cat is two UTF-16 units: "test" at 22-26 in an old export
    path = tmp_path / "old.json"
    path.write_text(
        converter_output(
            [
                ls_record(
                    {"text": text},
                    1,
                    {"label": [{"start": 22, "end": 26, "text": "test", "labels": ["Claim"]}]},
                    annotator=1,
                )
            ]
        ),
        encoding="utf-8",
    )
    with Project.open(tmp_path / "p.annot") as project:
        summary = import_paths(project, [path], annotator="me", format="labelstudio-min")
        assert summary.rejections == []
        [span] = project.spans(project.article_ids()[0])
        assert span.text == "test"
        [note] = summary.notes
        assert "UTF-16" in note.message


def test_a_region_that_fits_no_reading_rejects_its_task_by_number(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        converter_output(
            [
                ls_record(
                    {"text": "Short text."},
                    1,
                    {"label": [{"start": 0, "end": 5, "text": "Other", "labels": ["X"]}]},
                ),
                ls_record(
                    {"text": "Fine text."},
                    2,
                    {"label": [{"start": 0, "end": 4, "text": "Fine", "labels": ["X"]}]},
                ),
            ]
        ),
        encoding="utf-8",
    )
    with Project.open(tmp_path / "p.annot") as project:
        summary = import_paths(project, [path], annotator="me", format="labelstudio-min")
        [rejection] = summary.rejections
        assert "record 1 (task 1)" in rejection.message and "does not match" in rejection.message
        assert summary.articles_added == 1
        assert project.article_text(project.article_ids()[0]) == "Fine text."


REALTOOLS = Path(__file__).resolve().parent / "realtools" / "labelstudio"


def test_label_studios_converter_output_matches_its_json_export(tmp_path: Path) -> None:
    """export.min.json was written by label-studio-sdk's Converter from export.json: both give
    the same articles, spans and annotators (JSON-MIN has no relations)."""
    got = {}
    for fmt, name in (("labelstudio-min", "export.min.json"), ("labelstudio", "export.json")):
        with Project.open(tmp_path / f"{fmt}.annot") as project:
            summary = import_paths(project, [REALTOOLS / name], annotator="me", format=fmt)
            assert summary.rejections == []
            names = {label.id: label.name for label in project.labels()}
            got[fmt] = (
                [project.article_text(i) for i in project.article_ids()],
                sorted(
                    (s.text, names[s.label_id], s.annotator)
                    for i in project.article_ids()
                    for s in project.spans(i)
                ),
            )
            if fmt == "labelstudio-min":
                results = project.article(project.article_ids()[0]).meta["labelstudio_results"]
                assert {"annotator": "user 1", "from_name": "sentiment", "value": "Positive"} in (
                    results
                )
    assert got["labelstudio-min"] == got["labelstudio"]
    assert len(got["labelstudio-min"][1]) == 7
