"""Exporting a project: which articles and spans go out, and what each format writer reports.

Writers take an iterable of :class:`ExportDoc` (one article with its spans and relations, label
names resolved) so that they stream: no writer needs more than one article in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from annotator.core.model import Article


@dataclass(frozen=True, slots=True)
class ExportSpan:
    start: int
    end: int
    label: str
    text: str
    annotator: str
    note: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ExportRelation:
    head: int  # index into ExportDoc.spans
    child: int  # index into ExportDoc.spans
    type: str
    annotator: str = ""


@dataclass(frozen=True, slots=True)
class ExportDoc:
    """One article as it is exported: spans sorted by (start, -end, label, annotator)."""

    article: Article
    spans: tuple[ExportSpan, ...]
    relations: tuple[ExportRelation, ...]


@dataclass(frozen=True, slots=True)
class ExportFilter:
    labels: frozenset[str] | None = None  # None: every label
    status: str | None = None  # None: every status
    annotator: str | None = None  # None: every annotator's spans


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

    def describe(self) -> str:
        lines = [
            f"Exported {self.articles} article(s), {self.spans} span(s) and "
            f"{self.relations} relation(s) as {self.format}."
        ]
        lines.extend(f"  lost: {loss}" for loss in self.losses if loss.count)
        if not any(loss.count for loss in self.losses):
            lines.append("  Nothing was lost.")
        lines.extend(f"  wrote: {path}" for path in self.files)
        return "\n".join(lines)


class Writer(Protocol):
    def __call__(self, docs: Iterable[ExportDoc], out: Path, *, labels: list[Any]) -> ExportReport:
        ...


ProgressCallback = Callable[[int, int], None]  # (articles done, articles total)
