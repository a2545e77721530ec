"""Domain objects: articles, labels, spans, relations and the default label set."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATUSES: tuple[str, ...] = ("new", "in progress", "done")
DEFAULT_RELATION_TYPE = "attributed_to"
# The annotator name of suggested spans: a layer of its own until an analyst accepts them.
SUGGESTION_ANNOTATOR = "suggestions"


@dataclass(frozen=True, slots=True)
class Label:
    id: int
    name: str
    color: str
    hotkey: str = ""
    description: str = ""
    position: int = 0


@dataclass(frozen=True, slots=True)
class LabelSpec:
    """A label before it has an id: the default set and labels created by imports."""

    name: str
    color: str
    hotkey: str = ""
    description: str = ""


DEFAULT_LABELS: tuple[LabelSpec, ...] = (
    LabelSpec("Quote", "#e69f00", "1", "Words reported as said or written by someone."),
    LabelSpec("Source", "#0072b2", "2", "The person or body a statement is attributed to."),
    LabelSpec("Claim", "#d55e00", "3", "A checkable statement of fact."),
    LabelSpec(
        "Speculation",
        "#cc79a7",
        "4",
        "A guess about the future or the unknown, e.g. "
        "'Expect many tweets to follow both phone calls.'",
    ),
)

# Colours handed to new labels in turn: the Okabe-Ito set, told apart by readers with any common
# form of colour blindness (labels also carry a letter badge, so colour is never the only cue).
LABEL_PALETTE: tuple[str, ...] = (
    "#e69f00",
    "#0072b2",
    "#d55e00",
    "#cc79a7",
    "#009e73",
    "#56b4e9",
    "#f0e442",
    "#7f7f7f",
)


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    """An article about to be stored: its text is already canonical."""

    text: str
    title: str = ""
    source: str = ""
    author: str = ""
    url: str = ""
    published: str = ""
    status: str = "new"
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Article:
    id: int
    title: str
    text: str
    source: str
    author: str
    url: str
    published: str
    imported_at: str
    content_hash: str
    status: str
    meta: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """One row of the article list: no text, just what the list shows."""

    id: int
    title: str
    source: str
    status: str
    span_count: int
    length: int
    published: str = ""


@dataclass(frozen=True, slots=True)
class Span:
    id: int
    article_id: int
    start: int
    end: int
    label_id: int
    text: str
    annotator: str
    note: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    created_at: str = ""
    updated_at: str = ""

    @property
    def length(self) -> int:
        return self.end - self.start

    def covers(self, offset: int) -> bool:
        return self.start <= offset < self.end

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


@dataclass(frozen=True, slots=True)
class Relation:
    id: int
    article_id: int
    head_id: int
    child_id: int
    type: str
    annotator: str
    created_at: str = ""


@dataclass(frozen=True, slots=True)
class SpanSnapshot:
    """A deleted span with the relations that went with it, enough to restore both."""

    span: Span
    relations: tuple[Relation, ...]


@dataclass(frozen=True, slots=True)
class LabelSnapshot:
    """A deleted label with every span and relation its deletion removed, and its place in the
    label schema: its parent, the labels under it, and its attribute definitions (each the
    stored row: name, kind, choices as JSON, minimum, maximum, description, position)."""

    label: Label
    spans: tuple[SpanSnapshot, ...]
    parent_id: int | None = None
    child_ids: tuple[int, ...] = ()
    attribute_rows: tuple[tuple[object, ...], ...] = ()
