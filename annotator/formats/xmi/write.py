"""Writing UIMA CAS XMI: one .xmi per article with the type system (see
:mod:`annotator.formats.xmi`)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from annotator.core.model import Label
from annotator.formats.export import ExportDoc, ExportReport, atomic_folder
from annotator.formats.xmi.types import (
    ARTICLE_TYPE,
    METADATA_TYPE,
    RELATION_TYPE,
    SPAN_TYPE,
    TYPE_SYSTEM,
    _cassis,
    type_system,
)

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
