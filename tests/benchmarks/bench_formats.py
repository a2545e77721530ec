"""Benchmark of the export formats: export and re-import 10,000 articles with 200,000 spans.

Not a test (pytest collects only test_*.py); run it by hand:

    .venv/bin/python tests/benchmarks/bench_formats.py [--articles 10000] [--spans 20] [--keep DIR]

Each scenario runs in its own subprocess, so its peak memory (``ru_maxrss``) is its own. Printed
per scenario: wall seconds and peak resident memory, and the same for a baseline process that
only imports the modules and opens the project (so the difference is what the work costs).
The floor is the least any JSON export can cost: reading the same rows with plain SQL and
``json.dumps``-ing them, written nowhere.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

FORMATS = ("jsonl", "doccano", "csv", "labelstudio", "parquet")
LABELS = ("Quote", "Source", "Claim", "Speculation")
WORDS = (
    "Putin Trump Kremlin said call sanctions Moscow Washington talks would cover Ukraine "
    "terrorism relations lowest point since Cold War meeting Reykjavík café résumé 👍🏽 🇺🇸 "
    "économie قال المتحدث expect many tweets follow both phone calls officials reported"
).split()
SUFFIX = {
    "jsonl": ".jsonl",
    "doccano": ".jsonl",
    "csv": ".csv",
    "labelstudio": ".json",
    "parquet": "",
}


# ----------------------------------------------------------------------------- the corpus
def make_corpus(path: Path, articles: int, spans_per_article: int, seed: int = 1) -> None:
    """A native JSONL file: ~2 KB articles, each with spans (some nested) and relations."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for n in range(articles):
            words = [rng.choice(WORDS) for _ in range(spans_per_article * 12)]
            text = f"Article {n}. " + " ".join(words) + "."
            # word start offsets in code points
            starts, at = [], len(f"Article {n}. ")
            for word in words:
                starts.append((at, at + len(word)))
                at += len(word) + 1
            spans = []
            for i in range(spans_per_article):
                first = i * 12 + rng.randrange(0, 6)
                last = first + rng.randrange(0, 5)
                start, end = starts[first][0], starts[last][1]
                spans.append(
                    {
                        "start": start,
                        "end": end,
                        "label": LABELS[i % 4],
                        "annotator": "ann" if i % 3 else "bob",
                        "note": "checked" if i % 7 == 0 else "",
                        "attributes": {"confidence": "high"} if i % 5 == 0 else {},
                    }
                )
            relations = [
                {"head": i, "child": i + 1, "label": "attributed_to"}
                for i in range(0, spans_per_article - 1, 8)
            ]
            fh.write(
                json.dumps(
                    {
                        "text": text,
                        "meta": {"title": f"Story {n}", "status": "done"},
                        "spans": spans,
                        "relations": relations,
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )


# ------------------------------------------------------------------------------- scenarios
def scenario(name: str, args: dict[str, Any]) -> dict[str, Any]:
    """Runs in the child process."""
    from annotator.formats.export import export_project
    from annotator.formats.importer import import_paths
    from annotator.store import Project

    started = time.perf_counter()
    result: dict[str, Any] = {}
    if name == "baseline":
        with Project.open(args["project"], read_only=True) as project:
            result["articles"] = project.counts()["articles"]
    elif name == "build":
        with Project.open(args["project"]) as project:
            summary = import_paths(project, [args["source"]], annotator="bench")
            result["spans"] = summary.spans_added
    elif name == "export":
        with Project.open(args["project"], read_only=True) as project:
            report = export_project(project, args["format"], args["out"])
            result["spans"] = report.spans
            result["lost"] = [str(loss) for loss in report.losses]
    elif name == "import":
        with Project.open(args["target"]) as project:
            if args.get("first"):
                import_paths(project, [args["first"]], annotator="bench")  # CSV needs articles
                started = time.perf_counter()
            summary = import_paths(project, [args["out"]], annotator="bench", format=args["format"])
            result["spans"] = summary.spans_added
            result["rejected"] = summary.rejected
    elif name == "floor":
        conn = sqlite3.connect(f"file:{args['project']}?mode=ro", uri=True)
        size = 0
        last = 0
        while True:
            rows = conn.execute(
                "SELECT id, title, text, source, author, url, published, status, content_hash,"
                " meta FROM articles WHERE id > ? ORDER BY id LIMIT 32",
                (last,),
            ).fetchall()
            if not rows:
                break
            first, last = rows[0][0], rows[-1][0]
            spans: dict[int, list[Any]] = {}
            for s in conn.execute(
                'SELECT article_id, start, "end", label_id, text, annotator, note, attributes'
                " FROM spans WHERE article_id BETWEEN ? AND ? ORDER BY article_id, start",
                (first, last),
            ):
                spans.setdefault(s[0], []).append(s[1:])
            relations: dict[int, list[Any]] = {}
            for r in conn.execute(
                "SELECT article_id, head_id, child_id, type FROM relations"
                " WHERE article_id BETWEEN ? AND ?",
                (first, last),
            ):
                relations.setdefault(r[0], []).append(r[1:])
            for row in rows:
                size += len(
                    json.dumps(
                        {
                            "article": row,
                            "spans": spans.get(row[0], []),
                            "relations": relations.get(row[0], []),
                        },
                        ensure_ascii=False,
                    )
                )
        conn.close()
        result["bytes"] = size
    result["seconds"] = round(time.perf_counter() - started, 2)
    result["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def run_child(name: str, args: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", name, json.dumps(args)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def size_of(path: Path) -> float:
    total = sum(p.stat().st_size for p in path.rglob("*")) if path.is_dir() else path.stat().st_size
    return round(total / 1e6, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--spans", type=int, default=20, help="spans per article")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        name, args = options.child
        print(json.dumps(scenario(name, json.loads(args))))
        return

    work = options.keep or Path(tempfile.mkdtemp(prefix="bench-formats-"))
    work.mkdir(parents=True, exist_ok=True)
    source = work / "corpus.jsonl"
    project = work / "bench.annot"
    if not project.exists():
        make_corpus(source, options.articles, options.spans)
        built = run_child("build", {"project": str(project), "source": str(source)})
        print(
            f"built project: {options.articles} articles, {built['spans']} spans "
            f"by importing {size_of(source)} MB of JSONL in {built['seconds']} s, "
            f"peak {built['peak_mb']} MB"
        )
    base = run_child("baseline", {"project": str(project)})
    floor = run_child("floor", {"project": str(project)})
    print(f"baseline (modules + open project): peak {base['peak_mb']} MB")
    print(
        f"floor (plain SQL rows + json.dumps, {floor['bytes'] / 1e6:.0f} MB of JSON): "
        f"{floor['seconds']} s, peak {floor['peak_mb']} MB"
    )
    print(
        f"{'format':<12}{'export s':>9}{'peak MB':>9}{'size MB':>9}"
        f"{'import s':>10}{'peak MB':>9}  lost"
    )
    articles_only = work / "articles-only.jsonl"
    for fmt in FORMATS:
        out = work / f"export-{fmt}{SUFFIX[fmt]}"
        exported = run_child("export", {"project": str(project), "format": fmt, "out": str(out)})
        target = work / f"reimport-{fmt}.annot"
        for leftover in work.glob(target.name + "*"):
            leftover.unlink()
        first = None
        if fmt == "csv":
            if not articles_only.exists():
                _export_articles_only(project, articles_only)
            first = str(articles_only)
        imported = run_child(
            "import", {"target": str(target), "format": fmt, "out": str(out), "first": first}
        )
        assert imported["rejected"] == 0 and imported["spans"] == exported["spans"], imported
        lost = "; ".join(exported["lost"]) or "nothing"
        print(
            f"{fmt:<12}{exported['seconds']:>9}{exported['peak_mb']:>9}{size_of(out):>9}"
            f"{imported['seconds']:>10}{imported['peak_mb']:>9}  {lost[:70]}"
        )
    if not options.keep:
        print(f"(work files in {work}; delete when done)")


def _export_articles_only(project: Path, out: Path) -> None:
    from annotator.formats.export import ExportFilter, export_project
    from annotator.store import Project

    with Project.open(project, read_only=True) as opened:
        export_project(opened, "jsonl", out, filter=ExportFilter(labels=frozenset()))


if __name__ == "__main__":
    main()
