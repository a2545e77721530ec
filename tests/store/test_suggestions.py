"""The suggestions layer: written beside other layers, idempotent, replaced on request, and
rejections remembered across runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.model import SUGGESTION_ANNOTATOR, ArticleDraft
from annotator.store import Project
from annotator.store.suggestions import (
    forget_rejection,
    rejected,
    remember_rejection,
    set_span_owner,
    suggestion_spans,
)
from annotator.suggest import Suggester
from annotator.suggest.run import suggest_project
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def suggester() -> Suggester:
    return Suggester()


@pytest.fixture
def project(tmp_path: Path):
    project = Project.open(tmp_path / "p.annot")
    text = SAMPLE.read_text(encoding="utf-8")
    article_id, _ = project.add_article(ArticleDraft(text=text, title="seed"))
    yield project, article_id, text
    project.close()


def test_suggestions_leave_other_layers_and_status_alone(project, suggester: Suggester) -> None:
    p, article_id, text = project
    quote = p.label_by_name("Quote")
    assert quote is not None
    mine = p.add_span(article_id, 0, 5, quote.id, "ana")
    p.set_article_status(article_id, "new")
    summary = suggest_project(p, suggester=suggester)
    assert summary.added > 20 and summary.relations > 5
    assert p.spans(article_id, ["ana"]) == [mine]
    assert p.article(article_id).status == "new"
    spans = suggestion_spans(p, article_id)
    assert len(spans) == summary.added
    assert all(s.text == text[s.start : s.end] for s in spans)
    assert {r.annotator for r in p.relations(article_id)} == {SUGGESTION_ANNOTATOR}


def test_running_twice_adds_nothing_and_replace_regenerates(project, suggester: Suggester) -> None:
    p, article_id, _ = project
    first = suggest_project(p, suggester=suggester)
    before = [(s.start, s.end, s.label_id) for s in suggestion_spans(p, article_id)]
    relations = len(p.relations(article_id))
    again = suggest_project(p, suggester=suggester)
    assert again.added == 0 and again.kept == first.added and again.relations == 0
    assert len(p.relations(article_id)) == relations
    replaced = suggest_project(p, suggester=suggester, replace=True)
    assert replaced.removed == first.added and replaced.added == first.added
    assert sorted(before) == sorted(
        (s.start, s.end, s.label_id) for s in suggestion_spans(p, article_id)
    )
    assert len(p.relations(article_id)) == relations


def test_labels_restrict_what_is_written(project, suggester: Suggester) -> None:
    p, article_id, _ = project
    suggest_project(p, suggester=suggester, labels=["Speculation"])
    names = {p.label(s.label_id).name for s in suggestion_spans(p, article_id)}
    assert names == {"Speculation"}
    assert p.relations(article_id) == []


def test_rejected_suggestions_are_never_proposed_again(project, suggester: Suggester) -> None:
    p, article_id, _ = project
    suggest_project(p, suggester=suggester)
    victim = suggestion_spans(p, article_id)[0]
    label = p.label(victim.label_id).name
    remember_rejection(p, victim, label, "ana")
    p.delete_span(victim.id)
    assert (victim.start, victim.end, label) in rejected(p, article_id)
    for replace in (False, True):
        summary = suggest_project(p, suggester=suggester, replace=replace)
        assert summary.rejected == 1
        keys = {(s.start, s.end, s.label_id) for s in suggestion_spans(p, article_id)}
        assert (victim.start, victim.end, victim.label_id) not in keys
    forget_rejection(p, victim, label)
    suggest_project(p, suggester=suggester)
    keys = {(s.start, s.end, s.label_id) for s in suggestion_spans(p, article_id)}
    assert (victim.start, victim.end, victim.label_id) in keys


def test_accepted_span_moves_to_the_analyst_and_is_not_suggested_again(
    project, suggester: Suggester
) -> None:
    p, article_id, _ = project
    suggest_project(p, suggester=suggester)
    rel = p.relations(article_id)[0]
    quote, source = p.span(rel.head_id), p.span(rel.child_id)
    set_span_owner(p, quote.id, "ana")
    assert p.relation(rel.id).annotator == SUGGESTION_ANNOTATOR  # one end still suggested
    set_span_owner(p, source.id, "ana")
    assert p.relation(rel.id).annotator == "ana"
    claim = p.label_by_name("Claim")
    assert claim is not None
    before, after = set_span_owner(p, quote.id, "ana", claim.id)
    assert after.label_id == claim.id and after.annotator == "ana"
    set_span_owner(p, quote.id, SUGGESTION_ANNOTATOR, before.label_id)  # undo
    assert p.span(quote.id).annotator == SUGGESTION_ANNOTATOR
    assert p.relation(rel.id).annotator == SUGGESTION_ANNOTATOR
    set_span_owner(p, quote.id, "ana")
    summary = suggest_project(p, suggester=suggester)
    assert summary.added == 0
    assert (
        sum(1 for s in p.spans(article_id) if (s.start, s.end) == (source.start, source.end)) == 1
    )


def test_cancelled_run_leaves_whole_articles(tmp_path: Path, suggester: Suggester) -> None:
    p = Project.open(tmp_path / "many.annot")
    text = SAMPLE.read_text(encoding="utf-8")
    ids = [p.add_article(ArticleDraft(text=f"{i}. {text}"))[0] for i in range(4)]
    seen: list[int] = []
    summary = suggest_project(
        p,
        suggester=suggester,
        progress=lambda done, total: seen.append(done),
        cancelled=lambda: len(seen) >= 2,
    )
    assert summary.cancelled and summary.articles == 2 and seen == [1, 2]
    assert [bool(suggestion_spans(p, i)) for i in ids] == [True, True, False, False]
    p.close()


def _layer(p: Project) -> tuple[list[tuple[int, int, int, str, str, str]], list[tuple]]:
    spans = p.db.conn.execute(
        'SELECT article_id, start, "end", label_id, text, attributes FROM spans'
        ' WHERE annotator = ? ORDER BY article_id, start, "end", label_id',
        (SUGGESTION_ANNOTATOR,),
    ).fetchall()
    relations = p.db.conn.execute(
        'SELECT h.article_id, h.start, h."end", c.start, c."end", r.type FROM relations r'
        " JOIN spans h ON h.id = r.head_id JOIN spans c ON c.id = r.child_id"
        " ORDER BY 1, 2, 3, 4, 5"
    ).fetchall()
    return spans, relations


def test_worker_processes_write_what_one_process_does(tmp_path: Path, suggester: Suggester) -> None:
    import multiprocessing

    text = SAMPLE.read_text(encoding="utf-8")
    layers = []
    for processes in (1, 2):
        p = Project.open(tmp_path / f"p{processes}.annot")
        for i in range(70):  # three chunks of articles, the last one short
            p.add_article(ArticleDraft(text=f"Report {i}.\n\n{text[: 400 + 37 * i]}"))
        summary = suggest_project(p, suggester=suggester, processes=processes)
        assert summary.articles == 70 and summary.added > 70 * 5
        layers.append(_layer(p))
        p.close()
    assert layers[0] == layers[1] and layers[0][1]
    assert not multiprocessing.active_children()


def test_cancelled_run_in_worker_processes_stops_them(tmp_path: Path, suggester: Suggester) -> None:
    import multiprocessing

    p = Project.open(tmp_path / "many.annot")
    text = SAMPLE.read_text(encoding="utf-8")
    ids = [p.add_article(ArticleDraft(text=f"{i}. {text}"))[0] for i in range(200)]
    seen: list[int] = []
    workers: list[int] = []

    def progress(done: int, _total: int) -> None:
        seen.append(done)
        workers.append(len(multiprocessing.active_children()))

    summary = suggest_project(
        p, suggester=suggester, processes=2, progress=progress, cancelled=lambda: len(seen) >= 3
    )
    assert summary.cancelled and summary.articles == 3 and seen == [1, 2, 3]
    assert workers[-1] == 2  # they were running when the run was cancelled...
    assert not multiprocessing.active_children()  # ...and are gone now
    assert [bool(suggestion_spans(p, i)) for i in ids[:4]] == [True, True, True, False]
    p.close()


def test_a_batch_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    from annotator.store import ProjectError
    from annotator.store.suggestions import (
        ArticleSuggestions,
        NewSuggestion,
        write_suggestion_batch,
    )

    p = Project.open(tmp_path / "b.annot")
    p.ensure_label("Quote")
    first, _ = p.add_article(ArticleDraft(text="He said it would rain all day."))
    batch = [
        ArticleSuggestions(
            first, "He said it would rain all day.", [NewSuggestion(8, 29, "Quote")], []
        ),
        ArticleSuggestions(first + 99, "Gone.", [NewSuggestion(0, 4, "Quote")], []),
    ]
    with pytest.raises(ProjectError, match="has no article"):
        write_suggestion_batch(p, batch)
    assert suggestion_spans(p, first) == []
    results = write_suggestion_batch(p, batch[:1])
    assert [r.added for r in results] == [1] and len(suggestion_spans(p, first)) == 1
    p.close()


def _summaries_agree_with_spans(path: Path) -> dict[str, object]:
    """The per-article label/annotator tables and the span search index, against the spans."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        conn.execute("INSERT INTO spans_fts(spans_fts, rank) VALUES('integrity-check', 1)")
        rank = "CASE a.status WHEN 'new' THEN 0 WHEN 'in progress' THEN 1 ELSE 2 END"
        found = {}
        for table, column in (("article_labels", "label_id"), ("article_annotators", "annotator")):
            kept = conn.execute(
                f"SELECT article_id, {column}, status_rank, spans FROM {table} ORDER BY 1, 2"
            ).fetchall()
            counted = conn.execute(
                f"SELECT s.article_id, s.{column}, {rank}, count(*) FROM spans s"
                f" JOIN articles a ON a.id = s.article_id GROUP BY 1, 2 ORDER BY 1, 2"
            ).fetchall()
            assert kept == counted, table
            found[table] = kept
        # A word of the last suggestion written is found by the span search.
        for (last,) in conn.execute(
            "SELECT text FROM spans WHERE annotator = 'suggestions' ORDER BY id DESC LIMIT 1"
        ).fetchall():
            word = next(w for w in last.split() if w.isalpha())
            hits = conn.execute(
                "SELECT count(*) FROM spans_fts WHERE spans_fts MATCH ?", (f'"{word}"',)
            ).fetchone()[0]
            assert hits >= 1, word
        found["triggers"] = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
        ).fetchall()
        return found
    finally:
        conn.close()


def test_suggestions_keep_summaries_and_the_span_search_in_step(
    tmp_path: Path, suggester: Suggester
) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    path = tmp_path / "p.annot"
    fresh = tmp_path / "fresh.annot"
    Project.open(fresh).close()
    with Project.open(path) as p:
        ids = [
            p.add_article(ArticleDraft(text=f"{text}\n\n{n} 👍🏽 e\u0301 said it.", title=f"{n}"))[
                0
            ]
            for n in range(5)
        ]
        quote = p.label_by_name("Quote")
        assert quote is not None
        p.add_span(ids[1], 0, 5, quote.id, "ana")
        p.set_article_status(ids[2], "done")
        first = suggest_project(p, suggester=suggester)
        assert first.added > 100
        replaced = suggest_project(p, suggester=suggester, replace=True)
        assert replaced.added == first.added
    found = _summaries_agree_with_spans(path)
    assert any(row[1] == SUGGESTION_ANNOTATOR for row in found["article_annotators"])  # type: ignore[union-attr]
    assert found["triggers"] == _summaries_agree_with_spans(fresh)["triggers"]
