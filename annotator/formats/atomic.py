"""Output that appears whole or not at all: a file or folder written aside and moved in only
when the writing succeeded, so a failed or cancelled export leaves nothing half-written."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_file", "atomic_folder"]


@contextmanager
def atomic_file(path: Path, mode: str = "w", **open_args: Any) -> Iterator[IO[Any]]:
    """Open ``path.part`` for writing and move it onto ``path`` only if the block succeeds.

    Text mode defaults to UTF-8 with "\\n" line ends on every platform.
    """
    if "b" not in mode:
        open_args.setdefault("encoding", "utf-8")
        open_args.setdefault("newline", "\n")
    part = path.with_name(path.name + ".part")
    try:
        with part.open(mode, **open_args) as fh:
            yield fh
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """A fresh temporary folder beside ``path``; on success its files are moved into ``path``.

    ``path`` is created if needed; files already in it that the export does not write stay.
    On failure the temporary folder is removed and ``path`` is untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent))
    try:
        yield tmp
        path.mkdir(exist_ok=True)
        for entry in sorted(tmp.rglob("*")):
            target = path / entry.relative_to(tmp)
            if entry.is_dir():
                target.mkdir(exist_ok=True)
            else:
                os.replace(entry, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
