"""UIMA CAS XMI, the exchange format of INCEpTION and DKPro: a folder of ``.xmi`` files and
their ``TypeSystem.xml``, read and written with dkpro-cassis.

Needs dkpro-cassis (``pip install 'news-annotator[xmi]'``). The export is one
``article-NNNNNN.xmi`` per article and ``TypeSystem.xml``, as INCEpTION's "UIMA CAS XMI"
download gives them, with the types INCEpTION uses for a custom span layer named ``Span`` and
its relation layer:

- ``webanno.custom.Span`` (a ``uima.tcas.Annotation``): each span, with features ``label``,
  ``annotator``, ``note``, ``attributes`` (a JSON object, as a string), ``created_at`` and
  ``updated_at`` (when the span was made and last changed, ISO 8601 in UTC);
- ``webanno.custom.Relation``: each relation, ``Governor`` (the head span) and ``Dependent``
  (the child), ``label`` and ``annotator``; it covers its dependent, as INCEpTION's do;
- ``de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData``: the title
  (``documentTitle``), ``documentId`` and the URL (``documentUri``);
- ``webanno.custom.Article`` (a document-level ``uima.cas.AnnotationBase``): source, author,
  published, status and free metadata (``meta``, a JSON object).

Offsets in XMI are UTF-16 code units; cassis converts them from and to code points. XML 1.0
cannot hold most control characters: each in a text or value is written as U+FFFD (counted in
the report; offsets stay).

The reader takes a folder (searched for ``.xmi`` files, in sub-folders too) or one ``.xmi``
file. Each file's type system is the ``TypeSystem.xml`` (or the one other ``*.xml`` type system
description) in its folder or the nearest folder above it, up to the one named. Every annotation
becomes a span except the structure of the text (tokens, sentences, paragraphs, lemmas,
part-of-speech tags, markup such as TEI elements), which is skipped and counted in a note:

- its label is the value of its ``label`` or ``value`` feature (INCEpTION's custom layers, DKPro's
  named entities) or else the short name of its type (``de.idsma.rw.Stwr`` -> ``Stwr``);
- its other string, number and boolean features become the span's attributes;
- an annotation with ``Governor`` and ``Dependent`` features is a relation between the spans they
  point to, labelled like a span;
- a whole-document annotation whose type name ends in ``Metadata`` gives the article's metadata.

The annotator is the ``annotator`` feature when there is one; otherwise, for a file in a
sub-folder of the folder named, the sub-folder's name (corpora and INCEpTION curation exports
keep one folder per annotator), else the importing analyst. Texts are stored with LF line ends;
offsets are moved accordingly.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from annotator.core.model import Label
from annotator.formats.export import ExportDoc, ExportError, ExportReport, atomic_folder
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

SPAN_TYPE = "webanno.custom.Span"
RELATION_TYPE = "webanno.custom.Relation"
ARTICLE_TYPE = "webanno.custom.Article"
METADATA_TYPE = "de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData"
TYPE_SYSTEM = "TypeSystem.xml"
_STRING = "uima.cas.String"
_PRIMITIVES = frozenset(
    {
        "uima.cas.String",
        "uima.cas.Integer",
        "uima.cas.Float",
        "uima.cas.Double",
        "uima.cas.Long",
        "uima.cas.Short",
        "uima.cas.Byte",
        "uima.cas.Boolean",
    }
)
# Annotations that describe the text's structure, not what an analyst marked in it.
_STRUCTURE = frozenset(
    {
        "Token",
        "Sentence",
        "Paragraph",
        "Heading",
        "Div",
        "Lemma",
        "Stem",
        "POS",
        "MorphologicalFeatures",
        "TagsetDescription",
        "TeiType",
        "Dependency",
    }
)
_STRUCTURE_SUFFIXES = ("Token", "Sentence")
_OFF_LIMITS = frozenset({"sofa", "begin", "end"})


def _cassis() -> Any:
    try:
        import cassis
    except ModuleNotFoundError as exc:
        raise ExportError(
            "the xmi format needs dkpro-cassis; install it with pip install 'news-annotator[xmi]'"
        ) from exc
    return cassis


def type_system() -> Any:
    """The type system of this app's XMI export."""
    cassis = _cassis()
    ts = cassis.TypeSystem()
    span = ts.create_type(SPAN_TYPE, supertypeName="uima.tcas.Annotation")
    for name in ("label", "annotator", "note", "attributes", "created_at", "updated_at"):
        ts.create_feature(span, name, _STRING)
    relation = ts.create_type(RELATION_TYPE, supertypeName="uima.tcas.Annotation")
    ts.create_feature(relation, "Governor", SPAN_TYPE)
    ts.create_feature(relation, "Dependent", SPAN_TYPE)
    ts.create_feature(relation, "label", _STRING)
    ts.create_feature(relation, "annotator", _STRING)
    metadata = ts.create_type(METADATA_TYPE, supertypeName="uima.tcas.DocumentAnnotation")
    for name in ("documentTitle", "documentId", "documentUri", "collectionId", "documentBaseUri"):
        ts.create_feature(metadata, name, _STRING)
    ts.create_feature(metadata, "isLastSegment", "uima.cas.Boolean")
    article = ts.create_type(ARTICLE_TYPE, supertypeName="uima.cas.AnnotationBase")
    for name in ("source", "author", "published", "status", "meta"):
        ts.create_feature(article, name, _STRING)
    return ts


# XML 1.0 cannot hold C0 control characters other than TAB, LF and CR (nor U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
REPLACEMENT = "\ufffd"


class _XmlSafe:
    """Strings made storable in XML 1.0: each character it cannot hold becomes U+FFFD (one
    character for one, so offsets stay), counted for the export report."""

    def __init__(self) -> None:
        self.texts = 0
        self.values = 0

    def text(self, value: str) -> str:
        if _NOT_XML.search(value) is None:
            return value
        self.texts += 1
        return _NOT_XML.sub(REPLACEMENT, value)

    def value(self, value: str | None) -> str | None:
        if value is None or _NOT_XML.search(value) is None:
            return value
        self.values += 1
        return _NOT_XML.sub(REPLACEMENT, value)


def file_name(article_id: int) -> str:
    return f"article-{article_id:06d}.xmi"


def to_cas(ts: Any, doc: ExportDoc, safe: _XmlSafe | None = None) -> Any:
    cassis = _cassis()
    safe = safe or _XmlSafe()
    v = safe.value
    article = doc.article
    cas = cassis.Cas(typesystem=ts)
    cas.sofa_string = safe.text(article.text)
    cas.sofa_mime = "text"
    Metadata = ts.get_type(METADATA_TYPE)
    cas.add(
        Metadata(
            begin=0,
            end=len(article.text),
            language="x-unspecified",
            documentTitle=v(article.title),
            documentId=str(article.id),
            documentUri=v(article.url) or None,
            isLastSegment=False,
        )
    )
    Article = ts.get_type(ARTICLE_TYPE)
    cas.add(
        Article(
            source=v(article.source),
            author=v(article.author),
            published=v(article.published),
            status=article.status,
            meta=json.dumps(article.meta, ensure_ascii=False, sort_keys=True),
        )
    )
    Span = ts.get_type(SPAN_TYPE)
    made = []
    for span in doc.spans:
        fs = Span(
            begin=span.start,
            end=span.end,
            label=v(span.label),
            annotator=v(span.annotator),
            note=v(span.note) or None,
            attributes=json.dumps(span.attributes, ensure_ascii=False, sort_keys=True)
            if span.attributes
            else None,
            created_at=span.created_at or None,
            updated_at=span.updated_at or None,
        )
        cas.add(fs)
        made.append(fs)
    Relation = ts.get_type(RELATION_TYPE)
    for relation in doc.relations:
        child = made[relation.child]
        cas.add(
            Relation(
                begin=child.begin,
                end=child.end,
                Governor=made[relation.head],
                Dependent=child,
                label=v(relation.type),
                annotator=v(relation.annotator),
            )
        )
    return cas


def write_xmi(
    docs: Iterable[ExportDoc], out: Path, *, labels: Sequence[Label] = ()
) -> ExportReport:
    ts = type_system()
    report = ExportReport("xmi")
    safe = _XmlSafe()
    with atomic_folder(out) as folder:
        (folder / TYPE_SYSTEM).write_text(ts.to_xml(), encoding="utf-8")
        for doc in docs:
            to_cas(ts, doc, safe).to_xmi(str(folder / file_name(doc.article.id)))
            report.articles += 1
            report.spans += len(doc.spans)
            report.relations += len(doc.relations)
    report.files.append(out)
    report.lose(
        safe.texts,
        "article text(s) with control characters XML cannot hold, written as U+FFFD "
        "(one character for each, so offsets are kept)",
    )
    report.lose(
        safe.values,
        "label(s), note(s) or other value(s) with control characters XML cannot hold, "
        "written with U+FFFD in their place",
    )
    return report


# ------------------------------------------------------------------------------------ reading
class _TypeSystems:
    """The type system of each folder, found once: TypeSystem.xml, or the one type system
    description among the folder's .xml files, here or in the nearest folder above."""

    def __init__(self, root: Path) -> None:
        self.root = root
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
            if (
                folder == self.root
                or folder.parent == folder
                or not folder.is_relative_to(self.root)
            ):
                break
            folder = folder.parent
        raise InvalidRecord(
            f"no {TYPE_SYSTEM} (type system description) beside it or in a folder above it"
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


def _short(type_name: str) -> str:
    return type_name.rsplit(".", 1)[-1]


def _is_structure(short: str) -> bool:
    return short in _STRUCTURE or short.endswith(_STRUCTURE_SUFFIXES)


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


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
