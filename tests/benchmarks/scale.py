"""Scenarios at ten times the corpus: a 100,000-article project, and a 10 MB article.

Both are generated into the benchmark's work folder (never committed) and cached there, like the
other corpora. ``huge`` imports 100,000 articles (about 1.8 million spans) as a process against
the bare floor, exports them, and then uses the project in the window (cold start with the last
article shown, the article list sorted and filtered, search, opening an article, adding a span,
moving to the next article: the same scenarios run on the 10,000-article project for comparison),
and compares and merges two such files. ``big_article`` opens a 9.8 MB article (just under the
10 MB limit) in the window, tags in it, and reports the process's peak memory.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import statistics
from pathlib import Path
from typing import TYPE_CHECKING

from tests.benchmarks.corpus import CorpusSpec, big_article_record, write_jsonl

if TYPE_CHECKING:
    from tests.benchmarks.run import Bench


def huge_corpus(bench: Bench) -> Path:
    path = bench.path("corpus-huge.jsonl")
    if not path.exists():
        spec = CorpusSpec(bench.scale.huge_articles, 1000, 16, seed=11, rich_every=100)
        counts = write_jsonl(path, spec)
        bench.log(
            f"  wrote {path.name}: {counts['articles']:,} articles, {counts['spans']:,} spans, "
            f"{counts['relations']:,} relations, {path.stat().st_size / 1e6:.0f} MB"
        )
    return path


def colleague_corpus(bench: Bench, source: Path) -> Path:
    """The same articles as a colleague ("bob") annotated them: most spans the same, some moved
    by a few characters, relabelled, missed; written a line at a time."""
    path = bench.path("corpus-huge-colleague.jsonl")
    if path.exists():
        return path
    rng = random.Random(23)
    labels = ("Quote", "Source", "Claim", "Speculation")
    tmp = path.with_suffix(".part")
    with source.open(encoding="utf-8") as src, tmp.open("w", encoding="utf-8") as out:
        for line in src:
            record = json.loads(line)
            text = record["text"]
            kept, index = [], {}
            for i, span in enumerate(record["spans"]):
                roll = rng.random()
                if roll < 0.08:
                    continue  # missed
                span = {k: v for k, v in span.items() if k != "annotator"}
                if roll < 0.25:
                    start = max(0, min(span["end"] - 1, span["start"] + rng.randint(-3, 3)))
                    end = min(len(text), max(start + 1, span["end"] + rng.randint(-3, 3)))
                    span.update(start=start, end=end, text=text[start:end])
                elif roll < 0.32:
                    span["label"] = rng.choice(labels)
                index[i] = len(kept)
                kept.append(span)
            record["spans"] = kept
            record["relations"] = [
                {**r, "head": index[r["head"]], "child": index[r["child"]]}
                for r in record["relations"]
                if r["head"] in index and r["child"] in index
            ]
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def bench_huge(bench: Bench) -> None:
    from tests.benchmarks.run import (
        Row,
        annotator_cmd,
        corpus_counts,
        drop_backups,
        late_typical_article,
        mb,
        module_cmd,
        remove_project,
        spawn,
    )

    s = bench.scale
    n = f"{s.huge_articles:,}"
    source = huge_corpus(bench)
    expected = corpus_counts(source)
    project = bench.path("huge.annot")
    floor_db = bench.path("floor-huge.db")

    # Import, against the floor, in the same run.
    remove_project(floor_db)
    floor = spawn(
        module_cmd("tests.benchmarks.floors", "import", str(source), str(floor_db)),
        bench.env,
        what="import floor (huge)",
    )
    remove_project(floor_db)
    done = bench.import_project(source, project)
    drop_backups(bench.profile, project)
    row = Row(
        "huge import",
        f"import {n} articles / {expected['spans']:,} spans from JSONL ({mb(source):.0f} MB)",
        "peak < 300 MB, ≤ 2× floor",
        "MB",
        [done.peak_mb],
        done.peak_mb,
        limit=300,
        note=f"{done.seconds:.1f} s",
    )
    row.floor = floor.seconds
    row.floor_peak = floor.peak_mb
    row.ratio_of = done.seconds
    row.ratio_limit = 2.0
    bench.add(row)
    size = mb(project)
    bench.add(
        Row(
            "huge file",
            f"project file with {n} articles",
            "< 1 GB",
            "MB",
            [size],
            done.peak_mb,
            limit=1000,
        )
    )
    spawn(
        module_cmd("tests.benchmarks.run", "--child", "prime", str(project)),
        bench.env,
        what="prime",
    )

    # Export, against the floor.
    out, floor_out = bench.path("export-huge.jsonl"), bench.path("floor-huge.jsonl")
    floor = spawn(
        module_cmd("tests.benchmarks.floors", "export", str(project), str(floor_out)),
        bench.env,
        what="export floor (huge)",
    )
    app = spawn(
        annotator_cmd("export", str(project), "--format", "jsonl", "-o", str(out)),
        bench.env,
        what="export (huge)",
    )
    for path in (out, floor_out):
        path.unlink(missing_ok=True)
    row = Row(
        "huge export",
        f"export {n} articles to JSONL",
        "≤ 2× floor",
        "s",
        [app.seconds],
        app.peak_mb,
        limit=float("inf"),
    )
    row.floor, row.floor_peak, row.ratio_limit = floor.seconds, floor.peak_mb, 2.0
    bench.add(row)

    # The window: cold start with the last article shown.
    late = late_typical_article(project)
    bench.settings(project, late)
    spawn(module_cmd("tests.benchmarks.coldstart"), bench.env, what="cold start (warm-up)")
    starts = []
    for _ in range(3):
        started = spawn(module_cmd("tests.benchmarks.coldstart"), bench.env, what="cold start")
        starts.append(
            json.loads(started.stdout.strip().splitlines()[-1])["painted_at"] - started.started_at
        )
    bench.add(
        Row(
            "huge window",
            f"window up with the last article shown ({n} articles)",
            "< 1 s",
            "s",
            starts,
            0.0,
            limit=1.0,
        )
    )
    listed = bench.gui("article_list", project, None)
    for key, what in (("sort", "sort by status"), ("filter", "filter by label")):
        bench.add(
            Row(
                f"huge list {what}",
                f"article list over {n}: {what}",
                "< 50 ms",
                "ms",
                listed[key],
                listed["peak_mb"],
                limit=50,
                by_p95=True,
            )
        )
    searched = bench.gui("search", project, None)
    bench.add(
        Row(
            "huge search",
            f"search over {n}, first page painted",
            "< 50 ms",
            "ms",
            searched["search"],
            searched["peak_mb"],
            limit=50,
            by_p95=True,
        )
    )
    # Opening, tagging and moving on: the same scenarios on both projects.
    ten = bench.path("p10k.annot")
    for name, path in (("10k", ten), ("100k", project)):
        first = late_typical_article(path)
        opened = bench.gui("open_article", path, first)
        edit = bench.gui("edit", path, first)
        switch = bench.gui("switch", path, first)
        for key, samples, peak in (
            ("open article", opened["open"], opened["peak_mb"]),
            ("add span", edit["add"], edit["peak_mb"]),
            ("next article", switch["switch"], switch["peak_mb"]),
        ):
            bench.add(
                Row(
                    f"{name} {key}",
                    f"{key} in the {name} project (largest article)"
                    if key == "open article"
                    else f"{key} in the {name} project",
                    "as 10k" if name == "100k" else "(reference)",
                    "ms",
                    samples,
                    peak,
                    limit=float("inf"),
                )
            )

    # Agreement and merge between two such files.
    colleague = colleague_corpus(bench, source)
    other = bench.path("huge-colleague.annot")
    if not other.exists():
        remove_project(other)
        spawn(
            annotator_cmd("import", str(other), str(colleague), "--annotator", "bob"),
            bench.env,
            what="importing the colleague's file",
        )
    # Each against its floor (review_huge.py): the span tables read in article order; the
    # spans and relations copied by INSERT ... SELECT.
    floor_cmd = module_cmd(
        "tests.benchmarks.review_huge", "--floor", "agree", str(project), str(other)
    )
    floor = spawn(floor_cmd, bench.env, what="agreement floor (huge)")
    agreed = spawn(annotator_cmd("agree", str(project), str(other)), bench.env, what="agree (huge)")
    row = Row(
        "huge agreement",
        f"agreement between two files of {n} articles",
        "< 60 s",
        "s",
        [agreed.seconds],
        agreed.peak_mb,
        limit=60,
    )
    row.floor, row.floor_peak = floor.seconds, floor.peak_mb
    row.ratio_limit = float("inf")  # the target is absolute; the ratio shown beside it
    bench.add(row)
    target = bench.path("huge-merge.annot")
    floor_cmd = module_cmd(
        "tests.benchmarks.review_huge", "--floor", "merge", str(target), str(other)
    )
    remove_project(target)
    shutil.copyfile(project, target)
    floor = spawn(floor_cmd, bench.env, what="merge floor (huge)")
    remove_project(target)
    shutil.copyfile(project, target)
    merged = spawn(annotator_cmd("merge", str(target), str(other)), bench.env, what="merge (huge)")
    drop_backups(bench.profile, target)
    remove_project(target)
    row = Row(
        "huge merge",
        f"merge a colleague's file of {n} articles",
        "< 60 s",
        "s",
        [merged.seconds],
        merged.peak_mb,
        limit=60,
    )
    row.floor, row.floor_peak = floor.seconds, floor.peak_mb
    row.ratio_limit = float("inf")  # the target is absolute; the ratio shown beside it
    bench.add(row)


def bench_big_article(bench: Bench) -> None:
    from tests.benchmarks.run import Row, annotator_cmd, copy_database, remove_project, spawn

    s = bench.scale
    project = bench.path("big-article.annot")
    if not project.exists():
        source = bench.path("article-10mb.jsonl")
        record = big_article_record(s.huge_size, s.huge_spans, seed=101)
        source.write_text(json.dumps(record, ensure_ascii=False) + "\r\n", encoding="utf-8")
        remove_project(project)
        copy_database(bench.path("p10k.annot"), project)
        spawn(
            annotator_cmd("import", str(project), str(source), "--annotator", "bench"),
            bench.env,
            what="importing the 10 MB article",
        )
        bench.log(
            f"  built {project.name}: the 10k project plus an article of "
            f"{len(record['text'].encode('utf-8')) / 1e6:.1f} MB with {s.huge_spans:,} spans"
        )
    size = f"{_utf8_megabytes(project):.1f} MB"
    first = _first_article(project)
    opened = bench.gui("open_article", project, first)
    cpu = statistics.median(opened["open_cpu"])
    bench.add(
        Row(
            "big open",
            f"open an article of {size} with {s.huge_spans:,} spans, painted",
            "< 1 s",
            "ms",
            opened["open"],
            opened["peak_mb"],
            limit=1000,
            note=f"CPU time of the opening process: median {cpu:.0f} ms",
        )
    )
    edit = bench.gui("edit", project, first)
    for key in ("add", "relabel", "delete"):
        bench.add(
            Row(
                f"big {key}",
                f"{key} one span in it (keystroke to repainted and committed)",
                "< 50 ms",
                "ms",
                edit[key],
                edit["peak_mb"],
                limit=50,
            )
        )
    peak = max(opened["peak_mb"], edit["peak_mb"])
    bench.add(
        Row(
            "big memory",
            f"peak memory with the {size} article open and tagged",
            "< 400 MB",
            "MB",
            [peak],
            peak,
            limit=400,
        )
    )


def _utf8_megabytes(project: Path) -> float:
    conn = sqlite3.connect(f"file:{project}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT max(length(CAST(text AS BLOB))) FROM articles").fetchone()
        return float(row[0]) / 1e6
    finally:
        conn.close()


def _first_article(project: Path) -> int:
    from tests.benchmarks.run import first_article

    return first_article(project)
