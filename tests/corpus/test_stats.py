"""Statistics: the figures, their CSV and the charts matplotlib draws."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.store import Project
from annotator.store.stats import corpus_stats
from tests.corpus.conftest import Corpus


def test_figures(corpus: Corpus) -> None:
    with Project.open(corpus.path, read_only=True) as project:
        stats = corpus_stats(project)
    by_pair = {(r.label, r.annotator): (r.spans, r.articles) for r in stats.by_label_annotator}
    assert by_pair == {
        ("Quote", "ann"): (2, 2),
        ("Quote", "bob"): (1, 1),
        ("Source", "ann"): (3, 2),
        ("Source", "bob"): (1, 1),
        ("Claim", "ann"): (1, 1),
        ("Claim", "bob"): (1, 1),
    }
    assert stats.spans_per_label == [("Quote", 3), ("Source", 4), ("Claim", 2), ("Speculation", 0)]
    assert stats.spans_per_annotator == [("ann", 6), ("bob", 3)]
    assert dict(stats.spans_per_outlet) == {"ZeroHedge": 4, "Test Wire": 5}
    assert stats.spans_per_month == [("2017-01", 4), ("2017-02", 5)]
    assert stats.articles_per_status == [("new", 1), ("in progress", 2), ("done", 0)]


def test_stats_cli_csv_and_png(
    corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from PIL import Image

    out_csv, out_png, out_svg = tmp_path / "s.csv", tmp_path / "s.png", tmp_path / "s.svg"
    assert (
        main(
            [
                "stats",
                str(corpus.path),
                "--csv",
                str(out_csv),
                "--png",
                str(out_png),
                "--svg",
                str(out_svg),
            ]
        )
        == 0
    )
    with out_csv.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["label", "annotator", "spans", "articles"]
    assert {(r["label"], r["annotator"]): (int(r["spans"]), int(r["articles"])) for r in rows}[
        ("Source", "ann")
    ] == (3, 2)
    with Image.open(out_png) as image:
        assert image.format == "PNG" and image.size[0] >= 400
    assert "<svg" in out_svg.read_text(encoding="utf-8")[:500]
    assert "Spans per label" in out_svg.read_text(encoding="utf-8")
    assert "Source\tann\t3\t2" in capsys.readouterr().out
    assert main(["stats", str(corpus.path), "--png", str(tmp_path / "no" / "dir.png")]) == 2
