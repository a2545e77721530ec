"""Each export is recognised from its files, as the import dialog preselects it."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.formats.detect import detect_format
from annotator.formats.export import export_project
from annotator.formats.registry import FORMATS
from annotator.store import Project
from tests.formats.export_corpus import build_corpus

# csv (a span table) and jsonl are read by suffix: the importer needs no format named.
BY_SUFFIX = {"csv", "csv-articles", "jsonl"}


@pytest.mark.parametrize("fmt", sorted(set(FORMATS) - BY_SUFFIX))
def test_every_export_is_recognised(tmp_path: Path, fmt: str) -> None:
    pytest.importorskip("pyarrow")
    spec = FORMATS[fmt]
    if spec.writer is None:
        pytest.skip("import-only format")
    with Project.open(tmp_path / "p.annot") as project:
        build_corpus(project, tmp_path)
        out = tmp_path / ("out" if spec.folder else f"out{spec.suffix}")
        try:
            export_project(project, fmt, out)
        except Exception as exc:  # a format whose optional library is missing
            pytest.skip(str(exc))
    assert detect_format(out) == fmt


def test_plain_articles_are_left_to_their_suffix(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Hello", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"text": "Hi", "spans": []}\n', encoding="utf-8")
    assert detect_format(tmp_path / "a.txt") is None
    assert detect_format(tmp_path / "b.jsonl") is None
    assert detect_format(tmp_path / "missing.json") is None


def test_a_corpus_with_one_folder_per_annotator_is_xmi(corpora: Path) -> None:
    folder = corpora / "redewiedergabe-mkhz-multiannotator" / "xmi"
    assert detect_format(folder) == "xmi"
