"""CoNLL-2003-style token/tag files: one token and its tag per line, sentences and articles apart.

File layout (UTF-8, LF line ends)::

    -DOCSTART- -X- O O
    <blank line>
    Peskov<TAB>B-Source
    said<TAB>O
    .<TAB>O
    <blank line>
    ...

Each article starts with the CoNLL-2003 document marker as spaCy's converter looks for it, then
its sentences, each followed by one blank line. A token line is the token, one TAB, and its tag
in IOB2 (``O``, ``B-LABEL``, ``I-LABEL``; seqeval's IOB2 scheme, the default), IOB1 (CoNLL-2003's
original: ``I-`` begins a span unless it directly follows one of the same label) or BIOES
(``S-`` single-token spans, ``E-`` last tokens). Tokens never contain white space, so
readers that split on any white space (CoNLL-2003 loaders, flair, spaCy's converter, seqeval
scripts) read the file too; ``conllu.parse(data, fields=("form", "tag"))`` does as well, except
that it takes a line starting with ``#`` (a token ``#``) for a comment. White space and ``%`` in a
label are percent-encoded in its tags ("Direct quote" is ``Direct%20quote``, never the same tag
as "Direct_quote") and decoded on import.

Articles imported from CoNLL keep their tokens and sentences: their text is the tokens joined by
spaces and the sentences by line breaks, and their meta ``conll`` holds the tag scheme read and,
for files with more than two columns, each token's middle columns. Exporting such an article
writes those tokens, sentences and columns again (space-separated, as CoNLL-2003 is), so a
CoNLL-2003 file comes back as it was, tags in the scheme asked for; a span added across a
sentence break is cut there (reported). Other articles are tokenised as follows.

Tokenization (:func:`tokenize`), over code points:

- A token is a word, ``\\w+(?:[-'’]\\w+)*``, where ``\\w`` is a letter, digit, combining mark or
  connector of any script (Unicode categories L, N, M, Pc) and the apostrophes and hyphens
  ``' ’ ʼ - ‐ ‑``, the soft hyphen and ZWNJ join two words ("don't", "Moscow-based"); or else any one
  other visible character (punctuation, a symbol, an emoji).
- A token is never cut inside a user-perceived character: combining marks, variation selectors,
  ZWJ sequences (👨‍👩‍👧), skin tones (👍🏽), flags (🇺🇸, two regional indicators) and keycaps stay
  with what they belong to, as the reader's selection snapping keeps them
  (:mod:`annotator.core.text`).
- White space (including NBSP and line breaks) and invisible separators (U+200B, U+2060, U+FEFF,
  bidi marks) separate tokens and belong to none.

Sentences: a sentence ends at a line break in the text, and after a token ``. ! ? … ؟ 。 ！ ？``
(and any closing quotes or brackets right after it) that white space separates from a token
beginning with an upper-case or case-less letter or an opening quote or bracket, unless the token
before the full stop is one letter (an initial, "J. K.") or a common abbreviation (Mr, Dr, Gen,
...). A sentence never ends inside an exported span, so each span is one run of tags in one
sentence.

Spans: a span is snapped to the tokens it touches. A boundary inside a token widens it to the
whole token; a span that begins or ends on white space is trimmed to its tokens; a span that
touches no token is dropped; each is counted in the export report. BIO holds one label per token,
so of overlapping spans the longest is kept (ties: the earlier start, then the label's place in
the project's label order) and the others are dropped and counted, duplicates (same tokens and
label, e.g. two annotators) separately. Relations, notes, attributes, annotators, article titles
and metadata cannot be carried: each is counted as a loss.

Import (:func:`read_conll`) reads this layout, the document line in either form
(``-DOCSTART-<TAB>O``, ``-DOCSTART- -X- -X- O``), and CoNLL-2003 files with more columns (the first
column is the token, the last the tag), tagged IOB1, IOB2 or BIOES (also BILOU's ``L-``/``U-``). The article text is rebuilt from the tokens: tokens joined
by one space, sentences by a line break (the original white space cannot be recovered), and spans
are the B-/I- runs over that text. The round trip keeps each article's token sequence, sentence
by sentence, and its labelled spans as token ranges. An ``I-X`` tag that does not continue an
``X`` (IOB1 files such as the original CoNLL-2003 data) starts a new span, as seqeval and
conlleval read it; the file's notes say once how it was read (IOB1, BIOES) and how many tags
that concerned. A line without a tag or with a tag other than these rejects its article, naming
the file and line; other articles are imported.
"""

from __future__ import annotations

from annotator.formats.conll.read import parse_conll, read_conll
from annotator.formats.conll.tags import SCHEMES, encode_tags, label_of_tag, tag_label
from annotator.formats.conll.text import (
    _INVISIBLE_SEPARATORS,
    ABBREVIATIONS,
    DOCSTART,
    DOCSTART_LINE,
    META_KEY,
    SEPARATOR,
    NoteCallback,
    Token,
    _is_separator,
    sentences,
    tokenize,
)
from annotator.formats.conll.write import write_conll

__all__ = [
    "ABBREVIATIONS",
    "DOCSTART",
    "DOCSTART_LINE",
    "META_KEY",
    "NoteCallback",
    "SCHEMES",
    "SEPARATOR",
    "Token",
    "_INVISIBLE_SEPARATORS",
    "_is_separator",
    "encode_tags",
    "label_of_tag",
    "parse_conll",
    "read_conll",
    "sentences",
    "tag_label",
    "tokenize",
    "write_conll",
]
