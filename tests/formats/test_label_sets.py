"""The label set travels with JSONL, Parquet and brat exports; Parquet's schema is typed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from annotator.cli import main
from annotator.core.model import LabelSpec
from annotator.store import Project

LABELS = [
    LabelSpec("Rumour", "#123456", "9", "Unconfirmed talk"),
    LabelSpec("Цитата", "#abcdef", "", "Russian quote"),
    LabelSpec("Citação", "#00ff00", "", ""),
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    source = tmp_path / "in.jsonl"
    text = "Peskov said:\t“Tab\there.” Кремль молчит. 🇺🇸"
    source.write_text(
        json.dumps(
            {
                "text": text,
                "meta": {"year": 2024, "tags": ["a", "b"], "desk": "Moscow"},
                "spans": [
                    {"start": 0, "end": 6, "label": "Citação", "note": "a\tnote\nwith lines"},
                    {"start": 13, "end": 24, "label": "Цитата", "attributes": {"k": "v w"}},
                ],
            },
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    path = tmp_path / "p.annot"
    assert main(["import", str(path), str(source)]) == 0
    with Project.open(path) as p:
        for spec in LABELS:
            label = p.label_by_name(spec.name)
            if label is None:
                p.add_label(spec)
            else:
                p.update_label(label.id, color=spec.color, description=spec.description)
    return path


def _labels(path: Path) -> dict[str, tuple[str, str, str]]:
    with Project.open(path, read_only=True) as p:
        return {label.name: (label.color, label.hotkey, label.description) for label in p.labels()}


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_label_set_travels(
    project: Path, tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / ("out" if fmt == "parquet" else "out.jsonl")
    assert main(["export", str(project), "--format", fmt, "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    # Labels and span times travel: nothing is lost, and the export says so.
    assert "Nothing was lost" in printed and "creation and change time" not in printed
    copy = tmp_path / "copy.annot"
    assert main(["import", str(copy), str(out), "--format", fmt]) == 0
    wanted = _labels(project)
    got = _labels(copy)
    for spec in LABELS:
        assert got[spec.name] == wanted[spec.name]
        assert (got[spec.name][0], got[spec.name][2]) == (spec.color, spec.description)
    # Labels no span uses came too, in the project's colours.
    assert set(wanted) <= set(got)


def test_parquet_schema_is_typed_and_non_null(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["export", str(project), "--format", "parquet", "-o", str(out)]) == 0
    for name in ("articles", "spans", "relations", "labels"):
        schema = pq.read_schema(out / f"{name}.parquet")
        assert not any(field.nullable for field in schema), name
    articles = pq.read_table(out / "articles.parquet")
    meta_type = articles.schema.field("meta").type
    assert pa.types.is_map(meta_type) and meta_type.key_type == meta_type.item_type == pa.string()
    meta = dict(articles.column("meta").to_pylist()[0])
    assert json.loads(meta["year"]) == 2024 and json.loads(meta["tags"]) == ["a", "b"]
    labels = pq.read_table(out / "labels.parquet").to_pylist()
    assert [row["position"] for row in labels] == list(range(len(labels)))
    by_name = {row["name"]: row for row in labels}
    assert {s.name for s in LABELS} <= set(by_name)
    assert (by_name["Rumour"]["hotkey"], by_name["Rumour"]["color"]) == ("9", "#123456")


def test_brat_names_are_brat_storage_forms_and_come_back(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "brat"
    assert main(["export", str(project), "--format", "brat", "-o", str(out)]) == 0
    conf = (out / "annotation.conf").read_text(encoding="utf-8")
    section = None
    for line in conf.splitlines():
        if line.startswith("["):
            section = line
            continue
        if not line.strip() or line.startswith("#") or section is None:
            continue
        name = line.split("\t")[0].strip()
        if name.startswith("<"):
            continue
        # brat's normalize_to_storage_form: a type must match ^[a-zA-Z0-9_-]*$
        assert re.fullmatch(r"[a-zA-Z0-9_-]+", name), (section, name)
    ann = next(out.glob("*.ann")).read_text(encoding="utf-8")
    # brat reads a line's third field as everything after the second TAB (annotation.py's
    # data_tail), so a TAB inside a note or text stays; a line break would end the line.
    assert "#1\tAnnotatorNotes T1\ta\tnote with lines\n" in ann
    copy = tmp_path / "copy.annot"
    assert main(["import", str(copy), str(out), "--format", "brat"]) == 0
    with Project.open(copy, read_only=True) as p:
        labels = {label.id: label.name for label in p.labels()}
        spans = [s for i in p.article_ids() for s in p.spans(i)]
        assert sorted(labels[s.label_id] for s in spans) == ["Citação", "Цитата"]
        assert [s.note for s in spans if s.note] == ["a\tnote with lines"]
