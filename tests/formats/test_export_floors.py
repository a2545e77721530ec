"""The benchmark floors of the dataset exports write what the exports write.

A floor is only a fair measure of an export's own cost when it writes the same content: these
tests run the floors of ``tests/benchmarks/format_floors.py`` on a project of hard text (emoji,
notes, attributes, relations, two annotators, an article without spans) and compare.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.formats.export import export_project
from annotator.store import Project
from tests.benchmarks import format_floors
from tests.formats.export_corpus import build_corpus


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    path = tmp_path / "source.annot"
    with Project.open(path) as project:
        build_corpus(project, tmp_path)
    return path


def test_labelstudio_min_floor_writes_the_exports_bytes(project_file: Path, tmp_path: Path) -> None:
    app, floor = tmp_path / "app.json", tmp_path / "floor.json"
    with Project.open(project_file) as project:
        report = export_project(project, "labelstudio-min", app)
    assert format_floors.floor_labelstudio_min(str(project_file), str(floor)) == report.spans
    assert floor.read_bytes() == app.read_bytes()


def test_hf_floor_writes_the_exports_columns(project_file: Path, tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    app, floor = tmp_path / "app", tmp_path / "floor"
    with Project.open(project_file) as project:
        export_project(project, "hf", app)
    format_floors.floor_hf(str(project_file), str(floor))
    ours, plain = datasets.load_from_disk(str(app)), datasets.load_from_disk(str(floor))
    assert plain.column_names == ours.column_names
    assert plain.data.schema.remove_metadata() == ours.data.schema.remove_metadata()
    for column in ("id", "text", "spans", "relations", "meta"):
        assert plain[column] == ours[column], column
    # Tokens and tags are made by simpler rules, but one per token all the same.
    assert [len(t) for t in plain["tokens"]] == [len(t) for t in plain["ner_tags"]]
    assert any(any(tags) for tags in plain["ner_tags"])


def test_webanno_tsv_floor_writes_every_span_and_relation(
    project_file: Path, tmp_path: Path
) -> None:
    app, floor = tmp_path / "app", tmp_path / "floor"
    with Project.open(project_file) as project:
        report = export_project(project, "webanno-tsv", app)
    format_floors.floor_tsv(str(project_file), str(floor))
    ours = sorted(p.name for p in app.iterdir())
    plain = sorted(p.name for p in floor.iterdir())
    assert len(plain) == len(ours) == report.articles
    spans = relations = 0
    for path in floor.iterdir():
        rows = [
            line.split("\t")
            for line in path.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")
        ]
        # The export's eleven columns: id, offsets, token, four span and three relation ones.
        assert {len(row) for row in rows} <= {11}
        spans += len({value for row in rows for value in row[3].split("|") if value != "_"})
        relations += sum(len(row[7].split("|")) for row in rows if row[7] != "_")
    assert spans == report.spans  # each span on its tokens, told apart by its number
    assert relations == report.relations


def test_xmi_floor_writes_the_exports_annotations(project_file: Path, tmp_path: Path) -> None:
    cassis = pytest.importorskip("cassis")
    app, floor = tmp_path / "app", tmp_path / "floor"
    with Project.open(project_file) as project:
        report = export_project(project, "xmi", app)
    format_floors.floor_xmi(str(project_file), str(floor))

    def annotations(folder: Path) -> tuple[list[tuple[object, ...]], int]:
        with (folder / "TypeSystem.xml").open("rb") as fh:
            ts = cassis.load_typesystem(fh)
        spans, relations = [], 0
        for path in sorted(folder.glob("*.xmi")):
            with path.open("rb") as fh:
                cas = cassis.load_cas_from_xmi(fh, typesystem=ts)
            spans += [
                (fs.begin, fs.end, fs.label, fs.annotator, fs.note, fs.created_at)
                for fs in cas.select("webanno.custom.Span")
            ]
            relations += len(cas.select("webanno.custom.Relation"))
        return sorted(spans, key=repr), relations

    ours, plain = annotations(app), annotations(floor)
    assert plain == ours
    assert len(plain[0]) == report.spans and plain[1] == report.relations
