"""A split export killed at any moment never leaves parts of two runs under the final names,
and the next run finishes or undoes what the killed one started.

A child process runs ``annotator export --split`` over an existing set of parts from an earlier
run and is SIGKILLed from inside, at its k-th file move (``os.replace``), for every k until a
run finishes unkilled: every moment at which the set on disk changes. After each kill the final
names must hold parts of one run only (compared byte for byte with clean exports of both runs);
after the next export they must hold one whole run.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.core.model import ArticleDraft
from annotator.formats.export import ExportError, export_project, split_target
from annotator.formats.split_commit import staging_folder
from annotator.store import Project

REPO = Path(__file__).resolve().parents[2]
SPLIT_NAMES = ("train", "dev", "test")

# The child kills itself with a real SIGKILL just before its k-th os.replace, so the kill lands
# exactly between two moves; KILLED_AT is printed first so the test knows it was mid-work.
CHILD = """
import os, signal, sys
from annotator.cli import main
kill_at = int(sys.argv[1])
real_replace = os.replace
calls = [0]
def replace(src, dst, *args, **kwargs):
    calls[0] += 1
    if calls[0] == kill_at:
        print("KILLED_AT", kill_at, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    return real_replace(src, dst, *args, **kwargs)
os.replace = replace
sys.exit(main(sys.argv[2:]))
"""


def build(path: Path, articles: int) -> None:
    with Project.open(path) as project:
        label = project.labels()[0]
        for i in range(articles):
            text = f"Article {i}: the minister said 👍🏽 «yes», e\u0301\u00a0done.\r\nمرحبا {i}"
            article_id, _ = project.add_article(ArticleDraft(text, title=f"t{i}"))
            project.add_span(article_id, 0, 7, label.id, "alice")


def digests(out: Path, folder: bool) -> dict[str, str | None]:
    """Each split name's part under its final name: a digest of its bytes, None if absent."""
    found: dict[str, str | None] = {}
    for name in SPLIT_NAMES:
        target = split_target(out, name, folder=folder)
        if target.is_dir():
            digest = hashlib.sha256()
            for entry in sorted(target.rglob("*")):
                if entry.is_file():
                    digest.update(entry.name.encode() + entry.read_bytes())
            found[name] = digest.hexdigest()
        elif target.is_file():
            found[name] = hashlib.sha256(target.read_bytes()).hexdigest()
        else:
            found[name] = None
    return found


def run_export(project: Path, out: Path, fmt: str, split: str, seed: int, kill_at: int):  # type: ignore[no-untyped-def]
    args = ["export", str(project), "-f", fmt, "-o", str(out), "--split", split]
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(kill_at), *args, "--seed", str(seed)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("fmt", "suffix", "folder", "new_split"),
    [
        ("jsonl", ".jsonl", False, "80/10/10"),
        ("jsonl", ".jsonl", False, "80/20"),  # a 2-part run retires the old dev part too
        ("brat", "", True, "70/15/15"),
    ],
)
def test_a_killed_split_export_never_mixes_two_runs(
    tmp_path: Path, fmt: str, suffix: str, folder: bool, new_split: str
) -> None:
    project = tmp_path / "p.annot"
    build(project, 12)
    # What each run writes, exported cleanly into folders of their own.
    expected = {}
    for run, (split, seed) in {"old": ("80/10/10", 1), "new": (new_split, 2)}.items():
        clean = tmp_path / f"clean-{run}" / f"data{suffix}"
        with Project.open(project, read_only=True) as opened:
            export_project(opened, fmt, clean, split=split, seed=seed)
        expected[run] = digests(clean, folder)
    assert expected["old"] != expected["new"]

    kills = 0
    for kill_at in range(1, 200):
        work = tmp_path / f"k{kill_at}"
        out = work / f"data{suffix}"
        work.mkdir()
        with Project.open(project, read_only=True) as opened:
            export_project(opened, fmt, out, split="80/10/10", seed=1)  # the old set
        assert digests(out, folder) == expected["old"]
        done = run_export(project, out, fmt, new_split, 2, kill_at)
        if done.returncode == 0:
            assert "KILLED_AT" not in done.stdout
            assert digests(out, folder) == expected["new"]
            assert not staging_folder(out).exists()
            break
        # Killed, mid-work: by the signal, after announcing it, not by an error.
        assert done.returncode == -signal.SIGKILL, done.stderr
        assert f"KILLED_AT {kill_at}" in done.stdout
        kills += 1
        now = digests(out, folder)
        present = {name: d for name, d in now.items() if d is not None}
        old_parts = {n: d for n, d in expected["old"].items() if d is not None}
        new_parts = {n: d for n, d in expected["new"].items() if d is not None}
        assert present.items() <= old_parts.items() or present.items() <= new_parts.items(), (
            f"kill at move {kill_at} left parts of two runs: {now}"
        )
        # The next run (any export to the same output) finishes or undoes the killed one.
        with Project.open(project, read_only=True) as opened:
            export_project(opened, fmt, out, split=new_split, seed=2)
        assert digests(out, folder) == expected["new"]
        assert not staging_folder(out).exists()
    else:
        pytest.fail("the export never finished")
    assert kills >= 6  # staging writes, the moves aside and the moves in were all hit
    print(f"{fmt} {new_split}: killed at {kills} moments, never a mixed set")


def test_an_error_while_writing_leaves_the_old_set_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "p.annot"
    build(project, 30)
    out = tmp_path / "data.jsonl"
    with Project.open(project, read_only=True) as opened:
        export_project(opened, "jsonl", out, split="80/10/10", seed=1)
        before = digests(out, False)
        calls = [0]

        def failing(done: int, total: int) -> None:
            calls[0] += 1
            if calls[0] == 28:  # in the last part, after train and dev were written
                raise OSError(28, "No space left on device", str(out))

        with pytest.raises(ExportError, match="No space left"):
            export_project(opened, "jsonl", out, split="80/10/10", seed=5, progress=failing)
    assert digests(out, False) == before
    assert not staging_folder(out).exists()
    assert sorted(
        n for n in os.listdir(tmp_path) if "data" in n and n.endswith(".jsonl")
    ) == sorted(["data-train.jsonl", "data-dev.jsonl", "data-test.jsonl"])
    json.loads((tmp_path / "data-train.jsonl").read_text("utf-8").splitlines()[0])
