"""The importer writes spans and relations in batches: the project it leaves must be the one
that adding them one at a time through the public API leaves, duplicates and all."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest

from annotator.core.model import ArticleDraft
from annotator.formats.importer import ImportSummary, _Writer
from annotator.formats.records import ArticleRecord, RelationRecord, SpanRecord
from annotator.store import Project, ProjectError

LABELS = ("Quote", "Source", "Claim", "Brand new label", "Opinion 💬")


def one_at_a_time(project: Project, annotator: str, records: Sequence[ArticleRecord]) -> None:
    """The importer's writes as they were before batching: one store call per span."""
    with project.atomic():
        for record in records:
            article_id, _ = project.add_article(record.draft)
            span_ids: list[int] = []
            for span in record.spans:
                label_id = project.ensure_label(span.label).id
                who = span.annotator or annotator
                if project.has_span(article_id, span.start, span.end, label_id, who):
                    span_ids.append(
                        next(
                            s.id
                            for s in project.spans(article_id, [who])
                            if (s.start, s.end, s.label_id) == (span.start, span.end, label_id)
                        )
                    )
                    continue
                stored = project.add_span(
                    article_id,
                    span.start,
                    span.end,
                    label_id,
                    who,
                    note=span.note,
                    attributes=span.attributes,
                )
                span_ids.append(stored.id)
            for rel in record.relations:
                head, child = span_ids[rel.head], span_ids[rel.child]
                if project.has_relation(head, child, rel.type.strip()):
                    continue
                who = rel.annotator or record.spans[rel.head].annotator or annotator
                project.add_relation(head, child, rel.type, who)


def batched(
    project: Project, annotator: str, records: Sequence[ArticleRecord], batch_size: int = 1000
) -> ImportSummary:
    summary = ImportSummary()
    with project.atomic():
        writer = _Writer(project, annotator, summary, batch_size)
        for record in records:
            writer.write(record)
        writer.finish()
    return summary


def in_small_batches(
    project: Project, annotator: str, records: Sequence[ArticleRecord]
) -> ImportSummary:
    """Batches of three articles: duplicates meet their first copy across batches too."""
    return batched(project, annotator, records, batch_size=3)


def make_records(seed: int, *, padded: bool = True) -> list[ArticleRecord]:
    """Articles (some repeated) with spans repeated inside a record and across records,
    several annotators and labels, and relations, some repeated or (``padded``) with a type
    padded with spaces, which is stored stripped."""
    rng = random.Random(seed)
    texts = [
        f"Article {n}: 🇺🇸 Peskov said “talks” would go on. Café owners agreed. " * rng.randint(1, 4)
        for n in range(12)
    ]
    records = []
    for _ in range(30):
        text = rng.choice(texts)
        spans: list[SpanRecord] = []
        for _ in range(rng.randint(0, 12)):
            if spans and rng.random() < 0.25:
                spans.append(rng.choice(spans))  # the same span again in this record
                continue
            start = rng.randrange(len(text) - 6)
            end = rng.randint(start + 1, min(len(text), start + 40))
            spans.append(
                SpanRecord(
                    start,
                    end,
                    rng.choice(LABELS),
                    annotator=rng.choice(["", "", "bob", "carol"]),
                    note=rng.choice(["", "checked"]),
                    attributes=rng.choice([{}, {"confidence": "high"}]),
                )
            )
        relations = []
        if len(spans) >= 2:
            for _ in range(rng.randint(0, 4)):
                head, child = rng.sample(range(len(spans)), 2)
                if spans[head] == spans[child]:
                    continue  # the same span twice: linking it to itself is refused
                relations.append(
                    RelationRecord(
                        head,
                        child,
                        rng.choice(["attributed_to", "supports", " mentions " if padded else "x"]),
                        annotator=rng.choice(["", "bob"]),
                    )
                )
            if relations and rng.random() < 0.5:
                relations.append(relations[0])  # the same relation twice
        records.append(
            ArticleRecord(
                ArticleDraft(text, title=f"t{seed}"), None, tuple(spans), tuple(relations)
            )
        )
    return records


def contents(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {
            "articles": conn.execute(
                "SELECT id, title, text, content_hash, status FROM articles ORDER BY id"
            ).fetchall(),
            "labels": conn.execute("SELECT * FROM labels ORDER BY id").fetchall(),
            "spans": conn.execute(
                'SELECT id, article_id, start, "end", label_id, text, annotator, note, attributes'
                " FROM spans ORDER BY id"
            ).fetchall(),
            "relations": conn.execute(
                "SELECT id, article_id, head_id, child_id, type, annotator FROM relations"
                " ORDER BY id"
            ).fetchall(),
        }
    finally:
        conn.close()


@pytest.mark.parametrize("seed", range(8))
def test_batched_writes_leave_the_same_project_as_single_ones(tmp_path: Path, seed: int) -> None:
    records = make_records(seed)
    paths = []
    writers = (("single", one_at_a_time), ("batched", batched), ("small", in_small_batches))
    for name, write in writers:
        path = tmp_path / f"{name}.annot"
        with Project.open(path, backups=False) as project:
            # An article with spans already in the project: imported spans meet old ones.
            first = records[0]
            article_id, _ = project.add_article(first.draft)
            label = project.labels()[0]
            if first.spans:
                span = first.spans[0]
                project.add_span(article_id, span.start, span.end, label.id, "analyst")
            write(project, "analyst", records)
            write(project, "analyst", records[::-1])  # the whole batch again: nothing new
        paths.append(path)
    single, batch, small = (contents(p) for p in paths)
    assert batch == single
    assert small == single
    assert single["spans"] and single["relations"]


def test_summary_counts_what_was_added(tmp_path: Path) -> None:
    records = make_records(42)  # a padded relation type is stored, and recognised, stripped
    with Project.open(tmp_path / "p.annot", backups=False) as project:
        summary = batched(project, "analyst", records)
        counts = project.counts()
        assert summary.spans_added == counts["spans"]
        assert summary.relations_added == counts["relations"]
        assert summary.articles_added + summary.duplicates == len(records)
        again = batched(project, "analyst", records)
        assert (again.spans_added, again.relations_added, again.articles_added) == (0, 0, 0)


def test_a_bad_span_or_relation_refuses_the_batch_like_single_writes(tmp_path: Path) -> None:
    text = "Peskov said talks would go on."
    outside = ArticleRecord(
        ArticleDraft(text), None, (SpanRecord(0, 6, "Source"), SpanRecord(20, 99, "Quote"))
    )
    same = SpanRecord(0, 6, "Source")
    to_itself = ArticleRecord(
        ArticleDraft(text + " Again."), None, (same, same), (RelationRecord(0, 1, "x"),)
    )
    for record, message in (
        (outside, r"span( 1:)? \[20, 99\) is outside (the )?article"),
        (to_itself, "a span cannot be linked to itself"),
    ):
        for write in (one_at_a_time, batched, in_small_batches):
            with Project.open(tmp_path / f"{write.__name__}.annot", backups=False) as project:
                with pytest.raises(ProjectError, match=message):
                    write(project, "analyst", [record])
                assert project.counts()["spans"] == 0 and project.counts()["articles"] == 0


@pytest.mark.parametrize(
    "line",
    [
        r'{"text": "broken \ud83c surrogate"}',
        r'{"text": "low \uDC00 half"}',
        r'{"text": "ok", "meta": {"\uD800key": 1}}',
        r'{"text": "ok", "spans": [{"start": 0, "end": 2, "label": "Q\udfff"}]}',
    ],
)
def test_a_surrogate_escape_anywhere_in_a_line_is_refused(line: str) -> None:
    from annotator.formats.jsonl import parse_line
    from annotator.formats.records import InvalidRecord

    with pytest.raises(InvalidRecord, match="surrogate"):
        parse_line(line)


def test_lines_without_surrogates_parse_as_before() -> None:
    from annotator.formats.jsonl import parse_line, parse_object

    for line in (
        r'{"text": "caf\u00e9 \ud83c\udf89 \\ud800 literal", "meta": {"a": "\u2028"}}',
        '{"text": "plain 🇺🇸 text", "spans": [{"start": 0, "end": 5, "label": "Q"}]}',
    ):
        import json

        assert parse_line(line) == parse_object(json.loads(line))
