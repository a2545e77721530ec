"""The UIMA types of the XMI format: this app's type system, and what counts as text structure
in other corpora (see :mod:`annotator.formats.xmi`)."""

from __future__ import annotations

from typing import Any

from annotator.formats.export import ExportError

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


def _short(type_name: str) -> str:
    return type_name.rsplit(".", 1)[-1]


def _is_structure(short: str) -> bool:
    return short in _STRUCTURE or short.endswith(_STRUCTURE_SUFFIXES)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
