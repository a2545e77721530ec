"""Relations whose two spans are in different articles: refused on merge and import (listed with
the reason), and never silently dropped by an export that says "Nothing was lost"."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from annotator.formats.export import export_project
from annotator.formats.importer import import_paths
from annotator.review.merge import merge_file
from annotator.store import Project, ProjectError
from annotator.store.layers import RelationCopy, insert_relations
from tests.review.conftest import TEXTS, Built, build_project


def crafted_colleague(folder: Path) -> Built:
    """A colleague's file holding one good relation and one that links spans of two articles,
    written straight into the file as a hostile or buggy tool could."""
    built = build_project(
        folder / "bob.annot",
        "bob",
        [(0, 0, 5, "Source"), (0, 10, 34, "Quote"), (1, 0, 7, "Claim")],
        texts=TEXTS[:2],
    )
    with Project.open(built.path) as project:
        project.add_relation(built.span_ids[1], built.span_ids[0], "attributed_to", "bob")
    conn = sqlite3.connect(built.path)
    with conn:
        conn.execute(
            "INSERT INTO relations(article_id, head_id, child_id, type, annotator, created_at)"
            " VALUES (?, ?, ?, 'attributed_to', 'bob', '2026-01-01')",
            (built.article_ids[0], built.span_ids[1], built.span_ids[2]),
        )
    conn.close()
    return built


def test_merge_refuses_a_relation_across_articles_and_says_why(tmp_path: Path) -> None:
    """Before: the merge copied it, and every export then dropped it."""
    bob = crafted_colleague(tmp_path)
    target = build_project(tmp_path / "mine.annot", "me", [], texts=TEXTS[:2])
    with Project.open(target.path) as project:
        result = merge_file(project, bob.path)
        assert len(result.relations_added) == 1
        (reason,) = [r for r in result.skipped if "relation" in r]
        assert "a relation must stay within one article" in reason
        assert (
            f"article {bob.article_ids[0]}" in reason and f"article {bob.article_ids[1]}" in reason
        )
        assert "skipped: relation" in result.describe()
        for article_id in project.article_ids():
            for rel in project.relations(article_id):
                assert project.span(rel.head_id).article_id == project.span(rel.child_id).article_id


def test_the_store_refuses_to_insert_one(tmp_path: Path) -> None:
    built = build_project(
        tmp_path / "p.annot", "me", [(0, 0, 5, "Source"), (1, 0, 7, "Claim")], texts=TEXTS[:2]
    )
    with Project.open(built.path) as project:
        with pytest.raises(ProjectError, match="two spans of one article"):
            insert_relations(
                project,
                [RelationCopy(built.article_ids[0], *built.span_ids, "x", "me", "2026")],
            )
        with pytest.raises(ProjectError, match="same article"):
            project.add_relation(built.span_ids[0], built.span_ids[1], "x", "me")


def test_an_export_never_claims_nothing_was_lost_while_leaving_one_out(tmp_path: Path) -> None:
    """A file written before merges refused them may hold one: the export counts it as lost."""
    bob = crafted_colleague(tmp_path)
    with Project.open(bob.path, read_only=True) as project:
        report = export_project(project, "jsonl", tmp_path / "out.jsonl")
    text = report.describe()
    assert "Nothing was lost" not in text
    assert "1 relation(s) between spans of two different articles left out" in text
    assert report.relations == 1
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert sum(len(row.get("relations", [])) for row in rows) == 1


def test_an_import_refuses_a_relation_to_a_span_of_another_record(tmp_path: Path) -> None:
    """Label Studio relations name regions by id; one naming another task's region is refused
    with the task and the reason, and nothing of that task is imported."""
    tasks = [
        {
            "id": 1,
            "data": {"text": TEXTS[0]},
            "annotations": [
                {
                    "result": [
                        {
                            "id": "a1",
                            "from_name": "label",
                            "to_name": "text",
                            "type": "labels",
                            "value": {"start": 0, "end": 5, "labels": ["Source"]},
                        }
                    ]
                }
            ],
        },
        {
            "id": 2,
            "data": {"text": TEXTS[1]},
            "annotations": [
                {
                    "result": [
                        {
                            "id": "b1",
                            "from_name": "label",
                            "to_name": "text",
                            "type": "labels",
                            "value": {"start": 0, "end": 7, "labels": ["Claim"]},
                        },
                        {"type": "relation", "from_id": "b1", "to_id": "a1", "direction": "right"},
                    ]
                }
            ],
        },
    ]
    source = tmp_path / "ls.json"
    source.write_text(json.dumps(tasks), "utf-8")
    with Project.open(tmp_path / "p.annot") as project:
        summary = import_paths(project, [source], annotator="me", format="labelstudio")
        assert summary.articles_added == 1
        assert any("'a1' is not the id of a labelled region" in str(r) for r in summary.rejections)
        for article_id in project.article_ids():
            assert project.relations(article_id) == []
