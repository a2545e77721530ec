"""spaCy ``DocBin`` (a ``.spacy`` file): the training corpus format of ``spacy train``.

Needs spaCy (``pip install 'news-annotator[spacy]'``). Each article becomes one ``Doc`` whose text
is the article's stored text, tokenized by spaCy's own multi-language tokenizer
(``spacy.blank("xx")``); where a span starts or ends inside a token (or in white space) the
text is cut there too, so every span is a whole number of tokens and keeps its exact offsets.

- ``doc.spans["sc"]`` (the span categorizer's default group) holds every span, overlapping and
  nested ones too, in the export's order, each with its label;
- ``doc.ents`` holds the spans that overlap no other span (a span exactly equal to another,
  e.g. the same span by two annotators, is one entity), for ``ner`` training;
- ``doc.cats`` holds the article's document labels: ``"FIELD=CHOICE"`` 1.0 / 0.0 for every
  choice of a choice field, ``"FIELD"`` with the value of a number field (see
  :func:`doc_label_cats`), and free categories kept in ``meta["cats"]`` (name -> score);
- ``doc.user_data["news_annotator"]`` (JSON text, kept with ``store_user_data``) holds what spaCy
  has no place for: title, source and other metadata, each span's annotator, note and
  attributes, the relations between spans (indices into ``doc.spans["sc"]``), and the
  definitions of the document label fields the article uses (a project lacking them defines
  them on import).

The reader reads this app's files and ``.spacy`` files written by spaCy and other tools: spans
come from every span group and from ``doc.ents`` (one span where they coincide); ``doc.cats``
go into the article's metadata, but in this app's files, whose ``user_data`` names the document
labels, the cats made from them are read back as those document labels. Offsets are spaCy's
character offsets (code points), moved onto the stored text (a CRLF becomes LF). A DocBin cannot be read a part at a time, so a file above
:data:`MAX_DOCBIN_BYTES` is refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from annotator.core.model import Label
from annotator.core.schema import DocField
from annotator.formats.export import ExportDoc, ExportError, ExportReport, atomic_file
from annotator.formats.jsonl import parse_object
from annotator.formats.jsonl_export import doc_dict
from annotator.formats.label_sets import definition_of
from annotator.formats.limits import MB, TooLarge, load_json, read_bounded
from annotator.formats.records import (
    InvalidRecord,
    LabelSetRecord,
    ReadOptions,
    ReadResult,
    RecordError,
)
from annotator.store.schema_file import definition_json

SPAN_KEY = "sc"
USER_DATA_KEY = "news_annotator"
MADE_CATS = "doc_label_cats"  # in user_data: the cats written from document labels
DOC_FIELDS = "doc_fields"  # in user_data: the definitions of the document labels' fields
LANGUAGE = "xx"
MAX_DOCBIN_BYTES = 512 * MB  # a DocBin is read whole; ~100,000 news articles fit


def _spacy() -> Any:
    try:
        import spacy
    except ModuleNotFoundError as exc:
        raise ExportError(
            "the spacy format needs spaCy; install it with pip install 'news-annotator[spacy]'"
        ) from exc
    return spacy


def make_doc(nlp: Any, text: str, edges: Iterable[tuple[int, int]]) -> Any:
    """spaCy's tokens of ``text``, cut further so that each ``(start, end)`` in ``edges`` starts
    at a token's start and ends at a token's end (white space becomes a token where needed)."""
    doc = nlp.make_doc(text)
    starts = {token.idx for token in doc}
    ends = {token.idx + len(token.text) for token in doc}
    edges = list(edges)
    span_starts = {start for start, _ in edges}
    span_ends = {end for _, end in edges}
    if span_starts <= starts and span_ends <= ends:
        return doc
    from spacy.tokens import Doc

    cuts = sorted(starts | ends | span_starts | span_ends | {0, len(text)})
    words: list[str] = []
    spaces: list[bool] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        piece = text[a:b]
        if (
            piece == " "
            and words
            and not spaces[-1]
            and not words[-1].isspace()
            and a not in span_starts
            and b not in span_ends
        ):
            spaces[-1] = True  # spaCy's way: one space after a token belongs to it
        else:
            words.append(piece)
            spaces.append(False)
    return Doc(nlp.vocab, words=words, spaces=spaces)


def _entities(doc: ExportDoc) -> list[int]:
    """Indices of the spans that overlap no other span (one of several identical spans)."""
    first: dict[tuple[int, int, str], int] = {}
    for i, span in enumerate(doc.spans):
        first.setdefault((span.start, span.end, span.label), i)
    keys = sorted(first, key=lambda k: (k[0], -k[1], k[2]))
    keep: list[int] = []
    reach = -1  # the furthest end of the spans before this one
    for n, (start, end, label) in enumerate(keys):
        clash = reach > start or (n + 1 < len(keys) and keys[n + 1][0] < end)
        if not clash:
            keep.append(first[(start, end, label)])
        reach = max(reach, end)
    return sorted(keep)


def to_spacy(nlp: Any, doc: ExportDoc) -> Any:
    """The spaCy ``Doc`` of one exported article (see the module docstring)."""
    text = doc.article.text
    sdoc = make_doc(nlp, text, ((span.start, span.end) for span in doc.spans))
    group = []
    for span in doc.spans:
        made = sdoc.char_span(span.start, span.end, label=span.label)
        if made is None:  # cannot happen: every edge is a token edge now
            raise ExportError(f"span [{span.start}, {span.end}) does not fit spaCy's tokens")
        group.append(made)
    sdoc.spans[SPAN_KEY] = group
    sdoc.ents = [group[i] for i in _entities(doc)]
    cats = doc.article.meta.get("cats")
    if isinstance(cats, dict):
        sdoc.cats = {
            str(k): float(v)
            for k, v in cats.items()
            if isinstance(v, int | float) and not isinstance(v, bool)
        }
    made = doc_label_cats(doc)
    sdoc.cats.update(made)
    extra = doc_dict(doc)
    if made:
        extra[MADE_CATS] = sorted(made)
    if doc.doc_labels:  # the definitions of the fields it uses, so a project lacking them can
        extra[DOC_FIELDS] = [  # define them on import
            definition_json(f.name, f.kind, f.choices, f.minimum, f.maximum, f.description)
            for f in doc.doc_fields
            if f.name in doc.doc_labels
        ]
    del extra["text"]
    for relation in extra["relations"]:
        del relation["head_span"], relation["child_span"]
    sdoc.user_data[USER_DATA_KEY] = json.dumps(extra, ensure_ascii=False, sort_keys=True)
    return sdoc


def doc_label_cats(doc: ExportDoc) -> dict[str, float]:
    """The article's document labels as ``doc.cats``: ``"FIELD=CHOICE"`` scored 1.0 when chosen
    and 0.0 when not, for every choice of a single or multiple choice field (the one-hot form
    ``textcat`` and ``textcat_multilabel`` train on), and ``"FIELD"`` with its value for a
    number field. A free text field is no category; it travels in ``user_data`` only."""
    cats: dict[str, float] = {}
    for field in doc.doc_fields:
        values = doc.doc_labels.get(field.name, ())
        if field.kind in ("single", "multiple"):
            for choice in (*field.choices, *(v for v in values if v not in field.choices)):
                cats[f"{field.name}={choice}"] = 1.0 if choice in values else 0.0
        elif field.kind == "number" and values:
            try:
                cats[field.name] = float(values[0])
            except ValueError:
                continue
    return cats


def write_spacy(
    docs: Iterable[ExportDoc], out: Path, *, labels: Sequence[Label] = ()
) -> ExportReport:
    spacy = _spacy()
    from spacy.tokens import DocBin

    nlp = spacy.blank(LANGUAGE)
    report = ExportReport("spacy")
    doc_bin = DocBin(store_user_data=True)
    for doc in docs:
        doc_bin.add(to_spacy(nlp, doc))
        report.articles += 1
        report.spans += len(doc.spans)
        report.relations += len(doc.relations)
    with atomic_file(out, "wb") as fh:
        fh.write(doc_bin.to_bytes())
    report.files.append(out)
    return report


# ------------------------------------------------------------------------------------ reading
def read_spacy(path: Path, options: ReadOptions) -> ReadResult:
    """Each ``Doc`` of a ``.spacy`` file as an article, or why it cannot be imported."""
    try:
        spacy = _spacy()
    except ExportError as exc:
        yield RecordError(None, str(exc))
        return
    from spacy.tokens import DocBin

    try:
        data = read_bounded(path, MAX_DOCBIN_BYTES, "spaCy DocBin (read whole)")
    except TooLarge as exc:
        yield RecordError(None, exc.message)
        return
    except OSError as exc:
        yield RecordError(None, f"cannot be read: {exc.strerror or exc}")
        return
    nlp = spacy.blank(LANGUAGE)
    try:
        doc_bin = DocBin().from_bytes(data)
        docs = list(doc_bin.get_docs(nlp.vocab))
    except Exception as exc:  # zlib, msgpack and spaCy's own errors: not a DocBin
        yield RecordError(None, f"is not a spaCy DocBin (.spacy) file: {_reason(exc)}")
        return
    if not docs:
        yield RecordError(None, "holds no documents")
        return
    defined: set[str] = set()
    for number, sdoc in enumerate(docs, start=1):
        options.advance(number, len(docs))
        fields = [f for f in _doc_fields(sdoc) if f.name not in defined]
        if fields:
            defined.update(f.name for f in fields)
            yield LabelSetRecord((), number, doc_fields=tuple(fields))
        try:
            yield parse_object(native(sdoc, number, path, options), number, code_points=True)
        except InvalidRecord as exc:
            yield RecordError(number, f"document {number}: {exc}")


def native(sdoc: Any, number: int, path: Path, options: ReadOptions) -> dict[str, Any]:
    """One ``Doc`` as the native JSON object that :func:`parse_object` checks."""
    extra = _user_data(sdoc)
    group = list(sdoc.spans[SPAN_KEY]) if SPAN_KEY in sdoc.spans else []
    spans: list[dict[str, Any]] = []
    relations: list[Any] = []
    keys: set[tuple[int, int, str]] = set()
    details = extra.get("spans") if extra else None
    if (
        isinstance(details, list)
        and len(details) == len(group)
        and all(
            isinstance(d, dict)
            and (d.get("start"), d.get("end"), d.get("label"))
            == (s.start_char, s.end_char, s.label_)
            for d, s in zip(details, group, strict=True)
        )
    ):
        # This app's file: the group is in the written order, with each span's details.
        for detail in details:
            spans.append(
                {
                    k: detail.get(k)
                    for k in (
                        "start",
                        "end",
                        "label",
                        "annotator",
                        "note",
                        "created_at",
                        "updated_at",
                    )
                }
            )
            spans[-1]["attributes"] = detail.get("attributes")
            keys.add((detail["start"], detail["end"], detail["label"]))
        relations = (extra or {}).get("relations") or []
    elif extra and isinstance(details, list) and details:
        _note(
            options,
            path,
            number,
            f"document {number}: its span group {SPAN_KEY!r} no longer matches the span details "
            "stored with it (edited in spaCy?); spans imported without annotators, notes, "
            "attributes and relations",
        )
    for name in [SPAN_KEY, *sorted(k for k in sdoc.spans if k != SPAN_KEY)]:
        if name not in sdoc.spans:
            continue
        for span in sdoc.spans[name]:
            _add_span(spans, keys, span)
    for span in sdoc.ents:
        _add_span(spans, keys, span)
    record: dict[str, Any] = {"text": sdoc.text, "spans": spans, "relations": relations}
    meta: dict[str, Any] = {}
    if extra and isinstance(extra.get("meta"), dict):
        meta.update(extra["meta"])
    cats = {str(k): float(v) for k, v in sdoc.cats.items()}
    if extra:
        # This app's file: the document labels are in the stored details, and the cats made
        # from them (``doc_label_cats``) are no free categories of the article.
        if isinstance(extra.get("doc_labels"), dict):
            record["doc_labels"] = extra["doc_labels"]
        made = extra.get(MADE_CATS)
        if isinstance(made, list):
            cats = {k: v for k, v in cats.items() if k not in made}
    if cats:
        meta["cats"] = cats
    record["meta"] = meta
    return record


def _doc_fields(sdoc: Any) -> list[DocField]:
    """The document label field definitions stored with a ``Doc`` of this app's files."""
    items = (_user_data(sdoc) or {}).get(DOC_FIELDS)
    found = [definition_of(item) for item in (items if isinstance(items, list) else [])]
    fields = [DocField(0, *d) for d in found if d is not None]
    return fields


def _add_span(spans: list[dict[str, Any]], keys: set[tuple[int, int, str]], span: Any) -> None:
    key = (span.start_char, span.end_char, span.label_)
    if key in keys:
        return
    keys.add(key)
    label = span.label_ or "ENTITY"
    spans.append({"start": key[0], "end": key[1], "label": label})


def _user_data(sdoc: Any) -> dict[str, Any] | None:
    raw = sdoc.user_data.get(USER_DATA_KEY) if sdoc.user_data else None
    if not isinstance(raw, str):
        return None
    try:
        value = load_json(raw)
    except (json.JSONDecodeError, TooLarge) as exc:
        raise InvalidRecord(f"its stored details are not valid JSON: {exc}") from None
    return value if isinstance(value, dict) else None


def _note(options: ReadOptions, path: Path, line: int | None, message: str) -> None:
    if options.on_note is not None:
        options.on_note(path, line, message)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
