"""`annotator import` on the command line: creates the project and prints the summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.store import Project


def test_import_creates_project_and_prints_summary(
    tmp_path: Path, inputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = inputs / "story.txt"
    article.write_text("Headline\n\nBody.", encoding="utf-8")
    project_path = tmp_path / "new" / "project.annot"
    assert main(["import", str(project_path), str(article)]) == 0
    out = capsys.readouterr().out
    assert "1 article(s) added, 0 skipped as duplicates, 0 rejected" in out
    assert project_path.exists()
    with Project.open(project_path, read_only=True) as project:
        assert [project.article(i).title for i in project.article_ids()] == ["Headline"]

    assert main(["import", str(project_path), str(article)]) == 0
    assert "0 article(s) added, 1 skipped as duplicates" in capsys.readouterr().out


def test_import_options_and_rejections(
    tmp_path: Path, inputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = inputs / "table.csv"
    table.write_text("id,body\n1,First body\n2,\n", encoding="utf-8")
    lines = inputs / "spans.jsonl"
    lines.write_text(
        json.dumps({"text": "Putin spoke.", "spans": [{"start": 0, "end": 5, "label": "Source"}]})
        + "\n",
        encoding="utf-8",
    )
    project_path = tmp_path / "p.annot"
    code = main(
        [
            "import",
            str(project_path),
            str(table),
            str(lines),
            "--text-column",
            "body",
            "--annotator",
            "carol",
        ]
    )
    assert code == 1  # done, with a rejected record
    out = capsys.readouterr().out
    assert "2 article(s) added" in out and "1 span(s)" in out
    assert f"rejected: {table}:3: text is empty" in out
    with Project.open(project_path, read_only=True) as project:
        assert project.annotators() == ["carol"]


def test_import_of_nothing_usable_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["import", str(tmp_path / "p.annot"), str(tmp_path / "missing.txt")])
    assert code == 2  # nothing imported
    assert "no such file or folder" in capsys.readouterr().out


def test_import_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["import", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "--text-column" in out and "--annotator" in out
