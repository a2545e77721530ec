"""Each rule of the suggester on real sentences (from the seed article and news style)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.suggest import PatternError, Suggester, Suggestions
from annotator.suggest.rules import load_rules
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def suggester() -> Suggester:
    return Suggester()


def found(suggester: Suggester, text: str) -> tuple[Suggestions, list[tuple[str, str]]]:
    result = suggester.suggest(text)
    return result, [(s.label, text[s.start : s.end]) for s in result.spans]


def linked(result: Suggestions, text: str) -> set[tuple[str, str]]:
    spans = result.spans
    return {
        (
            text[spans[r.head].start : spans[r.head].end],
            text[spans[r.child].start : spans[r.child].end],
        )
        for r in result.relations
    }


def test_curly_quote_with_the_speaker_after_it(suggester: Suggester) -> None:
    text = "“I don’t know Putin, but if we can get along with Russia that’s a great thing,” Trump said."
    result, spans = found(suggester, text)
    quote = "I don’t know Putin, but if we can get along with Russia that’s a great thing,"
    assert ("Quote", quote) in spans
    assert ("Source", "Trump") in spans
    assert linked(result, text) == {(quote, "Trump")}


def test_straight_quote_with_the_speaker_before_it(suggester: Suggester) -> None:
    text = (
        "Asked by reporters if Ukraine would come up, Peskov said: \"We'll see, let's be patient.\""
    )
    result, spans = found(suggester, text)
    assert ("Quote", "We'll see, let's be patient.") in spans
    assert linked(result, text) == {("We'll see, let's be patient.", "Peskov")}
    # "would" in a sentence of reported speech is no speculation
    assert not [s for s in spans if s[0] == "Speculation"]


def test_speaker_verb_first_after_the_quote(suggester: Suggester) -> None:
    text = "“The talks will go on for as long as they need,” said Dmitry Peskov, the Kremlin spokesman."
    result, spans = found(suggester, text)
    assert ("Source", "Dmitry Peskov") in spans
    assert len(result.relations) == 1


def test_pronoun_speaker_resolved_when_one_named_speaker_precedes(suggester: Suggester) -> None:
    text = (
        "Trump said it would be to the advantage of both Russia and the US to mend ties. "
        "“We go out together and knock the hell out of ISIS,” he said."
    )
    result, spans = found(suggester, text)
    he = next(s for s in result.spans if text[s.start : s.end] == "he")
    assert he.label == "Source" and he.attributes == {"refers_to": "Trump"}


def test_pronoun_speaker_dropped_when_two_named_speakers_precede(suggester: Suggester) -> None:
    text = (
        "Merkel said the call went well. Putin said it was useful. "
        "“We will talk again in the spring, and often,” she said."
    )
    result, spans = found(suggester, text)
    assert ("Quote", "We will talk again in the spring, and often,") in spans
    assert ("Source", "she") not in spans  # Merkel or Putin? not for the rules to guess


def test_nested_quotes_make_one_quote(suggester: Suggester) -> None:
    text = (
        'Doyle says: "I mean, a surgeon and former minister is drumming up support by attacking '
        '“the elites” in Canada. Aren’t such people struck down for hypocrisy?"'
    )
    result, spans = found(suggester, text)
    quotes = [s for s in spans if s[0] == "Quote"]
    assert (
        len(quotes) == 1
        and quotes[0][1].startswith("I mean")
        and quotes[0][1].endswith("hypocrisy?")
    )
    assert ("Source", "Doyle") in spans


def test_quote_over_paragraphs_that_each_reopen_the_mark(suggester: Suggester) -> None:
    text = (
        "The minister told parliament:\n\n"
        "“We have heard the farmers and we will answer them.\n\n"
        "“The new rules will be ready by the spring, and no one will be left out.”\n\n"
        "The opposition was not convinced."
    )
    result, spans = found(suggester, text)
    quotes = [s for s in spans if s[0] == "Quote"]
    assert quotes == [
        (
            "Quote",
            "We have heard the farmers and we will answer them.\n\n“The new rules will be ready "
            "by the spring, and no one will be left out.",
        )
    ]


def test_unclosed_quote_is_no_quote(suggester: Suggester) -> None:
    text = (
        "“We have heard the farmers and we will answer them, said the minister.\n\nNext paragraph."
    )
    _, spans = found(suggester, text)
    assert not [s for s in spans if s[0] == "Quote"]


def test_scare_quotes_are_not_quotes(suggester: Suggester) -> None:
    text = 'The "politically correct" stand ready to dump people into bins labelled "racist".'
    _, spans = found(suggester, text)
    assert not [s for s in spans if s[0] in ("Quote", "Source")]


def test_indirect_speech_with_and_without_that(suggester: Suggester) -> None:
    text = (
        "Peskov said he had no information on reports that Trump is considering lifting sanctions. "
        "Trump has said in the past that, as part of the rapprochement, he is prepared to review "
        "the sanctions."
    )
    result, spans = found(suggester, text)
    assert (
        "Quote",
        "he had no information on reports that Trump is considering lifting sanctions",
    ) in spans
    assert (
        "Quote",
        "as part of the rapprochement, he is prepared to review the sanctions",
    ) in spans
    assert ("Source", "Peskov") in spans and ("Source", "Trump") in spans
    assert len(result.relations) == 2


def test_source_after_the_reported_clause(suggester: Suggester) -> None:
    text = (
        "Presidents Vladimir Putin and Donald Trump will hold a phone call on Saturday, "
        "the Kremlin said."
    )
    result, spans = found(suggester, text)
    assert (
        "Quote",
        "Presidents Vladimir Putin and Donald Trump will hold a phone call on Saturday",
    ) in spans
    assert ("Source", "the Kremlin") in spans
    assert len(result.relations) == 1


def test_described_source_and_an_aside_between_speaker_and_verb(suggester: Suggester) -> None:
    text = (
        "The source in Berlin familiar with plans for the Trump-Merkel call said it would be "
        "unpleasant if Trump were to lift sanctions. "
        "Putin, at a news conference in December, said he would reciprocate."
    )
    _, spans = found(suggester, text)
    assert ("Source", "The source in Berlin familiar with plans for the Trump-Merkel call") in spans
    assert ("Source", "Putin") in spans
    assert ("Quote", "he would reciprocate") in spans


def test_according_to(suggester: Suggester) -> None:
    text = "That call is expected to focus on Russia, according to a Reuters source."
    result, spans = found(suggester, text)
    assert ("Source", "a Reuters source") in spans
    assert ("Quote", "That call is expected to focus on Russia") in spans
    assert ("Speculation", "That call is expected to focus on Russia") in spans
    assert linked(result, text) == {
        ("That call is expected to focus on Russia", "a Reuters source")
    }


def test_speculation_hedges_and_predictions(suggester: Suggester) -> None:
    text = (
        "Expect many tweets to follow both phone calls. "
        "Such a move is likely to face resistance from politicians, who argue otherwise. "
        "If Putin and Trump can establish a rapport, it could pave the way for deals on Syria. "
        "That would displease some of Washington's allies too."
    )
    _, spans = found(suggester, text)
    spec = [s[1] for s in spans if s[0] == "Speculation"]
    assert spec == [
        "Expect many tweets to follow both phone calls",
        "Such a move is likely to face resistance from politicians",
        "If Putin and Trump can establish a rapport, it could pave the way for deals on Syria",
        "That would displease some of Washington's allies too",
    ]


def test_negated_modals_and_the_month_may_are_no_speculation(suggester: Suggester) -> None:
    text = "It couldn't be worse. Wouldn't it be nice to get along? The talks ended in May."
    _, spans = found(suggester, text)
    assert not [s for s in spans if s[0] == "Speculation"]


def test_offsets_are_code_points_with_emoji_combining_marks_nbsp_and_rtl(
    suggester: Suggester,
) -> None:
    text = (
        "🇩🇪👍 Café\u0301\u00a0news — שלום.\r\n"
        "“We will see what happens next week,” the spokeswoman said.\r\n"
        "It could rain 🌧 tomorrow."
    )
    result, spans = found(suggester, text)
    assert ("Quote", "We will see what happens next week,") in spans
    assert ("Source", "the spokeswoman") in spans
    assert ("Speculation", "It could rain 🌧 tomorrow") in spans
    for span in result.spans:
        assert 0 <= span.start < span.end <= len(text)


def test_seed_article_suggestions(suggester: Suggester) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    result, spans = found(suggester, text)
    assert ("Speculation", "Expect many tweets to follow both phone calls") in spans
    assert ("Source", "The source in Berlin familiar with plans for the Trump-Merkel call") in spans
    assert ("Quote", "It doesn't mean that we go along.") in spans


def test_empty_and_blank_articles(suggester: Suggester) -> None:
    for text in ("", "   \n\n ", "\u00a0"):
        assert suggester.suggest(text).spans == []


def test_long_single_line_is_read_in_pieces_with_exact_offsets(suggester: Suggester) -> None:
    sentence = "Such a move is likely to face resistance, the Kremlin said. "
    text = sentence * 4000  # 240,000 characters on one line: more than one piece
    result = suggester.suggest(text)
    spec = [s for s in result.spans if s.label == "Speculation"]
    assert len(spec) == 4000
    assert all(text[s.start : s.end] == "Such a move is likely to face resistance" for s in spec)


def test_project_patterns_add_spans_and_words(tmp_path: Path) -> None:
    own = tmp_path / "patterns.jsonl"
    own.write_text(
        json.dumps({"label": "Source", "pattern": "the White House"})
        + "\n"
        + json.dumps({"list": "speech_verbs", "words": ["quipped"]})
        + "\n",
        encoding="utf-8",
    )
    custom = Suggester(extra_patterns=[own])
    text = "Peskov quipped that the talks were over. We asked the White House about it."
    _, spans = found(custom, text)
    assert ("Source", "the White House") in spans
    assert ("Quote", "the talks were over") in spans


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "is not a JSON object"),
        ('["a"]', "is not a JSON object"),
        ('{"pattern": "x"}', "has no 'label'"),
        ('{"label": "SAYS", "pattern": "x"}', "no cue the suggester knows"),
        ('{"label": "Source", "pattern": 3}', "'pattern' must be"),
        ('{"label": "Source", "pattern": [{"LOWER": {"IN": "@nope"}}]}', "names no word list"),
        ('{"list": "verbs", "words": ["a"]}', "'list' must be one of"),
        ('{"label": "Source", "pattern": [{"LOWERR": "x"}]}', "spaCy refuses the pattern"),
    ],
)
def test_malformed_pattern_files_name_file_and_line(
    tmp_path: Path, line: str, message: str
) -> None:
    bad = tmp_path / "mine.jsonl"
    bad.write_text(
        '{"label": "Source", "pattern": "the Kremlin"}\n\n' + line + "\n", encoding="utf-8"
    )
    with pytest.raises(PatternError) as caught:
        Suggester(extra_patterns=[bad])
    assert caught.value.path == bad and caught.value.line == 3
    assert message in str(caught.value) and f"{bad}, line 3" in str(caught.value)


def test_pattern_file_that_is_not_utf8_or_missing(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.jsonl"
    bad.write_bytes(
        b'{"label": "Source", "pattern": "x"}\n{"label": "Source", "pattern": "caf\xe9"}\n'
    )
    with pytest.raises(PatternError, match="line 2: is not UTF-8"):
        load_rules([bad])
    with pytest.raises(PatternError, match="cannot be read"):
        load_rules([tmp_path / "missing.jsonl"])
