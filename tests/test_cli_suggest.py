"""``annotator suggest``: writes the suggestions layer, exports it, refuses bad patterns."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from annotator.cli import main
from annotator.core.model import SUGGESTION_ANNOTATOR
from annotator.store import Project
from tests.conftest import SAMPLE


def _project(tmp_path: Path) -> Path:
    path = tmp_path / "p.annot"
    assert main(["import", str(path), str(SAMPLE)]) == 0
    return path


def _layer(path: Path) -> list[tuple[int, int, str]]:
    with Project.open(path, create=False, read_only=True) as p:
        article_id = p.article_ids()[0]
        return sorted(
            (s.start, s.end, p.label(s.label_id).name)
            for s in p.spans(article_id, [SUGGESTION_ANNOTATOR])
        )


def test_suggest_twice_then_replace_then_export(tmp_path: Path, capsys) -> None:
    path = _project(tmp_path)
    assert main(["suggest", str(path)]) == 0
    first = _layer(path)
    out = capsys.readouterr().out
    assert f"{len(first)} suggestion(s) added" in out
    assert main(["suggest", str(path)]) == 0
    assert "0 suggestion(s) added" in capsys.readouterr().out
    assert _layer(path) == first
    assert main(["suggest", str(path), "--replace", "--labels", "Quote,Source"]) == 0
    assert {label for *_, label in _layer(path)} == {"Quote", "Source"}
    exported = tmp_path / "out.jsonl"
    assert (
        main(
            ["export", str(path), "-f", "jsonl", "-o", str(exported), "--annotator", "suggestions"]
        )
        == 0
    )
    record = json.loads(exported.read_text(encoding="utf-8").splitlines()[0])
    assert record["spans"] and {s["annotator"] for s in record["spans"]} == {"suggestions"}
    assert record["relations"]


def test_bad_patterns_file_changes_nothing(tmp_path: Path, capsys) -> None:
    path = _project(tmp_path)
    bad = tmp_path / "mine.jsonl"
    bad.write_text(
        '{"label": "Source", "pattern": "the Kremlin"}\n{"label": "Source"\n', encoding="utf-8"
    )
    before = path.read_bytes()
    assert main(["suggest", str(path), "--patterns", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}, line 2" in err and "is not a JSON object" in err
    assert path.read_bytes() == before
    assert _layer(path) == []


def test_missing_project_and_empty_labels(tmp_path: Path, capsys) -> None:
    assert main(["suggest", str(tmp_path / "none.annot")]) == 2
    assert not (tmp_path / "none.annot").exists()
    path = _project(tmp_path)
    assert main(["suggest", str(path), "--labels", " , "]) == 2
    assert "--labels names no label" in capsys.readouterr().err


def test_suggest_help_runs_as_a_process() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "annotator.cli", "suggest", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0 and "--replace" in result.stdout
