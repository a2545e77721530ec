"""Turning the files and folders a user picked into the sorted list of files to import."""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path

from annotator.formats.records import Rejection


def collect_files(
    paths: Sequence[str | Path],
    suffixes: Collection[str],
    *,
    check_cancelled: Callable[[], None] = lambda: None,
) -> list[Path | Rejection]:
    """Files to import, in order, with a rejection in place of each path that cannot be used.

    Folders are searched recursively in name order for files with one of ``suffixes``; hidden
    files and folders are skipped, and a symbolic link is followed only when it leads to a place
    inside the folder. A file reached twice (through a link, or named twice) is read once.
    """
    found: list[Path | Rejection] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given).expanduser()
        if path.is_dir():
            entries: Iterable[Path | Rejection] = _walk(path, suffixes, check_cancelled)
        else:
            entries = [_named_file(path, suffixes)]
        for entry in entries:
            if isinstance(entry, Path):
                real = entry.resolve()
                if real in seen:
                    continue
                seen.add(real)
            found.append(entry)
    return found


def _named_file(path: Path, suffixes: Collection[str]) -> Path | Rejection:
    """A file the user named: taken even when hidden or a link, if its type is one we read."""
    if path.is_file():
        if path.suffix.lower() in suffixes:
            return path
        kind = f"'{path.suffix}'" if path.suffix else "without a suffix"
        return Rejection(
            path, None, f"unsupported file type {kind}; supported: " + ", ".join(suffixes)
        )
    if path.is_symlink():
        return Rejection(path, None, "is a broken symbolic link")
    if path.exists():
        return Rejection(path, None, "is neither a regular file nor a folder")
    return Rejection(path, None, "no such file or folder")


def _walk(
    root: Path, suffixes: Collection[str], check_cancelled: Callable[[], None]
) -> Iterator[Path | Rejection]:
    root_real = root.resolve()
    visited = {root_real}  # real folders already searched: links cannot make a loop

    def visit(folder: Path) -> Iterator[Path | Rejection]:
        check_cancelled()
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as exc:
            yield Rejection(folder, None, f"cannot be read: {exc.strerror or exc}")
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            wanted = path.suffix.lower() in suffixes
            if entry.is_symlink():
                try:
                    target = path.resolve()
                except (OSError, RuntimeError):  # a cycle of links (3.11 raises RuntimeError)
                    if wanted:
                        yield Rejection(path, None, "is a loop of symbolic links; not followed")
                    continue
                if not target.is_relative_to(root_real):
                    if wanted or target.is_dir():
                        yield Rejection(
                            path,
                            None,
                            f"is a symbolic link to {target}, outside {root}; not followed",
                        )
                    continue
            if entry.is_dir():
                real = path.resolve()
                if real not in visited:
                    visited.add(real)
                    yield from visit(path)
            elif wanted and entry.is_file():
                yield path

    return visit(root)
