"""UIMA CAS XMI (INCEpTION, DKPro), checked with dkpro-cassis and against INCEpTION's files."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.formats.export import export_project
from annotator.formats.importer import import_paths
from annotator.store import Project
from tests.formats.export_corpus import build_corpus, snapshot

cassis = pytest.importorskip("cassis")


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Project]:
    with Project.open(tmp_path / "source.annot") as project:
        build_corpus(project, tmp_path)
        yield project


def test_cassis_reads_the_export_with_its_type_system(source: Project, tmp_path: Path) -> None:
    out = tmp_path / "xmi"
    report = export_project(source, "xmi", out)
    assert report.lossless and report.articles == 4
    assert sorted(p.name for p in out.iterdir()) == [
        "TypeSystem.xml",
        "article-000001.xmi",
        "article-000002.xmi",
        "article-000003.xmi",
        "article-000004.xmi",
    ]
    with (out / "TypeSystem.xml").open("rb") as fh:
        ts = cassis.load_typesystem(fh)
    span_type = ts.get_type("webanno.custom.Span")
    assert span_type.get_feature("label") is not None
    labels = {label.id: label.name for label in source.labels()}
    for article_id in source.article_ids():
        with (out / f"article-{article_id:06d}.xmi").open("rb") as fh:
            cas = cassis.load_cas_from_xmi(fh, typesystem=ts)
        assert cas.sofa_string == source.article_text(article_id)
        got = sorted(
            (s.begin, s.end, s.label, s.annotator, s.get_covered_text())
            for s in cas.select("webanno.custom.Span")
        )
        stored = sorted(
            (s.start, s.end, labels[s.label_id], s.annotator, s.text)
            for s in source.spans(article_id)
        )
        assert got == stored
        [meta] = cas.select("de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData")
        assert meta.documentTitle == source.article(article_id).title
        spans = {s.id: (s.start, s.end) for s in source.spans(article_id)}
        relations = sorted(
            (
                (r.Governor.begin, r.Governor.end),
                (r.Dependent.begin, r.Dependent.end),
                r.label,
            )
            for r in cas.select("webanno.custom.Relation")
        )
        assert relations == sorted(
            (spans[r.head_id], spans[r.child_id], r.type) for r in source.relations(article_id)
        )
    # In the file offsets are UTF-16 units, as Java counts them: 🇺🇸 is four.
    raw = (out / "article-000002.xmi").read_text(encoding="utf-8")
    assert 'begin="11" end="26" label="Claim"' in raw


def test_round_trip_keeps_everything(source: Project, tmp_path: Path) -> None:
    out = tmp_path / "xmi"
    export_project(source, "xmi", out)
    with Project.open(tmp_path / "fresh.annot") as fresh:
        summary = import_paths(fresh, [out], annotator="someone", format="xmi")
        assert summary.rejections == [] and summary.notes == []
        assert (summary.articles_added, summary.spans_added, summary.relations_added) == (4, 14, 4)
        assert snapshot(fresh) == snapshot(source)


# A document as INCEpTION's "UIMA CAS XMI" export writes it (namespace prefixes, DKPro's
# metadata, tokens and sentences, a NamedEntity layer, a custom span layer and its relation
# layer), with an emoji so that its UTF-16 offsets differ from code points.
INCEPTION_TYPES = """<?xml version="1.0" encoding="UTF-8"?>
<typeSystemDescription xmlns="http://uima.apache.org/resourceSpecifier">
  <types>
    <typeDescription>
      <name>de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData</name>
      <supertypeName>uima.tcas.DocumentAnnotation</supertypeName>
      <features>
        <featureDescription><name>documentTitle</name><rangeTypeName>uima.cas.String</rangeTypeName></featureDescription>
        <featureDescription><name>documentId</name><rangeTypeName>uima.cas.String</rangeTypeName></featureDescription>
        <featureDescription><name>documentUri</name><rangeTypeName>uima.cas.String</rangeTypeName></featureDescription>
        <featureDescription><name>collectionId</name><rangeTypeName>uima.cas.String</rangeTypeName></featureDescription>
        <featureDescription><name>documentBaseUri</name><rangeTypeName>uima.cas.String</rangeTypeName></featureDescription>
        <featureDescription><name>isLastSegment</name><rangeTypeName>uima.cas.Boolean</rangeTypeName></featureDescription>
      </features>
    </typeDescription>
    <typeDescription>
      <name>de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token</name>
      <supertypeName>uima.tcas.Annotation</supertypeName>
    </typeDescription>
    <typeDescription>
      <name>de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence</name>
      <supertypeName>uima.tcas.Annotation</supertypeName>
      <features>
        <featureDescription><name>id</name><rangeTypeName>uima.cas.String</rangeTypeName></featureDescription>
      </features>
    </typeDescription>
    <typeDescription>
      <name>de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity</name>
      <supertypeName>uima.tcas.Annotation</supertypeName>
      <features>
        <featureDescription><name>value</name><rangeTypeName>uima.cas.String</rangeTypeName></featureDescription>
        <featureDescription><name>identifier</name><rangeTypeName>uima.cas.String</rangeTypeName></featureDescription>
      </features>
    </typeDescription>
    <typeDescription>
      <name>webanno.custom.Span</name>
      <supertypeName>uima.tcas.Annotation</supertypeName>
      <features>
        <featureDescription><name>label</name><rangeTypeName>uima.cas.String</rangeTypeName></featureDescription>
      </features>
    </typeDescription>
    <typeDescription>
      <name>webanno.custom.Relation</name>
      <supertypeName>uima.tcas.Annotation</supertypeName>
      <features>
        <featureDescription><name>Dependent</name><rangeTypeName>webanno.custom.Span</rangeTypeName></featureDescription>
        <featureDescription><name>Governor</name><rangeTypeName>webanno.custom.Span</rangeTypeName></featureDescription>
        <featureDescription><name>label</name><rangeTypeName>uima.cas.String</rangeTypeName></featureDescription>
      </features>
    </typeDescription>
  </types>
</typeSystemDescription>
"""
# "Peskov 👍 said it." : 👍 is two UTF-16 units, so "said" is 10-14 in the file (9-13 in code
# points).
INCEPTION_XMI = """<?xml version="1.0" encoding="UTF-8"?><xmi:XMI xmlns:tcas="http:///uima/tcas.ecore" xmlns:xmi="http://www.omg.org/XMI" xmlns:cas="http:///uima/cas.ecore" xmlns:type3="http:///de/tudarmstadt/ukp/dkpro/core/api/metadata/type.ecore" xmlns:type4="http:///de/tudarmstadt/ukp/dkpro/core/api/ner/type.ecore" xmlns:type5="http:///de/tudarmstadt/ukp/dkpro/core/api/segmentation/type.ecore" xmlns:custom="http:///webanno/custom.ecore" xmi:version="2.0">
    <cas:NULL xmi:id="0"/>
    <type3:DocumentMetaData xmi:id="1" sofa="12" begin="0" end="18" language="en" documentTitle="peskov.txt" documentId="peskov.txt" collectionId="News" isLastSegment="false"/>
    <type5:Token xmi:id="19" sofa="12" begin="0" end="6"/>
    <type5:Token xmi:id="28" sofa="12" begin="7" end="9"/>
    <type5:Token xmi:id="37" sofa="12" begin="10" end="14"/>
    <type5:Token xmi:id="46" sofa="12" begin="15" end="17"/>
    <type5:Token xmi:id="55" sofa="12" begin="17" end="18"/>
    <type5:Sentence xmi:id="64" sofa="12" begin="0" end="18"/>
    <type4:NamedEntity xmi:id="70" sofa="12" begin="0" end="6" value="PER" identifier="Q1"/>
    <custom:Span xmi:id="80" sofa="12" begin="0" end="6" label="Source"/>
    <custom:Span xmi:id="81" sofa="12" begin="10" end="17" label="Quote"/>
    <custom:Relation xmi:id="90" sofa="12" begin="10" end="17" Governor="81" Dependent="80" label="attributed_to"/>
    <cas:Sofa xmi:id="12" sofaNum="1" sofaID="_InitialView" mimeType="text" sofaString="Peskov 👍 said it."/>
    <cas:View sofa="12" members="1 19 28 37 46 55 64 70 80 81 90"/>
</xmi:XMI>
"""


def test_an_inception_export_imports_spans_entities_and_relations(tmp_path: Path) -> None:
    folder = tmp_path / "inception"
    folder.mkdir()
    (folder / "TypeSystem.xml").write_text(INCEPTION_TYPES, encoding="utf-8")
    (folder / "peskov.xmi").write_text(INCEPTION_XMI, encoding="utf-8")
    with Project.open(tmp_path / "p.annot") as project:
        summary = import_paths(project, [folder], annotator="me", format="xmi")
        assert summary.rejections == []
        assert (summary.articles_added, summary.spans_added, summary.relations_added) == (1, 3, 1)
        [note] = summary.notes
        assert "5 Token" in note.message and "1 Sentence" in note.message
        [article_id] = project.article_ids()
        article = project.article(article_id)
        assert article.text == "Peskov 👍 said it." and article.title == "peskov.txt"
        names = {label.id: label.name for label in project.labels()}
        spans = {s.id: (s.text, names[s.label_id], s.attributes) for s in project.spans(article_id)}
        assert sorted(spans.values()) == [
            ("Peskov", "PER", {"identifier": "Q1"}),
            ("Peskov", "Source", {}),
            ("said it", "Quote", {}),
        ]
        [relation] = project.relations(article_id)
        assert spans[relation.head_id][:2] == ("said it", "Quote")
        assert spans[relation.child_id][:2] == ("Peskov", "Source")
        assert relation.type == "attributed_to" and relation.annotator == "me"


def test_bad_files_are_rejected_by_name_and_the_rest_imported(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    (folder / "annotator-a").mkdir(parents=True)
    (folder / "TypeSystem.xml").write_text(INCEPTION_TYPES, encoding="utf-8")
    (folder / "annotator-a" / "good.xmi").write_text(INCEPTION_XMI, encoding="utf-8")
    (folder / "broken.xmi").write_text("<xmi:XMI unclosed", encoding="utf-8")
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    (lonely / "no-types.xmi").write_text(INCEPTION_XMI, encoding="utf-8")
    with Project.open(tmp_path / "p.annot") as project:
        summary = import_paths(project, [folder], annotator="me", format="xmi")
        [rejection] = summary.rejections
        assert rejection.path == folder / "broken.xmi"
        assert "cannot be read as UIMA CAS XMI" in rejection.message
        assert summary.articles_added == 1
        # A file in a sub-folder: the sub-folder names the annotator.
        assert {s.annotator for s in project.spans(project.article_ids()[0])} == {"annotator-a"}
        summary = import_paths(project, [lonely], annotator="me", format="xmi")
        [rejection] = summary.rejections
        assert "no TypeSystem.xml" in rejection.message


@pytest.mark.corpus
def test_the_redewiedergabe_multi_annotator_corpus_imports_every_annotator(
    tmp_path: Path, corpora: Path
) -> None:
    REDEWIEDERGABE = corpora / "redewiedergabe-mkhz-multiannotator" / "xmi"
    files = sorted(REDEWIEDERGABE.rglob("*.xmi"))
    ts_path = REDEWIEDERGABE / "rwTypesystem.xml"
    # What cassis finds in the files, the type system completed with the features the consensus
    # file uses but the shipped type system lacks.
    expected: Counter[str] = Counter()
    for path in files:
        with ts_path.open("rb") as fh:
            ts = cassis.load_typesystem(fh)
        from annotator.formats.xmi import _declare_missing_features

        _declare_missing_features(path.read_bytes(), ts)
        with path.open("rb") as fh:
            cas = cassis.load_cas_from_xmi(fh, typesystem=ts, lenient=True)
        for fs in cas.select_all_annotations():
            short = fs.type.name.rsplit(".", 1)[-1]
            if fs.type.name.startswith("de.idsma.rw.") and short in (
                "Stwr",
                "Frame",
                "Speaker",
                "IntExpression",
                "Text",
            ):
                expected[path.parent.name] += 1
    with Project.open(tmp_path / "rw.annot") as project:
        summary = import_paths(project, [REDEWIEDERGABE], annotator="me", format="xmi")
        assert summary.rejections == []
        # Seven annotators' files of one sample: one article, each annotator's layer.
        assert summary.articles_added == 1 and summary.duplicates == 6
        [article_id] = project.article_ids()
        text = project.article_text(article_id)
        assert "\r" not in text
        got = Counter(s.annotator for s in project.spans(article_id))
        merged = sum(
            int(n.message.split()[0]) for n in summary.notes if "duplicate span" in n.message
        )
        assert sum(expected.values()) == sum(got.values()) + merged == 403 + merged
        assert set(got) == set(expected)
        for span in project.spans(article_id):
            assert span.text == text[span.start : span.end]
        stwr = [
            s
            for s in project.spans(article_id)
            if s.annotator == "earth" and s.attributes.get("RType") == "indirect"
        ]
        assert stwr and all(s.attributes["Medium"] for s in stwr)
        assert any("features missing from its type system" in n.message for n in summary.notes)


@pytest.mark.corpus
def test_one_annotators_folder_of_a_corpus_finds_the_type_system_above_it(
    tmp_path: Path, corpora: Path
) -> None:
    # The corpus keeps rwTypesystem.xml beside the annotators' folders, not in them.
    mars = corpora / "redewiedergabe-mkhz-multiannotator" / "xmi" / "mars"
    assert not list(mars.glob("*.xml"))
    with Project.open(tmp_path / "mars.annot") as project:
        summary = import_paths(project, [mars], annotator="me", format="xmi")
        assert summary.rejections == []
        assert summary.articles_added == 1
        [article_id] = project.article_ids()
        spans = project.spans(article_id)
        merged = sum(
            int(n.message.split()[0]) for n in summary.notes if "duplicate span" in n.message
        )
        # cassis finds 13 Stwr, 9 Frame, 9 IntExpression and 8 Speaker annotations in it.
        assert len(spans) + merged == 39
        assert {s.annotator for s in spans} == {"me"}
