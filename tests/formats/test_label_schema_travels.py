"""The label set travels with the data: attribute definitions, label hierarchy and document
label fields in JSONL (a schema file beside it), Parquet (labels and doc_fields tables) and
Label Studio (per-region controls in the labeling config); an import into a project that lacks
them adds them, and one into a project that has its own keeps those and says so."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.cli import main
from annotator.core.model import ArticleDraft, LabelSpec
from annotator.core.schema import AttributeDef
from annotator.formats.export import export_project
from annotator.formats.importer import import_paths
from annotator.store import Project
from annotator.store.doc_labels import doc_fields, doc_labels, save_doc_field, set_doc_labels
from annotator.store.schema_defs import (
    attribute_defs,
    label_parents,
    set_attribute_defs,
    set_label_parent,
)
from annotator.store.schema_file import read_schema_file

TEXT = "«Wir schaffen das» 👍🏽, sagte sie.\nCafé\u00a0e\u0301 — مرحبا بالعالم."
CLAIM_DEFS = (
    AttributeDef("verdict", "choice", ("true", "false", "misleading"), description="Rating"),
    AttributeDef("score", "number", minimum=1.0, maximum=5.0),
    AttributeDef("remark", "text"),
)
QUOTE_DEFS = (AttributeDef("verdict", "choice", ("direct", "indirect")),)


def _schema_of(project: Project) -> dict[str, Any]:
    labels = {label.id: label.name for label in project.labels()}
    return {
        "attributes": {
            name: tuple(attribute_defs(project, lid))
            for lid, name in labels.items()
            if attribute_defs(project, lid)
        },
        "parents": {labels[c]: labels[p] for c, p in label_parents(project).items()},
        "fields": [(f.name, f.kind, f.choices, f.minimum, f.maximum) for f in doc_fields(project)],
    }


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "source.annot"
    with Project.open(path, backups=False) as project:
        ids = {label.name: label.id for label in project.labels()}
        anonymous = project.add_label(LabelSpec("Anonymous", "#123456", "", "Unnamed source"))
        set_label_parent(project, anonymous.id, ids["Source"])
        set_attribute_defs(project, ids["Claim"], CLAIM_DEFS)
        set_attribute_defs(project, ids["Quote"], QUOTE_DEFS)
        save_doc_field(project, "Frame", "single", choices=["conflict", "economic"])
        save_doc_field(project, "Reliability", "number", minimum=1, maximum=5)
        article, _ = project.add_article(ArticleDraft(TEXT, title="Merkel"))
        start = TEXT.index("Wir")
        project.add_span(
            article,
            start,
            start + len("Wir schaffen das"),
            ids["Claim"],
            "alice",
            attributes={"verdict": "misleading", "score": "2", "remark": "vage"},
        )
        project.add_span(article, TEXT.index("مرحبا"), len(TEXT) - 1, anonymous.id, "bob")
        set_doc_labels(project, article, {"Frame": ["conflict"], "Reliability": ["4"]})
    return path


OUT = {"jsonl": "out.jsonl", "parquet": "out-parquet", "labelstudio": "out.json"}


@pytest.mark.parametrize("fmt", ["jsonl", "parquet", "labelstudio"])
def test_a_fresh_project_gets_the_whole_label_set(source: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / OUT[fmt]
    with Project.open(source, backups=False) as project:
        report = export_project(project, fmt, out)
        expected = _schema_of(project)
    lost = [str(loss) for loss in report.losses]
    with Project.open(tmp_path / "fresh.annot", backups=False) as fresh:
        for label in fresh.labels():  # a fresh project's default labels have no definitions
            assert attribute_defs(fresh, label.id) == []
        summary = import_paths(fresh, [out], annotator="importer")
        assert summary.rejections == [], summary.rejections
        assert summary.articles_added == 1 and summary.spans_added == 2
        got = _schema_of(fresh)
        [article_id] = summary.article_ids
        assert doc_labels(fresh, article_id) == {"Frame": ["conflict"], "Reliability": ["4"]}
        spans = fresh.spans(article_id)
    assert got["fields"] == expected["fields"]
    assert {s.attributes.get("verdict") for s in spans} == {"misleading", None}
    if fmt == "labelstudio":
        # A labeling config has no label hierarchy and no place for a control's description:
        # both are said, and the definitions themselves come back.
        assert "1 label parent(s) not written (a labeling config has no label hierarchy)" in lost
        assert any(line.startswith("1 attribute description(s) not written") for line in lost)
        assert got["parents"] == {}
        without = {
            label: tuple(
                AttributeDef(d.name, d.kind, d.choices, d.minimum, d.maximum) for d in defs
            )
            for label, defs in expected["attributes"].items()
        }
        assert got["attributes"] == without
    else:
        assert lost == [] or all("document labels" not in line for line in lost)
        assert got["attributes"] == expected["attributes"]
        assert got["parents"] == {"Anonymous": "Source"}


def test_the_jsonl_label_set_is_a_schema_file(source: Path, tmp_path: Path) -> None:
    with Project.open(source, backups=False) as project:
        export_project(project, "jsonl", tmp_path / "out.jsonl")
    sidecar = tmp_path / "out.labels.json"
    labels, fields = read_schema_file(sidecar)  # the schema file reader's own checks
    claim = next(entry for entry in labels if entry.name == "Claim")
    assert claim.attributes == CLAIM_DEFS
    assert next(e for e in labels if e.name == "Anonymous").parent == "Source"
    assert [f.name for f in fields] == ["Frame", "Reliability"]
    # ... which the schema command takes as it is.
    fresh = tmp_path / "team.annot"
    Project.open(fresh, backups=False).close()
    assert main(["schema", "import", str(fresh), str(sidecar)]) == 0


@pytest.mark.parametrize("fmt", ["jsonl", "parquet", "labelstudio"])
def test_a_project_keeps_its_own_definitions_and_says_so(
    source: Path, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / OUT[fmt]
    with Project.open(source, backups=False) as project:
        export_project(project, fmt, out)
    own = (AttributeDef("verdict", "choice", ("yes", "no")),)
    with Project.open(tmp_path / "mine.annot", backups=False) as mine:
        claim = next(label for label in mine.labels() if label.name == "Claim")
        set_attribute_defs(mine, claim.id, own)
        summary = import_paths(mine, [out], annotator="importer")
        assert attribute_defs(mine, claim.id) == list(own)
        quote = next(label for label in mine.labels() if label.name == "Quote")
        assert attribute_defs(mine, quote.id) == list(QUOTE_DEFS)  # it had none: given
    notes = [n.message for n in summary.notes]
    assert "label(s) already in the project kept their own attribute definitions: Claim" in notes


def test_parquet_label_tables_are_typed(source: Path, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "out-parquet"
    with Project.open(source, backups=False) as project:
        export_project(project, "parquet", out)
    labels = pq.read_table(out / "labels.parquet")
    assert str(labels.schema.field("attributes").type) == (
        "list<element: struct<name: string not null, type: string not null, choices: "
        "list<element: string not null> not null, min: double, max: double, description: string "
        "not null> not null>"
    )
    nullable = {f.name for f in labels.schema if f.nullable}
    assert nullable == set()
    rows = {row["name"]: row for row in labels.to_pylist()}
    assert rows["Anonymous"]["parent"] == "Source" and rows["Source"]["parent"] == ""
    assert rows["Claim"]["attributes"][1] == {
        "name": "score",
        "type": "number",
        "choices": [],
        "min": 1.0,
        "max": 5.0,
        "description": "",
    }
    fields = pq.read_table(out / "doc_fields.parquet").to_pylist()
    assert [(f["name"], f["type"], f["choices"]) for f in fields] == [
        ("Frame", "single", ["conflict", "economic"]),
        ("Reliability", "number", []),
    ]
    articles = pq.read_table(out / "articles.parquet")
    doc_labels_type = articles.schema.field("doc_labels").type
    assert str(doc_labels_type.key_type) == "string"
    assert str(doc_labels_type.item_type) == "list<element: string not null>"
    assert not articles.schema.field("doc_labels").nullable
    assert articles.to_pylist()[0]["doc_labels"] == [
        ("Frame", ["conflict"]),
        ("Reliability", ["4"]),
    ]


def test_label_studio_config_has_per_region_controls(source: Path, tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    with Project.open(source, backups=False) as project:
        export_project(project, "labelstudio", tmp_path / "out.json")
    root = ET.fromstring((tmp_path / "out.config.xml").read_text(encoding="utf-8"))
    per_region = {
        (e.tag, e.get("name"), e.get("whenLabelValue")): e
        for e in root
        if e.get("perRegion") == "true"
    }
    # "verdict" is defined by two labels: each control is named by its label too.
    assert set(per_region) == {
        ("Choices", "Claim:verdict", "Claim"),
        ("Number", "score", "Claim"),
        ("TextArea", "remark", "Claim"),
        ("Choices", "Quote:verdict", "Quote"),
    }
    for element in per_region.values():
        assert element.get("toName") == "text"
        assert element.get("visibleWhen") == "region-selected"
    score = per_region[("Number", "score", "Claim")]
    assert (score.get("min"), score.get("max")) == ("1", "5")
    choices = per_region[("Choices", "Claim:verdict", "Claim")]
    assert [c.get("value") for c in choices] == ["true", "false", "misleading"]


def test_an_earlier_label_set_file_is_still_read(tmp_path: Path) -> None:
    data = tmp_path / "old.jsonl"
    data.write_text(json.dumps({"text": "Peskov said.", "spans": []}) + "\n", encoding="utf-8")
    (tmp_path / "old.labels.json").write_text(
        json.dumps({"labels": [{"name": "Rumour", "color": "#aa0000", "hotkey": "r"}]}),
        encoding="utf-8",
    )
    with Project.open(tmp_path / "p.annot", backups=False) as project:
        summary = import_paths(project, [data], annotator="x")
        assert summary.rejections == []
        rumour = next(label for label in project.labels() if label.name == "Rumour")
        assert (rumour.color, rumour.hotkey) == ("#aa0000", "r")


def test_a_broken_label_set_is_named_by_line_and_the_articles_still_come_in(
    tmp_path: Path,
) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps({"text": "Peskov said."}) + "\n", encoding="utf-8")
    sidecar = tmp_path / "d.labels.json"
    sidecar.write_text(
        '{"news_annotator_schema": 1,\n "labels": [\n  {"name": "Claim", "attributes": [\n'
        '   {"name": "score", "type": "rating"}]}],\n "doc_labels": []}\n',
        encoding="utf-8",
    )
    with Project.open(tmp_path / "p.annot", backups=False) as project:
        before = {label.name for label in project.labels()}
        summary = import_paths(project, [data], annotator="x")
        assert summary.articles_added == 1
        assert {label.name for label in project.labels()} == before
        claim = next(label for label in project.labels() if label.name == "Claim")
        assert attribute_defs(project, claim.id) == []
    [problem] = summary.rejections
    assert str(problem).startswith(f"{sidecar}: label set not read: {sidecar}:4: ")
    assert "type 'rating' is not one of choice, text, number" in str(problem)


def test_spacy_brings_the_document_label_fields_it_uses(source: Path, tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    out = tmp_path / "out.spacy"
    with Project.open(source, backups=False) as project:
        report = export_project(project, "spacy", out)
        expected = _schema_of(project)["fields"]
    assert report.lossless
    with Project.open(tmp_path / "fresh.annot", backups=False) as fresh:
        summary = import_paths(fresh, [out], annotator="importer")
        assert summary.rejections == [] and summary.articles_added == 1
        assert _schema_of(fresh)["fields"] == expected
        [article_id] = summary.article_ids
        assert doc_labels(fresh, article_id) == {"Frame": ["conflict"], "Reliability": ["4"]}
    with Project.open(tmp_path / "mine.annot", backups=False) as mine:
        save_doc_field(mine, "Frame", "multiple", choices=["conflict", "economic", "other"])
        summary = import_paths(mine, [out], annotator="importer")
        assert summary.rejections == []
        assert [(f.name, f.kind) for f in doc_fields(mine)][0] == ("Frame", "multiple")
    assert [n.message for n in summary.notes] == [
        "document label field(s) already in the project kept their own definition: Frame"
    ]


@pytest.mark.parametrize("fmt", ["csv-articles", None])
def test_a_csv_of_articles_brings_its_document_label_fields(
    source: Path, tmp_path: Path, fmt: str | None
) -> None:
    out = tmp_path / "articles.csv"
    with Project.open(source, backups=False) as project:
        report = export_project(project, "csv-articles", out)
        expected = _schema_of(project)["fields"]
    assert report.files == [out, tmp_path / "articles.labels.json"]
    with Project.open(tmp_path / "fresh.annot", backups=False) as fresh:
        # As csv-articles, or as any CSV of articles (found by its content).
        summary = import_paths(fresh, [out], annotator="importer", format=fmt)
        assert summary.rejections == [] and summary.articles_added == 1
        assert _schema_of(fresh)["fields"] == expected
        [article_id] = summary.article_ids
        assert doc_labels(fresh, article_id) == {"Frame": ["conflict"], "Reliability": ["4"]}


def test_label_studio_results_of_attribute_controls_are_attributes(
    source: Path, tmp_path: Path
) -> None:
    """Regions annotated in Label Studio with the exported config: each per-region control's
    result (as Label Studio writes it, with the region's id and offsets) is the attribute."""
    out = tmp_path / "out.json"
    with Project.open(source, backups=False) as project:
        export_project(project, "labelstudio", out)
    tasks = json.loads(out.read_text(encoding="utf-8"))
    result = tasks[0]["annotations"][0]["result"]
    claim = next(
        r for r in result if r.get("type") == "labels" and r["value"]["labels"] == ["Claim"]
    )
    where = {k: claim["value"][k] for k in ("start", "end", "text")}
    for control, kind, value in (
        ("Claim:verdict", "choices", {"choices": ["false"]}),
        ("score", "number", {"number": 3}),
        ("remark", "textarea", {"text": ["zu vage", "nachprüfen"]}),
    ):
        result.append(
            {
                "id": claim["id"],
                "from_name": control,
                "to_name": "text",
                "type": kind,
                "origin": "manual",
                "value": {**where, **value},
            }
        )
    for region in result:  # as if made in Label Studio: no values in this app's region meta
        region.get("meta", {}).pop("attributes", None)
    out.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    with Project.open(tmp_path / "fresh.annot", backups=False) as fresh:
        summary = import_paths(fresh, [out], annotator="importer")
        assert summary.rejections == []
        [article_id] = summary.article_ids
        [span] = [s for s in fresh.spans(article_id) if s.text == "Wir schaffen das"]
    assert span.attributes == {"verdict": "false", "score": "3", "remark": "zu vage\nnachprüfen"}
    assert span.note == ""
