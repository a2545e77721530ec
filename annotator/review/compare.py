"""Comparing project files: load one annotator layer per file as plain data, align articles by
content hash and hand the shared ones to :mod:`annotator.review.agreement`.

Which layer a file contributes: the annotator named by the caller, or else the file's *main*
annotator, the one with the most spans (ties: the alphabetically first). Spans of the file's
other annotators (a merged colleague, a gold layer) take no part and are listed in
:attr:`Layer.other_annotators`. A file without spans contributes an empty layer named after the
file. Two files whose layers carry the same annotator name (both analysts kept the default name)
are told apart as ``name (file name)``.

Articles are aligned by the sha256 of their text, recomputed from each file (titles and ids may
differ). Only articles present in every file are compared; the others are listed per file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from annotator.review.agreement import Agreement, ArticleLayers, Mark, compare, gc_paused
from annotator.store import Project
from annotator.store.layers import annotator_span_counts, article_refs, layer_spans
from annotator.store.readonly import check_unchanged, open_read_only


@dataclass(frozen=True, slots=True)
class ArticleInfo:
    """An article of one layer's file: its key (content hash) and what that file calls it."""

    key: str
    id: int  # id in that file
    title: str
    length: int


@dataclass(frozen=True, slots=True)
class Layer:
    """One annotator's spans in one file, as plain data keyed by article content hash."""

    name: str  # unique within a comparison
    annotator: str  # the name on the spans ("" for a file without spans)
    source: Path
    articles: Mapping[str, ArticleInfo]  # every article of the file, by content hash
    # By content hash; Mark.id = the span's id in the file. Empty in the layers of a comparison
    # made article by article (annotator.review.streaming), which keeps no spans.
    spans: Mapping[str, tuple[Mark, ...]]
    other_annotators: Mapping[str, int] = field(default_factory=dict)  # name -> span count
    issues: tuple[str, ...] = ()  # spans skipped and other oddities found while loading
    labels: tuple[str, ...] = ()  # the file's label names in its own order (for reports)

    @property
    def span_count(self) -> int:
        return sum(len(marks) for marks in self.spans.values())


def main_annotator(counts: Mapping[str, int]) -> str:
    """The annotator with the most spans (ties: the alphabetically first), "" if none."""
    if not counts:
        return ""
    return min(counts, key=lambda name: (-counts[name], name))


def load_layer(project: Project, annotator: str | None = None, *, name: str | None = None) -> Layer:
    """One annotator's layer of an open project (the main annotator unless named)."""
    with gc_paused():
        return _load_layer(project, annotator, name)


def _load_layer(project: Project, annotator: str | None, name: str | None) -> Layer:
    counts = annotator_span_counts(project)
    chosen = main_annotator(counts) if annotator is None else annotator
    refs = article_refs(project)
    issues: list[str] = []
    articles: dict[str, ArticleInfo] = {}
    placed: dict[int, tuple[str, int]] = {}  # article id -> (content hash, length)
    for ref in refs:
        if not ref.stored_hash_ok:
            issues.append(
                f"article {ref.id} ({ref.title!r}): stored content hash does not match its text; "
                "aligned by its text"
            )
        placed[ref.id] = (ref.content_hash, ref.length)
        if ref.content_hash in articles:
            issues.append(
                f"article {ref.id} ({ref.title!r}) repeats the text of article "
                f"{articles[ref.content_hash].id}; its spans are compared with it"
            )
            continue
        articles[ref.content_hash] = ArticleInfo(ref.content_hash, ref.id, ref.title, ref.length)
    spans: dict[str, list[Mark]] = {}
    duplicates = 0
    seen: set[tuple[str, int, int, str]] = set()
    for span_id, article_id, start, end, label, _annotator, text in layer_spans(project, [chosen]):
        found = placed.get(article_id)
        if found is None:
            issues.append(f"span {span_id}: its article {article_id} is missing; skipped")
            continue
        digest, length = found
        if label is None:
            issues.append(f"span {span_id} in article {article_id}: its label is missing; skipped")
            continue
        if not 0 <= start < end <= length:
            issues.append(
                f"span {span_id} [{start}, {end}) is outside article {article_id} "
                f"({length} characters) or empty; skipped"
            )
            continue
        key = (digest, start, end, label)
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        marks = spans.get(digest)
        if marks is None:
            marks = spans[digest] = []
        marks.append(Mark(start, end, label, span_id, text))
    if duplicates:
        issues.append(
            f"{duplicates} span(s) repeat another span of the layer exactly; counted once"
        )
    others = {n: c for n, c in counts.items() if n != chosen}
    layer_name = name if name is not None else (chosen or project.path.stem)
    return Layer(
        name=layer_name,
        annotator=chosen,
        source=project.path,
        articles=articles,
        spans={key: tuple(marks) for key, marks in spans.items()},
        other_annotators=others,
        issues=tuple(issues),
        labels=tuple(label.name for label in project.labels()),
    )


def open_layer(path: str | Path, annotator: str | None = None, *, name: str | None = None) -> Layer:
    """Load a layer from a colleague's file, opened read-only (nothing written beside it)."""
    with open_read_only(path) as project:
        layer = load_layer(project, annotator, name=name)
        check_unchanged(project)  # a file read in place was not written meanwhile
        return layer


def distinct_names(layers: Sequence[Layer]) -> list[Layer]:
    """The layers, renamed ``annotator (file name)`` where names would clash."""
    counts = Counter(layer.name for layer in layers)
    renamed = [
        replace(layer, name=f"{layer.name} ({layer.source.name})")
        if counts[layer.name] > 1
        else layer
        for layer in layers
    ]
    counts = Counter(layer.name for layer in renamed)
    if any(n > 1 for n in counts.values()):  # same annotator and file name in two folders
        renamed = [
            replace(layer, name=f"{layer.name} #{i + 1}") if counts[layer.name] > 1 else layer
            for i, layer in enumerate(renamed)
        ]
    return renamed


def open_layers(paths: Sequence[str | Path]) -> list[Layer]:
    """One layer per file (its main annotator), names made distinct."""
    return distinct_names([open_layer(path) for path in paths])


@dataclass(frozen=True, slots=True)
class Alignment:
    """Which articles the layers share (compared) and which only some of them hold."""

    shared: tuple[str, ...]  # content hashes in every layer, in the first layer's order
    unshared: tuple[tuple[ArticleInfo, tuple[str, ...]], ...]  # article, layers holding it

    def only_in(self, layer: str) -> list[ArticleInfo]:
        """Articles that this layer's file alone holds."""
        return [info for info, names in self.unshared if names == (layer,)]


def align(layers: Sequence[Layer]) -> Alignment:
    shared = [key for key in layers[0].articles if all(key in lay.articles for lay in layers)]
    unshared = []
    listed: set[str] = set()
    for layer in layers:
        for key, info in layer.articles.items():
            if key in listed:
                continue
            holders = tuple(lay.name for lay in layers if key in lay.articles)
            if len(holders) < len(layers):
                listed.add(key)
                unshared.append((info, holders))
    return Alignment(tuple(shared), tuple(unshared))


@dataclass(frozen=True, slots=True)
class Comparison:
    """Everything a report shows: the layers, the alignment and the agreement figures."""

    layers: tuple[Layer, ...]
    alignment: Alignment
    agreement: Agreement


def compare_layers(layers: Sequence[Layer], labels: Sequence[str] | None = None) -> Comparison:
    """Agreement of two or more layers over the articles they all hold. Layers whose names
    clash are renamed ``name (file name)`` first (see :attr:`Comparison.layers`)."""
    if len(layers) < 2:
        raise ValueError("a comparison needs at least two layers")
    layers = distinct_names(layers)
    names = [layer.name for layer in layers]
    alignment = align(layers)
    first = layers[0]
    if labels is None:
        labels = used_labels(layers, alignment.shared)
    articles = [
        ArticleLayers(
            key=key,
            length=first.articles[key].length,
            layers={layer.name: layer.spans.get(key, ()) for layer in layers},
            title=first.articles[key].title,
        )
        for key in alignment.shared
    ]
    agreement = compare(articles, names, labels)
    return Comparison(tuple(layers), alignment, agreement)


def used_labels(layers: Sequence[Layer], keys: Sequence[str]) -> list[str]:
    """The labels any layer uses on these articles, in the files' own label order (the first
    file's first), then by name."""
    used = {mark.label for layer in layers for key in keys for mark in layer.spans.get(key, ())}
    return label_order(used, layers)


def label_order(used: Iterable[str], layers: Sequence[Layer]) -> list[str]:
    """These labels in the files' own label order (the first file's first), then by name."""
    rank: dict[str, int] = {}
    for layer in layers:
        for name in layer.labels:
            rank.setdefault(name, len(rank))
    return sorted(set(used), key=lambda name: (rank.get(name, len(rank)), name))
