"""The spaCy DocBin format, checked with spaCy itself."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.formats.export import export_project
from annotator.formats.importer import import_paths
from annotator.store import Project
from tests.formats.export_corpus import build_corpus, snapshot

spacy = pytest.importorskip("spacy")
from spacy.tokens import Doc, DocBin, Span  # noqa: E402


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Project]:
    with Project.open(tmp_path / "source.annot") as project:
        build_corpus(project, tmp_path)
        yield project


def read_docs(path: Path) -> list[Doc]:
    nlp = spacy.blank("en")
    return list(DocBin().from_disk(path).get_docs(nlp.vocab))


def test_spacy_reads_every_article_span_and_entity(source: Project, tmp_path: Path) -> None:
    out = tmp_path / "train.spacy"
    report = export_project(source, "spacy", out)
    assert report.lossless and report.articles == 4 and report.spans == 14
    docs = read_docs(out)
    labels = {label.id: label.name for label in source.labels()}
    for doc, article_id in zip(docs, source.article_ids(), strict=True):
        assert doc.text == source.article_text(article_id)
        stored = sorted((s.start, s.end, labels[s.label_id]) for s in source.spans(article_id))
        group = sorted((s.start_char, s.end_char, s.label_) for s in doc.spans["sc"])
        assert group == stored
        ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        # Entities are exactly the spans that overlap no other span.
        for start, end, label in stored:
            alone = not any(
                s < end and start < e and (s, e, lb) != (start, end, label) for s, e, lb in stored
            )
            assert ((start, end, label) in ents) == alone
    unicode_doc = docs[1]
    assert {(e.text, e.label_) for e in unicode_doc.ents} == {
        ("5\u00a0pm", "Claim"),
        ("Peskov", "Source"),
    }
    # Overlapping and nested spans are all in the span group.
    assert ("👍🏽", "Speculation") in {(s.text, s.label_) for s in unicode_doc.spans["sc"]}


def test_round_trip_keeps_everything(source: Project, tmp_path: Path) -> None:
    out = tmp_path / "train.spacy"
    export_project(source, "spacy", out)
    with Project.open(tmp_path / "fresh.annot") as fresh:
        summary = import_paths(fresh, [out], annotator="someone", format="spacy")
        assert summary.rejections == [] and summary.notes == []
        assert summary.articles_added == 4 and summary.spans_added == 14
        assert summary.relations_added == 4
        assert snapshot(fresh) == snapshot(source)


def test_a_docbin_written_by_spacy_imports_with_cats_groups_and_ents(tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    text = "Peskov said\r\nthe call was 👍🏽 “positive”."
    doc = nlp.make_doc(text)
    peskov = doc.char_span(0, 6, label="PERSON")
    positive = doc.char_span(text.index("“"), text.index("."), label="QUOTE")
    assert peskov is not None and positive is not None
    doc.ents = [peskov]
    doc.spans["sc"] = [Span(doc, positive.start, positive.end, label="QUOTE"), peskov]
    claim = doc.char_span(text.index("the"), len(text), label="CLAIM")
    assert claim is not None
    doc.spans["claims"] = [claim]
    doc.cats = {"POLITICS": 1.0, "SPORT": 0.0}
    other = nlp.make_doc("Second document, no annotations.")
    path = tmp_path / "corpus.spacy"
    DocBin(docs=[doc, other]).to_disk(path)

    with Project.open(tmp_path / "p.annot") as project:
        summary = import_paths(project, [path], annotator="me", format="spacy")
        assert summary.rejections == []
        assert summary.articles_added == 2 and summary.spans_added == 3
        first = project.article_ids()[0]
        stored = project.article_text(first)
        assert stored == text.replace("\r\n", "\n")  # CRLF stored as LF, offsets moved
        names = {label.id: label.name for label in project.labels()}
        got = sorted((s.text, names[s.label_id], s.annotator) for s in project.spans(first))
        assert got == [
            ("Peskov", "PERSON", "me"),
            ("the call was 👍🏽 “positive”.", "CLAIM", "me"),
            ("“positive”", "QUOTE", "me"),
        ]
        assert project.article(first).meta["cats"] == {"POLITICS": 1.0, "SPORT": 0.0}


def test_cats_go_back_out_as_cats(tmp_path: Path) -> None:
    record = {"text": "A story about sport.", "meta": {"cats": {"SPORT": 1.0, "POLITICS": 0.0}}}
    source_file = tmp_path / "a.jsonl"
    source_file.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with Project.open(tmp_path / "p.annot") as project:
        import_paths(project, [source_file], annotator="me")
        export_project(project, "spacy", tmp_path / "out.spacy")
    [doc] = read_docs(tmp_path / "out.spacy")
    assert doc.cats == {"SPORT": 1.0, "POLITICS": 0.0}


def test_a_file_that_is_not_a_docbin_is_rejected_by_name(tmp_path: Path) -> None:
    bad = tmp_path / "broken.spacy"
    bad.write_bytes(b"\x00not a docbin at all")
    with Project.open(tmp_path / "p.annot") as project:
        summary = import_paths(project, [bad], annotator="me", format="spacy")
        assert summary.articles_added == 0
        [rejection] = summary.rejections
        assert rejection.path == bad and "is not a spaCy DocBin" in rejection.message
        assert project.article_ids() == []


def test_a_docbin_edited_in_spacy_keeps_its_spans_and_says_what_it_could_not(
    source: Project, tmp_path: Path
) -> None:
    out = tmp_path / "train.spacy"
    export_project(source, "spacy", out)
    docs = read_docs(out)
    doc = docs[0]
    doc.spans["sc"] = list(doc.spans["sc"])[:1]  # an analyst removed spans in spaCy
    edited = tmp_path / "edited.spacy"
    DocBin(docs=docs, store_user_data=True).to_disk(edited)
    with Project.open(tmp_path / "fresh.annot") as fresh:
        summary = import_paths(fresh, [edited], annotator="someone", format="spacy")
        assert summary.rejections == []
        assert len(summary.notes) == 1 and "no longer matches" in summary.notes[0].message
        first = fresh.article_ids()[0]
        # The removed spans are still entities of the edited doc, so they come back from ents.
        assert {s.annotator for s in fresh.spans(first)} == {"someone"}
        assert fresh.relations(first) == []
