"""JSON Lines: one article per line with optional metadata, spans and relations between them."""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeGuard

from annotator.core.claims import EVIDENCE, encode_evidence
from annotator.core.model import DEFAULT_RELATION_TYPE, ArticleDraft
from annotator.core.text import CanonicalText, canonicalize, content_hash
from annotator.formats.decode import DecodeError, bom_encoding, decode_bytes
from annotator.formats.label_sets import read_label_set
from annotator.formats.limits import (
    MAX_JSON_DEPTH,
    MAX_WHOLE_FILE_BYTES,
    TooLarge,
    bounded_lines,
    load_json,
    nesting_within,
    read_rest,
)
from annotator.formats.offsets import (
    RawSpan,
    ambiguous_message,
    code_point_offsets,
    resolve_offsets,
    utf16_note,
)
from annotator.formats.records import (
    ARTICLE_FIELDS,
    ArticleRecord,
    InvalidRecord,
    ReadOptions,
    ReadResult,
    RecordError,
    RelationRecord,
    SpanRecord,
    doc_label_values,
    field_value,
    text_problem,
    timestamp,
    title_from_text,
)

_RECORD_KEYS = frozenset({"text", "meta", "spans", "relations", "doc_labels", *ARTICLE_FIELDS})
# Written by exports so an article can be recognised; derived from the text, so never kept as
# free metadata (it would change the article's meta on every round trip).
DERIVED_META_KEYS = frozenset({"content_hash"})


_SNIFF_BYTES = 65536


def read_jsonl_file(path: Path, options: ReadOptions) -> ReadResult:
    """The registry's reader: the label set of a ``NAME.labels.json`` beside the file (as the
    export writes it), then :func:`read_jsonl_path`."""
    yield from read_label_set(path)
    yield from read_jsonl_path(path, encoding=options.encoding)


def read_jsonl_path(
    path: Path,
    *,
    encoding: str | None = None,
    parse: Callable[[str, int], ArticleRecord] | None = None,
) -> ReadResult:
    """:func:`read_jsonl` over a file, a line at a time, so memory stays flat however big it is.

    A line longer than :data:`~annotator.formats.limits.MAX_LINE_BYTES` is skipped unread and
    rejected. A file that names an encoding other than UTF-8 (``encoding``, a BOM) or looks like
    UTF-16/32 (NUL bytes at its start) is read whole and decoded as :func:`read_jsonl` does, up
    to :data:`~annotator.formats.limits.MAX_WHOLE_FILE_BYTES`.
    """
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield RecordError(None, f"cannot be read: {exc.strerror or exc}")
        return
    with fh:
        try:
            head = fh.read(_SNIFF_BYTES)
            named = encoding or bom_encoding(head)
            if (named is not None and not _is_utf8(named)) or (not named and b"\x00" in head):
                try:
                    rest = read_rest(
                        fh,
                        MAX_WHOLE_FILE_BYTES,
                        "JSONL file not in UTF-8 (read whole)",
                        "save it as UTF-8 to import it a line at a time, whatever its size",
                        done=len(head),
                    )
                except TooLarge as exc:
                    yield RecordError(None, exc.message)
                    return
                yield from read_jsonl(head + rest, encoding=encoding, parse=parse)
                return
            # UTF-8: a BOM is dropped, as decoding the file whole would drop it.
            fh.seek(len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0)
        except OSError as exc:
            yield RecordError(None, f"cannot be read: {exc.strerror or exc}")
            return
        # Binary files split by b"\n" only, as JSON Lines must be split.
        lines = (
            raw if isinstance(raw, TooLarge) else _decode_line(raw) for raw in bounded_lines(fh)
        )
        yield from _parse_lines(lines, parse or parse_line)


def _is_utf8(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")
    except LookupError:
        return False  # read whole, where the unknown name is reported


def read_jsonl(
    data: bytes,
    *,
    encoding: str | None = None,
    parse: Callable[[str, int], ArticleRecord] | None = None,
) -> ReadResult:
    """Yield each line's article, or the reason that line cannot be imported.

    A line looks like::

        {"text": "Peskov said ...", "title": "...", "meta": {"source": "Reuters", "x": 1},
         "spans": [{"start": 0, "end": 6, "label": "Source", "annotator": "ann",
                    "note": "", "attributes": {}, "text": "Peskov"}],
         "relations": [{"head": 1, "child": 0, "label": "attributed_to"}]}

    Offsets count code points of ``text`` as given (end exclusive) and are moved to the stored
    text; ``title``/``source``/``author``/``url``/``published``/``status`` may stand at the top
    level or in ``meta``; every other key is kept as free metadata (``meta.content_hash``, which
    exports write, is derived from the text and dropped). Relations name spans by their index in
    the line's ``spans``. ``parse(line, number)`` replaces :func:`parse_line` for other JSONL
    dialects (doccano).
    """
    if not data.strip():
        yield RecordError(None, "file is empty")
        return
    try:
        lines = _lines(data, encoding)
    except DecodeError as exc:
        yield RecordError(None, exc.message)
        return
    yield from _parse_lines(lines, parse or parse_line)


def _parse_lines(
    lines: Iterable[str | DecodeError | TooLarge],
    parse_one: Callable[[str, int], ArticleRecord],
) -> ReadResult:
    seen_content = False
    for number, line in enumerate(lines, start=1):
        if isinstance(line, DecodeError | TooLarge):
            seen_content = True
            yield RecordError(number, line.message)
            continue
        if not line.strip():
            continue
        seen_content = True
        try:
            yield parse_one(line, number)
        except InvalidRecord as exc:
            yield RecordError(number, str(exc))
    if not seen_content:
        yield RecordError(None, "file is empty")


def _decode_line(raw: bytes) -> str | DecodeError:
    if raw.endswith(b"\n"):
        raw = raw[:-1]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return DecodeError(f"is not valid UTF-8 (byte {exc.start + 1} of the line)")


def _lines(data: bytes, encoding: str | None) -> list[str | DecodeError]:
    """The file's lines, each decoded on its own so one bad byte costs one line, not the file.

    JSON Lines are UTF-8; a BOM (or ``encoding``) names another encoding for the whole file.
    Lines split on LF only: JSON strings may hold a raw U+2028 or U+0085 that splitlines() splits.
    """
    if encoding or bom_encoding(data) is not None or b"\x00" in data:
        return list(decode_bytes(data, encoding=encoding).split("\n"))
    return [_decode_line(raw) for raw in data.split(b"\n")]


# A \uD800-\uDFFF escape (an escaped backslash before "ud8.." only makes the check run).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _may_hold_surrogate(line: str) -> bool:
    """Whether parsing ``line`` could give a lone surrogate: from an escape, or in the line."""
    if "\\u" in line and _SURROGATE_ESCAPE.search(line):
        return True
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def parse_line(line: str, number: int | None = None) -> ArticleRecord:
    """Check one JSON line completely and return its article; raises :class:`InvalidRecord`."""
    obj = load_object(line)  # nesting checked as it was parsed
    if not _may_hold_surrogate(line):
        # No surrogate can be in it: skip encoding the whole object again to look for one.
        return _parse_checked(obj, number)
    return parse_object(obj, number)


def load_object(line: str) -> dict[str, Any]:
    """One line's JSON object; raises :class:`InvalidRecord`."""
    try:
        obj = load_json(line)
    except json.JSONDecodeError as exc:
        raise InvalidRecord(f"malformed JSON: {exc.msg} (column {exc.colno})") from exc
    except TooLarge as exc:
        raise InvalidRecord(exc.message) from None
    if not isinstance(obj, dict):
        raise InvalidRecord(f"a line must hold a JSON object, not {_kind(obj)}")
    return obj


def parse_object(
    obj: dict[str, Any], number: int | None = None, *, code_points: bool = False
) -> ArticleRecord:
    """Check one article object in the native shape (see :func:`read_jsonl`) completely.

    ``code_points``: the offsets come from a format that always counts code points (spaCy,
    datasets, cassis, ...), so no UTF-16 reading of them is tried."""
    if not nesting_within(obj):  # objects from Label Studio, doccano or Parquet come here too
        raise InvalidRecord(f"JSON nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidRecord("contains an unpaired surrogate (a broken \\uD8xx escape)") from exc
    return _parse_checked(obj, number, code_points=code_points)


def _parse_checked(
    obj: dict[str, Any], number: int | None, *, code_points: bool = False
) -> ArticleRecord:
    """:func:`parse_object` for an object known to nest within limits and hold no surrogate."""
    raw = obj.get("text")
    if not isinstance(raw, str):
        raise InvalidRecord(
            "missing 'text'" if raw is None else f"'text' must be a string, not {_kind(raw)}"
        )
    canonical = canonicalize(raw)
    problem = text_problem(canonical.text)
    if problem is not None:
        raise InvalidRecord(problem)
    answer = obj.get("answer")
    if answer in ("reject", "ignore"):
        # Prodigy writes every answer to the dataset; only accepted ones are annotations.
        raise InvalidRecord(
            f"a Prodigy answer of {answer!r}, not 'accept': not imported as an annotation"
        )
    draft = _draft(obj, canonical.text)
    notes: list[str] = []
    meta = obj.get("meta")
    # Written by this app's export (its content hash fits the text): offsets are code points.
    given = meta.get("content_hash") if isinstance(meta, dict) else None
    ours = isinstance(given, str) and given == content_hash(canonical.text)
    spans = _spans(obj.get("spans"), raw, canonical, notes, ours=ours, code_points=code_points)
    relations = _relations(obj.get("relations"), len(spans), notes)
    doc_labels = doc_label_values(obj.get("doc_labels"))
    return ArticleRecord(
        draft, number, tuple(spans), tuple(relations), tuple(notes), doc_labels=doc_labels
    )


def _draft(obj: dict[str, Any], text: str) -> ArticleDraft:
    meta = obj.get("meta", {})
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise InvalidRecord(f"'meta' must be an object, not {_kind(meta)}")
    fields: dict[str, str] = {}
    for name in ARTICLE_FIELDS:
        # A top-level field wins over the same key in meta.
        value = obj[name] if obj.get(name) is not None else meta.get(name)
        fields[name] = field_value(name, value)
    extra = {k: v for k, v in obj.items() if k not in _RECORD_KEYS and k not in DERIVED_META_KEYS}
    extra.update(
        {k: v for k, v in meta.items() if k not in ARTICLE_FIELDS and k not in DERIVED_META_KEYS}
    )
    return ArticleDraft(
        text=text,
        title=fields["title"] or title_from_text(text),
        source=fields["source"],
        author=fields["author"],
        url=fields["url"],
        published=fields["published"],
        status=fields["status"],
        meta=extra,
    )


def _spans(
    value: Any,
    raw: str,
    canonical: CanonicalText,
    notes: list[str],
    *,
    ours: bool = False,
    code_points: bool = False,
) -> list[SpanRecord]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidRecord(f"'spans' must be a list, not {_kind(value)}")
    items = [_span_fields(item, i) for i, item in enumerate(value)]
    raws = [raw_span for raw_span, _ in items]
    if code_points:  # a format that always counts code points: no UTF-16 reading at all
        check = code_point_offsets(raw, raws)
    else:
        check = resolve_offsets(raw, raws, guess_utf16=not ours)
        if check.ambiguous:
            raise InvalidRecord(ambiguous_message(check))
    spans: list[SpanRecord] = []
    for i, (offsets, (_, item)) in enumerate(zip(check.spans, items, strict=True)):
        where = f"span {i}"
        if isinstance(offsets, str):
            raise InvalidRecord(f"{where}: {offsets}")
        start, end = offsets
        new_start, new_end = canonical.remap(start), canonical.remap(end)
        if new_start >= new_end:
            raise InvalidRecord(
                f"{where}: covers only characters dropped on import (a BOM, the CR of a CRLF, NULs)"
            )
        spans.append(
            SpanRecord(
                start=new_start,
                end=new_end,
                label=item["label"].strip(),
                annotator=_optional_str(item, "annotator", where).strip(),
                note=_optional_str(item, "note", where),
                attributes=_attributes(item.get("attributes"), where),
                created_at=timestamp(item.get("created_at"), f"{where}: 'created_at'"),
                updated_at=timestamp(item.get("updated_at"), f"{where}: 'updated_at'"),
            )
        )
    if check.converted:
        notes.append(utf16_note(check.converted))
    return spans


def _span_fields(item: Any, index: int) -> tuple[RawSpan, dict[str, Any]]:
    """A span object's offsets and covered text, its types checked (not yet its offsets)."""
    where = f"span {index}"
    if not isinstance(item, dict):
        raise InvalidRecord(f"{where} must be an object, not {_kind(item)}")
    start, end = item.get("start"), item.get("end")
    if not _is_int(start) or not _is_int(end):
        name, offset = ("start", start) if not _is_int(start) else ("end", end)
        raise InvalidRecord(f"{where}: '{name}' must be a whole number, not {offset!r}")
    if start >= end:
        raise InvalidRecord(f"{where}: start {start} is not before end {end}")
    covered = item.get("text")
    if covered is not None and not isinstance(covered, str):
        raise InvalidRecord(f"{where}: 'text' must be a string, not {_kind(covered)}")
    label = item.get("label")
    if not isinstance(label, str) or not label.strip():
        raise InvalidRecord(f"{where}: 'label' must be a non-empty string")
    return RawSpan(start, end, covered), item


def _relations(value: Any, span_count: int, notes: list[str]) -> list[RelationRecord]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidRecord(f"'relations' must be a list, not {_kind(value)}")
    relations: list[RelationRecord] = []
    unlabelled = 0
    for i, item in enumerate(value):
        where = f"relation {i}"
        if not isinstance(item, dict):
            raise InvalidRecord(f"{where} must be an object, not {_kind(item)}")
        ends: list[int] = []
        for name in ("head", "child"):
            ref = item.get(name)
            if not _is_int(ref) or not 0 <= ref < span_count:
                raise InvalidRecord(
                    f"{where}: '{name}' {ref!r} is not the index of one of the line's "
                    f"{span_count} span(s)"
                )
            ends.append(ref)
        if ends[0] == ends[1]:
            raise InvalidRecord(f"{where}: a span cannot be linked to itself")
        rel_type = item.get("label", item.get("type"))
        if rel_type is None:
            rel_type = DEFAULT_RELATION_TYPE
            unlabelled += 1
        if not isinstance(rel_type, str) or not rel_type.strip():
            raise InvalidRecord(f"{where}: its label/type must be a non-empty string")
        annotator = _optional_str(item, "annotator", where).strip()
        relations.append(RelationRecord(ends[0], ends[1], rel_type.strip(), annotator))
    if unlabelled:
        notes.append(
            f"{unlabelled} relation(s) without a label or type were given the type "
            f"{DEFAULT_RELATION_TYPE!r}"
        )
    return relations


def _attributes(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidRecord(f"{where}: 'attributes' must be an object, not {_kind(value)}")
    attributes: dict[str, str] = {}
    for key, item in value.items():
        if isinstance(item, str):
            attributes[key] = item
        elif isinstance(item, bool | int | float):
            attributes[key] = json.dumps(item)
        elif key == EVIDENCE and isinstance(item, list) and all(isinstance(e, str) for e in item):
            attributes[key] = encode_evidence(item)  # a claim's evidence: a list of strings
        else:
            raise InvalidRecord(
                f"{where}: attribute {key!r} must be a string, number or boolean"
                + (" (or, for evidence, a list of strings)" if key == EVIDENCE else "")
            )
    return attributes


def _optional_str(item: dict[str, Any], name: str, where: str) -> str:
    value = item.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidRecord(f"{where}: '{name}' must be a string, not {_kind(value)}")
    return value


def _is_int(value: object) -> TypeGuard[int]:
    """A whole number given as a JSON integer (not a float, string or boolean)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _short(text: Any) -> str:
    shown = repr(text)
    return shown if len(shown) <= 60 else shown[:57] + "..."
