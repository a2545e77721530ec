"""Reading WebAnno TSV 3.3 folders and files: the header, the sentences and token rows (see
:mod:`annotator.formats.webanno_tsv`)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from annotator.core.text import Utf16Index
from annotator.formats.jsonl import parse_object
from annotator.formats.limits import MAX_WHOLE_FILE_BYTES, TooLarge, read_bounded
from annotator.formats.records import (
    InvalidRecord,
    ReadOptions,
    ReadResult,
    RecordError,
    Rejection,
)
from annotator.formats.walk import collect_files
from annotator.formats.webanno_tsv.escaping import _short, unescape_text
from annotator.formats.webanno_tsv.layers import (
    _annotations,
    _Column,
    _LineError,
    _relation,
    _span,
    _Unit,
)

_UNIT = re.compile(r"^(\d+)-(\d+)(?:\.(\d+))?$")


_OFFSETS = re.compile(r"^(\d+)-(\d+)$")


_FORMAT = re.compile(r"^#FORMAT=WebAnno TSV 3\.(\d+)$")


def read_webanno_tsv(path: Path, options: ReadOptions) -> ReadResult:
    root = path if path.is_dir() else path.parent
    found = False
    entries = collect_files([path], (".tsv",))
    for done, entry in enumerate(entries, start=1):
        options.advance(done, len(entries))
        if isinstance(entry, Rejection):
            yield RecordError(entry.line, entry.message, entry.path)
            continue
        found = True
        annotator = ""
        if entry.parent != root and entry.is_relative_to(root):
            annotator = entry.relative_to(root).parts[0]
        try:
            raw = read_bounded(entry, MAX_WHOLE_FILE_BYTES, "WebAnno TSV file")
            content = raw.decode("utf-8-sig")
        except TooLarge as exc:
            yield RecordError(None, exc.message, entry)
            continue
        except UnicodeDecodeError as exc:
            yield RecordError(None, f"is not UTF-8 (byte {exc.start + 1})", entry)
            continue
        except OSError as exc:
            yield RecordError(None, f"cannot be read: {exc.strerror or exc}", entry)
            continue
        try:
            record, skipped = parse_tsv(content, annotator)
            yield parse_object(record, None, code_points=True)
        except _LineError as exc:
            yield RecordError(exc.line, exc.message, entry)
            continue
        except InvalidRecord as exc:
            yield RecordError(None, str(exc), entry)
            continue
        if skipped and options.on_note is not None:
            options.on_note(
                entry,
                None,
                "not imported: " + ", ".join(f"{n} {what}" for what, n in sorted(skipped.items())),
            )
    if not found and path.is_dir():
        yield RecordError(None, "holds no .tsv files")


def _header(lines: list[str]) -> tuple[list[_Column], int]:
    match = _FORMAT.match(lines[0].lstrip("\ufeff")) if lines else None
    if match is None:
        raise _LineError(
            1, "does not start with '#FORMAT=WebAnno TSV 3.x' (not a WebAnno TSV 3 file)"
        )
    if int(match.group(1)) < 2:
        raise _LineError(
            1, "WebAnno TSV 3.0/3.1 escape text differently; save it as TSV 3.3 in INCEpTION"
        )
    columns: list[_Column] = []
    n = 1
    while n < len(lines) and lines[n].strip():
        line = lines[n]
        prefix, _, rest = line.partition("=")
        layer = {"#T_SP": "span", "#T_RL": "relation", "#T_CH": "chain"}.get(prefix)
        if layer is None:
            break
        fields = rest.split("|")
        type_name = fields[0]
        previous: _Column | None = None
        for decl in fields[1:]:
            if layer == "span" and decl.startswith("ROLE_"):
                column = _Column(layer, type_name, decl, "slot_role")
            elif layer == "relation" and decl.startswith("BT_"):
                column = _Column(layer, type_name, None, "ref", decl[3:])
            elif layer == "chain" and decl == "referenceType":
                column = _Column(layer, type_name, decl, "chain_type")
            elif layer == "chain" and decl == "referenceRelation":
                column = _Column(layer, type_name, decl, "chain_link")
            elif (
                layer == "span"
                and "." in decl
                and previous is not None
                and previous.kind == "slot_role"
            ):
                column = _Column(layer, type_name, decl, "slot_target")
            else:
                column = _Column(layer, type_name, decl)
            columns.append(column)
            previous = column
        if len(fields) == 1:
            columns.append(_Column(layer, type_name, None, "placeholder"))
        n += 1
    return columns, n


def parse_tsv(content: str, annotator: str) -> tuple[dict[str, Any], Counter[str]]:
    """One TSV file as the native JSON object :func:`parse_object` checks, and what was skipped."""
    lines = re.split(r"\r\n|\r|\n", content)
    if lines and lines[-1] == "":
        lines.pop()
    columns, n = _header(lines)
    skipped: Counter[str] = Counter()
    parts: list[str] = []
    length16 = 0
    sentence_text: list[str] = []
    units: list[_Unit] = []
    units_by_id: dict[str, _Unit] = {}
    for number in range(n, len(lines)):
        line = lines[number]
        lineno = number + 1
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("#Text="):
                fragment = unescape_text(line[len("#Text=") :])
                sentence_text.append(fragment + "\n")
            continue
        fields = line.split("\t")
        if len(fields) < len(columns) + 3:
            raise _LineError(lineno, f"expected {len(columns) + 3} fields but found {len(fields)}")
        unit_match, offset_match = _UNIT.match(fields[0]), _OFFSETS.match(fields[1])
        if unit_match is None or offset_match is None:
            raise _LineError(lineno, f"{fields[0]!r} {fields[1]!r} is not a token id and offsets")
        begin, end = int(offset_match.group(1)), int(offset_match.group(2))
        if begin > end:
            raise _LineError(lineno, f"offsets {begin}-{end} end before they begin")
        if sentence_text:  # the first token of a sentence: its text joins the document's
            if length16 > begin:
                if length16 != begin + 1 or not parts or not parts[-1].endswith("\n"):
                    raise _LineError(
                        lineno, f"the sentence starts at {begin}, inside the previous one"
                    )
                parts[-1] = parts[-1][:-1]
                length16 -= 1
            if length16 < begin:
                parts.append(" " * (begin - length16))
                length16 = begin
            chunk = "".join(sentence_text)
            parts.append(chunk)
            length16 += len(chunk.encode("utf-16-le")) // 2
            sentence_text = []
        elif not units:
            raise _LineError(lineno, "a token row before any #Text= line")
        unit = _Unit(fields[0], begin, end, lineno, fields)
        if end > length16:
            raise _LineError(lineno, f"offsets {begin}-{end} run past the sentence's text")
        units.append(unit)
        units_by_id[unit.id] = unit
    text = "".join(parts)
    if text.endswith("\n"):
        text = text[:-1]
    index = Utf16Index(text)
    annotations, relations, chains = _annotations(units, columns, skipped)
    spans: list[dict[str, Any]] = []
    by_annotation: dict[int, int] = {}
    for annotation in annotations:
        record = _span(annotation, columns, index, annotator, skipped)
        if record is not None:
            by_annotation[id(annotation)] = len(spans)
            spans.append(record)
    out_relations: list[dict[str, Any]] = []
    for relation in relations:
        made = _relation(relation, units_by_id, by_annotation, annotator, skipped)
        if made is not None:
            out_relations.append(made)
    for chain in chains.values():
        ordered = [chain[k] for k in sorted(chain)]
        made_ids: list[int | None] = []
        for element in ordered:
            start, end = (
                index.to_code_point(element.begin),
                index.to_code_point(element.end, round_up=True),
            )
            if start >= end:
                skipped[f"empty {_short(element.type_name)}"] += 1
                made_ids.append(None)
                continue
            label = element.features.get("referenceType") or _short(element.type_name)
            made_ids.append(len(spans))
            spans.append({"start": start, "end": end, "label": label, "annotator": annotator})
        for k in range(len(ordered) - 1):
            if made_ids[k] is None or made_ids[k + 1] is None:
                continue
            label = ordered[k].features.get("referenceRelation") or _short(ordered[k].type_name)
            out_relations.append(
                {
                    "head": made_ids[k],
                    "child": made_ids[k + 1],
                    "label": label,
                    "annotator": annotator,
                }
            )
    return {"text": text, "spans": spans, "relations": out_relations}, skipped
