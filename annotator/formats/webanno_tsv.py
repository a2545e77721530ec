"""WebAnno TSV 3.3, INCEpTION's tab-separated format: a folder of one ``.tsv`` file per article.

Written as INCEpTION's ``Tsv3XSerializer`` writes it::

    #FORMAT=WebAnno TSV 3.3
    #T_SP=webanno.custom.Span|label|annotator|note|attributes
    #T_RL=webanno.custom.Relation|label|annotator|BT_webanno.custom.Span
    <blank line>
    <blank line>
    #Text=Peskov said it.
    1-1<TAB>0-6<TAB>Peskov<TAB>Source<TAB>ann<TAB>*<TAB>*<TAB>_<TAB>_<TAB>_<TAB>
    ...

- A sentence is a ``#Text=`` line per line of its text (a line break starts the next one),
  then one row per token: ``sentence-token``, begin-end offsets in UTF-16 code units (as Java
  counts), the token, then one column per feature, each ending in a TAB. Sentences are separated
  by one blank line. Tokens and sentences are the CoNLL export's
  (:mod:`annotator.formats.conll`), cut where a span starts or ends inside a word; a sentence's
  text runs to the next sentence's first token, so the white space between sentences is kept.
- A span is the layer ``webanno.custom.Span`` with the features ``label``, ``annotator``,
  ``note`` and ``attributes`` (a JSON object); ``*`` is an empty value, ``_`` no annotation. A span
  over several tokens, or sharing a token with another span, carries a disambiguation id
  (``Quote[3]``); spans on one token are stacked with ``|``. Relations (``webanno.custom.Relation``,
  ``label`` and ``annotator``) stand on the first token of their child (the dependent) with the
  row of their head's first token (the governor), ``1-3[2_0]`` naming ids when they are needed.
- Values escape ``\\ [ ] | _ -> ; TAB LF *`` with a backslash; ``#Text=`` lines escape TAB, CR,
  form feed, backspace, backslash and other control characters, as INCEpTION's ``Escaping``.

What the format cannot carry is counted in the export report: a span is trimmed to its tokens
(a row can neither start nor end on white space) and dropped when it covers no token; the text
before an article's first token is written as spaces; titles and metadata have no place.

The reader reads any WebAnno TSV 3.2/3.3 file INCEpTION writes: the text is rebuilt from the
``#Text=`` lines and the token offsets as INCEpTION does; every span layer's annotations become
spans (labelled by the ``label`` or ``value`` feature, or the first feature, or else the layer's
short name, other features becoming attributes); relation layers between imported spans become
relations; chain layers give a span per link and a relation from each link to the next.
Structure layers (part of speech, lemmas, dependencies...) and slot features are skipped and
counted in a note. A folder is searched for ``.tsv`` files, in sub-folders too; for a file in a
sub-folder the sub-folder's name is the annotator (one folder per annotator), unless the layer
has an ``annotator`` feature.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.model import Label
from annotator.core.text import Utf16Index
from annotator.formats.conll import Token, sentences
from annotator.formats.conll import _is_separator as is_separator
from annotator.formats.export import ExportDoc, ExportReport, ExportSpan, atomic_folder
from annotator.formats.jsonl import parse_object
from annotator.formats.limits import MAX_WHOLE_FILE_BYTES, TooLarge, load_json, read_bounded
from annotator.formats.records import (
    InvalidRecord,
    ReadOptions,
    ReadResult,
    RecordError,
    Rejection,
    title_from_text,
)
from annotator.formats.tokens import cut_tokens
from annotator.formats.walk import collect_files

FORMAT_LINE = "#FORMAT=WebAnno TSV 3.3"
SPAN_LAYER = "webanno.custom.Span"
RELATION_LAYER = "webanno.custom.Relation"
SPAN_FEATURES = ("label", "annotator", "note", "attributes")
RELATION_FEATURES = ("label", "annotator")
HEADER = (
    f"{FORMAT_LINE}\n"
    f"#T_SP={SPAN_LAYER}|" + "|".join(SPAN_FEATURES) + "\n"
    f"#T_RL={RELATION_LAYER}|" + "|".join(RELATION_FEATURES) + f"|BT_{SPAN_LAYER}\n"
    "\n"
)
NULL_VALUE = "*"
NULL_COLUMN = "_"

_VALUE_ESCAPES = [
    ("\\", "\\\\"),
    ("[", "\\["),
    ("]", "\\]"),
    ("|", "\\|"),
    ("_", "\\_"),
    ("->", "\\->"),
    (";", "\\;"),
    ("\t", "\\t"),
    ("\n", "\\n"),
    ("*", "\\*"),
]
_VALUE_PATTERN = re.compile("|".join(re.escape(a) for a, _ in _VALUE_ESCAPES))
_VALUE_MAP = dict(_VALUE_ESCAPES)
_VALUE_UNESCAPE = {b: a for a, b in _VALUE_ESCAPES}
_VALUE_UNESCAPE_PATTERN = re.compile("|".join(re.escape(b) for _, b in _VALUE_ESCAPES))

# Escaping.escapeText: controls 0-7 and 14-31 as a backslash before the raw character, then the
# readable escapes; 11 (VT) is left as it is.
_TEXT_MAP: dict[str, str] = {chr(i): "\\" + chr(i) for i in range(32) if not 7 < i < 14}
_TEXT_MAP.update({"\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", "\b": "\\b", "\\": "\\\\"})
_TEXT_TABLE = str.maketrans(_TEXT_MAP)
_TEXT_UNESCAPE = {b: a for a, b in _TEXT_MAP.items()}


def escape_value(value: str) -> str:
    return _VALUE_PATTERN.sub(lambda m: _VALUE_MAP[m.group()], value)


def unescape_value(value: str) -> str:
    return _VALUE_UNESCAPE_PATTERN.sub(lambda m: _VALUE_UNESCAPE[m.group()], value)


def escape_text(text: str) -> str:
    return text.translate(_TEXT_TABLE)


def unescape_text(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        if text[i] == "\\" and pair in _TEXT_UNESCAPE:
            out.append(_TEXT_UNESCAPE[pair])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def file_name(article_id: int) -> str:
    return f"article-{article_id:06d}.tsv"


# ------------------------------------------------------------------------------------ writing
@dataclass
class _Tally:
    trimmed: int = 0
    dropped: int = 0
    leading: int = 0
    metadata: int = 0
    no_tokens: int = 0


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and is_separator(text[start]):
        start += 1
    while end > start and is_separator(text[end - 1]):
        end -= 1
    return start, end


def document(doc: ExportDoc, tally: _Tally) -> tuple[str, int]:
    """The TSV text of one article and how many of its spans it holds."""
    text = doc.article.text
    index = Utf16Index(text)
    kept: list[tuple[int, ExportSpan, int, int]] = []  # (export index, span, start, end)
    for i, span in enumerate(doc.spans):
        start, end = _trim(text, span.start, span.end)
        if start >= end:
            tally.dropped += 1
            continue
        tally.trimmed += (start, end) != (span.start, span.end)
        kept.append((i, span, start, end))
    bounds = cut_tokens(text, ((start, end) for _, _, start, end in kept))
    tokens = [Token(a, b, text[a:b]) for a, b in bounds]
    starts = [t.start for t in tokens]
    from bisect import bisect_left, bisect_right

    token_range: dict[int, tuple[int, int]] = {}
    for i, _span, start, end in kept:
        first = bisect_left(starts, start)
        last = bisect_right(starts, end - 1) - 1
        token_range[i] = (first, last)
    sentence_ranges = sentences(text, tokens, token_range.values())
    unit_ids: list[str] = []
    for s, (first, last) in enumerate(sentence_ranges, start=1):
        unit_ids.extend([f"{s}-{k}" for k in range(1, last - first + 1)])
    on_token: list[list[int]] = [[] for _ in tokens]
    for i, (first, last) in token_range.items():
        for t in range(first, last + 1):
            on_token[t].append(i)
    ids: dict[int, int] = {}
    for i, _span, _start, _end in kept:
        first, last = token_range[i]
        if first != last or any(len(on_token[t]) > 1 for t in range(first, last + 1)):
            ids[i] = len(ids) + 1
    relations_on: list[list[int]] = [[] for _ in tokens]
    for r, relation in enumerate(doc.relations):
        if relation.head in token_range and relation.child in token_range:
            relations_on[token_range[relation.child][0]].append(r)

    lines = [HEADER]
    if tokens and text[: tokens[0].start].strip(" "):
        tally.leading += 1
    if not tokens:
        tally.no_tokens += 1
    a = doc.article
    if a.title != title_from_text(text) or a.meta or a.source or a.author or a.url or a.published:
        tally.metadata += 1
    # Each span's column values are made once; most tokens carry no span and share one tail.
    values = {
        i: [_span_value(doc.spans[i], feature, ids.get(i)) for feature in SPAN_FEATURES]
        for i in token_range
    }
    empty_tail = "\t".join([NULL_COLUMN] * (len(SPAN_FEATURES) + len(RELATION_FEATURES) + 1))
    astral = index.astral_count() > 0
    to_utf16 = index.to_utf16
    append = lines.append
    for n, (first, last) in enumerate(sentence_ranges):
        begin = tokens[first].start
        end = tokens[sentence_ranges[n + 1][0]].start if n + 1 < len(sentence_ranges) else len(text)
        append("\n")
        for part in text[begin:end].split("\n"):
            append(f"#Text={escape_text(part)}\n")
        for t in range(first, last):
            token = tokens[t]
            b16, e16 = (
                (to_utf16(token.start), to_utf16(token.end)) if astral else (token.start, token.end)
            )
            spans_here = on_token[t]
            rels = relations_on[t]
            if not spans_here and not rels:
                append(f"{unit_ids[t]}\t{b16}-{e16}\t{token.text}\t{empty_tail}\t\n")
                continue
            row = [unit_ids[t], f"{b16}-{e16}", token.text]
            if spans_here:
                row.extend(
                    "|".join(values[i][f] for i in spans_here) for f in range(len(SPAN_FEATURES))
                )
            else:
                row.extend([NULL_COLUMN] * len(SPAN_FEATURES))
            if rels:
                for feature in RELATION_FEATURES:
                    row.append(
                        "|".join(
                            _value(
                                doc.relations[r].type
                                if feature == "label"
                                else doc.relations[r].annotator
                            )
                            for r in rels
                        )
                    )
                refs = []
                for r in rels:
                    relation = doc.relations[r]
                    ref = unit_ids[token_range[relation.head][0]]
                    head_id, child_id = ids.get(relation.head), ids.get(relation.child)
                    if head_id is not None or child_id is not None:
                        ref += f"[{head_id or 0}_{child_id or 0}]"
                    refs.append(ref)
                row.append("|".join(refs))
            else:
                row.extend([NULL_COLUMN] * (len(RELATION_FEATURES) + 1))
            append("\t".join(row) + "\t\n")
    return "".join(lines), len(kept)


def _value(value: str) -> str:
    return escape_value(value) if value else NULL_VALUE


def _span_value(span: ExportSpan, feature: str, disambiguation: int | None) -> str:
    if feature == "label":
        value = _value(span.label)
    elif feature == "annotator":
        value = _value(span.annotator)
    elif feature == "note":
        value = _value(span.note)
    else:
        value = (
            _value(json.dumps(span.attributes, ensure_ascii=False, sort_keys=True))
            if span.attributes
            else NULL_VALUE
        )
    return value if disambiguation is None else f"{value}[{disambiguation}]"


def write_webanno_tsv(
    docs: Iterable[ExportDoc], out: Path, *, labels: Sequence[Label] = ()
) -> ExportReport:
    report = ExportReport("webanno-tsv")
    tally = _Tally()
    with atomic_folder(out) as folder:
        for doc in docs:
            content, spans = document(doc, tally)
            (folder / file_name(doc.article.id)).write_text(content, encoding="utf-8", newline="\n")
            report.articles += 1
            report.spans += spans
            report.relations += len(doc.relations)
    report.files.append(out)
    report.lose(
        tally.trimmed, "span(s) trimmed to their tokens (a row cannot start or end on white space)"
    )
    report.lose(tally.dropped, "span(s) of white space only dropped (they cover no token)")
    report.lose(tally.leading, "article(s) whose leading white space is written as spaces")
    report.lose(tally.no_tokens, "article(s) without a single token written without their text")
    report.lose(
        tally.metadata, "article title(s) and metadata not written (TSV has no place for them)"
    )
    return report


# ------------------------------------------------------------------------------------ reading
@dataclass
class _Column:
    layer: str  # span, relation, chain
    type_name: str
    feature: str | None  # None: a placeholder column of a layer without features
    kind: str = (
        "primitive"  # primitive, placeholder, ref, slot_role, slot_target, chain_type, chain_link
    )
    base: str = ""  # relation layers: the type their ends are


@dataclass
class _Annotation:
    type_name: str
    begin: int
    end: int
    features: dict[str, str | None] = field(default_factory=dict)
    unit: str = ""  # the id-defining unit
    disambiguation: int | None = None


@dataclass
class _Unit:
    id: str
    begin: int
    end: int
    line: int
    fields: list[str] = field(default_factory=list)
    by_type: dict[str, list[_Annotation]] = field(default_factory=dict)


_UNIT = re.compile(r"^(\d+)-(\d+)(?:\.(\d+))?$")
_OFFSETS = re.compile(r"^(\d+)-(\d+)$")
_FORMAT = re.compile(r"^#FORMAT=WebAnno TSV 3\.(\d+)$")
_CHAIN_LINK = re.compile(r"^(?P<value>.*)->(?P<chain>\d+)-(?P<link>\d+)$", re.S)


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


class _LineError(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


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


def _split_stack(raw: str) -> list[str]:
    """Stacked values split on each ``|`` that no backslash escapes."""
    parts: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(raw):
        char = raw[i]
        if char == "\\" and i + 1 < len(raw):
            current.append(raw[i : i + 2])
            i += 2
            continue
        if char == "|":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    parts.append("".join(current))
    return parts


def _disambiguated(value: str) -> tuple[str, str | None]:
    if value.endswith("]") and not value.endswith("\\]"):
        at = value.rfind("[")
        if at >= 0:
            return value[:at], value[at + 1 : -1]
    return value, None


def _short(type_name: str) -> str:
    return type_name.rsplit(".", 1)[-1]


_STRUCTURE = frozenset(
    {"POS", "Lemma", "Stem", "MorphologicalFeatures", "Dependency", "Token", "Sentence", "Chunk"}
)


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


def _annotations(
    units: list[_Unit], columns: list[_Column], skipped: Counter[str]
) -> tuple[
    list[_Annotation],
    list[tuple[_Annotation, _Unit, str]],
    dict[tuple[str, int], dict[int, _Annotation]],
]:
    spans: list[_Annotation] = []
    relations: list[tuple[_Annotation, _Unit, str]] = []
    chains: dict[tuple[str, int], dict[int, _Annotation]] = {}
    by_id: dict[tuple[str, int], _Annotation] = {}
    for unit in units:
        fields = unit.fields
        relation_here: dict[str, list[_Annotation]] = {}
        chain_here: dict[str, list[_Annotation | None]] = {}
        for c, column in enumerate(columns):
            raw = fields[c + 3]
            if raw == NULL_COLUMN:
                continue
            if column.kind in ("slot_role", "slot_target"):
                if column.kind == "slot_role":
                    skipped[f"slot feature value(s) of {_short(column.type_name)}"] += len(
                        _split_stack(raw)
                    )
                continue
            for k, value in enumerate(_split_stack(raw)):
                if column.layer == "span":
                    value, info = _disambiguated(value)
                    stack = unit.by_type.setdefault(column.type_name, [])
                    annotation = stack[k] if k < len(stack) else None
                    number = int(info) if info is not None and info.isdigit() else None
                    if annotation is None and number is not None:
                        annotation = by_id.get((column.type_name, number))
                        if annotation is not None:
                            stack.append(annotation)
                            annotation.end = unit.end
                    if annotation is None:
                        annotation = _Annotation(
                            column.type_name, unit.begin, unit.end, unit=unit.id
                        )
                        stack.append(annotation)
                        spans.append(annotation)
                        if number is not None:
                            by_id[(column.type_name, number)] = annotation
                            annotation.disambiguation = number
                    if column.feature is not None and column.kind == "primitive":
                        annotation.features[column.feature] = (
                            None if value == NULL_VALUE else unescape_value(value)
                        )
                elif column.layer == "relation":
                    stack = relation_here.setdefault(column.type_name, [])
                    if k >= len(stack):
                        stack.append(
                            _Annotation(column.type_name, unit.begin, unit.end, unit=unit.id)
                        )
                    annotation = stack[k]
                    if column.kind == "ref":
                        annotation.features["\0ref"] = value
                        annotation.features["\0base"] = column.base
                        relations.append((annotation, unit, value))
                    elif column.feature is not None:
                        annotation.features[column.feature] = (
                            None if value == NULL_VALUE else unescape_value(value)
                        )
                else:  # chain
                    cstack = chain_here.setdefault(column.type_name, [])
                    while len(cstack) <= k:
                        cstack.append(None)
                    element = cstack[k]
                    if column.kind == "chain_link":
                        match = _CHAIN_LINK.match(value)
                        if match is None:
                            raise _LineError(
                                unit.line, f"chain link {value!r} is not VALUE->CHAIN-LINK"
                            )
                        key = (column.type_name, int(match.group("chain")))
                        link = int(match.group("link"))
                        existing = chains.setdefault(key, {}).get(link)
                        if existing is None:
                            existing = element or _Annotation(
                                column.type_name, unit.begin, unit.end, unit=unit.id
                            )
                            chains[key][link] = existing
                        else:
                            existing.end = unit.end
                        if element is not None and element is not existing:
                            existing.features.update(element.features)
                        cstack[k] = existing
                        relation_value = match.group("value")
                        existing.features["referenceRelation"] = (
                            None if relation_value == NULL_VALUE else unescape_value(relation_value)
                        )
                    else:
                        plain, _info = _disambiguated(value)
                        if element is None:
                            element = _Annotation(
                                column.type_name, unit.begin, unit.end, unit=unit.id
                            )
                            cstack[k] = element
                        element.features["referenceType"] = (
                            None if plain == NULL_VALUE else unescape_value(plain)
                        )
    return spans, relations, chains


def _span(
    annotation: _Annotation,
    columns: list[_Column],
    index: Utf16Index,
    annotator: str,
    skipped: Counter[str],
) -> dict[str, Any] | None:
    short = _short(annotation.type_name)
    if short in _STRUCTURE:
        skipped[f"{short} annotation(s) (text structure)"] += 1
        return None
    start = index.to_code_point(annotation.begin)
    end = index.to_code_point(annotation.end, round_up=True)
    if start >= end:
        skipped[f"empty {short} annotation(s)"] += 1
        return None
    features = annotation.features
    names = [
        c.feature for c in columns if c.type_name == annotation.type_name and c.kind == "primitive"
    ]
    label_feature = next((f for f in ("label", "value") if f in names), names[0] if names else None)
    label = features.get(label_feature) if label_feature else None
    if not label or not label.strip():
        label = short
    record: dict[str, Any] = {"start": start, "end": end, "label": label, "annotator": annotator}
    attributes: dict[str, Any] = {}
    for name, value in features.items():
        if name == label_feature or value is None:
            continue
        if name == "annotator":
            record["annotator"] = value
        elif annotation.type_name == SPAN_LAYER and name == "note":
            record["note"] = value
        elif annotation.type_name == SPAN_LAYER and name == "attributes":
            try:
                parsed = load_json(value)
            except (json.JSONDecodeError, TooLarge):
                parsed = None
            if not isinstance(parsed, dict):
                raise InvalidRecord(f"a span's attributes are not a JSON object: {value[:60]!r}")
            attributes.update(parsed)
        else:
            attributes[name] = value
    record["attributes"] = attributes
    return record


def _relation(
    relation: tuple[_Annotation, _Unit, str],
    units: dict[str, _Unit],
    by_annotation: dict[int, int],
    annotator: str,
    skipped: Counter[str],
) -> dict[str, Any] | None:
    annotation, unit, ref = relation
    short = _short(annotation.type_name)
    base = annotation.features.get("\0base") or ""
    source_id, info = _disambiguated(ref)
    source_number = target_number = 0
    if info is not None:
        first, _, second = info.partition("_")
        if not (first.isdigit() and second.isdigit()):
            raise _LineError(unit.line, f"relation reference {ref!r} is not UNIT[SOURCE_TARGET]")
        source_number, target_number = int(first), int(second)
    source = units.get(source_id)
    if source is None:
        raise _LineError(unit.line, f"relation reference {ref!r} names no token of the file")

    def end_of(where: _Unit, number: int) -> int | None:
        candidates = where.by_type.get(base, [])
        if number:
            candidates = [a for a in candidates if a.disambiguation == number]
        else:
            candidates = [a for a in candidates if a.disambiguation is None] or candidates
        for candidate in candidates:
            if id(candidate) in by_annotation:
                return by_annotation[id(candidate)]
        return None

    head, child = end_of(source, source_number), end_of(unit, target_number)
    if head is None or child is None or head == child:
        skipped[f"{short} relation(s) between no imported spans"] += 1
        return None
    features = {k: v for k, v in annotation.features.items() if not k.startswith("\0")}
    names = list(features)
    label_feature = next((f for f in ("label", "value") if f in names), names[0] if names else None)
    label = features.get(label_feature) if label_feature else None
    who = features.get("annotator")
    return {
        "head": head,
        "child": child,
        "label": label if label and label.strip() else short,
        "annotator": who if who else annotator,
    }
