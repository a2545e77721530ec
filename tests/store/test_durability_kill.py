"""Kill tests: a child process edits, imports or merges; it is SIGKILLed at a random moment.

After each kill the file must pass ``integrity_check`` and ``foreign_key_check``, hold every
action the child reported done, and show no part of an action: its state must be exactly the
state after the last reported action, or after the one that was in flight (committed, not yet
reported). The states come from a second, unkilled run with the same seed (see
``durability_child.py``). Edits go through ProjectSession and the undo commands on a
QUndoStack (a QCoreApplication in the child), as the main window drives them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import queue
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from annotator.core.model import ArticleDraft
from annotator.store import Project
from tests.store.durability_child import state_digest

CHILD = Path(__file__).with_name("durability_child.py")
REPO = Path(__file__).resolve().parents[2]
HAS_QT = importlib.util.find_spec("PySide6") is not None
DRIVER = "session" if HAS_QT else "store"

# More rounds for a soak run: ANNOTATOR_KILL_ROUNDS=50 pytest -s tests/store/test_durability_kill.py
ROUNDS = int(os.environ.get("ANNOTATOR_KILL_ROUNDS", "3"))
EDIT_SEEDS = (20260101, 20260202)
KILLS_PER_SEED = ROUNDS
BATCH_KILLS = ROUNDS
FIGURES: dict[str, dict[str, int]] = {}  # printed at the end of the module (pytest -s)


@dataclass
class Child:
    proc: subprocess.Popen[str]
    errors: Path
    lines: queue.Queue[str | None] = field(default_factory=queue.Queue)

    @classmethod
    def start(cls, *args: str) -> Child:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        errors = Path(args[1]).with_suffix(".stderr")
        with open(errors, "wb") as err:  # a file, not a pipe: a chatty child cannot block
            proc = subprocess.Popen(
                [sys.executable, str(CHILD), *args],
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                encoding="utf-8",
                cwd=REPO,
                env=env,
            )
        child = cls(proc, errors)
        threading.Thread(target=child._pump, daemon=True).start()
        return child

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        with self.proc.stdout:
            for line in self.proc.stdout:
                if line.endswith("\n"):  # a kill may cut the last line: only whole lines count
                    self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, prefix: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line is None:
                raise AssertionError(f"child ended before {prefix!r}: {self.stderr()}")
            if line.startswith(prefix):
                return line

    def said(self, prefix: str) -> bool:
        """Whether the child printed a whole line starting with ``prefix`` before it ended."""
        self.proc.wait(timeout=30)
        while True:
            line = self.lines.get(timeout=30)
            if line is None:
                return False
            if line.startswith(prefix):
                return True

    def kill(self) -> bool:
        """SIGKILL the child; False when it had already ended on its own."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        return self.proc.returncode == -signal.SIGKILL

    def rest(self) -> list[str]:
        """Every line still to come (the child has ended)."""
        out = []
        while (line := self.lines.get(timeout=30)) is not None:
            out.append(line)
        return out

    def stderr(self) -> str:
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.errors.read_text(encoding="utf-8", errors="replace")

    def finish(self) -> list[str]:
        lines = self.rest()
        err = self.stderr()
        assert self.proc.returncode == 0, err
        return lines


def kill_at(children: list[Child], delays: list[float], must_kill: str = "") -> list[bool]:
    """SIGKILL each child ``delays[i]`` seconds from now (they run side by side); which were
    killed rather than ended on their own (an error when ``must_kill`` says why not)."""
    start = time.monotonic()
    killed = [False] * len(children)
    for i in sorted(range(len(children)), key=lambda i: delays[i]):
        time.sleep(max(0.0, start + delays[i] - time.monotonic()))
        killed[i] = children[i].kill()
        assert killed[i] or not must_kill, must_kill
    return killed


def check_file(path: Path) -> str:
    """Integrity and foreign keys of a file after a kill; its state digest."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        digest = state_digest(conn)
    finally:
        conn.close()
    # The app opens it again for writing: the dead child's lock is stale and is cleared.
    with Project.open(path, create=False) as project:
        assert project.lock is not None
        assert project.check_spans() == []
    return digest


def digest_of(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return state_digest(conn)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kill") / "base.annot"
    with Project.open(path) as project:
        for i in range(6):
            project.add_article(
                ArticleDraft(
                    f"Article {i}. Flag 🇺🇸 first; «Expect many tweets», said e\u0301ditor\u00a0X.\n"
                    "مرحبا بالعالم 👨\u200d👩\u200d👧 the end. " * (2 + i),
                    title=f"Article {i}",
                )
            )
    return path


def copy_of(base: Path, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    shutil.copyfile(base, target)
    return target


def reference_digests(base: Path, folder: Path, seed: int, count: int) -> list[str]:
    """The state after each action 0..count of an unkilled run with that seed."""
    path = copy_of(base, folder, f"reference-{seed}.annot")
    child = Child.start(
        "edits",
        str(path),
        "--seed",
        str(seed),
        "--count",
        str(count),
        "--digests",
        "--driver",
        DRIVER,
    )
    child.wait_for("READY")
    lines = child.finish()
    digests = [digest_of(base)]
    for line in lines:
        if line.startswith("OK "):
            _, n, _action, digest = line.split()
            assert int(n) == len(digests)
            digests.append(digest)
    assert len(digests) == count + 1
    return digests


# ------------------------------------------------------------------------------------ edits
@pytest.mark.parametrize(
    ("seed", "folder"),
    [(EDIT_SEEDS[0], "local"), (EDIT_SEEDS[1], "local"), (20260303, "Dropbox")],
    ids=["wal-1", "wal-2", "sync-folder-rollback-journal"],
)
def test_killed_while_editing_loses_no_reported_edit(
    base: Path, tmp_path: Path, seed: int, folder: str
) -> None:
    rng = random.Random(seed)
    paths = [
        copy_of(base, tmp_path / folder / f"round{i}", "project.annot")
        for i in range(KILLS_PER_SEED)
    ]
    children = [
        Child.start("edits", str(path), "--seed", str(seed), "--count", "5000", "--driver", DRIVER)
        for path in paths
    ]
    for child in children:
        assert child.wait_for("READY").split()[1] == ("qt" if HAS_QT else "store")
    # Editing has begun in every child (however loaded the machine) before any kill is timed.
    first = [child.wait_for("OK ") for child in children]
    # Each child is killed at its own random moment, most likely inside some edit.
    killed = kill_at(
        children, [rng.uniform(0.02, 0.4) for _ in children], "the child finished first"
    )
    assert all(killed), killed  # every child was SIGKILLed while still editing
    outcomes = []
    for path, child, seen in zip(paths, children, first, strict=True):
        reported = [seen, *(line for line in child.rest() if line.startswith("OK "))]
        outcomes.append((path, int(reported[-1].split()[1])))
    # One unkilled run gives the state after every action of this seed's sequence.
    digests = reference_digests(base, tmp_path / "ref", seed, max(n for _, n in outcomes) + 1)
    journal = "delete" if folder == "Dropbox" else "wal"
    figures = FIGURES.setdefault(f"edits seed {seed} ({journal} journal)", {})
    for path, last_ok in outcomes:
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == journal
        conn.close()
        digest = check_file(path)
        assert digest in (digests[last_ok], digests[last_ok + 1]), (
            f"after a kill following edit {last_ok}, the file matches no state between whole "
            "actions: edits were lost or an action was half applied"
        )
        figures["edits reported before the kills"] = (
            figures.get("edits reported before the kills", 0) + last_ok
        )
        figures["kills"] = figures.get("kills", 0) + 1
        in_flight_kept = digest == digests[last_ok + 1] and digests[last_ok + 1] != digests[last_ok]
        figures["in-flight edit committed but unreported"] = figures.get(
            "in-flight edit committed but unreported", 0
        ) + int(in_flight_kept)
        figures["reported edits lost"] = figures.get("reported edits lost", 0)
    figures["edits driven incl. reference run"] = (
        figures["edits reported before the kills"] + len(digests) - 1
    )


# ---------------------------------------------------------------------------- import, merge
def write_import_batch(folder: Path, files: int = 50, per_file: int = 20) -> None:
    rng = random.Random(5)
    words = (
        "Peskov said the Kremlin «expects» many 📈 tweets after both calls; "
        "Trump’s aide e\u0301crit مرحبا\r\n"
    ).split(" ")
    folder.mkdir(parents=True)
    for f in range(files):
        with open(folder / f"batch{f:03}.jsonl", "w", encoding="utf-8") as fh:
            for a in range(per_file):
                text = " ".join(rng.choice(words) for _ in range(500)) + f" #{f}-{a}"
                spans = []
                for _ in range(5):
                    start = rng.randrange(len(text) - 40)
                    spans.append(
                        {
                            "start": start,
                            "end": start + rng.randint(1, 30),
                            "label": rng.choice(["Quote", "Source", "Claim", "Imported ✨"]),
                        }
                    )
                relations = [{"head": 0, "child": 1}, {"head": 2, "child": 3}]
                record = {
                    "text": text,
                    "title": f"T{f}-{a}",
                    "spans": spans,
                    "relations": relations,
                }
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def kill_batches(base: Path, folder: Path, mode: str, source: Path, seed: int) -> dict[str, int]:
    """Run one batch unkilled (its end state and how many SQL statements it runs), then run it
    again in children that each SIGKILL themselves as a random one of those statements starts:
    every kill lands inside the work, however loaded the machine is."""
    reference = copy_of(base, folder / "ref", "project.annot")
    child = Child.start(mode, str(reference), "--source", str(source))
    first = int(child.wait_for("START").split()[1])
    done = child.wait_for("DONE")
    child.finish()
    before, after, last = digest_of(base), done.split()[1], int(done.split()[2])
    assert digest_of(reference) == after
    assert before != after
    assert last > first + 1, "the batch ran no statements to kill it in"
    rng = random.Random(seed)
    figures = {
        "kills": 0,
        "left nothing": 0,
        "left the whole batch": 0,
        "half batches": 0,
    }
    moments = [rng.randint(first + 1, last) for _ in range(BATCH_KILLS)]
    paths = [copy_of(base, folder / f"round{i}", "project.annot") for i in range(BATCH_KILLS)]
    children = [
        Child.start(mode, str(path), "--source", str(source), "--kill-at", str(moment))
        for path, moment in zip(paths, moments, strict=True)
    ]
    for path, moment, killed_child in zip(paths, moments, children, strict=True):
        killed_child.proc.wait(timeout=120)
        # Killed as statement `moment` of the work started: SIGKILL, and DONE never said.
        assert killed_child.proc.returncode == -signal.SIGKILL, (
            moment,
            killed_child.proc.returncode,
            killed_child.stderr(),
        )
        assert not killed_child.said("DONE"), moment
        figures["kills"] += 1
        digest = check_file(path)
        if digest == before:
            figures["left nothing"] += 1
        elif digest == after:
            figures["left the whole batch"] += 1
        else:
            figures["half batches"] += 1
    assert figures["half batches"] == 0
    return figures


def test_killed_import_leaves_the_whole_batch_or_nothing(base: Path, tmp_path: Path) -> None:
    source = tmp_path / "batch"
    write_import_batch(source, files=30)
    FIGURES["import"] = kill_batches(base, tmp_path, "import", source, seed=7)


def test_killed_merge_leaves_the_whole_merge_or_nothing(base: Path, tmp_path: Path) -> None:
    pytest.importorskip("annotator.review.merge")
    source_batch = tmp_path / "batch"
    write_import_batch(source_batch, files=12)
    colleague = tmp_path / "colleague.annot"
    from annotator.formats.importer import import_paths

    with Project.open(colleague) as project:
        import_paths(project, [source_batch], annotator="colleague")
    FIGURES["merge"] = kill_batches(base, tmp_path, "merge", colleague, seed=11)


def test_report_kill_figures() -> None:
    """Runs last in this module: prints the figures (see them with ``pytest -s``)."""
    for name, figures in FIGURES.items():
        print(f"\nkill test {name} ({DRIVER} driver): {figures}")
    lost = [f.get("reported edits lost", 0) for f in FIGURES.values()]
    assert sum(lost) == 0
