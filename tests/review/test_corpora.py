"""Agreement figures on real multi-annotator corpora, cross-checked against scikit-learn, the
krippendorff package and a numpy Fleiss' kappa, with the corpora's traps reported, not fatal."""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from annotator.core.model import ArticleDraft
from annotator.review.agreement import ArticleLayers, compare
from annotator.review.streaming import compare_files
from annotator.store import Project
from tests.review.corpus_readers import (
    REDE_ANNOTATORS,
    ToxicComment,
    read_toxic_spans,
    read_xmi,
)
from tests.review.test_agreement import brute_fleiss, coded

pytestmark = pytest.mark.corpus
TOXIC = "toxic-spans-acl2022"
REDE = "redewiedergabe-mkhz-multiannotator"
SUBSET = 300  # comments, in file order: enough for every code path, fast


def toxic_groups(
    comments: list[ToxicComment], *, merge_types: bool
) -> dict[int, list[ArticleLayers]]:
    """Comments grouped by their number of annotations k, each annotation in rater slot
    r1..rk (annotation order): Fleiss' kappa and alpha need no fixed raters, only k each."""
    groups: dict[int, list[ArticleLayers]] = defaultdict(list)
    for comment in comments:
        k = len(comment.annotations)
        layers = {
            f"r{i + 1}": [(s, e, "toxic" if merge_types else kind) for s, e, kind in spans]
            for i, (_, _, spans) in enumerate(comment.annotations)
        }
        groups[k].append(ArticleLayers(comment.id, len(comment.text), layers))
    return groups


def test_toxic_spans_traps_are_all_found(corpora: Path) -> None:
    data = read_toxic_spans(corpora / TOXIC)  # the whole file: the README's counts
    assert data.problems["past the end"] == 94
    assert data.problems["empty type"] == 14
    assert data.problems["unknown type"] == 3  # truncated: 'Insu' (2), 'Identity based ' (1)
    assert data.problems["comments with astral characters"] == 37
    assert len(data.comments) == 16_100 - 37


def test_toxic_spans_agreement_matches_reference_implementations(corpora: Path) -> None:
    data = read_toxic_spans(corpora / TOXIC, limit=SUBSET)
    assert len(data.comments) + len(data.astral_comments) == SUBSET
    groups = toxic_groups(data.comments, merge_types=True)
    assert {3, 7} <= set(groups)  # three and seven workers per comment both occur
    for k, articles in groups.items():
        names = [f"r{i + 1}" for i in range(k)]
        result = compare(articles, names, labels=["toxic"])
        figures = result.by_label["toxic"]
        matrix = np.stack([coded(articles, n, "toxic") for n in names])
        expected_alpha = krippendorff.alpha(
            reliability_data=matrix.astype(float), level_of_measurement="nominal"
        )
        assert figures.alpha == pytest.approx(expected_alpha, abs=1e-9)
        if k >= 3:
            assert figures.fleiss_kappa == pytest.approx(brute_fleiss(matrix), abs=1e-9)
        for pair in result.pairwise:
            i, j = names.index(pair.a), names.index(pair.b)
            expected = cohen_kappa_score(matrix[i], matrix[j])
            assert pair.labels["toxic"].kappa == pytest.approx(expected, abs=1e-9)
        if len(articles) > 20:
            # crowd workers on toxicity (first 300 comments): above chance, far from perfect;
            # alpha is 0.25 with three workers, 0.11 with seven
            assert 0.05 < figures.alpha < 0.6, (k, figures)
            assert 0.2 < figures.overlap_f1 < 0.8
            assert figures.exact_f1 < figures.overlap_f1


def test_toxic_spans_per_type_labels(corpora: Path) -> None:
    data = read_toxic_spans(corpora / TOXIC, limit=SUBSET)
    articles = toxic_groups(data.comments, merge_types=False)[3]
    names = ["r1", "r2", "r3"]
    result = compare(articles, names)
    assert "Insult" in result.labels
    for label in result.labels:
        matrix = np.stack([coded(articles, n, label) for n in names])
        if matrix.min() == matrix.max():
            assert result.by_label[label].alpha is None  # no variation: undefined
            continue
        expected = krippendorff.alpha(
            reliability_data=matrix.astype(float), level_of_measurement="nominal"
        )
        assert result.by_label[label].alpha == pytest.approx(expected, abs=1e-9)


def test_toxic_spans_through_project_files(corpora: Path, tmp_path: Path) -> None:
    """The full path: one project file per rater slot, read back read-only, same figures."""
    data = read_toxic_spans(corpora / TOXIC, limit=80)
    seen: set[str] = set()
    three, repeated = [], 0
    for comment in data.comments:
        if len(comment.annotations) != 3:
            continue
        if comment.text in seen:
            # Two comment ids with the same text are one article in a project (aligned by
            # content hash): keep the first only, so both sides compare the same thing.
            repeated += 1
            continue
        seen.add(comment.text)
        three.append(comment)
    assert repeated == 1
    paths = []
    for slot in range(3):
        path = tmp_path / f"r{slot + 1}.annot"
        with Project.open(path) as project:
            label = project.ensure_label("toxic")
            for comment in three:
                article, _ = project.add_article(ArticleDraft(comment.text, title=comment.id))
                for start, end, _kind in sorted(
                    set((s, e, "toxic") for s, e, _ in comment.annotations[slot][2])
                ):
                    project.add_span(article, start, end, label.id, f"r{slot + 1}")
        paths.append(path)
    from_files = compare_files(paths, labels=["toxic"]).agreement.by_label["toxic"]
    in_memory = compare(
        toxic_groups(three, merge_types=True)[3], ["r1", "r2", "r3"], labels=["toxic"]
    ).by_label["toxic"]
    assert from_files.alpha == pytest.approx(in_memory.alpha)
    assert from_files.fleiss_kappa == pytest.approx(in_memory.fleiss_kappa)
    assert from_files.exact_f1 == pytest.approx(in_memory.exact_f1)


# ------------------------------------------------------------------------- Redewiedergabe
def rede_documents(corpora: Path) -> dict[str, object]:
    folder = corpora / REDE / "xmi"
    return {
        name: read_xmi(next((folder / name).glob("*.xmi")))
        for name in (*REDE_ANNOTATORS, "consensus")
    }


def test_redewiedergabe_offsets_hold_after_unescaping_and_crlf(corpora: Path) -> None:
    docs = rede_documents(corpora)  # read_xmi asserts every span's text and remapping
    # A trap beyond the README: some spans end between the CR and the LF of a line break.
    assert docs["earth"].split_line_breaks >= 1  # type: ignore[attr-defined]
    texts = {doc.raw_text for doc in docs.values()}  # type: ignore[attr-defined]
    assert len(texts) == 1  # every annotator saw the same text
    raw = texts.pop()
    assert "\r\n" in raw
    # The trap: without unescaping &#13;&#10; the offsets would point elsewhere.
    xml = next((corpora / REDE / "xmi" / "earth").glob("*.xmi")).read_text(encoding="utf-8")
    undecoded = re.search(r'sofaString="([^"]*)"', xml)
    assert undecoded is not None and "&#13;&#10;" in undecoded.group(1)
    earth = docs["earth"]
    s, e, _ = next(sp for sp in earth.spans if "\r\n" in raw[sp[0] : sp[1]])  # type: ignore[attr-defined]
    assert undecoded.group(1)[s:e] != raw[s:e]


def test_redewiedergabe_six_annotators_agree_as_the_references_say(corpora: Path) -> None:
    docs = rede_documents(corpora)
    text = docs["earth"].text  # type: ignore[attr-defined]
    article = ArticleLayers(
        "rwk_mkhz_6263-1",
        len(text),
        {name: docs[name].canonical_spans for name in REDE_ANNOTATORS},  # type: ignore[attr-defined]
    )
    names = list(REDE_ANNOTATORS)
    result = compare([article], names)
    assert {"direct", "indirect", "reported", "Frame", "Speaker"} <= set(result.labels)
    assert len(result.pairwise) == 15
    for label in result.labels:
        matrix = np.stack([coded([article], n, label) for n in names])
        figures = result.by_label[label]
        if matrix.min() == matrix.max():
            assert figures.alpha is None
            continue
        expected = krippendorff.alpha(
            reliability_data=matrix.astype(float), level_of_measurement="nominal"
        )
        assert figures.alpha == pytest.approx(expected, abs=1e-9)
        assert figures.fleiss_kappa == pytest.approx(brute_fleiss(matrix), abs=1e-9)
        for a, b in combinations(range(6), 2):
            pair = result.pair(names[a], names[b])
            assert pair.labels[label].kappa == pytest.approx(
                cohen_kappa_score(matrix[a], matrix[b]), abs=1e-9
            )
    # direct speech (quotation marks) is the easiest kind to agree on
    assert result.by_label["direct"].alpha > result.by_label["reported"].alpha
    # each annotator against the consensus: related work, not identical work
    for name in names:
        pair = compare(
            [
                ArticleLayers(
                    "x",
                    len(text),
                    {
                        name: docs[name].canonical_spans,  # type: ignore[attr-defined]
                        "consensus": docs["consensus"].canonical_spans,  # type: ignore[attr-defined]
                    },
                )
            ],
            [name, "consensus"],
        )
        assert 0.3 < pair.overall.overlap_f1 <= 1.0
