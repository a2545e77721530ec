"""Comparing project files article by article, holding neither: each file's article list (hash,
title, length) is read once, then the shared articles are taken in the first file's order, the
spans of each fetched from every file by an index and counted (:class:`~annotator.review.
agreement.Tally`) before the next. Memory grows with the number of articles, not of spans.

The result is the same :class:`~annotator.review.compare.Comparison` as comparing loaded layers
(:func:`~annotator.review.compare.compare_layers`), figures, issues and disagreement counts
alike; its layers carry no spans, and its agreement lists each article only when asked to keep
them (reports that show every article need them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import replace
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from annotator.review.agreement import Mark, SpanKey, Tally, gc_paused
from annotator.review.compare import (
    ArticleInfo,
    Comparison,
    Layer,
    align,
    distinct_names,
    label_order,
    main_annotator,
)
from annotator.store import Project
from annotator.store.layer_stream import (
    label_names,
    layer_spans_in_order,
    layer_spans_without_article,
)
from annotator.store.layers import annotator_span_counts, article_refs
from annotator.store.readonly import check_unchanged, open_read_only

Progress = Callable[[int, int], None]  # articles done, articles to do; may raise to stop


class LayerSource:
    """One annotator's layer of an open project, read an article at a time."""

    def __init__(
        self, project: Project, annotator: str | None = None, *, name: str | None = None
    ) -> None:
        self.project = project
        counts = annotator_span_counts(project)
        chosen = main_annotator(counts) if annotator is None else annotator
        self.annotator = chosen
        article_issues: list[str] = []
        articles: dict[str, ArticleInfo] = {}
        self.groups: dict[str, list[int]] = {}  # content hash -> article ids holding that text
        for ref in article_refs(project):
            if not ref.stored_hash_ok:
                article_issues.append(
                    f"article {ref.id} ({ref.title!r}): stored content hash does not match its "
                    "text; aligned by its text"
                )
            self.groups.setdefault(ref.content_hash, []).append(ref.id)
            if ref.content_hash in articles:
                article_issues.append(
                    f"article {ref.id} ({ref.title!r}) repeats the text of article "
                    f"{articles[ref.content_hash].id}; its spans are compared with it"
                )
                continue
            articles[ref.content_hash] = ArticleInfo(
                ref.content_hash, ref.id, ref.title, ref.length
            )
        self._article_issues = article_issues
        self._span_issues: list[tuple[int, str]] = [
            (span_id, f"span {span_id}: its article {article_id} is missing; skipped")
            for span_id, article_id in layer_spans_without_article(project, chosen)
        ]
        self._duplicates = 0
        self._labels = label_names(project)
        self.layer = Layer(
            name=name if name is not None else (chosen or project.path.stem),
            annotator=chosen,
            source=project.path,
            articles=articles,
            spans={},
            other_annotators={n: c for n, c in counts.items() if n != chosen},
            labels=tuple(label.name for label in project.labels()),
        )

    def layers_in_order(
        self, keys: Sequence[str], wanted: frozenset[str] | None = None, *, marks: bool = True
    ) -> Iterator[dict[SpanKey, Any]]:
        """The layer's distinct spans in each article of ``keys`` (content hashes), one
        dict per key in that order, read in one pass; each span a :class:`Mark` (with its
        text), or with ``marks=False`` its id. Run to its end, it then checks the spans of the
        file's other articles too, so that :attr:`issues` covers every span of the layer."""
        listed = set(keys)
        every = list(keys) + [key for key in self.layer.articles if key not in listed]
        ids: list[int] = []
        key_of: list[int] = []  # position in ids -> index in every
        for index, key in enumerate(every):
            for article_id in self.groups[key]:
                ids.append(article_id)
                key_of.append(index)
        rows = layer_spans_in_order(self.project, self.annotator, ids, with_text=marks)
        wanted_count = len(keys)
        expected = 0  # the index of the next key to yield
        for index, group in groupby(rows, key=lambda row: key_of[row[0]]):
            while expected < index:  # articles without spans of the layer
                if expected < wanted_count:
                    yield {}
                expected += 1
            spans = self._checked(every[index], list(group), wanted, marks)
            if index < wanted_count:
                yield spans
            expected = index + 1
        while expected < wanted_count:
            yield {}
            expected += 1

    def _checked(
        self, key: str, rows: list[Any], wanted: frozenset[str] | None, marks: bool
    ) -> dict[SpanKey, Any]:
        """One article's spans as loading the whole layer takes them: in id order, those
        that cannot be placed skipped (and noted), repeats counted once."""
        if len(self.groups[key]) > 1:
            rows.sort(key=itemgetter(1))  # the articles sharing this text, in span id order
        length = self.layer.articles[key].length
        names = self._labels
        spans: dict[SpanKey, Any] = {}
        for _, span_id, article_id, start, end, label_id, text in rows:
            label = names.get(label_id)
            if label is None:
                self._span_issues.append(
                    (
                        span_id,
                        f"span {span_id} in article {article_id}: its label is missing; skipped",
                    )
                )
                continue
            if not 0 <= start < end <= length:
                self._span_issues.append(
                    (
                        span_id,
                        f"span {span_id} [{start}, {end}) is outside article {article_id} "
                        f"({length} characters) or empty; skipped",
                    )
                )
                continue
            span_key = (start, end, label)
            if span_key in spans:
                self._duplicates += 1
                continue
            spans[span_key] = Mark(start, end, label, span_id, str(text)) if marks else span_id
        if wanted is not None and any(k[2] not in wanted for k in spans):
            spans = {k: v for k, v in spans.items() if k[2] in wanted}
        return spans

    @property
    def issues(self) -> tuple[str, ...]:
        """What was skipped or odd, as loading the whole layer reports it."""
        found = list(self._article_issues)
        found.extend(message for _, message in sorted(self._span_issues))
        if self._duplicates:
            found.append(
                f"{self._duplicates} span(s) repeat another span of the layer exactly; counted once"
            )
        return tuple(found)


def compare_projects(
    projects: Sequence[Project],
    labels: Sequence[str] | None = None,
    *,
    keep_articles: bool = True,
    progress: Progress | None = None,
) -> Comparison:
    """The main layer of each open project compared over the articles they all hold, an
    article at a time (see the module doc)."""
    if len(projects) < 2:
        raise ValueError("a comparison needs at least two layers")
    with gc_paused():
        sources = [LayerSource(project) for project in projects]
        layers = distinct_names([source.layer for source in sources])
        alignment = align(layers)
        tally = Tally([layer.name for layer in layers], labels, keep_articles=keep_articles)
        wanted = tally.wanted
        first = layers[0].articles
        total = len(alignment.shared)
        readers = [
            source.layers_in_order(alignment.shared, wanted, marks=keep_articles)
            for source in sources
        ]
        for done, key in enumerate(alignment.shared):
            if progress is not None and done % 500 == 0:
                progress(done, total)
            info = first[key]
            tally.add_layers(key, info.length, [next(reader) for reader in readers], info.title)
        for reader in readers:
            for _ in reader:  # the other articles' spans, checked
                pass
        for project in projects:
            check_unchanged(project)
        order = labels if labels is not None else label_order(tally.labels_seen, layers)
        agreement = tally.result(order)
    if progress is not None:
        progress(total, total)
    layers = [
        replace(layer, issues=source.issues) for layer, source in zip(layers, sources, strict=True)
    ]
    return Comparison(tuple(layers), alignment, agreement)


def compare_files(
    paths: Sequence[str | Path],
    labels: Sequence[str] | None = None,
    *,
    keep_articles: bool = True,
    progress: Progress | None = None,
) -> Comparison:
    """Open each file read-only and compare their main layers, an article at a time."""
    with ExitStack() as stack:
        projects = [stack.enter_context(open_read_only(path)) for path in paths]
        return compare_projects(projects, labels, keep_articles=keep_articles, progress=progress)
