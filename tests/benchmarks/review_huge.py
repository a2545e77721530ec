"""Agreement and merge between two 100,000-article project files, each against a bare floor
measured in the same run, as whole processes with their peak memory.

    python -m tests.benchmarks.review_huge [--work DIR] [--articles N] [--runs N]

The two files are the ``huge`` scenario's (scale.py), generated and imported once into the work
folder (not committed): the analyst's project and a colleague's, the same articles with about a
third of the spans missed, moved by a few characters or relabelled. Then, per run:

* ``annotator agree A B`` against its floor: both span tables read with plain SQL, each file's
  main layer ordered by article (``python -m tests.benchmarks.review_huge --floor agree A B``);
* ``annotator merge COPY B`` (into a fresh copy of A) against its floor: one transaction of
  ``INSERT ... SELECT`` of every span and relation of the attached B into a copy of A, with no
  check, duplicate detection or id mapping (``--floor merge COPY B``).

Targets: each under 60 s, memory flat (peak far below the files' size). Printed with the load
average, since the absolute times scale with what else the machine runs; the ratios do not.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def floor_agree(first: str, second: str) -> int:
    """Read each file's main layer ordered by article, as the comparison has to."""
    rows = 0
    for path in (first, second):
        conn = sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro&immutable=1", uri=True)
        (main,) = conn.execute(
            "SELECT annotator FROM spans GROUP BY annotator ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        for _ in conn.execute(
            'SELECT article_id, id, start, "end", label_id FROM spans WHERE annotator = ?'
            " ORDER BY article_id, id",
            (main,),
        ):
            rows += 1
        conn.close()
    return rows


def floor_merge(target: str, source: str) -> int:
    """Copy every span and relation of ``source`` into ``target`` in one transaction."""
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA cache_size = -32768")  # as the app's connections
    conn.execute("ATTACH ? AS src", (f"{Path(source).absolute().as_uri()}?mode=ro&immutable=1",))
    conn.execute("BEGIN")
    columns = 'article_id, start, "end", label_id, text, annotator, note, attributes'
    columns += ", created_at, updated_at"
    spans = conn.execute(
        f"INSERT INTO spans({columns}) SELECT {columns} FROM src.spans ORDER BY id"
    ).rowcount
    columns = "article_id, head_id, child_id, type, annotator, created_at"
    conn.execute(f"INSERT INTO relations({columns}) SELECT {columns} FROM src.relations")
    conn.execute("COMMIT")
    conn.close()
    return spans


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--work", type=Path, help="folder for the corpora and projects (kept)")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--floor", nargs=3, metavar=("KIND", "A", "B"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        kind, a, b = args.floor
        print(floor_agree(a, b) if kind == "agree" else floor_merge(a, b))
        return 0

    from dataclasses import replace

    from tests.benchmarks.run import (
        FULL,
        Bench,
        annotator_cmd,
        drop_backups,
        module_cmd,
        remove_project,
        spawn,
    )
    from tests.benchmarks.scale import colleague_corpus, huge_corpus

    scale = replace(FULL, huge_articles=args.articles)
    work = args.work or Path(tempfile.gettempdir()) / "news-annotator-bench" / "review-huge"
    bench = Bench(scale, work, args.runs)
    work.mkdir(parents=True, exist_ok=True)
    source = huge_corpus(bench)
    mine, theirs = bench.path("huge.annot"), bench.path("huge-colleague.annot")
    if not mine.exists():
        bench.import_project(source, mine)
    if not theirs.exists():
        remove_project(theirs)
        spawn(
            annotator_cmd(
                "import", str(theirs), str(colleague_corpus(bench, source)), "--annotator", "bob"
            ),
            bench.env,
            what="importing the colleague's file",
        )
    sizes = f"{mine.stat().st_size / 1e6:.0f} MB and {theirs.stat().st_size / 1e6:.0f} MB"
    print(f"files: {sizes}; {os.cpu_count()} CPUs", flush=True)

    def load() -> str:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg())

    results: dict[str, list[tuple[float, float, float]]] = {}

    def measured(name: str, command: list[str]) -> None:
        """Run ``command`` to its end through the launcher: wall time, peak memory, CPU."""
        with tempfile.NamedTemporaryFile("r", suffix=".json") as out:
            launcher = [sys.executable, "-m", "tests.benchmarks.launch", out.name]
            subprocess.run(
                [*launcher, *command],
                env=bench.env,
                cwd=REPO,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            found = json.load(out)
        if found["returncode"] != 0:
            raise SystemExit(f"{name} failed: {' '.join(command)}")
        figures = (found["seconds"], found["peak_mb"], found["cpu_seconds"])
        results.setdefault(name, []).append(figures)

    copy = bench.path("huge-merge-target.annot")
    for run in range(args.runs):
        print(f"run {run + 1}: load average {load()}", flush=True)
        floor_cmd = module_cmd(
            "tests.benchmarks.review_huge", "--floor", "agree", str(mine), str(theirs)
        )
        measured("agree floor", floor_cmd)
        measured("agree", annotator_cmd("agree", str(mine), str(theirs)))
        for name, command in (
            (
                "merge floor",
                module_cmd(
                    "tests.benchmarks.review_huge", "--floor", "merge", str(copy), str(theirs)
                ),
            ),
            ("merge", annotator_cmd("merge", str(copy), str(theirs))),
        ):
            remove_project(copy)
            shutil.copyfile(mine, copy)
            measured(name, command)
            drop_backups(bench.profile, copy)
            remove_project(copy)
        print(f"  load average after the run: {load()}", flush=True)

    print(f"\nAgreement and merge, {args.articles:,} articles per file ({sizes}):")
    for name in ("agree", "merge"):
        mine_runs, floor_runs = results[name], results[f"{name} floor"]
        seconds = statistics.median(r[0] for r in mine_runs)
        floor = statistics.median(r[0] for r in floor_runs)
        cpu = statistics.median(r[2] for r in mine_runs)
        floor_cpu = statistics.median(r[2] for r in floor_runs)
        peak = max(r[1] for r in mine_runs)
        floor_peak = max(r[1] for r in floor_runs)
        verdict = "met" if seconds < 60 else "NOT met"
        print(
            f"  {name:6} {seconds:6.1f} s (target < 60 s: {verdict}), CPU {cpu:.1f} s, peak "
            f"{peak:.0f} MB; floor {floor:.1f} s, CPU {floor_cpu:.1f} s, peak {floor_peak:.0f} MB;"
            f" ratio {seconds / floor:.2f}× (CPU {cpu / floor_cpu:.2f}×)"
        )
    print(f"load average at the end: {load()} ({time.strftime('%H:%M:%S')})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
