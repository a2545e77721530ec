"""Export filters, train/dev/test splits, streaming reads, progress and cancellation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.core.model import ArticleDraft
from annotator.formats.export import (
    ExportCancelled,
    ExportError,
    ExportFilter,
    export_project,
    iter_docs,
    parse_split,
    split_article_ids,
    split_target,
)
from annotator.formats.registry import FORMATS, get_format
from annotator.store import Project
from annotator.store.stream import iter_article_rows
from tests.formats.export_corpus import corpus_project, empty_project


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Project]:
    with corpus_project(tmp_path) as project:
        yield project


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Project]:
    with empty_project(tmp_path) as project:
        yield project


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# ----------------------------------------------------------------------------------- filters
def test_label_filter_keeps_relations_only_between_kept_spans(
    source: Project, tmp_path: Path
) -> None:
    docs = list(iter_docs(source, ExportFilter(labels=frozenset({"Quote", "Claim"}))))
    assert {s.label for d in docs for s in d.spans} == {"Quote", "Claim"}
    assert all(not d.relations for d in docs)  # every relation ends at a Source
    docs = list(iter_docs(source, ExportFilter(labels=frozenset({"Quote", "Source"}))))
    assert sum(len(d.relations) for d in docs) == 4
    for doc in docs:
        for rel in doc.relations:
            assert (doc.spans[rel.head].label, doc.spans[rel.child].label) == ("Quote", "Source")


def test_status_filter_keeps_only_those_articles(source: Project, tmp_path: Path) -> None:
    out = tmp_path / "done.jsonl"
    report = export_project(source, "jsonl", out, filter=ExportFilter(status="done"))
    assert [obj["meta"]["status"] for obj in lines(out)] == ["done", "done"]
    assert report.articles == 2
    with pytest.raises(ExportError, match="unknown status 'finished'"):
        export_project(source, "jsonl", out, filter=ExportFilter(status="finished"))


def test_annotator_filter_keeps_only_their_spans(source: Project, tmp_path: Path) -> None:
    docs = list(iter_docs(source, ExportFilter(annotator="bob")))
    assert len(docs) == 4  # articles stay; their spans are filtered
    spans = [s for d in docs for s in d.spans]
    assert {s.annotator for s in spans} == {"bob"} and len(spans) == 5
    # bob's quote-source pair keeps both its relations (one of them recorded by carol)
    assert sorted(r.type for d in docs for r in d.relations) == ["attributed_to", "reported_by"]


def test_unknown_label_is_an_error_naming_the_labels(source: Project, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="no label named 'Rumour'.*Quote, Source"):
        export_project(
            source, "jsonl", tmp_path / "x.jsonl", filter=ExportFilter(labels=frozenset({"Rumour"}))
        )
    assert not (tmp_path / "x.jsonl").exists()


def test_spans_are_sorted_and_relations_index_them(source: Project) -> None:
    for doc in iter_docs(source):
        keys = [(s.start, -s.end, s.label, s.annotator) for s in doc.spans]
        assert keys == sorted(keys)
        for span in doc.spans:
            assert doc.article.text[span.start : span.end] == span.text


def test_store_streams_with_filters(tmp_path: Path) -> None:
    with Project.open(tmp_path / "p.annot") as project:
        quote = project.label_by_name("Quote")
        source_label = project.label_by_name("Source")
        assert quote is not None and source_label is not None
        for i in range(7):
            aid, _ = project.add_article(ArticleDraft(text=f"Article {i}: Putin spoke."))
            q = project.add_span(aid, 0, 7, quote.id, "ann")
            s = project.add_span(aid, 12, 17, source_label.id, "ann" if i % 2 else "other")
            project.add_relation(q.id, s.id, "attributed_to", "ann")
        everything = list(iter_article_rows(project))
        assert [a.id for a, _, _ in everything] == list(range(1, 8))
        assert all(len(spans) == 2 and len(rels) == 1 for _, spans, rels in everything)
        only_ann = list(iter_article_rows(project, annotator="ann"))
        assert [len(spans) for _, spans, _ in only_ann] == [1, 2, 1, 2, 1, 2, 1]
        assert [len(rels) for _, _, rels in only_ann] == [0, 1, 0, 1, 0, 1, 0]
        some = list(iter_article_rows(project, article_ids=[6, 2, 4], batch_size=2))
        assert [a.id for a, _, _ in some] == [2, 4, 6]
        none = list(iter_article_rows(project, label_ids=[]))
        assert all(not spans for _, spans, _ in none)


def test_iter_docs_is_lazy(source: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """Taking the first document reads only the first article (one pass, not the whole list)."""
    from annotator.store import stream

    made: list[int] = []
    original = stream._article

    def spy(row):  # type: ignore[no-untyped-def]
        made.append(row[0])
        return original(row)

    monkeypatch.setattr(stream, "_article", spy)
    docs = iter_docs(source)
    assert made == []
    first = next(docs)
    assert made == [first.article.id]
    assert len(list(docs)) == 3 and len(made) == 4


# ------------------------------------------------------------------------------------ splits
def many_articles(project: Project, n: int) -> list[int]:
    quote = project.label_by_name("Quote")
    assert quote is not None
    ids = []
    for i in range(n):
        aid, _ = project.add_article(ArticleDraft(text=f"Story {i}: “Yes,” she said."))
        project.add_span(aid, len(f"Story {i}: "), len(f"Story {i}: “Yes,”"), quote.id, "ann")
        ids.append(aid)
    return ids


def test_split_names_files_and_is_reproducible_and_disjoint(fresh: Project, tmp_path: Path) -> None:
    ids = many_articles(fresh, 20)
    out = tmp_path / "data.jsonl"
    report = export_project(fresh, "jsonl", out, split="80/10/10", seed=7)
    parts = {name: tmp_path / f"data-{name}.jsonl" for name in ("train", "dev", "test")}
    assert [f for f in report.files if f.suffix == ".jsonl"] == list(parts.values())
    assert all((tmp_path / f"data-{name}.labels.json").is_file() for name in parts)
    assert report.splits == {"train": 16, "dev": 2, "test": 2}
    assert report.articles == 20 and not out.exists()
    texts = {name: [o["text"] for o in lines(path)] for name, path in parts.items()}
    assert sum(len(t) for t in texts.values()) == 20
    assert len({t for part in texts.values() for t in part}) == 20  # disjoint, complete
    again = export_project(fresh, "jsonl", tmp_path / "again.jsonl", split="80/10/10", seed=7)
    assert again.splits == report.splits
    for name, path in parts.items():
        assert (tmp_path / f"again-{name}.jsonl").read_bytes() == path.read_bytes()
    other = split_article_ids(ids, parse_split("80/10/10"), seed=8)
    assert other != split_article_ids(ids, parse_split("80/10/10"), seed=7)
    assert "split: train 16, dev 2, test 2" in report.describe()


def test_split_of_a_folder_format_uses_subfolders(fresh: Project, tmp_path: Path) -> None:
    many_articles(fresh, 10)
    out = tmp_path / "tables"
    report = export_project(fresh, "parquet", out, split="80/20", seed=1)
    assert report.splits == {"train": 8, "test": 2}
    assert sorted(p.name for p in out.iterdir()) == ["test", "train"]
    assert (out / "train" / "articles.parquet").is_file()


def test_split_arithmetic() -> None:
    assert parse_split("80/10/10") == pytest.approx((0.8, 0.1, 0.1))
    assert parse_split("3/1") == pytest.approx((0.75, 0.25))
    for bad in ("80", "a/b", "50/-10/60", "0/0", "1/1/1/1"):
        with pytest.raises(ExportError):
            parse_split(bad)
    parts = split_article_ids(range(1, 11), (0.34, 0.33, 0.33), seed=0)
    assert [len(p) for p in parts.values()] == [4, 3, 3]
    assert split_article_ids([], (0.8, 0.2), seed=0) == {"train": [], "test": []}
    assert split_target(Path("o/data.jsonl"), "dev", folder=False) == Path("o/data-dev.jsonl")
    assert split_target(Path("o/ls"), "test", folder=False) == Path("o/ls-test")
    assert split_target(Path("o/out"), "train", folder=True) == Path("o/out/train")


# ------------------------------------------------------------------------ progress, cancel
def test_progress_counts_articles(source: Project, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    export_project(source, "csv", tmp_path / "x.csv", progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


@pytest.mark.parametrize("fmt", ["jsonl", "doccano", "csv", "labelstudio", "parquet"])
def test_cancelling_leaves_no_output(source: Project, tmp_path: Path, fmt: str) -> None:
    calls = iter(range(100))
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(ExportCancelled):
        export_project(source, fmt, folder / f"out.{fmt}", is_cancelled=lambda: next(calls) >= 2)
    assert list(folder.iterdir()) == []


def test_cancelling_a_split_removes_parts_already_written(fresh: Project, tmp_path: Path) -> None:
    many_articles(fresh, 10)
    calls = iter(range(100))
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(ExportCancelled):
        export_project(
            fresh, "jsonl", folder / "d.jsonl", split="50/50", is_cancelled=lambda: next(calls) > 7
        )
    assert list(folder.iterdir()) == []


# ---------------------------------------------------------------------------------- registry
def test_registry_entries_load_and_name_themselves() -> None:
    for name, spec in FORMATS.items():
        assert spec.name == name
        if spec.writer:
            assert callable(spec.load_writer())
        if spec.reader:
            assert callable(spec.load_reader())
    with pytest.raises(ExportError, match="unknown format 'xml'; known formats: "):
        get_format("xml")


def test_wrong_target_kind_is_refused(source: Project, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="is a folder; jsonl writes a file"):
        export_project(source, "jsonl", tmp_path)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportError, match="is a file; parquet writes a folder"):
        export_project(source, "parquet", tmp_path / "file")


@pytest.mark.parametrize("fmt", ["jsonl", "doccano", "csv", "labelstudio"])
def test_export_memory_stays_flat(fresh: Project, tmp_path: Path, fmt: str) -> None:
    """400 articles of 20,000 characters (8 M in all): the export never holds more than a
    batch of them."""
    import tracemalloc

    quote = fresh.label_by_name("Quote")
    assert quote is not None
    body = "Putin said the talks would cover sanctions. " * 455
    with fresh.atomic():
        for i in range(400):
            aid, _ = fresh.add_article(ArticleDraft(text=f"Story {i}. {body}"))
            fresh.add_span(aid, 0, 5, quote.id, "ann")
    get_format(fmt).load_writer()  # importing the writer's module is not the export's memory
    tracemalloc.start()
    try:
        export_project(fresh, fmt, tmp_path / f"big.{fmt}")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    total = 400 * len(body)
    assert peak < total / 4, f"peak {peak / 1e6:.1f} MB for {total / 1e6:.1f} MB of text"


def test_parquet_without_pyarrow_says_how_to_install_it(
    source: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now fails
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(ExportError, match=r"pip install 'news-annotator\[parquet\]'"):
        export_project(source, "parquet", tmp_path / "tables")
    assert not (tmp_path / "tables").exists()
