"""Document labels and claim evidence travel in JSONL; formats that cannot carry document labels
say so in the export summary; unknown fields are rejected by file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.formats.export import export_project
from annotator.formats.importer import import_paths
from annotator.store import Project
from annotator.store.claims import claims
from annotator.store.doc_labels import doc_labels, save_doc_field, set_doc_labels
from tests.corpus.conftest import Corpus


def _define_fields(project: Project) -> None:
    save_doc_field(project, "Frame", "single", choices=["conflict", "economic", "human interest"])
    save_doc_field(project, "Topics", "multiple", choices=["war", "trade"])
    save_doc_field(project, "Reliability", "number", minimum=1, maximum=5)


def test_jsonl_round_trip_of_doc_labels_and_evidence(corpus: Corpus, tmp_path: Path) -> None:
    with Project.open(corpus.path, backups=False) as project:
        _define_fields(project)
        set_doc_labels(project, corpus.seed, {"Frame": ["conflict"], "Topics": ["war", "trade"]})
        set_doc_labels(project, corpus.awkward, {"Reliability": ["4"]})
        report = export_project(project, "jsonl", tmp_path / "out.jsonl")
        assert not [loss for loss in report.losses if "document labels" in loss.what]
        assert main(["schema", "export", str(corpus.path), "-o", str(tmp_path / "s.json")]) == 0
    lines = [
        json.loads(x) for x in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert lines[0]["doc_labels"] == {"Frame": ["conflict"], "Topics": ["trade", "war"]}
    assert lines[1]["doc_labels"] == {"Reliability": ["4"]}
    assert "doc_labels" not in lines[2]
    claim = next(s for s in lines[0]["spans"] if s["label"] == "Claim")
    assert claim["attributes"]["evidence"] == ["https://example.org/a", "span:2:0-1"]
    assert claim["attributes"]["verdict"] == "mostly true"
    fresh_path = tmp_path / "fresh.annot"
    Project.open(fresh_path, backups=False).close()
    # The fields must exist first: the team's schema brings them.
    assert main(["schema", "import", str(fresh_path), str(tmp_path / "s.json")]) == 0
    with Project.open(fresh_path, backups=False) as fresh:
        summary = import_paths(fresh, [tmp_path / "out.jsonl"], annotator="x")
        assert summary.rejections == [] and summary.articles_added == 3
        ids = summary.article_ids
        assert doc_labels(fresh, ids[0]) == {"Frame": ["conflict"], "Topics": ["trade", "war"]}
        assert doc_labels(fresh, ids[1]) == {"Reliability": ["4"]}
        assert claims(fresh)[0].evidence == ("https://example.org/a", "span:2:0-1")


def test_unknown_or_invalid_doc_labels_reject_the_line(tmp_path: Path) -> None:
    lines = [
        {"text": "First article.", "doc_labels": {"Frame": ["conflict"]}},
        {"text": "Second article.", "doc_labels": {"Mood": ["grim"]}},
        {"text": "Third article.", "doc_labels": {"Reliability": [9]}},
        {"text": "Fourth article.", "doc_labels": ["conflict"]},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    with Project.open(tmp_path / "p.annot", backups=False) as project:
        _define_fields(project)
        summary = import_paths(project, [source], annotator="x")
        assert summary.articles_added == 1
        rejected = {r.line: r.message for r in summary.rejections}
        assert set(rejected) == {2, 3, 4}
        assert "unknown document label field 'Mood'" in rejected[2]
        assert "above the maximum 5" in rejected[3]
        assert "'doc_labels' must be an object" in rejected[4]
        assert all(str(r).startswith(f"{source}:") for r in summary.rejections)
        # Nothing of a rejected line was written.
        assert project.counts()["articles"] == 1


def test_formats_without_doc_labels_say_so(corpus: Corpus, tmp_path: Path) -> None:
    with Project.open(corpus.path, backups=False) as project:
        _define_fields(project)
        set_doc_labels(project, corpus.seed, {"Frame": ["economic"]})
        report = export_project(project, "doccano", tmp_path / "d.jsonl")
    lost = [str(loss) for loss in report.losses]
    assert "1 article(s) with document labels: doccano cannot carry document labels" in lost[-1]
    assert "document labels" in report.describe()


@pytest.mark.parametrize("value", [{"Frame": "conflict"}, {"Frame": ["conflict"]}])
def test_a_lone_value_is_a_list_of_one(tmp_path: Path, value: object) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"text": "An article.", "doc_labels": value}) + "\n", encoding="utf-8"
    )
    with Project.open(tmp_path / "p.annot", backups=False) as project:
        _define_fields(project)
        summary = import_paths(project, [source], annotator="x")
        assert doc_labels(project, summary.article_ids[0]) == {"Frame": ["conflict"]}


def test_label_studio_carries_doc_labels_as_choices(corpus: Corpus, tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    with Project.open(corpus.path, backups=False) as project:
        _define_fields(project)
        save_doc_field(project, "Remark", "text")
        set_doc_labels(project, corpus.seed, {"Frame": ["conflict"], "Topics": ["war", "trade"]})
        set_doc_labels(project, corpus.awkward, {"Reliability": ["4"], "Remark": ["odd one"]})
        report = export_project(project, "labelstudio", tmp_path / "ls.json")
    assert not [loss for loss in report.losses if "document labels" in loss.what]
    tasks = json.loads((tmp_path / "ls.json").read_text(encoding="utf-8"))
    results = [r for r in tasks[0]["annotations"][0]["result"] if r["type"] == "choices"]
    assert [(r["from_name"], r["to_name"], r["value"]["choices"]) for r in results] == [
        ("Frame", "text", ["conflict"]),
        ("Topics", "text", ["trade", "war"]),
    ]
    second = {r["type"]: r for r in tasks[1]["annotations"][0]["result"]}
    assert second["number"]["value"] == {"number": 4}
    assert second["textarea"]["value"] == {"text": ["odd one"]}
    config = ET.parse(tmp_path / "ls.config.xml").getroot()
    choices = {c.get("name"): c for c in config.iter("Choices")}
    assert (
        choices["Frame"].get("choice") == "single" and choices["Topics"].get("choice") == "multiple"
    )
    assert [c.get("value") for c in choices["Frame"]] == ["conflict", "economic", "human interest"]
    assert choices["Frame"].get("toName") == "text"
    [number] = config.iter("Number")
    assert (number.get("name"), number.get("min"), number.get("max")) == ("Reliability", "1", "5")
    # Every result names a control of the config (what Label Studio checks on import).
    names = {el.get("name") for el in config.iter() if el.get("name")}
    assert all(
        r.get("from_name", "label") in names
        for t in tasks
        for r in t["annotations"][0]["result"]
        if r["type"] != "relation"
    )
