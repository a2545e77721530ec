"""Rule-based suggestions of Quote, Source and Speculation spans and Quote -> Source relations.

Text is tokenised and split into sentences by a blank English spaCy pipeline (tokenizer plus the
rule-based ``sentencizer``); cues are found by a ``Matcher`` built from the rules files (see
:mod:`annotator.suggest.rules`). Offsets are code points of the text given, half-open.

What is suggested (the README's "Suggestions" section says the same for analysts):

- Quote, direct: words between quotation marks (curly or straight; a quotation whose paragraphs
  each reopen the mark is one Quote), when a speech verb or a colon introduces them, a speaker
  follows them ('..., he said'), they continue a speaker's previous sentence, or they open a
  paragraph and run to eight words or more. Shorter marked words (scare quotes) are not Quotes.
- Quote, indirect: the clause after a speech verb ('X said (that) ...'), the clause before
  ', X said', and the sentence around 'according to X'.
- Source: the speaker of a speech verb (a name, title or description such as 'a source in
  Berlin familiar with the plans'), or what follows 'according to'. A pronoun ('he said') is a
  Source only when one named speaker precedes it nearby; its ``refers_to`` attribute names them.
- Speculation: the clause holding a hedge or prediction ('likely', 'could', 'expect', 'is
  expected to'); 'would' only outside reported speech; 'could'/'would' with a negation is none.
- ``attributed_to`` relations from each Quote to its Source.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from annotator.suggest.cues import CueMatcher
from annotator.suggest.doc_rules import MIN_QUOTE_WORDS, DocRules, SpeakerWords
from annotator.suggest.marks import PIECE_CHARS, DirectQuote, char_ranges, direct_quotes, pieces
from annotator.suggest.results import (
    QUOTE,
    SOURCE,
    SPECULATION,
    SUGGESTED_LABELS,
    Builder,
    SuggestedRelation,
    Suggestion,
    Suggestions,
)
from annotator.suggest.rules import CUE_LABELS, PatternError, RuleSet, load_rules

__all__ = [
    "QUOTE",
    "SOURCE",
    "SPECULATION",
    "SUGGESTED_LABELS",
    "SuggestedRelation",
    "Suggester",
    "Suggestion",
    "Suggestions",
]

PARAGRAPH_BREAKS = "news_annotator_paragraph_breaks"
_QUOTE_OPENERS = ('"', "“", "«")
_SENTENCE_ENDS = (".", "!", "?", "....", "...")


def _paragraph_breaks(doc: Any) -> Any:
    """A line break ends a sentence (headlines and datelines have no full stop), and an
    opening quotation mark after a full stop starts one.

    Only the few tokens that can matter (white space, opening marks) are looked at: they are
    found on the doc's arrays rather than by a Token object per token."""
    if len(doc) < 2:
        return doc
    from spacy.attrs import IS_SPACE, ORTH

    table = doc.to_array([IS_SPACE, ORTH])[:-1]
    orth = table[:, 1]
    opener = np.zeros(len(orth), dtype=bool)
    for mark in _QUOTE_OPENERS:
        opener |= orth == doc.vocab.strings[mark]
    candidates = np.flatnonzero((table[:, 0] != 0) | opener).tolist()
    for i in candidates:
        token = doc[i]
        if token.is_space:
            if "\n" in token.text:
                doc[i + 1].is_sent_start = True
        elif (
            i > 0
            and not token.whitespace_
            and doc[i - 1].whitespace_
            and doc[i - 1].text in _SENTENCE_ENDS
        ):
            # 'reciprocate. "Mr Trump': the opening mark begins the next sentence, which the
            # sentencizer would hand to the one before.
            token.is_sent_start = True
            doc[i + 1].is_sent_start = False
    return doc


def _register_component() -> None:
    from spacy.language import Language

    if not Language.has_factory(PARAGRAPH_BREAKS):
        Language.component(PARAGRAPH_BREAKS, func=_paragraph_breaks)


class Suggester:
    """Build once (it loads spaCy and compiles the rules), then call :meth:`suggest` per text or
    :meth:`suggest_many` for a stream of them."""

    def __init__(self, rules: RuleSet | None = None, *, extra_patterns: Sequence[Path] = ()):
        import spacy
        from spacy.matcher import PhraseMatcher

        self.rules = rules if rules is not None else load_rules(extra_patterns)
        _register_component()
        self.nlp = spacy.blank("en")
        self.nlp.add_pipe("sentencizer")
        self.nlp.add_pipe(PARAGRAPH_BREAKS)
        self.nlp.max_length = PIECE_CHARS + 10
        self._matcher = CueMatcher(self.nlp.vocab)
        self._phrases = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self._has_phrases = False
        for spec in self.rules.resolved_patterns():
            try:
                if isinstance(spec.pattern, str):
                    self._phrases.add(spec.label, [self.nlp.make_doc(spec.pattern)])
                    self._has_phrases = True
                else:
                    self._matcher.add(spec.label, spec.pattern)
            except (ValueError, KeyError, TypeError) as exc:
                path, _, line = spec.origin.rpartition(", line ")
                message = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
                raise PatternError(
                    Path(path), int(line), f"spaCy refuses the pattern: {message}"
                ) from None
        self._words = SpeakerWords(
            pronouns=self.rules.word_list("pronouns"),
            source_nouns=self.rules.word_list("source_nouns"),
        )

    # ------------------------------------------------------------------------------ public
    def suggest(self, text: str) -> Suggestions:
        return next(iter(self.suggest_many([text])))

    def suggest_many(self, texts: Iterable[str], batch_size: int = 64) -> Iterator[Suggestions]:
        """Suggestions for each text, in order, streamed (texts are read as they come)."""
        for text in texts:
            parts = list(pieces(text))
            if len(parts) == 1:
                yield self._suggest_doc(self.nlp(text), 0, text)
                continue
            merged = Suggestions()
            for offset, piece in parts:
                part = self._suggest_doc(self.nlp(piece), offset, piece)
                base = len(merged.spans)
                merged.spans.extend(part.spans)
                merged.relations.extend(
                    SuggestedRelation(r.head + base, r.child + base, r.type) for r in part.relations
                )
            yield merged

    # ---------------------------------------------------------------------------- the rules
    def _suggest_doc(self, doc: Any, offset: int, text: str) -> Suggestions:
        # ``text`` is the doc's text: Doc.text would join every token's text again.
        out = Builder(offset)
        if not text.strip():
            return out.result()
        cues: dict[str, list[int]] = {}
        for label, start, end in self._matcher(doc):
            if label in CUE_LABELS:
                cues.setdefault(label, []).append(start)
            else:
                out.span(doc[start].idx, doc[end - 1].idx + len(doc[end - 1]), label)
        if self._has_phrases:
            for match_id, start, end in self._phrases(doc):
                label = self.nlp.vocab.strings[match_id]
                out.span(doc[start].idx, doc[end - 1].idx + len(doc[end - 1]), label)
        say = set(cues.get("SAY", ()))
        negations = set(cues.get("NEGATION", ()))
        quotes = direct_quotes(text)
        inside_quote = char_ranges([(q.open_char, q.close_char + 1) for q in quotes])
        ctx = DocRules(doc, text, self._words, say, inside_quote)

        # Direct quotes with their speakers.
        pending: list[DirectQuote] = []
        for quote in quotes:
            words = ctx.words_in(quote.start, quote.end)
            if words < MIN_QUOTE_WORDS:
                continue
            source, accepted = ctx.direct_quote_source(quote)
            if not accepted and words >= 8 and ctx.opens_paragraph(quote.open_char):
                accepted = True
            if not accepted:
                pending.append(quote)
                continue
            q = out.span(quote.start, quote.end, QUOTE)
            if source is not None:
                s = ctx.source_span(out, source)
                if s is not None:
                    out.relate(q, s)

        # Speech verbs outside quotation marks: indirect quotes.
        for i in sorted(say):
            token = doc[i]
            if inside_quote(token.idx) or ctx.attributes_direct_quote(i):
                continue
            ctx.indirect_quote(out, i)
        for i in sorted(cues.get("ACCORDING_TO", ())):
            if not inside_quote(doc[i].idx):
                ctx.according_to(out, i)

        # A quotation opening the sentence after one with a speaker continues their words.
        for quote in pending:
            s = ctx.previous_sentence_source(out, quote.open_char)
            if s is not None:
                out.relate(out.span(quote.start, quote.end, QUOTE), s)

        # Speculation.
        reported = char_ranges([(s.start, s.end) for s in out.spans_of(QUOTE)])
        for kind in ("HEDGE", "WEAK_HEDGE"):
            for i in sorted(cues.get(kind, ())):
                token = doc[i]
                if token.lower_ in ("could", "would") and i + 1 in negations:
                    continue
                if kind == "WEAK_HEDGE" and (
                    reported(token.idx) or inside_quote(token.idx) or ctx.sentence_reports(token)
                ):
                    continue
                start, end = ctx.clause(i)
                if end > start:
                    out.span(start, end, SPECULATION)
        ctx.resolve_pronouns(out)
        return out.result()
