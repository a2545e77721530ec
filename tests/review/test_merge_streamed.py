"""The merge written in one pass equals, row for row, the merge as it was first written (which
held the whole source): on seeded random projects with emoji, combining marks, CRLF, NBSP and
right-to-left text, repeated spans, attributes, notes, relations (some across articles or to
skipped spans), damaged rows, articles and labels the target lacks, and a second merge over the
first."""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

import pytest

import annotator.store.readonly as readonly
from annotator.core.model import ArticleDraft, LabelSpec
from annotator.review.merge import MergeResult, merge_file
from annotator.store import Project
from annotator.store.layers import insert_spans
from annotator.store.readonly import open_read_only
from annotator.store.rows import SpanCopy
from tests.review.merge_reference import reference_merge
from tests.review.test_streaming import random_text

# The content of a project, timestamps of the merge itself left out (they differ by run).
COLUMNS = {
    "articles": "id, title, text, source, author, url, published, content_hash, status, meta",
    "labels": "id, name, color, hotkey, description, position",
    "spans": 'id, article_id, start, "end", label_id, text, annotator, note, attributes,'
    " created_at, updated_at",
    "relations": "id, article_id, head_id, child_id, type, annotator, created_at",
    "project_info": "key, value",
    # kept by triggers on spans (set aside during a merge, their work done a batch at a time)
    "article_labels": "article_id, label_id, status_rank, spans",
    "article_annotators": "article_id, annotator, status_rank, spans",
    "article_notes_fts": "rowid, notes",
}
LABELS = ("Quote", "Source", "Claim", "Speculation", "Rumour", "Opinion")


def content(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        # The span search index agrees with the spans (an external-content index: checked).
        conn.execute("INSERT INTO spans_fts(spans_fts, rank) VALUES('integrity-check', 1)")
        return {
            **{
                table: conn.execute(f"SELECT {columns} FROM {table} ORDER BY 1, 2").fetchall()
                for table, columns in COLUMNS.items()
            },
            "triggers": conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
            ).fetchall(),
        }
    finally:
        conn.close()


def build_pair(folder: Path, seed: int) -> tuple[Path, Path, Path]:
    """The target, the colleague's file, and an earlier, smaller copy of the colleague's file
    (merged first, so that the full one then meets spans already there)."""
    rng = random.Random(seed)
    texts = [random_text(rng) for _ in range(24)]
    texts.append(texts[5])  # a text twice in the source
    target = folder / "mine.annot"
    with Project.open(target) as project:
        ids = {}
        for i in rng.sample(range(20), 14):
            ids[i] = project.add_article(ArticleDraft(texts[i], title=f"mine {i}"))[0]
        project.add_label(LabelSpec("Rumour", "#aa0000", "r", "mine"))
        labels = {name: project.ensure_label(name).id for name in LABELS[:4]}
        copies = [
            SpanCopy(article, s, s + 1, labels["Quote"], texts[i][s], "me", "", {}, "t0", "t0")
            for i, article in ids.items()
            for s in rng.sample(range(len(texts[i])), min(3, len(texts[i])))
        ]
        insert_spans(project, copies)
    colleague = folder / "inbox" / "bob.annot"
    colleague.parent.mkdir()
    with Project.open(colleague) as project:
        project.add_label(LabelSpec("Rumour", "#123456", "u", "theirs"))
        project.add_label(LabelSpec("Opinion", "#aa0000", "r", ""))
        labels = {name: project.ensure_label(name).id for name in LABELS}
        ids = {}
        for i in rng.sample(range(len(texts)), len(texts)):
            meta = {"n": str(i)}
            ids[i] = project.add_article(ArticleDraft(texts[i], title=f"bob {i}", meta=meta))[0]
        copies = []
        for i, article in ids.items():
            length = len(texts[i])
            for _ in range(rng.randint(0, 14)):
                start = rng.randrange(length)
                end = min(length, start + rng.randint(1, 25))
                who = "bob" if rng.random() > 0.15 else "carol"
                attributes = (
                    {"certainty": rng.choice(["high", "low"])} if rng.random() < 0.2 else {}
                )
                note = f"note {start} 👍🏽" if rng.random() < 0.2 else ""
                span = SpanCopy(
                    article,
                    start,
                    end,
                    labels[rng.choice(LABELS)],
                    texts[i][start:end],
                    who,
                    note,
                    attributes,
                    f"2024-01-{1 + start % 28:02d}",
                    "2024-02-01",
                )
                copies.append(span)
                if rng.random() < 0.08:
                    copies.append(span)  # the same span twice
        rng.shuffle(copies)  # spans of articles interleaved, as edits over time leave them
        span_ids = insert_spans(project, copies)
        by_article: dict[int, list[int]] = {}
        for span_id, copy in zip(span_ids, copies, strict=True):
            by_article.setdefault(copy.article_id, []).append(span_id)
        for spans in by_article.values():
            for _ in range(len(spans) // 2):
                head, child = rng.sample(spans, 2) if len(spans) > 1 else (spans[0], spans[0])
                if head != child:
                    project.add_relation(head, child, rng.choice(["says", "cites"]), "bob")
    conn = sqlite3.connect(colleague)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("PRAGMA ignore_check_constraints = ON")
    first, second, third, fourth, fifth = rng.sample(span_ids, 5)
    conn.execute('UPDATE spans SET "end" = 100000 WHERE id = ?', (first,))
    conn.execute("UPDATE spans SET label_id = 999 WHERE id = ?", (second,))
    conn.execute("UPDATE spans SET article_id = 99999 WHERE id = ?", (third,))
    article_of_fifth = conn.execute(
        "SELECT article_id FROM spans WHERE id = ?", (fifth,)
    ).fetchone()[0]
    other_article = conn.execute(
        "SELECT article_id FROM spans WHERE article_id != ? LIMIT 1", (article_of_fifth,)
    ).fetchone()[0]
    cross = conn.execute(
        "SELECT id FROM spans WHERE article_id = ? AND id != ? LIMIT 1", (other_article, fifth)
    ).fetchone()[0]
    conn.execute(
        "INSERT INTO relations(article_id, head_id, child_id, type, annotator, created_at)"
        " VALUES (?, ?, ?, 'says', 'bob', 'x')",
        (article_of_fifth, fifth, cross),
    )
    conn.execute("UPDATE spans SET attributes = '[1, 2]' WHERE id = ?", (fourth,))
    conn.commit()
    earlier = folder / "earlier.annot"
    shutil.copyfile(colleague, earlier)
    conn.close()
    conn = sqlite3.connect(earlier)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("DELETE FROM spans WHERE id % 3 = 0")
    conn.commit()
    conn.close()
    return target, colleague, earlier


def repeat_spans(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute(
        'INSERT INTO spans(article_id, start, "end", label_id, text, annotator, note,'
        ' attributes, created_at, updated_at) SELECT article_id, start, "end", label_id,'
        " text, annotator, note, attributes, created_at, updated_at FROM spans"
        " WHERE annotator = 'bob' AND id % 4 = 0 ORDER BY id"
    )
    conn.commit()
    conn.close()


def same_result(mine: MergeResult, theirs: MergeResult) -> None:
    assert tuple(mine.spans_added) == tuple(theirs.spans_added)
    assert tuple(mine.relations_added) == tuple(theirs.relations_added)
    assert mine.articles_added == theirs.articles_added
    assert mine.labels_added == theirs.labels_added
    assert (mine.duplicate_spans, mine.duplicate_relations) == (
        theirs.duplicate_spans,
        theirs.duplicate_relations,
    )
    assert mine.skipped == theirs.skipped
    assert mine.info_keys_added == theirs.info_keys_added
    assert mine.layers == theirs.layers
    assert mine.describe() == theirs.describe()


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("in_place", [False, True])
def test_streamed_merge_equals_the_first_merge_row_for_row(
    tmp_path: Path, seed: int, in_place: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if in_place:
        monkeypatch.setattr(readonly, "SNAPSHOT_LIMIT", 0)  # every source read from disk
    target, colleague, earlier = build_pair(tmp_path, seed)
    reference = tmp_path / "reference.annot"
    shutil.copyfile(target, reference)
    for source in (earlier, colleague):
        with Project.open(target) as project:
            mine = merge_file(project, source)
        with Project.open(reference) as project, open_read_only(source) as opened:
            theirs = reference_merge(project, opened)
        same_result(mine, theirs)
        assert content(target) == content(reference)
        for path in (target, reference):  # the merged layer now holds some spans twice
            repeat_spans(path)
    assert mine.duplicate_spans and mine.spans_added and mine.relations_added
    assert any("across" in s or "one article" in s for s in mine.skipped)
    assert any("outside article" in s for s in mine.skipped)
    assert any("label is missing" in s for s in mine.skipped)
    assert any("was not merged" in s for s in mine.skipped)


def test_progress_is_heard_and_can_stop_the_merge_leaving_nothing(tmp_path: Path) -> None:
    target, colleague, _ = build_pair(tmp_path, 2)
    untouched = tmp_path / "untouched.annot"
    shutil.copyfile(target, untouched)
    heard: list[tuple[int, int]] = []
    with Project.open(target) as project:
        merge_file(project, colleague, progress=lambda done, total: heard.append((done, total)))
    total = heard[0][1]
    assert heard[0] == (0, total) and heard[-1] == (total, total) and total > 100
    assert [done for done, _ in heard] == sorted(done for done, _ in heard)

    before = content(untouched)

    def stop(done: int, total: int) -> None:
        if done == total:  # every span written, the transaction still open
            raise KeyboardInterrupt

    with Project.open(untouched) as project, pytest.raises(KeyboardInterrupt):
        merge_file(project, colleague, progress=stop)
    assert content(untouched) == before
