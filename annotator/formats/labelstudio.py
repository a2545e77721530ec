"""Label Studio: a JSON array of tasks with annotations, and the labeling config that fits them.

Each task::

    {"id": 7,
     "data": {"text": "…", "title": "…", "source": "…", "author": "…", "url": "…",
              "published": "…", "status": "done", "content_hash": "…"},
     "meta": {…free metadata…},
     "annotations": [{"result": [
        {"id": "a7s0", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": 0, "end": 6, "text": "Peskov", "labels": ["Source"]},
         "meta": {"text": ["a note"], "annotator": "ann", "attributes": {…}}},
        {"type": "relation", "from_id": "a7s1", "to_id": "a7s0", "direction": "right",
         "labels": ["attributed_to"]}]}]}

Offsets: Label Studio's ``Text`` tag has counted code points (not JavaScript's UTF-16 units)
since its emoji fix (label-studio-frontend PR #308, 2022; the editor's integration test
``tests/integration/e2e/ner/emoji.cy.ts`` expects start 21 for "test" in "🐱 Warning: This is a
test text", which is the code-point offset). So offsets are written unconverted. The reader also
accepts exports of older Label Studio versions, whose offsets were UTF-16 units: when a region's
``text`` does not match at the code-point offsets but does at the UTF-16 ones, those are used.

A region's ``meta.text`` is Label Studio's own per-region note; ``meta.annotator`` and
``meta.attributes`` are this app's additions, kept in the JSON but not shown by Label Studio.
Relations run from the head span to the child span (``direction: right``).

The writer also writes ``OUT.config.xml`` (``data.json`` -> ``data.config.xml``): the labeling
config with the exported labels in their colours and the relation types, to paste into a Label
Studio project before importing the tasks. The reader reads this app's files and Label Studio's
own JSON exports (``completed_by`` etc.; cancelled annotations are skipped). A JSON array in
UTF-8 is streamed a task at a time with ijson, whatever its size (one not in UTF-8 is read whole
and refused above :data:`~annotator.formats.limits.MAX_WHOLE_FILE_BYTES`); the same tasks as
JSON Lines (a ``.jsonl`` file, one task per line) are read a line at a time.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TypeGuard
from xml.sax.saxutils import quoteattr

from annotator.core.model import DEFAULT_RELATION_TYPE, Label
from annotator.core.text import Utf16Index
from annotator.formats.decode import DecodeError, bom_encoding, decode_bytes
from annotator.formats.export import ExportDoc, ExportReport, atomic_file
from annotator.formats.json_array import ArrayProblem, array_elements
from annotator.formats.jsonl import load_object, parse_object, read_jsonl_path
from annotator.formats.jsonl_export import dumps
from annotator.formats.limits import MAX_WHOLE_FILE_BYTES, TooLarge, read_bounded
from annotator.formats.records import (
    ARTICLE_FIELDS,
    ArticleRecord,
    InvalidRecord,
    ReadOptions,
    ReadResult,
    RecordError,
)

FROM_NAME = "label"
TO_NAME = "text"
_DATA_FIELDS = ("text", *ARTICLE_FIELDS, "content_hash")


def config_path(out: Path) -> Path:
    """``data.json`` -> ``data.config.xml``."""
    stem = out.name[: -len(out.suffix)] if out.suffix else out.name
    return out.with_name(stem + ".config.xml")


def region_id(article_id: int, index: int) -> str:
    return f"a{article_id}s{index}"


def task(doc: ExportDoc) -> dict[str, Any]:
    article = doc.article
    data: dict[str, Any] = {
        "text": article.text,
        "title": article.title,
        "source": article.source,
        "author": article.author,
        "url": article.url,
        "published": article.published,
        "status": article.status,
        "content_hash": article.content_hash,
    }
    result: list[dict[str, Any]] = []
    for i, span in enumerate(doc.spans):
        region: dict[str, Any] = {
            "id": region_id(article.id, i),
            "from_name": FROM_NAME,
            "to_name": TO_NAME,
            "type": "labels",
            "value": {
                "start": span.start,
                "end": span.end,
                "text": span.text,
                "labels": [span.label],
            },
        }
        meta: dict[str, Any] = {}
        if span.note:
            meta["text"] = [span.note]
        if span.annotator:
            meta["annotator"] = span.annotator
        if span.attributes:
            meta["attributes"] = dict(span.attributes)
        if meta:
            region["meta"] = meta
        result.append(region)
    for r in doc.relations:
        result.append(
            {
                "type": "relation",
                "from_id": region_id(article.id, r.head),
                "to_id": region_id(article.id, r.child),
                "direction": "right",
                "labels": [r.type],
            }
        )
    return {
        "id": article.id,
        "data": data,
        "meta": dict(article.meta),
        "annotations": [{"result": result}],
    }


def write_labelstudio(
    docs: Iterable[ExportDoc], out: Path, *, labels: Sequence[Label] = ()
) -> ExportReport:
    report = ExportReport("labelstudio")
    relation_types: set[str] = set()
    seen_labels: set[str] = set()
    relation_annotators = 0
    config = config_path(out)
    with atomic_file(out) as fh:
        fh.write("[")
        for doc in docs:
            fh.write("\n" if not report.articles else ",\n")
            fh.write(dumps(task(doc)))
            report.articles += 1
            report.spans += len(doc.spans)
            report.relations += len(doc.relations)
            relation_types.update(r.type for r in doc.relations)
            seen_labels.update(s.label for s in doc.spans)
            relation_annotators += sum(
                1 for r in doc.relations if r.annotator != doc.spans[r.head].annotator
            )
        fh.write("\n]\n")
        with atomic_file(config) as xml:
            xml.write(labeling_config(labels, seen_labels, relation_types))
    report.files.extend([out, config])
    report.lose(
        relation_annotators,
        "relation annotator name(s) other than their head span's not written "
        "(Label Studio relations carry no annotator)",
    )
    return report


def labeling_config(
    labels: Sequence[Label], used: Iterable[str] = (), relation_types: Iterable[str] = ()
) -> str:
    """A Label Studio labeling config for the labels (in order, with colours) and relations.

    Labels used by spans but missing from ``labels`` are added in grey, so every exported
    region has its label in the config. White space is kept as it is (``pre-wrap``): Label
    Studio otherwise trims it in the display and in the offsets of new regions.
    """
    names = [label.name for label in labels]
    colours = {label.name: label.color for label in labels}
    names.extend(sorted(set(used) - set(names)))
    lines = [
        "<View>",
        "  <Style>.htx-text { white-space: pre-wrap; }</Style>",
        '  <Header value="$title"/>',
        f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}">',
    ]
    lines.extend(
        f"    <Label value={quoteattr(name)} background={quoteattr(colours.get(name, '#999999'))}/>"
        for name in names
    )
    lines.append("  </Labels>")
    lines.append(f'  <Text name="{TO_NAME}" value="$text"/>')
    types = sorted(set(relation_types) | {DEFAULT_RELATION_TYPE})
    lines.append("  <Relations>")
    lines.extend(f"    <Relation value={quoteattr(t)}/>" for t in types)
    lines.append("  </Relations>")
    lines.append("</View>")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------ reading
def read_labelstudio(path: Path, options: ReadOptions) -> ReadResult:
    """Each task of a Label Studio JSON file as an article, or why it cannot be imported.

    Problems are reported at the line the task starts on, naming the task's index too. A UTF-8
    file (Label Studio writes UTF-8) is streamed a task at a time with ijson, whatever its size
    (:func:`annotator.formats.json_array.array_elements`); a file in another encoding is read
    whole, up to :data:`~annotator.formats.limits.MAX_WHOLE_FILE_BYTES`. A ``.jsonl`` file of
    one task per line is read a line at a time.
    """
    if path.suffix.lower() == ".jsonl":
        yield from read_jsonl_path(path, encoding=options.encoding, parse=parse_task_line)
        return
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
            named = options.encoding or bom_encoding(head)
            if (named is None and b"\x00" not in head) or (named is not None and _is_utf8(named)):
                fh.seek(0)
                yield from _streamed_tasks(fh)
                return
    except OSError as exc:
        yield RecordError(None, f"cannot be read: {exc.strerror or exc}")
        return
    try:
        data = read_bounded(
            path,
            MAX_WHOLE_FILE_BYTES,
            "Label Studio JSON file not in UTF-8 (read whole)",
            "save it as UTF-8 to import it a task at a time, whatever its size",
        )
        content = decode_bytes(data, encoding=options.encoding)
    except TooLarge as exc:
        yield RecordError(None, exc.message)
        return
    except OSError as exc:
        yield RecordError(None, f"cannot be read: {exc.strerror or exc}")
        return
    except DecodeError as exc:
        yield RecordError(None, exc.message)
        return
    for number, index, item in _array_items(content):
        if isinstance(item, RecordError):
            yield item
            return
        try:
            yield parse_task(item, number)
        except InvalidRecord as exc:
            yield RecordError(number, f"task {index}: {exc}")


def _streamed_tasks(fh: BinaryIO) -> ReadResult:
    for element in array_elements(fh):
        if isinstance(element, ArrayProblem):
            if element.index is None:
                yield RecordError(element.line, element.message)
            else:
                yield RecordError(
                    element.line,
                    f"task {element.index}: {element.message}; the rest of the file was not read",
                )
            return
        number, index, item = element
        try:
            yield parse_task(item, number)
        except InvalidRecord as exc:
            yield RecordError(number, f"task {index}: {exc}")


def _is_utf8(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")
    except LookupError:
        return False  # read whole, where the unknown name is reported


def _array_items(content: str) -> Iterator[tuple[int | None, int, Any]]:
    """(line, index, value) of each element of a top-level JSON array, decoded one at a time so
    an error names its line; a syntax error ends the array (nothing after it can be trusted)."""
    decoder = json.JSONDecoder()
    text = content
    pos = _skip_space(text, 0)
    if pos >= len(text):
        yield None, 0, RecordError(None, "file is empty")
        return
    if text[pos] == "{":
        # One task on its own (Label Studio also accepts that)
        text = "[" + text + "]"
        pos = 0
    if text[pos] != "[":
        yield (
            None,
            0,
            RecordError(_line(text, pos), "a Label Studio file holds a JSON array of tasks"),
        )
        return
    lines = _LineCounter(text)
    pos = _skip_space(text, pos + 1)
    index = 0
    if pos < len(text) and text[pos] == "]":
        return
    while True:
        line = lines.at(pos)
        try:
            value, pos = decoder.raw_decode(text, pos)
        except RecursionError:
            yield (
                None,
                index,
                RecordError(
                    line, f"task {index}: JSON nested too deeply; the rest of the file was not read"
                ),
            )
            return
        except json.JSONDecodeError as exc:
            yield (
                None,
                index,
                RecordError(
                    exc.lineno,
                    f"task {index}: malformed JSON: {exc.msg} (column {exc.colno}); "
                    "the rest of the file was not read",
                ),
            )
            return
        yield line, index, value
        index += 1
        pos = _skip_space(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos = _skip_space(text, pos + 1)
            continue
        if pos < len(text) and text[pos] == "]":
            return
        yield (
            None,
            index,
            RecordError(lines.at(pos), "malformed JSON: expected ',' or ']' after a task"),
        )
        return


class _LineCounter:
    """Line numbers of increasing offsets, counting only the newlines since the last one."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self._line = 1

    def at(self, pos: int) -> int:
        self._line += self._text.count("\n", self._pos, pos)
        self._pos = pos
        return self._line


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def parse_task_line(line: str, number: int | None = None) -> ArticleRecord:
    """One task on a line of its own (JSON Lines); raises :class:`InvalidRecord`."""
    return parse_task(load_object(line), number)


def parse_task(item: Any, number: int | None = None) -> ArticleRecord:
    """One Label Studio task as an article; raises :class:`InvalidRecord`."""
    if not isinstance(item, dict):
        raise InvalidRecord(f"a task must be an object, not {_kind(item)}")
    data = item.get("data")
    if not isinstance(data, dict):
        raise InvalidRecord("missing 'data' object" if data is None else "'data' must be an object")
    text = data.get("text")
    if not isinstance(text, str):
        raise InvalidRecord("missing 'data.text'" if text is None else "'data.text' must be text")
    meta = item.get("meta")
    extra: dict[str, Any] = dict(meta) if isinstance(meta, dict) else {}
    extra.update({k: v for k, v in data.items() if k not in _DATA_FIELDS})
    native: dict[str, Any] = {"text": text, "meta": extra}
    native.update({k: data[k] for k in ARTICLE_FIELDS if k in data})
    spans: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    utf16: list[Utf16Index] = []  # built once, only when a region needs it
    annotations = item.get("annotations", item.get("completions", []))
    if annotations is None:
        annotations = []
    if not isinstance(annotations, list):
        raise InvalidRecord(f"'annotations' must be a list, not {_kind(annotations)}")
    for a, annotation in enumerate(annotations):
        if not isinstance(annotation, dict):
            raise InvalidRecord(f"annotation {a} must be an object")
        if annotation.get("was_cancelled"):
            continue
        who = _completed_by(annotation.get("completed_by"))
        result = annotation.get("result", [])
        if not isinstance(result, list):
            raise InvalidRecord(f"annotation {a}: 'result' must be a list")
        regions: dict[str, int] = {}
        pending: list[tuple[int, dict[str, Any]]] = []
        for r, region in enumerate(result):
            where = f"annotation {a}, result {r}"
            if not isinstance(region, dict):
                raise InvalidRecord(f"{where} must be an object")
            kind = region.get("type")
            if kind == "relation":
                pending.append((r, region))
            elif kind == "labels":
                region_key = region.get("id")
                if region_key is not None:
                    if str(region_key) in regions:
                        # Several labels on one region come as several results with one id.
                        raise InvalidRecord(f"{where}: region id {region_key!r} appears twice")
                    regions[str(region_key)] = len(spans)
                spans.extend(_region_spans(region, text, who, where, utf16))
            # other result types (choices, textarea …) have no span in this app
        for r, region in pending:
            where = f"annotation {a}, result {r}"
            ends = []
            for key in ("from_id", "to_id"):
                ref = region.get(key)
                if not isinstance(ref, str | int) or str(ref) not in regions:
                    raise InvalidRecord(
                        f"{where}: relation '{key}' {ref!r} is not the id of a labelled region "
                        "of the same annotation"
                    )
                ends.append(regions[str(ref)])
            if region.get("direction") == "left":
                ends.reverse()
            rel_labels = region.get("labels") or [None]
            if not isinstance(rel_labels, list):
                raise InvalidRecord(f"{where}: relation 'labels' must be a list")
            for rel_type in rel_labels:
                relations.append({"head": ends[0], "child": ends[1], "label": rel_type})
    native["spans"] = spans
    native["relations"] = relations
    return parse_object(native, number)


def _region_spans(
    region: dict[str, Any], text: str, who: str, where: str, utf16: list[Utf16Index]
) -> list[dict[str, Any]]:
    value = region.get("value")
    if not isinstance(value, dict):
        raise InvalidRecord(f"{where}: 'value' must be an object")
    start, end = value.get("start"), value.get("end")
    if not _is_int(start) or not _is_int(end):
        raise InvalidRecord(
            f"{where}: 'start' and 'end' must be whole numbers (HyperText regions with XPath "
            "offsets cannot be imported)"
        )
    if start >= end:
        raise InvalidRecord(f"{where}: start {start} is not before end {end}")
    covered = value.get("text")
    if isinstance(covered, str) and not _matches(text, start, end, covered):
        if not utf16:
            utf16.append(Utf16Index(text))
        index = utf16[0]
        cp_start = index.to_code_point(start)
        cp_end = index.to_code_point(end, round_up=True)
        if index.astral_count() and _matches(text, cp_start, cp_end, covered):
            start, end = cp_start, cp_end  # an export of Label Studio before 1.6: UTF-16 units
        elif 0 <= start < end <= len(text):
            raise InvalidRecord(
                f"{where}: its text {_short(covered)} does not match the text at "
                f"[{start}, {end}), {_short(text[start:end])}"
            )
    labels = value.get("labels")
    if not isinstance(labels, list) or not labels:
        raise InvalidRecord(f"{where}: 'value.labels' must be a non-empty list")
    meta = region.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    note = meta.get("text", "")
    if isinstance(note, list):
        note = "\n".join(str(n) for n in note)
    annotator = meta.get("annotator") or who
    spans = []
    for label in labels:
        span: dict[str, Any] = {"start": start, "end": end, "label": label}
        if isinstance(note, str) and note:
            span["note"] = note
        if isinstance(annotator, str) and annotator:
            span["annotator"] = annotator
        if meta.get("attributes"):
            span["attributes"] = meta["attributes"]
        spans.append(span)
    return spans


def _matches(text: str, start: int, end: int, covered: str) -> bool:
    if not 0 <= start < end <= len(text):
        return False
    actual = text[start:end]
    # Label Studio writes a region's line breaks as a backslash and an n.
    return covered in (actual, actual.replace("\n", "\\n"), actual.replace("\r\n", "\\n"))


def _completed_by(value: Any) -> str:
    """A name for who made an annotation: an email of a Label Studio export, else nothing."""
    if isinstance(value, dict):
        for key in ("email", "username"):
            if isinstance(value.get(key), str) and value[key]:
                return str(value[key])
    return ""


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _short(text: Any) -> str:
    shown = repr(text)
    return shown if len(shown) <= 60 else shown[:57] + "..."
