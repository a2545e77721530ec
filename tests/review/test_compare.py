"""Comparing project files: layers from files, alignment by content hash, which annotator a file
contributes, and damaged rows reported instead of crashing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotator.core.text import content_hash
from annotator.review.agreement import Kind
from annotator.review.compare import (
    align,
    compare_layers,
    load_layer,
    main_annotator,
    open_layer,
    open_layers,
)
from annotator.review.streaming import compare_files
from annotator.store import Project
from tests.review.conftest import TEXTS, Built, build_project, fingerprint


def test_articles_align_by_text_whatever_their_titles_and_ids(
    alice_bob: tuple[Built, Built],
) -> None:
    alice, bob = alice_bob
    before = fingerprint(alice.path.parent)
    comparison = compare_files([alice.path, bob.path])
    assert fingerprint(alice.path.parent) == before
    assert comparison.agreement.annotators == ("alice", "bob")
    assert set(comparison.alignment.shared) == {content_hash(t) for t in TEXTS[:3]}
    (only,) = comparison.alignment.only_in("alice")
    assert only.key == content_hash(TEXTS[3]) and only.title == "alice's article 3"
    assert comparison.alignment.only_in("bob") == []
    agreement = comparison.agreement
    assert len(agreement.articles) == 3
    assert agreement.by_label["Source"].exact_f1 == 1.0
    assert agreement.by_label["Claim"].spans == {"alice": 1, "bob": 2}
    kinds = sorted(d.kind.value for d in agreement.disagreements)
    assert kinds == ["boundary", "label"]
    label_item = next(d for d in agreement.disagreements if d.kind is Kind.LABEL)
    # ids point into each file, so the GUI can jump to the span in either
    (alice_mark,) = label_item.spans_of("alice")
    (bob_mark,) = label_item.spans_of("bob")
    assert alice_mark.id == alice.span_ids[2] and bob_mark.id == bob.span_ids[2]
    assert alice_mark.text == TEXTS[1][:36]


def test_main_annotator_is_the_one_with_most_spans(tmp_path: Path) -> None:
    assert main_annotator({}) == ""
    assert main_annotator({"b": 2, "a": 2, "c": 1}) == "a"
    path = tmp_path / "mixed.annot"
    build_project(path, "dora", [(0, 0, 5, "Source"), (0, 6, 9, "Quote")])
    with Project.open(path) as project:
        quote = project.label_by_name("Quote")
        assert quote is not None
        project.add_span(project.article_ids()[0], 0, 3, quote.id, "gold")
    layer = open_layer(path)
    assert layer.annotator == "dora" and layer.span_count == 2
    assert layer.other_annotators == {"gold": 1}
    gold = open_layer(path, "gold")
    assert gold.name == "gold" and gold.span_count == 1


def test_same_annotator_name_in_two_files_is_told_apart(tmp_path: Path) -> None:
    a = build_project(tmp_path / "a.annot", "analyst", [(0, 0, 5, "Source")])
    b = build_project(tmp_path / "b.annot", "analyst", [(0, 0, 6, "Source")])
    layers = open_layers([a.path, b.path])
    assert [layer.name for layer in layers] == ["analyst (a.annot)", "analyst (b.annot)"]
    comparison = compare_layers(layers)
    assert comparison.agreement.by_label["Source"].overlap_f1 == 1.0


def test_a_file_without_spans_is_an_empty_layer(tmp_path: Path) -> None:
    a = build_project(tmp_path / "a.annot", "alice", [(0, 0, 5, "Source")])
    empty = build_project(tmp_path / "nobody.annot", "x", [])
    layer = open_layer(empty.path)
    assert (layer.name, layer.annotator, layer.span_count) == ("nobody", "", 0)
    figures = compare_files([a.path, empty.path]).agreement.by_label["Source"]
    assert (figures.exact_f1, figures.kappa) == (0.0, 0.0)


def test_no_shared_article(tmp_path: Path) -> None:
    a = build_project(tmp_path / "a.annot", "alice", [(0, 0, 5, "Source")], texts=TEXTS[:1])
    b = build_project(tmp_path / "b.annot", "bob", [(0, 0, 5, "Source")], texts=TEXTS[1:2])
    comparison = compare_files([a.path, b.path])
    assert comparison.agreement.articles == ()
    assert len(comparison.alignment.unshared) == 2
    assert comparison.agreement.overall.exact_f1 is None


def test_three_files_compare_only_articles_all_hold(tmp_path: Path) -> None:
    a = build_project(tmp_path / "a.annot", "a", [(0, 0, 5, "Source")], texts=TEXTS[:3])
    b = build_project(tmp_path / "b.annot", "b", [(0, 0, 5, "Source")], texts=TEXTS[:2])
    c = build_project(tmp_path / "c.annot", "c", [(0, 0, 4, "Source")], texts=TEXTS[:3])
    comparison = compare_files([a.path, b.path, c.path])
    assert len(comparison.agreement.articles) == 2
    ((info, holders),) = comparison.alignment.unshared
    assert info.key == content_hash(TEXTS[2]) and holders == ("a", "c")
    assert len(comparison.agreement.pairwise) == 3
    assert comparison.agreement.by_label["Source"].fleiss_kappa is not None


def test_damaged_rows_are_reported_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "odd.annot"
    built = build_project(path, "erin", [(0, 0, 5, "Source"), (0, 6, 9, "Quote")])
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("PRAGMA ignore_check_constraints = ON")
    # a span past the end of its article, one whose label row is gone, a duplicate, a stale hash
    conn.execute('UPDATE spans SET "end" = 10000 WHERE id = ?', (built.span_ids[0],))
    conn.execute(
        'INSERT INTO spans(article_id, start, "end", label_id, text, annotator,'
        " created_at, updated_at) VALUES (?, 1, 2, 999, 'x', 'erin', '', '')",
        (built.article_ids[0],),
    )
    conn.execute(
        'INSERT INTO spans(article_id, start, "end", label_id, text, annotator,'
        ' created_at, updated_at) SELECT article_id, start, "end", label_id, text,'
        " annotator, created_at, updated_at FROM spans WHERE id = ?",
        (built.span_ids[1],),
    )
    conn.execute("UPDATE articles SET content_hash = 'stale' WHERE id = ?", (built.article_ids[1],))
    conn.commit()
    conn.close()
    layer = open_layer(path)
    assert layer.span_count == 1
    issues = "\n".join(layer.issues)
    assert "outside article" in issues
    assert "label is missing" in issues
    assert "repeat another span" in issues
    assert "stored content hash does not match" in issues
    assert content_hash(TEXTS[1]) in layer.articles  # aligned by its text all the same


def test_load_layer_works_on_the_open_writable_project(tmp_path: Path) -> None:
    built = build_project(tmp_path / "mine.annot", "me", [(0, 0, 5, "Source")])
    with Project.open(built.path) as project:
        layer = load_layer(project, name="my layer")
    assert layer.name == "my layer" and layer.annotator == "me"
    assert align([layer, layer]).unshared == ()


def test_compare_layers_needs_two_layers(tmp_path: Path) -> None:
    built = build_project(tmp_path / "a.annot", "a", [])
    layer = open_layer(built.path)
    with pytest.raises(ValueError):
        compare_layers([layer])
    twice = compare_layers([layer, layer])  # the same file twice: told apart, not refused
    assert [lay.name for lay in twice.layers] == ["a (a.annot) #1", "a (a.annot) #2"]


def test_labels_come_in_the_files_own_order(alice_bob: tuple[Built, Built]) -> None:
    comparison = compare_files([p.path for p in alice_bob])
    # the default label set's order, labels nobody used on shared articles left out
    assert comparison.agreement.labels == ("Quote", "Source", "Claim", "Speculation")
    only_quote = compare_files([p.path for p in alice_bob], labels=["Quote"])
    assert only_quote.agreement.labels == ("Quote",)
