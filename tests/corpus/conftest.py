"""A small corpus with quotes, sources, claims and awkward text, stored in a real project."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from annotator.core.model import DEFAULT_RELATION_TYPE, ArticleDraft
from annotator.store import Project

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "samples" / "putin-trump-call.txt"

# Emoji (astral), a combining accent, NBSP, CRLF-born LF, right-to-left text.
AWKWARD = (
    "😀 Café\u0301 sanctions\u00a0hit 🇺🇦 exporters.\n"
    "«مصدر مطلع» said sanctions would stay; SANCTIONS-related talks resume.\n"
    'Officials said: "The sanctions regime is here to stay."'
)


@dataclass
class Corpus:
    path: Path
    seed: int
    awkward: int
    plain: int
    quote: int  # a Quote span id in the seed article
    source: int  # the Source span it is attributed to


def _find(text: str, needle: str, start: int = 0) -> tuple[int, int]:
    i = text.index(needle, start)
    return i, i + len(needle)


@pytest.fixture
def corpus(tmp_path: Path) -> Corpus:
    path = tmp_path / "corpus.annot"
    with Project.open(path, backups=False) as project:
        labels = {label.name: label.id for label in project.labels()}
        seed_text = SAMPLE.read_text(encoding="utf-8").replace("\r\n", "\n").lstrip("\ufeff")
        seed, _ = project.add_article(
            ArticleDraft(
                text=seed_text,
                title="Putin, Trump to talk",
                source="ZeroHedge",
                published="2017-01-28",
            )
        )
        awkward, _ = project.add_article(
            ArticleDraft(
                text=AWKWARD, title="Awkward ✓", source="Test Wire", published="2017-02-03"
            )
        )
        plain, _ = project.add_article(
            ArticleDraft(text="Nothing to see here. The weather is fine.", title="Plain")
        )
        start, end = _find(seed_text, '"This is the first telephone contact')
        end = seed_text.index('patient."', start) + len('patient."')
        quote = project.add_span(seed, start, end, labels["Quote"], "ann").id
        s, e = _find(seed_text, "Peskov said")
        source = project.add_span(seed, s, s + len("Peskov"), labels["Source"], "ann").id
        project.add_relation(quote, source, DEFAULT_RELATION_TYPE, "ann")
        s, e = _find(seed_text, "presidential spokesman Dmitry Peskov")
        project.add_span(seed, s, e, labels["Source"], "bob")
        s, e = _find(seed_text, "he is prepared to review the sanctions that Washington imposed")
        project.add_span(
            seed,
            s,
            e,
            labels["Claim"],
            "ann",
            attributes={
                "verdict": "mostly true",
                "checker": "Ana",
                "claim_status": "checked",
                "evidence": '["https://example.org/a", "span:2:0-1"]',
            },
        )
        s, e = _find(AWKWARD, "«مصدر مطلع»")
        anon = project.add_span(awkward, s, e, labels["Source"], "ann").id
        s, e = _find(AWKWARD, "sanctions would stay")
        q2 = project.add_span(awkward, s, e, labels["Quote"], "ann").id
        project.add_relation(q2, anon, DEFAULT_RELATION_TYPE, "ann")
        s, e = _find(AWKWARD, "Officials")
        officials = project.add_span(awkward, s, e, labels["Source"], "ann").id
        s, e = _find(AWKWARD, '"The sanctions regime is here to stay."')
        q3 = project.add_span(awkward, s, e, labels["Quote"], "bob").id
        project.add_relation(q3, officials, DEFAULT_RELATION_TYPE, "bob")
        s, e = _find(AWKWARD, "Café\u0301 sanctions")
        project.add_span(awkward, s, e, labels["Claim"], "bob")
    return Corpus(path, seed, awkward, plain, quote, source)
