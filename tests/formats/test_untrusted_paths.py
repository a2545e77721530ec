"""Importing a folder follows no symbolic link out of it, whatever the format or the link."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.model import ArticleDraft
from annotator.formats.export import export_project
from annotator.store import Project

SECRET = "Secret article outside the folder"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text(SECRET, encoding="utf-8")
    (folder / "secret.jsonl").write_text(json.dumps({"text": SECRET}) + "\n", encoding="utf-8")
    (folder / "secret.ann").write_text("T1\tSecret 0 6\tSecret\n", encoding="utf-8")
    (folder / "visual.conf").write_text("[labels]\nSource | Leaked\n", encoding="utf-8")
    return folder


def texts(project: Project) -> list[str]:
    return [project.article_text(i) for i in project.article_ids()]


def test_links_out_loops_and_chains_are_not_followed(
    project: Project, tmp_path: Path, outside: Path, run_import
) -> None:
    root = tmp_path / "news"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "inside.txt").write_text("Inside article", encoding="utf-8")
    (root / "a" / "b" / "up").symlink_to(Path("..") / "..", target_is_directory=True)  # loop
    (root / "a" / "b" / "sibling").symlink_to(root / "a", target_is_directory=True)  # loop
    (root / "a" / "ping").symlink_to(root / "a" / "pong", target_is_directory=True)
    (root / "a" / "pong").symlink_to(root / "a" / "ping", target_is_directory=True)  # cycle
    (root / "relative.txt").symlink_to(Path("..") / "outside" / "secret.txt")
    (root / "hop.txt").symlink_to(root / "a" / "hop2.txt")  # inside, then out
    (root / "a" / "hop2.txt").symlink_to(outside / "secret.txt")
    (root / "data.jsonl").symlink_to(outside / "secret.jsonl")
    (root / "dir").symlink_to(outside, target_is_directory=True)
    (root / "cycle.txt").symlink_to(root / "cycle.txt")
    summary = run_import(root)
    assert texts(project) == ["Inside article"]
    refused = sorted(r.path.relative_to(root).as_posix() for r in summary.rejections)
    assert refused == ["a/hop2.txt", "cycle.txt", "data.jsonl", "dir", "hop.txt", "relative.txt"]
    assert all("not followed" in r.message for r in summary.rejections)
    # the ping/pong cycle holds no wanted file: skipped without a word, and without a hang


def test_a_named_format_searches_the_folder_without_leaving_it(
    project: Project, tmp_path: Path, outside: Path, run_import
) -> None:
    root = tmp_path / "exports"
    root.mkdir()
    (root / "mine.jsonl").write_text(json.dumps({"text": "Mine"}) + "\n", encoding="utf-8")
    (root / "theirs.jsonl").symlink_to(outside / "secret.jsonl")
    (root / "loop").symlink_to(root, target_is_directory=True)
    summary = run_import(root, format="doccano")
    assert texts(project) == ["Mine"]
    assert [r.path.name for r in summary.rejections] == ["theirs.jsonl"]


def test_brat_reads_no_text_or_visual_conf_through_a_link_out(
    project: Project, tmp_path: Path, outside: Path, run_import
) -> None:
    root = tmp_path / "brat"
    root.mkdir()
    (root / "mine.txt").write_text("Source said so.", encoding="utf-8")
    (root / "mine.ann").write_text("T1\tSource 0 6\tSource\n", encoding="utf-8")
    # a regular .ann whose .txt is a link out: neither is read
    (root / "leak.ann").write_text("T1\tSecret 0 6\tSecret\n", encoding="utf-8")
    (root / "leak.txt").symlink_to(outside / "secret.txt")
    (root / "visual.conf").symlink_to(outside / "visual.conf")
    summary = run_import(root, format="brat")
    assert texts(project) == ["Source said so."]
    assert "Leaked" not in [label.name for label in project.labels()]
    assert [(r.path.name, r.line) for r in summary.rejections] == [("leak.txt", None)]
    assert "not followed" in summary.rejections[0].message


def test_parquet_reads_no_table_through_a_link_out(
    project: Project, tmp_path: Path, run_import
) -> None:
    pytest.importorskip("pyarrow")
    source = Project.open(tmp_path / "source.annot")
    source.add_article(ArticleDraft(text=SECRET, title="Secret"))
    export_project(source, "parquet", tmp_path / "secret-export")
    source.close()
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "articles.parquet").symlink_to(tmp_path / "secret-export" / "articles.parquet")
    summary = run_import(folder, format="parquet")
    assert texts(project) == []
    assert "articles.parquet is a symbolic link" in summary.rejections[0].message
    assert "not followed" in summary.rejections[0].message
