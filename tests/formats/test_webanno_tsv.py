"""WebAnno TSV 3.3, against files shaped exactly as INCEpTION's Tsv3XSerializer writes them.

The INCEpTION files below follow the reference files of INCEpTION's own TSV test suite
(inception-io-webanno-tsv, ``tsv3-suite/*/reference.tsv``) and the examples of its format
documentation: every token row ends with a TAB, the header is followed by two blank lines,
sentences by one, offsets are UTF-16 units.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.formats.export import export_project
from annotator.formats.importer import import_paths
from annotator.formats.webanno_tsv import (
    escape_text,
    escape_value,
    unescape_text,
    unescape_value,
)
from annotator.store import Project
from tests.formats.export_corpus import build_corpus, snapshot

STACKED = (
    "#FORMAT=WebAnno TSV 3.3\n"
    "#T_SP=webanno.custom.Span|value\n"
    "\n\n"
    "#Text=This is a test .\n"
    "1-1\t0-4\tThis\tPERSON[1]|LOCATION[2]\t\n"
    "1-2\t5-7\tis\tPERSON[1]|LOCATION[2]\t\n"
    "1-3\t8-9\ta\tPERSON[1]|LOCATION[2]\t\n"
    "1-4\t10-14\ttest\tPERSON[1]|LOCATION[2]\t\n"
    "1-5\t15-16\t.\tPERSON[1]|LOCATION[2]\t\n"
)
EMOJI = (
    "#FORMAT=WebAnno TSV 3.3\n"
    "#T_SP=webanno.custom.Span|value\n"
    "\n\n"
    "#Text=I like it 😊 .\n"
    "1-1\t0-1\tI\t_\t\n"
    "1-2\t2-6\tlike\t_\t\n"
    "1-3\t7-9\tit\t_\t\n"
    "1-4\t10-12\t😊\t*\t\n"
    "1-5\t13-14\t.\t_\t\n"
)
LINE_BREAK_AND_TAB = (
    "#FORMAT=WebAnno TSV 3.3\n"
    "#T_SP=webanno.custom.Span|value\n"
    "\n\n"
    "#Text=This is\n"
    "#Text=a\\ttest .\n"
    "1-1\t0-4\tThis\t*\t\n"
    "1-2\t5-7\tis\t_\t\n"
    "1-3\t8-9\ta\t_\t\n"
    "1-4\t10-14\ttest\t_\t\n"
    "1-5\t15-16\t.\t_\t\n"
)
CROSS_SENTENCE = (
    "#FORMAT=WebAnno TSV 3.3\n"
    "#T_SP=webanno.custom.Span|value\n"
    "\n\n"
    "#Sentence.id=sent-1\n"
    "#Text=He loves her .\n"
    "1-1\t0-2\tHe\tPERSON[1]\t\n"
    "1-2\t3-8\tloves\tPERSON[1]\t\n"
    "1-3\t9-12\ther\tPERSON[1]\t\n"
    "1-4\t13-14\t.\tPERSON[1]\t\n"
    "\n"
    "#Sentence.id=sent-2\n"
    "#Text=She loves him not .\n"
    "2-1\t15-18\tShe\tPERSON[1]\t\n"
    "2-2\t19-24\tloves\tPERSON[1]\t\n"
    "2-3\t25-28\thim\tPERSON[1]\t\n"
    "2-4\t29-32\tnot\tPERSON[1]\t\n"
    "2-5\t33-34\t.\tPERSON[1]\t\n"
)
# The documentation's example of disambiguation ids in relations.
AMBIGUOUS_RELATION = (
    "#FORMAT=WebAnno TSV 3.3\n"
    "#T_SP=de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity|value\n"
    "#T_RL=webanno.custom.Relation|value|BT_de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity\n"
    "\n\n"
    "#Text=This is a test .\n"
    "1-1\t0-4\tThis\t*\t_\t_\t\n"
    "1-2\t5-7\tis\t_\t_\t_\t\n"
    "1-3\t8-9\ta\t_\t_\t_\t\n"
    "1-4\t10-14\ttest\t_\t_\t_\t\n"
    "1-5\t15-16\t.\t*[1]|*[2]\t*\t1-1[0_1]\t\n"
)
TOKEN_RELATION_AND_POS = (
    "#FORMAT=WebAnno TSV 3.3\n"
    "#T_SP=de.tudarmstadt.ukp.dkpro.core.api.lexmorph.type.pos.POS|PosValue\n"
    "#T_RL=webanno.custom.Relation|value|BT_de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token\n"
    "\n\n"
    "#Text=This is a test .\n"
    "1-1\t0-4\tThis\tDT\t_\t_\t\n"
    "1-2\t5-7\tis\tVBZ\t_\t_\t\n"
    "1-3\t8-9\ta\tDT\t_\t_\t\n"
    "1-4\t10-14\ttest\tNN\t_\t_\t\n"
    "1-5\t15-16\t.\t.\tnsubj\t1-1\t\n"
)
CHAIN = (
    "#FORMAT=WebAnno TSV 3.3\n"
    "#T_CH=webanno.custom.SimpleLink|referenceRelation|referenceType\n"
    "\n\n"
    "#Text=This is a test .\n"
    "1-1\t0-4\tThis\t*->1-1\t*[1]\t\n"
    "1-2\t5-7\tis\t*->1-2\t*[1]\t\n"
    "1-3\t8-9\ta\t*->1-3\t*[1]\t\n"
    "1-4\t10-14\ttest\t_\t_\t\n"
    "1-5\t15-16\t.\t_\t_\t\n"
)
SUB_TOKENS_AND_ESCAPES = (
    "#FORMAT=WebAnno TSV 3.3\n"
    "#T_SP=de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity|identifier|value\n"
    "\n\n"
    "#Text=Ms. Haag plays Elianti .\n"
    "1-1\t0-3\tMs.\t_\t_\t\n"
    "1-2\t4-8\tHaag\thttp://x/Haag\\_1[1]\tPER\\|ORG[1]\t\n"
    "1-3\t9-14\tplays\thttp://x/Haag\\_1[1]\tPER\\|ORG[1]\t\n"
    "1-3.1\t9-13\tplay\t_\tverb\\->noun\t\n"
    "1-4\t15-22\tElianti\t_\t_\t\n"
    "1-5\t23-24\t.\t_\t_\t\n"
)


def write(folder: Path, name: str, content: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(content, encoding="utf-8", newline="\n")
    return path


def imported(tmp_path: Path, *files: tuple[str, str]) -> tuple[Project, object]:
    folder = tmp_path / "tsv"
    for name, content in files:
        write(folder, name, content)
    project = Project.open(tmp_path / "p.annot")
    summary = import_paths(project, [folder], annotator="me", format="webanno-tsv")
    return project, summary


def spans(project: Project) -> list[tuple[str, str]]:
    names = {label.id: label.name for label in project.labels()}
    return sorted(
        (s.text, names[s.label_id]) for i in project.article_ids() for s in project.spans(i)
    )


def test_stacked_multi_token_spans(tmp_path: Path) -> None:
    project, summary = imported(tmp_path, ("a.tsv", STACKED))
    assert summary.rejections == []  # type: ignore[attr-defined]
    assert project.article_text(project.article_ids()[0]) == "This is a test ."
    assert spans(project) == [("This is a test .", "LOCATION"), ("This is a test .", "PERSON")]
    project.close()


def test_utf16_offsets_line_breaks_and_tabs(tmp_path: Path) -> None:
    project, summary = imported(tmp_path, ("emoji.tsv", EMOJI), ("lines.tsv", LINE_BREAK_AND_TAB))
    assert summary.rejections == []  # type: ignore[attr-defined]
    texts = [project.article_text(i) for i in project.article_ids()]
    assert texts == ["I like it 😊 .", "This is\na\ttest ."]
    # A span without a value is labelled by its layer.
    assert spans(project) == [("This", "Span"), ("😊", "Span")]
    project.close()


def test_a_span_across_sentences_and_sentence_ids(tmp_path: Path) -> None:
    project, summary = imported(tmp_path, ("a.tsv", CROSS_SENTENCE))
    assert summary.rejections == []  # type: ignore[attr-defined]
    # INCEpTION's reader rebuilds the text the same way: sentences joined by a line break.
    text = "He loves her .\nShe loves him not ."
    assert project.article_text(project.article_ids()[0]) == text
    assert spans(project) == [(text, "PERSON")]
    project.close()


def test_relations_with_disambiguation_ids(tmp_path: Path) -> None:
    project, summary = imported(tmp_path, ("a.tsv", AMBIGUOUS_RELATION))
    assert summary.rejections == []  # type: ignore[attr-defined]
    [article_id] = project.article_ids()
    by_id = {s.id: s for s in project.spans(article_id)}
    # The two stacked entities on "." are the same span (same offsets, label): kept once.
    assert sorted(s.text for s in by_id.values()) == [".", "This"]
    [relation] = project.relations(article_id)
    # The source is the unambiguous entity on 1-1, the target entity [1] on 1-5.
    assert by_id[relation.head_id].text == "This" and by_id[relation.child_id].text == "."
    assert relation.type == "Relation"
    project.close()


def test_structure_layers_and_token_relations_are_skipped_and_said(tmp_path: Path) -> None:
    project, summary = imported(tmp_path, ("a.tsv", TOKEN_RELATION_AND_POS))
    assert summary.rejections == []  # type: ignore[attr-defined]
    assert spans(project) == []
    [note] = summary.notes  # type: ignore[attr-defined]
    assert "5 POS annotation(s)" in note.message
    assert "1 Relation relation(s) between no imported spans" in note.message
    project.close()


def test_chains_become_spans_linked_in_order(tmp_path: Path) -> None:
    project, summary = imported(tmp_path, ("a.tsv", CHAIN))
    assert summary.rejections == []  # type: ignore[attr-defined]
    [article_id] = project.article_ids()
    by_id = {s.id: s.text for s in project.spans(article_id)}
    assert sorted(by_id.values()) == ["This", "a", "is"]
    links = sorted((by_id[r.head_id], by_id[r.child_id]) for r in project.relations(article_id))
    assert links == [("This", "is"), ("is", "a")]
    project.close()


def test_sub_tokens_escapes_and_features_as_attributes(tmp_path: Path) -> None:
    project, summary = imported(tmp_path, ("a.tsv", SUB_TOKENS_AND_ESCAPES))
    assert summary.rejections == []  # type: ignore[attr-defined]
    [article_id] = project.article_ids()
    names = {label.id: label.name for label in project.labels()}
    got = sorted(
        (s.text, names[s.label_id], tuple(sorted(s.attributes.items())))
        for s in project.spans(article_id)
    )
    assert got == [
        ("Haag plays", "PER|ORG", (("identifier", "http://x/Haag_1"),)),
        ("play", "verb->noun", ()),
    ]
    project.close()


def test_not_a_tsv_file_is_rejected_with_its_line(tmp_path: Path) -> None:
    bad = "#FORMAT=WebAnno TSV 3.3\n#T_SP=webanno.custom.Span|value\n\n\n#Text=Hi\n1-1\t0-2\tHi\n"
    project, summary = imported(tmp_path, ("a.tsv", "just text\n"), ("b.tsv", bad))
    rejections = summary.rejections  # type: ignore[attr-defined]
    assert [(r.path.name, r.line) for r in rejections] == [("a.tsv", 1), ("b.tsv", 6)]
    assert "not a WebAnno TSV 3 file" in rejections[0].message
    assert "expected 4 fields but found 3" in rejections[1].message
    assert project.article_ids() == []
    project.close()


def test_escaping_is_inceptions() -> None:
    assert escape_value("a\\b[1]|c_d->e;f\tg\nh*") == "a\\\\b\\[1\\]\\|c\\_d\\->e\\;f\\tg\\nh\\*"
    assert unescape_value(escape_value("a\\b[1]|c_d->e;f\tg\nh*")) == "a\\b[1]|c_d->e;f\tg\nh*"
    assert escape_text("a\tb\\c\rd\x01e\x0bf") == "a\\tb\\\\c\\rd\\\x01e\x0bf"
    assert unescape_text(escape_text("a\tb\\c\rd\x01e\x0bf\\n")) == "a\tb\\c\rd\x01e\x0bf\\n"


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Project]:
    with Project.open(tmp_path / "source.annot") as project:
        build_corpus(project, tmp_path)
        yield project


def test_export_is_shaped_as_inception_writes_it(source: Project, tmp_path: Path) -> None:
    out = tmp_path / "tsv"
    report = export_project(source, "webanno-tsv", out)
    assert report.spans == 14 and report.relations == 4
    assert [str(loss) for loss in report.losses] == [
        "4 article title(s) and metadata not written (TSV has no place for them)",
        "14 span creation and change time(s) not written (re-import stamps spans anew)",
    ]
    raw = (out / "article-000004.tsv").read_text(encoding="utf-8")
    assert raw == (
        "#FORMAT=WebAnno TSV 3.3\n"
        "#T_SP=webanno.custom.Span|label|annotator|note|attributes\n"
        "#T_RL=webanno.custom.Relation|label|annotator|BT_webanno.custom.Span\n"
        "\n\n"
        "#Text=🐱 Warning: This is a test text\n"
        "1-1\t0-2\t🐱\t_\t_\t_\t_\t_\t_\t_\t\n"
        "1-2\t3-10\tWarning\t_\t_\t_\t_\t_\t_\t_\t\n"
        "1-3\t10-11\t:\t_\t_\t_\t_\t_\t_\t_\t\n"
        "1-4\t12-16\tThis\t_\t_\t_\t_\t_\t_\t_\t\n"
        "1-5\t17-19\tis\t_\t_\t_\t_\t_\t_\t_\t\n"
        "1-6\t20-21\ta\t_\t_\t_\t_\t_\t_\t_\t\n"
        "1-7\t22-26\ttest\tClaim\talice\t*\t*\t_\t_\t_\t\n"
        "1-8\t27-31\ttext\t_\t_\t_\t_\t_\t_\t_\t\n"
    )
    unicode_file = (out / "article-000002.tsv").read_text(encoding="utf-8")
    # Stacked spans on one token, each with its id; the relation on its child's first token.
    assert "\tClaim[1]|Speculation[2]\talice[1]|alice[2]\t" in unicode_file
    assert "\tattributed\\_to|reported\\_by\tbob|carol\t3-1[8_0]|3-1[8_0]\t" in unicode_file


def test_round_trip_keeps_texts_spans_and_relations(source: Project, tmp_path: Path) -> None:
    out = tmp_path / "tsv"
    export_project(source, "webanno-tsv", out)
    with Project.open(tmp_path / "fresh.annot") as fresh:
        summary = import_paths(fresh, [out], annotator="someone", format="webanno-tsv")
        assert summary.rejections == [] and summary.notes == []
        assert (summary.articles_added, summary.spans_added, summary.relations_added) == (4, 14, 4)
        # Texts, spans (annotator, note, attributes) and relations; not titles or metadata.
        assert [a[1] for a in snapshot(fresh)] == [a[1] for a in snapshot(source)]
        assert [a[9:] for a in snapshot(fresh)] == [a[9:] for a in snapshot(source)]
