"""Running the suggester over a project's articles and writing the ``suggestions`` layer."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from annotator.store.project import Project
from annotator.store.suggestions import NewSuggestion, write_suggestions
from annotator.suggest.suggester import Suggester


@dataclass
class RunSummary:
    articles: int = 0
    added: int = 0
    kept: int = 0
    rejected: int = 0
    removed: int = 0
    relations: int = 0
    cancelled: bool = False

    def describe(self) -> str:
        text = (
            f"{self.articles} article(s): {self.added} suggestion(s) added, "
            f"{self.relations} relation(s)"
        )
        if self.removed:
            text += f", {self.removed} old suggestion(s) replaced"
        if self.kept:
            text += f", {self.kept} already there"
        if self.rejected:
            text += f", {self.rejected} rejected before and not proposed again"
        if self.cancelled:
            text += " (cancelled: the articles done so far keep their suggestions)"
        return text


def parse_labels(value: str | None) -> list[str] | None:
    """``"Quote, Source"`` -> ``["Quote", "Source"]``; None for all."""
    if value is None:
        return None
    names = list(dict.fromkeys(n.strip() for n in value.split(",") if n.strip()))
    if not names:
        raise ValueError("--labels names no label")
    return names


def suggest_project(
    project: Project,
    *,
    suggester: Suggester | None = None,
    article_ids: Sequence[int] | None = None,
    labels: Sequence[str] | None = None,
    patterns: Sequence[Path] = (),
    replace: bool = False,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> RunSummary:
    """Suggest spans for the articles (all when None), one transaction per article, so that a
    cancelled or interrupted run leaves whole articles done and the rest untouched.

    The labels the suggestions need are created when missing (only those of ``labels`` when
    given). Rules are checked before anything is written: a bad patterns file changes nothing.
    """
    suggester = suggester or Suggester(extra_patterns=patterns)
    wanted = list(labels) if labels is not None else None
    ids = list(article_ids) if article_ids is not None else project.article_ids()
    summary = RunSummary()
    ensured: set[str] = set()

    read: dict[int, str] = {}

    def texts() -> Iterator[str]:
        for article_id in ids:
            read[article_id] = project.article_text(article_id)
            yield read[article_id]

    results = suggester.suggest_many(texts())
    for done, (article_id, found) in enumerate(zip(ids, results, strict=True), start=1):
        if cancelled is not None and cancelled():
            summary.cancelled = True
            break
        found = found.only(wanted)
        needed = {s.label for s in found.spans} - ensured
        for name in sorted(needed):
            project.ensure_label(name)
            ensured.add(name)
        text = read.pop(article_id)
        result = write_suggestions(
            project,
            article_id,
            text,
            [NewSuggestion(s.start, s.end, s.label, s.attributes) for s in found.spans],
            [(r.head, r.child, r.type) for r in found.relations],
            replace=replace,
        )
        summary.articles += 1
        summary.added += result.added
        summary.kept += result.kept
        summary.rejected += result.rejected
        summary.removed += result.removed
        summary.relations += result.relations
        if progress is not None:
            progress(done, len(ids))
    return summary
