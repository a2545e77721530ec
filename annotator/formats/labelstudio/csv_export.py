"""Label Studio's CSV export: recognised by its header, each row a task whose regions are JSON in
a column (see :mod:`annotator.formats.labelstudio`)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from annotator.formats.labelstudio.config import Config
from annotator.formats.labelstudio.tasks import _completed_by, _text_key, parse_task
from annotator.formats.records import (
    ArticleRecord,
    InvalidRecord,
    ReadOptions,
    ReadResult,
    RecordError,
    read_whole_text,
)

# The columns Label Studio's CSV export always writes (label_studio_sdk converter, csv2.py).
LS_CSV_COLUMNS = frozenset({"annotator", "annotation_id", "created_at", "updated_at", "lead_time"})


def is_labelstudio_csv(header: Sequence[str]) -> bool:
    return LS_CSV_COLUMNS <= set(header)


def looks_like_labelstudio_csv(path: Path) -> bool:
    """Whether a .csv file's header is that of Label Studio's CSV export."""
    try:
        with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as fh:
            first = fh.readline(65536)
    except OSError:
        return False
    try:
        header = next(csv.reader([first]))
    except (StopIteration, csv.Error):
        return False
    return is_labelstudio_csv(header)


def read_labelstudio_csv(
    path: Path, options: ReadOptions, config: Config | None = None
) -> ReadResult:
    """Label Studio's CSV export: one row per annotation (rows of one task follow each other),
    the task's data fields as columns, each control's result in a column named after it: a
    ``Labels`` control's regions as a JSON list of ``{start, end, text, labels}``, a single
    choice or text as plain text.

    The rows of one task become one article with every annotator's regions as spans; columns
    other than the text and the regions are kept in the article's meta
    (``labelstudio_results`` for each annotation's other results). Per-region text areas and
    choices cannot be told from document-level ones in this export: they are kept there too.
    """
    content = read_whole_text(path, "Label Studio CSV file", "split it", encoding=options.encoding)
    if isinstance(content, RecordError):
        yield content
        return
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        yield RecordError(None, "file is empty")
        return
    if not is_labelstudio_csv(header):
        missing = ", ".join(sorted(LS_CSV_COLUMNS - set(header)))
        yield RecordError(1, f"not a Label Studio CSV export: the header lacks {missing}")
        return
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                yield RecordError(line, f"{len(row)} cells, but the header has {len(header)}")
                continue
            record = dict(zip(header, row, strict=True))
            if rows and record.get("id") != rows[-1][1].get("id"):
                yield _csv_task(rows, header, config)
                rows = []
            rows.append((line, record))
    except csv.Error as exc:
        yield RecordError(
            reader.line_num, f"malformed CSV: {exc}; the rest of the file was not read"
        )
        return
    if rows:
        yield _csv_task(rows, header, config)


def _csv_task(
    rows: list[tuple[int, dict[str, str]]], header: Sequence[str], config: Config | None
) -> ArticleRecord | RecordError:
    """The rows of one task as one Label Studio task, parsed as :func:`parse_task` does."""
    line, first = rows[0]
    region_columns: set[str] = set()
    for _, row in rows:
        for column, cell in row.items():
            if column not in LS_CSV_COLUMNS and column != "id" and _region_list(cell) is not None:
                region_columns.add(column)
    data_columns = [
        c for c in header if c not in LS_CSV_COLUMNS and c not in region_columns and c != "id"
    ]
    data: dict[str, Any] = {}
    for column in data_columns:
        name = column.removeprefix("_data_")
        data[name] = first.get(column, "")
    annotations = []
    for _, row in rows:
        result: list[dict[str, Any]] = []
        for column in sorted(region_columns):
            for value in _region_list(row.get(column, "")) or []:
                result.append({"type": "labels", "from_name": column, "value": value})
        annotations.append(
            {
                "completed_by": row.get("annotator", ""),
                "result": result,
                "id": row.get("annotation_id"),
            }
        )
    task = {"id": first.get("id"), "data": data, "annotations": annotations}
    try:
        # Data columns that differ between rows are each annotation's own results.
        text_key = _text_key(data, annotations, config)
        per_row = [
            c
            for c in data_columns
            if c != text_key and any(r.get(c, "") != first.get(c, "") for _, r in rows)
        ]
        for column in per_row:
            data.pop(column.removeprefix("_data_"), None)
        record = parse_task(task, line, config)
    except InvalidRecord as exc:
        return RecordError(line, f"task {first.get('id', '?')}: {exc}")
    if per_row:
        results = [
            {"annotator": _completed_by(r.get("annotator")), "from_name": c, "value": r.get(c, "")}
            for _, r in rows
            for c in per_row
            if r.get(c, "")
        ]
        meta = dict(record.draft.meta)
        meta["labelstudio_results"] = results
        record = replace(
            record,
            draft=replace(record.draft, meta=meta),
            notes=record.notes
            + (
                f"{len(results)} result(s) of columns {', '.join(per_row)} kept in the "
                "article's meta 'labelstudio_results'",
            ),
        )
    return record


def _region_list(cell: str) -> list[dict[str, Any]] | None:
    """A cell holding a JSON list of text regions (``{start, end, ..., labels}``), else None."""
    if not cell.startswith("[{"):
        return None
    try:
        value = json.loads(cell)
    except ValueError:
        return None
    if (
        isinstance(value, list)
        and value
        and all(
            isinstance(v, dict) and "start" in v and "end" in v and "labels" in v for v in value
        )
    ):
        return value
    return None
