"""Putting a split export's parts in place all together, or not at all, even when killed.

The parts of a split (``OUT-train.jsonl``, ``OUT-dev.jsonl``, ``OUT-test.jsonl``, or the folders
``OUT/train`` …) belong together: a train part of one run beside the test part of another would
leak test articles into training. So the parts are first written into a staging folder beside
the output (``.OUT.split``), and only when every part is complete are they moved in:

1. a commit record (``commit.json``) listing the parts is written and synced: from now on the
   new set is decided and the next run finishes it, should this one be killed;
2. every old part under a final name (of any split name, so a 80/20 run also retires an old
   ``dev``) is moved aside into the staging folder;
3. the new parts are moved onto the final names;
4. the staging folder, with the old parts, is removed.

At any moment the final names hold parts of one run only (old ones before step 2 ends, new ones
after), some perhaps missing while a run is stopped in steps 2–3, and :func:`recover` (called
before every export to the same output) completes a decided commit or, with no commit record,
throws the unfinished staging folder away, leaving the old set whole. An error while writing
the parts leaves the old set untouched; one while moving them puts the old set back.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

RECORD = "commit.json"
NEW = "new"
OLD = "old"


def staging_folder(out: Path) -> Path:
    return out.with_name(f".{out.name}.split")


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def begin(out: Path) -> Path:
    """A fresh staging folder for the parts (finishing or clearing an earlier run first);
    write each part to ``staged(out, final)``."""
    recover(out)
    staging = staging_folder(out)
    (staging / NEW).mkdir(parents=True)
    return staging


def staged(out: Path, final: Path) -> Path:
    """Where a part bound for ``final`` is written before the commit."""
    return staging_folder(out) / NEW / final.name


def abandon(out: Path) -> None:
    """Throw away the staged parts (an error or cancel while writing): the old set stays."""
    _remove(staging_folder(out))


def commit(out: Path, finals: Sequence[Path], retired: Sequence[Path]) -> None:
    """Move the staged parts onto ``finals``; every existing path of ``retired`` (old parts of
    every split name) goes aside first. See the module doc for why this survives a kill."""
    staging = staging_folder(out)
    record = {
        "parts": [str(final) for final in finals],
        "retired": sorted({str(path) for path in (*retired, *finals)}),
    }
    tmp = staging / f"{RECORD}.part"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(record, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, staging / RECORD)
    _fsync_dir(staging)
    try:
        _finish(staging, record)
    except OSError:
        _undo(staging, record)
        raise


def recover(out: Path) -> str | None:
    """Finish a commit a killed run had decided, or drop its unfinished staging folder.
    Returns what was done ("finished", "discarded") or None when there was nothing to do."""
    staging = staging_folder(out)
    if not staging.exists():
        return None
    try:
        record = json.loads((staging / RECORD).read_text("utf-8"))
    except (OSError, ValueError):
        _remove(staging)  # killed before the commit was decided: the old set is whole
        return "discarded"
    _finish(staging, record)
    return "finished"


def _finish(staging: Path, record: dict[str, list[str]]) -> None:
    new, old = staging / NEW, staging / OLD
    old.mkdir(exist_ok=True)
    # Step 2: every final name that does not hold a part of this run yet is an old part.
    for name in record["retired"]:
        final = Path(name)
        if (new / final.name).exists() or name not in record["parts"]:
            if final.exists() or final.is_symlink():
                aside = old / final.name
                _remove(aside)
                os.replace(final, aside)
    _fsync_dir(Path(record["retired"][0]).parent if record["retired"] else staging)
    # Step 3: the new parts onto the final names.
    for name in record["parts"]:
        final = Path(name)
        part = new / final.name
        if part.exists():
            final.parent.mkdir(parents=True, exist_ok=True)  # a folder format's OUT
            os.replace(part, final)
    if record["parts"]:
        _fsync_dir(Path(record["parts"][0]).parent)
    # Step 4.
    _remove(staging)


def _undo(staging: Path, record: dict[str, list[str]]) -> None:
    """A move failed (not a kill): put the new parts back and the old ones in place."""
    new, old = staging / NEW, staging / OLD
    for name in record["parts"]:
        final = Path(name)
        if final.exists() and not (new / final.name).exists():
            try:
                os.replace(final, new / final.name)
            except OSError:
                pass
    for name in record["retired"]:
        aside = old / Path(name).name
        if aside.exists() and not Path(name).exists():
            try:
                os.replace(aside, name)
            except OSError:
                pass
    _remove(staging)
