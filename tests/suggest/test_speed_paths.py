"""The quick paths of the suggester find exactly what the plain ones do: cues matched on hash
arrays against spaCy's Matcher, and line breaks found on arrays against a token-by-token pass,
over the benchmark article, news-like generated articles, real comments and random texts."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.matcher import Matcher

from annotator.suggest import Suggester
from annotator.suggest.cues import CueMatcher, array_tests
from annotator.suggest.rules import load_rules
from annotator.suggest.suggester import _paragraph_breaks
from tests.benchmarks.bench_suggest import benchmark_article
from tests.benchmarks.corpus import make_article

CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora"

# Patterns of every shape a project's file may hold: the array path takes the first ones, the
# Matcher the rest (operators, other attributes, regular expressions).
ODD_PATTERNS: list[tuple[str, list[dict[str, object]]]] = [
    ("Source", [{"ORTH": "Kremlin"}]),
    ("Source", [{"TEXT": {"IN": ["Trump", "Putin", "White"]}}, {"LOWER": "house"}]),
    ("HEDGE", [{"lower": {"IN": ["may", "Could"]}, "ORTH": {"NOT_IN": ["May"]}}]),
    ("SAY", [{"LOWER": "said"}, {}, {"LOWER": {"NOT_IN": ["the", "a"]}}]),
    ("NEGATION", [{"LOWER": "n't"}]),
    ("Claim", [{"LOWER": "the"}, {"IS_TITLE": True}]),
    ("SAY", [{"LOWER": "told"}, {"OP": "?"}, {"LOWER": "reporters"}]),
    ("Source", [{"TEXT": {"REGEX": "^Mr"}}]),
]


def _texts() -> list[str]:
    rng = random.Random(17)
    texts = [benchmark_article(), "", "\n", '"', "said", "May 1. He said not."]
    texts += [make_article(rng, 1500, crlf=i % 3 == 0, title=f"T{i}")[0] for i in range(40)]
    comments = CORPORA / "toxic-spans-acl2022" / "comments.csv"
    if comments.is_file():
        with comments.open(encoding="utf-8", newline="") as stream:
            for n, row in enumerate(csv.DictReader(stream)):
                if n >= 300:
                    break
                texts.append(row["comment_text"])
    return texts


TEXTS = _texts()
NEWSY = st.lists(
    st.sampled_from(
        list("aeiou sdtnMKT.,;:!?\"“”«»'’—-\n\r\u00a0\u200b")
        + ["said ", "May ", "may ", "could ", "n't ", "not ", "according to ", "told ", "the "]
        + ["is set to ", "Kremlin ", "White House", "👍🏽", "e\u0301", "قال "]
    ),
    max_size=120,
).map("".join)


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


def _both(nlp, patterns) -> tuple[CueMatcher, Matcher]:
    quick, plain = CueMatcher(nlp.vocab), Matcher(nlp.vocab)
    for label, pattern in patterns:
        quick.add(label, pattern)
        plain.add(label, [pattern])
    return quick, plain


def _plain_matches(nlp, matcher: Matcher, doc) -> list[tuple[str, int, int]]:
    found = {(nlp.vocab.strings[key], start, end) for key, start, end in matcher(doc)}
    return sorted(found, key=lambda m: (m[1], m[2], m[0]))


def _patterns():
    rules = load_rules()
    default = [(p.label, p.pattern) for p in rules.resolved_patterns()]
    return default + ODD_PATTERNS


def test_default_patterns_all_take_the_array_path(nlp) -> None:
    for spec in load_rules().resolved_patterns():
        assert array_tests(spec.pattern, nlp.vocab.strings) is not None, spec.origin
    taken = [array_tests(p, nlp.vocab.strings) is not None for _, p in ODD_PATTERNS]
    assert taken == [True] * 5 + [False] * 3


def test_cue_matcher_equals_spacy_matcher_on_corpus_texts(nlp) -> None:
    quick, plain = _both(nlp, _patterns())
    matched = 0
    for text in TEXTS:
        doc = nlp(text)
        found = quick(doc)
        assert found == _plain_matches(nlp, plain, doc), text[:80]
        matched += len(found)
    assert matched > 1000  # the texts do hold cues of every kind


@settings(max_examples=300, deadline=None)
@given(NEWSY)
def test_cue_matcher_equals_spacy_matcher_on_any_text(text: str) -> None:
    nlp = _NLP
    doc = nlp(text)
    assert _QUICK(doc) == _plain_matches(nlp, _PLAIN, doc)


def _reference_paragraph_breaks(doc):
    """The token-by-token pass the array version replaced."""
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
            token.is_sent_start = True
            doc[token.i + 1].is_sent_start = False
    return doc


def _sentence_starts(text: str, component) -> list[int]:
    nlp = _SENT_NLP
    doc = nlp.get_pipe("sentencizer")(nlp.make_doc(text))
    return [t.i for t in component(doc) if t.is_sent_start]


def test_paragraph_breaks_equal_the_token_by_token_pass() -> None:
    breaks = 0
    for text in TEXTS:
        starts = _sentence_starts(text, _paragraph_breaks)
        assert starts == _sentence_starts(text, _reference_paragraph_breaks), text[:80]
        breaks += len(starts)
    assert breaks > 500


@settings(max_examples=300, deadline=None)
@given(NEWSY)
def test_paragraph_breaks_equal_the_token_by_token_pass_on_any_text(text: str) -> None:
    assert _sentence_starts(text, _paragraph_breaks) == _sentence_starts(
        text, _reference_paragraph_breaks
    )


def test_suggester_with_a_projects_odd_patterns_runs_both_paths(tmp_path: Path) -> None:
    extra = tmp_path / "mine.jsonl"
    lines = [
        {"label": "Source", "pattern": [{"ORTH": "Kremlin"}]},  # array path
        {"label": "Source", "pattern": [{"TEXT": {"REGEX": "^Mr$"}}, {"IS_TITLE": True}]},
        {"label": "SAY", "pattern": [{"LOWER": "quipped"}, {"OP": "?"}]},
    ]
    extra.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    suggester = Suggester(extra_patterns=[extra])
    text = "Mr Smith quipped the Kremlin would act. “We will not wait,” he told reporters."
    result = suggester.suggest(text)
    labels = {(s.label, text[s.start : s.end]) for s in result.spans}
    assert ("Source", "Kremlin") in labels and ("Source", "Mr Smith") in labels
    assert ("Quote", "the Kremlin would act") in labels  # 'quipped' is a speech verb now


_NLP = spacy.blank("en")
_QUICK, _PLAIN = _both(_NLP, _patterns())
_SENT_NLP = spacy.blank("en")
_SENT_NLP.add_pipe("sentencizer")
