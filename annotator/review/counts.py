"""The integer counts agreement is computed from, per label and article: for each pair of
annotators the exact and overlap matches, span numbers and the 2x2 table of characters, and the
histogram of how many annotators cover each character. Counts add up over articles exactly;
:mod:`annotator.review.agreement` turns them into figures."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from annotator.review.disagreements import SpanKey
from annotator.review.measures import (
    Interval,
    cohen_kappa,
    covered_length,
    depth_histogram,
    f1,
    intersection_length,
    overlap_matches,
    union_intervals,
)


@dataclass(slots=True)
class PairCounts:
    exact: int = 0
    overlap: int = 0
    size_a: int = 0
    size_b: int = 0
    n11: int = 0
    n10: int = 0
    n01: int = 0
    n00: int = 0

    def add(self, other: PairCounts) -> None:
        self.exact += other.exact
        self.overlap += other.overlap
        self.size_a += other.size_a
        self.size_b += other.size_b
        self.n11 += other.n11
        self.n10 += other.n10
        self.n01 += other.n01
        self.n00 += other.n00

    def kappa(self) -> float | None:
        return cohen_kappa(self.n11, self.n10, self.n01, self.n00)


@dataclass(slots=True)
class LabelCounts:
    """Counts of one label over some articles: per pair, the depth histogram, span counts."""

    pairs: list[PairCounts]
    histogram: list[int]
    spans: list[int]

    @classmethod
    def empty(cls, annotators: int) -> LabelCounts:
        pair_count = annotators * (annotators - 1) // 2
        return cls(
            [PairCounts() for _ in range(pair_count)], [0] * (annotators + 1), [0] * annotators
        )

    def add(self, other: LabelCounts) -> None:
        for mine, theirs in zip(self.pairs, other.pairs, strict=True):
            mine.add(theirs)
        for k, h in enumerate(other.histogram):
            self.histogram[k] += h
        for i, n in enumerate(other.spans):
            self.spans[i] += n


def pooled_f1(pairs: Iterable[PairCounts]) -> tuple[float | None, float | None]:
    exact = overlap = total_a = total_b = 0
    for p in pairs:
        exact += p.exact
        overlap += p.overlap
        total_a += p.size_a
        total_b += p.size_b
    return f1(exact, total_a, total_b), f1(overlap, total_a, total_b)


def mean(values: Iterable[float | None]) -> float | None:
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None


def article_counts(
    layers: Sequence[Mapping[SpanKey, Any]], labels: Sequence[str], length: int
) -> dict[str, LabelCounts]:
    m = len(layers)
    by_label: list[dict[str, list[Interval]]] = []
    for spans in layers:
        grouped: dict[str, list[Interval]] = defaultdict(list)
        for start, end, label in spans:
            grouped[label].append((start, end))
        by_label.append(grouped)
    if m == 2:
        first, second = by_label
        return {
            label: two_counts(sorted(first.get(label, ())), sorted(second.get(label, ())), length)
            for label in labels
        }
    pair_indices = list(combinations(range(m), 2))
    result: dict[str, LabelCounts] = {}
    for label in labels:
        extents = [sorted(grouped.get(label, ())) for grouped in by_label]
        counts = LabelCounts.empty(m)
        counts.spans = [len(e) for e in extents]
        if not any(extents):
            counts.histogram[0] = length
            for pair in counts.pairs:
                pair.n00 = length
            result[label] = counts
            continue
        unions = [union_intervals(e) for e in extents]
        covered = [covered_length(u) for u in unions]
        counts.histogram = depth_histogram(unions, length)
        sets = [set(e) for e in extents]
        for pair, (i, j) in zip(counts.pairs, pair_indices, strict=True):
            a, b = extents[i], extents[j]
            pair.size_a, pair.size_b = len(a), len(b)
            pair.exact = len(sets[i] & sets[j]) if a and b else 0
            if pair.exact == min(len(a), len(b)):
                pair.overlap = pair.exact  # a matching can never be larger than the smaller side
            else:
                pair.overlap = overlap_matches(a, b)
            both = counts.histogram[2] if m == 2 else intersection_length(unions[i], unions[j])
            pair.n11 = both
            pair.n10 = covered[i] - both
            pair.n01 = covered[j] - both
            pair.n00 = length - covered[i] - covered[j] + both
        result[label] = counts
    return result


def two_counts(a: list[Interval], b: list[Interval], length: int) -> LabelCounts:
    """What the general case counts, for two annotators: the characters both cover are the
    intersection of the two unions, those one covers the rest of either union."""
    if a and b:
        exact = len(set(a).intersection(b))
        overlap = exact if exact == min(len(a), len(b)) else overlap_matches(a, b)
        union_a, union_b = union_intervals(a), union_intervals(b)
        covered_a, covered_b = covered_length(union_a), covered_length(union_b)
        both = intersection_length(union_a, union_b)
    else:
        exact = overlap = both = 0
        covered_a = covered_length(union_intervals(a)) if a else 0
        covered_b = covered_length(union_intervals(b)) if b else 0
    neither = length - covered_a - covered_b + both
    pair = PairCounts(
        exact,
        overlap,
        len(a),
        len(b),
        both,
        covered_a - both,
        covered_b - both,
        neither,
    )
    return LabelCounts([pair], [neither, covered_a + covered_b - 2 * both, both], [len(a), len(b)])


def absent(counts: LabelCounts, length: int) -> None:
    """Count ``length`` characters that no annotator covers with the label."""
    counts.histogram[0] += length
    for pair in counts.pairs:
        pair.n00 += length
