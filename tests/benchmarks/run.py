"""News Annotator at newsroom scale: the whole benchmark suite, one command.

    .venv/bin/python -m tests.benchmarks [--quick] [--only NAME,...] [--runs N] [--work DIR]

Generates realistic corpora once (cached in ``--work``, by default a folder under the system's
temporary folder): JSONL files of news-like articles in paragraphs with emoji, accents, a line of
Arabic now and then, CRLF line ends in texts and in the files themselves, and pre-annotated spans
of every label (overlapping, nested, from two annotators) with relations between them; a 1 MB
article with 10,000 spans; project files built from them with the app's own importer.

Then runs each scenario several times, every heavy one in a fresh process, so that the peak
resident memory printed (``ru_maxrss`` of that process) is the scenario's own, and prints a table
of medians (and 95th percentiles where a target asks for them) against the targets. Import and
export run the whole ``annotator import`` / ``annotator export`` command as a process and are
also given as a ratio to a floor measured in the same run (see ``floors.py``); "memory flat"
compares their peak memory with the same command on a corpus a quarter the size. GUI scenarios
drive the real MainWindow offscreen (``gui.py``); the cold start runs the app's real entry path
(``coldstart.py``).

``--quick`` runs everything on smaller corpora (a fifth of the articles, a quarter-size long
article) in a few minutes, to check that the suite works; its figures are not the targets'.
Not collected by pytest (no test_*.py files here).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.benchmarks.corpus import CorpusSpec, big_article_record, write_jsonl  # noqa: E402
from tests.benchmarks.scale import bench_big_article, bench_huge  # noqa: E402

ANALYST = "bench"


@dataclass(frozen=True)
class Scale:
    name: str
    articles: int  # the import/export/cold-start corpus
    list_articles: int  # the search and article-list project
    big_size: int  # characters of the long article
    big_spans: int
    agree_articles: int
    agree_spans: int
    runs: int  # processes per process-level scenario
    reps: dict[str, int] = field(default_factory=dict)  # repetitions inside a GUI process
    huge_articles: int = 100_000  # the "huge" project (scale.py)
    huge_size: int = 9_400_000  # characters of the very large article (about 9.8 MB of UTF-8)
    huge_spans: int = 20_000


FULL = Scale(
    "full",
    10_000,
    50_000,
    1_000_000,
    10_000,
    5_000,
    100_000,
    3,
    {"open_article": 7, "edit": 40, "scroll": 60, "switch": 20, "article_list": 6, "search": 12},
)
QUICK = Scale(
    "quick",
    2_000,
    10_000,
    250_000,
    2_500,
    1_000,
    20_000,
    2,
    {"open_article": 3, "edit": 10, "scroll": 20, "switch": 6, "article_list": 3, "search": 6},
    huge_articles=20_000,
    huge_size=2_400_000,
    huge_spans=5_000,
)


# ----------------------------------------------------------------------------- processes
@dataclass
class Process:
    seconds: float
    peak_mb: float
    stdout: str
    stderr: str
    started_at: float  # time.time() just before the process was started


def spawn(cmd: Sequence[str], env: dict[str, str], *, what: str) -> Process:
    """Run a process to its end; its wall time and peak resident memory (from wait4), both
    taken by a small launcher process (see launch.py)."""
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.NamedTemporaryFile("r", suffix=".json") as measured,
    ):
        launcher = [sys.executable, "-m", "tests.benchmarks.launch", measured.name]
        subprocess.run([*launcher, *cmd], stdout=out, stderr=err, env=env, cwd=REPO, check=True)
        result = json.load(measured)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if result["returncode"] != 0:
        raise SystemExit(
            f"{what} failed (exit {result['returncode']}):\n{' '.join(cmd)}\n{stdout[-3000:]}"
            f"\n{stderr[-3000:]}"
        )
    return Process(result["seconds"], result["peak_mb"], stdout, stderr, result["started_at"])


def last_json(text: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(text.strip().splitlines()[-1])
    return result


def annotator_cmd(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("annotator")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "annotator.cli", *args]


def module_cmd(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


class Bench:
    def __init__(self, scale: Scale, work: Path, runs: int) -> None:
        self.scale = scale
        self.work = work
        self.runs = runs
        self.profile = work / "profile"
        self.env = dict(os.environ)
        self.env["QT_QPA_PLATFORM"] = "offscreen"
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        for kind in ("config", "data", "state", "cache"):
            self.env[f"XDG_{kind.upper()}_HOME"] = str(self.profile / kind)
        self.env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p
        )
        self.rows: list[Row] = []

    # ------------------------------------------------------------------------- paths
    def path(self, name: str) -> Path:
        return self.work / name

    @property
    def corpus(self) -> Path:
        return self.path("corpus.jsonl")

    @property
    def quarter_corpus(self) -> Path:
        return self.path("corpus-quarter.jsonl")

    @property
    def list_corpus(self) -> Path:
        return self.path("corpus-list.jsonl")

    def settings(self, project: Path, article_id: int | None) -> None:
        """The analyst's settings file: the last project and where they were in it."""
        folder = self.profile / "config" / "news-annotator"
        folder.mkdir(parents=True, exist_ok=True)
        places = {}
        if article_id is not None:
            places[str(project)] = {"article_id": article_id, "position": 0}
        (folder / "settings.json").write_text(
            json.dumps(
                {
                    "version": 1,
                    "annotator": ANALYST,
                    "last_project": str(project),
                    "recent_projects": [str(project)],
                    "places": places,
                }
            ),
            encoding="utf-8",
        )

    # ---------------------------------------------------------------------- building
    def log(self, message: str) -> None:
        print(message, flush=True)

    def import_project(self, source: Path, target: Path) -> Process:
        remove_project(target)
        return spawn(
            annotator_cmd("import", str(target), str(source), "--annotator", ANALYST),
            self.env,
            what=f"importing {source.name}",
        )

    def prepare(self) -> None:
        s = self.scale
        self.work.mkdir(parents=True, exist_ok=True)
        specs = {
            self.corpus: CorpusSpec(s.articles, 2000, 17, seed=1, rich_every=100),
            self.quarter_corpus: CorpusSpec(s.articles // 4, 2000, 17, seed=2, rich_every=100),
            self.list_corpus: CorpusSpec(
                s.list_articles, 3500, 8, seed=5, no_spans_share=0.3, done_share=0.2
            ),
        }
        for path, spec in specs.items():
            if not path.exists():
                started = time.perf_counter()
                counts = write_jsonl(path, spec)
                self.log(
                    f"  wrote {path.name}: {counts['articles']:,} articles, "
                    f"{counts['spans']:,} spans, {counts['relations']:,} relations, "
                    f"{counts['crlf_texts']:,} texts with CRLF, {mb(path):.0f} MB "
                    f"({time.perf_counter() - started:.0f} s)"
                )
        big = self.path("big-article.jsonl")
        if not big.exists():
            record = big_article_record(s.big_size, s.big_spans)
            big.write_text(json.dumps(record, ensure_ascii=False) + "\r\n", encoding="utf-8")
        builds = (
            ("p10k.annot", self.corpus),
            ("quarter.annot", self.quarter_corpus),
            ("list.annot", self.list_corpus),
        )
        for name, source in builds:
            target = self.path(name)
            if not target.exists():
                done = self.import_project(source, target)
                self.log(f"  built {name} with the app's import in {done.seconds:.0f} s")
        gui = self.path("gui.annot")
        if not gui.exists():
            remove_project(gui)
            copy_database(self.path("p10k.annot"), gui)
            spawn(
                annotator_cmd("import", str(gui), str(big), "--annotator", ANALYST),
                self.env,
                what="importing the long article",
            )
            self.log("  built gui.annot: the 10k project plus the long article")
        agree = self.path("agree")
        if not (agree / "bob.annot").exists():
            shutil.rmtree(agree, ignore_errors=True)
            agree.mkdir()
            spawn(
                module_cmd(
                    "tests.benchmarks.run",
                    "--child",
                    "agree-build",
                    json.dumps(
                        {"folder": str(agree), "articles": s.agree_articles, "spans": s.agree_spans}
                    ),
                ),
                self.env,
                what="building the agreement files",
            )
            self.log("  built the two agreement files")
        # Open each project once as the app does (migrating a file built by an older version,
        # and leaving the backup state of a cleanly closed project), so no run pays for that.
        for name in ("p10k.annot", "gui.annot", "list.annot"):
            spawn(
                module_cmd("tests.benchmarks.run", "--child", "prime", str(self.path(name))),
                self.env,
                what=f"opening {name}",
            )

    # ------------------------------------------------------------------ the scenarios
    def bench_import(self) -> None:
        floors, apps = [], []
        target = self.path("import-run.annot")
        floor_db = self.path("floor-import.db")
        expected = corpus_counts(self.corpus)
        for run in range(self.runs):
            remove_project(floor_db)
            floors.append(
                spawn(
                    module_cmd(
                        "tests.benchmarks.floors", "import", str(self.corpus), str(floor_db)
                    ),
                    self.env,
                    what="import floor",
                )
            )
            done = self.import_project(self.corpus, target)
            apps.append(done)
            if run == 0:
                check_import(target, expected, done.stdout)
            drop_backups(self.profile, target)
        quarter = self.import_project(self.quarter_corpus, target)
        drop_backups(self.profile, target)
        remove_project(target)
        remove_project(floor_db)
        self.process_row(
            "import",
            f"import {expected['articles']:,} articles from JSONL "
            f"({mb(self.corpus):.0f} MB) with FTS",
            "< 15 s, memory flat, ≤ 2× floor",
            apps,
            floors,
            quarter,
            limit=15.0,
        )

    def bench_export(self) -> None:
        project = self.path("p10k.annot")
        out = self.path("export-run.jsonl")
        floor_out = self.path("floor-export.jsonl")
        floors, apps = [], []
        for _ in range(self.runs):
            floors.append(
                spawn(
                    module_cmd("tests.benchmarks.floors", "export", str(project), str(floor_out)),
                    self.env,
                    what="export floor",
                )
            )
            apps.append(
                spawn(
                    annotator_cmd("export", str(project), "--format", "jsonl", "-o", str(out)),
                    self.env,
                    what="export",
                )
            )
        quarter = spawn(
            annotator_cmd(
                "export",
                str(self.path("quarter.annot")),
                "--format",
                "jsonl",
                "-o",
                str(self.path("export-quarter.jsonl")),
            ),
            self.env,
            what="export of the quarter project",
        )
        counts = export_counts(out)
        check_export(out, project)
        for path in (out, floor_out, self.path("export-quarter.jsonl")):
            path.unlink(missing_ok=True)
        self.process_row(
            "export",
            f"export {counts['articles']:,} articles / {counts['spans']:,} spans to JSONL",
            "< 5 s, memory flat, ≤ 2× floor",
            apps,
            floors,
            quarter,
            limit=5.0,
        )

    def bench_agreement(self) -> None:
        folder = self.path("agree")
        runs = [
            spawn(
                annotator_cmd("agree", str(folder / "alice.annot"), str(folder / "bob.annot")),
                self.env,
                what="agree",
            )
            for _ in range(self.runs)
        ]
        s = self.scale
        self.process_row(
            "agreement",
            f"agreement: 2 projects, {s.agree_articles:,} shared articles, "
            f"{s.agree_spans:,} spans each",
            "< 5 s",
            runs,
            None,
            None,
            limit=5.0,
        )

    def bench_cold_start(self) -> None:
        project = self.path("p10k.annot")
        article = late_typical_article(project)
        self.settings(project, article)
        spawn(module_cmd("tests.benchmarks.coldstart"), self.env, what="cold start (warm-up)")
        seconds, peaks = [], []
        for _ in range(max(self.runs, 5)):
            done = spawn(module_cmd("tests.benchmarks.coldstart"), self.env, what="cold start")
            seconds.append(last_json(done.stdout)["painted_at"] - done.started_at)
            peaks.append(done.peak_mb)
        self.add(
            Row(
                "cold start",
                f"cold start: process start to main window painted, last project "
                f"({self.scale.articles:,} articles)",
                "< 1.5 s",
                "s",
                seconds,
                max(peaks),
                limit=1.5,
            )
        )

    def gui(self, scenario: str, project: Path, place: int | None) -> dict[str, Any]:
        self.settings(project, place)
        args = {"project": str(project), "reps": self.scale.reps.get(scenario, 1)}
        done = spawn(
            module_cmd("tests.benchmarks.gui", scenario, json.dumps(args)),
            self.env,
            what=f"GUI scenario {scenario}",
        )
        result = last_json(done.stdout)
        result["peak_mb"] = done.peak_mb
        return result

    def bench_reader(self) -> None:
        gui = self.path("gui.annot")
        small = first_article(gui)
        s = self.scale
        size = f"{s.big_size / 1e6:g} MB" if s.big_size >= 1e6 else f"{s.big_size // 1000} KB"
        opened = self.gui("open_article", gui, small)
        self.add(
            Row(
                "open article",
                f"open an article of {size} with {s.big_spans:,} spans, painted",
                "< 300 ms",
                "ms",
                opened["open"],
                opened["peak_mb"],
                limit=300,
            )
        )
        edit = self.gui("edit", gui, small)
        for key, verb in (("add", "add"), ("relabel", "relabel"), ("delete", "delete")):
            self.add(
                Row(
                    f"span {verb}",
                    f"{verb} one span in it (keystroke to repainted and committed)",
                    "< 30 ms p95",
                    "ms",
                    edit[key],
                    edit["peak_mb"],
                    limit=30,
                    by_p95=True,
                )
            )
        scroll = self.gui("scroll", gui, small)
        self.add(
            Row(
                "scroll",
                "scroll it by a page (per frame)",
                "< 16 ms per frame",
                "ms",
                scroll["scroll"],
                scroll["peak_mb"],
                limit=16,
                by_p95=True,
            )
        )
        switch = self.gui("switch", gui, small)
        self.add(
            Row(
                "switch article",
                "switch to the next article (typical 5 KB, 50 spans)",
                "< 50 ms",
                "ms",
                switch["switch"],
                switch["peak_mb"],
                limit=50,
            )
        )

    def bench_list(self) -> None:
        project = self.path("list.annot")
        n = f"{self.scale.list_articles:,}"
        search = self.gui("search", project, None)
        self.add(
            Row(
                "search",
                f"full-text search over {n} articles, first results painted",
                "< 100 ms",
                "ms",
                search["search"],
                search["peak_mb"],
                limit=100,
                by_p95=True,
            )
        )
        listed = self.gui("article_list", project, None)
        for key, what in (
            ("list_open", "open"),
            ("sort", "sort by status"),
            ("filter", "filter by label"),
        ):
            self.add(
                Row(
                    f"list {what}",
                    f"article list over {n} articles: {what}",
                    "< 200 ms",
                    "ms",
                    listed[key],
                    listed["peak_mb"],
                    limit=200,
                    by_p95=True,
                )
            )
        opened = self.gui("project_open", project, None)
        self.add(
            Row(
                "project open",
                f"project open with {n} articles (window shown, list used): peak resident memory",
                "< 400 MB",
                "MB",
                [opened["peak_mb"]],
                opened["peak_mb"],
                limit=400,
                note=f"window painted in {opened['open_s'][0]:.2f} s; resident after "
                f"open {opened['rss_after_open_mb']:.0f} MB",
            )
        )

    # ------------------------------------------------------------------------- rows
    def add(self, row: Row) -> None:
        self.rows.append(row)
        print("  " + row.line(), flush=True)

    def process_row(
        self,
        key: str,
        scenario: str,
        target: str,
        apps: list[Process],
        floors: list[Process] | None,
        quarter: Process | None,
        *,
        limit: float,
    ) -> None:
        seconds = [p.seconds for p in apps]
        peak = max(p.peak_mb for p in apps)
        row = Row(key, scenario, target, "s", seconds, peak, limit=limit)
        if floors:
            row.floor = statistics.median(p.seconds for p in floors)
            row.floor_peak = max(p.peak_mb for p in floors)
        if quarter is not None:
            row.quarter_peak = quarter.peak_mb
        self.add(row)


@dataclass
class Row:
    key: str
    scenario: str
    target: str
    unit: str
    samples: list[float]
    peak_mb: float
    limit: float
    by_p95: bool = False
    floor: float | None = None
    floor_peak: float | None = None
    quarter_peak: float | None = None
    note: str = ""
    ratio_limit: float = 2.0  # of the median (or ratio_of) to the floor
    ratio_of: float | None = None  # seconds set against the floor when the row shows memory

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def ratio(self) -> float | None:
        if not self.floor:
            return None
        return (self.ratio_of if self.ratio_of is not None else self.median) / self.floor

    @property
    def flat(self) -> bool | None:
        if self.quarter_peak is None:
            return None
        # Flat: a corpus four times the size costs at most a fifth more memory (plus 10 MB).
        return self.peak_mb <= self.quarter_peak * 1.2 + 10

    @property
    def met(self) -> bool:
        value = self.p95 if self.by_p95 else self.median
        ok = value < self.limit
        if self.ratio is not None:
            ok = ok and self.ratio <= self.ratio_limit
        if self.flat is not None:
            ok = ok and self.flat
        return ok

    def fmt(self, value: float) -> str:
        if self.unit == "ms":
            return f"{value:.1f} ms"
        if self.unit == "MB":
            return f"{value:.0f} MB"
        return f"{value:.2f} s"

    def cells(self) -> list[str]:
        ratio = f"{self.ratio:.2f}×" if self.ratio is not None else ""
        floor = f"{self.floor:.2f} s ({self.floor_peak:.0f} MB)" if self.floor else ""
        memory = f"{self.peak_mb:.0f}"
        if self.quarter_peak is not None:
            memory += f" (¼: {self.quarter_peak:.0f}{', flat' if self.flat else ', NOT flat'})"
        p95 = self.fmt(self.p95) if len(self.samples) > 1 else ""
        return [
            self.scenario,
            self.target,
            self.fmt(self.median),
            p95,
            str(len(self.samples)),
            memory,
            floor,
            ratio,
            "yes" if self.met else "NO",
        ]

    def line(self) -> str:
        c = self.cells()
        extra = f"; {self.note}" if self.note else ""
        return (
            f"{c[0]}: median {c[2]}, p95 {c[3] or '-'}, n={c[4]}, peak {c[5]} MB"
            f"{', floor ' + c[6] + ' = ' + c[7] if c[6] else ''} -> {c[8]}{extra}"
        )


HEADERS = ["scenario", "target", "median", "p95", "n", "peak MB", "floor (peak)", "× floor", "met"]


def table(rows: Sequence[Row]) -> str:
    body = [HEADERS, *[r.cells() for r in rows]]
    widths = [max(len(line[i]) for line in body) for i in range(len(HEADERS))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |"
        for line in body
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    notes = [f"- {r.scenario}: {r.note}" for r in rows if r.note]
    return "\n".join(lines + notes)


# ------------------------------------------------------------------------------- helpers
def mb(path: Path) -> float:
    return path.stat().st_size / 1e6


def remove_project(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal", ".lock"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    for leftover in path.parent.glob(f".{path.name}*"):
        if leftover.is_file():
            leftover.unlink(missing_ok=True)


def drop_backups(profile: Path, project: Path) -> None:
    """The backups a throwaway run's project left in the benchmark profile."""
    root = profile / "data" / "news-annotator" / "backups"
    for folder in root.glob(f"{project.stem}-*"):
        shutil.rmtree(folder, ignore_errors=True)


def copy_database(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dest = sqlite3.connect(str(target))
    try:
        src.backup(dest)
    finally:
        src.close()
        dest.close()


def corpus_counts(path: Path) -> dict[str, int]:
    counts = {"articles": 0, "spans": 0, "relations": 0}
    with path.open("rb") as fh:
        for line in fh:
            obj = json.loads(line)
            counts["articles"] += 1
            counts["spans"] += len(obj["spans"])
            counts["relations"] += len(obj["relations"])
    return counts


def check_import(project: Path, expected: dict[str, int], summary: str) -> None:
    """The imported project holds every row, spans cover their text, and FTS agrees."""
    conn = sqlite3.connect(f"file:{project}?mode=ro", uri=True)
    try:
        got = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("articles", "spans", "relations")
        }
        assert got == expected, (got, expected, summary)
        bad = conn.execute(
            "SELECT count(*) FROM spans s JOIN articles a ON a.id = s.article_id"
            ' WHERE s.text IS NOT substr(a.text, s.start + 1, s."end" - s.start)'
        ).fetchone()[0]
        assert bad == 0, f"{bad} spans do not cover their text"
        assert (
            conn.execute("SELECT count(*) FROM articles WHERE instr(text, char(13))").fetchone()[0]
            == 0
        )
        writer = sqlite3.connect(project)  # the check is a command written as an INSERT
        try:
            writer.execute(
                "INSERT INTO articles_fts(articles_fts, rank) VALUES('integrity-check', 1)"
            )
        finally:
            writer.close()
        fts = conn.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'Reykjavík'"
        ).fetchone()[0]
        like = conn.execute(
            "SELECT count(*) FROM articles WHERE text LIKE '%Reykjavík%' OR title LIKE"
            " '%Reykjavík%'"
        ).fetchone()[0]
        assert fts == like, (fts, like)
    finally:
        conn.close()


def export_counts(path: Path) -> dict[str, int]:
    counts = {"articles": 0, "spans": 0}
    with path.open("rb") as fh:
        for line in fh:
            obj = json.loads(line)
            counts["articles"] += 1
            counts["spans"] += len(obj["spans"])
    return counts


def check_export(out: Path, project: Path) -> None:
    conn = sqlite3.connect(f"file:{project}?mode=ro", uri=True)
    try:
        spans = conn.execute("SELECT count(*) FROM spans").fetchone()[0]
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        conn.close()
    got = export_counts(out)
    assert got == {"articles": articles, "spans": spans}, (got, articles, spans)
    with out.open(encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            for span in doc["spans"]:
                assert doc["text"][span["start"] : span["end"]] == span["text"]


def first_article(project: Path) -> int:
    conn = sqlite3.connect(f"file:{project}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT min(id) FROM articles").fetchone()[0])
    finally:
        conn.close()


def late_typical_article(project: Path) -> int:
    """An article near the end of the list: an analyst who got far through the corpus."""
    conn = sqlite3.connect(f"file:{project}?mode=ro", uri=True)
    try:
        count = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        return int(
            conn.execute(
                "SELECT id FROM articles ORDER BY id LIMIT 1 OFFSET ?", (count * 9 // 10,)
            ).fetchone()[0]
        )
    finally:
        conn.close()


def child(name: str, raw: str) -> None:
    if name == "prime":
        from annotator.store import Project

        Project.open(raw).close()
    elif name == "agree-build":
        from tests.benchmarks.bench_agreement import build

        args = json.loads(raw)
        build(Path(args["folder"]), args["articles"], args["spans"], 7)


def versions() -> str:
    from importlib.metadata import version

    return (
        f"Python {platform.python_version()}, PySide6 {version('PySide6-Essentials')}, SQLite "
        f"{sqlite3.sqlite_version}, sqlite-utils {version('sqlite-utils')}; "
        f"{os.cpu_count()} CPUs, load average " + ", ".join(f"{x:.1f}" for x in os.getloadavg())
    )


def _formats(bench: Bench) -> None:
    from tests.benchmarks.bench_new_formats import bench_formats

    bench_formats(bench)


def _corpus(bench: Bench) -> None:
    from tests.benchmarks.bench_corpus import suite

    suite(bench)


SUITES: dict[str, Callable[[Bench], None]] = {
    "cold_start": Bench.bench_cold_start,
    "reader": Bench.bench_reader,
    "import": Bench.bench_import,
    "list": Bench.bench_list,
    "export": Bench.bench_export,
    "agreement": Bench.bench_agreement,
    "big_article": bench_big_article,
    "huge": bench_huge,
    "formats": _formats,
    "corpus": _corpus,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="smaller corpora, fewer runs")
    parser.add_argument("--only", help="comma-separated: " + ", ".join(SUITES))
    parser.add_argument("--runs", type=int, help="processes per process-level scenario")
    parser.add_argument("--work", type=Path, help="folder for corpora and projects (kept)")
    parser.add_argument("--fresh", action="store_true", help="rebuild corpora and projects")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    scale = QUICK if args.quick else FULL
    work = args.work or Path(tempfile.gettempdir()) / "news-annotator-bench" / scale.name
    if args.fresh and work.exists():
        shutil.rmtree(work)
    chosen = list(SUITES) if not args.only else [n.strip() for n in args.only.split(",")]
    unknown = set(chosen) - set(SUITES)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    bench = Bench(scale, work, args.runs or scale.runs)
    print(f"News Annotator benchmarks ({scale.name}) in {work}\n{versions()}", flush=True)
    started = time.perf_counter()
    print("preparing corpora and projects (cached between runs)…", flush=True)
    bench.prepare()
    for name in chosen:
        print(f"{name}…", flush=True)
        SUITES[name](bench)
    print(f"\nResults ({scale.name}, {time.perf_counter() - started:.0f} s in all):\n")
    print(table(bench.rows))
    if args.json:
        args.json.write_text(
            json.dumps(
                [r.__dict__ | {"median": r.median, "p95": r.p95, "met": r.met} for r in bench.rows],
                indent=1,
            )
        )
    return 0 if all(r.met for r in bench.rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
