"""The measures agreement is made of, over plain numbers and intervals: F1, Cohen's and Fleiss'
kappa and Krippendorff's alpha (binary codes, exact integer arithmetic), interval unions and
intersections, and maximum one-to-one matchings of overlapping spans (Hopcroft–Karp).

:mod:`annotator.review.agreement` explains the definitions and edge cases they implement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence


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
    count_a, count_b = len(a), len(b)
    while i < count_a and j < count_b:
        start_a, end_a = a[i]
        start_b, end_b = b[j]
        # Plain comparisons: max() and min() calls cost more than the rest of the step.
        start = start_a if start_a > start_b else start_b
        end = end_a if end_a < end_b else end_b
        if start < end:
            total += end - start
        if end_a < end_b:
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
    if len(a) * len(b) <= 64:  # few spans (the usual case): every pair looked at is quicker
        adjacency = [[j for j, (bs, be) in enumerate(b) if bs < e and s < be] for s, e in a]
    else:
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
