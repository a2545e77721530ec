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

Disagreements are found per article by :mod:`annotator.review.disagreements`; the measures
themselves are in :mod:`annotator.review.measures`.

Articles are taken one at a time (:class:`Tally`): only integer counts are carried from one
article to the next, so two large project files can be compared without holding either, and the
figures do not depend on how the articles were fed in.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import Any

from annotator.review.counts import LabelCounts, PairCounts, absent, article_counts, mean, pooled_f1
from annotator.review.disagreements import (
    Disagreement,
    Kind,
    Mark,
    SpanKey,
    SpanLike,
    Variant,
    count_disagreements,
    find_disagreements,
)
from annotator.review.measures import fleiss_kappa_binary, krippendorff_alpha_binary

__all__ = [
    "Agreement",
    "ArticleAgreement",
    "ArticleLayers",
    "Disagreement",
    "Kind",
    "LabelFigures",
    "Mark",
    "PairFigures",
    "SpanKey",
    "SpanLike",
    "Tally",
    "Variant",
    "compare",
    "find_disagreements",
    "gc_paused",
]


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
    articles: tuple[ArticleAgreement, ...]  # empty when not kept (see Tally)
    article_count: int  # articles compared (kept or not)
    disagreement_counts: Mapping[Kind, int]  # every kind, in Kind's order

    @property
    def disagreements(self) -> list[Disagreement]:
        return [d for article in self.articles for d in article.disagreements]

    def pair(self, a: str, b: str) -> PairFigures:
        for figures in self.pairwise:
            if {figures.a, figures.b} == {a, b}:
                return figures
        raise KeyError((a, b))


# ---------------------------------------------------------------------------- computing


def _label_figures(counts: LabelCounts, annotators: Sequence[str]) -> LabelFigures:
    exact, overlap = pooled_f1(counts.pairs)
    m = len(annotators)
    kappas = [p.kappa() for p in counts.pairs]
    return LabelFigures(
        exact_f1=exact,
        overlap_f1=overlap,
        kappa=kappas[0] if m == 2 else mean(kappas),
        alpha=krippendorff_alpha_binary(counts.histogram, m),
        fleiss_kappa=fleiss_kappa_binary(counts.histogram, m) if m >= 3 else None,
        spans=dict(zip(annotators, counts.spans, strict=True)),
    )


def _overall_figures(per_label: Iterable[LabelCounts], annotators: Sequence[str]) -> LabelFigures:
    pairs: list[PairCounts] = []
    spans = [0] * len(annotators)
    for counts in per_label:
        pairs.extend(counts.pairs)
        for i, n in enumerate(counts.spans):
            spans[i] += n
    exact, overlap = pooled_f1(pairs)
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


class Tally:
    """Agreement built up one article at a time, equal to :func:`compare` over the same
    articles in the same order.

    Only integer counts are carried from article to article (plus, with ``keep_articles``, each
    article's figures and disagreements for :attr:`Agreement.articles`). A label is counted in
    an article only where some annotator uses it; the characters of the other articles are added
    as uncovered when the result is made, which gives the same integers.
    """

    def __init__(
        self,
        annotators: Sequence[str],
        labels: Sequence[str] | None = None,
        *,
        keep_articles: bool = True,
    ) -> None:
        self.annotators = tuple(annotators)
        if len(self.annotators) < 2:
            raise ValueError("agreement needs at least two annotators")
        if len(set(self.annotators)) != len(self.annotators):
            raise ValueError(f"annotator names must differ: {self.annotators}")
        self.wanted = frozenset(labels) if labels is not None else None
        self.keep_articles = keep_articles
        self._seen: dict[str, None] = dict.fromkeys(labels or ())
        self._totals: dict[str, LabelCounts] = {}
        self._counted_length: dict[str, int] = {}  # characters of the articles counting a label
        self._length = 0
        self._kinds: dict[Kind, int] = {}
        self._articles: list[ArticleAgreement] = []
        self.article_count = 0

    def add(self, article: ArticleLayers) -> None:
        """Count one article (its spans checked, repeated spans counted once)."""
        layers = _normalized_layers(article, self.annotators, self.wanted)
        self.add_layers(article.key, article.length, layers, article.title)

    def add_layers(
        self,
        key: str,
        length: int,
        layers: Sequence[Mapping[SpanKey, Any]],
        title: str = "",
    ) -> None:
        """Count one article given as checked layers: per annotator, its distinct spans (keys
        within the article, labels among those wanted) mapping to their :class:`Mark` (any
        value when articles are not kept)."""
        present = dict.fromkeys(k[2] for spans in layers for k in spans)
        seen = self._seen
        for label in present:
            if label not in seen:
                seen[label] = None
        counts = article_counts(layers, list(present), length)
        m = len(self.annotators)
        for label, c in counts.items():
            total = self._totals.get(label)
            if total is None:
                total = self._totals[label] = LabelCounts.empty(m)
                self._counted_length[label] = 0
            total.add(c)
            self._counted_length[label] += length
        self._length += length
        self.article_count += 1
        if not self.keep_articles:
            count_disagreements(layers, self._kinds)
            return
        agreed, disagreements = find_disagreements(key, layers, self.annotators)
        for d in disagreements:
            self._kinds[d.kind] = self._kinds.get(d.kind, 0) + 1
        self._articles.append(
            ArticleAgreement(
                key=key,
                title=title,
                length=length,
                labels={label: _label_figures(c, self.annotators) for label, c in counts.items()},
                overall=_overall_figures(counts.values(), self.annotators),
                disagreements=tuple(disagreements),
                agreements=tuple(agreed),
            )
        )

    @property
    def labels_seen(self) -> tuple[str, ...]:
        """The labels given, or else every label used so far, in order of first use."""
        return tuple(self._seen)

    def result(self, labels: Sequence[str] | None = None) -> Agreement:
        """The agreement so far, its labels in the order given (by default
        :attr:`labels_seen`); a label given that nobody used has undefined figures."""
        annotators = self.annotators
        m = len(annotators)
        label_order = tuple(labels) if labels is not None else self.labels_seen
        totals: dict[str, LabelCounts] = {}
        for label in label_order:
            counts = LabelCounts.empty(m)
            found = self._totals.get(label)
            if found is not None:
                counts.add(found)
            absent(counts, self._length - self._counted_length.get(label, 0))
            totals[label] = counts
        pairwise = []
        for index, (i, j) in enumerate(combinations(range(m), 2)):
            per_label = {}
            for label in label_order:
                p = totals[label].pairs[index]
                exact, overlap = pooled_f1([p])
                per_label[label] = LabelFigures(
                    exact,
                    overlap,
                    kappa=p.kappa(),
                    spans={annotators[i]: p.size_a, annotators[j]: p.size_b},
                )
            exact, overlap = pooled_f1(totals[label].pairs[index] for label in label_order)
            pairwise.append(PairFigures(annotators[i], annotators[j], exact, overlap, per_label))
        return Agreement(
            annotators=annotators,
            labels=label_order,
            by_label={label: _label_figures(totals[label], annotators) for label in label_order},
            overall=_overall_figures(totals.values(), annotators),
            pairwise=tuple(pairwise),
            articles=tuple(self._ordered(article, label_order) for article in self._articles),
            article_count=self.article_count,
            disagreement_counts={kind: self._kinds.get(kind, 0) for kind in Kind},
        )

    def _ordered(self, article: ArticleAgreement, label_order: Sequence[str]) -> ArticleAgreement:
        """The article's figures for every label, in order (unused labels: undefined)."""
        if tuple(article.labels) == tuple(label_order):
            return article
        labels = {}
        for label in label_order:
            figures = article.labels.get(label)
            if figures is None:
                counts = LabelCounts.empty(len(self.annotators))
                absent(counts, article.length)
                figures = _label_figures(counts, self.annotators)
            labels[label] = figures
        return replace(article, labels=labels)


def compare(
    articles: Iterable[ArticleLayers],
    annotators: Sequence[str],
    labels: Sequence[str] | None = None,
    *,
    keep_articles: bool = True,
) -> Agreement:
    """Agreement of ``annotators`` (two or more) over ``articles``, per label and overall, per
    article and for the whole set. ``labels`` restricts (and orders) the labels compared; by
    default every label any annotator used, in order of first use."""
    tally = Tally(annotators, labels, keep_articles=keep_articles)
    with gc_paused():
        for article in articles:
            tally.add(article)
        return tally.result()
