"""Report writers: JSON shape, readable table, HTML that escapes every string from a file, CSV
that a spreadsheet cannot run."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from annotator.review.report import (
    format_table,
    render_html,
    to_dict,
    write_csv,
    write_disagreements_csv,
)
from annotator.review.streaming import compare_files
from tests.review.conftest import TEXTS, Built, build_project

EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture
def evil_files(tmp_path: Path) -> list[Path]:
    a = build_project(
        tmp_path / "a.annot",
        f"ann{EVIL}",
        [(0, 0, 5, EVIL), (0, 10, 20, '=HYPERLINK("x")')],
        titles=[f"title {EVIL}", "t1", "t2"],
    )
    b = build_project(tmp_path / "b.annot", "bob", [(0, 0, 6, EVIL)])
    return [a.path, b.path]


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_escapes_every_string_from_the_files(evil_files: list[Path]) -> None:
    page = render_html(compare_files(evil_files))
    assert "<img" not in page and "onerror=alert(1)>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    parser = Collector()
    parser.feed(page)
    assert "img" not in parser.tags and "script" not in parser.tags
    assert EVIL in "".join(parser.text)  # shown as text, intact


def test_csv_is_parseable_and_defuses_formulas(evil_files: list[Path]) -> None:
    comparison = compare_files(evil_files)
    stream = io.StringIO()
    write_csv(comparison, stream)
    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    labels = {row["label"] for row in rows}
    assert EVIL in labels
    assert '\'=HYPERLINK("x")' in labels
    overall = next(r for r in rows if r["scope"] == "all" and r["label"] == "")
    assert float(overall["overlap_f1"]) == pytest.approx(comparison.agreement.overall.overlap_f1)
    undefined = [r for r in rows if r["scope"] == "all" and r["label"].startswith("'=")]
    assert undefined and undefined[0]["kappa"] == "0.0"
    stream = io.StringIO()
    write_disagreements_csv(comparison, stream)
    rows = list(csv.reader(io.StringIO(stream.getvalue())))
    assert rows[0][:5] == ["article", "title", "kind", "start", "end"]
    assert len(rows) == 1 + len(comparison.agreement.disagreements)


def test_json_shape_for_two_files(alice_bob: tuple[Built, Built]) -> None:
    data = to_dict(compare_files([p.path for p in alice_bob]))
    json.dumps(data)  # serializable
    assert data["articles"] == 3 and data["annotators"] == ["alice", "bob"]
    assert set(data["labels"]["Quote"]) == {"exact_f1", "overlap_f1", "kappa", "alpha", "spans"}
    assert data["labels"]["Quote"]["spans"] == {"alice": 1, "bob": 1}
    assert set(data["overall"]) >= {"exact_f1", "overlap_f1"}
    assert "pairwise" not in data
    assert data["unshared_articles"][0]["in"] == ["alice"]
    assert data["disagreements"] == {"only": 0, "label": 1, "boundary": 1}


def test_json_shape_for_three_files(tmp_path: Path) -> None:
    paths = [
        build_project(tmp_path / f"{n}.annot", n, [(0, 0, length, "Source")]).path
        for n, length in (("a", 5), ("b", 5), ("c", 6))
    ]
    data = to_dict(compare_files(paths))
    source = data["labels"]["Source"]
    assert {"fleiss_kappa", "alpha", "kappa"} <= set(source)
    assert [(p["a"], p["b"]) for p in data["pairwise"]] == [("a", "b"), ("a", "c"), ("b", "c")]
    assert data["pairwise"][0]["exact_f1"] == 1.0
    assert set(data["pairwise"][0]["kappa"]) == {"Source"}


def test_table_shows_figures_and_n_a(alice_bob: tuple[Built, Built], tmp_path: Path) -> None:
    text = format_table(compare_files([p.path for p in alice_bob]))
    assert "only in alice: 1" in text
    assert re.search(r"Source\s+1\.000\s+1\.000\s+1\.000\s+1\.000\s+1\s+1", text)
    a = build_project(tmp_path / "x.annot", "x", [], texts=TEXTS[:1])
    b = build_project(tmp_path / "y.annot", "y", [], texts=TEXTS[:1])
    empty = format_table(compare_files([a.path, b.path]))
    assert re.search(r"\(overall\)\s+n/a\s+n/a", empty)
