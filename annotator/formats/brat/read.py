"""Reading brat collections: the folders, the .txt/.ann pairs and visual.conf's original names
(see :mod:`annotator.formats.brat`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from annotator.core.text import canonicalize
from annotator.formats.brat.document import _Document, _note
from annotator.formats.brat.names import VISUAL_CONF, NoteCallback, brat_name
from annotator.formats.limits import (
    MAX_ARTICLE_BYTES,
    MAX_ARTICLE_FILE_BYTES,
    MAX_WHOLE_FILE_BYTES,
    TooLarge,
    megabytes,
    read_bounded,
)
from annotator.formats.records import (
    ArticleRecord,
    ReadOptions,
    ReadResult,
    RecordError,
    Rejection,
    text_problem,
)
from annotator.formats.walk import collect_files


def read_brat(
    path: Path, options: ReadOptions | None = None, *, on_note: NoteCallback | None = None
) -> ReadResult:
    """Yield one article per brat document under ``path`` (a folder, or one .ann/.txt file).

    Rejections name the .ann (or .txt) file and line in :attr:`RecordError.path`/``line``.
    """
    if on_note is None and options is not None:
        on_note = options.on_note
    advance = options.advance if options is not None else (lambda done, total: None)
    del options  # brat files are UTF-8 by definition
    path = Path(path)
    if path.is_dir():
        root = path
        entries = collect_files([path], (".ann", ".txt"))
        # A .txt that is a link out of the folder is rejected here, and its .ann not read.
        refused = {e.path for e in entries if isinstance(e, Rejection)}
        ann_files = [
            e
            for e in entries
            if isinstance(e, Path)
            and e.suffix.lower() == ".ann"
            and e.with_suffix(".txt") not in refused
        ]
        stems = {p.with_suffix("") for p in ann_files}
        for entry in entries:
            if isinstance(entry, Path):
                if entry.suffix.lower() == ".txt" and entry.with_suffix("") not in stems:
                    _note(
                        on_note, entry, None, "has no .ann beside it: not read as a brat document"
                    )
            else:
                yield RecordError(entry.line, entry.message, path=entry.path)
    elif path.suffix.lower() == ".txt":
        root = path.parent
        ann_files = [path.with_suffix(".ann")]
    else:
        root = path.parent
        ann_files = [path]
    for done, ann_path in enumerate(ann_files, start=1):
        advance(done, len(ann_files))
        yield from _read_document(ann_path, _display_names(ann_path.parent, root), on_note)


def _display_names(folder: Path, root: Path) -> dict[str, str]:
    """Type -> original name from the nearest visual.conf's [labels], for renamed types only.

    A type is taken to be a renamed name when it is the brat-safe form of its first display name
    (``Direct_quote | Direct quote``), so brat's own abbreviations (``GPE | Geo-political
    entity``) are left alone.
    """
    conf: Path | None = None
    for parent in [folder, *folder.parents]:
        if (parent / VISUAL_CONF).is_file():
            conf = parent / VISUAL_CONF
            break
        if parent == root or root not in parent.parents:
            break
    if conf is None or not conf.resolve().is_relative_to(root.resolve()):
        return {}  # a visual.conf that links out of the folder is not read
    try:
        text = read_bounded(conf, MAX_WHOLE_FILE_BYTES, VISUAL_CONF).decode("utf-8", "replace")
    except (OSError, TooLarge):
        return {}
    names: dict[str, str] = {}
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            continue
        if section != "labels" or "|" not in line:
            continue
        type_name, _, displays = (part.strip() for part in line.partition("|"))
        # This app writes the whole name after the first '|' (it may hold '|' itself); brat's
        # own files list the display name and abbreviations, separated by '|'.
        for display in (displays, displays.split("|")[0].strip()):
            if display and display != type_name and _is_renamed(type_name, display):
                names[type_name] = display
                break
    return names


def _is_renamed(type_name: str, display: str) -> bool:
    safe = brat_name(display)
    return type_name == safe or re.fullmatch(re.escape(safe) + r"_[0-9]+", type_name) is not None


def _read_document(
    ann_path: Path, display: dict[str, str], on_note: NoteCallback | None
) -> Iterator[ArticleRecord | RecordError]:
    txt_path = ann_path.with_suffix(".txt")
    if not ann_path.is_file():
        yield RecordError(None, f"has no {ann_path.name} beside it", path=txt_path)
        return
    if not txt_path.is_file():
        yield RecordError(None, f"has no {txt_path.name} beside it", path=ann_path)
        return
    try:
        raw = read_bounded(
            txt_path,
            MAX_ARTICLE_FILE_BYTES,
            f"brat .txt file ({megabytes(MAX_ARTICLE_BYTES)} per article)",
        ).decode("utf-8")
    except TooLarge as exc:
        yield RecordError(None, exc.message, path=txt_path)
        return
    except OSError as exc:
        yield RecordError(None, f"cannot be read: {exc.strerror or exc}", path=txt_path)
        return
    except UnicodeDecodeError as exc:
        yield RecordError(
            None, f"is not valid UTF-8 (byte {exc.start + 1}); brat text is UTF-8", path=txt_path
        )
        return
    try:
        ann_lines = (
            read_bounded(ann_path, MAX_WHOLE_FILE_BYTES, "brat .ann file")
            .decode("utf-8")
            .split("\n")
        )
    except TooLarge as exc:
        yield RecordError(None, exc.message, path=ann_path)
        return
    except OSError as exc:
        yield RecordError(None, f"cannot be read: {exc.strerror or exc}", path=ann_path)
        return
    except UnicodeDecodeError as exc:
        yield RecordError(
            None,
            f"is not valid UTF-8 (byte {exc.start + 1}); brat files are UTF-8",
            path=ann_path,
        )
        return
    canonical = canonicalize(raw)
    problem = text_problem(canonical.text)
    if problem is not None:
        yield RecordError(None, problem, path=txt_path)
        return
    document = _Document(ann_path, raw, canonical, display, on_note)
    errors = document.parse([line.removesuffix("\r") for line in ann_lines])
    for line, message in errors:
        yield RecordError(line, message, path=ann_path)
    yield document.record()
