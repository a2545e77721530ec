"""Merging a colleague's file: their layer with notes, relations and timestamps, idempotent,
labels and articles created as needed, one transaction, the source never touched."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotator.core.model import LabelSpec
from annotator.core.text import content_hash
from annotator.review.merge import LayerClashError, merge_file, undo_merge
from annotator.store import Project, ProjectError
from annotator.store.readonly import open_read_only
from tests.review.conftest import TEXTS, Built, build_project, fingerprint


def layer_spans(project: Project, annotator: str) -> set[tuple[str, int, int, str]]:
    names = {lb.id: lb.name for lb in project.labels()}
    found = set()
    for article_id in project.article_ids():
        digest = project.article(article_id).content_hash
        for span in project.spans(article_id, [annotator]):
            found.add((digest, span.start, span.end, names[span.label_id]))
    return found


@pytest.fixture
def colleague(tmp_path: Path) -> Built:
    """Bob's file: a label the target lacks, a relation, notes, an article the target lacks."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    built = build_project(
        folder / "bob.annot",
        "bob",
        [(0, 0, 5, "Source"), (0, 10, 34, "Quote"), (1, 0, 36, "Rumour"), (2, 0, 4, "Claim")],
        texts=[TEXTS[0], TEXTS[1], TEXTS[3]],
        titles=["Call", "Markets", "Extra"],
        notes=True,
    )
    with Project.open(built.path) as project:
        rumour = project.label_by_name("Rumour")
        assert rumour is not None
        project.update_label(rumour.id, color="#123456", hotkey="r", description="unconfirmed")
        project.add_relation(built.span_ids[1], built.span_ids[0], "attributed_to", "bob")
        project.update_span(built.span_ids[1], attributes={"certainty": "high"})
    return built


@pytest.fixture
def target(tmp_path: Path) -> Built:
    return build_project(
        tmp_path / "mine.annot", "me", [(0, 0, 5, "Source")], texts=[TEXTS[1], TEXTS[0]]
    )


def test_merge_copies_the_layer_with_everything_that_belongs_to_it(
    target: Built, colleague: Built
) -> None:
    source_before = fingerprint(colleague.path.parent)
    with open_read_only(colleague.path) as src:
        original = {s.id: s for a in src.article_ids() for s in src.spans(a)}
    with Project.open(target.path) as project:
        result = merge_file(project, colleague.path)
        assert result.layers == {"bob": "bob"}
        assert len(result.spans_added) == 4 and len(result.relations_added) == 1
        assert len(result.articles_added) == 1 and result.skipped == ()
        merged = layer_spans(project, "bob")
        assert merged == {
            (content_hash(TEXTS[0]), 0, 5, "Source"),
            (content_hash(TEXTS[0]), 10, 34, "Quote"),
            (content_hash(TEXTS[1]), 0, 36, "Rumour"),
            (content_hash(TEXTS[3]), 0, 4, "Claim"),
        }
        assert layer_spans(project, "me") == {(content_hash(TEXTS[1]), 0, 5, "Source")}
        quote = next(project.span(i) for i in result.spans_added if project.span(i).start == 10)
        source_quote = original[colleague.span_ids[1]]
        assert quote.note == "bob noted 10"
        assert quote.attributes == {"certainty": "high"}
        assert (quote.created_at, quote.updated_at) == (
            source_quote.created_at,
            source_quote.updated_at,
        )
        assert quote.text == TEXTS[0][10:34]
        (relation,) = project.relations(quote.article_id)
        assert (relation.head_id, relation.type, relation.annotator) == (
            quote.id,
            "attributed_to",
            "bob",
        )
        assert project.span(relation.child_id).start == 0
        extra = project.article(result.articles_added[0])
        assert (extra.title, extra.source, extra.content_hash, extra.status) == (
            "Extra",
            "Wire",
            content_hash(TEXTS[3]),
            "new",
        )
    assert fingerprint(colleague.path.parent) == source_before


def test_merging_twice_adds_nothing(target: Built, colleague: Built) -> None:
    with Project.open(target.path) as project:
        merge_file(project, colleague.path)
        counts = project.counts()
        again = merge_file(project, colleague.path)
        assert not again.changed
        assert again.duplicate_spans == 4 and again.duplicate_relations == 1
        assert project.counts() == counts


def test_missing_labels_are_created_keeping_colour_and_hotkey_when_free(
    target: Built, colleague: Built
) -> None:
    with Project.open(target.path) as project:
        result = merge_file(project, colleague.path)
        (rumour,) = result.labels_added
        assert (rumour.name, rumour.color, rumour.hotkey, rumour.description) == (
            "Rumour",
            "#123456",
            "r",
            "unconfirmed",
        )
        assert project.label_by_name("Rumour") == rumour


def test_a_taken_colour_and_hotkey_are_not_reused(target: Built, colleague: Built) -> None:
    with Project.open(target.path) as project:
        project.add_label(LabelSpec("Other", "#123456", "r"))
        (rumour,) = merge_file(project, colleague.path).labels_added
        assert rumour.color != "#123456" and rumour.hotkey == ""
        colours = [lb.color for lb in project.labels()]
        assert len(colours) == len(set(colours))


def test_as_renames_the_layer(target: Built, colleague: Built) -> None:
    with Project.open(target.path) as project:
        result = merge_file(project, colleague.path, as_name="Bob (March)")
        assert result.layers == {"bob": "Bob (March)"}
        assert len(layer_spans(project, "Bob (March)")) == 4
        assert layer_spans(project, "bob") == set()
        rel = project.relations(project.span(result.spans_added[0]).article_id)[0]
        assert rel.annotator == "Bob (March)"
        assert not merge_file(project, colleague.path, as_name="Bob (March)").changed


def test_a_clash_with_the_projects_own_layer_is_refused_and_changes_nothing(
    tmp_path: Path, colleague: Built
) -> None:
    mine = build_project(tmp_path / "mine.annot", "bob", [(0, 0, 3, "Quote")])
    before = fingerprint(tmp_path / "inbox")
    with Project.open(mine.path) as project:
        counts = project.counts()
        with pytest.raises(LayerClashError, match="--as NAME") as caught:
            merge_file(project, colleague.path)
        assert caught.value.layer == "bob"
        assert project.counts() == counts
        # naming the layer explicitly is a deliberate choice: allowed
        result = merge_file(project, colleague.path, as_name="bob")
        assert result.duplicate_spans == 0 and len(result.spans_added) == 4
    assert fingerprint(tmp_path / "inbox") == before


def test_merge_is_all_or_nothing(target: Built, colleague: Built, monkeypatch) -> None:
    import annotator.review.merge as merge_module

    def broken(*args: object, **kwargs: object) -> list[int]:
        raise ProjectError(None, "disk full")

    with Project.open(target.path) as project:
        counts, labels = project.counts(), project.labels()
        monkeypatch.setattr(merge_module, "insert_relations", broken)
        with pytest.raises(ProjectError, match="disk full"):
            merge_file(project, colleague.path)
        assert project.counts() == counts and project.labels() == labels
    with Project.open(target.path) as project:
        assert project.counts() == counts


def test_undo_merge_removes_exactly_what_was_added(target: Built, colleague: Built) -> None:
    with Project.open(target.path) as project:
        counts, labels = project.counts(), project.labels()
        own = layer_spans(project, "me")
        result = merge_file(project, colleague.path)
        undo_merge(project, result)
        assert project.counts() == counts and project.labels() == labels
        assert layer_spans(project, "me") == own
        assert merge_file(project, colleague.path).spans_added  # merging again works


def test_invalid_rows_of_the_source_are_skipped_and_listed(
    target: Built, colleague: Built, tmp_path: Path
) -> None:
    crafted = tmp_path / "crafted.annot"
    with Project.open(colleague.path) as project:
        project.copy_to(crafted)
    conn = sqlite3.connect(crafted)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    conn.execute('UPDATE spans SET "end" = 5000 WHERE id = ?', (colleague.span_ids[3],))
    conn.commit()
    conn.close()
    with Project.open(target.path) as project:
        result = merge_file(project, crafted)
        assert len(result.spans_added) == 3
        assert any("outside article" in reason for reason in result.skipped)


def test_merging_the_open_project_into_itself_is_refused(target: Built) -> None:
    with Project.open(target.path) as project, pytest.raises(ProjectError, match="itself"):
        merge_file(project, target.path)


def test_a_bad_source_is_refused_by_name(target: Built, tmp_path: Path) -> None:
    bad = tmp_path / "notes.annot"
    bad.write_text("not a database at all" * 20)
    with Project.open(target.path) as project:
        with pytest.raises(ProjectError, match="not a SQLite database") as caught:
            merge_file(project, bad)
        assert str(bad) in str(caught.value)


def test_merging_several_colleagues_keeps_their_layers_apart(
    tmp_path: Path, target: Built, colleague: Built
) -> None:
    carol = build_project(
        tmp_path / "carol.annot", "carol", [(0, 0, 5, "Source")], texts=[TEXTS[0]]
    )
    with Project.open(target.path) as project:
        merge_file(project, colleague.path)
        merge_file(project, carol.path)
        assert project.annotators() == ["bob", "carol", "me"]
