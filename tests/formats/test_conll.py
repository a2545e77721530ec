"""CoNLL token/IOB2 export and import: golden file, seqeval and conllu as independent readers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import conllu
import pytest
from seqeval.metrics.sequence_labeling import get_entities
from seqeval.scheme import IOB2, Entities

from annotator.core.model import Article, Label
from annotator.formats.conll import (
    DOCSTART,
    DOCSTART_LINE,
    read_conll,
    sentences,
    tag_label,
    tokenize,
    write_conll,
)
from annotator.formats.export import ExportDoc, ExportReport, ExportSpan, iter_docs
from annotator.formats.importer import import_paths
from annotator.formats.records import ArticleRecord, RecordError
from annotator.store import Project
from tests.formats.test_brat import GOLDEN, UPDATE, build_corpus


@pytest.fixture
def corpus(project: Project, tmp_path: Path) -> Project:
    build_corpus(project, tmp_path)
    return project


def export_conll(project: Project, out: Path) -> ExportReport:
    return write_conll(iter_docs(project), out, labels=project.labels())


def read_file(path: Path) -> list[tuple[list[str], list[list[str]], list[list[str]]]]:
    """Our own plain reading: per article, its tokens and tags by sentence (for comparisons)."""
    articles: list[tuple[list[str], list[list[str]], list[list[str]]]] = []
    tokens: list[list[str]] = [[]]
    tags: list[list[str]] = [[]]
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith(DOCSTART):
            tokens, tags = [[]], [[]]
            articles.append(([], tokens, tags))
        elif not line:
            if tokens[-1]:
                tokens.append([])
                tags.append([])
        else:
            token, tag = line.split("\t")
            tokens[-1].append(token)
            tags[-1].append(tag)
    return [(a, [t for t in tk if t], [t for t in tg if t]) for a, tk, tg in articles]


def _doc(text: str, *spans: tuple[str, str] | tuple[str, str, int], **extra: Any) -> ExportDoc:
    article = Article(1, "t", text, "", "", "", "", "", "", "new", {})
    made = []
    for item in spans:
        covered, label = item[0], item[1]
        nth = item[2] if len(item) > 2 else 0  # type: ignore[misc]
        start = -1
        for _ in range(nth + 1):
            start = text.index(covered, start + 1)
        made.append(ExportSpan(start, start + len(covered), label, covered, "alice", **extra))
    made.sort(key=lambda s: (s.start, -s.end, s.label))
    return ExportDoc(article, tuple(made), ())


LABELS = [
    Label(i, name, "#000000", "", "", i)
    for i, name in enumerate(["Quote", "Source", "Claim", "Speculation"])
]


# ----------------------------------------------------------------------------- tokenization
def test_tokens_keep_emoji_flags_and_combining_marks_whole() -> None:
    text = "🇺🇸🇫🇷 👍🏽 cafe\u0301 don't Moscow-based a\u00a0b x\u200by 👨\u200d👩\u200d👧! “Hi,” 5.5"
    assert [t.text for t in tokenize(text)] == [
        "🇺🇸",
        "🇫🇷",
        "👍🏽",
        "cafe\u0301",
        "don't",
        "Moscow-based",
        "a",
        "b",
        "x",
        "y",
        "👨\u200d👩\u200d👧",
        "!",
        "“",
        "Hi",
        ",",
        "”",
        "5",
        ".",
        "5",
    ]
    for token in tokenize(text):
        assert text[token.start : token.end] == token.text


def test_arabic_words_keep_their_harakat() -> None:
    text = "قَالَ المتحدث: «نعم»."
    assert [t.text for t in tokenize(text)] == ["قَالَ", "المتحدث", ":", "«", "نعم", "»", "."]


def test_sentences_end_at_line_breaks_and_full_stops() -> None:
    text = "Mr. Putin spoke. J. K. Rowling wrote “Yes.” Then\nnothing. u.s. officials said so."
    tokens = tokenize(text)
    got = [" ".join(t.text for t in tokens[a:b]) for a, b in sentences(text, tokens)]
    assert got == [
        "Mr . Putin spoke .",
        "J . K . Rowling wrote “ Yes . ”",
        "Then",
        "nothing . u . s . officials said so .",
    ]
    # ... but never inside a span.
    protected = [(2, 6)]  # "Putin spoke . J"
    got = [" ".join(t.text for t in tokens[a:b]) for a, b in sentences(text, tokens, protected)]
    assert got[0] == "Mr . Putin spoke . J . K . Rowling wrote “ Yes . ”"


# ----------------------------------------------------------------------------------- export
def test_export_matches_golden_file(corpus: Project, tmp_path: Path) -> None:
    out = tmp_path / "corpus.conll"
    report = export_conll(corpus, out)
    golden = GOLDEN / "conll" / "corpus.conll"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(out.read_bytes())
    assert out.read_bytes() == golden.read_bytes()
    assert report.files == [out] and report.articles == 4


def test_seqeval_reads_back_exactly_the_exported_spans(corpus: Project, tmp_path: Path) -> None:
    out = tmp_path / "corpus.conll"
    export_conll(corpus, out)
    docs = list(iter_docs(corpus))
    articles = read_file(out)
    assert len(articles) == len(docs)
    total = 0
    for doc, (_, token_sentences, tag_sentences) in zip(docs, articles, strict=True):
        tokens = tokenize(doc.article.text)
        assert [t for s in token_sentences for t in s] == [t.text for t in tokens]
        # Strict IOB2: seqeval's scheme check raises on any invalid sequence.
        Entities(tag_sentences, IOB2)
        # seqeval's entities (flat token indices) are the spans the writer kept.
        offsets = []
        flat = 0
        for sentence in tag_sentences:
            offsets.extend(
                (label, flat + start, flat + end) for label, start, end in get_entities(sentence)
            )
            flat += len(sentence)
        got = {(label, tokens[a].start, tokens[b].end) for label, a, b in offsets}
        assert len(got) == len(offsets)

        def snapped(span: ExportSpan, tokens: Any = tokens) -> tuple[str, int, int] | None:
            touched = [t for t in tokens if t.start < span.end and span.start < t.end]
            if not touched:
                return None
            return (tag_label(span.label), touched[0].start, touched[-1].end)

        wanted = {snapped(s): s for s in doc.spans}
        # Each entity seqeval finds is an exported span, snapped to its tokens ...
        assert got <= set(wanted)
        # ... and each exported span not found was dropped for overlapping one that was.
        for key, span in wanted.items():
            if key is not None and key not in got:
                assert any(start < key[2] and key[1] < end for _, start, end in got), span
        total += len(got)
    assert total == 11


def test_conllu_parses_the_file_as_a_second_reader(corpus: Project, tmp_path: Path) -> None:
    out = tmp_path / "corpus.conll"
    export_conll(corpus, out)
    # The CoNLL-2003 document marker line is not CoNLL-U: conllu reads the sentences between.
    data = out.read_text(encoding="utf-8").replace(DOCSTART_LINE + "\n\n", "")
    parsed = conllu.parse(data, fields=("form", "tag"))
    ours = read_file(out)
    expected: list[list[tuple[str, str]]] = []
    for _, token_sentences, tag_sentences in ours:
        expected.extend(
            list(zip(t, g, strict=True))
            for t, g in zip(token_sentences, tag_sentences, strict=True)
        )
    assert [[(tok["form"], tok["tag"]) for tok in sentence] for sentence in parsed] == expected


def test_overlaps_are_resolved_longest_first_and_counted(tmp_path: Path) -> None:
    text = "Peskov said the call was positive and businesslike today."
    doc = _doc(
        text,
        ("the call was positive and businesslike", "Quote"),  # longest: kept
        ("positive and businesslike", "Claim"),  # nested: dropped
        ("was positive", "Speculation"),  # nested: dropped
        ("businesslike today", "Claim"),  # crosses the kept one: dropped
        ("Peskov said", "Source"),  # kept
        ("Peskov said", "Claim"),  # same tokens, later label: dropped (tie on label order)
        ("Peskov", "Source"),  # nested in the kept source: dropped
    )
    report = write_conll(
        [doc, _doc(text, ("Peskov said", "Source"), ("Peskov said", "Source"))],
        tmp_path / "o.conll",
        labels=LABELS,
    )
    losses = {loss.what.split(":")[0].split(" (")[0]: loss.count for loss in report.losses}
    assert losses["overlapping span(s) dropped"] == 5
    assert (
        losses["span(s) dropped as duplicates of a kept span with the same tokens and label"] == 1
    )
    assert report.spans == 3
    (_, tokens, tags), _ = read_file(tmp_path / "o.conll")
    assert list(zip(tokens[0], tags[0], strict=True)) == [
        ("Peskov", "B-Source"),
        ("said", "I-Source"),
        ("the", "B-Quote"),
        ("call", "I-Quote"),
        ("was", "I-Quote"),
        ("positive", "I-Quote"),
        ("and", "I-Quote"),
        ("businesslike", "I-Quote"),
        ("today", "O"),
        (".", "O"),
    ]


def test_ties_keep_the_earlier_start_then_the_label_order(tmp_path: Path) -> None:
    text = "aaa bbb ccc"
    doc = _doc(
        text, ("bbb ccc", "Claim"), ("aaa bbb", "Speculation"), ("ccc", "Source"), ("ccc", "Quote")
    )
    report = write_conll([doc], tmp_path / "t.conll", labels=LABELS)
    ((_, _, tags),) = read_file(tmp_path / "t.conll")
    assert tags == [["B-Speculation", "I-Speculation", "B-Quote"]]
    assert report.spans == 2


def test_snapping_to_tokens_is_counted(tmp_path: Path) -> None:
    text = "The Moscow-based agency said  hello there."
    article = Article(1, "t", text, "", "", "", "", "", "", "new", {})
    spans = (
        ExportSpan(4, 10, "Source", "Moscow", "a"),  # ends inside "Moscow-based": widened
        ExportSpan(28, 35, "Claim", "  hello", "a"),  # starts on white space: trimmed
        ExportSpan(28, 29, "Quote", " ", "a"),  # white space only: dropped
    )
    report = write_conll([ExportDoc(article, spans, ())], tmp_path / "s.conll", labels=LABELS)
    counts = {loss.what: loss.count for loss in report.losses}
    assert counts["span(s) whose boundaries fell inside a token were widened to whole tokens"] == 1
    assert counts["span(s) that began or ended on white space were trimmed to their tokens"] == 1
    assert counts["span(s) covering no token (only white space) were dropped"] == 1
    ((_, tokens, tags),) = read_file(tmp_path / "s.conll")
    assert list(zip(tokens[0], tags[0], strict=True))[1:6] == [
        ("Moscow-based", "B-Source"),
        ("agency", "O"),
        ("said", "O"),
        ("hello", "B-Claim"),
        ("there", "O"),
    ]


def test_export_reports_what_conll_cannot_carry(corpus: Project, tmp_path: Path) -> None:
    report = export_conll(corpus, tmp_path / "c.conll")
    counts = {loss.what.split(" (")[0]: loss.count for loss in report.losses}
    assert counts["relation(s) not carried"] == 5
    assert counts["span note(s) not carried"] == 1
    assert counts["span attribute(s) not carried"] == 3
    assert counts["span annotator name(s) not kept"] == 16
    assert counts["article(s) lost their title and metadata"] == 4
    assert counts["article(s) whose white space cannot be restored"] == 4
    assert not any("Direct" in loss.what for loss in report.losses)  # tagged Direct%20quote
    assert counts["span(s) covering no token"] == 1  # the span of nothing but a line break


# ------------------------------------------------------------------------------- round trip
def test_round_trip_keeps_tokens_and_labels(corpus: Project, tmp_path: Path) -> None:
    first = tmp_path / "first.conll"
    export_conll(corpus, first)
    with Project.open(tmp_path / "copy.annot") as copy:
        summary = import_paths(copy, [first], annotator="tester", format="conll")
        assert not summary.rejections, summary.describe()
        assert summary.articles_added == 4
        again = tmp_path / "again.conll"
        write_conll(iter_docs(copy), again, labels=copy.labels())
    # Same tokens, sentences and tags: the second export is the first one, byte for byte.
    assert again.read_bytes() == first.read_bytes()


def test_reader_rebuilds_text_and_spans() -> None:
    from annotator.formats.conll import parse_conll

    data = (
        f"{DOCSTART}\tO\n\nPeskov\tB-Source\nsaid\tO\n:\tO\n\n“\tB-Quote\nYes\tI-Quote\n”\tI-Quote\n"
        "\n"
    ).encode()
    (record,) = list(parse_conll(data))
    assert isinstance(record, ArticleRecord)
    assert record.draft.text == "Peskov said :\n“ Yes ”"
    text = record.draft.text
    assert [(text[s.start : s.end], s.label) for s in record.spans] == [
        ("Peskov", "Source"),
        ("“ Yes ”", "Quote"),
    ]
    assert record.line == 1


def test_conll2003_four_column_iob1_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "eng.conll"
    path.write_text(
        "-DOCSTART- -X- -X- O\n\nEU NNP B-NP I-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP I-MISC\n"
        "call NN I-NP O\n. . O O\n",
        encoding="utf-8",
    )
    notes: list[tuple[int | None, str]] = []
    (record,) = list(read_conll(path, on_note=lambda p, n, m: notes.append((n, m))))
    assert isinstance(record, ArticleRecord)
    text = record.draft.text
    assert [(text[s.start : s.end], s.label) for s in record.spans] == [
        ("EU", "ORG"),
        ("German", "MISC"),
    ]
    assert notes == [
        (
            None,
            "read as IOB1 (as the original CoNLL-2003 files are tagged): 2 I- tag(s) began a span",
        )
    ]
    assert record.draft.meta == {
        "conll": {
            "scheme": "IOB1",
            "columns": ["NNP B-NP", "VBZ B-VP", "JJ B-NP", "NN I-NP", ". O"],
        }
    }


def test_malformed_articles_are_rejected_with_file_and_line(
    project: Project, tmp_path: Path
) -> None:
    path = tmp_path / "bad.conll"
    path.write_text(
        f"{DOCSTART}\tO\n\nGood\tB-Claim\narticle\tI-Claim\n\n"
        f"{DOCSTART}\tO\n\nBad\tX-Claim\nline\n\n"  # lines 8 and 9
        f"{DOCSTART}\tO\n\nAlso\tO\ngood\tB-Source\n",
        encoding="utf-8",
    )
    summary = import_paths(project, [path], annotator="tester", format="conll")
    assert [(r.path, r.line) for r in summary.rejections] == [(path, 8), (path, 9)]
    assert "'X-Claim' is not O or B-/I-/E-/S-LABEL" in summary.rejections[0].message
    assert "expected TOKEN<TAB>TAG" in summary.rejections[1].message
    assert "article starting at line 6" in summary.rejections[0].message
    assert summary.articles_added == 2 and summary.spans_added == 2
    texts = sorted(project.article_text(i) for i in summary.article_ids)
    assert texts == ["Also good", "Good article"]


def test_empty_and_undecodable_files_are_rejected(tmp_path: Path) -> None:
    empty = tmp_path / "e.conll"
    empty.write_bytes(b"")
    assert [type(r) for r in read_conll(empty)] == [RecordError]


def test_shared_export_corpus_gives_valid_iob2(project: Project, tmp_path: Path) -> None:
    from tests.formats.export_corpus import build_corpus as build_shared_corpus

    build_shared_corpus(project, tmp_path)
    out = tmp_path / "shared.conll"
    report = export_conll(project, out)
    articles = read_file(out)
    assert len(articles) == report.articles == len(project.article_ids())
    entities = 0
    for _, _, tag_sentences in articles:
        Entities(tag_sentences, IOB2)  # raises on an invalid IOB2 sequence
        entities += sum(len(get_entities(sentence)) for sentence in tag_sentences)
    assert entities == report.spans
