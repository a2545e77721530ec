"""Which format a file or folder is in, from its name and its first bytes (never read whole).

:func:`detect_format` names a format of :data:`annotator.formats.registry.FORMATS`, or None when
the path is plain articles (.txt, .md, .html, .jsonl, .csv ...) that the importer reads by
suffix, or when nothing fits. The import dialog uses it to preselect a format; the user can
always choose another.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

_HEAD = 65536


def _head(path: Path, size: int = _HEAD) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(size)
    except OSError:
        return b""


def _first_json_line(path: Path) -> dict[str, object] | None:
    for raw in _head(path).splitlines():
        if raw.strip():
            try:
                value = json.loads(raw.decode("utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                return None
            return value if isinstance(value, dict) else None
    return None


def _json_array_head(path: Path) -> str:
    return _head(path).decode("utf-8-sig", errors="replace").lstrip()


def _folder_format(folder: Path) -> str | None:
    try:
        names = set(os.listdir(folder))
    except OSError:
        return None
    if {"state.json", "dataset_info.json"} <= names or "dataset_dict.json" in names:
        return "hf"
    if "articles.parquet" in names:
        return "parquet"
    if "annotation.conf" in names or any(n.endswith(".ann") for n in names):
        return "brat"
    # Searched a level down as well: corpora keep one sub-folder per annotator.
    files = [folder / n for n in sorted(names)]
    for entry in list(files):
        if entry.is_dir() and not entry.name.startswith("."):
            try:
                files.extend(entry / n for n in sorted(os.listdir(entry)))
            except OSError:
                continue
    suffixes = {f.suffix.lower() for f in files}
    if ".xmi" in suffixes:
        return "xmi"
    if ".tsv" in suffixes:
        for f in files:
            if f.suffix.lower() == ".tsv" and _head(f, 64).startswith(b"#FORMAT=WebAnno TSV"):
                return "webanno-tsv"
    return None


def detect_format(path: str | Path) -> str | None:
    """The format of ``path`` (see the module docstring)."""
    path = Path(path)
    if path.is_dir():
        return _folder_format(path)
    suffix = path.suffix.lower()
    if suffix == ".spacy":
        return "spacy"
    if suffix == ".xmi":
        return "xmi"
    if suffix in (".conll", ".conll03", ".iob", ".bio"):
        return "conll"
    if suffix == ".ann":
        return "brat"
    if suffix == ".parquet":
        return "parquet"
    if suffix == ".tsv" and _head(path, 64).startswith(b"#FORMAT=WebAnno TSV"):
        return "webanno-tsv"
    if suffix == ".json":
        head = _json_array_head(path)
        if head.startswith("[") or head.startswith("{"):
            # Label Studio's full export nests results under "annotations" (or "completions");
            # JSON-MIN records are flat, with the annotator beside the data.
            if '"annotations"' in head or '"completions"' in head or '"predictions"' in head:
                return "labelstudio"
            if '"annotation_id"' in head or '"annotator"' in head:
                return "labelstudio-min"
            if '"data"' in head:
                return "labelstudio"
        return None
    if suffix == ".jsonl":
        first = _first_json_line(path)
        if first is None:
            return None
        if "annotations" in first and "data" in first:
            return "labelstudio"
        if "entities" in first or ("label" in first and "spans" not in first):
            return "doccano"
        return None
    return None
