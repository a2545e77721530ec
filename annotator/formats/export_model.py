"""What an export streams to a format's writer (:class:`ExportDoc`: one article with its spans,
relations and document labels) and what the writer reports back (:class:`ExportReport`, with a
:class:`Loss` for everything the format could not carry). See :mod:`annotator.formats.export`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from annotator.core.model import Article, Label
from annotator.core.schema import AttributeDef, DocField

__all__ = [
    "CancelCheck",
    "ExportDoc",
    "ExportFilter",
    "ExportRelation",
    "ExportReport",
    "ExportSpan",
    "LabelSchema",
    "Loss",
    "ProgressCallback",
    "Writer",
]


@dataclass(frozen=True, slots=True)
class ExportSpan:
    start: int  # code points of ExportDoc.article.text, end exclusive
    end: int
    label: str
    text: str  # == article.text[start:end], always
    annotator: str
    note: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    created_at: str = ""  # ISO 8601 (UTC) as stored: when the span was made
    updated_at: str = ""  # and last changed


@dataclass(frozen=True, slots=True)
class ExportRelation:
    head: int  # index into ExportDoc.spans
    child: int  # index into ExportDoc.spans
    type: str
    annotator: str = ""


@dataclass(frozen=True, slots=True)
class ExportDoc:
    """One article as it is exported.

    Spans are sorted by (start, -end, label, annotator, note) and relations by (head, child,
    type), so the same project always gives the same output.
    """

    article: Article
    spans: tuple[ExportSpan, ...]
    relations: tuple[ExportRelation, ...]
    # Document-level labels, field name -> values, fields in the project's order, and the
    # definitions of the project's fields (the same tuple for every doc of an export).
    doc_labels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    doc_fields: tuple[DocField, ...] = ()


@dataclass(frozen=True, slots=True)
class LabelSchema:
    """What the label set carries beyond names, colours, hotkeys and descriptions: each exported
    label's attribute definitions and parent (by label name), and the document label fields.
    Handed to the writers of the formats that carry a label set (JSONL, Parquet, Label Studio)."""

    attributes: dict[str, tuple[AttributeDef, ...]] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)
    doc_fields: tuple[DocField, ...] = ()


@dataclass(frozen=True, slots=True)
class ExportFilter:
    labels: frozenset[str] | None = None  # None: every label
    status: str | None = None  # None: every status
    annotator: str | None = None  # None: every annotator's spans
    article_ids: frozenset[int] | None = None  # None: every article (used for splits)


@dataclass(frozen=True, slots=True)
class Loss:
    """Something a format could not carry, counted, with the reason said to the user."""

    count: int
    what: str  # e.g. "overlapping spans dropped (BIO holds one label per token)"

    def __str__(self) -> str:
        return f"{self.count} {self.what}"


@dataclass(slots=True)
class ExportReport:
    format: str
    articles: int = 0
    spans: int = 0
    relations: int = 0
    files: list[Path] = field(default_factory=list)
    losses: list[Loss] = field(default_factory=list)
    splits: dict[str, int] = field(default_factory=dict)  # split name -> articles, when split
    notes: list[str] = field(default_factory=list)  # what the analyst should know, not losses

    def lose(self, count: int, what: str) -> None:
        """Record ``count`` things the format could not carry (adds to an earlier same loss)."""
        if count <= 0:
            return
        for i, loss in enumerate(self.losses):
            if loss.what == what:
                self.losses[i] = Loss(loss.count + count, what)
                return
        self.losses.append(Loss(count, what))

    def add(self, other: ExportReport) -> None:
        """Fold another part's report (a split) into this one."""
        self.articles += other.articles
        self.spans += other.spans
        self.relations += other.relations
        self.files.extend(other.files)
        for loss in other.losses:
            self.lose(loss.count, loss.what)
        self.notes.extend(note for note in other.notes if note not in self.notes)

    @property
    def lossless(self) -> bool:
        return not any(loss.count for loss in self.losses)

    def describe(self) -> str:
        lines = [
            f"Exported {self.articles} article(s), {self.spans} span(s) and "
            f"{self.relations} relation(s) as {self.format}."
        ]
        if self.splits:
            lines.append("  split: " + ", ".join(f"{name} {n}" for name, n in self.splits.items()))
        lines.extend(f"  lost: {loss}" for loss in self.losses if loss.count)
        lines.extend(f"  note: {note}" for note in self.notes)
        if self.lossless:
            lines.append("  Nothing was lost.")
        lines.extend(f"  wrote: {path}" for path in self.files)
        return "\n".join(lines)


class Writer(Protocol):
    def __call__(
        self, docs: Iterable[ExportDoc], out: Path, *, labels: Sequence[Label]
    ) -> ExportReport: ...


ProgressCallback = Callable[[int, int], None]  # (articles done, articles total)
CancelCheck = Callable[[], bool]
