"""Readers of one large file or folder say how far they are (bytes, records or files) while
records are still to come, for every format not read line by line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.formats.export import export_project
from annotator.formats.importer import import_paths
from annotator.formats.records import ArticleRecord, ReadOptions
from annotator.formats.registry import FORMATS
from annotator.store import Project

ARTICLES = 120
# Read whole or streamed, not line by line: their readers report progress themselves.
TOLD = ["labelstudio", "labelstudio-min", "spacy", "hf", "parquet", "xmi", "webanno-tsv", "brat"]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("progress")
    lines = []
    for i in range(ARTICLES):
        text = f"Article {i}: Peskov said 😀 talks went well. " + "More words here. " * 120
        lines.append({"text": text, "spans": [{"start": 13, "end": 19, "label": "Source"}]})
    jsonl = folder / "in.jsonl"
    jsonl.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    path = folder / "p.annot"
    with Project.open(path) as project:
        assert import_paths(project, [jsonl], annotator="a").articles_added == ARTICLES
    return path


@pytest.mark.parametrize("fmt", TOLD)
def test_progress_advances_before_the_last_record(source: Path, tmp_path: Path, fmt: str) -> None:
    spec = FORMATS[fmt]
    out = tmp_path / ("out" if spec.folder else f"out{spec.suffix}")
    with Project.open(source, read_only=True) as project:
        export_project(project, fmt, out)
    events: list[tuple[int, int, int]] = []  # (done, total, records read when told)
    read = [0]
    options = ReadOptions(progress=lambda done, total: events.append((done, total, read[0])))
    for item in spec.load_reader()(out, options):
        if isinstance(item, ArticleRecord):
            read[0] += 1
    assert read[0] == ARTICLES
    assert events, "the reader said nothing of its progress"
    totals = {total for _, total, _ in events}
    assert len(totals) == 1 and min(totals) > 0
    done = [d for d, _, _ in events]
    assert done == sorted(done) and done[-1] == events[-1][1]
    # Told part-way, while records were still to come: not only at the end.
    assert any(0 < d < t and r < ARTICLES for d, t, r in events)


def test_import_paths_passes_reader_progress_on(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "train.spacy"
    with Project.open(source, read_only=True) as project:
        export_project(project, "spacy", out)
    seen: list[tuple[int, int]] = []
    with Project.open(tmp_path / "copy.annot") as project:
        summary = import_paths(
            project, [out], annotator="x", within=lambda d, t: seen.append((d, t))
        )
    assert summary.articles_added == ARTICLES
    assert seen == [(n, ARTICLES) for n in range(1, ARTICLES + 1)]
