"""The columns of the Hugging Face export (:mod:`annotator.formats.hf_datasets`), built fast.

Rows are gathered column by column in flat Python lists and made into an Arrow record batch at
once (no row dictionaries, no nested conversion); tags are numbers from the start; the tokens'
strings are never made in Python: the column of tokens is cut from the UTF-8 bytes of the texts.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import chain
from operator import itemgetter
from typing import Any

from annotator.formats.errors import ExportError
from annotator.formats.export_model import ExportDoc, ExportSpan
from annotator.formats.jsonl_export import article_meta
from annotator.formats.tokens import cut_tokens

_START = itemgetter(0)
_END = itemgetter(1)


def tag_tokens(
    tokens: Sequence[tuple[int, int]], spans: Sequence[ExportSpan], order: dict[str, int]
) -> tuple[list[int], int]:
    """IOB2 tag numbers of the tokens, and how many spans were not tagged.

    Tag numbers are places in :func:`annotator.formats.hf_datasets.tag_names` of the labels in
    ``order``: 0 is O, 1 + 2k begins a span of label k and 2 + 2k continues it.

    Longer spans are tagged first (ties: the earlier, then the label's place in ``order``); a
    span is not tagged when it covers no whole token or a token already tagged.
    """
    tags = [0] * len(tokens)
    if not spans:
        return tags, 0
    missing = len(order)
    ranked = sorted(spans, key=lambda s: (s.start - s.end, s.start, order.get(s.label, missing)))
    untagged = 0
    for span in ranked:
        first = bisect_left(tokens, span.start, key=_START)
        # Token ends increase too: the tokens from ``first`` that end by the span's end.
        last = max(first, bisect_right(tokens, span.end, key=_END))
        if last == first or any(tags[first:last]):
            untagged += 1
            continue
        begin = 1 + 2 * order[span.label]
        tags[first] = begin
        if last > first + 1:
            tags[first + 1 : last] = [begin + 1] * (last - first - 1)
    return tags, untagged


_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


class RowBatch:
    """Rows of the dataset, gathered column by column as flat lists until made an Arrow batch.

    A token is kept as its start and end in its article's text, not as a string: the column of
    tokens is cut from the UTF-8 bytes of the batch's texts at once (:func:`token_column`).
    """

    def __init__(self) -> None:
        self.rows = 0
        self.chars = 0
        self.ids: list[str] = []
        self.texts: list[str] = []
        self.metas: list[str] = []
        self.token_offsets = [0]  # where each row's tokens (and tags) start and end
        self.bounds: list[int] = []  # start, end, start, end, ... of the tokens
        self.tags: list[int] = []
        self.span_offsets = [0]
        self.span_columns: tuple[list[Any], ...] = tuple([] for _ in range(8))
        self.relation_offsets = [0]
        self.relation_columns: tuple[list[Any], ...] = tuple([] for _ in range(4))

    def add(self, doc: ExportDoc, order: dict[str, int]) -> int:
        """Add the article's row; return how many of its spans are not in its tags."""
        article = doc.article
        text = article.text
        spans = doc.spans
        bounds = cut_tokens(text, [(s.start, s.end) for s in spans])
        tags, untagged = tag_tokens(bounds, spans, order)
        self.rows += 1
        self.ids.append(article.content_hash)
        self.texts.append(text)
        self.metas.append(_JSON(article_meta(article)))
        self.chars += len(text)
        self.bounds.extend(chain.from_iterable(bounds))
        self.tags.extend(tags)
        self.token_offsets.append(len(self.tags))
        if spans:
            starts, ends, labels, annotators, notes, attributes, created, updated = (
                self.span_columns
            )
            for s in spans:
                starts.append(s.start)
                ends.append(s.end)
                labels.append(s.label)
                annotators.append(s.annotator)
                notes.append(s.note)
                attributes.append(_JSON(s.attributes) if s.attributes else "{}")
                created.append(s.created_at)
                updated.append(s.updated_at)
        self.span_offsets.append(len(self.span_columns[0]))
        if doc.relations:
            heads, children, types, relation_annotators = self.relation_columns
            for r in doc.relations:
                heads.append(r.head)
                children.append(r.child)
                types.append(r.type)
                relation_annotators.append(r.annotator)
        self.relation_offsets.append(len(self.relation_columns[0]))
        return untagged

    def record_batch(self, schema: Any) -> Any:
        import pyarrow as pa

        def column(offsets: list[int], values: Any, name: str) -> Any:
            return pa.ListArray.from_arrays(
                pa.array(offsets, pa.int32()), values, type=schema.field(name).type
            )

        def structs(columns: tuple[list[Any], ...], name: str) -> Any:
            fields = list(schema.field(name).type.value_type)
            return pa.StructArray.from_arrays(
                [pa.array(values, f.type) for values, f in zip(columns, fields, strict=True)],
                fields=fields,
            )

        text = pa.string()
        tokens, texts = token_column(self.texts, self.bounds, self.token_offsets)
        return pa.RecordBatch.from_arrays(
            [
                pa.array(self.ids, text),
                column(self.token_offsets, tokens, "tokens"),
                column(self.token_offsets, pa.array(self.tags, pa.int64()), "ner_tags"),
                texts,
                column(self.span_offsets, structs(self.span_columns, "spans"), "spans"),
                column(
                    self.relation_offsets, structs(self.relation_columns, "relations"), "relations"
                ),
                pa.array(self.metas, text),
            ],
            schema=schema,
        )


def token_column(texts: list[str], bounds: list[int], token_offsets: list[int]) -> tuple[Any, Any]:
    """Arrow string arrays of the tokens (``bounds`` in code points of their own text, row by
    row as ``token_offsets`` says) and of the texts, both from the texts' UTF-8 bytes."""
    import numpy as np
    import pyarrow as pa

    joined = "".join(texts)
    data = joined.encode("utf-8")
    if len(data) >= 2**31:  # a batch ends past 32M characters: only an article of ~2 GB gets here
        raise ExportError("an article is too large for a column of the hf format (2 GB)")
    # Where each text starts in ``joined``, and then each token, in code points.
    text_starts = np.zeros(len(texts) + 1, np.int64)
    np.cumsum([len(text) for text in texts], out=text_starts[1:])
    cuts = np.array(bounds, np.int64).reshape(-1, 2)
    cuts += np.repeat(text_starts[:-1], np.diff(token_offsets))[:, None]
    if len(data) != len(joined):  # not all ASCII: code points to UTF-8 byte offsets
        # A code point starts at each byte that is not a continuation byte (0b10xxxxxx).
        starts = np.flatnonzero(np.frombuffer(data, np.int8) >= -64)
        byte_at = np.append(starts, len(data))
        cuts = byte_at[cuts]
        text_starts = byte_at[text_starts]
    lengths = cuts[:, 1] - cuts[:, 0]
    offsets = np.zeros(len(lengths) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    # Byte k of the tokens' values is byte k + (its token's start - the token's offset) of data.
    shift = np.repeat(cuts[:, 0] - offsets[:-1], lengths)
    values = np.frombuffer(data, np.uint8)[np.arange(offsets[-1]) + shift]
    tokens = pa.StringArray.from_buffers(
        len(lengths), pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(values)
    )
    text_column = pa.StringArray.from_buffers(
        len(texts), pa.py_buffer(text_starts.astype(np.int32)), pa.py_buffer(data)
    )
    return tokens, text_column
