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

from annotator.formats.xmi.read import _declare_missing_features, native, read_xmi
from annotator.formats.xmi.types import (
    ARTICLE_TYPE,
    METADATA_TYPE,
    RELATION_TYPE,
    SPAN_TYPE,
    TYPE_SYSTEM,
    type_system,
)
from annotator.formats.xmi.write import file_name, to_cas, write_xmi

__all__ = [
    "ARTICLE_TYPE",
    "METADATA_TYPE",
    "RELATION_TYPE",
    "SPAN_TYPE",
    "TYPE_SYSTEM",
    "_declare_missing_features",
    "file_name",
    "native",
    "read_xmi",
    "to_cas",
    "type_system",
    "write_xmi",
]
