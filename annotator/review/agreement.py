"""Inter-annotator agreement on character spans, over plain data: span F1 (exact and overlap),
character-level Cohen's and Fleiss' kappa and Krippendorff's alpha, and the disagreements.

Input is one :class:`ArticleLayers` per shared article: its length and, per annotator, a list of
``(start, end, label)`` tuples or :class:`Mark` values (code points, end exclusive). Nothing here
knows about project files; :mod:`annotator.review.compare` turns projects into this data.

Definitions (and the edge cases, decided once):

* A span is identified by ``(start, end, label)``; a layer holding the same span twice counts it
  once.
* Exact F1 = 2·m / (|A| + |B|), m = spans of A that B has too. Overlap F1: the same with m the
  size of a maximum one-to-one matching (Hopcroft–Karp) between spans of the same label sharing at
  least one character. With no spans on either side (|A| + |B| = 0) F1 is undefined: ``None``.
  So two empty layers give ``None``; one empty layer against spans gives 0.0.
* Kappa and alpha code every character of every compared article, per label and annotator: 1 if
  a span of that label covers it, else 0. Coverage comes from merged intervals (a sweep), so the
  2x2 table costs O(spans log spans), not O(characters). When the codes do not vary at all
  (nobody used the label, or everyone marked every character) the coefficient is undefined:
  ``None``. Figures for the whole set pool the characters of every article (not an average).
* With three or more annotators, F1 and Cohen's kappa are computed for every pair; the label's
  ``exact_f1``/``overlap_f1`` pool the pairs' counts (2·Σm / Σ(|A|+|B|)) and its ``kappa`` is the
  mean of the defined pairwise kappas (Light's kappa); ``fleiss_kappa`` and ``alpha`` take all
  annotators at once.
* "overall" pools the F1 counts of all labels (a match still needs the same label); kappa and
  alpha are per label only.

Disagreements: per article, every distinct span is a *variant* supported by the annotators that
have it. Variants every annotator has are agreements. The rest are grouped, in this order:
variants with the same extent and different labels (``label``); then, per label, variants
chained by overlaps (``boundary``). A group whose every variant is held by the same annotators,
the others having nothing there, is ``only`` instead; so is a lone span: with two annotators
"only in A" / "only in B".
"""

from __future__ import annotations

import gc
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import combinations
from typing import NamedTuple


class Mark(NamedTuple):
    """A span as agreement sees it. ``id`` (the span's id in its own file, for jumping to it) and
    ``text`` (the covered text, for reports) take no part in comparisons."""

    start: int
    end: int
    label: str
    id: int | None = None
    text: str = ""


SpanKey = tuple[int, int, str]
SpanLike = Mark | tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class ArticleLayers:
    """One article seen by several annotators. An annotator missing from ``layers`` read the
    article and marked nothing."""

    key: str  # alignment key: the content hash
    length: int  # code points
    layers: Mapping[str, Sequence[SpanLike]]
    title: str = ""


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small acyclic objects (tuples of
    spans): with 10^5 spans its repeated full passes cost as much as the work itself. The
    previous state is restored."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# ------------------------------------------------------------------------------- statistics
def f1(matches: int, size_a: int, size_b: int) -> float | None:
    """2·m / (|A| + |B|), or None when both sets are empty."""
    total = size_a + size_b
    return None if total == 0 else 2 * matches / total


def cohen_kappa(n11: int, n10: int, n01: int, n00: int) -> float | None:
    """Cohen's kappa from a 2x2 table (n10: A says 1, B says 0), or None without variation."""
    n = n11 + n10 + n01 + n00
    agree = n11 + n00
    chance = (n11 + n10) * (n11 + n01) + (n00 + n01) * (n00 + n10)  # N² · p_e
    denominator = n * n - chance
    if denominator == 0:
        return None
    # Integers all the way: Python's int / int is correctly rounded, so this is exact to the
    # last bit whatever the counts.
    return (n * agree - chance) / denominator


def krippendorff_alpha_binary(histogram: Sequence[int], coders: int) -> float | None:
    """Krippendorff's alpha (nominal) for binary codes with no missing values.

    ``histogram[k]`` is the number of units that exactly k of the ``coders`` coded 1. None when
    fewer than two coders or when only one value occurs.
    """
    m = coders
    if m < 2:
        return None
    ones = sum(k * h for k, h in enumerate(histogram))
    n = m * sum(histogram)  # pairable values
    zeros = n - ones
    if ones == 0 or zeros == 0:
        return None
    # Off-diagonal coincidences o_01 = Σ_u n1·n0/(m−1); alpha = 1 − (n−1)·o_01 / (n_0·n_1).
    mixed = sum(h * k * (m - k) for k, h in enumerate(histogram))
    expected = (m - 1) * zeros * ones
    return (expected - (n - 1) * mixed) / expected


def fleiss_kappa(table: Sequence[Sequence[int]]) -> float | None:
    """Fleiss' kappa from a subjects x categories table of rating counts (every row sums to the
    same number of raters), or None when it is undefined (one category only, < 2 raters)."""
    return _fleiss([(tuple(row), 1) for row in table])


def fleiss_kappa_binary(histogram: Sequence[int], raters: int) -> float | None:
    """Fleiss' kappa for two categories; ``histogram`` as for :func:`krippendorff_alpha_binary`."""
    return _fleiss([((k, raters - k), h) for k, h in enumerate(histogram)])


def _fleiss(rows: Sequence[tuple[tuple[int, ...], int]]) -> float | None:
    """Fleiss' kappa over ``(ratings per category, how many subjects rated so)`` rows."""
    rows = [(row, times) for row, times in rows if times]
    if not rows:
        return None
    m = sum(rows[0][0])
    if m < 2:
        return None
    subjects = sum(times for _, times in rows)
    totals = [0] * len(rows[0][0])
    agreement = 0  # Σ_i Σ_j n_ij (n_ij − 1)
    for row, times in rows:
        if sum(row) != m or len(row) != len(totals):
            raise ValueError("every subject needs the same number of ratings")
        for j, count in enumerate(row):
            totals[j] += count * times
            agreement += count * (count - 1) * times
    # P̄ = agreement / D and P_e = squares / R², with D = N·m(m−1) and R = N·m; then
    # κ = (P̄ − P_e) / (1 − P_e) = (agreement·R² − squares·D) / (D·(R² − squares)), in integers.
    d = subjects * m * (m - 1)
    r2 = (subjects * m) ** 2
    squares = sum(t * t for t in totals)
    if squares == r2:
        return None
    return (agreement * r2 - squares * d) / (d * (r2 - squares))


# ---------------------------------------------------------------------- interval arithmetic
Interval = tuple[int, int]


def union_intervals(spans: Iterable[Interval]) -> list[Interval]:
    """Sorted, disjoint intervals covering exactly the characters the spans cover."""
    merged: list[Interval] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def covered_length(intervals: Iterable[Interval]) -> int:
    return sum(end - start for start, end in intervals)


def intersection_length(a: Sequence[Interval], b: Sequence[Interval]) -> int:
    """Characters covered by both of two sorted disjoint interval lists (two pointers)."""
    i = j = total = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            total += end - start
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def depth_histogram(unions: Sequence[Sequence[Interval]], length: int) -> list[int]:
    """``h[k]`` = characters of ``[0, length)`` covered by exactly k of the interval lists."""
    histogram = [0] * (len(unions) + 1)
    events: list[tuple[int, int]] = []
    for intervals in unions:
        for start, end in intervals:
            events.append((start, 1))
            events.append((end, -1))
    events.sort()
    depth = 0
    position = 0
    for offset, step in events:
        if offset > position:
            histogram[depth] += offset - position
            position = offset
        depth += step
    histogram[0] += length - position
    return histogram


# ----------------------------------------------------------------------------- matching
def overlap_adjacency(a: Sequence[Interval], b: Sequence[Interval]) -> list[list[int]]:
    """For each span of ``a`` the indices of the spans of ``b`` sharing a character with it,
    found by a sweep in O((n + pairs) log n)."""
    adjacency: list[list[int]] = [[] for _ in a]
    events = sorted(
        [(s, 0, i, e) for i, (s, e) in enumerate(a)] + [(s, 1, j, e) for j, (s, e) in enumerate(b)]
    )
    active: tuple[dict[int, int], dict[int, int]] = ({}, {})
    for start, side, index, end in events:
        other = active[1 - side]
        if other:
            for k in [k for k, other_end in other.items() if other_end <= start]:
                del other[k]
            if side == 0:
                adjacency[index].extend(other)
            else:
                for k in other:
                    adjacency[k].append(index)
        active[side][index] = end
    return adjacency


def maximum_matching(adjacency: Sequence[Sequence[int]], right_count: int) -> int:
    """Size of a maximum matching of a bipartite graph (Hopcroft–Karp, iterative)."""
    left_count = len(adjacency)
    match_left = [-1] * left_count
    match_right = [-1] * right_count
    size = 0
    for u, neighbours in enumerate(adjacency):  # a quick start; augmenting paths fix it up
        for v in neighbours:
            if match_right[v] == -1:
                match_left[u], match_right[v] = v, u
                size += 1
                break
    unreached = left_count + 1
    while True:
        dist = [unreached] * left_count
        queue = [u for u in range(left_count) if match_left[u] == -1]
        for u in queue:
            dist[u] = 0
        found = False
        head = 0
        while head < len(queue):
            u = queue[head]
            head += 1
            for v in adjacency[u]:
                w = match_right[v]
                if w == -1:
                    found = True
                elif dist[w] == unreached:
                    dist[w] = dist[u] + 1
                    queue.append(w)
        if not found:
            return size
        cursor = [0] * left_count
        for root in range(left_count):
            if match_left[root] != -1:
                continue
            stack = [root]
            path: list[int] = []
            while stack:
                u = stack[-1]
                if cursor[u] < len(adjacency[u]):
                    v = adjacency[u][cursor[u]]
                    cursor[u] += 1
                    w = match_right[v]
                    if w == -1:
                        path.append(v)
                        for uu, vv in zip(stack, path, strict=True):
                            match_left[uu], match_right[vv] = vv, uu
                        size += 1
                        break
                    if dist[w] == dist[u] + 1:
                        path.append(v)
                        stack.append(w)
                else:
                    dist[u] = unreached  # dead end in this phase
                    stack.pop()
                    if path:
                        path.pop()


def overlap_matches(a: Sequence[Interval], b: Sequence[Interval]) -> int:
    """Size of a maximum one-to-one matching of spans of ``a`` to spans of ``b`` that share a
    character (same label assumed)."""
    if not a or not b:
        return 0
    adjacency = overlap_adjacency(a, b)
    edges = sum(len(n) for n in adjacency)
    if edges == 0:
        return 0
    right_degree: dict[int, int] = defaultdict(int)
    for neighbours in adjacency:
        for v in neighbours:
            right_degree[v] += 1
    if all(len(n) <= 1 for n in adjacency) and all(d == 1 for d in right_degree.values()):
        return edges  # every span overlaps at most one other: the edges are the matching
    return maximum_matching(adjacency, len(b))


# ------------------------------------------------------------------------------ results
@dataclass(frozen=True, slots=True)
class LabelFigures:
    """Agreement on one label (or on all labels, for "overall") over some articles."""

    exact_f1: float | None
    overlap_f1: float | None
    kappa: float | None = None
    alpha: float | None = None
    fleiss_kappa: float | None = None  # three or more annotators only
    spans: Mapping[str, int] = field(default_factory=dict)  # per annotator


@dataclass(frozen=True, slots=True)
class PairFigures:
    """One pair of annotators: overall F1 and, per label, F1 and Cohen's kappa."""

    a: str
    b: str
    exact_f1: float | None
    overlap_f1: float | None
    labels: Mapping[str, LabelFigures]


class Kind(StrEnum):
    ONLY = "only"  # some annotators marked this, the others nothing here
    LABEL = "label"  # the same span with different labels
    BOUNDARY = "boundary"  # overlapping spans of one label with different boundaries


@dataclass(frozen=True, slots=True)
class Variant:
    """A distinct span and the annotators that have it."""

    start: int
    end: int
    label: str
    annotators: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Disagreement:
    """One place where the annotators differ, with every span involved."""

    article: str  # the article's key (content hash)
    kind: Kind
    start: int  # the extent of all spans involved
    end: int
    variants: tuple[Variant, ...]
    spans: tuple[tuple[str, tuple[Mark, ...]], ...]  # per annotator (all of them, in order)

    def spans_of(self, annotator: str) -> tuple[Mark, ...]:
        for name, marks in self.spans:
            if name == annotator:
                return marks
        raise KeyError(annotator)

    @property
    def annotators_with_spans(self) -> tuple[str, ...]:
        return tuple(name for name, marks in self.spans if marks)

    @property
    def key(self) -> str:
        """Stable identity of this disagreement (the same data gives the same key)."""
        text = repr(
            (
                self.article,
                self.kind.value,
                [(v.start, v.end, v.label, v.annotators) for v in self.variants],
            )
        )
        digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        return f"{self.article[:16]}:{self.start}-{self.end}:{digest}"

    def describe(self) -> str:
        if self.kind is Kind.ONLY:
            return "only in " + ", ".join(self.annotators_with_spans)
        if self.kind is Kind.LABEL:
            return "same span, different labels"
        return "overlapping, different boundaries"


@dataclass(frozen=True, slots=True)
class ArticleAgreement:
    key: str
    title: str
    length: int
    labels: Mapping[str, LabelFigures]
    overall: LabelFigures
    disagreements: tuple[Disagreement, ...]
    agreements: tuple[SpanKey, ...]  # spans every annotator has


@dataclass(frozen=True, slots=True)
class Agreement:
    """Agreement of several annotators over a set of shared articles."""

    annotators: tuple[str, ...]
    labels: tuple[str, ...]
    by_label: Mapping[str, LabelFigures]
    overall: LabelFigures
    pairwise: tuple[PairFigures, ...]  # one per pair of annotators (one entry for two)
    articles: tuple[ArticleAgreement, ...]

    @property
    def disagreements(self) -> list[Disagreement]:
        return [d for article in self.articles for d in article.disagreements]

    def pair(self, a: str, b: str) -> PairFigures:
        for figures in self.pairwise:
            if {figures.a, figures.b} == {a, b}:
                return figures
        raise KeyError((a, b))


# ---------------------------------------------------------------------------- computing
@dataclass(slots=True)
class _PairCounts:
    exact: int = 0
    overlap: int = 0
    size_a: int = 0
    size_b: int = 0
    n11: int = 0
    n10: int = 0
    n01: int = 0
    n00: int = 0

    def add(self, other: _PairCounts) -> None:
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
class _LabelCounts:
    """Counts of one label over some articles: per pair, the depth histogram, span counts."""

    pairs: list[_PairCounts]
    histogram: list[int]
    spans: list[int]

    @classmethod
    def empty(cls, annotators: int) -> _LabelCounts:
        pair_count = annotators * (annotators - 1) // 2
        return cls(
            [_PairCounts() for _ in range(pair_count)], [0] * (annotators + 1), [0] * annotators
        )

    def add(self, other: _LabelCounts) -> None:
        for mine, theirs in zip(self.pairs, other.pairs, strict=True):
            mine.add(theirs)
        for k, h in enumerate(other.histogram):
            self.histogram[k] += h
        for i, n in enumerate(other.spans):
            self.spans[i] += n


def _pooled_f1(pairs: Iterable[_PairCounts]) -> tuple[float | None, float | None]:
    exact = overlap = total_a = total_b = 0
    for p in pairs:
        exact += p.exact
        overlap += p.overlap
        total_a += p.size_a
        total_b += p.size_b
    return f1(exact, total_a, total_b), f1(overlap, total_a, total_b)


def _mean(values: Iterable[float | None]) -> float | None:
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None


def _label_figures(counts: _LabelCounts, annotators: Sequence[str]) -> LabelFigures:
    exact, overlap = _pooled_f1(counts.pairs)
    m = len(annotators)
    kappas = [p.kappa() for p in counts.pairs]
    return LabelFigures(
        exact_f1=exact,
        overlap_f1=overlap,
        kappa=kappas[0] if m == 2 else _mean(kappas),
        alpha=krippendorff_alpha_binary(counts.histogram, m),
        fleiss_kappa=fleiss_kappa_binary(counts.histogram, m) if m >= 3 else None,
        spans=dict(zip(annotators, counts.spans, strict=True)),
    )


def _overall_figures(per_label: Iterable[_LabelCounts], annotators: Sequence[str]) -> LabelFigures:
    pairs: list[_PairCounts] = []
    spans = [0] * len(annotators)
    for counts in per_label:
        pairs.extend(counts.pairs)
        for i, n in enumerate(counts.spans):
            spans[i] += n
    exact, overlap = _pooled_f1(pairs)
    return LabelFigures(exact, overlap, spans=dict(zip(annotators, spans, strict=True)))


def _normalized_layers(
    article: ArticleLayers, annotators: Sequence[str], labels: frozenset[str] | None
) -> list[dict[SpanKey, Mark]]:
    """Per annotator: its spans by ``(start, end, label)``, checked, deduplicated (first kept)."""
    layers = []
    for name in annotators:
        spans: dict[SpanKey, Mark] = {}
        for item in article.layers.get(name, ()):
            mark = item if isinstance(item, Mark) else Mark(*item)
            if not (0 <= mark.start < mark.end <= article.length):
                raise ValueError(
                    f"span [{mark.start}, {mark.end}) of {name!r} is outside article "
                    f"{article.key!r} ({article.length} characters) or empty"
                )
            if labels is not None and mark.label not in labels:
                continue
            spans.setdefault((mark.start, mark.end, mark.label), mark)
        layers.append(spans)
    return layers


def _article_counts(
    layers: Sequence[dict[SpanKey, Mark]], labels: Sequence[str], length: int
) -> dict[str, _LabelCounts]:
    m = len(layers)
    by_label: list[dict[str, list[Interval]]] = []
    for spans in layers:
        grouped: dict[str, list[Interval]] = defaultdict(list)
        for start, end, label in spans:
            grouped[label].append((start, end))
        by_label.append(grouped)
    pair_indices = list(combinations(range(m), 2))
    result: dict[str, _LabelCounts] = {}
    for label in labels:
        extents = [sorted(grouped.get(label, ())) for grouped in by_label]
        counts = _LabelCounts.empty(m)
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


def find_disagreements(
    article_key: str, layers: Sequence[dict[SpanKey, Mark]], annotators: Sequence[str]
) -> tuple[list[SpanKey], list[Disagreement]]:
    """The spans everyone has, and the disagreements (see the module docstring)."""
    # support: every span not all annotators have -> the indices of those that have it
    everyone = len(layers)
    if everyone == 2:  # the usual case, in set operations
        first, second = layers[0].keys(), layers[1].keys()
        common = first & second
        agreed = sorted(common)
        support: dict[SpanKey, tuple[int, ...]] = dict.fromkeys(first - common, (0,))
        support.update(dict.fromkeys(second - common, (1,)))
    else:
        holders: dict[SpanKey, list[int]] = {}
        for index, spans in enumerate(layers):
            for key in spans:
                present = holders.get(key)
                if present is None:
                    holders[key] = [index]
                else:
                    present.append(index)
        agreed = sorted(k for k, found in holders.items() if len(found) == everyone)
        support = {k: tuple(found) for k, found in holders.items() if len(found) < everyone}
    by_extent: dict[Interval, list[SpanKey]] = defaultdict(list)
    for key in support:
        by_extent[(key[0], key[1])].append(key)
    groups: list[tuple[Kind | None, list[SpanKey]]] = []
    rest: dict[str, list[SpanKey]] = defaultdict(list)
    for keys in by_extent.values():
        if len({k[2] for k in keys}) > 1:
            groups.append((Kind.LABEL, keys))
        else:
            rest[keys[0][2]].extend(keys)
    for keys in rest.values():
        keys.sort()
        component: list[SpanKey] = []
        reach = 0  # end of the component so far: a span starting before it overlaps it
        for key in keys:
            if component and key[0] < reach:
                component.append(key)
                reach = max(reach, key[1])
            else:
                if component:
                    groups.append((None, component))
                component, reach = [key], key[1]
        if component:
            groups.append((None, component))
    items = []
    names_of: dict[tuple[int, ...], tuple[str, ...]] = {}
    for kind, keys in groups:
        keys = sorted(keys)
        per_annotator: list[list[Mark]] = [[] for _ in annotators]
        variants = []
        supporters = set()
        end = keys[0][1]
        for k in keys:
            who = support[k]
            supporters.add(who)
            names = names_of.get(who)
            if names is None:
                names = names_of[who] = tuple(annotators[i] for i in who)
            variants.append(Variant(k[0], k[1], k[2], names))
            for i in who:
                per_annotator[i].append(layers[i][k])
            if k[1] > end:
                end = k[1]
        if len(supporters) == 1:
            kind = Kind.ONLY  # the same annotators have all of it, the others nothing here
        elif kind is None:
            kind = Kind.BOUNDARY
        items.append(
            Disagreement(
                article=article_key,
                kind=kind,
                start=keys[0][0],
                end=end,
                variants=tuple(variants),
                spans=tuple(zip(annotators, map(tuple, per_annotator), strict=True)),
            )
        )
    items.sort(key=lambda d: (d.start, d.end, d.kind.value))
    return agreed, items


def compare(
    articles: Iterable[ArticleLayers],
    annotators: Sequence[str],
    labels: Sequence[str] | None = None,
) -> Agreement:
    """Agreement of ``annotators`` (two or more) over ``articles``, per label and overall, per
    article and for the whole set. ``labels`` restricts (and orders) the labels compared; by
    default every label any annotator used, in order of first use."""
    annotators = tuple(annotators)
    if len(annotators) < 2:
        raise ValueError("agreement needs at least two annotators")
    if len(set(annotators)) != len(annotators):
        raise ValueError(f"annotator names must differ: {annotators}")
    with gc_paused():
        return _compare(articles, annotators, labels)


def _compare(
    articles: Iterable[ArticleLayers],
    annotators: tuple[str, ...],
    labels: Sequence[str] | None,
) -> Agreement:
    wanted = frozenset(labels) if labels is not None else None
    prepared = []
    seen_labels: dict[str, None] = dict.fromkeys(labels or ())
    for article in articles:
        layers = _normalized_layers(article, annotators, wanted)
        for spans in layers:
            for key in spans:
                seen_labels.setdefault(key[2])
        prepared.append((article, layers))
    label_order = tuple(seen_labels)
    totals = {label: _LabelCounts.empty(len(annotators)) for label in label_order}
    results = []
    for article, layers in prepared:
        counts = _article_counts(layers, label_order, article.length)
        for label, c in counts.items():
            totals[label].add(c)
        agreed, disagreements = find_disagreements(article.key, layers, annotators)
        results.append(
            ArticleAgreement(
                key=article.key,
                title=article.title,
                length=article.length,
                labels={label: _label_figures(c, annotators) for label, c in counts.items()},
                overall=_overall_figures(counts.values(), annotators),
                disagreements=tuple(disagreements),
                agreements=tuple(agreed),
            )
        )
    pairwise = []
    for index, (i, j) in enumerate(combinations(range(len(annotators)), 2)):
        per_label = {}
        for label in label_order:
            p = totals[label].pairs[index]
            exact, overlap = _pooled_f1([p])
            per_label[label] = LabelFigures(
                exact,
                overlap,
                kappa=p.kappa(),
                spans={annotators[i]: p.size_a, annotators[j]: p.size_b},
            )
        exact, overlap = _pooled_f1(totals[label].pairs[index] for label in label_order)
        pairwise.append(PairFigures(annotators[i], annotators[j], exact, overlap, per_label))
    return Agreement(
        annotators=annotators,
        labels=label_order,
        by_label={label: _label_figures(totals[label], annotators) for label in label_order},
        overall=_overall_figures(totals.values(), annotators),
        pairwise=tuple(pairwise),
        articles=tuple(results),
    )
