"""CSV cells a spreadsheet would run as formulas are neutralised by default, reversibly."""

from __future__ import annotations

import csv
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from annotator.cli import main
from annotator.core.model import ArticleDraft
from annotator.formats.csv_safety import neutralise, restore
from annotator.formats.importer import import_paths
from annotator.store import Project

HOSTILE = ('=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1")


@given(st.text())
def test_neutralising_is_reversible_and_never_leaves_a_formula(value: str) -> None:
    cell = neutralise(value)
    assert restore(cell) == value
    assert cell[:1] not in set("=+-@\t\r")


def build(path: Path) -> list[str]:
    texts = [f"{h} said the minister 👍🏽 e\u0301" for h in HOSTILE]
    with Project.open(path) as project:
        label = project.ensure_label("=Quote")
        for i, text in enumerate(texts):
            article_id, _ = project.add_article(ArticleDraft(text, title=HOSTILE[i]))
            project.add_span(article_id, 0, len(HOSTILE[i]), label.id, "@bob", note="-note")
    return texts


def test_csv_export_neutralises_formulas_and_reimport_restores_them(tmp_path: Path) -> None:
    """Before: a quote beginning with = reached the spreadsheet as a formula."""
    source = tmp_path / "p.annot"
    texts = build(source)
    out = tmp_path / "spans.csv"
    assert main(["export", str(source), "-f", "csv", "-o", str(out), "--csv-bom"]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(HOSTILE)
    for row in rows:
        for column in ("title", "label", "text", "annotator", "note"):
            assert row[column][:1] not in set("=+-@\t\r"), (column, row[column])
            assert row[column].startswith("'")
    # Re-import onto a project holding the articles: the original text comes back.
    target = tmp_path / "q.annot"
    with Project.open(target) as project:
        for text in texts:
            project.add_article(ArticleDraft(text))
        summary = import_paths(project, [out], annotator="me")
        assert not summary.rejections, summary.rejections
        found = sorted(
            (project.label(s.label_id).name, s.text, s.annotator, s.note)
            for a in project.article_ids()
            for s in project.spans(a)
        )
    assert found == sorted(("=Quote", h, "@bob", "-note") for h in HOSTILE)


def test_csv_raw_writes_cells_as_they_are(tmp_path: Path) -> None:
    source = tmp_path / "p.annot"
    build(source)
    out = tmp_path / "spans.csv"
    assert main(["export", str(source), "-f", "csv", "-o", str(out), "--csv-raw"]) == 0
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(row["text"] for row in rows) == sorted(HOSTILE)
    assert main(["export", str(source), "-f", "jsonl", "-o", str(tmp_path / "x"), "--csv-raw"]) == 2
