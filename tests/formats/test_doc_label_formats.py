"""Document labels in the CSV article export and in Label Studio (Choices, Number, TextArea),
written and read back; formats without a place for them say so."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.formats.export import DOC_LABEL_FORMATS, export_project
from annotator.formats.importer import import_paths
from annotator.formats.registry import FORMATS
from annotator.store import Project
from annotator.store.doc_labels import doc_fields, doc_labels, save_doc_field, set_doc_labels
from tests.formats.export_corpus import build_corpus

FIELDS = [
    ("Frame", "single", ["conflict", "economic", "human interest"]),
    ("Topic", "multiple", ["war", "trade", "=sanctions"]),
    ("Reliability", "number", []),
    ("Comment", "text", []),
]


def _define(project: Project) -> None:
    for name, kind, choices in FIELDS:
        if kind == "number":
            save_doc_field(project, name, kind, minimum=1, maximum=5)
        else:
            save_doc_field(project, name, kind, choices=choices)


@pytest.fixture
def labelled(tmp_path: Path) -> Path:
    path = tmp_path / "source.annot"
    with Project.open(path) as project:
        build_corpus(project, tmp_path)
        _define(project)
        ids = project.article_ids()
        set_doc_labels(
            project,
            ids[0],
            {"Frame": ["economic"], "Topic": ["war", "=sanctions"], "Reliability": ["4"]},
        )
        set_doc_labels(project, ids[1], {"Comment": ["-checked 😀, twice\nby the desk"]})
    return path


def _all_labels(path: Path) -> list[dict[str, list[str]]]:
    with Project.open(path, read_only=True) as project:
        return [doc_labels(project, a) for a in project.article_ids()]


def test_csv_articles_one_row_per_article_with_doc_labels(labelled: Path, tmp_path: Path) -> None:
    out = tmp_path / "articles.csv"
    with Project.open(labelled, read_only=True) as project:
        report = export_project(project, "csv-articles", out)
        texts = [project.article(a).text for a in project.article_ids()]
    assert report.articles == len(texts)
    # The spans are not in it, and the summary says so.
    assert any("span(s) not written" in loss.what for loss in report.losses)
    assert not any("document labels" in loss.what for loss in report.losses)
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(texts)
    assert rows[0]["doc_labels.Frame"] == "economic"
    # A formula-like value is neutralised for spreadsheets.
    assert rows[0]["doc_labels.Topic"] == "'=sanctions | war"
    assert rows[0]["doc_labels.Reliability"] == "4"
    assert rows[1]["doc_labels.Comment"] == "'-checked 😀, twice\nby the desk"
    copy = tmp_path / "copy.annot"
    with Project.open(copy) as project:
        _define(project)
        summary = import_paths(project, [out], annotator="x")
        assert summary.rejected == 0, summary.describe()
        assert [project.article(a).text for a in project.article_ids()] == texts
    assert _all_labels(copy) == _all_labels(labelled)


def test_csv_articles_cli_with_bom_and_raw(labelled: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    args = ["export", str(labelled), "-f", "csv-articles", "-o", str(out), "--csv-bom"]
    assert main([*args, "--csv-raw"]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[1]["doc_labels.Comment"].startswith("-checked")


def test_labelstudio_writes_choices_and_reads_them_back(labelled: Path, tmp_path: Path) -> None:
    out = tmp_path / "tasks.json"
    with Project.open(labelled, read_only=True) as project:
        report = export_project(project, "labelstudio", out)
    assert not any("document labels" in loss.what for loss in report.losses)
    tasks = json.loads(out.read_text("utf-8"))
    frame = [r for r in tasks[0]["annotations"][0]["result"] if r.get("from_name") == "Frame"]
    assert [(r["type"], r["to_name"], r["value"]) for r in frame] == [
        ("choices", "text", {"choices": ["economic"]})
    ]
    config = (tmp_path / "tasks.config.xml").read_text("utf-8")
    assert '<Choices name="Frame" toName="text" choice="single">' in config
    # Into a project without the fields: the config defines them, the results fill them.
    copy = tmp_path / "copy.annot"
    with Project.open(copy) as project:
        summary = import_paths(project, [out], annotator="x")
        assert summary.rejected == 0, summary.describe()
        got = {f.name: (f.kind, f.choices) for f in doc_fields(project)}
    assert got == {name: (kind, tuple(choices)) for name, kind, choices in FIELDS}
    assert _all_labels(copy) == _all_labels(labelled)


def test_label_studio_disagreeing_single_choices_stay_in_the_metadata(tmp_path: Path) -> None:
    config = (
        '<View><Text name="text" value="$text"/>'
        '<Choices name="sentiment" toName="text" choice="single">'
        '<Choice value="Positive"/><Choice value="Negative"/></Choices></View>'
    )

    def annotation(user: int, choice: str) -> dict[str, object]:
        return {
            "id": user,
            "completed_by": user,
            "result": [
                {
                    "value": {"choices": [choice]},
                    "id": f"c{user}",
                    "from_name": "sentiment",
                    "to_name": "text",
                    "type": "choices",
                    "origin": "manual",
                }
            ],
            "was_cancelled": False,
            "created_at": "2024-05-01T10:00:00.000000Z",
        }

    tasks = [
        {"id": 1, "data": {"text": "Agreed."}, "annotations": [annotation(1, "Positive")]},
        {
            "id": 2,
            "data": {"text": "Disputed."},
            "annotations": [annotation(1, "Positive"), annotation(2, "Negative")],
        },
    ]
    (tmp_path / "export.json").write_text(json.dumps(tasks), "utf-8")
    (tmp_path / "config.xml").write_text(config, "utf-8")
    with Project.open(tmp_path / "p.annot") as project:
        summary = import_paths(project, [tmp_path / "export.json"], annotator="x")
        assert summary.rejected == 0 and summary.articles_added == 2
        first, second = project.article_ids()
        assert doc_labels(project, first) == {"sentiment": ["Positive"]}
        assert doc_labels(project, second) == {}
        kept = project.article(second).meta["labelstudio_results"]
    assert {r["annotator"] for r in kept} == {"user 1", "user 2"}


@pytest.mark.parametrize("fmt", sorted(set(FORMATS) - DOC_LABEL_FORMATS))
def test_formats_without_doc_labels_say_so(labelled: Path, tmp_path: Path, fmt: str) -> None:
    spec = FORMATS[fmt]
    if spec.writer is None:
        pytest.skip("import-only format")
    out = tmp_path / ("out" if spec.folder else f"out{spec.suffix}")
    with Project.open(labelled, read_only=True) as project:
        report = export_project(project, fmt, out)
    lost = [loss for loss in report.losses if "document labels" in loss.what]
    assert lost and lost[0].count == 2, report.describe()
