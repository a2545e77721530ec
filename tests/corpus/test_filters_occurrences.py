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
