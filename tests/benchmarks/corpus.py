"""Realistic benchmark corpora: news-like articles in paragraphs, with spans, overlaps and links.

Texts mix plain English with accents, typographic quotes, emoji (some outside the BMP, a flag,
a skin tone), a line of Arabic now and then, and CRLF line ends in a share of the articles; the
JSONL files themselves end some lines with CRLF. Spans use every default label plus one the
project does not have yet (``Opinion``, created by the import), nest (a Source inside a Claim)
and cross (a Speculation starting inside a Quote), and come from two annotators; quotes are
linked to their sources. Offsets are code points of the text as written in the file, CRs
included, so the importer has to remap them.

Everything is seeded: the same arguments always give the same bytes.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LABELS = ("Quote", "Source", "Claim", "Speculation", "Opinion")
COLLEAGUE = "colleague"

NAMES = (
    "Vladimir Putin",
    "Donald Trump",
    "Dmitry Peskov",
    "Angela Merkel",
    "the Kremlin",
    "White House officials",
    "a senior diplomat",
    "Bloomberg",
    "Reuters",
    "the ministry",
    "Ursula von der Leyen",
    "Emmanuel Macron",
    "Olaf Scholz",
    "the 🇺🇸 embassy",
    "Zoë Ñúñez",
    "the central bank",
    "police",
    "a spokesperson 📰",
    "Sergei Lavrov",
    "the mayor of Kraków",
)
VERBS = (
    "said",
    "told reporters",
    "wrote on Twitter",
    "claimed",
    "denied",
    "warned",
    "confirmed",
    "suggested",
    "insisted",
    "added",
    "told Reuters",
    "said in a statement",
)
CLAUSES = (
    "the talks would cover sanctions, Ukraine and the fight against terrorism",
    "relations between Moscow and Washington had reached their lowest point since the Cold War",
    "a meeting in Reykjavík could follow as early as next month",
    "the economy grew by 2.3% in the third quarter, beating expectations",
    "nobody should expect a breakthrough 👍🏽 after one phone call",
    "the delegation would arrive on Saturday morning",
    "the decision was \u201centirely political\u201d and would be challenged in court",
    "prices of oil and gas rose sharply after the announcement",
    "café owners in the capital reported fewer tourists than last year",
    "the résumé of the new envoy was published on the ministry\u2019s website",
    "inflation would ease to 4% by the end of the year",
    "more than 12,000 people had signed the petition 🔥 within a day",
    "the bridge would reopen to traffic before the winter",
    "the company had cut 1,200 jobs in Europe since January",
)
SPECULATIONS = (
    "Expect many tweets to follow both phone calls",
    "Markets may well react before the summit even begins",
    "A compromise could emerge within weeks",
    "The vote is likely to be delayed again",
    "Further sanctions might follow if the talks fail",
)
OPINIONS = (
    "This was a missed opportunity",
    "Frankly, the plan makes little sense",
    "The government deserves credit for acting quickly",
)
FILLER = (
    "The meeting lasted about two hours.",
    "Officials did not give further details.",
    "Talks are due to resume on Tuesday in Geneva.",
    "The statement was published late on Friday.",
    "Both sides described the atmosphere as constructive.",
    "Protesters gathered outside the building in the rain ☔.",
    "قال المتحدث إن الاتصال سيتم يوم السبت.",
    "Analysts at three banks revised their forecasts.",
)
SECTIONS = ("politics", "economy", "world", "europe", "business", "culture")
OUTLETS = ("Reuters", "AFP", "Bloomberg", "AP", "BBC", "Le Monde", "Der Spiegel", "El País")


@dataclass
class Draft:
    """An article being generated: its text so far (as written, CRs included) and spans."""

    parts: list[str] = field(default_factory=list)
    length: int = 0
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # candidates
    links: list[tuple[int, int]] = field(default_factory=list)  # (quote, source) candidate idx

    def add(self, text: str) -> int:
        at = self.length
        self.parts.append(text)
        self.length += len(text)
        return at

    def span(self, start: int, end: int, label: str) -> int:
        self.spans.append((start, end, label))
        return len(self.spans) - 1

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _sentence(draft: Draft, rng: random.Random) -> None:
    """Append one sentence and its candidate spans (relative to the whole text)."""
    roll = rng.random()
    name, verb = rng.choice(NAMES), rng.choice(VERBS)
    clause = rng.choice(CLAUSES)
    if roll < 0.35:
        # “Quote,” Source said.  -> Quote, Source, Quote->Source link; sometimes a Speculation
        # that starts inside the quote and runs past it (a crossing overlap).
        quote = clause[0].upper() + clause[1:]
        at = draft.add("\u201c")
        q = draft.span(at + 1, at + 1 + len(quote), "Quote")
        draft.add(quote + ",\u201d ")
        s_at = draft.add(name)
        s = draft.span(s_at, s_at + len(name), "Source")
        draft.links.append((q, s))
        draft.add(f" {verb}.")
        space = quote.find(" ", len(quote) // 2)
        if space > 0 and rng.random() < 0.15:
            draft.span(at + 1 + space + 1, s_at + len(name), "Speculation")
    elif roll < 0.65:
        # Source said that claim.  -> a Claim over the whole sentence with the Source nested.
        start = draft.add("")
        head = name[0].upper() + name[1:]
        draft.add(head)
        s = draft.span(start, start + len(head), "Source")
        draft.add(f" {verb} that ")
        c_at = draft.add(clause)
        draft.span(c_at, c_at + len(clause), "Claim")
        draft.add(".")
        if rng.random() < 0.3:
            draft.span(start, c_at + len(clause), "Claim")  # nesting the Source and the Claim
        del s
    elif roll < 0.78:
        text = rng.choice(SPECULATIONS)
        at = draft.add(text)
        draft.span(at, at + len(text), "Speculation")
        draft.add(".")
    elif roll < 0.84:
        text = rng.choice(OPINIONS)
        at = draft.add(text)
        draft.span(at, at + len(text), "Opinion")
        draft.add(".")
    else:
        draft.add(rng.choice(FILLER))


def make_article(
    rng: random.Random, size: int, *, crlf: bool, title: str | None = None
) -> tuple[str, list[tuple[int, int, str]], list[tuple[int, int]]]:
    """A text of about ``size`` characters in paragraphs, its candidate spans and links.

    With ``crlf`` paragraphs are separated by CRLF CRLF (and now and then a lone CRLF inside a
    paragraph), as in files saved on Windows.
    """
    draft = Draft()
    if title is not None:
        draft.add(title)
        draft.add("\r\n\r\n" if crlf else "\n\n")
    while draft.length < size:
        for i in range(rng.randint(2, 5)):
            if i:
                draft.add("\r\n" if crlf and rng.random() < 0.05 else " ")
            _sentence(draft, rng)
        draft.add("\r\n\r\n" if crlf else "\n\n")
    text = draft.text.rstrip("\r\n")
    spans = [(s, e, lb) for s, e, lb in draft.spans if e <= len(text)]
    return text, spans, [(q, s) for q, s in draft.links if q < len(spans) and s < len(spans)]


def article_record(
    rng: random.Random,
    number: int,
    size: int,
    span_count: int,
    *,
    crlf: bool | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    """One native JSONL object: about ``size`` characters and exactly ``span_count`` spans
    (fewer only if the text offers too few candidates)."""
    crlf = rng.random() < 0.3 if crlf is None else crlf
    title = f"{rng.choice(NAMES)} {rng.choice(VERBS)} talks would continue ({number})"
    title = title[0].upper() + title[1:]
    text, candidates, links = make_article(rng, size, crlf=crlf, title=title)
    # A quote is taken with its source (and their link) as one unit, as an analyst tags them.
    paired = {i for link in links for i in link}
    units: list[tuple[int, ...]] = [link for link in links]
    units += [(i,) for i in range(len(candidates)) if i not in paired]
    rng.shuffle(units)
    picked: list[int] = []
    for unit in units:
        if len(picked) + len(unit) <= span_count:
            picked.extend(unit)
        if len(picked) >= span_count:
            break
    chosen = sorted(picked)
    index = {c: i for i, c in enumerate(chosen)}
    spans = []
    for c in chosen:
        start, end, label = candidates[c]
        span: dict[str, Any] = {"start": start, "end": end, "label": label, "text": text[start:end]}
        roll = rng.random()
        if roll < 0.12:
            span["annotator"] = COLLEAGUE
        if roll > 0.93:
            span["note"] = "check the original 🇺🇸 transcript"
        if 0.5 < roll < 0.55:
            span["attributes"] = {"confidence": "high", "verified": True}
        spans.append(span)
    relations = [
        {"head": index[q], "child": index[s], "label": "attributed_to"}
        for q, s in links
        if q in index and s in index
    ]
    record: dict[str, Any] = {
        "text": text,
        "title": title,
        "source": rng.choice(OUTLETS),
        "author": rng.choice(("", "Anna Kowalska", "Jean Dupont", "María García")),
        "url": f"https://news.example.org/{rng.choice(SECTIONS)}/{number}",
        "published": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "meta": {"section": rng.choice(SECTIONS), "lang": "en", "words": len(text.split())},
        "spans": spans,
        "relations": relations,
    }
    if status is not None:
        record["status"] = status
    return record


@dataclass(frozen=True)
class CorpusSpec:
    """What a JSONL corpus holds."""

    articles: int
    size: int  # typical characters per article (each varies by +-40%)
    spans: int  # spans per typical article
    seed: int = 1
    rich_every: int = 0  # of each ``rich_every`` articles, the first ``rich_block`` are rich:
    rich_block: int = 10  # ``rich_spans`` spans on ``rich_size`` characters (0: none)
    rich_spans: int = 50
    rich_size: int = 5000  # characters of those articles (a typical article a reader opens)
    no_spans_share: float = 0.0  # share of articles left without spans (status "new")
    done_share: float = 0.0  # share marked "done" in the file


def records(spec: CorpusSpec) -> Iterator[dict[str, Any]]:
    rng = random.Random(spec.seed)
    for n in range(spec.articles):
        size = int(spec.size * rng.uniform(0.6, 1.4))
        spans = spec.spans
        if spec.rich_every and n % spec.rich_every < spec.rich_block:
            spans = spec.rich_spans
            size = int(spec.rich_size * rng.uniform(0.95, 1.05))
        status = None
        roll = rng.random()
        if roll < spec.no_spans_share:
            spans = 0
        elif roll > 1 - spec.done_share:
            status = "done"
        yield article_record(rng, n, size, spans, status=status)


def write_jsonl(path: Path, spec: CorpusSpec) -> dict[str, int]:
    """Write the corpus; 10% of lines end in CRLF. Returns counts."""
    rng = random.Random(spec.seed + 1000)
    counts = {"articles": 0, "spans": 0, "relations": 0, "crlf_texts": 0}
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        for record in records(spec):
            fh.write(json.dumps(record, ensure_ascii=False))
            fh.write("\r\n" if rng.random() < 0.1 else "\n")
            counts["articles"] += 1
            counts["spans"] += len(record["spans"])
            counts["relations"] += len(record["relations"])
            counts["crlf_texts"] += "\r\n" in record["text"]
    tmp.replace(path)
    return counts


def big_article_record(size: int, spans: int, seed: int = 99) -> dict[str, Any]:
    """One long article (``size`` characters, paragraphs, CRLF) with ``spans`` spans, a few
    reaching across paragraphs."""
    rng = random.Random(seed)
    record = article_record(rng, 999_999, size, spans, crlf=True)
    text = record["text"]
    # A few long spans across paragraph breaks, as a reader sometimes marks a whole passage.
    extra = []
    for _ in range(max(1, spans // 300)):
        start = rng.randrange(0, len(text) - 2000)
        while text[start] in " \r\n":
            start += 1
        end = start + rng.randint(400, 1200)
        while end > start + 1 and text[end - 1] in " \r\n":
            end -= 1
        extra.append({"start": start, "end": end, "label": "Claim", "text": text[start:end]})
    record["spans"] = record["spans"][: spans - len(extra)] + extra
    record["relations"] = [
        r
        for r in record["relations"]
        if r["head"] < len(record["spans"]) - len(extra)
        and r["child"] < len(record["spans"]) - len(extra)
    ]
    record["title"] = "A very long article"
    return record
