"""Running the suggester over a project's articles and writing the ``suggestions`` layer."""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult
from pathlib import Path

from annotator.store.project import Project
from annotator.store.suggestions import (
    ArticleSuggestions,
    NewSuggestion,
    write_suggestion_batch,
)
from annotator.suggest.results import Suggestions
from annotator.suggest.rules import RuleSet
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


# Articles written per transaction, and the most text held waiting for it.
BATCH_ARTICLES = 64
BATCH_CHARS = 2_000_000
# Articles sent to a worker process at a time, and how many such chunks may be under way per
# process (memory stays flat: the articles are read as the workers take them).
CHUNK_ARTICLES = 32
CHUNKS_AHEAD = 2
# Fewer articles than this are not worth starting worker processes for (each loads spaCy).
PROCESSES_FROM = 500


def default_processes(articles: int) -> int:
    """Worker processes for a run over ``articles``: one per core (up to four) for large runs,
    none in a frozen bundle (whose executable cannot be re-run as a worker)."""
    if articles < PROCESSES_FROM or getattr(sys, "frozen", False):
        return 1
    return max(1, min(4, os.cpu_count() or 1))


def suggest_project(
    project: Project,
    *,
    suggester: Suggester | None = None,
    article_ids: Sequence[int] | None = None,
    labels: Sequence[str] | None = None,
    patterns: Sequence[Path] = (),
    replace: bool = False,
    processes: int | None = 1,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> RunSummary:
    """Suggest spans for the articles (all when None), written a batch of articles per
    transaction, so that a cancelled or interrupted run leaves whole articles done and the rest
    untouched; on cancel the articles already suggested are written first.

    The labels the suggestions need are created when missing (only those of ``labels`` when
    given). Rules are checked before anything is written: a bad patterns file changes nothing.
    With ``processes`` above one (None: :func:`default_processes`) the suggester runs in that
    many worker processes, each with the same rules.
    """
    suggester = suggester or Suggester(extra_patterns=patterns)
    wanted = list(labels) if labels is not None else None
    ids = list(article_ids) if article_ids is not None else project.article_ids()
    workers = default_processes(len(ids)) if processes is None else processes
    summary = RunSummary()
    ensured: set[str] = set()
    batch: list[ArticleSuggestions] = []
    held = 0

    def flush() -> None:
        nonlocal held
        if not batch:
            return
        needed = {s.label for item in batch for s in item.spans} - ensured
        for name in sorted(needed):
            project.ensure_label(name)
            ensured.add(name)
        for result in write_suggestion_batch(project, batch, replace=replace):
            summary.articles += 1
            summary.added += result.added
            summary.kept += result.kept
            summary.rejected += result.rejected
            summary.removed += result.removed
            summary.relations += result.relations
        batch.clear()
        held = 0

    articles = ((article_id, project.article_text(article_id)) for article_id in ids)
    if workers > 1:
        results = _in_processes(articles, suggester.rules, workers)
    else:
        results = _here(articles, suggester)
    try:
        for done, (article_id, text, found) in enumerate(results, start=1):
            if cancelled is not None and cancelled():
                summary.cancelled = True
                break
            found = found.only(wanted)
            batch.append(
                ArticleSuggestions(
                    article_id,
                    text,
                    [NewSuggestion(s.start, s.end, s.label, s.attributes) for s in found.spans],
                    [(r.head, r.child, r.type) for r in found.relations],
                )
            )
            held += len(text)
            if len(batch) >= BATCH_ARTICLES or held >= BATCH_CHARS:
                flush()
            if progress is not None:
                progress(done, len(ids))
        flush()
    finally:
        results.close()  # stops the worker processes when the run ends early
    return summary


Article = tuple[int, str]


def _here(
    articles: Iterator[Article], suggester: Suggester
) -> Generator[tuple[int, str, Suggestions]]:
    held: deque[Article] = deque()

    def texts() -> Iterator[str]:
        for article in articles:
            held.append(article)
            yield article[1]

    for found in suggester.suggest_many(texts()):
        article_id, text = held.popleft()
        yield article_id, text, found


def _in_processes(
    articles: Iterator[Article], rules: RuleSet, processes: int
) -> Generator[tuple[int, str, Suggestions]]:
    """Suggestions of ``articles`` in order, from ``processes`` worker processes."""
    context = multiprocessing.get_context("spawn")  # no fork of a process that has threads
    with context.Pool(processes, initializer=_start_worker, initargs=(rules,)) as pool:
        pending: deque[tuple[list[Article], AsyncResult[list[Suggestions]]]] = deque()
        chunks = _chunks(articles, CHUNK_ARTICLES)
        for chunk in chunks:
            pending.append((chunk, pool.apply_async(_suggest_chunk, ([t for _, t in chunk],))))
            if len(pending) < processes * CHUNKS_AHEAD:
                continue
            done, result = pending.popleft()
            for (article_id, text), found in zip(done, result.get(), strict=True):
                yield article_id, text, found
        while pending:
            done, result = pending.popleft()
            for (article_id, text), found in zip(done, result.get(), strict=True):
                yield article_id, text, found


def _chunks(articles: Iterator[Article], size: int) -> Iterator[list[Article]]:
    chunk: list[Article] = []
    for article in articles:
        chunk.append(article)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_worker_suggester: Suggester | None = None


def _start_worker(rules: RuleSet) -> None:
    global _worker_suggester
    _worker_suggester = Suggester(rules)


def _suggest_chunk(texts: list[str]) -> list[Suggestions]:
    assert _worker_suggester is not None
    return list(_worker_suggester.suggest_many(texts))
