"""The agreement maths on plain data, checked against independent implementations (scikit-learn,
krippendorff, scipy's matching, brute force over characters) and hand-computed examples."""

from __future__ import annotations

import random
from itertools import combinations

import krippendorff
import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching
from sklearn.metrics import cohen_kappa_score

from annotator.review.agreement import ArticleLayers, Kind, Mark, compare
from annotator.review.measures import (
    cohen_kappa,
    depth_histogram,
    f1,
    fleiss_kappa,
    fleiss_kappa_binary,
    krippendorff_alpha_binary,
    maximum_matching,
    overlap_adjacency,
    overlap_matches,
    union_intervals,
)

LABELS = ("Quote", "Source", "Claim")


# ------------------------------------------------------------------------- generated data
def random_layers(
    seed: int, annotators: int, articles: int = 30, *, max_length: int = 400
) -> tuple[list[ArticleLayers], list[str]]:
    """Articles with random, often overlapping spans; annotators share a base so that they
    agree sometimes, exactly or roughly."""
    rng = random.Random(seed)
    names = [f"ann{i}" for i in range(annotators)]
    result = []
    for index in range(articles):
        length = rng.randint(1, max_length)
        base = []
        for _ in range(rng.randint(0, 12)):
            start = rng.randrange(length)
            end = rng.randint(start + 1, min(length, start + 60))
            base.append((start, end, rng.choice(LABELS)))
        layers: dict[str, list[tuple[int, int, str]]] = {}
        for name in names:
            spans = []
            for start, end, label in base:
                roll = rng.random()
                if roll < 0.15:
                    continue  # missed it
                if roll < 0.3:
                    start = max(0, min(end - 1, start + rng.randint(-5, 5)))
                    end = min(length, max(start + 1, end + rng.randint(-5, 5)))
                elif roll < 0.38:
                    label = rng.choice(LABELS)
                spans.append((start, end, label))
            for _ in range(rng.randint(0, 3)):  # extras of its own
                start = rng.randrange(length)
                spans.append((start, rng.randint(start + 1, length), rng.choice(LABELS)))
            layers[name] = spans
        result.append(ArticleLayers(f"article-{index}", length, layers))
    return result, names


def coded(articles: list[ArticleLayers], name: str, label: str) -> np.ndarray:
    """Per character of every article, 1 if a span of ``label`` by ``name`` covers it: the
    brute-force coding the interval arithmetic must agree with."""
    parts = []
    for article in articles:
        codes = np.zeros(article.length, dtype=np.int64)
        for start, end, lab in article.layers.get(name, ()):
            if lab == label:
                codes[start:end] = 1
        parts.append(codes)
    return np.concatenate(parts)


def brute_overlap_matching(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    if not a or not b:
        return 0
    graph = np.array([[1 if x[0] < y[1] and y[0] < x[1] else 0 for y in b] for x in a])
    matching = maximum_bipartite_matching(csr_matrix(graph), perm_type="column")
    return int((matching >= 0).sum())


def brute_fleiss(matrix: np.ndarray) -> float:
    """Fleiss' kappa for raters x subjects binary codes, written out with numpy."""
    raters, _ = matrix.shape
    ones = matrix.sum(axis=0)
    table = np.stack([raters - ones, ones], axis=1).astype(float)
    p_i = (np.sum(table * table, axis=1) - raters) / (raters * (raters - 1))
    p_j = table.sum(axis=0) / table.sum()
    p_bar, p_e = p_i.mean(), np.sum(p_j * p_j)
    return float((p_bar - p_e) / (1 - p_e))


# ------------------------------------------------------------------------------------ F1
def test_f1_definition_and_empty_sets() -> None:
    assert f1(0, 0, 0) is None  # two empty sets: undefined, not 1.0
    assert f1(0, 3, 0) == 0.0
    assert f1(2, 2, 2) == 1.0
    assert f1(1, 2, 3) == pytest.approx(0.4)


@pytest.mark.parametrize("seed", range(6))
def test_exact_and_overlap_f1_match_brute_force(seed: int) -> None:
    articles, names = random_layers(seed, 2)
    result = compare(articles, names)
    for label in result.labels:
        exact = overlap = size_a = size_b = 0
        for article in articles:
            a = sorted({(s, e) for s, e, lb in article.layers[names[0]] if lb == label})
            b = sorted({(s, e) for s, e, lb in article.layers[names[1]] if lb == label})
            exact += len(set(a) & set(b))
            overlap += brute_overlap_matching(a, b)
            size_a, size_b = size_a + len(a), size_b + len(b)
        figures = result.by_label[label]
        assert figures.exact_f1 == pytest.approx(f1(exact, size_a, size_b))
        assert figures.overlap_f1 == pytest.approx(f1(overlap, size_a, size_b))
        assert figures.spans == {names[0]: size_a, names[1]: size_b}


def test_overlap_matching_is_maximum_not_greedy() -> None:
    # A1 overlaps B1 and B2, A2 only B1: taking A1-B1 first (greedy by position) leaves A2
    # unmatched; the maximum matching pairs A1-B2 and A2-B1.
    a = [(0, 10), (0, 3)]
    b = [(2, 4), (8, 12)]
    assert overlap_matches(a, b) == 2
    article = ArticleLayers(
        "x", 20, {"A": [(0, 10, "Q"), (0, 3, "Q")], "B": [(2, 4, "Q"), (8, 12, "Q")]}
    )
    assert compare([article], ["A", "B"]).by_label["Q"].overlap_f1 == 1.0


def test_touching_spans_do_not_overlap() -> None:
    assert overlap_matches([(0, 5)], [(5, 9)]) == 0
    assert overlap_matches([(0, 5)], [(4, 9)]) == 1


@pytest.mark.parametrize("seed", range(40))
def test_hopcroft_karp_matches_scipy_on_random_graphs(seed: int) -> None:
    rng = random.Random(seed)
    left, right = rng.randint(1, 30), rng.randint(1, 30)
    density = rng.random()
    adjacency = [[v for v in range(right) if rng.random() < density] for _ in range(left)]
    graph = np.array([[1 if v in row else 0 for v in range(right)] for row in adjacency])
    expected = int((maximum_bipartite_matching(csr_matrix(graph), perm_type="column") >= 0).sum())
    assert maximum_matching(adjacency, right) == expected


@pytest.mark.parametrize("seed", range(10))
def test_overlap_sweep_finds_exactly_the_overlapping_pairs(seed: int) -> None:
    rng = random.Random(seed)

    def spans() -> list[tuple[int, int]]:
        out = []
        for _ in range(rng.randint(0, 25)):
            s = rng.randrange(100)
            out.append((s, rng.randint(s + 1, 110)))
        return out

    a, b = spans(), spans()
    found = {(i, j) for i, row in enumerate(overlap_adjacency(a, b)) for j in row}
    expected = {
        (i, j) for i, x in enumerate(a) for j, y in enumerate(b) if x[0] < y[1] and y[0] < x[1]
    }
    assert found == expected


# --------------------------------------------------------------------- kappa and alpha
@pytest.mark.parametrize("seed", range(8))
def test_cohen_kappa_matches_scikit_learn(seed: int) -> None:
    articles, names = random_layers(100 + seed, 2)
    result = compare(articles, names)
    for label in result.labels:
        a, b = coded(articles, names[0], label), coded(articles, names[1], label)
        expected = cohen_kappa_score(a, b)
        assert result.by_label[label].kappa == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("seed", "annotators"), [(1, 2), (2, 3), (3, 4), (4, 5)])
def test_krippendorff_alpha_matches_the_krippendorff_package(seed: int, annotators: int) -> None:
    articles, names = random_layers(200 + seed, annotators)
    result = compare(articles, names)
    for label in result.labels:
        data = np.stack([coded(articles, n, label) for n in names]).astype(float)
        expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        assert result.by_label[label].alpha == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_multi_annotator_figures_match_independent_ones(seed: int) -> None:
    articles, names = random_layers(300 + seed, 4)
    result = compare(articles, names)
    assert len(result.pairwise) == 6
    for label in result.labels:
        matrix = np.stack([coded(articles, n, label) for n in names])
        assert result.by_label[label].fleiss_kappa == pytest.approx(brute_fleiss(matrix))
        kappas = []
        for pair in result.pairwise:
            i, j = names.index(pair.a), names.index(pair.b)
            expected = cohen_kappa_score(matrix[i], matrix[j])
            assert pair.labels[label].kappa == pytest.approx(expected, abs=1e-12)
            kappas.append(expected)
        assert result.by_label[label].kappa == pytest.approx(np.mean(kappas))  # Light's kappa


def test_fleiss_kappa_textbook_example() -> None:
    # Fleiss (1971) as worked in Wikipedia's "Fleiss' kappa" article: 10 subjects, 14 raters,
    # 5 categories; P̄ = 0.378, P̄e = 0.213, κ = 0.210.
    table = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    assert fleiss_kappa(table) == pytest.approx(0.20993, abs=1e-5)


def test_fleiss_kappa_small_hand_computed_binary_example() -> None:
    # 4 characters, 3 raters; ones per character: 3, 0, 2, 1.
    # P_i = 1, 1, 1/3, 1/3 -> P̄ = 2/3; p1 = 6/12 -> P_e = 1/2; κ = (2/3 - 1/2)/(1/2) = 1/3.
    histogram = [1, 1, 1, 1]  # one character each with 0, 1, 2 and 3 ones
    assert fleiss_kappa_binary(histogram, 3) == pytest.approx(1 / 3)
    assert fleiss_kappa([[3, 0], [0, 3], [1, 2], [2, 1]]) == pytest.approx(1 / 3)


def test_coefficients_without_variation_are_undefined() -> None:
    assert cohen_kappa(0, 0, 0, 10) is None
    assert cohen_kappa(10, 0, 0, 0) is None
    assert krippendorff_alpha_binary([10, 0, 0], 2) is None
    assert fleiss_kappa_binary([0, 0, 0, 7], 3) is None
    assert cohen_kappa(0, 0, 0, 0) is None  # no characters at all


# --------------------------------------------------------------------- interval arithmetic
@pytest.mark.parametrize("seed", range(10))
def test_depth_histogram_matches_counting_characters(seed: int) -> None:
    rng = random.Random(seed)
    length = rng.randint(1, 300)
    layers = []
    for _ in range(rng.randint(1, 5)):
        spans = []
        for _ in range(rng.randint(0, 10)):
            s = rng.randrange(length)
            spans.append((s, rng.randint(s + 1, length)))
        layers.append(spans)
    depth = np.zeros(length, dtype=int)
    for spans in layers:
        covered = np.zeros(length, dtype=bool)
        for s, e in spans:
            covered[s:e] = True
        depth += covered
    expected = [int((depth == k).sum()) for k in range(len(layers) + 1)]
    assert depth_histogram([union_intervals(s) for s in layers], length) == expected


def test_coverage_never_walks_characters() -> None:
    # A trillion-character article with a handful of spans is as cheap as a short one.
    big = 10**12
    article = ArticleLayers(
        "big", big, {"A": [(0, 10**6, "Q"), (5 * 10**11, big, "Q")], "B": [(0, 10**6, "Q")]}
    )
    figures = compare([article], ["A", "B"]).by_label["Q"]
    assert figures.exact_f1 == pytest.approx(2 / 3)
    assert figures.kappa is not None and 0 < figures.kappa < 1


# ------------------------------------------------------------------------------ edge cases
def test_no_spans_at_all() -> None:
    article = ArticleLayers("a", 50, {"A": [], "B": []})
    result = compare([article], ["A", "B"], labels=["Quote"])
    q = result.by_label["Quote"]
    assert (q.exact_f1, q.overlap_f1, q.kappa, q.alpha) == (None, None, None, None)
    assert result.overall.exact_f1 is None
    assert result.disagreements == []
    assert compare([article], ["A", "B"]).labels == ()  # no label used, none requested


def test_one_annotator_empty() -> None:
    article = ArticleLayers("a", 50, {"A": [(0, 10, "Quote"), (20, 30, "Quote")]})
    result = compare([article], ["A", "B"])  # B is missing from the layers: read, marked nothing
    q = result.by_label["Quote"]
    assert (q.exact_f1, q.overlap_f1, q.kappa) == (0.0, 0.0, 0.0)
    assert q.alpha is not None and q.alpha < 0
    assert q.spans == {"A": 2, "B": 0}
    assert [d.kind for d in result.disagreements] == [Kind.ONLY, Kind.ONLY]
    assert all(d.annotators_with_spans == ("A",) for d in result.disagreements)


def test_identical_layers() -> None:
    spans = [(0, 10, "Quote"), (5, 15, "Source"), (30, 31, "Claim")]
    article = ArticleLayers("a", 40, {"A": spans, "B": list(reversed(spans))})
    result = compare([article], ["A", "B"])
    for figures in result.by_label.values():
        assert (figures.exact_f1, figures.overlap_f1, figures.kappa, figures.alpha) == (
            1.0,
            1.0,
            1.0,
            1.0,
        )
    assert result.disagreements == []
    assert result.articles[0].agreements == tuple(sorted(spans))


def test_every_character_covered_by_both_is_perfect_f1_but_undefined_kappa() -> None:
    article = ArticleLayers("a", 10, {"A": [(0, 10, "Q")], "B": [(0, 10, "Q")]})
    q = compare([article], ["A", "B"]).by_label["Q"]
    assert q.exact_f1 == 1.0 and q.kappa is None and q.alpha is None


def test_a_label_only_one_annotator_used() -> None:
    article = ArticleLayers(
        "a", 40, {"A": [(0, 10, "Quote"), (12, 20, "Claim")], "B": [(0, 10, "Quote")]}
    )
    result = compare([article], ["A", "B"])
    claim = result.by_label["Claim"]
    assert (claim.exact_f1, claim.overlap_f1, claim.kappa) == (0.0, 0.0, 0.0)
    assert claim.spans == {"A": 1, "B": 0}
    assert result.by_label["Quote"].exact_f1 == 1.0
    assert result.overall.exact_f1 == pytest.approx(2 * 1 / 3)


def test_a_requested_label_nobody_used_is_reported_undefined() -> None:
    article = ArticleLayers("a", 40, {"A": [(0, 10, "Quote")], "B": [(0, 10, "Quote")]})
    result = compare([article], ["A", "B"], labels=["Speculation", "Quote"])
    assert result.labels == ("Speculation", "Quote")
    spec = result.by_label["Speculation"]
    assert (spec.exact_f1, spec.kappa, spec.alpha) == (None, None, None)
    assert spec.spans == {"A": 0, "B": 0}


def test_label_filter_leaves_other_labels_out_of_everything() -> None:
    article = ArticleLayers(
        "a", 40, {"A": [(0, 10, "Quote"), (12, 20, "Claim")], "B": [(0, 10, "Quote")]}
    )
    result = compare([article], ["A", "B"], labels=["Quote"])
    assert result.labels == ("Quote",)
    assert result.overall.exact_f1 == 1.0
    assert result.disagreements == []


def test_duplicate_spans_in_one_layer_count_once() -> None:
    article = ArticleLayers("a", 40, {"A": [(0, 10, "Q"), (0, 10, "Q")], "B": [(0, 10, "Q")]})
    assert compare([article], ["A", "B"]).by_label["Q"].exact_f1 == 1.0


def test_spans_outside_the_article_are_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        compare([ArticleLayers("a", 5, {"A": [(0, 6, "Q")], "B": []})], ["A", "B"])
    with pytest.raises(ValueError, match="empty"):
        compare([ArticleLayers("a", 5, {"A": [(3, 3, "Q")], "B": []})], ["A", "B"])


def test_annotators_must_be_two_or_more_and_distinct() -> None:
    with pytest.raises(ValueError):
        compare([], ["A"])
    with pytest.raises(ValueError):
        compare([], ["A", "A"])


def test_whole_set_pools_characters_and_spans_rather_than_averaging() -> None:
    one = ArticleLayers("1", 10, {"A": [(0, 5, "Q")], "B": [(0, 5, "Q")]})
    two = ArticleLayers("2", 1000, {"A": [(0, 5, "Q"), (10, 20, "Q")], "B": []})
    result = compare([one, two], ["A", "B"])
    q = result.by_label["Q"]
    assert q.exact_f1 == pytest.approx(2 * 1 / (3 + 1))
    a = np.concatenate([coded([one], "A", "Q"), coded([two], "A", "Q")])
    b = np.concatenate([coded([one], "B", "Q"), coded([two], "B", "Q")])
    assert q.kappa == pytest.approx(cohen_kappa_score(a, b))
    per_article = [art.labels["Q"].exact_f1 for art in result.articles]
    assert per_article == [1.0, 0.0]


# --------------------------------------------------------------------------- disagreements
def test_disagreement_kinds_for_two_annotators() -> None:
    article = ArticleLayers(
        "h",
        100,
        {
            "A": [Mark(0, 10, "Q", 1), Mark(20, 30, "Q", 2), Mark(40, 50, "C", 3), (80, 90, "S")],
            "B": [
                Mark(0, 10, "Q", 7),
                Mark(22, 30, "Q", 8),
                Mark(40, 50, "Q", 9),
                Mark(60, 70, "S", 10),
            ],
        },
    )
    result = compare([article], ["A", "B"])
    found = [(d.kind, d.start, d.end, d.annotators_with_spans) for d in result.disagreements]
    assert found == [
        (Kind.BOUNDARY, 20, 30, ("A", "B")),
        (Kind.LABEL, 40, 50, ("A", "B")),
        (Kind.ONLY, 60, 70, ("B",)),
        (Kind.ONLY, 80, 90, ("A",)),
    ]
    boundary, label, only_b, only_a = result.disagreements
    assert boundary.spans_of("A") == (Mark(20, 30, "Q", 2),)  # ids kept for the GUI to jump
    assert boundary.spans_of("B") == (Mark(22, 30, "Q", 8),)
    assert {(m.label, m.id) for m in label.spans_of("A") + label.spans_of("B")} == {
        ("C", 3),
        ("Q", 9),
    }
    assert only_b.describe() == "only in B" and only_a.spans_of("B") == ()
    assert label.describe() == "same span, different labels"
    assert result.articles[0].agreements == ((0, 10, "Q"),)


def test_a_chain_of_overlaps_is_one_boundary_disagreement() -> None:
    article = ArticleLayers("h", 100, {"A": [(0, 10, "Q"), (12, 20, "Q")], "B": [(5, 15, "Q")]})
    (item,) = compare([article], ["A", "B"]).disagreements
    assert item.kind is Kind.BOUNDARY
    assert (item.start, item.end) == (0, 20)
    assert len(item.spans_of("A")) == 2 and len(item.spans_of("B")) == 1


def test_disagreements_with_three_annotators() -> None:
    article = ArticleLayers(
        "h",
        100,
        {
            "A": [(0, 10, "Q"), (20, 30, "Q"), (40, 50, "Q")],
            "B": [(0, 10, "Q"), (20, 30, "C"), (40, 50, "Q")],
            "C": [(0, 10, "Q"), (20, 30, "Q")],
        },
    )
    result = compare([article], ["A", "B", "C"])
    kinds = [(d.kind, d.start, d.annotators_with_spans) for d in result.disagreements]
    assert kinds == [(Kind.LABEL, 20, ("A", "B", "C")), (Kind.ONLY, 40, ("A", "B"))]
    assert result.disagreements[1].describe() == "only in A, B"
    variants = {(v.label, v.annotators) for v in result.disagreements[0].variants}
    assert variants == {("Q", ("A", "C")), ("C", ("B",))}


def test_disagreement_keys_are_stable_and_distinct() -> None:
    articles, names = random_layers(7, 3)
    first = [d.key for d in compare(articles, names).disagreements]
    again = [d.key for d in compare(articles, names).disagreements]
    assert first == again
    assert len(set(first)) == len(first)


def test_every_span_is_in_exactly_one_agreement_or_disagreement() -> None:
    articles, names = random_layers(11, 3)
    result = compare(articles, names)
    for article, figures in zip(articles, result.articles, strict=True):
        for name in names:
            own = {(s, e, lb) for s, e, lb in article.layers[name]}
            placed = [k for k in figures.agreements]
            for d in figures.disagreements:
                placed += [(m.start, m.end, m.label) for m in d.spans_of(name)]
            assert sorted(placed) == sorted(own)


def test_pairwise_entries_cover_every_pair() -> None:
    articles, names = random_layers(5, 4, articles=5)
    result = compare(articles, names)
    assert {(p.a, p.b) for p in result.pairwise} == set(combinations(names, 2))
    assert result.pair("ann3", "ann1").a == "ann1"


def test_two_labels_on_one_extent_by_one_annotator_is_only_theirs() -> None:
    article = ArticleLayers("h", 20, {"A": [(0, 10, "Q"), (0, 10, "C")], "B": []})
    (item,) = compare([article], ["A", "B"]).disagreements
    assert item.kind is Kind.ONLY and item.describe() == "only in A"
    assert len(item.spans_of("A")) == 2
