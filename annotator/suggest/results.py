"""What the suggester finds: suggested spans and relations, and the builder that collects them for
one piece of text (dropping repeats and Quotes inside longer Quotes)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from annotator.core.model import DEFAULT_RELATION_TYPE

QUOTE, SOURCE, SPECULATION = "Quote", "Source", "Speculation"
SUGGESTED_LABELS = (QUOTE, SOURCE, SPECULATION)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A suggested span: [start, end) in code points, its label and attributes."""

    start: int
    end: int
    label: str
    attributes: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class SuggestedRelation:
    """``head`` and ``child`` index :attr:`Suggestions.spans`."""

    head: int
    child: int
    type: str = DEFAULT_RELATION_TYPE


@dataclass
class Suggestions:
    spans: list[Suggestion] = field(default_factory=list)
    relations: list[SuggestedRelation] = field(default_factory=list)

    def only(self, labels: Iterable[str] | None) -> Suggestions:
        """These suggestions restricted to ``labels`` (all when None); relations whose ends
        both remain are kept."""
        if labels is None:
            return self
        wanted = set(labels)
        index: dict[int, int] = {}
        spans: list[Suggestion] = []
        for i, span in enumerate(self.spans):
            if span.label in wanted:
                index[i] = len(spans)
                spans.append(span)
        relations = [
            SuggestedRelation(index[r.head], index[r.child], r.type)
            for r in self.relations
            if r.head in index and r.child in index
        ]
        return Suggestions(spans, relations)


class Builder:
    """Collects suggestions of one piece, dropping repeats, in the piece's offsets + offset."""

    def __init__(self, offset: int) -> None:
        self.offset = offset
        self.spans: list[Suggestion] = []
        self._index: dict[tuple[int, int, str], int] = {}
        self.relations: list[SuggestedRelation] = []
        self.dropped: set[int] = set()

    def drop(self, index: int) -> None:
        self.dropped.add(index)

    def span(
        self, start: int, end: int, label: str, attributes: dict[str, str] | None = None
    ) -> int:
        key = (start, end, label)
        if key in self._index:
            return self._index[key]
        self._index[key] = len(self.spans)
        self.spans.append(Suggestion(start, end, label, attributes or {}))
        return self._index[key]

    def spans_of(self, label: str) -> list[Suggestion]:
        return [s for s in self.spans if s.label == label]

    def relate(self, head: int, child: int) -> None:
        relation = SuggestedRelation(head, child)
        if relation not in self.relations and head != child:
            self.relations.append(relation)

    def result(self) -> Suggestions:
        # A Quote inside a longer Quote (a scare quote within reported words) is dropped.
        quotes = [(s.start, s.end) for s in self.spans if s.label == QUOTE]
        keep = [
            i not in self.dropped
            and not (
                s.label == QUOTE
                and any(
                    a <= s.start and s.end <= b and (a, b) != (s.start, s.end) for a, b in quotes
                )
            )
            for i, s in enumerate(self.spans)
        ]
        index: dict[int, int] = {}
        spans: list[Suggestion] = []
        for i, span in enumerate(self.spans):
            if keep[i]:
                index[i] = len(spans)
                spans.append(
                    Suggestion(
                        span.start + self.offset,
                        span.end + self.offset,
                        span.label,
                        span.attributes,
                    )
                )
        relations = [
            SuggestedRelation(index[r.head], index[r.child], r.type)
            for r in self.relations
            if r.head in index and r.child in index
        ]
        return Suggestions(spans, relations)
