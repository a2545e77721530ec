"""brat export and import: golden files, offsets on hard text, round trips, malformed input."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from annotator.core.model import ArticleDraft
from annotator.formats.brat import brat_name, document_name, line_fragments, read_brat, write_brat
from annotator.formats.export import ExportDoc, ExportReport, ExportSpan, export_project, iter_docs
from annotator.formats.importer import import_paths
from annotator.formats.records import ArticleRecord, RecordError
from annotator.store import Project

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"  # regenerate: UPDATE_GOLDEN=1 pytest ...

# --------------------------------------------------------------------------------- the corpus
NEWS = (
    "Putin and Trump spoke by phone\n"
    "“Getting along with Russia is a great\u00a0thing,” Trump said on Saturday.\n"
    "Fans waved 🇺🇸 flags 👍🏽 outside the café (cafe\u0301).\n"
    "Peskov said the call was “positive and\nbusinesslike”. Expect many tweets to follow."
)
ARABIC = "قال المتحدث باسم الكرملين إن الاتصال كان إيجابيا.\nوأضاف أن الرئيسين اتفقا."
CRLF = "Kremlin call\r\n“We will see,” Peskov said.\r\nHe added:\r\n“Nothing is decided.”"


def _at(text: str, covered: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(covered, start + 1)
    return start, start + len(covered)


def build_corpus(project: Project, tmp: Path) -> dict[str, int]:
    """A small project with every case brat and CoNLL must handle; returns article ids."""
    project.ensure_label("Direct quote")  # a label name with a space
    labels = {label.name: label.id for label in project.labels()}
    ids: dict[str, int] = {}

    # CRLF text, imported through the JSONL reader with offsets into the CRLF original.
    def crlf_span(covered: str, label: str) -> dict[str, Any]:
        start, end = _at(CRLF, covered)
        return {"start": start, "end": end, "label": label, "annotator": "alice"}

    spans = [
        crlf_span("“We will see,”", "Quote"),
        crlf_span("Peskov", "Source"),
        crlf_span("He added:\r\n“Nothing is decided.”", "Speculation"),
    ]
    path = tmp / "crlf.jsonl"
    record = {
        "text": CRLF,
        "title": "Kremlin call",
        "spans": spans,
        "relations": [{"head": 0, "child": 1, "label": "attributed_to"}],
    }
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8", newline="")
    summary = import_paths(project, [path], annotator="alice")
    assert not summary.rejections, summary.describe()
    ids["crlf"] = summary.article_ids[0]

    aid, _ = project.add_article(ArticleDraft(text=NEWS, title="Putin & Trump: the call"))
    ids["news"] = aid

    def add(covered: str, label: str, who: str = "alice", nth: int = 0, **extra: Any) -> int:
        start, end = _at(NEWS, covered, nth)
        return project.add_span(aid, start, end, labels[label], who, **extra).id

    quote = add(
        "“Getting along with Russia is a great\u00a0thing,”",
        "Quote",
        note="said twice\nonce on TV",
        attributes={"confidence": "very high"},
    )
    add("Getting along with Russia", "Claim", "bob")  # nested in the quote
    trump = add("Trump", "Source", nth=1, attributes={"checked": "true"})
    add("🇺🇸 flags 👍🏽", "Claim", attributes={"tone": "ironic"})
    add("👍🏽", "Speculation", "bob")  # nested, emoji with skin tone
    add("café (cafe\u0301)", "Claim", "bob")  # combining mark
    add("outside the café", "Direct quote", "bob")  # overlaps the one before
    across = add("“positive and\nbusinesslike”", "Quote")  # crosses a line break
    peskov = add("Peskov", "Source")
    add("Expect many tweets to follow.", "Speculation")
    add("\n", "Claim", "bob", nth=2)  # nothing but a line break: brat cannot show it
    project.add_relation(quote, trump, "attributed_to", "alice")
    project.add_relation(across, peskov, "attributed_to", "alice")
    project.add_relation(across, peskov, "reported by", "bob")  # a type with a space

    aid, _ = project.add_article(ArticleDraft(text=ARABIC, title="الكرملين"))
    ids["arabic"] = aid
    start, end = _at(ARABIC, "قال المتحدث باسم الكرملين إن الاتصال كان إيجابيا.")
    q = project.add_span(aid, start, end, labels["Quote"], "alice").id
    start, end = _at(ARABIC, "المتحدث باسم الكرملين")
    s = project.add_span(aid, start, end, labels["Source"], "alice").id
    project.add_relation(q, s, "attributed_to", "alice")

    # Same title as the news article: its file name must differ.
    aid, _ = project.add_article(
        ArticleDraft(text="No spans here.", title="Putin & Trump: the call")
    )
    ids["plain"] = aid
    return ids


@pytest.fixture
def corpus(project: Project, tmp_path: Path) -> Project:
    build_corpus(project, tmp_path)
    return project


def export_brat(project: Project, out: Path) -> ExportReport:
    return write_brat(iter_docs(project), out, labels=project.labels())


def compare_with_golden(produced: Path, golden: Path) -> None:
    """Every file of ``produced`` equals its golden copy byte for byte (and no file is missing)."""
    files = sorted(p.relative_to(produced) for p in produced.rglob("*") if p.is_file())
    if UPDATE:
        golden.mkdir(parents=True, exist_ok=True)
        for old in golden.iterdir():
            old.unlink()
        for rel in files:
            (golden / rel).write_bytes((produced / rel).read_bytes())
    expected = sorted(p.relative_to(golden) for p in golden.rglob("*") if p.is_file())
    assert files == expected
    for rel in files:
        assert (produced / rel).read_bytes() == (golden / rel).read_bytes(), rel


def parse_t_lines(ann: Path) -> Iterator[tuple[str, str, list[tuple[int, int]], str]]:
    for line in ann.read_text(encoding="utf-8").split("\n"):
        if line.startswith("T"):
            t_id, data, covered = line.split("\t")
            label, offsets = data.split(" ", 1)
            fragments = [
                (int(a), int(b)) for a, b in (piece.split() for piece in offsets.split(";"))
            ]
            yield t_id, label, fragments, covered


def parse_conf(path: Path) -> dict[str, list[str]]:
    """brat's .conf layout: [section] headers, one entry per line, # comments."""
    sections: dict[str, list[str]] = {}
    current = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = re.fullmatch(r"\[(\w+)\]", line)
        if match:
            current = match.group(1)
            sections[current] = []
        else:
            assert current is not None, f"entry outside a section: {line!r}"
            sections[current].append(raw)
    return sections


# ------------------------------------------------------------------------------------- export
def test_export_matches_golden_files(corpus: Project, tmp_path: Path) -> None:
    out = tmp_path / "brat"
    report = export_brat(corpus, out)
    compare_with_golden(out, GOLDEN / "brat")
    assert report.articles == 4
    assert set(report.files) == set(out.iterdir())


def test_every_span_is_written_with_the_exact_text(corpus: Project, tmp_path: Path) -> None:
    out = tmp_path / "brat"
    export_brat(corpus, out)
    checked = 0
    for ann in out.glob("*.ann"):
        text = ann.with_suffix(".txt").read_bytes().decode("utf-8")
        assert "\r" not in text
        for _, _, fragments, covered in parse_t_lines(ann):
            assert covered == " ".join(text[s:e] for s, e in fragments)
            for s, e in fragments:
                assert "\n" not in text[s:e]
            checked += 1
    assert checked == 15  # every span but the one of nothing but a line break
    # And each exported span's own text is the stored slice (emoji, NBSP, combining marks).
    for doc in iter_docs(corpus):
        for span in doc.spans:
            assert doc.article.text[span.start : span.end] == span.text


def test_txt_holds_the_stored_text_exactly(corpus: Project, tmp_path: Path) -> None:
    out = tmp_path / "brat"
    export_brat(corpus, out)
    texts = {corpus.article(i).text for i in corpus.article_ids()}
    assert {p.read_bytes().decode("utf-8") for p in out.glob("*.txt")} == texts


def test_a_span_across_a_line_break_becomes_fragments(corpus: Project, tmp_path: Path) -> None:
    out = tmp_path / "brat"
    export_brat(corpus, out)
    ann = out / "Putin-Trump-the-call.ann"
    start, end = _at(NEWS, "“positive and\nbusinesslike”")
    lines = [t for t in parse_t_lines(ann) if t[2][0][0] == start]
    assert lines == [
        ("T9", "Quote", [(start, start + 13), (start + 14, end)], "“positive and businesslike”")
    ]
    assert line_fragments("ab\n\ncd\n", 0, 7) == [(0, 2), (4, 6)]


def test_file_names_come_from_titles(corpus: Project, tmp_path: Path) -> None:
    out = tmp_path / "brat"
    export_brat(corpus, out)
    plain_id = max(corpus.article_ids())
    assert sorted(p.name for p in out.glob("*.txt")) == sorted(
        [
            "Kremlin-call.txt",
            "Putin-Trump-the-call.txt",
            "الكرملين.txt",
            f"Putin-Trump-the-call-{plain_id}.txt",
        ]
    )
    assert document_name("  ..//  ", 7) == "article-7"
    assert document_name("CON", 3) == "CON"  # made unique by the writer, see below
    assert brat_name("Direct quote") == "Direct_quote"
    assert brat_name("Who/What: x") == "Who_What__x"


def test_reserved_and_case_clashing_names_get_the_article_id(
    project: Project, tmp_path: Path
) -> None:
    for title in ("CON", "Report", "report"):
        project.add_article(ArticleDraft(text=f"{title} text", title=title))
    out = tmp_path / "brat"
    export_brat(project, out)
    ids = project.article_ids()
    names = sorted(p.stem for p in out.glob("*.txt"))
    assert names == sorted([f"CON-{ids[0]}", "Report", f"report-{ids[2]}"])


def test_annotation_conf_declares_every_label(corpus: Project, tmp_path: Path) -> None:
    out = tmp_path / "brat"
    export_brat(corpus, out)
    conf = parse_conf(out / "annotation.conf")
    assert set(conf) == {"entities", "relations", "events", "attributes"}
    entities = [line.strip() for line in conf["entities"]]
    assert entities == [brat_name(label.name) for label in corpus.labels()]
    assert "Direct_quote" in entities
    relations = {line.split("\t")[0]: line.split("\t")[1] for line in conf["relations"]}
    assert relations["attributed_to"] == "Arg1:Quote, Arg2:Source"
    assert relations["reported_by"] == "Arg1:Quote, Arg2:Source"
    assert "<OVERLAP>" in relations
    attributes = {line.split("\t")[0]: line.split("\t")[1] for line in conf["attributes"]}
    assert attributes == {
        "confidence": "Arg:<ENTITY>, Value:very_high",
        "checked": "Arg:<ENTITY>",
        "tone": "Arg:<ENTITY>, Value:ironic",
    }
    visual = parse_conf(out / "visual.conf")
    assert set(visual) == {"labels", "drawing"}
    assert [line.strip() for line in visual["labels"]] == [
        "Direct_quote | Direct quote",
        "reported_by | reported by",
    ]
    colours = dict(line.split("\t") for line in visual["drawing"])
    for label in corpus.labels():
        assert colours[brat_name(label.name)] == f"bgColor:{label.color}"


def test_export_reports_what_brat_cannot_carry(corpus: Project, tmp_path: Path) -> None:
    report = export_brat(corpus, tmp_path / "brat")
    losses = {loss.what: loss.count for loss in report.losses}
    assert report.spans == 15 and report.relations == 5
    assert losses["span(s) covering only line breaks were not written"] == 1
    assert losses["note(s) had line breaks replaced by spaces (a brat note is one line)"] == 1
    assert (
        losses[
            "attribute value(s) changed: brat values are single words (white space, '|' and ',' "
            "became '_'; an empty value became a flag)"
        ]
        == 1
    )
    assert losses["span annotator name(s) not kept (brat has no annotators)"] == 15
    renamed = [what for what in losses if what.startswith("span(s) labelled 'Direct quote'")]
    assert len(renamed) == 1 and losses[renamed[0]] == 1
    assert any(what.startswith("relation(s) of type 'reported by'") for what in losses)
    assert "lost:" in report.describe()


def test_an_interrupted_export_leaves_nothing(corpus: Project, tmp_path: Path) -> None:
    def docs() -> Iterator[ExportDoc]:
        yield from iter_docs(corpus)
        raise RuntimeError("disk full")

    out = tmp_path / "brat"
    with pytest.raises(RuntimeError):
        write_brat(docs(), out, labels=corpus.labels())
    assert not out.exists() or not any(out.iterdir())
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".brat")] == []


# --------------------------------------------------------------------------------- round trip
def _snapshot(project: Project) -> list[tuple[str, list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    labels = {label.id: label.name for label in project.labels()}
    result = []
    for article_id in project.article_ids():
        spans = project.spans(article_id)
        key = {
            s.id: (
                s.start,
                s.end,
                labels[s.label_id],
                s.text,
                s.note,
                tuple(sorted(s.attributes.items())),
            )
            for s in spans
        }
        relations = sorted(
            (key[r.head_id], key[r.child_id], r.type) for r in project.relations(article_id)
        )
        result.append((project.article_text(article_id), sorted(set(key.values())), relations))
    return sorted(result)


def test_round_trip_through_a_new_project(corpus: Project, tmp_path: Path) -> None:
    out = tmp_path / "brat"
    export_brat(corpus, out)
    with Project.open(tmp_path / "copy.annot") as copy:
        summary = import_paths(copy, [out], annotator="tester", format="brat")
        assert not summary.rejections, summary.describe()
        assert summary.articles_added == 4
        got = _snapshot(copy)
    expected = _snapshot(corpus)
    # What the export report said brat changes: the note's line break, the attribute value's
    # space, the span of nothing but a line break.
    fixed = []
    for text, spans, relations in expected:
        spans = [
            (
                s,
                e,
                label,
                covered,
                note.replace("\n", " "),
                tuple((k, v.replace(" ", "_")) for k, v in attrs),
            )
            for s, e, label, covered, note, attrs in spans
            if covered.strip("\n")
        ]
        relations = [
            (
                h[:4] + (h[4].replace("\n", " "), tuple((k, v.replace(" ", "_")) for k, v in h[5])),
                c,
                t,
            )
            for h, c, t in relations
        ]
        fixed.append((text, sorted(spans), sorted(relations)))
    assert sorted(fixed) == got


def test_reader_yields_records_for_a_single_pair(corpus: Project, tmp_path: Path) -> None:
    out = tmp_path / "brat"
    export_brat(corpus, out)
    for given in (out / "Kremlin-call.ann", out / "Kremlin-call.txt"):
        records = list(read_brat(given))
        assert len(records) == 1 and isinstance(records[0], ArticleRecord)
        record = records[0]
        text = record.draft.text
        assert [text[s.start : s.end] for s in record.spans] == [
            "“We will see,”",
            "Peskov",
            "He added:\n“Nothing is decided.”",
        ]
        assert [(r.head, r.child, r.type) for r in record.relations] == [(0, 1, "attributed_to")]


# ------------------------------------------------------------------------ the tutorial corpus
@pytest.mark.corpus
def test_brat_tutorial_corpus_imports_with_offsets_intact(corpora: Path, project: Project) -> None:
    folder = corpora / "brat-tutorial-news"
    kinds: dict[str, int] = {}
    discontinuous = 0
    covered_checked = 0
    for ann in sorted(folder.glob("*.ann")):
        text = ann.with_suffix(".txt").read_text(encoding="utf-8")
        for line in ann.read_text(encoding="utf-8").splitlines():
            kind = line[0]
            kinds[kind] = kinds.get(kind, 0) + 1
        for _, _, fragments, covered in parse_t_lines(ann):
            assert covered == " ".join(text[s:e] for s, e in fragments)
            discontinuous += len(fragments) > 1
            covered_checked += 1
    # The corpus README's counts. It also mentions discontinuous spans, but this copy of the
    # tutorial has none (no T line lists two fragments); synthetic ones are tested below.
    assert kinds == {"T": 119, "E": 23, "R": 8, "A": 11, "#": 4, "*": 2, "N": 1}
    assert covered_checked == 119 and discontinuous == 0

    notes: list[tuple[str, int | None, str]] = []
    records = list(read_brat(folder, on_note=lambda p, n, m: notes.append((p.name, n, m))))
    assert not [r for r in records if isinstance(r, RecordError)]
    articles = [r for r in records if isinstance(r, ArticleRecord)]
    assert len(articles) == 13
    assert sum(len(a.spans) for a in articles) == 119
    # 8 R lines; 23 events whose arguments become relations from the trigger (60 in all); the
    # two * lines (Alias T3 T4 T5, Alias T2 T4) add 3 relations from their first span.
    assert sum(len(a.relations) for a in articles) == 63
    assert (
        "000-introduction.ann",
        None,
        "1 normalization(s) (N lines) imported as the span attribute 'normalization' "
        "('RESOURCE:ID name'; exported to brat again as N lines)",
    ) in notes
    assert [m for _, _, m in notes if "equivalence(s)" in m] == [
        "2 equivalence(s) (* lines) imported as relations from the first span of each line to "
        "the others, typed as the line",
        "1 equivalence(s) (* lines) imported as relations from the first span of each line to "
        "the others, typed as the line",
    ]
    assert not [m for _, _, m in notes if "ignored" in m]
    assert (
        "110-note_annotation.ann",
        None,
        "1 attribute(s)/note(s) on relations not imported (relations here hold neither)",
    ) in notes
    assert ("SOURCE.txt", None, "has no .ann beside it: not read as a brat document") in notes

    summary = import_paths(project, [folder], annotator="tester", format="brat")
    assert not summary.rejections, summary.describe()
    assert summary.articles_added == 13 and summary.spans_added == 119
    labels = {label.id: label.name for label in project.labels()}
    for article_id in summary.article_ids:
        text = project.article_text(article_id)
        for span in project.spans(article_id):
            assert text[span.start : span.end] == span.text
    by_text = {
        project.article_text(i): {
            (s.start, s.end, labels[s.label_id], s.note, tuple(sorted(s.attributes.items())))
            for s in project.spans(i)
        }
        for i in summary.article_ids
    }
    intro = (folder / "000-introduction.txt").read_text(encoding="utf-8")
    spans = by_text[intro]
    assert (473, 496, "Person", "", (("Individual", "true"), ("Mention", "Name"))) in spans
    assert (456, 468, "Money", "100000000 USD", ()) in spans
    assert (443, 449, "Transfer-money", "", (("Confidence", "High"),)) in spans  # on E1


# ------------------------------------------------------------------------- reading brat data
def _pair(folder: Path, name: str, text: str, ann: str, *, newline: str = "\n") -> Path:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.txt").write_bytes(text.replace("\n", newline).encode("utf-8"))
    (folder / f"{name}.ann").write_bytes(ann.encode("utf-8"))
    return folder / f"{name}.ann"


def _read(path: Path) -> tuple[list[ArticleRecord], list[RecordError], list[tuple[Any, ...]]]:
    notes: list[tuple[Any, ...]] = []
    items = list(read_brat(path, on_note=lambda p, n, m: notes.append((p.name, n, m))))
    return (
        [i for i in items if isinstance(i, ArticleRecord)],
        [i for i in items if isinstance(i, RecordError)],
        notes,
    )


TEXT = "Peskov said the call\nwas good. North (and South) America agreed."


def test_fragments_cut_at_line_breaks_read_back_as_one_span(tmp_path: Path) -> None:
    ann = _pair(tmp_path, "doc", TEXT, "T1\tQuote 16 20;21 29\tcall was good\n")
    (record,), errors, notes = _read(ann)
    assert not errors and not notes
    (span,) = record.spans
    assert (span.start, span.end, TEXT[span.start : span.end]) == (16, 29, "call\nwas good")


def test_discontinuous_span_imports_as_linked_fragments_and_exports_back(tmp_path: Path) -> None:
    # brat's own documentation example: "North America" in "North and South America" is
    # T1<TAB>Location 0 5;16 23<TAB>North America; here with notes, attributes, a relation and a
    # normalization on it, as brat writes them.
    text = "North and South America signed. Peskov said so."
    ann = _pair(
        tmp_path / "in",
        "doc",
        text,
        "T1\tLocation 0 5;16 23\tNorth America\n"
        "T2\tPerson 32 38\tPeskov\n"
        "R1\tSaid Arg1:T2 Arg2:T1\n"
        "A1\tNegated T1\n"
        "#1\tAnnotatorNotes T1\ttwo pieces\n"
        "N1\tReference T1 Wikipedia:18110\tNorth America\n",
    )
    (record,), errors, notes = _read(ann)
    assert not errors
    pieces = [(text[s.start : s.end], s.label) for s in record.spans]
    assert pieces == [("North", "Location"), ("America", "Location"), ("Peskov", "Person")]
    first = record.spans[0]
    assert first.note == "two pieces"
    assert first.attributes == {"Negated": "true", "normalization": "Wikipedia:18110 North America"}
    links = {(r.head, r.child, r.type) for r in record.relations}
    assert links == {(0, 1, "continues"), (2, 0, "Said")}
    assert any("1 discontinuous span(s)" in m and "'continues'" in m for _, _, m in notes)

    # Through a project and out to brat again: one T line with both fragments, the N line back.
    project_path = tmp_path / "p.annot"
    with Project.open(project_path) as project:
        summary = import_paths(project, [tmp_path / "in"], annotator="a", format="brat")
        assert summary.rejected == 0 and summary.spans_added == 3
        report = export_project(project, "brat", tmp_path / "out")
    assert report.spans == 3
    written = next((tmp_path / "out").glob("*.ann")).read_text(encoding="utf-8").splitlines()
    assert "T1\tLocation 0 5;16 23\tNorth America" in written
    assert "N1\tReference T1 Wikipedia:18110\tNorth America" in written
    assert "A1\tNegated T1" in written and "#1\tAnnotatorNotes T1\ttwo pieces" in written
    assert [line for line in written if line.startswith("R")] == ["R1\tSaid Arg1:T2 Arg2:T1"]
    assert not any("continues" in line for line in written)
    # brat's annotation.conf declares no 'continues' relation: it is not one in brat.
    conf = (tmp_path / "out" / "annotation.conf").read_text(encoding="utf-8")
    assert "continues" not in conf


def test_equivalences_import_as_relations(tmp_path: Path) -> None:
    text = "Joanne Rowling, Jo Rowling and J. K. Rowling."
    ann = _pair(
        tmp_path,
        "doc",
        text,
        "T1\tPerson 0 14\tJoanne Rowling\nT2\tPerson 16 26\tJo Rowling\n"
        "T3\tPerson 31 44\tJ. K. Rowling\n*\tAlias T1 T2 T3\n",
    )
    (record,), errors, notes = _read(ann)
    assert not errors
    assert {(r.head, r.child, r.type) for r in record.relations} == {
        (0, 1, "Alias"),
        (0, 2, "Alias"),
    }
    bad = _pair(tmp_path / "bad", "doc", text, "T1\tPerson 0 14\tJoanne Rowling\n*\tAlias T1 T9\n")
    _, errors, _ = _read(bad)
    assert [(e.line, "T9" in e.message) for e in errors] == [(2, True)]


def test_raw_line_break_inside_a_text_field_is_read_as_brat_wrote_it(tmp_path: Path) -> None:
    # An old tool wrote the span's text with its line break in it.
    ann = _pair(tmp_path, "doc", TEXT, "T1\tQuote 16 29\tcall\nwas good\nT2\tSource 0 6\tPeskov\n")
    (record,), errors, _ = _read(ann)
    assert not errors
    assert [(s.start, s.end) for s in record.spans] == [(16, 29), (0, 6)]


def test_universal_newline_offsets_of_a_crlf_text(tmp_path: Path) -> None:
    # brat read the .txt with universal newlines: CRLF counted as one character.
    ann = _pair(tmp_path, "doc", TEXT, "T1\tQuote 21 29\twas good\n", newline="\r\n")
    (record,), errors, _ = _read(ann)
    assert not errors
    assert record.draft.text == TEXT
    assert [TEXT[s.start : s.end] for s in record.spans] == ["was good"]


def test_crlf_text_with_offsets_counting_the_cr(tmp_path: Path) -> None:
    ann = _pair(tmp_path, "doc", TEXT, "T1\tQuote 22 30\twas good\n", newline="\r\n")
    (record,), errors, _ = _read(ann)
    assert not errors
    assert [TEXT[s.start : s.end] for s in record.spans] == ["was good"]


BAD_ANN = (
    "T1\tSource 0 6\tPeskov\n"  # fine
    "X1\tSomething T1\n"  # 2: unknown kind
    "T2\tQuote 16 999\tcall\n"  # 3: outside the text
    "T3\tQuote 16 20\tcalm\n"  # 4: text mismatch
    "T4\tQuote a b\tcall\n"  # 5: not numbers
    "R1\tattributed_to Arg1:T3 Arg2:T1\n"  # 6: refers to a rejected span
    "R2\tattributed_to Arg1:T9 Arg2:T1\n"  # 7: T9 not defined
    "just some words\n"  # 8: no ID
    "T5\tQuote 16 20\tcall\n"  # fine
    "R3\tattributed_to Arg1:T5 Arg2:T1\n"  # fine
    "A1\tNegation T5\n"  # fine: a flag
    "A2\tConfidence T1 High\n"  # fine
    "#1\tAnnotatorNotes T5\tcheck this\n"  # fine
    "T5\tClaim 0 6\tPeskov\n"  # 14: duplicate id
    "N1\tReference T1 Wikipedia:1\tPeskov\n"  # fine: an attribute of T1
    "*\tAlias T1 T5\n"  # fine: a relation
)


def test_malformed_lines_are_rejected_with_file_and_line(tmp_path: Path) -> None:
    ann = _pair(tmp_path, "doc", TEXT, BAD_ANN)
    (record,), errors, notes = _read(ann)
    assert [(e.path, e.line) for e in errors] == [(ann, n) for n in (2, 3, 4, 5, 6, 7, 8, 14)]
    messages = {e.line: e.message for e in errors}
    assert "unknown annotation kind 'X'" in messages[2]
    assert "not a non-empty range inside the text" in messages[3]
    assert "does not match" in messages[4] and "'call'" in messages[4]
    assert "bad offsets" in messages[5]
    assert messages[6] == "R1: refers to T3, which was rejected"
    assert messages[7] == "R2: refers to T9, which is not defined"
    assert "not a brat annotation line" in messages[8]
    assert "defined twice" in messages[14]
    # The good lines are imported.
    assert [(s.start, s.end, s.label, s.note, s.attributes) for s in record.spans] == [
        (0, 6, "Source", "", {"Confidence": "High", "normalization": "Wikipedia:1 Peskov"}),
        (16, 20, "Quote", "check this", {"Negation": "true"}),
    ]
    assert [(r.head, r.child, r.type) for r in record.relations] == [
        (1, 0, "attributed_to"),
        (0, 1, "Alias"),
    ]
    assert len(notes) == 2 and not [m for _, _, m in notes if "ignored" in m]


def test_malformed_files_through_the_importer(project: Project, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _pair(folder, "good", "Peskov spoke.", "T1\tSource 0 6\tPeskov\n")
    _pair(folder, "bad", TEXT, BAD_ANN)
    (folder / "orphan.ann").write_text("T1\tSource 0 6\tPeskov\n", encoding="utf-8")
    (folder / "latin1.txt").write_bytes("café".encode("latin-1"))
    (folder / "latin1.ann").write_text("", encoding="utf-8")
    summary = import_paths(project, [folder], annotator="tester", format="brat")
    where = sorted((r.path.name, r.line) for r in summary.rejections)
    assert where == sorted(
        [("bad.ann", n) for n in (2, 3, 4, 5, 6, 7, 8, 14)]
        + [("orphan.ann", None), ("latin1.txt", None)]
    )
    assert summary.articles_added == 2  # good and bad (its good lines)
    assert summary.spans_added == 3


def test_visual_conf_names_are_read_back_only_for_renamed_types(tmp_path: Path) -> None:
    ann = _pair(
        tmp_path, "doc", "Peskov said it.", "T1\tDirect_quote 0 6\tPeskov\nT2\tGPE 7 11\tsaid\n"
    )
    (tmp_path / "visual.conf").write_text(
        "[labels]\nDirect_quote | Direct quote\nGPE | Geo-political entity | GPE\n",
        encoding="utf-8",
    )
    (record,), errors, _ = _read(ann)
    assert not errors
    assert [s.label for s in record.spans] == ["Direct quote", "GPE"]


def test_export_of_docs_built_by_hand(tmp_path: Path) -> None:
    """The writer needs nothing but ExportDocs: a doc of one emoji span."""
    from annotator.core.model import Article

    text = "👍🏽 ok"
    article = Article(1, "", text, "", "", "", "", "", "", "new", {})
    doc = ExportDoc(article, (ExportSpan(0, 2, "Claim", "👍🏽", ""),), ())
    report = write_brat([doc], tmp_path / "out", labels=[])
    assert (tmp_path / "out" / "article-1.ann").read_text(encoding="utf-8") == (
        "T1\tClaim 0 2\t👍🏽\n"
    )
    assert report.spans == 1


def test_shared_export_corpus_keeps_offsets(project: Project, tmp_path: Path) -> None:
    """The corpus every export is tested on: each T line covers exactly the .txt slice, and the
    folder imports back with the same span offsets."""
    from tests.formats.export_corpus import build_corpus as build_shared_corpus

    build_shared_corpus(project, tmp_path)
    out = tmp_path / "brat"
    report = export_brat(project, out)
    assert report.spans == sum(len(project.spans(i)) for i in project.article_ids())
    for ann in out.glob("*.ann"):
        text = ann.with_suffix(".txt").read_bytes().decode("utf-8")
        for _, _, fragments, covered in parse_t_lines(ann):
            assert covered == " ".join(text[s:e] for s, e in fragments)
    with Project.open(tmp_path / "copy.annot") as copy:
        summary = import_paths(copy, [out], annotator="tester", format="brat")
        assert not summary.rejections, summary.describe()

        def offsets(p: Project) -> set[tuple[str, int, int, str]]:
            return {
                (p.article(i).content_hash, s.start, s.end, s.text)
                for i in p.article_ids()
                for s in p.spans(i)
            }

        assert offsets(copy) == offsets(project)


def test_import_summary_lists_reader_notes(tmp_path: Path) -> None:
    """A discontinuous brat span is imported as linked fragments, and the summary says so."""
    from annotator.formats.importer import import_paths
    from annotator.store import Project

    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "doc.txt").write_text("Peskov said the call, he added, was useful.", encoding="utf-8")
    (folder / "doc.ann").write_text(
        "T1\tQuote 12 20;32 42\tthe call was useful\n", encoding="utf-8"
    )
    with Project.open(tmp_path / "p.annot") as project:
        summary = import_paths(project, [folder], annotator="ann", format="brat")
        assert summary.rejections == []
        assert summary.spans_added == 2 and summary.relations_added == 1
        assert len(summary.notes) == 1
        note = summary.notes[0]
        assert note.path.name == "doc.ann" and "1 discontinuous span(s)" in note.message
        assert "note: " in summary.describe() and "doc.ann" in summary.describe()
