"""Search in context: hits are what FTS5 matches, at code-point offsets of the stored text."""

from __future__ import annotations

import json
import re

import pytest

from annotator.cli import main
from annotator.core.model import ArticleDraft
from annotator.store import Project, ProjectError
from annotator.store.search import (
    SearchQueryError,
    SearchScope,
    iter_hits,
    matching_article_count,
    search_hits,
)
from tests.corpus.conftest import AWKWARD, Corpus


def _words(text: str, word: str) -> list[tuple[int, int]]:
    """Whole-word, case-insensitive occurrences, found independently of FTS5."""
    return [m.span() for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.I)]


def test_hits_are_whole_words_at_code_point_offsets(corpus: Corpus) -> None:
    with Project.open(corpus.path, read_only=True) as project:
        hits = list(iter_hits(project, "sanctions"))
        texts = {a: project.article_text(a) for a in (corpus.seed, corpus.awkward)}
    for hit in hits:
        assert texts[hit.article_id][hit.start : hit.end] == hit.text
        assert hit.text.casefold() == "sanctions"
        assert hit.left == texts[hit.article_id][max(0, hit.start - 60) : hit.start]
        assert hit.right == texts[hit.article_id][hit.end : hit.end + 60]
    expected = [(corpus.seed, s) for s, _ in _words(texts[corpus.seed], "sanctions")]
    expected += [(corpus.awkward, s) for s, _ in _words(AWKWARD, "sanctions")]
    assert [(h.article_id, h.start) for h in hits] == expected
    # After an emoji and a flag (astral characters): offsets are code points, not UTF-16.
    assert AWKWARD.index("sanctions") == 8
    assert hits[len(_words(texts[corpus.seed], "sanctions"))].start == 8


def test_phrases_prefixes_and_boolean_operators(corpus: Corpus) -> None:
    with Project.open(corpus.path, read_only=True) as project:
        phrase = search_hits(project, '"sanctions regime"')
        assert [(h.text, h.article_id) for h in phrase] == [("sanctions regime", corpus.awkward)]
        prefix = {h.text.casefold() for h in search_hits(project, "sanction*", limit=1000)}
        assert prefix == {"sanctions"}
        assert search_hits(project, "sanctions NOT Putin")[0].article_id == corpus.awkward
        either = {h.article_id for h in search_hits(project, "weather OR Peskov", limit=1000)}
        assert either == {corpus.seed, corpus.plain}
        assert matching_article_count(project, "sanctions") == 2
        # Accents and case are ignored as FTS5's unicode61 tokenizer ignores them.
        assert [h.text for h in search_hits(project, "cafe")] == ["Café\u0301"]
        assert [h.text for h in search_hits(project, "مطلع")] == ["مطلع"]


def test_pages_follow_each_other_without_gaps(corpus: Corpus) -> None:
    with Project.open(corpus.path, read_only=True) as project:
        everything = list(iter_hits(project, "the"))
        pages, after = [], None
        while True:
            page = search_hits(project, "the", after=after, limit=3)
            if not page:
                break
            pages.extend(page)
            after = page[-1].key
    assert len(everything) > 10
    assert pages == everything


def test_hits_restricted_to_spans_of_a_label_and_annotator(corpus: Corpus) -> None:
    with Project.open(corpus.path, read_only=True) as project:
        quotes = search_hits(project, "sanctions", scope=SearchScope(label="Quote"))
        assert [(h.article_id, h.text, h.label) for h in quotes] == [
            (corpus.awkward, "sanctions", "Quote"),
            (corpus.awkward, "sanctions", "Quote"),
        ]
        bobs = search_hits(project, "sanctions", scope=SearchScope(label="Quote", annotator="bob"))
        assert [h.right.startswith(" regime") for h in bobs] == [True]
        with pytest.raises(ProjectError, match="has no label 'Nope'"):
            search_hits(project, "sanctions", scope=SearchScope(label="Nope"))


@pytest.mark.parametrize("query", ['"unbalanced', "NOT", "AND sanctions", "(", "nope:word", ""])
def test_malformed_queries_are_explained(corpus: Corpus, query: str) -> None:
    with Project.open(corpus.path, read_only=True) as project:
        with pytest.raises(SearchQueryError) as info:
            search_hits(project, query)
    assert "Traceback" not in str(info.value)
    assert "query is empty" in str(info.value) or repr(query) in str(info.value)


def test_cli_json_reads_back(corpus: Corpus, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", str(corpus.path), "sanctions", "--label", "Quote", "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 2
    for record in records:
        assert set(record) == {
            "article_id",
            "title",
            "start",
            "end",
            "text",
            "left",
            "right",
            "label",
        }
        assert AWKWARD[record["start"] : record["end"]] == record["text"]
        assert record["label"] == "Quote"
        assert record["title"] == "Awkward ✓"
    assert main(["search", str(corpus.path), "Peskov", "--limit", "2", "--json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) == 2 and "label" not in records[0]


def test_cli_text_output_and_exit_statuses(
    corpus: Corpus, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", str(corpus.path), "weather"]) == 0
    out = capsys.readouterr().out
    assert out == f"{corpus.plain}\tPlain\tNothing to see here. The [weather] is fine.\n"
    assert main(["search", str(corpus.path), "zzzz"]) == 1
    assert main(["search", str(corpus.path), '"sanctions']) == 2
    err = capsys.readouterr().err
    assert err.startswith("annotator: cannot search for") and "Traceback" not in err
    assert main(["search", str(corpus.path), "NOT"]) == 2
    assert "syntax error" in capsys.readouterr().err
    assert main(["search", str(corpus.path), "x", "--label", "Nope"]) == 2
    assert "has no label 'Nope'" in capsys.readouterr().err


def test_span_index_follows_edits_deletes_and_undo(corpus: Corpus) -> None:
    scope = SearchScope(label="Quote")
    with Project.open(corpus.path, backups=False) as project:
        quote = project.span(corpus.quote)
        assert search_hits(project, "patient", scope=scope)[0].span_id == corpus.quote
        # Shrunk so that it no longer covers "patient": no hit; grown back: found again.
        project.update_span(corpus.quote, end=quote.start + 20)
        assert search_hits(project, "patient", scope=scope) == []
        project.update_span(corpus.quote, end=quote.end)
        [hit] = search_hits(project, "patient", scope=scope)
        assert project.article_text(hit.article_id)[hit.start : hit.end] == "patient"
        snapshot = project.delete_span(corpus.quote)
        assert search_hits(project, "patient", scope=scope) == []
        project.restore_span(snapshot)
        assert len(search_hits(project, "patient", scope=scope)) == 1
        label = project.label_by_name("Quote")
        assert label is not None
        project.delete_label(label.id)  # its spans go by cascade, and leave the index too
        assert search_hits(project, "patient", scope=SearchScope(annotator="ann")) == []
        assert matching_article_count(project, "sanctions", SearchScope(annotator="bob")) == 1


def _noted_corpus(corpus: Corpus) -> dict[str, int]:
    """An article with the word in its title, and notes holding it on two spans."""
    with Project.open(corpus.path, backups=False) as project:
        article, _ = project.add_article(
            ArticleDraft(
                text="Talks 🇺🇦 resume on Monday.\r\nNo word of it here.", title="On sanctions"
            )
        )
        label = project.labels()[0].id
        first = project.add_span(article, 0, 5, label, "ann")
        second = project.add_span(article, 6, 8, label, "ann")
        project.update_span(first.id, note="Ask about 🇺🇸 sanctions\nand the Café\u0301 deal")
        project.update_span(second.id, note="sanctions again")
        # A note on an article that has no match in its title or text.
        plain_span = project.add_span(corpus.plain, 0, 7, label, "ann")
        project.update_span(plain_span.id, note="«مصدر» on sanctions")
        return {"article": article, "first": first.id, "second": second.id, "plain": plain_span.id}


def test_titles_and_notes_are_searched_in_context(corpus: Corpus) -> None:
    ids = _noted_corpus(corpus)
    with Project.open(corpus.path, read_only=True) as project:
        hits = list(iter_hits(project, "sanctions"))
        notes = {
            span_id: project.span(span_id).note
            for span_id in (ids["first"], ids["second"], ids["plain"])
        }
    # Article order; in an article the title, then the text, then the notes in span order.
    assert [(h.article_id, h.where, h.span_id) for h in hits if h.where != "text"] == [
        (corpus.plain, "note", ids["plain"]),
        (ids["article"], "title", None),
        (ids["article"], "note", ids["first"]),
        (ids["article"], "note", ids["second"]),
    ]
    for hit in hits:
        if hit.where == "title":
            assert hit.span_id is None
            assert hit.title[hit.start : hit.end] == hit.text == "sanctions"
            assert hit.left == "On " and hit.right == ""
        elif hit.where == "note":
            note = notes[hit.span_id]
            assert note[hit.start : hit.end] == hit.text == "sanctions"
            assert hit.left == note[max(0, hit.start - 60) : hit.start]
            assert hit.right == note[hit.end : hit.end + 60]
    first = next(h for h in hits if h.span_id == ids["first"])
    assert first.start == len("Ask about 🇺🇸 ")  # code points, after a flag
    # Column filters reach titles and texts only; notes have no such columns.
    with Project.open(corpus.path, read_only=True) as project:
        # seed, awkward (text), plain (a note), the new one (title and notes)
        assert matching_article_count(project, "sanctions") == 4
        titled = search_hits(project, "title:sanctions", limit=100)
        assert [(h.article_id, h.where) for h in titled] == [(ids["article"], "title")]
        # A phrase across two notes is in neither.
        assert search_hits(project, '"sanctions sanctions"') == []


def test_pages_run_through_titles_texts_and_notes_without_gaps(corpus: Corpus) -> None:
    _noted_corpus(corpus)
    with Project.open(corpus.path, read_only=True) as project:
        everything = list(iter_hits(project, "sanctions OR the"))
        for size in (1, 2, 5):
            pages, after = [], None
            while page := search_hits(project, "sanctions OR the", after=after, limit=size):
                pages.extend(page)
                after = page[-1].key
            assert pages == everything
    assert {h.where for h in everything} == {"title", "text", "note"}


def test_note_index_follows_edits_deletes_and_undo(corpus: Corpus) -> None:
    ids = _noted_corpus(corpus)
    with Project.open(corpus.path, backups=False) as project:

        def noted() -> list[int | None]:
            return [h.span_id for h in search_hits(project, "sanctions") if h.where == "note"]

        assert noted() == [ids["plain"], ids["first"], ids["second"]]
        project.update_span(ids["first"], note="nothing to find")
        assert ids["first"] not in noted()
        snapshot = project.delete_span(ids["second"])
        assert ids["second"] not in noted()
        project.restore_span(snapshot)
        assert ids["second"] in noted()
        project.update_span(ids["second"], note="")
        project.update_span(ids["first"], note="sanctions back")
        assert ids["first"] in noted() and ids["second"] not in noted()
        conn = project.db.conn
        conn.execute("INSERT INTO article_notes_fts(article_notes_fts) VALUES('integrity-check')")


def test_cli_marks_title_and_note_hits(corpus: Corpus, capsys: pytest.CaptureFixture[str]) -> None:
    ids = _noted_corpus(corpus)
    assert main(["search", str(corpus.path), "sanctions", "--limit", "1000", "--json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    titled = [r for r in records if r.get("in") == "title"]
    noted = [r for r in records if r.get("in") == "note"]
    assert [(r["article_id"], r["title"][r["start"] : r["end"]]) for r in titled] == [
        (ids["article"], "sanctions")
    ]
    assert {r["span_id"] for r in noted} == {ids["first"], ids["second"], ids["plain"]}
    assert all("in" not in r and "span_id" not in r for r in records if r not in titled + noted)
    assert main(["search", str(corpus.path), "Café"]) == 0
    out = capsys.readouterr().out
    assert f"\tnote {ids['first']}: " in out
