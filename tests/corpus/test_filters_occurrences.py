"""Article-list filters combined, with counts; whole-word occurrences for tagging them all."""

from __future__ import annotations

import pytest

from annotator.core.model import ArticleDraft
from annotator.store import Project, ProjectError
from annotator.store.filters import (
    ArticleFilter,
    filtered_count,
    filtered_page_ids,
    filtered_position,
    outlets,
    status_counts,
)
from annotator.store.occurrences import occurrences
from annotator.store.search import SearchQueryError
from tests.corpus.conftest import AWKWARD, Corpus


def test_each_filter_and_their_combination(corpus: Corpus) -> None:
    with Project.open(corpus.path, backups=False) as project:
        project.add_article(
            ArticleDraft(text="Late news.", source="zerohedge", published="2017-03-09")
        )
        labels = {lb.name: lb.id for lb in project.labels()}

        def ids(f: ArticleFilter) -> list[int]:
            found = filtered_page_ids(project, f)
            assert filtered_count(project, f) == len(found)
            return found

        assert ids(ArticleFilter()) == [1, 2, 3, 4]
        assert ids(ArticleFilter(statuses=frozenset({"new"}))) == [3, 4]
        assert ids(ArticleFilter(outlet="ZEROHEDGE")) == [1, 4]  # case aside
        assert ids(ArticleFilter(date_from="2017-02", date_to="2017-03")) == [2, 4]
        assert ids(ArticleFilter(date_to="2017-01")) == [1]
        assert ids(ArticleFilter(label_present=labels["Claim"])) == [1, 2]
        assert ids(ArticleFilter(label_absent=labels["Quote"])) == [3, 4]
        assert ids(ArticleFilter(annotator="bob")) == [1, 2]
        assert ids(ArticleFilter(query="weather OR late")) == [3, 4]
        combined = ArticleFilter(
            statuses=frozenset({"in progress"}),
            outlet="Test Wire",
            label_present=labels["Quote"],
            annotator="bob",
            query="sanctions",
        )
        assert ids(combined) == [2]
        assert status_counts(project, ArticleFilter(outlet="zerohedge")) == {
            "new": 1,
            "in progress": 1,
            "done": 0,
        }
        assert filtered_position(project, ArticleFilter(outlet="zerohedge"), 4) == 1
        assert filtered_position(project, ArticleFilter(outlet="zerohedge"), 2) is None
        assert filtered_page_ids(project, ArticleFilter(), order_by="title")[:2] == [4, 2]
        assert outlets(project) == [("Test Wire", 1), ("ZeroHedge", 2)]
        with pytest.raises(SearchQueryError):
            filtered_count(project, ArticleFilter(query='"open'))
        with pytest.raises(ProjectError, match="unknown article status 'old'"):
            filtered_count(project, ArticleFilter(statuses=frozenset({"old"})))


def test_occurrences_are_whole_words_with_or_without_case(corpus: Corpus) -> None:
    with Project.open(corpus.path, read_only=True) as project:
        quote = next(lb.id for lb in project.labels() if lb.name == "Quote")
        found = occurrences(project, "sanctions", quote, article_id=corpus.awkward)
        assert [(o.text, o.tagged) for o in found] == [
            ("sanctions", False),
            ("sanctions", False),
            ("SANCTIONS", False),
            ("sanctions", False),
        ]
        assert all(AWKWARD[o.start : o.end] == o.text for o in found)
        exact = occurrences(
            project, "sanctions", quote, article_id=corpus.awkward, case_sensitive=True
        )
        assert [o.text for o in exact] == ["sanctions"] * 3
        everywhere = occurrences(project, "Sanctions", quote)
        assert {o.article_id for o in everywhere} == {corpus.seed, corpus.awkward}
        # A decomposed accent belongs to its letter: "Cafe" is not a whole word of "Café".
        assert occurrences(project, "Cafe", quote, article_id=corpus.awkward) == []
        assert [o.text for o in occurrences(project, "Café\u0301", quote)] == ["Café\u0301"]
        claim = next(lb.id for lb in project.labels() if lb.name == "Claim")
        tagged = occurrences(project, "Café\u0301 sanctions", claim)
        assert [(o.article_id, o.tagged) for o in tagged] == [(corpus.awkward, True)]


def _reference(project: Project, f: ArticleFilter) -> dict[str, int]:
    """Per-status counts of a filter worked out in Python from every article and span."""
    conn = project.db.conn
    articles = conn.execute("SELECT id, status, source, published FROM articles").fetchall()
    spans = conn.execute("SELECT article_id, label_id, annotator FROM spans").fetchall()
    matched = (
        {
            r[0]
            for r in conn.execute(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", (f.query,)
            )
        }
        if f.query
        else None
    )
    counts = dict.fromkeys(("new", "in progress", "done"), 0)
    for article_id, status, source, _published in articles:
        labels = {label for a, label, _ in spans if a == article_id}
        people = {who for a, _, who in spans if a == article_id}
        if (
            (f.statuses is None or status in f.statuses)
            and (f.outlet is None or source.casefold() == f.outlet.casefold())
            and (f.label_present is None or f.label_present in labels)
            and (f.label_absent is None or f.label_absent not in labels)
            and (f.annotator is None or f.annotator in people)
            and (matched is None or article_id in matched)
        ):
            counts[status] += 1
    return counts


def test_counts_per_status_of_every_kind_of_filter_agree_with_the_rows(corpus: Corpus) -> None:
    """Each single criterion is counted from an index or the label summary alone, the rest from
    the index of statuses: all must say what the rows say, as spans and statuses change."""
    with Project.open(corpus.path, backups=False) as project:
        labels = {lb.name: lb.id for lb in project.labels()}
        extra, _ = project.add_article(ArticleDraft(text="Late news on sanctions.", source="AFP"))
        filters = [
            ArticleFilter(),
            ArticleFilter(statuses=frozenset({"new", "done"})),
            ArticleFilter(outlet="afp"),
            ArticleFilter(annotator="bob"),
            ArticleFilter(query="sanctions"),
            ArticleFilter(annotator="bob", query="sanctions"),
            *(ArticleFilter(label_present=label) for label in labels.values()),
            *(ArticleFilter(label_absent=label) for label in labels.values()),
            ArticleFilter(label_present=labels["Quote"], label_absent=labels["Claim"]),
        ]

        def check() -> None:
            for f in filters:
                expected = _reference(project, f)
                assert status_counts(project, f) == expected, f
                assert filtered_count(project, f) == sum(expected.values()), f

        check()
        span = project.add_span(extra, 0, 4, labels["Claim"], "bob")
        project.set_article_status(extra, "done")
        check()
        project.update_span(span.id, label_id=labels["Quote"])
        check()
        snapshot = project.delete_span(span.id)
        check()
        project.restore_span(snapshot)
        project.set_article_status(corpus.awkward, "done")
        check()
        deleted = project.delete_label(labels["Quote"])
        check()
        project.restore_label(deleted)
        check()
        for table, column in (("article_labels", "label_id"), ("article_annotators", "annotator")):
            kept = project.db.conn.execute(
                f"SELECT article_id, {column}, status_rank, spans FROM {table} ORDER BY 1, 2"
            ).fetchall()
            counted = project.db.conn.execute(
                f"SELECT s.article_id, s.{column},"
                " CASE a.status WHEN 'new' THEN 0 WHEN 'in progress' THEN 1 ELSE 2 END,"
                " count(*) FROM spans s"
                " JOIN articles a ON a.id = s.article_id GROUP BY 1, 2 ORDER BY 1, 2"
            ).fetchall()
            assert kept == counted, table


def test_one_label_or_annotator_pages_and_rows_in_id_and_status_order(corpus: Corpus) -> None:
    """A list of one label's (or annotator's) articles is paged and placed from the label
    summary: the same articles, in the same order, as sorting every article would give."""
    with Project.open(corpus.path, backups=False) as project:
        labels = {lb.name: lb.id for lb in project.labels()}
        for n in range(12):
            article, _ = project.add_article(ArticleDraft(text=f"Item {n} on sanctions."))
            project.add_span(article, 0, 4, labels["Claim" if n % 3 else "Quote"], "bob")
            project.set_article_status(article, ("new", "in progress", "done")[n % 3])
        conn = project.db.conn
        status = dict(conn.execute("SELECT id, status FROM articles"))
        rank = {"new": 0, "in progress": 1, "done": 2}
        for f, holds in (
            *(
                (
                    ArticleFilter(label_present=label),
                    {
                        a
                        for a, l_ in conn.execute("SELECT article_id, label_id FROM spans")
                        if l_ == label
                    },
                )
                for label in labels.values()
            ),
            (
                ArticleFilter(annotator="bob"),
                {
                    a
                    for (a,) in conn.execute("SELECT article_id FROM spans WHERE annotator = 'bob'")
                },
            ),
        ):
            for order_by in ("id", "status"):
                for descending in (False, True):
                    by_status = order_by == "status"
                    expected = sorted(
                        holds,
                        key=lambda a, s=by_status: (rank[status[a]] if s else 0, a),
                        reverse=descending,
                    )
                    args = {"order_by": order_by, "descending": descending}
                    assert filtered_page_ids(project, f, 0, 1000, **args) == expected
                    assert filtered_page_ids(project, f, 2, 3, **args) == expected[2:5]
                    for article in status:
                        row = expected.index(article) if article in holds else None
                        assert filtered_position(project, f, article, **args) == row
                    if f.label_present is not None:
                        label = f.label_present
                        assert project.article_page_ids(0, 1000, label_id=label, **args) == expected
                        assert project.article_count(label_id=label) == len(expected)
                        for article in status:
                            row = expected.index(article) if article in holds else None
                            assert project.article_position(article, label_id=label, **args) == row


def _reference_rows(project: Project, f: ArticleFilter) -> dict[int, str]:
    """Id -> status of every article a filter keeps, worked out in Python from every row."""
    conn = project.db.conn
    matched = {
        r[0]
        for r in conn.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", (f.query,)
        )
    }
    spans = conn.execute("SELECT article_id, label_id, annotator FROM spans").fetchall()
    kept = {}
    for article_id, status, source, published in conn.execute(
        "SELECT id, status, source, published FROM articles"
    ):
        labels = {label for a, label, _ in spans if a == article_id}
        people = {who for a, _, who in spans if a == article_id}
        dated = bool(published) and (
            (not f.date_from or published >= f.date_from)
            and (not f.date_to or published[: len(f.date_to)] <= f.date_to)
        )
        if (
            (f.statuses is None or status in f.statuses)
            and (f.outlet is None or source.casefold() == f.outlet.casefold())
            and (dated or not (f.date_from or f.date_to))
            and (f.label_present is None or f.label_present in labels)
            and (f.label_absent is None or f.label_absent not in labels)
            and (f.annotator is None or f.annotator in people)
            and article_id in matched
        ):
            kept[article_id] = status
    return kept


def test_a_query_combined_with_other_criteria_agrees_with_the_rows_as_they_change(
    corpus: Corpus,
) -> None:
    """Such a filter's matches are read once for its count, pages, rows and counts per status:
    all must say what the rows say, in every order, after this window's edits and after another
    program's."""
    rank = {"new": 0, "in progress": 1, "done": 2}
    with Project.open(corpus.path, backups=False) as project:
        labels = {lb.name: lb.id for lb in project.labels()}
        outlets_ = ("AFP", "Test Wire", "zerohedge")
        for n in range(30):
            article, _ = project.add_article(
                ArticleDraft(
                    text=f"Item {n}: sanctions {'and weather ' if n % 4 else ''}news.",
                    source=outlets_[n % 3],
                    published=f"2017-0{1 + n % 5}-1{n % 10}",
                )
            )
            if n % 2:
                project.add_span(article, 0, 4, labels["Claim" if n % 3 else "Quote"], "bob")
            if n % 5 == 0:
                project.add_span(article, 5, 7, labels["Quote"], "carol")
            project.set_article_status(article, ("new", "in progress", "done")[n % 3])
        filters = [
            ArticleFilter(statuses=frozenset({"new", "done"}), query="sanctions"),
            ArticleFilter(outlet="afp", query="sanctions OR weather"),
            ArticleFilter(date_from="2017-02", date_to="2017-04", query="news"),
            ArticleFilter(label_present=labels["Claim"], query="sanctions"),
            ArticleFilter(label_absent=labels["Quote"], annotator="bob", query="weather"),
            ArticleFilter(
                statuses=frozenset({"in progress", "done"}),
                outlet="Test Wire",
                date_from="2017",
                date_to="2017-05",
                label_present=labels["Claim"],
                label_absent=labels["Speculation"],
                annotator="bob",
                query="sanctions",
            ),
            ArticleFilter(statuses=frozenset(), query="sanctions"),
        ]

        def check() -> None:
            for f in filters:
                kept = _reference_rows(project, f)
                assert filtered_count(project, f) == len(kept), f
                per_status = dict.fromkeys(rank, 0)
                for status in kept.values():
                    per_status[status] += 1
                assert status_counts(project, f) == per_status, f
                for order_by in ("id", "status", "title"):
                    for descending in (False, True):
                        args = {"order_by": order_by, "descending": descending}
                        listed = filtered_page_ids(project, f, 0, 1000, **args)
                        if order_by != "title":
                            key = rank if order_by == "status" else None
                            assert listed == sorted(
                                kept,
                                key=lambda a, k=key: ((k[kept[a]] if k else 0), a),
                                reverse=descending,
                            ), (f, args)
                        else:
                            assert sorted(listed) == sorted(kept)
                        assert filtered_page_ids(project, f, 2, 3, **args) == listed[2:5]
                        for article in (1, 2, *kept, 10_000):
                            row = listed.index(article) if article in kept else None
                            assert filtered_position(project, f, article, **args) == row

        check()
        project.set_article_status(corpus.awkward, "done")
        extra, _ = project.add_article(
            ArticleDraft(text="More sanctions.", source="Test Wire", published="2017-03-01")
        )
        project.add_span(extra, 0, 4, labels["Claim"], "bob")
        check()
        project.set_article_status(extra, "in progress")
        check()
        # This window's edit, then another program's: what was kept of the matches goes.
        probe = filters[-2]
        assert extra in filtered_page_ids(project, probe)
        project.set_article_status(extra, "new")
        assert extra not in filtered_page_ids(project, probe)
        project.set_article_status(extra, "in progress")
        assert filtered_position(project, probe, extra) is not None
        with Project.open(corpus.path, backups=False, lock=False) as other:
            other.set_article_status(extra, "new")
            other.delete_span(other.spans(extra)[0].id)
        assert extra not in _reference_rows(project, probe)
        assert extra not in filtered_page_ids(project, probe)
        assert filtered_count(project, probe) == len(_reference_rows(project, probe))
        check()
