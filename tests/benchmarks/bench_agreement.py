"""Benchmark of comparing two colleagues' project files: 5,000 shared articles, 100,000 spans each.

Not a test (pytest collects only test_*.py); run it by hand:

    .venv/bin/python tests/benchmarks/bench_agreement.py [--articles 5000] [--spans 100000]
        [--runs 3] [--merge] [--tracemalloc]

It builds the two files once (in a temporary folder, bulk inserts), then times, per run:
opening both read-only and loading their layers, computing the full agreement (every figure per
label, per article and overall, and the disagreement list), and the two together as
``compare_files`` does. Peak memory is the process's maximum resident set size; ``--tracemalloc``
adds the peak of Python allocations during one full comparison (slower while tracing).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from annotator.core.model import ArticleDraft  # noqa: E402
from annotator.review.compare import compare_layers, open_layers  # noqa: E402
from annotator.review.streaming import compare_files  # noqa: E402
from annotator.store import Project  # noqa: E402
from annotator.store.layers import SpanCopy, insert_spans  # noqa: E402

LABELS = ("Quote", "Source", "Claim", "Speculation")
WORDS = (
    "the minister said talks would continue next week while officials in Moscow and Washington "
    "declined to comment on reports that sanctions could be lifted before the summit"
).split()


def article_text(rng: random.Random, index: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(350, 650))]
    return f"Article {index}. " + " ".join(words) + "."


def make_spans(rng: random.Random, length: int, count: int) -> list[tuple[int, int, str]]:
    spans = []
    for _ in range(count):
        start = rng.randrange(length - 1)
        spans.append((start, min(length, start + rng.randint(5, 160)), rng.choice(LABELS)))
    return spans


def perturb(
    rng: random.Random, spans: list[tuple[int, int, str]], length: int
) -> list[tuple[int, int, str]]:
    """A colleague's version: most spans the same, some shifted, relabelled, missed or added."""
    out = []
    for start, end, label in spans:
        roll = rng.random()
        if roll < 0.1:
            start = rng.randrange(length - 1)
            end = min(length, start + rng.randint(5, 160))  # a span of their own instead
        elif roll < 0.3:
            start = max(0, min(end - 1, start + rng.randint(-8, 8)))
            end = min(length, max(start + 1, end + rng.randint(-8, 8)))
        elif roll < 0.38:
            label = rng.choice(LABELS)
        out.append((start, end, label))
    return out


def build(folder: Path, articles: int, spans: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    texts = [article_text(rng, i) for i in range(articles)]
    per_article = [spans // articles + (1 if i < spans % articles else 0) for i in range(articles)]
    layers = {"alice": [], "bob": []}
    for text, count in zip(texts, per_article, strict=True):
        base = make_spans(rng, len(text), count)
        layers["alice"].append(base)
        layers["bob"].append(perturb(rng, base, len(text)))
    paths = []
    for name, order in (("alice", 1), ("bob", -1)):  # the other file imported in reverse order
        path = folder / f"{name}.annot"
        with Project.open(path) as project:
            ids = {}
            with project.atomic():
                for i in range(articles)[::order]:
                    ids[i] = project.add_article(ArticleDraft(texts[i], title=f"{name} {i}"))[0]
            label_ids = {lb: project.ensure_label(lb).id for lb in LABELS}
            copies = [
                SpanCopy(ids[i], s, e, label_ids[lb], texts[i][s:e], name, "", {}, "", "")
                for i in range(articles)
                for s, e, lb in layers[name][i]
            ]
            insert_spans(project, copies)
        paths.append(path)
    return paths


CPU_TIMES: dict[str, list[float]] = {}


def timed(action, name: str = ""):  # type: ignore[no-untyped-def]
    """Wall time (what a user waits) and, recorded under ``name``, CPU time of this process
    (what the code costs, whatever else the machine is doing)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = action()
    if name:
        CPU_TIMES.setdefault(name, []).append(time.process_time() - cpu)
    return time.perf_counter() - start, result


def cpu_note(name: str) -> str:
    return f"; CPU median {statistics.median(CPU_TIMES[name]):.2f} s"


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--spans", type=int, default=100_000, help="spans per file")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--merge", action="store_true", help="also time merging B into A")
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-agreement-") as tmp:
        folder = Path(tmp)
        build_time, paths = timed(lambda: build(folder, args.articles, args.spans, args.seed))
        sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in paths)
        print(
            f"built 2 files in {build_time:.1f} s ({sizes}); load average "
            f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs"
        )
        rss_before = max_rss_mb()

        loads, computes, totals = [], [], []
        result = None
        for _ in range(args.runs):
            load_time, layers = timed(lambda: open_layers(paths), "load")
            compute_time, result = timed(lambda: compare_layers(layers), "compute")  # noqa: B023
            total_time, _ = timed(lambda: compare_files(paths), "total")
            loads.append(load_time)
            computes.append(compute_time)
            totals.append(total_time)
        assert result is not None
        agreement = result.agreement
        spans = {
            k: sum(f.spans[k] for f in agreement.by_label.values()) for k in agreement.annotators
        }
        print(
            f"compared {len(agreement.articles)} shared articles, spans {spans}, "
            f"{len(agreement.disagreements)} disagreements"
        )
        print(
            f"  open read-only + load layers: median {statistics.median(loads):.2f} s "
            f"(runs: {', '.join(f'{t:.2f}' for t in loads)}){cpu_note('load')})"
        )
        print(
            f"  agreement (all figures, per article, disagreements): median "
            f"{statistics.median(computes):.2f} s "
            f"(runs: {', '.join(f'{t:.2f}' for t in computes)}){cpu_note('compute')})"
        )
        print(
            f"  end to end (compare_files): median {statistics.median(totals):.2f} s "
            f"(runs: {', '.join(f'{t:.2f}' for t in totals)}){cpu_note('total')})"
        )
        for label in agreement.labels:
            f = agreement.by_label[label]
            print(
                f"  {label:12} exact F1 {f.exact_f1:.3f}  overlap F1 {f.overlap_f1:.3f}  "
                f"kappa {f.kappa:.3f}  alpha {f.alpha:.3f}"
            )
        print(f"peak RSS {max_rss_mb():.0f} MB (after building the files: {rss_before:.0f} MB)")

        if args.tracemalloc:
            layers = open_layers(paths)
            tracemalloc.start()
            compare_layers(layers)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"Python allocations during one agreement computation: peak {peak / 1e6:.0f} MB")
            tracemalloc.start()
            compare_files(paths)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"Python allocations during one compare_files: peak {peak / 1e6:.0f} MB")

        if args.merge:
            from annotator.review.merge import merge_file

            with Project.open(paths[0]) as project:
                merge_time, merged = timed(lambda: merge_file(project, paths[1]))
                again_time, again = timed(lambda: merge_file(project, paths[1]))
            print(
                f"merge B into A: {merge_time:.2f} s ({len(merged.spans_added)} spans added); "
                f"again: {again_time:.2f} s ({again.duplicate_spans} duplicates, "
                f"{len(again.spans_added)} added)"
            )


if __name__ == "__main__":
    main()
