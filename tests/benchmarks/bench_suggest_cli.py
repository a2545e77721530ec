"""Whole-process speed of ``annotator suggest`` over a project of 10,000 articles of about 5 KB.

``python -m tests.benchmarks.bench_suggest_cli [--articles N] [--processes P]`` builds a project
of N articles (each the 5 KB benchmark article of bench_suggest with its own number), then times,
each in a process of its own:

- the floor: spaCy's tokenizer alone over the same texts, read from the project file (the least
  any suggester built on spaCy's tokenizer must do);
- ``annotator suggest PROJECT`` (reading the articles, the rules, writing the suggestions layer),
  with its peak memory (and, with ``--compare-one``, the same with ``--processes 1`` on a copy of the project);

and prints the ratios and the load average. Target: 60 s or less for 10,000 articles.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from annotator.core.model import ArticleDraft
from annotator.store import Project
from tests.benchmarks.bench_suggest import benchmark_article

FLOOR = textwrap.dedent(
    """
    import sqlite3, sys
    import spacy
    tokenizer = spacy.blank("en").tokenizer
    conn = sqlite3.connect(sys.argv[1])
    texts = (row[0] for row in conn.execute("SELECT text FROM articles ORDER BY id"))
    for _doc in tokenizer.pipe(texts):
        pass
    """
)


def build(path: Path, count: int) -> None:
    article = benchmark_article()
    with Project.open(path, backups=False, lock=False) as project, project.atomic():
        for i in range(count):
            project.add_article(ArticleDraft(f"Article {i}. " + article, title=f"Article {i}"))


def timed(command: list[str]) -> tuple[float, float]:
    """Seconds and peak memory (MB) of a child process running ``command``."""
    t0 = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(child.pid, 0)
    took = time.perf_counter() - t0
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{' '.join(command)} failed with status {child.returncode}")
    return took, usage.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--processes", type=int, default=0, help="0: the command's default")
    parser.add_argument(
        "--compare-one", action="store_true", help="also time --processes 1 on a copy"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "bench.annot"
        t0 = time.perf_counter()
        build(path, args.articles)
        print(f"project of {args.articles:,} articles built in {time.perf_counter() - t0:.1f} s")
        print(f"load average before: {os.getloadavg()}")
        floor, floor_mb = timed([sys.executable, "-c", FLOOR, str(path)])
        print(f"floor (spaCy tokenizer alone, own process): {floor:.1f} s, {floor_mb:.0f} MB")
        command = [sys.executable, "-m", "annotator.cli", "suggest", str(path)]
        if args.processes:
            command += ["--processes", str(args.processes)]
        took, peak = timed(command)
        with sqlite3.connect(path) as conn:
            spans = conn.execute(
                "SELECT count(*) FROM spans WHERE annotator = 'suggestions'"
            ).fetchone()[0]
        print(
            f"annotator suggest: {took:.1f} s (target <= {60 * args.articles / 10_000:.0f} s), "
            f"{spans:,} suggestions, ratio to floor {took / floor:.2f}, peak memory {peak:.0f} MB"
        )
        if args.compare_one and args.processes != 1:
            alone = Path(work) / "alone.annot"
            build(alone, args.articles)
            one, _ = timed([*command[:4], str(alone), "--processes", "1"])
            print(f"annotator suggest --processes 1: {one:.1f} s, ratio {one / floor:.2f}")
        print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
