"""brat standoff: a folder of ``NAME.txt`` + ``NAME.ann`` pairs with annotation.conf and visual.conf.

Export (:func:`write_brat`) writes, for each article, ``NAME.txt`` holding the article's stored
text exactly (UTF-8, LF line ends, no BOM) and ``NAME.ann`` with its annotations, plus one
``annotation.conf`` and one ``visual.conf`` for the folder, so that brat opens it as a collection:

- ``T`` lines for spans (``T1<TAB>Quote 10 20<TAB>text``), offsets in code points, end exclusive.
  A span that crosses a line break is written as brat writes it: one fragment per line
  (``T1<TAB>Quote 10 20;21 30<TAB>fragment1 fragment2``, fragment texts joined by one space).
  A line break is any character :meth:`str.splitlines` breaks at. A span's leading or trailing
  line breaks cannot be shown and are left out; a span of nothing but line breaks is not written.
- ``R`` lines for relations, head as ``Arg1`` and child as ``Arg2``
  (``R1<TAB>attributed_to Arg1:T3 Arg2:T1``).
- ``A`` lines for span attributes (``A1<TAB>Key T1 Value``). A value of ``true`` is written as a
  brat flag (``A1<TAB>Key T1``; brat flags read back as ``true``). brat values are single words:
  white space and the characters ``| ,`` become ``_`` and an empty value becomes a flag; each such
  change is reported as a loss.
- ``#`` lines for notes (``#1<TAB>AnnotatorNotes T1<TAB>note``). A note is one line in brat: its
  line breaks become spaces (reported).
- Type names (labels, relation types, attribute names) are made brat-safe: every character other
  than a letter, digit, ``_`` or ``-`` becomes ``_`` ("Direct quote" becomes ``Direct_quote``),
  with ``_2``, ``_3`` ... added when two names would meet. visual.conf's ``[labels]`` section maps
  each changed type back to its original name (brat shows that name) and :func:`read_brat` reads
  it back. Renamed labels are reported.
- ``NAME`` is the article title made safe for every file system: letters and digits kept, runs
  of anything else turned into ``-``, cut to 60 characters; an article without a usable title is
  ``article-ID``; a name already used in the export (compared case-insensitively, as Windows and
  macOS do) or reserved on Windows (``CON``, ``NUL``, ``COM1`` ...) gets ``-ID`` added.
- brat has no annotators and no article metadata: both are reported as losses.

Import (:func:`read_brat`) takes a folder (every ``.ann`` below it, in name order, each with the
``.txt`` of the same name beside it), or one ``.ann`` or ``.txt`` file of a pair. Line kinds:

- ``T`` spans. The text field must equal the document text at the offsets (fragments joined by
  one space) as brat itself checks it; like brat, an empty text field, text followed by white
  space and a comment, and pre-1.3 fragment text joined without a space are accepted. A text field
  broken by a raw line break (the rest of it on the next line or lines of the .ann) is read as
  one field. Fragments separated only by white space (the line breaks a span was cut at) are one
  continuous span again. A genuinely discontinuous span (non-space text between fragments) is
  imported as one span per fragment, each linked to the next by a ``continues`` relation
  (:data:`CONTINUATION`); its attributes, notes and normalizations go on the first fragment and
  relations to it point at the first fragment. The export joins such chains (same label, text
  between the pieces) into one ``T`` line with ``START END;START END`` again. Offsets count code points of the .txt as read (a BOM is character 0); a
  .txt with CRLF line ends whose offsets only fit with CRLF counted as one character (brat's
  universal newlines) is read that way.
- ``E`` events: the trigger is a ``T`` line and so a span; each argument becomes a relation from
  the trigger to the argument, typed by the role (``Org-Arg``). References to an event mean its
  trigger span.
- ``R`` relations (``Arg1`` is the head), ``A``/``M`` attributes (a flag reads as ``true``) and
  ``#`` AnnotatorNotes notes on spans and events. Attributes and notes on relations cannot be
  held and are counted in the notes.
- ``N`` normalizations (``N1<TAB>Reference T1 Wikipedia:534366<TAB>Barack Obama``) become the
  span attribute ``normalization`` (:data:`NORMALIZATION`), ``RESOURCE:ID name``, one line per
  N line; the export writes that attribute back as ``N`` lines.
- ``*`` equivalences (``*<TAB>Alias T1 T2 T3``) become relations typed as the line, from its
  first span to each other one (exported as ``R`` lines of that type).
- Anything else, or a line that cannot be parsed, is rejected naming its file and line, as is a
  ``T`` line whose offsets fall outside the text or whose text does not match it; lines that
  refer to a rejected line are rejected too. The rest of the document is imported.

Notes (not rejections) are handed to ``on_note(path, line, message)`` when given.
"""

from __future__ import annotations

from annotator.formats.brat.names import (
    ANNOTATION_CONF,
    CONTINUATION,
    FLAG_VALUE,
    NORMALIZATION,
    VISUAL_CONF,
    NoteCallback,
    brat_name,
    document_name,
)
from annotator.formats.brat.read import read_brat
from annotator.formats.brat.write import line_fragments, write_brat

__all__ = [
    "ANNOTATION_CONF",
    "CONTINUATION",
    "NORMALIZATION",
    "FLAG_VALUE",
    "VISUAL_CONF",
    "NoteCallback",
    "brat_name",
    "document_name",
    "line_fragments",
    "read_brat",
    "write_brat",
]
