"""The article list's queries at scale: every sort, filter and search gives the same rows as a
plain reference computed in Python, pages join up, positions agree with pages, and the indexes
of migration 0002 are what the queries use."""

from __future__ import annotations

import random
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.core.model import ArticleDraft
from annotator.store import Project
from annotator.store.articles import fts_query

FIXTURE_0001 = Path(__file__).parent / "fixtures" / "schema_0001_initial.annot"
STATUS_RANK = {"new": 0, "in progress": 1, "done": 2}
WORDS = ("Putin", "Trump", "Kremlin", "sanctions", "café", "Reykjavík", "talks", "Ünïcode", "🇺🇸")


@pytest.fixture(scope="module")
def listed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """450 articles (more than two pages): titles and sources differing in case and repeated,
    all three statuses, spans of some labels on some articles."""
    path = tmp_path_factory.mktemp("list") / "list.annot"
    rng = random.Random(3)
    with Project.open(path, backups=False) as project:
        labels = [lb.id for lb in project.labels()]
        for n in range(450):
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12)))
            title = rng.choice(["alpha", "Alpha", "beta", "Gamma", "gamma", "", "Ωmega"])
            article_id, _ = project.add_article(
                ArticleDraft(
                    f"{words} number {n}.",
                    title=f"{title} {n % 7}",
                    source=rng.choice(["Reuters", "reuters", "AFP", ""]),
                    published=rng.choice(["", "2017-01-27", "2017-01-27T08:00:00Z", "2016-12-31"]),
                )
            )
            for _ in range(rng.choice([0, 0, 1, 2, 5])):
                project.add_span(article_id, 0, 3, rng.choice(labels[:3]), "ann")
            project.set_article_status(article_id, rng.choice(["new", "in progress", "done"]))
        yield project


def reference(
    project: Project, order_by: str, descending: bool, search: str, label_id: int | None
) -> list[int]:
    """The list's ids worked out in Python from plain queries."""
    conn = project.db.conn
    rows = conn.execute(
        "SELECT id, title, source, status, text, published FROM articles"
    ).fetchall()
    counts = dict(conn.execute("SELECT article_id, count(*) FROM spans GROUP BY article_id"))
    keep = {r[0] for r in rows}
    if search.strip():
        keep &= {
            r[0]
            for r in conn.execute(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", (fts_query(search),)
            )
        }
    if label_id is not None:
        keep &= {
            r[0]
            for r in conn.execute("SELECT article_id FROM spans WHERE label_id = ?", (label_id,))
        }
    keys = {
        "id": lambda r: 0,
        "title": lambda r: r[1].lower(),  # NOCASE folds ASCII letters only; titles here agree
        "source": lambda r: r[2].lower(),
        "status": lambda r: STATUS_RANK[r[3]],
        "spans": lambda r: counts.get(r[0], 0),
        "length": lambda r: len(r[4]),
        "published": lambda r: r[5],
    }
    key = keys[order_by]
    chosen = [r for r in rows if r[0] in keep]
    chosen.sort(key=lambda r: (key(r), r[0]), reverse=descending)
    return [r[0] for r in chosen]


ORDERS = ["id", "title", "source", "status", "spans", "length", "published"]
SEARCHES = ["", "putin", "Trump sanc", "café", "🇺🇸", "nothing-matches-this"]


@pytest.mark.parametrize("order_by", ORDERS)
@pytest.mark.parametrize("descending", [False, True])
def test_pages_counts_and_positions_match_the_reference(
    listed: Project, order_by: str, descending: bool
) -> None:
    labels = [None, *[lb.id for lb in listed.labels()[:4]]]
    for search in SEARCHES:
        for label_id in labels:
            args = {
                "order_by": order_by,
                "descending": descending,
                "search": search,
                "label_id": label_id,
            }
            expected = reference(listed, order_by, descending, search, label_id)
            assert listed.article_count(search=search, label_id=label_id) == len(expected)
            pages = [
                listed.article_summaries(offset, 200, **args)  # type: ignore[arg-type]
                for offset in (0, 200, 400)
            ]
            got = [s.id for page in pages for s in page]
            assert got == expected, args
            positions = {article_id: row for row, article_id in enumerate(expected)}
            # a sample of articles, the first and last, and one that does not exist
            for article_id in [*range(1, 451, 7), 450, 451]:
                assert listed.article_position(article_id, **args) == positions.get(article_id), (
                    article_id,
                    args,
                )


def test_summaries_of_keep_the_order_given(listed: Project) -> None:
    ids = [7, 3, 450, 1, 99999, 3]
    summaries = listed.article_summaries_of(ids)
    assert [s.id for s in summaries] == [7, 3, 450, 1, 3]
    one = listed.article_summary(7)
    assert summaries[0] == one


def test_has_article(listed: Project) -> None:
    assert listed.has_article(1) and listed.has_article(450)
    assert not listed.has_article(0) and not listed.has_article(451)


def test_sorting_and_filtering_use_the_indexes(listed: Project) -> None:
    def plan(sql: str, *params: object) -> str:
        rows = listed.db.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
        return " | ".join(str(r[3]) for r in rows)

    def page_sql(order_by: str, label: bool = False) -> tuple[str, list[object]]:
        # The query article_page_ids runs, captured through the connection's trace.
        seen: list[str] = []
        listed.db.conn.set_trace_callback(seen.append)
        try:
            listed.article_page_ids(0, 10, order_by=order_by, label_id=1 if label else None)
        finally:
            listed.db.conn.set_trace_callback(None)
        sql = seen[-1]
        return sql, []

    for order_by, index in (
        ("status", "articles_by_status"),
        ("title", "articles_by_title"),
        ("source", "articles_by_source"),
        ("published", "articles_by_published"),
    ):
        sql, _ = page_sql(order_by)
        assert index in plan(sql) and "TEMP B-TREE" not in plan(sql), plan(sql)
    sql, _ = page_sql("status", label=True)
    # One label's articles by status: a range of the label summary's index (migration 0009).
    assert "COVERING INDEX article_labels_by_label_status" in plan(sql), plan(sql)
    assert "TEMP B-TREE" not in plan(sql)
    sql, _ = page_sql("title", label=True)
    # Other orders walk their index and look each article up in the summary.
    assert "SEARCH al USING PRIMARY KEY" in plan(sql) and "TEMP B-TREE" not in plan(sql)


def test_migration_0002_adds_the_list_indexes_to_an_old_file(tmp_path: Path) -> None:
    path = tmp_path / FIXTURE_0001.name
    shutil.copyfile(FIXTURE_0001, path)

    def indexes() -> set[str]:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        finally:
            conn.close()

    before = indexes()
    assert "spans_by_label" in before and "articles_by_status" not in before
    with Project.open(path) as project:
        assert "0002_article_list_indexes" in project.schema_version()
        statuses = [s.status for s in project.article_summaries(order_by="status")]
        assert statuses == sorted(statuses, key=STATUS_RANK.__getitem__)
        for label in project.labels():
            expected = {
                s.article_id
                for a in project.article_ids()
                for s in project.spans(a)
                if s.label_id == label.id
            }
            listed = {s.id for s in project.article_summaries(label_id=label.id)}
            assert listed == expected
    # Later migrations bring indexes of their own (0003 to 0005); these are 0002's.
    after = indexes()
    assert {
        "articles_by_status",
        "articles_by_title",
        "articles_by_source",
        "articles_by_published",  # migration 0004, run after 0002
        "spans_by_label_article",
    } <= after - before
    assert before - after == {"spans_by_label"}


def test_the_search_index_follows_titles_and_texts_but_not_statuses(tmp_path: Path) -> None:
    path = tmp_path / FIXTURE_0001.name
    shutil.copyfile(FIXTURE_0001, path)
    with Project.open(path) as project:
        conn = project.db.conn
        trigger = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'articles_au'"
        ).fetchone()[0]
        assert "UPDATE OF title, text ON articles" in trigger
        article_id = project.article_ids()[0]
        fts_rows = conn.execute("SELECT count(*) FROM articles_fts_data").fetchone()[0]
        for status in ("done", "new", "in progress"):
            project.set_article_status(article_id, status)
        # a status change leaves the index alone (no delete and re-insert of the text)
        assert conn.execute("SELECT count(*) FROM articles_fts_data").fetchone()[0] == fts_rows
        # an edit of title or text (no API does it; another tool might) still reaches it
        with project.atomic():
            conn.execute(
                "UPDATE articles SET text = text || ' zanzibar', title = 'quokka' WHERE id = ?",
                (article_id,),
            )
        assert [s.id for s in project.article_summaries(search="zanzibar")] == [article_id]
        assert [s.id for s in project.article_summaries(search="quokka")] == [article_id]
        assert project.article_count(search="zanzibar") == 1
        conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES('integrity-check', 1)")


def test_span_counts_leave_out_suggestions_waiting_for_review(tmp_path: Path) -> None:
    from annotator.core.model import SUGGESTION_ANNOTATOR

    with Project.open(tmp_path / "s.annot", backups=False) as project:
        label = project.labels()[0].id
        first, _ = project.add_article(ArticleDraft("Peskov said the talks went well."))
        second, _ = project.add_article(ArticleDraft("Nothing tagged here yet."))
        project.add_span(first, 0, 6, label, annotator="ana")
        project.add_span(first, 7, 11, label, annotator="bob")
        for start, end in ((12, 15), (16, 21), (0, 11)):
            project.add_span(first, start, end, label, annotator=SUGGESTION_ANNOTATOR)
        project.add_span(second, 0, 7, label, annotator=SUGGESTION_ANNOTATOR)
        counts = {s.id: s.span_count for s in project.article_summaries(order_by="id")}
        assert counts == {first: 2, second: 0}
        assert project.article_summary(first).span_count == 2
        by_spans = project.article_page_ids(order_by="spans", descending=True)
        assert by_spans == [first, second]
