"""The rules over one tokenised piece of text: speakers of speech verbs, reported clauses, 'according
to', the clause of a hedge, and pronoun speakers resolved to the named speaker before them."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from annotator.suggest.marks import CLOSERS, OPENERS, DirectQuote
from annotator.suggest.results import QUOTE, SOURCE, Builder, Suggestion

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
# Punctuation that ends a speaker's name or description; hyphens and full stops of initials do not.
_SOURCE_BREAKS = frozenset(',;:()[]—–"“”«»')
_CLAUSE_STARTERS = frozenset(
    "he she it they we i you there the a an this these those his her their".split()
)
MIN_QUOTE_WORDS = 3
_MAX_SOURCE_TOKENS = 16


@dataclass(frozen=True)
class SpeakerWords:
    """The word lists the speaker rules read (lower case)."""

    pronouns: frozenset[str]
    source_nouns: frozenset[str]


class DocRules:
    """What the rules of one document share: the doc, the cues, the speakers met so far."""

    def __init__(
        self,
        doc: Any,
        text: str,
        words: SpeakerWords,
        say: set[int],
        inside_quote: Callable[[int], bool],
    ) -> None:
        self.doc = doc
        self.text = text
        self._pronouns = words.pronouns
        self._source_nouns = words.source_nouns
        self.say = say
        self.inside_quote = inside_quote
        self.speakers: list[tuple[int, str, str]] = []  # (char, last word, words) of names
        self._pronoun_sources: list[int] = []
        self._direct_verbs: set[int] = set()
        # One array read, not a Token object per token.
        self._token_starts = doc.to_array("IDX").tolist() if len(doc) else []
        self._words_before: list[int] | None = None

    def words_in(self, start: int, end: int) -> int:
        """How many tokens that are neither punctuation nor space the characters [start, end)
        touch."""
        span = self.doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            return 0
        if self._words_before is None:
            from spacy.attrs import IS_PUNCT, IS_SPACE

            flags = self.doc.to_array([IS_PUNCT, IS_SPACE])
            words = (flags[:, 0] == 0) & (flags[:, 1] == 0)
            self._words_before = [0, *np.cumsum(words).tolist()]
        return int(self._words_before[span.end] - self._words_before[span.start])

    # -------------------------------------------------------------------------- tokens
    def token_at(self, char: int) -> Any:
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
            if t.lower_ == "and" and a < b and doc[a].lower_ in self._pronouns:
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
        if b - a == 1 and words[0].lower_ in self._pronouns | _SELF:
            return True
        named = any(t.text[:1].isupper() and t.is_alpha for t in words[1:]) or (
            words[0].text[:1].isupper() and not words[0].is_sent_start and words[0].is_alpha
        )
        described = any(t.lower_ in self._source_nouns for t in words)
        if words[0].is_sent_start and words[0].text[:1].isupper() and len(words) <= 3:
            named = named or words[0].is_alpha
        return named or described

    def source_span(self, out: Builder, source: tuple[int, int]) -> int | None:
        """Add the Source for token range ``source`` and return its index. A pronoun is only
        held back here: :meth:`resolve_pronouns` keeps it once every named speaker is known."""
        a, b = source
        doc = self.doc
        start, end = doc[a].idx, _end_char(doc, b)
        index = out.span(start, end, SOURCE)
        if b - a == 1 and doc[a].lower_ in self._pronouns:
            self._pronoun_sources.append(index)
        elif doc[a].lower_ not in _SELF:
            self.speakers.append((start, doc[b - 1].text, self.text[start:end]))
        return index

    def previous_sentence_source(self, out: Builder, char: int) -> int | None:
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

    def resolve_pronouns(self, out: Builder) -> None:
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

    def direct_quote_source(self, quote: DirectQuote) -> tuple[tuple[int, int] | None, bool]:
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
    def indirect_quote(self, out: Builder, v: int) -> None:
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
                and t.text in OPENERS
            ):
                break
            if t.text == "," and end + 1 < sent_end and doc[end + 1].lower_ in _CLAUSE_CONJ:
                break
            end += 1
        while end > start and doc[end - 1].is_punct and not doc[end - 1].is_quote:
            end -= 1
        return end

    def according_to(self, out: Builder, i: int) -> None:
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
        start, end = sent.start, sent.end
        # The sentence's tokens (and the one after it) read once, not a Token per test.
        words = _Words(doc, start, min(len(doc), end + 1))
        a = i
        while a > start and not self._clause_break_before(a, end, words):
            a -= 1
        b = i + 1
        while b < end and not self._clause_break_before(b, end, words):
            b += 1
        # "If X can ..., it could ...": the condition belongs to the guess.
        if a > start and words.text(a - 1) == ",":
            c = a - 1
            while c > start and not self._clause_break_before(c, end, words):
                c -= 1
            if words.lower(c) in ("if", "unless"):
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

    def _clause_break_before(self, k: int, sent_end: int, words: _Words) -> bool:
        """Whether a clause starts at token ``k``, which lies inside the sentence ending at
        ``sent_end``."""
        text, lower = words.text(k), words.lower(k)
        if text in (";", ":", "—", "–") or text in OPENERS or text in CLOSERS:
            return True
        prev, prev_lower = words.text(k - 1), words.lower(k - 1)
        if prev in (";", ":", "—", "–") or prev in OPENERS or prev in CLOSERS:
            return True
        has_next = k + 1 < len(self.doc)
        if text == "," and has_next and words.lower(k + 1) in _CLAUSE_CONJ:
            return True
        if lower == "according" or lower in ("so", "but") and prev == ",":
            return True
        if prev_lower == "and" and lower in _CLAUSE_AFTER_AND:
            return True
        if text == "," and has_next and words.lower(k + 1) in ("who", "which"):
            return True
        if text == ",":
            # "..., the Kremlin said": the speaker and verb close the clause.
            end = min(sent_end, k + 2 + _MAX_SOURCE_TOKENS)
            for j in range(k + 1, end):
                if words.text(j) == "," or words.is_quote(j):
                    break
                if j in self.say:
                    return True
        return False


class _Words:
    """Text, lower-case form and quote flag of the tokens [start, stop) of a doc, read once."""

    def __init__(self, doc: Any, start: int, stop: int) -> None:
        self.start = start
        self._text: list[str] = []
        self._lower: list[str] = []
        self._quote: list[bool] = []
        for t in doc[start:stop]:
            self._text.append(t.text)
            self._lower.append(t.lower_)
            self._quote.append(t.is_quote)

    def text(self, i: int) -> str:
        return self._text[i - self.start]

    def lower(self, i: int) -> str:
        return self._lower[i - self.start]

    def is_quote(self, i: int) -> bool:
        return self._quote[i - self.start]


def _ends_source(token: Any) -> bool:
    return bool(token.text in _SOURCE_BREAKS or token.text in (".", "!", "?") or token.is_space)


def _end_char(doc: Any, end_token: int) -> int:
    last = doc[end_token - 1]
    return int(last.idx + len(last))
