"""Imports written in batches across articles (store/bulk.py): rejections still name their file
and line, duplicates are still found within a batch, across batches and in the project, the
search index is complete, and a kill in the middle of an import leaves nothing of it."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from annotator.core.model import ArticleDraft
from annotator.formats.importer import import_paths
from annotator.store import Project
from annotator.store.bulk_indexes import SpanIndexes

from .conftest import Importer, JsonlWriter, span_at

CHILD = Path(__file__).with_name("import_child.py")

TEXTS = [
    f"Story {n}: Peskov 👍🏽 said “talks” would go on.\r\nCafé owners (e\u0301) agreed. قال {n}"
    for n in range(12)
]


def record(n: int, *, label: str = "Quote", **extra: Any) -> dict[str, Any]:
    text = TEXTS[n]
    spans = [span_at(text, "Peskov", "Source"), span_at(text, "talks", label)]
    return {
        "text": text,
        "title": f"Story {n}",
        "spans": spans,
        "relations": [{"head": 1, "child": 0}],
        **extra,
    }


def test_rejections_name_file_and_line_across_batches(
    project: Project, write_jsonl: JsonlWriter, run_import: Importer
) -> None:
    broken_label = record(3, label="Only in a rejected line")
    broken_label["spans"].append({"start": 5, "end": 999, "label": "Quote"})
    same_twice = record(5, label="Only in a rejected line")
    same_twice["spans"].append(dict(same_twice["spans"][0]))
    same_twice["relations"] = [{"head": 0, "child": 2}]  # span 2 is span 0 given again
    first = write_jsonl(
        "a.jsonl",
        record(0),
        record(1),
        "{not json",
        record(2),
        broken_label,
        record(4),
    )
    second = write_jsonl("b.jsonl", same_twice, record(6), {"text": 7}, record(7))
    summary = run_import(first, second, batch_size=2)
    assert [(r.path, r.line) for r in summary.rejections] == [
        (first, 3),
        (first, 5),
        (second, 1),
        (second, 3),
    ]
    messages = [r.message for r in summary.rejections]
    assert "malformed JSON" in messages[0]
    assert "[5, 999) is outside the text" in messages[1]
    assert "a span cannot be linked to itself" in messages[2]
    assert "'text' must be a string" in messages[3]
    assert summary.articles_added == 6
    assert project.counts() | {"labels": 0} == {
        "articles": 6,
        "spans": 12,
        "relations": 6,
        "labels": 0,
    }
    # Nothing of a rejected line is left: not its article, not the label only it used.
    assert project.label_by_name("Only in a rejected line") is None
    titles = {project.article(i).title for i in project.article_ids()}
    assert titles == {f"Story {n}" for n in (0, 1, 2, 4, 6, 7)}


def test_duplicates_are_found_within_and_across_batches_and_in_the_project(
    project: Project, write_jsonl: JsonlWriter, run_import: Importer
) -> None:
    earlier = write_jsonl("earlier.jsonl", record(0), record(1))
    assert run_import(earlier).articles_added == 2
    extra = record(2)
    extra["spans"].append(span_at(TEXTS[2], "Café", "Claim"))
    lines = [
        record(2),
        record(2),  # the same article again in the same batch
        record(3),
        record(0),  # in the project already
        record(4),
        record(5),
        record(6),
        extra,  # a later batch: the article of the first batch, with one span more
        record(1),
    ]
    source = write_jsonl("again.jsonl", *lines)
    summary = run_import(source, batch_size=3)
    assert (summary.articles_added, summary.duplicates) == (5, 4)
    assert summary.spans_added == 5 * 2 + 1
    assert summary.relations_added == 5
    ids = summary.article_ids
    assert len(ids) == len(set(ids)) == 7
    by_title = {project.article(i).title: i for i in project.article_ids()}
    assert len(by_title) == 7
    story2 = project.spans(by_title["Story 2"])
    assert sorted(s.text for s in story2) == ["Café", "Peskov", "talks"]
    for title, article_id in by_title.items():
        assert len(project.relations(article_id)) == 1, title
        assert project.article(article_id).status == "in progress"
    # The whole file once more, in one batch: nothing new.
    again = run_import(source)
    assert (again.articles_added, again.spans_added, again.relations_added) == (0, 0, 0)
    assert again.duplicates == len(lines)


def test_the_search_index_holds_every_batch_and_later_articles(
    project: Project, write_jsonl: JsonlWriter, run_import: Importer, tmp_path: Path
) -> None:
    source = write_jsonl("many.jsonl", *[record(n) for n in range(12)])
    run_import(source, batch_size=5)
    assert project.article_count(search="Café") == 12
    assert project.article_count(search="11") == 1
    project.close()
    conn = sqlite3.connect(tmp_path / "p.annot")
    try:
        conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES('integrity-check', 1)")
        triggers = {
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
        assert {"articles_ai", "articles_ad", "articles_au"} <= triggers
    finally:
        conn.close()

    with Project.open(tmp_path / "p.annot") as reopened:
        reopened.add_article(ArticleDraft("Added by hand about Reykjavík"))
        assert reopened.article_count(search="Reykjavík") == 1


def test_an_import_killed_in_the_middle_of_a_batch_leaves_nothing(
    tmp_path: Path, write_jsonl: JsonlWriter
) -> None:
    project_path = tmp_path / "killed.annot"
    with Project.open(project_path, backups=False) as project:
        import_paths(project, [write_jsonl("before.jsonl", record(0))], annotator="analyst")
        before = project.counts()
    triggers_before = _triggers(project_path)
    folder = tmp_path / "batch"
    folder.mkdir()
    for f in range(4):
        (folder / f"part{f}.jsonl").write_text(
            "\n".join(
                json.dumps({**record(n % 12), "text": TEXTS[n % 12] + f" ({f}, {n})"})
                for n in range(40)
            ),
            encoding="utf-8",
        )
    with subprocess.Popen(
        [sys.executable, str(CHILD), str(project_path), str(folder), "7", "2"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None and child.stderr is not None
        try:
            seen = [child.stdout.readline().split() for _ in range(3)]
            if child.poll() is None:
                os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=30)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        rest, errors = child.stdout.read(), child.stderr.read()
    # Two files were written in batches inside the open transaction (the child's own
    # connection saw their rows) and it was waiting in the middle of the import when killed.
    assert [line[:2] for line in seen] == [["FILE", "0"], ["FILE", "1"], ["FILE", "2"]], errors
    articles, spans, relations = map(int, seen[2][2:])
    assert articles > before["articles"] + 70 and spans > 140 and relations > 70
    assert child.returncode == -signal.SIGKILL  # killed, not ended on its own
    assert rest == ""  # it never reached DONE
    conn = sqlite3.connect(project_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES('integrity-check', 1)")
    finally:
        conn.close()
    # The triggers the batches set aside inside the transaction are all back, as they were.
    assert _triggers(project_path) == triggers_before
    with Project.open(project_path, backups=False) as project:
        assert project.counts() == before
        # And unkilled, the same import writes all of it.
        summary = import_paths(project, [folder], annotator="analyst", batch_size=7)
        assert (summary.articles_added, summary.duplicates, summary.rejected) == (160, 0, 0)
        assert project.counts()["spans"] == before["spans"] + 320


def _noted(n: int, *, extra: bool = False) -> dict[str, Any]:
    """A record whose spans carry notes (two per article, one span without), emoji and CRLF."""
    base = record(n)
    text = base["text"]
    base["spans"][0]["note"] = f"speaker 👍🏽 {n}"
    base["spans"][1]["note"] = f"talks note {n}\r\nsecond line"
    base["spans"].append(span_at(text, "agreed", "Claim"))
    if extra:  # the same article again, with one span more (added to the stored article)
        base["spans"].append({**span_at(text, "Café", "Source"), "note": f"later {n}"})
        base["relations"] = []
    return base


def _kept_in_step(path: Path) -> dict[str, Any]:
    """What the span insert triggers keep: span search, notes search, label/annotator summaries."""
    conn = sqlite3.connect(path)
    try:
        return {
            "span search": sorted(
                conn.execute(
                    'SELECT s.article_id, s.start, s."end", f.text FROM spans_fts f'
                    " JOIN spans s ON s.id = f.rowid"
                )
            ),
            "span hits": sorted(
                conn.execute(
                    "SELECT s.article_id, s.start FROM spans_fts JOIN spans s"
                    " ON s.id = spans_fts.rowid WHERE spans_fts MATCH 'talks OR Café'"
                )
            ),
            "notes": sorted(conn.execute("SELECT rowid, notes FROM article_notes_fts")),
            "note hits": sorted(
                conn.execute(
                    "SELECT rowid FROM article_notes_fts WHERE article_notes_fts MATCH 'later'"
                )
            ),
            "labels": sorted(
                conn.execute(
                    "SELECT s.article_id, l.name, s.status_rank, s.spans FROM article_labels s"
                    " JOIN labels l ON l.id = s.label_id"
                )
            ),
            "annotators": sorted(conn.execute("SELECT * FROM article_annotators")),
            "ranks": sorted(
                conn.execute(
                    "SELECT DISTINCT s.article_id, s.status_rank, a.status FROM article_labels s"
                    " JOIN articles a ON a.id = s.article_id"
                )
            ),
            "triggers": sorted(
                conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            ),
        }
    finally:
        conn.close()


def test_batched_import_keeps_searches_and_summaries_as_span_by_span_writes_do(
    tmp_path: Path, write_jsonl: JsonlWriter
) -> None:
    first = write_jsonl("first.jsonl", *[_noted(n) for n in range(7)], ensure_ascii=False)
    again = write_jsonl(
        "again.jsonl", *[_noted(n, extra=True) for n in (1, 4, 9)], ensure_ascii=False
    )
    bulk_path, by_hand_path = tmp_path / "bulk.annot", tmp_path / "by-hand.annot"
    with Project.open(bulk_path, backups=False) as bulk:
        import_paths(bulk, [first], annotator="analyst", batch_size=2)
        import_paths(bulk, [again], annotator="analyst", batch_size=2)
        quote = bulk.label_by_name("Quote")
        assert quote is not None
        bulk.add_span(2, 0, 5, quote.id, "analyst", note="later by hand")
    # The same spans written one by one through the project, so every trigger runs per row.
    with Project.open(by_hand_path, backups=False) as by_hand:
        records = [_noted(n) for n in range(7)] + [_noted(n, extra=True) for n in (1, 4, 9)]
        for rec in records:
            text = rec["text"].replace("\r\n", "\n")
            stored, _ = by_hand.add_article(ArticleDraft(text, title=rec["title"]))
            have = set(by_hand.span_keys(stored))
            for span in rec["spans"]:
                label = by_hand.label_by_name(span["label"])
                assert label is not None
                words = rec["text"][span["start"] : span["end"]]
                start = text.index(words)  # offsets in the stored text (CRLF read as LF)
                key = (start, start + len(words), label.id, "analyst")
                if key not in have:
                    by_hand.add_span(stored, *key, note=span.get("note", ""))
                    have.add(key)
            by_hand.set_article_status(stored, "in progress")
        quote = by_hand.label_by_name("Quote")
        assert quote is not None
        by_hand.add_span(2, 0, 5, quote.id, "analyst", note="later by hand")
    got, want = _kept_in_step(bulk_path), _kept_in_step(by_hand_path)
    assert got["span hits"] and got["note hits"] and got["labels"]  # the comparison has content
    assert len(got["note hits"]) == 3  # the notes added to stored articles by the second import
    assert got == want
    assert all(
        rank == ("new", "in progress", "done").index(status) for _, rank, status in got["ranks"]
    )


def _triggers(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return sorted(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))
    finally:
        conn.close()


def test_a_bulk_write_sets_aside_every_span_insert_trigger_of_the_schema(project: Project) -> None:
    # Were a later schema to change one of these triggers, the bulk write would leave it to run
    # row by row (correct, but the import slow again): this says so.
    with project.atomic():
        indexes = SpanIndexes(project.db.conn)
        indexes.set_aside()
        assert set(indexes.aside) == {
            "spans_fts_ai",
            "article_notes_ai",
            "article_labels_ai",
            "article_annotators_ai",
        }
        indexes.put_back()
    names = {name for name, _ in _triggers(project.path)}
    assert set(indexes.aside) == set() and {"spans_fts_ai", "article_notes_ai"} <= names
