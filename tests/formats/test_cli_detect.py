"""`annotator import` without --format reads each path as the format detected from its content,
as the import dialog does: the same articles and spans as with the format named."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from annotator.cli import main
from tests.formats.test_webanno_tsv import STACKED

REAL = Path(__file__).parent / "realtools" / "labelstudio"
CORPORA = Path("/work/shared/corpora")


def _labelstudio(tmp: Path) -> Path:
    folder = tmp / "ls"
    folder.mkdir()
    shutil.copy(REAL / "export.json", folder / "project-1-at-2024.json")
    shutil.copy(REAL / "config.xml", folder / "config.xml")
    return folder / "project-1-at-2024.json"


def _labelstudio_min(tmp: Path) -> Path:
    shutil.copy(REAL / "export.min.json", tmp / "project-1-min.json")
    return tmp / "project-1-min.json"


def _doccano(tmp: Path) -> Path:
    # doccano 1.x sequence labeling export: id, text, label [[start, end, label]], Comments.
    rows = [
        {
            "id": 7,
            "text": "Peskov said talks 😀 went well.",
            "label": [[0, 6, "PER"]],
            "Comments": [],
        },
        {
            "id": 8,
            "text": "Trump called Putin.",
            "label": [[0, 5, "PER"], [13, 18, "PER"]],
            "Comments": [],
        },
    ]
    path = tmp / "admin.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def _spacy(tmp: Path) -> Path:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    doc = nlp("Peskov said talks went well in Moscow.")
    doc.ents = [doc.char_span(0, 6, label="PER"), doc.char_span(31, 37, label="LOC")]
    path = tmp / "train.spacy"
    DocBin(docs=[doc]).to_disk(path)
    return path


def _hf(tmp: Path) -> Path:
    datasets = pytest.importorskip("datasets")
    features = datasets.Features(
        {
            "id": datasets.Value("string"),
            "tokens": datasets.Sequence(datasets.Value("string")),
            "ner_tags": datasets.Sequence(
                datasets.ClassLabel(names=["O", "B-PER", "I-PER", "B-LOC", "I-LOC"])
            ),
        }
    )
    data = datasets.Dataset.from_dict(
        {
            "id": ["0", "1"],
            "tokens": [["Peskov", "said", "so", "."], ["In", "New", "York", "."]],
            "ner_tags": [[1, 0, 0, 0], [0, 3, 4, 0]],
        },
        features=features,
    )
    path = tmp / "hf"
    data.save_to_disk(str(path))
    return path


def _xmi(tmp: Path) -> Path:
    pytest.importorskip("cassis")
    source = CORPORA / "redewiedergabe-mkhz-multiannotator" / "xmi"
    if not source.is_dir():
        pytest.skip("the redewiedergabe corpus is not here")
    folder = tmp / "xmi"
    folder.mkdir()
    shutil.copy(source / "rwTypesystem.xml", folder / "rwTypesystem.xml")
    shutil.copytree(source / "mars", folder / "mars")
    return folder


def _webanno(tmp: Path) -> Path:
    folder = tmp / "curation"
    folder.mkdir()
    (folder / "doc1.tsv").write_text(STACKED, encoding="utf-8")
    return folder


MAKERS: dict[str, Callable[[Path], Path]] = {
    "labelstudio": _labelstudio,
    "labelstudio-min": _labelstudio_min,
    "doccano": _doccano,
    "spacy": _spacy,
    "hf": _hf,
    "xmi": _xmi,
    "webanno-tsv": _webanno,
}


def _counts(project: Path) -> tuple[int, int]:
    conn = sqlite3.connect(project)
    try:
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        spans = conn.execute("SELECT count(*) FROM spans").fetchone()[0]
    finally:
        conn.close()
    return articles, spans


@pytest.mark.parametrize("fmt", sorted(MAKERS))
def test_import_without_format_reads_what_detection_finds(
    tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = MAKERS[fmt](tmp_path)
    detected, named = tmp_path / "detected.annot", tmp_path / "named.annot"
    assert main(["import", str(detected), str(path), "--annotator", "a"]) in (0, 1)
    said = capsys.readouterr().out
    assert main(["import", str(named), str(path), "--annotator", "a", "--format", fmt]) in (0, 1)
    articles, spans = _counts(detected)
    assert articles > 0 and spans > 0, said
    assert (articles, spans) == _counts(named)


def test_a_folder_of_mixed_files_reads_each_as_its_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    _labelstudio_min(folder)
    _doccano(folder)
    (folder / "note.txt").write_text("A plain article.", encoding="utf-8")
    (folder / "random.json").write_text('{"hello": 1}', encoding="utf-8")
    project = tmp_path / "p.annot"
    # The unrecognised .json is rejected by name (status 1); everything else is read.
    assert main(["import", str(project), str(folder), "--annotator", "a"]) == 1
    said = capsys.readouterr().out
    assert "random.json" in said and "not recognised" in said
    mixed = _counts(project)
    alone = tmp_path / "alone.annot"
    main(["import", str(alone), str(folder / "project-1-min.json"), "--annotator", "a"])
    main(["import", str(alone), str(folder / "admin.jsonl"), "--annotator", "a"])
    main(["import", str(alone), str(folder / "note.txt"), "--annotator", "a"])
    assert mixed == _counts(alone) and mixed[1] > 0


def _small_project(tmp: Path) -> Path:
    body = "Talks went on. " * 400  # 300 articles of 6 kB: far more than a pipe holds
    rows = [
        {"text": f"Article {i} 😀 {body}", "spans": [{"start": 0, "end": 7, "label": "Quote"}]}
        for i in range(300)
    ]
    source = tmp / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    project = tmp / "p.annot"
    assert main(["import", str(project), str(source), "--annotator", "a"]) == 0
    return project


def test_an_export_into_a_pipe_closed_early_ends_quietly_with_status_0(tmp_path: Path) -> None:
    project = _small_project(tmp_path)
    export = subprocess.Popen(
        [sys.executable, "-m", "annotator.cli", "export", str(project), "-f", "jsonl", "-o", "-"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert export.stdout is not None and export.stderr is not None
    first = export.stdout.readline()
    export.stdout.close()  # the reader has what it wanted and goes, as `| head -1` does
    err = export.stderr.read().decode("utf-8")
    export.stderr.close()
    status = export.wait(timeout=120)
    assert json.loads(first)["text"].startswith("Article 0")
    assert status == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception" not in err
    # The pipe really closed part-way: the export never got to its summary.
    assert "Exported" not in err
    whole = subprocess.run(
        [sys.executable, "-m", "annotator.cli", "export", str(project), "-f", "jsonl", "-o", "-"],
        capture_output=True,
        timeout=120,
    )
    assert whole.returncode == 0 and len(whole.stdout.splitlines()) == 300
    assert "Exported 300 article(s)" in whole.stderr.decode("utf-8")
