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

from annotator.formats.webanno_tsv.escaping import (
    FORMAT_LINE,
    HEADER,
    RELATION_LAYER,
    SPAN_LAYER,
    escape_text,
    escape_value,
    file_name,
    unescape_text,
    unescape_value,
)
from annotator.formats.webanno_tsv.read import parse_tsv, read_webanno_tsv
from annotator.formats.webanno_tsv.write import document, write_webanno_tsv

__all__ = [
    "FORMAT_LINE",
    "HEADER",
    "RELATION_LAYER",
    "SPAN_LAYER",
    "document",
    "escape_text",
    "escape_value",
    "file_name",
    "parse_tsv",
    "read_webanno_tsv",
    "unescape_text",
    "unescape_value",
    "write_webanno_tsv",
]
