"""The label schema: export, import (checked whole, nothing half-applied), hierarchy, attributes
and document label fields."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core.model import LabelSpec
from annotator.core.schema import AttributeDef, DocField, attribute_problems, doc_value_problems
from annotator.store import Project, ProjectError
from annotator.store.doc_labels import doc_fields, doc_labels, save_doc_field, set_doc_labels
from annotator.store.schema_defs import (
    attribute_defs,
    label_parents,
    label_path,
    set_attribute_defs,
    set_label_parent,
)
from annotator.store.schema_file import SchemaFileError, export_schema, import_schema
from tests.corpus.conftest import Corpus

SCHEMA = {
    "news_annotator_schema": 1,
    "labels": [
        {"name": "Source", "description": "Who a statement is attributed to"},
        {"name": "Anonymous", "parent": "Source", "color": "#123456", "description": "Unnamed"},
        {
            "name": "Claim",
            "attributes": [
                {"name": "verdict", "type": "choice", "choices": ["true", "false"]},
                {"name": "score", "type": "number", "min": 1, "max": 5},
                {"name": "comment", "type": "text", "description": "free text"},
            ],
        },
    ],
    "doc_labels": [
        {"name": "Frame", "type": "single", "choices": ["conflict", "economic", "human interest"]},
        {"name": "Topics", "type": "multiple", "choices": ["war", "trade", "energy"]},
        {"name": "Reliability", "type": "number", "min": 1, "max": 5},
        {"name": "Remark", "type": "text"},
    ],
}


def _write(path: Path, obj: object) -> Path:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def test_import_then_export_round_trip_keeps_spans(corpus: Corpus, tmp_path: Path) -> None:
    with Project.open(corpus.path, backups=False) as project:
        spans_before = project.counts()["spans"]
        result = import_schema(project, _write(tmp_path / "s.json", SCHEMA))
        assert (result.labels_added, result.labels_updated, result.fields_added) == (1, 2, 4)
        assert project.counts()["spans"] == spans_before
        anonymous = project.label_by_name("Anonymous")
        source = project.label_by_name("Source")
        claim = project.label_by_name("Claim")
        assert anonymous and source and claim
        assert label_parents(project) == {anonymous.id: source.id}
        assert label_path(project, anonymous.id) == ["Source", "Anonymous"]
        assert source.description == "Who a statement is attributed to"
        assert [d.name for d in attribute_defs(project, claim.id)] == [
            "verdict",
            "score",
            "comment",
        ]
        assert [f.kind for f in doc_fields(project)] == ["single", "multiple", "number", "text"]
        exported = export_schema(project)
    # Exported into a fresh project, the schema reads back the same.
    out = tmp_path / "again.json"
    _write(out, exported)
    with Project.open(tmp_path / "fresh.annot", backups=False) as fresh:
        import_schema(fresh, out)
        assert export_schema(fresh) == exported


def test_unknown_fields_are_reported_by_file_and_line_and_nothing_changes(
    corpus: Corpus, tmp_path: Path
) -> None:
    bad = json.loads(json.dumps(SCHEMA))
    bad["labels"][2]["attributes"][0]["colour"] = "red"
    bad["doc_labels"][0]["type"] = "dropdown"
    bad["labels"].append({"name": "Extra", "hotkey": 5})
    path = _write(tmp_path / "bad.json", bad)
    lines = path.read_text(encoding="utf-8").splitlines()
    colour_line = next(i for i, line in enumerate(lines, 1) if '"colour"' in line)
    type_line = next(i for i, line in enumerate(lines, 1) if '"dropdown"' in line)
    with Project.open(corpus.path, backups=False) as project:
        before = export_schema(project)
        labels_before = project.labels()
        with pytest.raises(SchemaFileError) as info:
            import_schema(project, path)
        assert export_schema(project) == before and project.labels() == labels_before
    problems = info.value.problems
    assert f"{path}:{colour_line}: unknown field 'colour' in attribute of 'Claim'" in problems[0]
    assert any(p.startswith(f"{path}:{type_line}:") and "'dropdown'" in p for p in problems)
    assert any("'hotkey' must be a string" in p for p in problems)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"news_annotator_schema": 1,\n "labels": [\n', "malformed JSON"),
        ("[1, 2]", "one JSON object"),
        ('{"labels": []}', "not a News Annotator schema"),
        (
            '{"news_annotator_schema": 1, "labels": [{"name": "A", "parent": "Nowhere"}]}',
            "parent 'Nowhere'",
        ),
    ],
)
def test_bad_schema_files(corpus: Corpus, tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(text, encoding="utf-8")
    with Project.open(corpus.path, backups=False) as project:
        with pytest.raises(SchemaFileError, match=message):
            import_schema(project, path)
        assert project.label_by_name("A") is None


def test_hierarchy_refuses_cycles(corpus: Corpus) -> None:
    with Project.open(corpus.path, backups=False) as project:
        ids = {label.name: label.id for label in project.labels()}
        set_label_parent(project, ids["Quote"], ids["Source"])
        with pytest.raises(ProjectError, match="cannot sit under itself"):
            set_label_parent(project, ids["Source"], ids["Quote"])
        set_label_parent(project, ids["Quote"], None)
        assert label_parents(project) == {}


def test_attribute_and_doc_value_validation() -> None:
    defs = [
        AttributeDef("verdict", "choice", ("true", "false")),
        AttributeDef("score", "number", minimum=1, maximum=5),
    ]
    assert attribute_problems(defs, {"verdict": "true", "score": "3", "other": "x"}) == []
    assert attribute_problems(defs, {"verdict": "maybe", "score": "9"}) == [
        "verdict: 'maybe' is not one of true, false",
        "score: 9 is above the maximum 5",
    ]
    assert attribute_problems(defs, {"score": "nan"}) == ["score: 'nan' is not a number"]
    single = DocField(1, "Frame", "single", ("a", "b"))
    assert doc_value_problems(single, ["a", "b"]) == ["Frame: takes one value, not 2"]


def test_doc_labels_checked_before_anything_is_stored(corpus: Corpus) -> None:
    with Project.open(corpus.path, backups=False) as project:
        save_doc_field(project, "Frame", "single", choices=["conflict", "economic"])
        save_doc_field(project, "Topics", "multiple", choices=["war", "trade"])
        save_doc_field(project, "Reliability", "number", minimum=1, maximum=5)
        previous = set_doc_labels(
            project, corpus.seed, {"Frame": ["conflict"], "Topics": ["war", "trade"]}
        )
        assert previous == {"Frame": [], "Topics": []}
        with pytest.raises(ProjectError, match="unknown document label field 'Mood'"):
            set_doc_labels(project, corpus.seed, {"Frame": ["economic"], "Mood": ["x"]})
        with pytest.raises(ProjectError, match="above the maximum 5"):
            set_doc_labels(project, corpus.seed, {"Reliability": ["7"]})
        assert doc_labels(project, corpus.seed) == {
            "Frame": ["conflict"],
            "Topics": ["trade", "war"],
        }
        assert set_doc_labels(project, corpus.seed, {"Frame": []}) == {"Frame": ["conflict"]}
        assert doc_labels(project, corpus.seed) == {"Topics": ["trade", "war"]}


def test_schema_cli(corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _write(tmp_path / "team.json", SCHEMA)
    assert main(["schema", "import", str(corpus.path), str(src)]) == 0
    assert "1 label(s) added" in capsys.readouterr().out
    out = tmp_path / "out.json"
    assert main(["schema", "export", str(corpus.path), "-o", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [f["name"] for f in data["doc_labels"]] == ["Frame", "Topics", "Reliability", "Remark"]
    assert next(lb for lb in data["labels"] if lb["name"] == "Anonymous")["parent"] == "Source"
    bad = _write(tmp_path / "bad.json", {"news_annotator_schema": 1, "labelz": []})
    capsys.readouterr()
    assert main(["schema", "import", str(corpus.path), str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:3: unknown field 'labelz'" in err and "nothing was changed" in err


def test_restoring_a_deleted_label_brings_back_its_place_in_the_schema(
    corpus: Corpus, tmp_path: Path
) -> None:
    """Deleting Source (parent of Anonymous, itself under a new "Attribution" label) and
    restoring it gives back its parent, its child and its attribute definitions."""
    with Project.open(corpus.path, backups=False) as project:
        import_schema(project, _write(tmp_path / "schema.json", SCHEMA))
        ids = {label.name: label.id for label in project.labels()}
        top = project.add_label(LabelSpec("Attribution", "#445566"))
        set_label_parent(project, ids["Source"], top.id)
        defs = [
            AttributeDef("named", "choice", ("true", "false"), None, None, "a name or not"),
            AttributeDef("weight", "number", (), 1.0, 5.0, ""),
        ]
        set_attribute_defs(project, ids["Source"], defs)
        spans_before = project.counts()["spans"]
        schema_before = export_schema(project)

        snapshot = project.delete_label(ids["Source"])
        assert ids["Source"] not in label_parents(project)
        assert ids["Anonymous"] not in label_parents(project)  # cascaded away with it
        assert attribute_defs(project, ids["Source"]) == []

        restored = project.restore_label(snapshot)
        assert restored.id == ids["Source"]
        assert label_parents(project)[ids["Source"]] == top.id
        assert label_parents(project)[ids["Anonymous"]] == ids["Source"]
        assert attribute_defs(project, ids["Source"]) == defs
        assert label_path(project, ids["Anonymous"]) == ["Attribution", "Source", "Anonymous"]
        assert project.counts()["spans"] == spans_before
        assert export_schema(project) == schema_before


def test_restored_label_skips_a_parent_deleted_meanwhile(corpus: Corpus) -> None:
    with Project.open(corpus.path, backups=False) as project:
        parent = project.add_label(LabelSpec("Actor", "#445566"))
        child = project.add_label(LabelSpec("Politician", "#665544"))
        set_label_parent(project, child.id, parent.id)
        snapshot = project.delete_label(child.id)
        project.delete_label(parent.id)
        project.restore_label(snapshot)  # its parent is gone: it comes back at the top
        assert child.id not in label_parents(project)
        assert project.label(child.id).name == "Politician"
