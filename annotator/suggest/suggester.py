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

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.model import DEFAULT_RELATION_TYPE
from annotator.suggest.rules import CUE_LABELS, PatternError, RuleSet, load_rules

QUOTE, SOURCE, SPECULATION = "Quote", "Source", "Speculation"
SUGGESTED_LABELS = (QUOTE, SOURCE, SPECULATION)
# spaCy refuses texts over nlp.max_length (a million characters); longer ones, and long ones in
# general, are read in pieces of at most this many characters cut at a line or sentence end, so
# memory stays small whatever the article.
PIECE_CHARS = 100_000

_AUX = frozenset(
    "is are was were be been being has have had will would can could should may might must do "
    "does did also repeatedly previously once later then reportedly has've 's".split()
)
_BOUNDARY_WORDS = frozenset(
    "that because while when if but so although though whereas after before as since".split()
)
_PREPOSITIONS = frozenset(
    "at in on during after before from with without by for speaking asked answering "
    "writing addressing interviewed".split()
)
_NOT_SOURCES = frozenset("it this that there these those what which who whom whose".split())
_SELF = frozenset(("i", "we"))
_CLAUSE_CONJ = frozenset("but while so who which whereas although though according".split())
_CLAUSE_AFTER_AND = frozenset("it he she they we that this there".split())
_OPENERS = "“«"
# Punctuation that ends a speaker's name or description; hyphens and full stops of initials do not.
_SOURCE_BREAKS = frozenset(',;:()[]—–"“”«»')
_CLAUSE_STARTERS = frozenset(
    "he she it they we i you there the a an this these those his her their".split()
)
_CLOSERS = "”»"
_MARKS = re.compile(r"[“”\"«»]|\n+")
_MIN_QUOTE_WORDS = 3
_MAX_SOURCE_TOKENS = 16


PARAGRAPH_BREAKS = "news_annotator_paragraph_breaks"


def _paragraph_breaks(doc: Any) -> Any:
    """A line break ends a sentence (headlines and datelines have no full stop), and an
    opening quotation mark after a full stop starts one."""
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
        elif (
            token.i > 0
            and token.text in ('"', "“", "«")
            and not token.whitespace_
            and doc[token.i - 1].whitespace_
            and doc[token.i - 1].text in (".", "!", "?", "....", "...")
        ):
            # 'reciprocate. "Mr Trump': the opening mark begins the next sentence, which the
            # sentencizer would hand to the one before.
            token.is_sent_start = True
            doc[token.i + 1].is_sent_start = False
    return doc


def _register_component() -> None:
    from spacy.language import Language

    if not Language.has_factory(PARAGRAPH_BREAKS):
        Language.component(PARAGRAPH_BREAKS, func=_paragraph_breaks)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A suggested span: [start, end) in code points, its label and attributes."""

    start: int
    end: int
    label: str
    attributes: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class SuggestedRelation:
    """``head`` and ``child`` index :attr:`Suggestions.spans`."""

    head: int
    child: int
    type: str = DEFAULT_RELATION_TYPE


@dataclass
class Suggestions:
    spans: list[Suggestion] = field(default_factory=list)
    relations: list[SuggestedRelation] = field(default_factory=list)

    def only(self, labels: Iterable[str] | None) -> Suggestions:
        """These suggestions restricted to ``labels`` (all when None); relations whose ends
        both remain are kept."""
        if labels is None:
            return self
        wanted = set(labels)
        index: dict[int, int] = {}
        spans: list[Suggestion] = []
        for i, span in enumerate(self.spans):
            if span.label in wanted:
                index[i] = len(spans)
                spans.append(span)
        relations = [
            SuggestedRelation(index[r.head], index[r.child], r.type)
            for r in self.relations
            if r.head in index and r.child in index
        ]
        return Suggestions(spans, relations)


@dataclass
class _DirectQuote:
    open_char: int  # the opening mark
    close_char: int  # the closing mark
    start: int  # content, trimmed
    end: int


class Suggester:
    """Build once (it loads spaCy and compiles the rules), then call :meth:`suggest` per text or
    :meth:`suggest_many` for a stream of them."""

    def __init__(self, rules: RuleSet | None = None, *, extra_patterns: Sequence[Path] = ()):
        import spacy
        from spacy.matcher import Matcher, PhraseMatcher

        self.rules = rules if rules is not None else load_rules(extra_patterns)
        _register_component()
        self.nlp = spacy.blank("en")
        self.nlp.add_pipe("sentencizer")
        self.nlp.add_pipe(PARAGRAPH_BREAKS)
        self.nlp.max_length = PIECE_CHARS + 10
        self._matcher = Matcher(self.nlp.vocab)
        self._phrases = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self._span_labels: set[str] = set()
        for spec in self.rules.resolved_patterns():
            try:
                if isinstance(spec.pattern, str):
                    self._phrases.add(spec.label, [self.nlp.make_doc(spec.pattern)])
                else:
                    self._matcher.add(spec.label, [spec.pattern])
            except (ValueError, KeyError, TypeError) as exc:
                path, _, line = spec.origin.rpartition(", line ")
                message = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
                raise PatternError(
                    Path(path), int(line), f"spaCy refuses the pattern: {message}"
                ) from None
            if spec.label not in CUE_LABELS:
                self._span_labels.add(spec.label)
        self._speech = self.rules.word_list("speech_verbs")
        self._source_nouns = self.rules.word_list("source_nouns")
        self._pronouns = self.rules.word_list("pronouns")

    # ------------------------------------------------------------------------------ public
    def suggest(self, text: str) -> Suggestions:
        return next(iter(self.suggest_many([text])))

    def suggest_many(self, texts: Iterable[str], batch_size: int = 64) -> Iterator[Suggestions]:
        """Suggestions for each text, in order, streamed (texts are read as they come)."""
        for text in texts:
            pieces = list(_pieces(text))
            if len(pieces) == 1:
                yield self._suggest_doc(self.nlp(text), 0, text)
                continue
            merged = Suggestions()
            for offset, piece in pieces:
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
        out = _Builder(offset)
        if not text.strip():
            return out.result()
        cues: dict[str, list[int]] = {}
        for match_id, start, end in self._matcher(doc):
            label = self.nlp.vocab.strings[match_id]
            if label in CUE_LABELS:
                cues.setdefault(label, []).append(start)
            else:
                out.span(doc[start].idx, doc[end - 1].idx + len(doc[end - 1]), label)
        for match_id, start, end in self._phrases(doc):
            label = self.nlp.vocab.strings[match_id]
            out.span(doc[start].idx, doc[end - 1].idx + len(doc[end - 1]), label)
        say = set(cues.get("SAY", ()))
        negations = set(cues.get("NEGATION", ()))
        quotes = _direct_quotes(text)
        inside_quote = _char_ranges([(q.open_char, q.close_char + 1) for q in quotes])
        ctx = _Context(doc, text, self, say, inside_quote)

        # Direct quotes with their speakers.
        pending: list[_DirectQuote] = []
        for quote in quotes:
            span = doc.char_span(quote.start, quote.end, alignment_mode="expand")
            words = sum(1 for t in span or [] if not (t.is_punct or t.is_space))
            if words < _MIN_QUOTE_WORDS:
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
        reported = _char_ranges([(s.start, s.end) for s in out.spans_of(QUOTE)])
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


def _pieces(text: str) -> Iterator[tuple[int, str]]:
    """``(offset, piece)`` of ``text``, each piece at most PIECE_CHARS long, cut after a line
    break or a sentence end where there is one."""
    if len(text) <= PIECE_CHARS:
        yield 0, text
        return
    start = 0
    while start < len(text):
        end = min(len(text), start + PIECE_CHARS)
        if end < len(text):
            window = text[start:end]
            cut = window.rfind("\n")
            if cut < PIECE_CHARS // 2:
                cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "))
                cut = cut + 1 if cut >= PIECE_CHARS // 2 else -1
            if cut < PIECE_CHARS // 2:
                cut = window.rfind(" ")
            if cut > 0:
                end = start + cut + 1
        yield start, text[start:end]
        start = end


def _char_ranges(ranges: list[tuple[int, int]]) -> Any:
    ordered = sorted(ranges)

    def inside(pos: int) -> bool:
        # Few ranges per article: a linear scan is as quick as bisecting.
        return any(start <= pos < end for start, end in ordered)

    return inside


def _direct_quotes(text: str) -> list[_DirectQuote]:
    """Quotations between paired marks, outermost only. Curly marks pair by direction, straight
    ones by what surrounds them; a quotation open at a paragraph's end goes on when the next
    paragraph reopens it with the same mark, and is dropped otherwise."""
    found: list[_DirectQuote] = []
    open_at = -1
    kind = ""
    depth = 0
    skip_until = -1
    for m in _MARKS.finditer(text):
        pos = m.start()
        if pos < skip_until:
            continue
        mark = m.group()
        if mark[0] == "\n":
            if open_at < 0:
                continue
            after = m.end()
            while after < len(text) and text[after] in " \t\u00a0":
                after += 1
            reopen = after < len(text) and (
                (kind == "curly" and text[after] in _OPENERS)
                or (kind == "straight" and text[after] == '"')
            )
            if reopen:
                skip_until = after + 1
            else:
                open_at, depth = -1, 0
            continue
        if mark == '"':
            mark_kind = "straight"
            before = text[pos - 1] if pos > 0 else " "
            following = text[pos + 1] if pos + 1 < len(text) else " "
            opening = (before.isspace() or before in "([{—–-/:") and not following.isspace()
        else:
            mark_kind = "curly"
            opening = mark in _OPENERS
        if open_at < 0:
            if opening:
                open_at, kind, depth = pos, mark_kind, 0
            continue
        if mark_kind != kind:
            continue  # a quotation inside the quotation
        if opening and (mark_kind == "curly" or not _closes_here(text, pos)):
            depth += 1
            continue
        if depth:
            depth -= 1
            continue
        start, end = open_at + 1, pos
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            found.append(_DirectQuote(open_at, pos, start, end))
        open_at = -1
    return found


def _closes_here(text: str, pos: int) -> bool:
    following = text[pos + 1] if pos + 1 < len(text) else " "
    return following.isspace() or following in ".,;:!?)]—–"


class _Builder:
    """Collects suggestions of one piece, dropping repeats, in the piece's offsets + offset."""

    def __init__(self, offset: int) -> None:
        self.offset = offset
        self.spans: list[Suggestion] = []
        self._index: dict[tuple[int, int, str], int] = {}
        self.relations: list[SuggestedRelation] = []
        self.dropped: set[int] = set()

    def drop(self, index: int) -> None:
        self.dropped.add(index)

    def span(
        self, start: int, end: int, label: str, attributes: dict[str, str] | None = None
    ) -> int:
        key = (start, end, label)
        if key in self._index:
            return self._index[key]
        self._index[key] = len(self.spans)
        self.spans.append(Suggestion(start, end, label, attributes or {}))
        return self._index[key]

    def spans_of(self, label: str) -> list[Suggestion]:
        return [s for s in self.spans if s.label == label]

    def relate(self, head: int, child: int) -> None:
        relation = SuggestedRelation(head, child)
        if relation not in self.relations and head != child:
            self.relations.append(relation)

    def result(self) -> Suggestions:
        # A Quote inside a longer Quote (a scare quote within reported words) is dropped.
        quotes = [(s.start, s.end) for s in self.spans if s.label == QUOTE]
        keep = [
            i not in self.dropped
            and not (
                s.label == QUOTE
                and any(
                    a <= s.start and s.end <= b and (a, b) != (s.start, s.end) for a, b in quotes
                )
            )
            for i, s in enumerate(self.spans)
        ]
        index: dict[int, int] = {}
        spans: list[Suggestion] = []
        for i, span in enumerate(self.spans):
            if keep[i]:
                index[i] = len(spans)
                spans.append(
                    Suggestion(
                        span.start + self.offset,
                        span.end + self.offset,
                        span.label,
                        span.attributes,
                    )
                )
        relations = [
            SuggestedRelation(index[r.head], index[r.child], r.type)
            for r in self.relations
            if r.head in index and r.child in index
        ]
        return Suggestions(spans, relations)


class _Context:
    """What the rules of one document share: the doc, the cues, the speakers met so far."""

    def __init__(
        self, doc: Any, text: str, suggester: Suggester, say: set[int], inside_quote: Any
    ) -> None:
        self.doc = doc
        self.text = text
        self.s = suggester
        self.say = say
        self.inside_quote = inside_quote
        self.speakers: list[tuple[int, str, str]] = []  # (char, last word, words) of names
        self._pronoun_sources: list[int] = []
        self._direct_verbs: set[int] = set()
        # One array read, not a Token object per token.
        self._token_starts = doc.to_array("IDX").tolist() if len(doc) else []

    # -------------------------------------------------------------------------- tokens
    def token_at(self, char: int) -> Any:
        import bisect

        i = bisect.bisect_right(self._token_starts, char) - 1
        return self.doc[i] if 0 <= i < len(self.doc) else None

    def sentence_start_char(self, token: Any) -> int:
        return int(token.sent.start_char)

    def follows_paragraph_break(self, char: int) -> bool:
        before = self.text[:char].rstrip(" \t\u00a0")
        return not before or before.endswith("\n")

    def opens_paragraph(self, char: int) -> bool:
        return self.follows_paragraph_break(char)

    def sentence_reports(self, token: Any) -> bool:
        sent = token.sent
        return (
            any(sent.start <= i < sent.end for i in self.say) or "according to" in sent.text.lower()
        )

    def attributes_direct_quote(self, i: int) -> bool:
        return i in self._direct_verbs

    # -------------------------------------------------------------------------- sources
    def _is_speech(self, token: Any) -> bool:
        return token.i in self.say

    def left_source(self, v: int) -> tuple[int, int] | None | str:
        """The token range [a, b) of the speaker before speech verb ``v``; "coordinated" when the
        verb has no subject of its own ('..., but added'); None when there is no good one."""
        doc = self.doc
        sent_start = doc[v].sent.start
        b = v
        while b > sent_start and (doc[b - 1].lower_ in _AUX or doc[b - 1].lower_.endswith("ly")):
            b -= 1
        a = self._chunk_start(b, sent_start)
        if a == b and a > sent_start and doc[a - 1].lower_ in ("but", "and"):
            return "coordinated"
        if a == b and a - 1 > sent_start and doc[a - 1].text == ",":
            # "Putin, at a news conference in December, said"
            c = self._chunk_start(b - 1, sent_start)
            if c < b - 1 and doc[c].lower_ in _PREPOSITIONS and c - 1 > sent_start:
                if doc[c - 1].text == ",":
                    b = c - 1
                    a = self._chunk_start(b, sent_start)
        if (
            a < b
            and doc[a].lower_ in _PREPOSITIONS
            and a - 1 > sent_start
            and doc[a - 1].text == ","
        ):
            # The speaker comes before the aside about where or when they spoke.
            b = a - 1
            a = self._chunk_start(b, sent_start)
        if a == b:
            return None
        return (a, b) if self._good_source(a, b) else None

    def _chunk_start(self, b: int, sent_start: int) -> int:
        """The first token of the words before ``b`` up to a comma, dash, quotation mark or
        conjunction (and before 'and he')."""
        doc = self.doc
        a = b
        while a > sent_start:
            t = doc[a - 1]
            if t.text in _SOURCE_BREAKS or t.is_space or t.lower_ in _BOUNDARY_WORDS or t.is_quote:
                break
            if t.lower_ == "and" and a < b and doc[a].lower_ in self.s._pronouns:
                break
            a -= 1
        return a

    def _good_source(self, a: int, b: int) -> bool:
        doc = self.doc
        if b - a > _MAX_SOURCE_TOKENS or b <= a:
            return False
        words = [doc[i] for i in range(a, b)]
        if words[0].lower_ in _NOT_SOURCES:
            return False
        if any(t.lower_ in _AUX or t.i in self.say or t.is_quote for t in words):
            return False
        if b - a == 1 and words[0].lower_ in self.s._pronouns | _SELF:
            return True
        named = any(t.text[:1].isupper() and t.is_alpha for t in words[1:]) or (
            words[0].text[:1].isupper() and not words[0].is_sent_start and words[0].is_alpha
        )
        described = any(t.lower_ in self.s._source_nouns for t in words)
        if words[0].is_sent_start and words[0].text[:1].isupper() and len(words) <= 3:
            named = named or words[0].is_alpha
        return named or described

    def source_span(self, out: _Builder, source: tuple[int, int]) -> int | None:
        """Add the Source for token range ``source`` and return its index. A pronoun is only
        held back here: :meth:`resolve_pronouns` keeps it once every named speaker is known."""
        a, b = source
        doc = self.doc
        start, end = doc[a].idx, _end_char(doc, b)
        index = out.span(start, end, SOURCE)
        if b - a == 1 and doc[a].lower_ in self.s._pronouns:
            self._pronoun_sources.append(index)
        elif doc[a].lower_ not in _SELF:
            self.speakers.append((start, doc[b - 1].text, self.text[start:end]))
        return index

    def previous_sentence_source(self, out: _Builder, char: int) -> int | None:
        """The last Source suggested in the sentence before the one starting at ``char``."""
        first = self.token_at(char)
        if first is None or not first.is_sent_start:
            return None
        k = first.i - 1
        while k >= 0 and self.doc[k].is_space:
            k -= 1
        if k < 0:
            return None
        prev = self.doc[k].sent
        found = [
            i
            for i, s in enumerate(out.spans)
            if s.label == SOURCE and prev.start_char <= s.start < prev.end_char
        ]
        return found[-1] if found else None

    def _speakers_before(self, char: int) -> list[tuple[int, str, str]]:
        """The named speakers before ``char`` in its paragraph, or else in the paragraph before."""
        para_start = self.text.rfind("\n", 0, char) + 1
        here = sorted(s for s in self.speakers if para_start <= s[0] < char)
        if here:
            return here
        prev_end = self.text[:para_start].rstrip()
        prev_start = self.text.rfind("\n", 0, len(prev_end)) + 1 if prev_end else 0
        return sorted(s for s in self.speakers if prev_start <= s[0] < para_start)

    def resolve_pronouns(self, out: _Builder) -> None:
        """Keep a pronoun Source when the named speakers shortly before it are one person (by
        last word: 'presidential spokesman Dmitry Peskov' and 'Peskov' are one); drop it
        otherwise, with its relations."""
        for index in self._pronoun_sources:
            start = out.spans[index].start
            near = self._speakers_before(start)
            if len({last for _, last, _ in near}) != 1:
                out.drop(index)
                continue
            span = out.spans[index]
            out.spans[index] = Suggestion(
                span.start, span.end, span.label, {"refers_to": near[-1][2]}
            )

    def direct_quote_source(self, quote: _DirectQuote) -> tuple[tuple[int, int] | None, bool]:
        """(speaker token range or None, whether the quotation is a Quote at all)."""
        doc = self.doc
        opener = self.token_at(quote.open_char)
        closer = self.token_at(quote.close_char)
        if opener is None or closer is None:
            return None, False
        # Before: 'X said: "..."', 'X said, "..."', 'Headline: "..."'.
        i = opener.i - 1
        if i >= 0 and doc[i].text in (":", ","):
            j = i - 1
            if j >= 0 and self._is_speech(doc[j]):
                self._direct_verbs.add(j)
                src = self.left_source(j)
                if src == "coordinated":
                    return self._sentence_source(j), True
                return (src if isinstance(src, tuple) else None), True
            if doc[i].text == ":":
                return None, True
        elif i >= 0 and self._is_speech(doc[i]):
            self._direct_verbs.add(i)
            src = self.left_source(i)
            return (src if isinstance(src, tuple) else None), True
        # After: '"...," he said', '"...," said Peskov', '"...," Trump told reporters'.
        k = closer.i + 1
        while k < len(doc) and doc[k].text == ",":
            k += 1
        if k >= len(doc) or doc[k].is_sent_start and k > closer.i + 1:
            return None, False
        sent_end = doc[k].sent.end
        if self._is_speech(doc[k]):
            self._direct_verbs.add(k)
            a = k + 1
            b = a
            while b < sent_end and not _ends_source(doc[b]) and b - a < _MAX_SOURCE_TOKENS:
                b += 1
            if b > a and self._good_source(a, b):
                return (a, b), True
            return None, True
        b = k
        while b < min(sent_end, k + 8) and not self._is_speech(doc[b]) and not _ends_source(doc[b]):
            b += 1
        if b < sent_end and self._is_speech(doc[b]) and b > k:
            self._direct_verbs.add(b)
            if self._good_source(k, b):
                return (k, b), True
            return None, True
        return None, False

    def _sentence_source(self, v: int) -> tuple[int, int] | None:
        """The speaker of an earlier speech verb of ``v``'s sentence."""
        sent = self.doc[v].sent
        for i in sorted(self.say, reverse=True):
            if sent.start <= i < v:
                src = self.left_source(i)
                if isinstance(src, tuple):
                    return src
        return None

    # ------------------------------------------------------------------- indirect quotes
    def indirect_quote(self, out: _Builder, v: int) -> None:
        doc = self.doc
        sent = doc[v].sent
        src = self.left_source(v)
        if src == "coordinated":
            src = self._sentence_source(v)
        if not isinstance(src, tuple):
            return
        start_tok = self._clause_after(v, sent.end)
        if start_tok is not None:
            end_tok = self._indirect_end(start_tok, sent.end)
            if end_tok - start_tok >= 3:
                q = out.span(doc[start_tok].idx, _end_char(doc, end_tok), QUOTE)
                s = self.source_span(out, src)
                if s is not None:
                    out.relate(q, s)
            return
        # "CLAUSE, the Kremlin said."
        a = src[0]
        if a - 1 > sent.start and doc[a - 1].text == "," and not doc[a - 2].is_quote:
            first = sent.start
            while first < a - 1 and (doc[first].is_punct or doc[first].is_space):
                first += 1
            if a - 1 - first >= 4 and not any(doc[t].is_quote for t in range(first, a - 1)):
                q = out.span(doc[first].idx, _end_char(doc, a - 1), QUOTE)
                s = self.source_span(out, src)
                if s is not None:
                    out.relate(q, s)

    def _clause_after(self, v: int, sent_end: int) -> int | None:
        """Where the reported clause after speech verb ``v`` starts, or None."""
        doc = self.doc
        if v + 1 < sent_end and doc[v + 1].lower_ in _CLAUSE_STARTERS:
            if doc[v].lower_ not in ("told", "tells", "asked"):
                return v + 1
        for k in range(v + 1, min(sent_end, v + 7)):
            if doc[k].lower_ == "that":
                j = k + 1
                while j < sent_end and doc[j].text == ",":
                    j += 1
                return j if j < sent_end else None
            if doc[k].is_punct and doc[k].text != ",":
                break
        if doc[v].lower_ in ("told", "tells", "asked"):
            return None  # "told reporters" names who heard it: the clause needs "that"
        j = v + 1
        if j >= sent_end or doc[j].is_punct or doc[j].is_quote or doc[j].lower_ in _PREPOSITIONS:
            return None
        return j

    def _indirect_end(self, start: int, sent_end: int) -> int:
        doc = self.doc
        end = start
        while end < sent_end:
            t = doc[end]
            if (
                t.text in (";", ":", "—", "–")
                or t.is_quote
                and t.idx > doc[start].idx
                and t.text in _OPENERS
            ):
                break
            if t.text == "," and end + 1 < sent_end and doc[end + 1].lower_ in _CLAUSE_CONJ:
                break
            end += 1
        while end > start and doc[end - 1].is_punct and not doc[end - 1].is_quote:
            end -= 1
        return end

    def according_to(self, out: _Builder, i: int) -> None:
        doc = self.doc
        sent = doc[i].sent
        a = i + 2
        b = a
        while b < sent.end and not _ends_source(doc[b]) and b - a < 10:
            b += 1
        if b == a or not self._good_source(a, b):
            return
        s = self.source_span(out, (a, b))
        first = sent.start
        while first < i and (doc[first].is_punct or doc[first].is_space):
            first += 1
        if b >= sent.end - 1 or doc[b].text in (".", "!", "?"):
            end = i
            while end > first and doc[end - 1].is_punct:
                end -= 1
            start = first
        elif i == first and doc[b].text == ",":
            start = b + 1
            end = sent.end
            while end > start and doc[end - 1].is_punct:
                end -= 1
        else:
            return
        if end - start >= 4 and not any(doc[t].is_quote for t in range(start, end)):
            q = out.span(doc[start].idx, _end_char(doc, end), QUOTE)
            if s is not None:
                out.relate(q, s)

    # ---------------------------------------------------------------------- speculation
    def clause(self, i: int) -> tuple[int, int]:
        """The characters of the clause holding token ``i``."""
        doc = self.doc
        sent = doc[i].sent
        a = i
        while a > sent.start and not self._clause_break_before(a):
            a -= 1
        b = i + 1
        while b < sent.end and not self._clause_break_before(b):
            b += 1
        # "If X can ..., it could ...": the condition belongs to the guess.
        if a > sent.start and doc[a - 1].text == ",":
            c = a - 1
            while c > sent.start and not self._clause_break_before(c):
                c -= 1
            if doc[c].lower_ in ("if", "unless"):
                a = c
        while a < b and (
            doc[a].is_punct or doc[a].is_space or doc[a].lower_ in ("and", "so", "but")
        ):
            a += 1
        while b > a and (doc[b - 1].is_punct or doc[b - 1].is_space) and not doc[b - 1].is_quote:
            b -= 1
        if b <= a:
            return 0, 0
        return doc[a].idx, _end_char(doc, b)

    def _clause_break_before(self, k: int) -> bool:
        doc = self.doc
        t = doc[k]
        if t.text in (";", ":", "—", "–") or t.text in _OPENERS or t.text in _CLOSERS:
            return True
        prev = doc[k - 1]
        if prev.text in (";", ":", "—", "–") or prev.text in _OPENERS or prev.text in _CLOSERS:
            return True
        if t.text == "," and k + 1 < len(doc) and doc[k + 1].lower_ in _CLAUSE_CONJ:
            return True
        if t.lower_ == "according" or t.lower_ in ("so", "but") and prev.text == ",":
            return True
        if prev.lower_ == "and" and t.lower_ in _CLAUSE_AFTER_AND:
            return True
        if t.text == "," and k + 1 < len(doc) and doc[k + 1].lower_ in ("who", "which"):
            return True
        if t.text == ",":
            # "..., the Kremlin said": the speaker and verb close the clause.
            end = min(t.sent.end, k + 2 + _MAX_SOURCE_TOKENS)
            for j in range(k + 1, end):
                if doc[j].text == "," or doc[j].is_quote:
                    break
                if j in self.say:
                    return True
        return False


def _ends_source(token: Any) -> bool:
    return bool(token.text in _SOURCE_BREAKS or token.text in (".", "!", "?") or token.is_space)


def _end_char(doc: Any, end_token: int) -> int:
    last = doc[end_token - 1]
    return int(last.idx + len(last))
