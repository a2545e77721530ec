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


def test_document_labels_are_cats_and_come_back(tmp_path: Path) -> None:
    from annotator.store.doc_labels import doc_labels, save_doc_field, set_doc_labels

    with Project.open(tmp_path / "labelled.annot") as project:
        build_corpus(project, tmp_path)
        save_doc_field(project, "Frame", "single", choices=["conflict", "economic", "human"])
        save_doc_field(project, "Topic", "multiple", choices=["war", "trade", "health"])
        save_doc_field(project, "Reliability", "number", minimum=1, maximum=5)
        save_doc_field(project, "Comment", "text")
        first, second, *_ = project.article_ids()
        set_doc_labels(
            project,
            first,
            {"Frame": ["economic"], "Topic": ["war", "trade"], "Reliability": ["4"]},
        )
        set_doc_labels(project, second, {"Comment": ["checked 😀\ttwice"]})
        out = tmp_path / "cats.spacy"
        report = export_project(project, "spacy", out)
        assert report.lossless
        wanted = {a: doc_labels(project, a) for a in project.article_ids()}
    docs = read_docs(out)
    # spaCy's own reading: one-hot choices (textcat / textcat_multilabel) and the number.
    assert docs[0].cats == {
        "Frame=conflict": 0.0,
        "Frame=economic": 1.0,
        "Frame=human": 0.0,
        "Topic=war": 1.0,
        "Topic=trade": 1.0,
        "Topic=health": 0.0,
        "Reliability": 4.0,
    }
    assert docs[1].cats["Frame=economic"] == 0.0 and "Comment" not in docs[1].cats
    with Project.open(tmp_path / "back.annot") as back:
        save_doc_field(back, "Frame", "single", choices=["conflict", "economic", "human"])
        save_doc_field(back, "Topic", "multiple", choices=["war", "trade", "health"])
        save_doc_field(back, "Reliability", "number", minimum=1, maximum=5)
        save_doc_field(back, "Comment", "text")
        summary = import_paths(back, [out], annotator="x")
        assert summary.rejected == 0 and summary.articles_added == len(wanted)
        got = [doc_labels(back, a) for a in back.article_ids()]
        assert got == list(wanted.values())
        # The cats made from document labels are not kept as free categories as well.
        assert all("cats" not in back.article(a).meta for a in back.article_ids())


def test_document_labels_reported_lost_where_no_format_carries_them(tmp_path: Path) -> None:
    from annotator.store.doc_labels import save_doc_field, set_doc_labels

    with Project.open(tmp_path / "labelled.annot") as project:
        build_corpus(project, tmp_path)
        save_doc_field(project, "Frame", "single", choices=["conflict", "economic"])
        set_doc_labels(project, project.article_ids()[0], {"Frame": ["conflict"]})
        report = export_project(project, "doccano", tmp_path / "out.jsonl")
    assert any("document labels" in loss.what for loss in report.losses), report.describe()
