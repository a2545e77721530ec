"""Adjudication: a gold layer built decision by decision, each step reversible and redoable with
the same ids, progress recorded in the project."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.text import content_hash
from annotator.review.adjudicate import (
    accept,
    accept_agreements,
    build_plan,
    decide,
    decide_edited,
    decided_keys,
    decision,
    progress,
    reapply,
    revert,
)
from annotator.review.agreement import Disagreement, Kind
from annotator.review.compare import load_layer, open_layer
from annotator.review.merge import merge_file
from annotator.store import Project, ProjectError
from tests.review.conftest import TEXTS, Built, build_project, fingerprint


def gold_spans(project: Project, gold: str = "gold") -> set[tuple[str, int, int, str]]:
    names = {lb.id: lb.name for lb in project.labels()}
    return {
        (project.article(a).content_hash[:8], s.start, s.end, names[s.label_id])
        for a in project.article_ids()
        for s in project.spans(a, [gold])
    }


def h(index: int) -> str:
    return content_hash(TEXTS[index])[:8]


@pytest.fixture
def setup(alice_bob: tuple[Built, Built]):
    """Alice's own project, adjudicating her layer against Bob's file (read-only)."""
    alice, bob = alice_bob
    project = Project.open(alice.path)
    layers = [load_layer(project, "alice"), open_layer(bob.path)]
    plan = build_plan(project, layers)
    yield project, plan, bob
    project.close()


def item_of(plan, kind: Kind) -> Disagreement:
    return next(i for i in plan.items if i.kind is kind)


def test_plan_lists_disagreements_and_agreements(setup) -> None:
    project, plan, bob = setup
    assert plan.layers == ("alice", "bob") and plan.gold == "gold"
    assert sorted(i.kind.value for i in plan.items) == ["boundary", "label"]
    assert {k: set(v) for k, v in plan.agreements.items()} == {
        content_hash(TEXTS[0]): {(0, 5, "Source")},
        content_hash(TEXTS[2]): {(0, 4, "Claim")},
    }
    assert progress(project, plan).decided == 0 and progress(project, plan).total == 2


def test_accept_a_b_both_neither(setup) -> None:
    project, plan, _ = setup
    label_item = item_of(plan, Kind.LABEL)
    change = decide(project, plan, label_item, ["alice"])
    assert gold_spans(project) == {(h(1), 0, 36, "Speculation")}
    assert [s.annotator for s in change.created] == ["gold"]
    # deciding again replaces what the earlier decision added
    decide(project, plan, label_item, ["bob"])
    assert gold_spans(project) == {(h(1), 0, 36, "Claim")}
    decide(project, plan, label_item, ["alice", "bob"])
    assert gold_spans(project) == {(h(1), 0, 36, "Claim"), (h(1), 0, 36, "Speculation")}
    decide(project, plan, label_item, [])
    assert gold_spans(project) == set()
    assert decision(project, plan, label_item).accepted == ()  # "neither" is remembered
    assert progress(project, plan).decided == 1


def test_edited_span_and_progress(setup) -> None:
    project, plan, _ = setup
    boundary = item_of(plan, Kind.BOUNDARY)
    decide_edited(project, plan, boundary, [(12, 34, "Quote")])
    assert gold_spans(project) == {(h(0), 12, 34, "Quote")}
    assert decision(project, plan, boundary).accepted is None
    decide(project, plan, item_of(plan, Kind.LABEL), ["bob"])
    assert progress(project, plan).done
    assert decided_keys(project, plan) == {i.key for i in plan.items}


def test_progress_survives_reopening(setup, alice_bob) -> None:
    project, plan, bob = setup
    decide(project, plan, item_of(plan, Kind.LABEL), [])
    project.close()
    with Project.open(alice_bob[0].path) as reopened:
        layers = [load_layer(reopened, "alice"), open_layer(bob.path)]
        assert progress(reopened, build_plan(reopened, layers)).decided == 1


def test_revert_and_reapply_keep_ids(setup) -> None:
    project, plan, _ = setup
    item = item_of(plan, Kind.LABEL)
    first = decide(project, plan, item, ["alice"])
    second = decide(project, plan, item, ["bob"])
    assert [s.span.id for s in second.removed] == [s.id for s in first.created]
    revert(project, second)
    assert gold_spans(project) == {(h(1), 0, 36, "Speculation")}
    assert project.span(first.created[0].id).label_id == first.created[0].label_id
    assert decision(project, plan, item).accepted == ("alice",)
    reapply(project, second)
    assert gold_spans(project) == {(h(1), 0, 36, "Claim")}
    assert project.span(second.created[0].id) == second.created[0]
    revert(project, second)
    revert(project, first)
    assert gold_spans(project) == set()
    assert decision(project, plan, item) is None
    assert progress(project, plan).decided == 0


def test_bulk_acceptance_of_agreements(setup) -> None:
    project, plan, _ = setup
    change = accept_agreements(project, plan)
    assert gold_spans(project) == {(h(0), 0, 5, "Source"), (h(2), 0, 4, "Claim")}
    assert progress(project, plan).decided == 0  # agreements are not disagreements
    assert accept_agreements(project, plan).created == ()  # nothing twice
    revert(project, change)
    assert gold_spans(project) == set()


def test_labels_the_project_lacks_are_created_and_dropped_on_revert(tmp_path: Path) -> None:
    a = build_project(tmp_path / "a.annot", "a", [(0, 0, 5, "Source")])
    b = build_project(tmp_path / "b.annot", "b", [(0, 0, 5, "Rumour")])
    with Project.open(tmp_path / "review.annot") as project:
        merge_file(project, a.path)  # brings the articles; b's label stays missing
        plan = build_plan(project, [open_layer(a.path), open_layer(b.path)], gold="final")
        (item,) = plan.items
        change = decide(project, plan, item, ["b"])
        assert [lb.name for lb in change.labels_created] == ["Rumour"]
        assert gold_spans(project, "final") == {(h(0), 0, 5, "Rumour")}
        revert(project, change)
        assert project.label_by_name("Rumour") is None
        reapply(project, change)
        assert project.label_by_name("Rumour") == change.labels_created[0]


def test_articles_the_project_lacks_are_listed_not_adjudicated(tmp_path: Path) -> None:
    a = build_project(tmp_path / "a.annot", "a", [(0, 0, 5, "Source")], texts=TEXTS[:1])
    b = build_project(tmp_path / "b.annot", "b", [], texts=TEXTS[:1])
    mine = build_project(tmp_path / "mine.annot", "me", [], texts=TEXTS[1:2])
    with Project.open(mine.path) as project:
        plan = build_plan(project, [open_layer(a.path), open_layer(b.path)])
        assert plan.items == () and plan.missing_articles == (content_hash(TEXTS[0]),)


def test_gold_cannot_be_a_compared_layer(setup) -> None:
    project, plan, bob = setup
    with pytest.raises(ValueError, match="gold"):
        build_plan(project, [load_layer(project, "alice"), open_layer(bob.path)], gold="bob")
    with pytest.raises(ValueError):
        decide(project, plan, plan.items[0], ["carol"])


def test_accept_primitive_and_its_inverse(setup) -> None:
    project, plan, _ = setup
    article = plan.article_ids[content_hash(TEXTS[0])]
    created = accept(project, article, [(0, 5, "Source"), (0, 5, "Source")])
    assert len(created) == 1 and created[0].annotator == "gold"
    assert accept(project, article, [(0, 5, "Source")]) == []
    for span in created:
        project.delete_span(span.id)
    assert gold_spans(project) == set()
    with pytest.raises(ProjectError):
        accept(project, article, [(0, 10_000, "Source")])


def test_colleague_files_are_never_written(setup) -> None:
    project, plan, bob = setup
    before = fingerprint(bob.path.parent)
    for item in plan.items:
        decide(project, plan, item, ["bob"])
    accept_agreements(project, plan)
    assert fingerprint(bob.path.parent).keys() == before.keys()
    assert fingerprint(bob.path.parent)["bob.annot"] == before["bob.annot"]


def test_both_analysts_kept_the_default_name(tmp_path: Path) -> None:
    mine = build_project(tmp_path / "mine.annot", "analyst", [(0, 0, 5, "Source")])
    theirs = build_project(tmp_path / "theirs.annot", "analyst", [(0, 0, 6, "Source")])
    with Project.open(mine.path) as project:
        plan = build_plan(project, [load_layer(project), open_layer(theirs.path)])
        assert plan.layers == ("analyst (mine.annot)", "analyst (theirs.annot)")
        (item,) = plan.items
        assert item.kind is Kind.BOUNDARY
        decide(project, plan, item, ["analyst (theirs.annot)"])
        assert gold_spans(project) == {(h(0), 0, 6, "Source")}
