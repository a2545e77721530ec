"""Reading a project in one pass for exports (store/stream.py): the same articles, spans and
relations as reading it article by article, under every filter, and one state of the file."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from annotator.core.model import ArticleDraft
from annotator.store import Project
from annotator.store.stream import iter_article_rows


@pytest.fixture
def filled(tmp_path: Path) -> Project:
    rng = random.Random(3)
    project = Project.open(tmp_path / "p.annot", backups=False)
    labels = [label.id for label in project.labels()]
    with project.atomic():
        for n in range(40):
            text = f"Article {n}: Peskov 👍🏽 said “talks” would go on; café e\u0301 مرحبا. " * 3
            article_id, _ = project.add_article(
                ArticleDraft(text, title=f"t{n}", status=rng.choice(["new", "done"]))
            )
            spans = []
            for _ in range(rng.randint(0, 6)):
                start = rng.randrange(len(text) - 10)
                spans.append(
                    project.add_span(
                        article_id,
                        start,
                        start + rng.randint(1, 9),
                        rng.choice(labels),
                        rng.choice(["ann", "bob"]),
                        note=rng.choice(["", "checked"]),
                        attributes=rng.choice([{}, {"confidence": "high"}]),
                    )
                )
            for head, child in zip(spans, spans[1:], strict=False):
                project.add_relation(head.id, child.id, "attributed_to", head.annotator)
    yield project
    project.close()


def as_expected(
    project: Project,
    *,
    status: str | None = None,
    label_ids: list[int] | None = None,
    annotator: str | None = None,
    article_ids: list[int] | None = None,
) -> list[tuple[object, ...]]:
    """What the stream must give, read article by article through the project's own calls."""
    expected: list[tuple[object, ...]] = []
    for article_id in project.article_ids():
        article = project.article(article_id)
        if status is not None and article.status != status:
            continue
        if article_ids is not None and article_id not in article_ids:
            continue
        spans = sorted(
            (
                s
                for s in project.spans(article_id)
                if (label_ids is None or s.label_id in label_ids)
                and (annotator is None or s.annotator == annotator)
            ),
            key=lambda s: (s.start, -s.end, s.id),
        )
        kept = {s.id for s in spans}
        relations = sorted(
            (r for r in project.relations(article_id) if {r.head_id, r.child_id} <= kept),
            key=lambda r: r.id,
        )
        expected.append(
            (
                article,
                [
                    (
                        s.id,
                        s.start,
                        s.end,
                        s.label_id,
                        s.text,
                        s.annotator,
                        s.note,
                        s.attributes,
                        s.created_at,
                        s.updated_at,
                    )
                    for s in spans
                ],
                [(r.id, r.head_id, r.child_id, r.type, r.annotator) for r in relations],
            )
        )
    return expected


def as_stream(project: Project, **filters: object) -> list[tuple[object, ...]]:
    return [
        (article, [tuple(s) for s in spans], [tuple(r) for r in relations])
        for article, spans, relations in iter_article_rows(project, **filters)  # type: ignore[arg-type]
    ]


def test_one_pass_reads_what_the_project_holds_under_every_filter(filled: Project) -> None:
    labels = [label.id for label in filled.labels()]
    ids = filled.article_ids()
    choices: list[dict[str, object]] = [
        {},
        {"status": "done"},
        {"label_ids": labels[:2]},
        {"label_ids": []},
        {"annotator": "bob"},
        {"status": "new", "annotator": "ann", "label_ids": labels[1:]},
        {"article_ids": ids[3:30:2]},
        {"article_ids": ids[::3], "status": "done", "label_ids": labels[:1]},
    ]
    for filters in choices:
        expected = as_expected(filled, **filters)  # type: ignore[arg-type]
        assert as_stream(filled, **filters) == expected, filters
        assert as_stream(filled, batch_size=1, **filters) == expected, filters
    everything = as_stream(filled)
    assert len(everything) == 40
    assert sum(len(spans) for _, spans, _ in everything) > 50
    assert sum(len(rels) for _, _, rels in everything) > 20


def test_one_pass_sees_one_state_of_the_file(filled: Project, tmp_path: Path) -> None:
    stream = iter_article_rows(filled)
    first = next(stream)
    # Another connection (another window, a merge) deletes spans and commits meanwhile.
    other = sqlite3.connect(tmp_path / "p.annot")
    try:
        other.execute("PRAGMA foreign_keys = ON")
        other.execute("DELETE FROM spans")
        other.commit()
    finally:
        other.close()
    rest = list(stream)
    assert len(rest) == 39
    assert sum(len(spans) for _, spans, _ in rest) > 50  # the state the export began with
    assert [a for a, _, _ in iter_article_rows(filled)][0] == first.article
    assert all(not spans for _, spans, _ in iter_article_rows(filled))
