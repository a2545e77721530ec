"""Working across a 50,000-article corpus: search in context, KWIC paging, statistics and the
article-list filters, against their targets.

    .venv/bin/python -m tests.benchmarks.bench_corpus [--articles 50000] [--work DIR] [--runs N]

Builds (once, cached in ``--work``) a project of news-like articles from the benchmark corpus
generator with the app's own importer, then times, in this process and on the real store:

- the first page (200 hits, what the Search panel shows first) of searches for a rare word, a
  very common word ("the"), one letter ("a"), a phrase, a prefix, a boolean query and a search
  restricted to Quote spans — target 50 ms each;
- paging through 10,000 hits of a common word the way the panel's model does (``fetchMore``,
  200 at a time): the slowest page is what could stall the GUI — target 50 ms per page;
- the statistics dashboard's figures — target 1 s;
- the article-list filters (status, outlet, date range, label present/absent, annotator, a
  query, and all combined): count, first page and counts per status, from nothing kept of an
  earlier run — target 50 ms each.

Each figure is the median of ``--runs`` repetitions (the first, cold one is reported apart) and is
also given as a ratio to a bare floor measured in the same run: reading one page of 200 article
ids by primary key. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from annotator.formats.importer import import_paths  # noqa: E402
from annotator.store import Project  # noqa: E402
from annotator.store.filters import (  # noqa: E402
    ArticleFilter,
    filtered_count,
    filtered_page_ids,
    forget_matches,
    status_counts,
)
from annotator.store.search import (  # noqa: E402
    SearchScope,
    matching_article_count,
    search_hits,
)
from annotator.store.stats import corpus_stats  # noqa: E402
from tests.benchmarks.corpus import CorpusSpec, write_jsonl  # noqa: E402

if TYPE_CHECKING:
    from tests.benchmarks.run import Bench

PAGE = 200


def build(work: Path, articles: int) -> Path:
    work.mkdir(parents=True, exist_ok=True)
    project_path = work / f"corpus-{articles}.annot"
    if project_path.exists():
        # A project built by an older release: opened once for writing, it is upgraded.
        Project.open(project_path, backups=False, lock=False).close()
        return project_path
    source = work / f"corpus-{articles}.jsonl"
    if not source.exists():
        started = time.perf_counter()
        counts = write_jsonl(
            source, CorpusSpec(articles, 3500, 8, seed=5, no_spans_share=0.3, done_share=0.2)
        )
        print(
            f"wrote {counts['articles']:,} articles, {counts['spans']:,} spans "
            f"({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    started = time.perf_counter()
    part = project_path.with_name(project_path.name + ".part.annot")
    with Project.open(part, backups=False, lock=False) as project:
        summary = import_paths(project, [source], annotator="bench")
    part.rename(project_path)
    print(
        f"imported {summary.articles_added:,} articles, {summary.spans_added:,} spans "
        f"({time.perf_counter() - started:.0f} s)",
        flush=True,
    )
    return project_path


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float, object]:
    """(cold ms, median warm ms, last result)."""
    started = time.perf_counter()
    result = fn()
    cold = (time.perf_counter() - started) * 1000
    warm = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        warm.append((time.perf_counter() - started) * 1000)
    return cold, statistics.median(warm), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "annotator-bench-corpus"
    )
    args = parser.parse_args(argv)
    path = build(args.work, args.articles)
    rows, floor = measure(path, args.runs)
    print()
    print(f"{'scenario':<72} {'target':<16} {'cold ms':>9} {'median ms':>10} {'x floor':>8}  note")
    for name, target, cold, warm, note in rows:
        print(f"{name:<72} {target:<16} {cold:>9.1f} {warm:>10.1f} {warm / floor:>8.0f}  {note}")
    return 0


def suite(bench: Bench) -> None:
    """The same figures in the whole suite (``python -m tests.benchmarks --only corpus``), on
    its 50,000-article list project, each a row with its target."""
    from tests.benchmarks.run import Row

    rows, floor = measure(bench.path("list.annot"), bench.scale.reps.get("search", 5))
    for name, target, cold, warm, note in rows:
        if target == "-":
            continue
        limit = float(target.split()[1]) + 1e-9  # "<= N": met at N
        bench.add(
            Row(
                f"corpus {name}",
                name,
                target,
                "ms",
                [warm],
                0.0,
                limit=limit,
                note=f"cold {cold:.1f} ms, {warm / floor:.0f}× the floor (one page of ids); {note}",
            )
        )


def measure(path: Path, runs: int) -> tuple[list[tuple[str, str, float, float, str]], float]:
    """(name, target, cold ms, median warm ms, note) per figure, and the floor's median ms."""
    rows: list[tuple[str, str, float, float, str]] = []
    with Project.open(path, read_only=True) as project:
        n = project.counts()
        print(f"project: {n['articles']:,} articles, {n['spans']:,} spans", flush=True)
        _c, floor, _ = timed(lambda: filtered_page_ids(project, ArticleFilter(), 0, PAGE), runs)
        floor = max(floor, 0.01)
        rows.append(("floor: one page of 200 article ids", "-", _c, floor, ""))

        searches = {
            "rare word (Reykjavík)": ("Reykjavík", SearchScope()),
            "very common word (the)": ("the", SearchScope()),
            "one letter (a)": ("a", SearchScope()),
            'phrase ("phone call")': ('"phone call"', SearchScope()),
            "prefix (sanction*)": ("sanction*", SearchScope()),
            "boolean (oil AND gas NOT Kremlin)": ("oil AND gas NOT Kremlin", SearchScope()),
            "sanctions inside Quote spans": ("sanctions", SearchScope(label="Quote")),
        }
        for name, (query, scope) in searches.items():
            cold, warm, hits = timed(
                lambda q=query, s=scope: search_hits(project, q, scope=s, limit=PAGE), runs
            )
            rows.append((f"search first page: {name}", "<= 50 ms", cold, warm, f"{len(hits)} hits"))  # type: ignore[arg-type]
            cold, warm, count = timed(
                lambda q=query, s=scope: matching_article_count(project, q, s), runs
            )
            rows.append(
                (
                    "  then its article count (shown after the page)",
                    "-",
                    cold,
                    warm,
                    f"{count:,} articles",
                )
            )  # type: ignore[str-format]

        # KWIC paging as the panel's model does it: 200 hits per fetchMore, after the last key.
        pages: list[float] = []
        after = None
        shown = 0
        started_all = time.perf_counter()
        while shown < 10_000:
            started = time.perf_counter()
            page = search_hits(project, "the", after=after, limit=PAGE)
            pages.append((time.perf_counter() - started) * 1000)
            if not page:
                break
            shown += len(page)
            after = page[-1].key
        total = (time.perf_counter() - started_all) * 1000
        rows.append(
            (
                "KWIC paging of 10,000 hits: slowest page",
                "<= 50 ms / page",
                max(pages),
                statistics.median(pages),
                f"{shown:,} hits in {len(pages)} pages, {total:.0f} ms in all",
            )
        )

        cold, warm, _ = timed(lambda: corpus_stats(project), runs)
        rows.append(("statistics (every dashboard figure)", "<= 1000 ms", cold, warm, ""))

        labels = {label.name: label.id for label in project.labels()}
        filters = {
            "status done": ArticleFilter(statuses=frozenset({"done"})),
            "outlet": ArticleFilter(outlet="Reuters"),
            "date range (one month)": ArticleFilter(date_from="2025-03-01", date_to="2025-03-31"),
            "label present (Claim)": ArticleFilter(label_present=labels["Claim"]),
            "label absent (Quote)": ArticleFilter(label_absent=labels["Quote"]),
            "annotator": ArticleFilter(annotator="colleague"),
            "query (sanctions)": ArticleFilter(query="sanctions"),
            "all combined": ArticleFilter(
                statuses=frozenset({"in progress", "done"}),
                outlet="Reuters",
                date_from="2025-01",
                date_to="2025-06",
                label_present=labels["Quote"],
                label_absent=labels["Speculation"],
                annotator="bench",
                query="the",
            ),
        }
        for name, f in filters.items():

            def run(f: ArticleFilter = f) -> tuple[int, list[int], dict[str, int]]:
                # Each run as after an edit: no matches kept from the previous one.
                forget_matches(project)
                return (
                    filtered_count(project, f),
                    filtered_page_ids(project, f, 0, PAGE),
                    status_counts(project, f),
                )

            cold, warm, result = timed(run, runs)
            rows.append(
                (
                    f"list filter: {name} (count, first page, per-status counts)",
                    "<= 50 ms",
                    cold,
                    warm,
                    f"{result[0]:,} articles",
                )
            )  # type: ignore[index]

    return rows, floor


if __name__ == "__main__":
    raise SystemExit(main())
