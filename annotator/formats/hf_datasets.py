"""Hugging Face ``datasets`` token classification: a folder written by ``save_to_disk``.

Needs ``datasets`` (``pip install 'news-annotator[hf]'``); ``datasets.load_from_disk(FOLDER)``
loads the export. One row per article, with the columns token classification training uses:

- ``tokens``: the article's words (white space is in no token), as the CoNLL export cuts them
  (:func:`annotator.formats.conll.tokenize`), and cut further where a span starts or ends inside
  a word, so that every span is a whole number of tokens;
- ``ner_tags``: one IOB2 tag per token, a ``ClassLabel`` whose names are ``O``, then ``B-X`` and
  ``I-X`` for each exported label X in the project's order. A token holds one tag, so of
  overlapping spans the longest is tagged (ties: the earlier, then the label's place in the
  project's order) and the others are counted in the report;

and, so that nothing is lost, ``id`` (the article's content hash), ``text`` (the article's
stored text), ``spans`` (every span with ``start``/``end`` in code points of ``text``, ``label``,
``annotator``, ``note`` and ``attributes`` as a JSON object in a string), ``relations``
(``head``/``child`` index ``spans``) and ``meta`` (title, source and other metadata as a JSON
object in a string).

The reader reads this layout exactly from ``text`` and ``spans``. A token classification dataset
without them (``tokens`` and ``ner_tags`` or ``tags``, as ``conll2003`` and its kind are saved)
is read from its tags: IOB1, IOB2, BIOES, BILOU or bare labels, names taken from the ``ClassLabel``;
rows from one ``-DOCSTART-`` row to the next make one article (every row is one when there is
none), tokens joined by a space and rows by a line break. A folder of a ``DatasetDict`` is read
split by split; the split's name goes into each article's metadata.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from annotator.core.model import Label
from annotator.formats.export import (
    ExportDoc,
    ExportError,
    ExportReport,
    atomic_folder,
)
from annotator.formats.hf_columns import RowBatch
from annotator.formats.jsonl import parse_object
from annotator.formats.limits import TooLarge, load_json
from annotator.formats.records import (
    InvalidRecord,
    ReadOptions,
    ReadResult,
    RecordError,
)

DOCSTART = "-DOCSTART-"
# Rows of the export made into one Arrow record batch (the rows' Python lists are held until
# then), or fewer, so that a batch's text stays far below what an Arrow string column holds (2 GB).
BATCH_ROWS = 250
BATCH_CHARS = 32_000_000
_PREFIXES = frozenset({"B-", "I-", "E-", "S-", "L-", "U-"})  # IOB, BIOES and BILOU


def _datasets() -> Any:
    try:
        import datasets
    except ModuleNotFoundError as exc:
        raise ExportError(
            "the hf format needs the datasets library; install it with "
            "pip install 'news-annotator[hf]'"
        ) from exc
    datasets.disable_progress_bars()
    return datasets


def features(tag_names: Sequence[str]) -> Any:
    ds = _datasets()
    text = ds.Value("string")
    return ds.Features(
        {
            "id": text,
            "tokens": ds.List(text),
            "ner_tags": ds.List(ds.ClassLabel(names=list(tag_names))),
            "text": text,
            "spans": ds.List(
                {
                    "start": ds.Value("int64"),
                    "end": ds.Value("int64"),
                    "label": text,
                    "annotator": text,
                    "note": text,
                    "attributes": text,
                    "created_at": text,
                    "updated_at": text,
                }
            ),
            "relations": ds.List(
                {
                    "head": ds.Value("int32"),
                    "child": ds.Value("int32"),
                    "label": text,
                    "annotator": text,
                }
            ),
            "meta": text,
        }
    )


def tag_names(labels: Sequence[str]) -> list[str]:
    names = ["O"]
    for label in labels:
        names.extend((f"B-{label}", f"I-{label}"))
    return names


def write_hf(docs: Iterable[ExportDoc], out: Path, *, labels: Sequence[Label] = ()) -> ExportReport:
    ds = _datasets()
    import pyarrow as pa

    report = ExportReport("hf")
    names = [label.name for label in labels]
    order = {name: i for i, name in enumerate(names)}
    batch = RowBatch()
    batches: list[Any] = []  # Arrow record batches: compact, unlike Python lists
    untagged = 0
    arrow_schema = features(["O"]).arrow_schema  # a ClassLabel is stored as its numbers
    # The dataset's fingerprint hashes its content batch by batch: left to datasets, it would
    # serialise the whole table at once (twice the memory of the data, for a hash).
    hasher = ds.fingerprint.Hasher()

    def flush(batch: RowBatch) -> None:
        made = batch.record_batch(arrow_schema)
        hasher.update(ds.fingerprint.Hasher.hash_bytes(_buffers(made)))
        batches.append(made)

    for doc in docs:
        for span in doc.spans:
            if span.label not in order:  # a label the caller did not list: still tagged
                order[span.label] = len(names)
                names.append(span.label)
        untagged += batch.add(doc, order)
        report.articles += 1
        report.spans += len(doc.spans)
        report.relations += len(doc.relations)
        if batch.rows >= BATCH_ROWS or batch.chars >= BATCH_CHARS:
            flush(batch)
            batch = RowBatch()
    if batch.rows:
        flush(batch)
    # The tags were written as numbers of the label order; now that every label is known, the
    # ClassLabel of the feature names them.
    schema = features(tag_names(names))
    hasher.update(names)
    table = pa.Table.from_batches(batches, schema=arrow_schema)
    dataset = ds.Dataset(
        ds.table.InMemoryTable(table),
        info=ds.DatasetInfo(features=schema),
        fingerprint=hasher.hexdigest(),
    )
    with atomic_folder(out) as folder:
        # save_to_disk writes no shard at all for an empty dataset, and load_from_disk then
        # fails on the folder: one empty shard makes it load as 0 rows.
        dataset.save_to_disk(str(folder), num_shards=None if report.articles else 1)
    report.files.append(out)
    report.lose(
        untagged,
        "overlapping span(s) left out of ner_tags (one tag per token; every span is kept "
        "exactly in the 'spans' column)",
    )
    return report


def _buffers(batch: Any) -> list[memoryview]:
    """The bytes of every buffer of an Arrow record batch, column by column."""
    return [
        memoryview(buffer)
        for column in batch.columns
        for buffer in column.buffers()
        if buffer is not None
    ]


# ------------------------------------------------------------------------------------ reading
def read_hf(path: Path, options: ReadOptions) -> ReadResult:
    """Each article of a folder written by ``save_to_disk`` (a Dataset or a DatasetDict)."""
    try:
        ds = _datasets()
    except ExportError as exc:
        yield RecordError(None, str(exc))
        return
    if not path.is_dir():
        yield RecordError(None, "is not a folder written by datasets' save_to_disk")
        return
    try:
        loaded = ds.load_from_disk(str(path))
    except Exception as exc:  # missing or damaged files: datasets raises many kinds
        yield RecordError(None, f"cannot be loaded with datasets.load_from_disk: {_reason(exc)}")
        return
    if isinstance(loaded, ds.DatasetDict):
        parts = list(loaded.items())
    else:
        parts = [("", loaded)]
    total = sum(len(dataset) for _, dataset in parts)
    before = 0
    for split, dataset in parts:

        def advance(done: int, _rows: int, before: int = before) -> None:
            options.advance(before + done, total)

        yield from _read_dataset(dataset, split, path / split if split else path, advance)
        before += len(dataset)


def _read_dataset(
    dataset: Any, split: str, where: Path, advance: Callable[[int, int], None]
) -> ReadResult:
    columns = set(dataset.column_names)
    rows = len(dataset)
    if {"text", "spans"} <= columns:
        for number, item in enumerate(dataset, start=1):
            advance(number, rows)
            try:
                yield parse_object(_native(item), number, code_points=True)
            except InvalidRecord as exc:
                yield RecordError(number, f"row {number}: {exc}", where)
        return
    tag_column = next((c for c in ("ner_tags", "tags") if c in columns), None)
    if "tokens" not in columns or tag_column is None:
        yield RecordError(
            None,
            "has neither 'text' and 'spans' nor 'tokens' and 'ner_tags' columns; columns: "
            + ", ".join(sorted(columns)),
            where,
        )
        return
    feature = dataset.features[tag_column]
    inner = getattr(feature, "feature", None)
    names = list(getattr(inner, "names", None) or [])
    for first, token_rows in _documents(dataset, tag_column):
        advance(first + len(token_rows) - 1, rows)
        try:
            record = _from_tags(token_rows, names)
            if split:
                record["meta"] = {"split": split}
            yield parse_object(record, first, code_points=True)
        except InvalidRecord as exc:
            yield RecordError(first, f"row {first}: {exc}", where)


def _native(item: dict[str, Any]) -> dict[str, Any]:
    meta_text = item.get("meta") or "{}"
    try:
        meta = load_json(meta_text)
    except (json.JSONDecodeError, TooLarge) as exc:
        raise InvalidRecord(f"'meta' is not a JSON object: {exc}") from None
    if not isinstance(meta, dict):
        raise InvalidRecord("'meta' is not a JSON object")
    spans = []
    for i, span in enumerate(item.get("spans") or []):
        raw = span.get("attributes") or "{}"
        try:
            attributes = load_json(raw)
        except (json.JSONDecodeError, TooLarge) as exc:
            raise InvalidRecord(f"span {i}: 'attributes' is not a JSON object: {exc}") from None
        spans.append({**span, "attributes": attributes})
    return {
        "text": item.get("text"),
        "meta": meta,
        "spans": spans,
        "relations": item.get("relations") or [],
    }


def _documents(dataset: Any, tag_column: str) -> Iterator[tuple[int, list[tuple[Any, Any]]]]:
    """(first row number, rows) of each document: -DOCSTART- rows divide them when present."""
    rows: list[tuple[Any, Any]] = []
    first = 1
    for number, item in enumerate(dataset, start=1):
        tokens = item.get("tokens") or []
        if list(tokens[:1]) == [DOCSTART]:
            if rows:
                yield first, rows
            rows = []
            first = number + 1
            continue
        if not rows:
            first = number
        rows.append((tokens, item.get(tag_column) or []))
    if rows:
        yield first, rows


def _from_tags(rows: list[tuple[Any, Any]], names: list[str]) -> dict[str, Any]:
    """An article rebuilt from token rows: tokens joined by a space, rows by a line break."""
    parts: list[str] = []
    spans: list[dict[str, Any]] = []
    at = 0
    for n, (tokens, tags) in enumerate(rows):
        if len(tokens) != len(tags):
            raise InvalidRecord(f"{len(tokens)} tokens but {len(tags)} tags")
        if n:
            parts.append("\n")
            at += 1
        current: dict[str, Any] | None = None
        for k, (token, tag) in enumerate(zip(tokens, tags, strict=True)):
            if not isinstance(token, str) or not token:
                raise InvalidRecord(f"token {k} is not a non-empty string")
            if k:
                parts.append(" ")
                at += 1
            name = _tag_name(tag, names)
            prefix, label = (name[0], name[2:]) if name[:2] in _PREFIXES else ("I", name)
            if name == "O" or not label:
                current = None
            elif prefix in ("B", "S", "U") or current is None or current["label"] != label:
                current = {"start": at, "end": at + len(token), "label": label}
                spans.append(current)
            else:
                current["end"] = at + len(token)
            if prefix in ("E", "S", "L", "U"):
                current = None
            parts.append(token)
            at += len(token)
    return {"text": "".join(parts), "spans": spans}


def _tag_name(tag: Any, names: list[str]) -> str:
    if isinstance(tag, str):
        return tag
    if isinstance(tag, int) and 0 <= tag < len(names):
        return names[tag]
    raise InvalidRecord(f"tag {tag!r} is not one of the dataset's {len(names)} tag names")


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
