"""brat documents shaped as the BioNLP shared-task corpora are distributed in brat standoff:
protein T lines, event triggers and E lines with Theme/Cause arguments (events as arguments
of events), M modifications (Negation, Speculation) and A attributes on events and entities,
AnnotatorNotes on an event."""

from __future__ import annotations

from pathlib import Path

from annotator.formats.importer import import_paths
from annotator.store import Project

TEXT = "IL-2 gene expression requires NF-kappaB activation but not CD28 binding.\n"
ANN = (
    "T1\tProtein 0 4\tIL-2\n"
    "T2\tProtein 30 39\tNF-kappaB\n"
    "T3\tProtein 59 63\tCD28\n"
    "T4\tGene_expression 10 20\texpression\n"
    "T5\tPositive_regulation 21 29\trequires\n"
    "T6\tPositive_regulation 40 50\tactivation\n"
    "T7\tBinding 64 71\tbinding\n"
    "E1\tGene_expression:T4 Theme:T1\n"
    "E2\tPositive_regulation:T6 Theme:T2\n"
    "E3\tPositive_regulation:T5 Theme:E1 Cause:E2\n"
    "E4\tBinding:T7 Theme:T3\n"
    "M1\tNegation E4\n"
    "M2\tSpeculation E3\n"
    "A3\tConfidence E1 High\n"
    "A4\tNegation T3\n"
    "#1\tAnnotatorNotes E2\tcheck NF-kB\n"
)


def test_events_modifications_attributes_and_notes_all_arrive(
    project: Project, tmp_path: Path
) -> None:
    folder = tmp_path / "bionlp"
    folder.mkdir()
    (folder / "PMID-1.txt").write_text(TEXT, encoding="utf-8")
    (folder / "PMID-1.ann").write_text(ANN, encoding="utf-8")
    summary = import_paths(project, [folder], annotator="me", format="brat")
    assert summary.rejections == [] and summary.spans_added == 7
    (article_id,) = project.article_ids()
    spans = {s.text: s for s in project.spans(article_id)}
    # Every modification and attribute (4 of 4), on events held by their trigger spans.
    assert {text: s.attributes for text, s in spans.items() if s.attributes} == {
        "CD28": {"Negation": "true"},
        "binding": {"Negation": "true"},
        "expression": {"Confidence": "High"},
        "requires": {"Speculation": "true"},
    }
    assert spans["activation"].note == "check NF-kB"
    by_id = {s.id: text for text, s in spans.items()}
    relations = sorted(
        (by_id[r.head_id], r.type, by_id[r.child_id]) for r in project.relations(article_id)
    )
    # Arguments are relations from the trigger; an event argument means its trigger.
    assert relations == [
        ("activation", "Theme", "NF-kappaB"),
        ("binding", "Theme", "CD28"),
        ("expression", "Theme", "IL-2"),
        ("requires", "Cause", "activation"),
        ("requires", "Theme", "expression"),
    ]
    assert any("4 event(s)" in n.message for n in summary.notes)
