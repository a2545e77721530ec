"""Where annotators differ in one article: every distinct span is a *variant* supported by the
annotators that have it, and the variants not everyone has are grouped into disagreements.

Variants every annotator has are agreements. The rest are grouped, in this order: variants with
the same extent and different labels (``label``); then, per label, variants chained by overlaps
(``boundary``). A group whose every variant is held by the same annotators, the others having
nothing there, is ``only`` instead; so is a lone span: with two annotators "only in A" / "only
in B".
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple, TypeVar


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


Interval = tuple[int, int]
_Value = TypeVar("_Value")
# (kind before the ``only`` check: LABEL or None, the group's keys, sorted)
_Group = tuple["Kind | None", list[SpanKey]]


def _support(
    layers: Sequence[Mapping[SpanKey, _Value]],
) -> tuple[list[SpanKey], dict[SpanKey, tuple[int, ...]]]:
    """The spans everyone has (sorted), and every other span with the indices of the layers
    that have it."""
    everyone = len(layers)
    if everyone == 2:  # the usual case, in set operations
        first, second = layers[0].keys(), layers[1].keys()
        common = first & second
        support: dict[SpanKey, tuple[int, ...]] = dict.fromkeys(first - common, (0,))
        support.update(dict.fromkeys(second - common, (1,)))
        return sorted(common), support
    holders: dict[SpanKey, list[int]] = {}
    for index, spans in enumerate(layers):
        for key in spans:
            present = holders.get(key)
            if present is None:
                holders[key] = [index]
            else:
                present.append(index)
    agreed = sorted(k for k, found in holders.items() if len(found) == everyone)
    return agreed, {k: tuple(found) for k, found in holders.items() if len(found) < everyone}


def _groups(support: Mapping[SpanKey, tuple[int, ...]]) -> list[_Group]:
    by_extent: dict[Interval, list[SpanKey]] = defaultdict(list)
    for key in support:
        by_extent[(key[0], key[1])].append(key)
    groups: list[_Group] = []
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
    return groups


def _kind(
    kind: Kind | None, keys: Sequence[SpanKey], support: Mapping[SpanKey, tuple[int, ...]]
) -> Kind:
    if len({support[k] for k in keys}) == 1:
        return Kind.ONLY  # the same annotators have all of it, the others nothing here
    return Kind.BOUNDARY if kind is None else kind


def count_disagreements(
    layers: Sequence[Mapping[SpanKey, _Value]], counts: dict[Kind, int]
) -> None:
    """Add the number of disagreements of each kind to ``counts``: what
    :func:`find_disagreements` finds, without building them."""
    _, support = _support(layers)
    for kind, keys in _groups(support):
        found = _kind(kind, keys, support)
        counts[found] = counts.get(found, 0) + 1


def find_disagreements(
    article_key: str, layers: Sequence[Mapping[SpanKey, Mark]], annotators: Sequence[str]
) -> tuple[list[SpanKey], list[Disagreement]]:
    """The spans everyone has, and the disagreements (see the module docstring)."""
    agreed, support = _support(layers)
    items = []
    names_of: dict[tuple[int, ...], tuple[str, ...]] = {}
    for kind, keys in _groups(support):
        keys = sorted(keys)
        per_annotator: list[list[Mark]] = [[] for _ in annotators]
        variants = []
        end = keys[0][1]
        for k in keys:
            who = support[k]
            names = names_of.get(who)
            if names is None:
                names = names_of[who] = tuple(annotators[i] for i in who)
            variants.append(Variant(k[0], k[1], k[2], names))
            for i in who:
                per_annotator[i].append(layers[i][k])
            if k[1] > end:
                end = k[1]
        items.append(
            Disagreement(
                article=article_key,
                kind=_kind(kind, keys, support),
                start=keys[0][0],
                end=end,
                variants=tuple(variants),
                spans=tuple(zip(annotators, map(tuple, per_annotator), strict=True)),
            )
        )
    items.sort(key=lambda d: (d.start, d.end, d.kind.value))
    return agreed, items
