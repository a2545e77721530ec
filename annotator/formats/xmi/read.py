"""Reading UIMA CAS XMI from INCEpTION, DKPro and other UIMA corpora (see
:mod:`annotator.formats.xmi`)."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

from annotator.formats.export import ExportError
from annotator.formats.jsonl import parse_object
from annotator.formats.limits import MAX_WHOLE_FILE_BYTES, TooLarge, load_json, read_bounded
from annotator.formats.records import (
    InvalidRecord,
    ReadOptions,
    ReadResult,
    RecordError,
    Rejection,
)
from annotator.formats.walk import collect_files
from annotator.formats.xmi.types import (
    _OFF_LIMITS,
    _PRIMITIVES,
    _STRING,
    ARTICLE_TYPE,
    METADATA_TYPE,
    RELATION_TYPE,
    SPAN_TYPE,
    TYPE_SYSTEM,
    _cassis,
    _is_structure,
    _reason,
    _short,
)

# ------------------------------------------------------------------------------------ reading
LEVELS_ABOVE = 2


class _TypeSystems:
    """The type system of each folder, found once: TypeSystem.xml, or the one type system
    description among the folder's .xml files, here or in the nearest folder above, up to
    :data:`LEVELS_ABOVE` folders above the one imported (a corpus keeps one type system for the
    folders of all its annotators, and one of those folders may be imported alone)."""

    def __init__(self, root: Path) -> None:
        self.top = root
        for _ in range(LEVELS_ABOVE):
            self.top = self.top.parent
        self._found: dict[Path, Any] = {}

    def for_file(self, path: Path) -> Any:
        folder = path.parent
        while True:
            if folder in self._found:
                if self._found[folder] is not None:
                    return self._found[folder]
            else:
                described = self._describe(folder)
                self._found[folder] = described
                if described is not None:
                    return described
            if folder.parent == folder or folder == self.top:
                break
            folder = folder.parent
        raise InvalidRecord(
            f"no {TYPE_SYSTEM} (type system description) beside it or in a folder above it "
            f"(up to {LEVELS_ABOVE} above the one imported)"
        )

    def _describe(self, folder: Path) -> Any:
        candidates = [folder / TYPE_SYSTEM] if (folder / TYPE_SYSTEM).is_file() else []
        if not candidates:
            for xml in sorted(folder.glob("*.xml")):
                try:
                    with xml.open("rb") as fh:
                        head = fh.read(4096)
                except OSError:
                    continue
                if b"typeSystemDescription" in head:
                    candidates.append(xml)
        if not candidates:
            return None
        if len(candidates) > 1:
            raise InvalidRecord(
                f"{folder} holds several type system descriptions ("
                + ", ".join(c.name for c in candidates)
                + f"); name one {TYPE_SYSTEM}"
            )
        cassis = _cassis()
        try:
            data = read_bounded(candidates[0], MAX_WHOLE_FILE_BYTES, "type system")
            return cassis.load_typesystem(io.BytesIO(data))
        except (TooLarge, OSError, Exception) as exc:
            raise InvalidRecord(
                f"its type system {candidates[0]} cannot be read: {_reason(exc)}"
            ) from None


def read_xmi(path: Path, options: ReadOptions) -> ReadResult:
    try:
        cassis = _cassis()
    except ExportError as exc:
        yield RecordError(None, str(exc))
        return
    root = path if path.is_dir() else path.parent
    entries = collect_files([path], (".xmi",))
    type_systems = _TypeSystems(root)
    found = False
    for done, entry in enumerate(entries, start=1):
        options.advance(done, len(entries))
        if isinstance(entry, Rejection):
            yield RecordError(entry.line, entry.message, entry.path)
            continue
        found = True
        try:
            ts = type_systems.for_file(entry)
            data = read_bounded(entry, MAX_WHOLE_FILE_BYTES, "XMI file")
            added = _declare_missing_features(data, ts)
            if added and options.on_note is not None:
                options.on_note(
                    entry,
                    None,
                    "features missing from its type system read as text: " + ", ".join(added),
                )
            cas = cassis.load_cas_from_xmi(io.BytesIO(data), typesystem=ts, lenient=True)
            annotator = ""
            if entry.parent != root and entry.is_relative_to(root):
                annotator = entry.relative_to(root).parts[0]
            record, skipped = native(cas, annotator)
            yield parse_object(record, None, code_points=True)
        except TooLarge as exc:
            yield RecordError(None, exc.message, entry)
            continue
        except InvalidRecord as exc:
            yield RecordError(None, str(exc), entry)
            continue
        except Exception as exc:  # lxml, cassis and type errors: the file is not usable XMI
            yield RecordError(None, f"cannot be read as UIMA CAS XMI: {_reason(exc)}", entry)
            continue
        if skipped and options.on_note is not None:
            options.on_note(
                entry,
                None,
                "structure annotations not imported as spans: "
                + ", ".join(f"{n} {name}" for name, n in sorted(skipped.items())),
            )
    if not found and path.is_dir():
        yield RecordError(None, "holds no .xmi files")


def _declare_missing_features(data: bytes, ts: Any) -> list[str]:
    """Declare, as strings, the features the file's annotations use but its type system lacks
    (exports whose type system is an older version); their names, ``Type.feature``."""
    from lxml import etree

    added: list[str] = []
    seen: set[tuple[str, str]] = set()
    parser_args = {"events": ("start",), "resolve_entities": False, "no_network": True}
    for _event, element in etree.iterparse(io.BytesIO(data), **parser_args):
        tag = element.tag
        if not isinstance(tag, str) or not tag.startswith("{http:///"):
            continue
        namespace, _, local = tag[1:].partition("}")
        package = namespace[len("http:///") :].removesuffix(".ecore").replace("/", ".")
        type_name = f"{package}.{local}"
        if package in ("uima.cas", "uima.tcas") or not ts.contains_type(type_name):
            continue
        uima_type = ts.get_type(type_name)
        for attribute in element.attrib:
            if attribute.startswith("{") or (type_name, attribute) in seen:
                continue
            seen.add((type_name, attribute))
            if uima_type.get_feature(attribute) is None:
                ts.create_feature(uima_type, attribute, _STRING)
                added.append(f"{local}.{attribute}")
        element.clear()
    return added


def _features(fs: Any) -> list[tuple[str, str]]:
    """(name, range type name) of each feature of an annotation other than sofa/begin/end."""
    return [(f.name, f.rangeType.name) for f in fs.type.all_features if f.name not in _OFF_LIMITS]


def _label_and_attributes(fs: Any) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The label, the attributes and the rest (annotator, note) of a span annotation."""
    features = _features(fs)
    names = [name for name, _ in features]
    label_feature = next((n for n in ("label", "value") if n in names), None)
    label = fs.get(label_feature) if label_feature else None
    if not isinstance(label, str) or not label.strip():
        label = _short(fs.type.name)
    attributes: dict[str, str] = {}
    rest: dict[str, Any] = {}
    ours = fs.type.name in (SPAN_TYPE, RELATION_TYPE)
    for name, range_name in features:
        if name == label_feature:
            continue
        value = fs.get(name)
        if value is None:
            continue
        if ours and name in ("annotator", "note", "created_at", "updated_at"):
            rest[name] = value
        elif ours and name == "attributes" and isinstance(value, str):
            try:
                parsed = load_json(value)
            except (json.JSONDecodeError, TooLarge):
                parsed = None
            if not isinstance(parsed, dict):
                raise InvalidRecord(f"a span's 'attributes' is not a JSON object: {value[:60]!r}")
            rest["attributes"] = parsed
        elif range_name in _PRIMITIVES or fs.type.typesystem.subsumes(_STRING, range_name):
            attributes[name] = value if isinstance(value, str) else json.dumps(value)
        elif name == "annotator" and isinstance(value, str):
            rest[name] = value
    if "annotator" in names and isinstance(fs.get("annotator"), str):
        rest["annotator"] = fs.get("annotator")
    return label, attributes, rest


def native(cas: Any, annotator: str) -> tuple[dict[str, Any], Counter[str]]:
    """A CAS as the native JSON object :func:`parse_object` checks, and the structure
    annotations it skipped, counted by type."""
    text = cas.sofa_string
    if not isinstance(text, str):
        raise InvalidRecord("its CAS has no text (sofa string)")
    record: dict[str, Any] = {"text": text}
    meta: dict[str, Any] = {}
    skipped: Counter[str] = Counter()
    spans: list[dict[str, Any]] = []
    index: dict[int, int] = {}
    relations: list[Any] = []
    ts = cas.typesystem
    for fs in cas.select_all_fs():
        type_name = fs.type.name
        short = _short(type_name)
        if type_name == ARTICLE_TYPE:
            for name in ("source", "author", "published", "status"):
                if isinstance(fs.get(name), str):
                    record[name] = fs.get(name)
            raw_meta = fs.get("meta")
            if isinstance(raw_meta, str):
                try:
                    parsed = load_json(raw_meta)
                except (json.JSONDecodeError, TooLarge):
                    parsed = None
                if not isinstance(parsed, dict):
                    raise InvalidRecord("its article metadata is not a JSON object")
                meta.update(parsed)
            continue
        if not ts.subsumes("uima.tcas.Annotation", type_name):
            continue
        if ts.subsumes("uima.tcas.DocumentAnnotation", type_name):
            if type_name == METADATA_TYPE or fs.type.get_feature("documentTitle") is not None:
                title = fs.get("documentTitle")
                if isinstance(title, str) and title:
                    record["title"] = title
                uri = fs.get("documentUri") if type_name == METADATA_TYPE else None
                if isinstance(uri, str) and uri.startswith(("http://", "https://")):
                    record["url"] = uri
            continue
        if short.lower().endswith("metadata"):
            for name, range_name in _features(fs):
                value = fs.get(name)
                if value is not None and range_name in _PRIMITIVES:
                    meta[f"{short}.{name}"] = value
            continue
        if _is_structure(short):
            skipped[short] += 1
            continue
        names = {f.name for f in fs.type.all_features}
        if {"Governor", "Dependent"} <= names:
            relations.append(fs)
            continue
        if fs.begin >= fs.end:
            skipped[f"{short} (empty)"] += 1
            continue
        label, attributes, rest = _label_and_attributes(fs)
        index[fs.xmiID] = len(spans)
        spans.append(
            {
                "start": fs.begin,
                "end": fs.end,
                "label": label,
                "annotator": rest.get("annotator", annotator),
                "note": rest.get("note", ""),
                "attributes": rest.get("attributes", attributes),
                "created_at": rest.get("created_at"),
                "updated_at": rest.get("updated_at"),
            }
        )
    out_relations = []
    for fs in relations:
        governor, dependent = fs.get("Governor"), fs.get("Dependent")
        ends = [index.get(getattr(end, "xmiID", -1)) for end in (governor, dependent)]
        if ends[0] is None or ends[1] is None or ends[0] == ends[1]:
            skipped[f"{_short(fs.type.name)} (relation between no imported spans)"] += 1
            continue
        label, _attributes, rest = _label_and_attributes(fs)
        out_relations.append(
            {
                "head": ends[0],
                "child": ends[1],
                "label": label,
                "annotator": rest.get("annotator", annotator),
            }
        )
    record["meta"] = meta
    record["spans"] = spans
    record["relations"] = out_relations
    return record, skipped
