"""The dataset formats' exports against their libraries' floors, beside JSONL against its floor.

Part of the suite (``python -m tests.benchmarks --only formats``), or on its own::

    python -m tests.benchmarks.bench_new_formats [--project P.annot] [--work DIR] [--runs N]
        [--formats spacy,hf,...]

Each export runs as the whole ``annotator export`` command in a fresh process, and so does its
floor (``format_floors.py``: the format's own library writing the same rows read with plain SQL,
no checks). Printed per format: median seconds of the export and of the floor, their ratio, and
whether the ratio is at most the JSONL export's ratio to its floor measured in the same run (the
target). Without ``--project``, the 10,000-article project of the suite is built (once, cached in
``--work``) from the suite's corpus.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.benchmarks.run import (  # noqa: E402
    Bench,
    Row,
    annotator_cmd,
    module_cmd,
    remove_project,
    spawn,
)

FORMATS = ("spacy", "hf", "xmi", "webanno-tsv", "labelstudio-min")
FOLDER = {"hf", "xmi", "webanno-tsv"}
SUFFIX = {"spacy": ".spacy", "labelstudio-min": ".json"}


@dataclass
class Measured:
    name: str
    seconds: float
    floor: float
    peak_mb: float

    @property
    def ratio(self) -> float:
        return self.seconds / self.floor


def _clear(path: Path) -> None:
    import shutil

    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def measure(bench: Bench, project: Path, fmt: str) -> Measured:
    if fmt == "jsonl":
        out = bench.path("formats-export.jsonl")
        floor_cmd = module_cmd("tests.benchmarks.floors", "export", str(project), str(out))
    else:
        out = bench.path(f"formats-export-{fmt}{SUFFIX.get(fmt, '')}")
        floor_cmd = module_cmd("tests.benchmarks.format_floors", fmt, str(project), str(out))
    apps, floors = [], []
    for _ in range(bench.runs):
        _clear(out)
        floors.append(spawn(floor_cmd, bench.env, what=f"{fmt} floor"))
        _clear(out)
        apps.append(
            spawn(
                annotator_cmd("export", str(project), "--format", fmt, "-o", str(out)),
                bench.env,
                what=f"{fmt} export",
            )
        )
    _clear(out)
    return Measured(
        fmt,
        statistics.median(p.seconds for p in apps),
        statistics.median(p.seconds for p in floors),
        max(p.peak_mb for p in apps),
    )


def bench_formats(
    bench: Bench, project: Path | None = None, formats: tuple[str, ...] = FORMATS
) -> list[Measured]:
    project = project or bench.path("p10k.annot")
    jsonl = measure(bench, project, "jsonl")
    bench.log(
        f"  jsonl: export {jsonl.seconds:.2f} s, floor {jsonl.floor:.2f} s, "
        f"ratio {jsonl.ratio:.2f}×"
    )
    results = [jsonl]
    for fmt in formats:
        measured = measure(bench, project, fmt)
        results.append(measured)
        row = Row(
            f"export_{fmt}",
            f"export to {fmt}",
            f"ratio ≤ JSONL's {jsonl.ratio:.2f}×",
            "s",
            [measured.seconds],
            measured.peak_mb,
            limit=float("inf"),
        )
        row.floor = measured.floor
        row.floor_peak = 0.0
        if measured.ratio > jsonl.ratio:
            row.limit = 0.0  # not met: shown as NO
        bench.add(row)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--project", type=Path, help="an existing project to export")
    parser.add_argument("--work", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--formats", default=",".join(FORMATS))
    args = parser.parse_args()
    from tests.benchmarks.corpus import CorpusSpec, write_jsonl
    from tests.benchmarks.run import FULL

    work = args.work or Path(tempfile.gettempdir()) / "news-annotator-bench" / "formats"
    work.mkdir(parents=True, exist_ok=True)
    bench = Bench(FULL, work, args.runs)
    project = args.project
    if project is None:
        project = work / f"p{args.articles}.annot"
        corpus = work / f"corpus-{args.articles}.jsonl"
        if not corpus.exists():
            write_jsonl(corpus, CorpusSpec(args.articles, 2000, 17, seed=1, rich_every=100))
        if not project.exists():
            remove_project(project)
            spawn(
                annotator_cmd("import", str(project), str(corpus), "--annotator", "bench"),
                bench.env,
                what="building the project",
            )
    results = bench_formats(bench, project, tuple(args.formats.split(",")))
    jsonl = results[0]
    print(f"\n{'format':<16}{'export s':>10}{'floor s':>10}{'ratio':>8}{'peak MB':>9}  target")
    for m in results:
        target = "" if m is jsonl else ("met" if m.ratio <= jsonl.ratio else "NOT met")
        print(
            f"{m.name:<16}{m.seconds:>10.2f}{m.floor:>10.2f}{m.ratio:>7.2f}×{m.peak_mb:>9.0f}  {target}"
        )
    return 0 if all(m.ratio <= jsonl.ratio for m in results[1:]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
