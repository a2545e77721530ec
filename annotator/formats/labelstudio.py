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
import csv
import io
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO, TypeGuard
from xml.etree import ElementTree
from xml.sax.saxutils import quoteattr

from annotator.core.model import DEFAULT_RELATION_TYPE, LABEL_PALETTE, Label, LabelSpec
from annotator.core.schema import DocField
from annotator.formats.decode import DecodeError, bom_encoding, decode_bytes
from annotator.formats.export import ExportDoc, ExportReport, atomic_file
from annotator.formats.json_array import ArrayProblem, array_elements
from annotator.formats.jsonl import load_object, parse_object, read_jsonl_path
from annotator.formats.jsonl_export import dumps
from annotator.formats.limits import MAX_WHOLE_FILE_BYTES, TooLarge, read_bounded
from annotator.formats.offsets import RawSpan, resolve_offsets
from annotator.formats.records import (
    ARTICLE_FIELDS,
    ArticleRecord,
    InvalidRecord,
    LabelSetRecord,
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
        if span.created_at:
            meta["created_at"] = span.created_at
        if span.updated_at:
            meta["updated_at"] = span.updated_at
        if meta:
            region["meta"] = meta
        result.append(region)
    result.extend(doc_label_results(doc))
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
    annotation: dict[str, Any] = {"result": result}
    made = [s.created_at for s in doc.spans if s.created_at]
    changed = [s.updated_at or s.created_at for s in doc.spans if s.updated_at or s.created_at]
    if made:  # Label Studio's own fields: the annotation's first span and last change
        annotation["created_at"] = min(made)
        annotation["updated_at"] = max(changed)
    return {
        "id": article.id,
        "data": data,
        "meta": dict(article.meta),
        "annotations": [annotation],
    }


def doc_field_name(name: str) -> str:
    """A document label field's control name in the labeling config: the field's own, unless
    it is the name of the span labels or the text."""
    return name if name not in (FROM_NAME, TO_NAME) else f"doc_{name}"


def doc_label_results(doc: ExportDoc) -> list[dict[str, Any]]:
    """Document labels as Label Studio results: Choices for choice fields, Number for numbers,
    TextArea for text, each ``to_name`` the text."""
    kinds = {f.name: f.kind for f in doc.doc_fields}
    results: list[dict[str, Any]] = []
    for name, values in doc.doc_labels.items():
        kind = kinds.get(name, "multiple")
        region: dict[str, Any] = {
            "id": f"{doc.article.id}-doc-{len(results)}",
            "from_name": doc_field_name(name),
            "to_name": TO_NAME,
        }
        if kind == "number":
            try:
                number: float | int = float(values[0])
            except (IndexError, ValueError):
                continue
            number = int(number) if number == int(number) else number
            region.update(type="number", value={"number": number})
        elif kind == "text":
            region.update(type="textarea", value={"text": list(values)})
        else:
            region.update(type="choices", value={"choices": list(values)})
        results.append(region)
    return results


def write_labelstudio(
    docs: Iterable[ExportDoc], out: Path, *, labels: Sequence[Label] = ()
) -> ExportReport:
    report = ExportReport("labelstudio")
    relation_types: set[str] = set()
    seen_labels: set[str] = set()
    relation_annotators = 0
    fields: tuple[DocField, ...] = ()
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
            fields = fields or doc.doc_fields
            seen_labels.update(s.label for s in doc.spans)
            relation_annotators += sum(
                1 for r in doc.relations if r.annotator != doc.spans[r.head].annotator
            )
        fh.write("\n]\n")
        with atomic_file(config) as xml:
            xml.write(labeling_config(labels, seen_labels, relation_types, fields))
    report.files.extend([out, config])
    report.lose(
        relation_annotators,
        "relation annotator name(s) other than their head span's not written "
        "(Label Studio relations carry no annotator)",
    )
    report.lose(
        sum(
            1
            for name in seen_labels | {label.name for label in labels} | relation_types
            if not xml_safe(name)
        ),
        "label or relation type name(s) left out of the labeling config (control characters, "
        "which XML cannot hold); their spans are in the tasks",
    )
    return report


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> bool:
    """Whether XML 1.0 can hold ``text`` (no control characters but TAB, LF, CR)."""
    return not _NOT_XML.search(text)


def labeling_config(
    labels: Sequence[Label],
    used: Iterable[str] = (),
    relation_types: Iterable[str] = (),
    doc_fields: Sequence[DocField] = (),
) -> str:
    """A Label Studio labeling config for the labels (in order, with colours) and relations.

    Labels used by spans but missing from ``labels`` are added in grey, so every exported
    region has its label in the config. White space is kept as it is (``pre-wrap``): Label
    Studio otherwise trims it in the display and in the offsets of new regions.
    """
    names = [label.name for label in labels if xml_safe(label.name)]
    colours = {label.name: label.color for label in labels}
    extras = {
        label.name: (f" hotkey={quoteattr(label.hotkey)}" if label.hotkey else "")
        + (f" hint={quoteattr(label.description)}" if label.description else "")
        for label in labels
    }
    names.extend(sorted({name for name in used if xml_safe(name)} - set(names)))
    lines = [
        "<View>",
        "  <Style>.htx-text { white-space: pre-wrap; }</Style>",
        '  <Header value="$title"/>',
        f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}">',
    ]
    lines.extend(
        f"    <Label value={quoteattr(name)} background={quoteattr(colours.get(name, '#999999'))}"
        f"{extras.get(name, '')}/>"
        for name in names
    )
    lines.append("  </Labels>")
    lines.append(f'  <Text name="{TO_NAME}" value="$text"/>')
    types = sorted({t for t in relation_types if xml_safe(t)} | {DEFAULT_RELATION_TYPE})
    lines.append("  <Relations>")
    lines.extend(f"    <Relation value={quoteattr(t)}/>" for t in types)
    lines.append("  </Relations>")
    for f in doc_fields:  # document-level labels, one control each
        name = quoteattr(doc_field_name(f.name))
        if f.kind in ("single", "multiple"):
            choice = "single" if f.kind == "single" else "multiple"
            lines.append(f'  <Choices name={name} toName="{TO_NAME}" choice="{choice}">')
            lines.extend(f"    <Choice value={quoteattr(c)}/>" for c in f.choices)
            lines.append("  </Choices>")
        elif f.kind == "number":
            bounds = "".join(
                f' {key}="{value:g}"'
                for key, value in (("min", f.minimum), ("max", f.maximum))
                if value is not None
            )
            lines.append(f'  <Number name={name} toName="{TO_NAME}"{bounds}/>')
        else:
            lines.append(f'  <TextArea name={name} toName="{TO_NAME}"/>')
    lines.append("</View>")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------ reading
@dataclass(frozen=True, slots=True)
class Config:
    """What the importer needs of a labeling config: the data keys of its ``Text`` tags and the
    labels of its ``Labels`` tags (colours, hotkeys, hints as descriptions)."""

    text_keys: tuple[str, ...] = ()
    labels: tuple[LabelSpec, ...] = ()
    # Document-level Choices, Number and TextArea controls (not perRegion), as fields named
    # by the control (``doc_NAME`` back to ``NAME``, see :func:`doc_field_name`).
    doc_fields: tuple[DocField, ...] = ()
    controls: tuple[tuple[str, str], ...] = ()  # (control name, field name)


_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def parse_config(xml: str) -> Config:
    """A labeling config's text keys and labels; raises :class:`InvalidRecord`."""
    if "<!DOCTYPE" in xml or "<!ENTITY" in xml:
        raise InvalidRecord("a labeling config with a DOCTYPE or entities is not read")
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise InvalidRecord(f"labeling config is not well-formed XML: {exc}") from None
    keys: list[str] = []
    labels: list[LabelSpec] = []
    seen: set[str] = set()
    fields: list[DocField] = []
    controls: list[tuple[str, str]] = []
    for element in root.iter():
        field = _doc_control(element, len(fields))
        if field is not None and field.name not in {f.name for f in fields}:
            controls.append((element.get("name", ""), field.name))
            fields.append(field)
        if element.tag == "Text":
            value = element.get("value", "")
            if value.startswith("$") and len(value) > 1 and value[1:] not in keys:
                keys.append(value[1:])
        elif element.tag == "Labels":
            for child in element:
                name = (child.get("value") or "").strip()
                if child.tag != "Label" or not name or name in seen:
                    continue
                seen.add(name)
                colour = child.get("background", "")
                labels.append(
                    LabelSpec(
                        name,
                        colour.lower()
                        if _HEX.match(colour)
                        else LABEL_PALETTE[len(labels) % len(LABEL_PALETTE)],
                        child.get("hotkey", ""),
                        child.get("hint", ""),
                    )
                )
    return Config(tuple(keys), tuple(labels), tuple(fields), tuple(controls))


def _doc_control(element: ElementTree.Element, position: int) -> DocField | None:
    """A document-level control of a labeling config as a document label field, or None for
    any other tag (per-region controls belong to spans)."""
    if element.tag not in ("Choices", "Number", "TextArea"):
        return None
    if element.get("perRegion", "").lower() == "true" or not element.get("name"):
        return None
    control = element.get("name", "")
    name = (
        control[4:]
        if control.startswith("doc_") and control[4:] in (FROM_NAME, TO_NAME)
        else control
    )
    if element.tag == "Choices":
        choices = tuple(
            value
            for child in element
            if child.tag == "Choice" and (value := (child.get("value") or "").strip())
        )
        if not choices:
            return None
        kind = "multiple" if element.get("choice", "single") == "multiple" else "single"
        return DocField(0, name, kind, choices=choices, position=position)
    if element.tag == "Number":
        bounds: list[float | None] = []
        for key in ("min", "max"):
            try:
                bounds.append(float(element.get(key, "")))
            except ValueError:
                bounds.append(None)
        return DocField(0, name, "number", minimum=bounds[0], maximum=bounds[1], position=position)
    return DocField(0, name, "text", position=position)


def find_config(path: Path) -> Path | None:
    """The labeling config beside an export: NAME.config.xml (as this app writes it), or
    config.xml / label_config.xml in the same folder."""
    for candidate in (
        config_path(path),
        path.with_name("config.xml"),
        path.with_name("label_config.xml"),
    ):
        if candidate.is_file():
            return candidate
    return None


def _load_config(path: Path) -> Config | RecordError | None:
    found = find_config(path)
    if found is None:
        return None
    try:
        raw = read_bounded(found, MAX_WHOLE_FILE_BYTES, "labeling config", "")
        return parse_config(decode_bytes(raw))
    except (OSError, TooLarge, DecodeError, InvalidRecord) as exc:
        message = getattr(exc, "message", None) or str(exc)
        return RecordError(None, f"labeling config {found.name}: {message}", found)


def read_labelstudio(path: Path, options: ReadOptions) -> ReadResult:
    """Each task of a Label Studio JSON file as an article, or why it cannot be imported.

    Problems are reported at the line the task starts on, naming the task's index too. A UTF-8
    file (Label Studio writes UTF-8) is streamed a task at a time with ijson, whatever its size
    (:func:`annotator.formats.json_array.array_elements`); a file in another encoding is read
    whole, up to :data:`~annotator.formats.limits.MAX_WHOLE_FILE_BYTES`. A ``.jsonl`` file of
    one task per line is read a line at a time. A labeling config beside the file (see
    :func:`find_config`) names the data key of the text and brings its labels' colours and
    hotkeys. A ``.csv`` file is read as Label Studio's CSV export
    (:func:`read_labelstudio_csv`), a ``.conll`` file as its CONLL2003 export.
    """
    loaded = _load_config(path)
    config = None
    if isinstance(loaded, RecordError):
        # The tasks may still be read: say why the config was not used, read on without it.
        if options.on_note is not None:
            options.on_note(loaded.path or path, None, loaded.message + "; not used")
    else:
        config = loaded
    if config is not None and (config.labels or config.doc_fields):
        yield LabelSetRecord(config.labels, doc_fields=config.doc_fields)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from read_labelstudio_csv(path, options, config)
        return
    if suffix in (".conll", ".txt"):
        from annotator.formats.conll import read_conll

        yield from read_conll(path, options)
        return
    if suffix == ".jsonl":
        yield from read_jsonl_path(
            path,
            encoding=options.encoding,
            parse=lambda line, number: parse_task_line(line, number, config),
        )
        return
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
            named = options.encoding or bom_encoding(head)
            if (named is None and b"\x00" not in head) or (named is not None and _is_utf8(named)):
                fh.seek(0)
                size = os.fstat(fh.fileno()).st_size
                yield from _streamed_tasks(fh, config, lambda: options.advance(fh.tell(), size))
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
            yield parse_task(item, number, config)
        except InvalidRecord as exc:
            yield RecordError(number, f"task {index}: {exc}")


def _streamed_tasks(
    fh: BinaryIO, config: Config | None = None, advance: Callable[[], None] = lambda: None
) -> ReadResult:
    for element in array_elements(fh):
        advance()  # the bytes read so far
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
            yield parse_task(item, number, config)
        except InvalidRecord as exc:
            yield RecordError(number, f"task {index}: {exc}")


def _is_utf8(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")
    except LookupError:
        return False  # read whole, where the unknown name is reported


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
    try:
        raw = read_bounded(path, MAX_WHOLE_FILE_BYTES, "Label Studio CSV file", "split it")
        content = decode_bytes(raw, encoding=options.encoding)
    except TooLarge as exc:
        yield RecordError(None, exc.message)
        return
    except OSError as exc:
        yield RecordError(None, f"cannot be read: {exc.strerror or exc}")
        return
    except DecodeError as exc:
        yield RecordError(None, exc.message)
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


def parse_task_line(
    line: str, number: int | None = None, config: Config | None = None
) -> ArticleRecord:
    """One task on a line of its own (JSON Lines); raises :class:`InvalidRecord`."""
    return parse_task(load_object(line), number, config)


def parse_task(item: Any, number: int | None = None, config: Config | None = None) -> ArticleRecord:
    """One Label Studio task as an article; raises :class:`InvalidRecord`.

    The text is ``data[KEY]`` for the key the labeling config's ``Text`` tag names
    (``value="$KEY"``), else ``data.text``, else the one string field of ``data`` (of several,
    the one every region's text fits). Regions of ``labels`` results are spans; a per-region
    ``textarea`` result (same id) is the span's note, per-region ``choices`` and other
    per-region results its attributes (named by the control). Document-level results
    (``choices``, ``textarea``, ratings ...) are kept in the article's meta under
    ``labelstudio_results`` with who gave them; nothing is dropped.
    """
    if not isinstance(item, dict):
        raise InvalidRecord(f"a task must be an object, not {_kind(item)}")
    data = item.get("data")
    if not isinstance(data, dict):
        raise InvalidRecord("missing 'data' object" if data is None else "'data' must be an object")
    annotations = item.get("annotations", item.get("completions", []))
    if annotations is None:
        annotations = []
    if not isinstance(annotations, list):
        raise InvalidRecord(f"'annotations' must be a list, not {_kind(annotations)}")
    key = _text_key(data, annotations, config)
    text = data[key]
    meta = item.get("meta")
    extra: dict[str, Any] = dict(meta) if isinstance(meta, dict) else {}
    fields = set(ARTICLE_FIELDS) | {key, "content_hash"}
    extra.update({k: v for k, v in data.items() if k not in fields})
    if key != "text":
        extra["labelstudio_text_key"] = key
    native: dict[str, Any] = {"text": text, "meta": extra}
    native.update({k: data[k] for k in ARTICLE_FIELDS if k in data})
    spans: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    documents: list[dict[str, Any]] = []
    notes: list[str] = []
    origins: list[str] = []  # per span, the result it came from (for messages)
    cancelled = 0
    for a, annotation in enumerate(annotations):
        if not isinstance(annotation, dict):
            raise InvalidRecord(f"annotation {a} must be an object")
        if annotation.get("was_cancelled") or annotation.get("skipped"):
            cancelled += 1
            continue
        who = _completed_by(annotation.get("completed_by"))
        times = {
            key: annotation[key]
            for key in ("created_at", "updated_at")
            if isinstance(annotation.get(key), str) and annotation[key]
        }
        result = annotation.get("result", [])
        if result is None:
            result = []
        if not isinstance(result, list):
            raise InvalidRecord(f"annotation {a}: 'result' must be a list")
        regions: dict[str, list[int]] = {}  # region id -> its spans (one per label)
        later: list[tuple[int, dict[str, Any]]] = []
        for r, region in enumerate(result):
            where = f"annotation {a}, result {r}"
            if not isinstance(region, dict):
                raise InvalidRecord(f"{where} must be an object")
            if region.get("type") == "labels":
                region_key = region.get("id")
                made = _region_spans(region, who, where, times)
                origins.extend([where] * len(made))
                if region_key is not None:
                    if str(region_key) in regions:
                        raise InvalidRecord(f"{where}: region id {region_key!r} appears twice")
                    regions[str(region_key)] = list(range(len(spans), len(spans) + len(made)))
                spans.extend(made)
            else:
                later.append((r, region))
        for r, region in later:
            where = f"annotation {a}, result {r}"
            kind = region.get("type")
            if kind == "relation":
                relations.extend(_relation(region, regions, where))
                continue
            region_key = region.get("id")
            owners = regions.get(str(region_key)) if region_key is not None else None
            value = region.get("value")
            name = str(region.get("from_name") or kind or "result")
            if owners is not None and isinstance(value, dict):
                for index in owners:
                    _attach(spans[index], kind, name, value)
            else:
                documents.append(
                    {"annotator": who, "from_name": name, "type": kind, "value": value}
                )
    documents = _doc_labels_of(documents, config, native)
    if documents:
        extra["labelstudio_results"] = documents
        notes.append(
            f"{len(documents)} document-level result(s) (choices, text areas ...) kept in the "
            "article's meta 'labelstudio_results'"
        )
    if cancelled:
        notes.append(f"{cancelled} cancelled or skipped annotation(s) not imported")
    native["spans"] = spans
    native["relations"] = relations
    try:
        record = parse_object(native, number)
    except InvalidRecord as exc:
        found = _SPAN_MESSAGE.match(str(exc))
        if found and int(found.group(1)) < len(origins):
            raise InvalidRecord(f"{origins[int(found.group(1))]}: {found.group(2)}") from None
        raise
    return replace(record, notes=record.notes + tuple(notes)) if notes else record


_SPAN_MESSAGE = re.compile(r"^span (\d+): (.*)$", re.DOTALL)


def _doc_labels_of(
    documents: list[dict[str, Any]], config: Config | None, native: dict[str, Any]
) -> list[dict[str, Any]]:
    """Document-level results of the config's document controls become the article's document
    labels (``native["doc_labels"]``: choices, a number, text lines); the rest are returned.
    Two annotators' values of one field are all kept (a multiple choice holds them all)."""
    if config is None or not config.controls:
        return documents
    fields = dict(config.controls)
    kinds = {f.name: f.kind for f in config.doc_fields}
    found: dict[str, list[tuple[dict[str, Any], list[str]]]] = {}
    rest: list[dict[str, Any]] = []
    for result in documents:
        name = fields.get(result["from_name"])
        value = result.get("value")
        values: list[str] | None = None
        if name is not None and isinstance(value, dict):
            kind = kinds[name]
            if kind in ("single", "multiple") and isinstance(value.get("choices"), list):
                values = [str(c) for c in value["choices"]]
            elif kind == "number" and isinstance(value.get("number"), int | float):
                number = value["number"]
                values = [str(int(number)) if number == int(number) else str(number)]
            elif kind == "text" and value.get("text") is not None:
                lines = value["text"] if isinstance(value["text"], list) else [value["text"]]
                values = [str(line) for line in lines]
        if name is None or values is None:
            rest.append(result)
            continue
        found.setdefault(name, []).append((result, values))
    labels: dict[str, list[str]] = {}
    for name, given in found.items():
        values = list(dict.fromkeys(v for _, vs in given for v in vs))
        if kinds[name] in ("single", "number") and len(values) > 1:
            # Annotators disagree on a one-value field: nothing chosen for them; their results
            # stay in the metadata, with who gave them.
            rest.extend(result for result, _ in given)
            continue
        labels[name] = values
    if labels:
        native["doc_labels"] = labels
    return rest


def _text_key(data: dict[str, Any], annotations: list[Any], config: Config | None) -> str:
    if config is not None and config.text_keys:
        for key in config.text_keys:
            if isinstance(data.get(key), str):
                return key
        raise InvalidRecord(
            "the labeling config's text field "
            + " or ".join(f"'data.{k}'" for k in config.text_keys)
            + " is missing or not text"
        )
    if isinstance(data.get("text"), str):
        return "text"
    strings = [k for k, v in data.items() if isinstance(v, str)]
    if len(strings) == 1:
        return strings[0]
    if not strings:
        raise InvalidRecord("'data' holds no text field")
    covered = [
        (region["value"]["start"], region["value"]["end"], region["value"]["text"])
        for annotation in annotations
        if isinstance(annotation, dict) and isinstance(annotation.get("result"), list)
        for region in annotation["result"]
        if isinstance(region, dict)
        and region.get("type") == "labels"
        and isinstance(region.get("value"), dict)
        and isinstance(region["value"].get("text"), str)
        and _is_int(region["value"].get("start"))
        and _is_int(region["value"].get("end"))
    ]
    fitting = [
        k
        for k in strings
        if covered
        and all(
            isinstance(check, tuple)
            for check in resolve_offsets(data[k], [RawSpan(s, e, t) for s, e, t in covered]).spans
        )
    ]
    if len(fitting) == 1:
        return fitting[0]
    raise InvalidRecord(
        "cannot tell which field of 'data' holds the text ("
        + ", ".join(strings)
        + "); put the labeling config beside the file as NAME.config.xml or config.xml"
    )


def _relation(
    region: dict[str, Any], regions: dict[str, list[int]], where: str
) -> list[dict[str, Any]]:
    ends = []
    for key in ("from_id", "to_id"):
        ref = region.get(key)
        if not isinstance(ref, str | int) or str(ref) not in regions:
            raise InvalidRecord(
                f"{where}: relation '{key}' {ref!r} is not the id of a labelled region "
                "of the same annotation"
            )
        ends.append(regions[str(ref)][0])
    if region.get("direction") == "left":
        ends.reverse()
    rel_labels = region.get("labels") or [None]
    if not isinstance(rel_labels, list):
        raise InvalidRecord(f"{where}: relation 'labels' must be a list")
    return [{"head": ends[0], "child": ends[1], "label": rel_type} for rel_type in rel_labels]


def _attach(span: dict[str, Any], kind: Any, name: str, value: dict[str, Any]) -> None:
    """A per-region result onto its span: a text area's lines as the note, choices and other
    controls as attributes named by the control."""
    if kind == "textarea":
        lines = value.get("text")
        lines = lines if isinstance(lines, list) else [lines]
        added = "\n".join(str(line) for line in lines if line is not None)
        if added:
            span["note"] = f"{span['note']}\n{added}" if span.get("note") else added
        return
    attributes = span.setdefault("attributes", {})
    if kind == "choices" and isinstance(value.get("choices"), list):
        attributes[name] = ", ".join(str(c) for c in value["choices"])
        return
    rest = {k: v for k, v in value.items() if k not in ("start", "end", "text")}
    attributes[name] = json.dumps(
        rest if len(rest) != 1 else next(iter(rest.values())), ensure_ascii=False
    )


def _region_spans(
    region: dict[str, Any], who: str, where: str, times: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """The spans of a ``labels`` region (one per label). Their times are the region's own
    (``meta.created_at``/``updated_at``, as this app writes them), else the annotation's
    (``times``: Label Studio's ``created_at``/``updated_at`` of the whole annotation)."""
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
    labels = value.get("labels")
    if not isinstance(labels, list) or not labels:
        raise InvalidRecord(f"{where}: 'value.labels' must be a non-empty list")
    covered = value.get("text")
    meta = region.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    note = meta.get("text", "")
    if isinstance(note, list):
        note = "\n".join(str(n) for n in note)
    annotator = meta.get("annotator") or who
    spans = []
    for label in labels:
        span: dict[str, Any] = {"start": start, "end": end, "label": label}
        if isinstance(covered, str):
            span["text"] = covered
        if isinstance(note, str) and note:
            span["note"] = note
        if isinstance(annotator, str) and annotator:
            span["annotator"] = annotator
        if isinstance(meta.get("attributes"), dict) and meta["attributes"]:
            span["attributes"] = dict(meta["attributes"])
        for key in ("created_at", "updated_at"):
            when = meta.get(key) or (times or {}).get(key)
            if when:
                span[key] = when
        spans.append(span)
    return spans


def _completed_by(value: Any) -> str:
    """A name for who made an annotation: the email (or user name) of a Label Studio export,
    ``user N`` for a user known only by id (Label Studio's JSON export writes the id alone), else
    nothing (the importing analyst)."""
    if isinstance(value, dict):
        for key in ("email", "username"):
            if isinstance(value.get(key), str) and value[key]:
                return str(value[key])
        value = value.get("id")
    if _is_int(value):
        return f"user {value}"
    if isinstance(value, str) and value.strip():
        return value.strip()
    return ""


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _short(text: Any) -> str:
    shown = repr(text)
    return shown if len(shown) <= 60 else shown[:57] + "..."
