"""Importing JSON Lines: metadata, spans, relations, exact offsets, duplicates, bad records."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.store import Project

CRLF_TEXT = "Kremlin call\r\n“Getting along with Russia is a great thing,” Trump said.\r\nEnd."
UNICODE_TEXT = (
    "Fans waved 🇺🇸 flags 👍🏽 outside the café (cafe\u0301) at 5\u00a0pm.\n"
    "قال المتحدث إن الاتصال كان إيجابيا.\n"
    "Expect many tweets to follow both phone calls."
)


def test_article_fields_meta_and_spans(project: Project, write_jsonl, run_import, span_at) -> None:
    text = "Peskov said the call would be “congratulatory”. Sanctions will dominate, he added."
    path = write_jsonl(
        "one.jsonl",
        {
            "text": text,
            "title": "Kremlin on the call",
            "meta": {
                "source": "Reuters",
                "author": "A. Writer",
                "url": "https://example.com/a",
                "published": "2017-01-28",
                "status": "done",
                "section": "World",
                "tags": ["russia", "usa"],
            },
            "spans": [
                span_at(text, "Peskov", "Source"),
                span_at(
                    text,
                    "“congratulatory”",
                    "Quote",
                    text="“congratulatory”",
                    annotator="alice",
                    note="scare quotes",
                    attributes={"confidence": "high"},
                ),
                span_at(text, "Sanctions will dominate", "Rumour"),
            ],
            "relations": [
                {"head": 1, "child": 0, "label": "attributed_to"},
                {"head": 2, "child": 0, "type": "said_by"},
            ],
        },
    )
    labels_before = project.counts()["labels"]
    summary = run_import(path)
    assert (summary.articles_added, summary.spans_added, summary.relations_added) == (1, 3, 2)
    assert summary.rejections == []
    article = project.article(summary.article_ids[0])
    assert (article.title, article.source, article.author) == (
        "Kremlin on the call",
        "Reuters",
        "A. Writer",
    )
    assert (article.url, article.published, article.status) == (
        "https://example.com/a",
        "2017-01-28",
        "done",
    )
    assert article.meta == {"section": "World", "tags": ["russia", "usa"]}
    spans = project.spans(article.id)
    assert [(s.text, project.label(s.label_id).name, s.annotator) for s in spans] == [
        ("Peskov", "Source", "tester"),
        ("“congratulatory”", "Quote", "alice"),
        ("Sanctions will dominate", "Rumour", "tester"),
    ]
    assert spans[1].note == "scare quotes" and spans[1].attributes == {"confidence": "high"}
    assert project.counts()["labels"] == labels_before + 1  # "Rumour" was created
    relations = project.relations(article.id)
    assert [(r.head_id, r.child_id, r.type, r.annotator) for r in relations] == [
        (spans[1].id, spans[0].id, "attributed_to", "alice"),
        (spans[2].id, spans[0].id, "said_by", "tester"),
    ]


def test_title_defaults_to_first_line_and_blank_lines_are_ignored(
    project: Project, write_jsonl, run_import
) -> None:
    path = write_jsonl(
        "two.jsonl",
        "",
        {"text": "\n  First line\nsecond"},
        "   ",
        {"text": "Other", "meta": {"title": "From meta"}},
    )
    summary = run_import(path)
    assert summary.articles_added == 2 and summary.rejections == []
    titles = [project.article(i).title for i in summary.article_ids]
    assert titles == ["First line", "From meta"]


def test_crlf_offsets_are_remapped_to_the_stored_text(
    project: Project, write_jsonl, run_import, span_at
) -> None:
    covered = [
        "“Getting along with Russia is a great thing,”",
        "call\r\n“Getting",  # crosses a line break
        "End.",
    ]
    spans = [span_at(CRLF_TEXT, c, text=c) for c in covered]
    summary = run_import(write_jsonl("crlf.jsonl", {"text": CRLF_TEXT, "spans": spans}))
    assert summary.rejections == [] and summary.spans_added == 3
    article_id = summary.article_ids[0]
    stored = project.article_text(article_id)
    assert stored == CRLF_TEXT.replace("\r\n", "\n")
    got = sorted((s.start, s.text) for s in project.spans(article_id))
    for start, span_text in got:
        assert stored[start : start + len(span_text)] == span_text
    assert sorted(t for _, t in got) == sorted(c.replace("\r\n", "\n") for c in covered)
    for span in project.spans(article_id):
        assert stored[span.start : span.end] == span.text


def test_bom_at_start_of_text_is_dropped_and_offsets_follow(
    project: Project, write_jsonl, run_import
) -> None:
    text = "\ufeffPutin spoke."
    summary = run_import(
        write_jsonl(
            "bom.jsonl",
            {"text": text, "spans": [{"start": 1, "end": 6, "label": "Source", "text": "Putin"}]},
        )
    )
    article_id = summary.article_ids[0]
    assert project.article_text(article_id) == "Putin spoke."
    [span] = project.spans(article_id)
    assert (span.start, span.end, span.text) == (0, 5, "Putin")


@pytest.mark.parametrize("ensure_ascii", [True, False], ids=["escaped", "raw-utf8"])
@pytest.mark.parametrize(
    "covered",
    [
        "🇺🇸",
        "👍🏽",
        "🇺🇸 flags 👍🏽",
        "cafe\u0301",
        "5\u00a0pm",
        "قال المتحدث",
        "الاتصال كان إيجابيا",
        "Expect many tweets to follow both phone calls.",
    ],
)
def test_offsets_count_code_points_exactly(
    project: Project, write_jsonl, run_import, span_at, covered: str, ensure_ascii: bool
) -> None:
    path = write_jsonl(
        "u.jsonl",
        {"text": UNICODE_TEXT, "spans": [span_at(UNICODE_TEXT, covered, text=covered)]},
        ensure_ascii=ensure_ascii,
    )
    summary = run_import(path)
    assert summary.rejections == []
    article_id = summary.article_ids[0]
    stored = project.article_text(article_id)
    assert stored == UNICODE_TEXT
    [span] = project.spans(article_id)
    assert stored[span.start : span.end] == covered == span.text


def test_same_file_twice_adds_nothing_the_second_time(
    project: Project, write_jsonl, run_import, span_at
) -> None:
    text = "Trump said it was “a great thing”."
    path = write_jsonl(
        "dup.jsonl",
        {
            "text": text,
            "spans": [span_at(text, "Trump", "Source"), span_at(text, "“a great thing”")],
            "relations": [{"head": 1, "child": 0}],
        },
        {"text": "Second article."},
    )
    first = run_import(path)
    assert (first.articles_added, first.duplicates, first.spans_added) == (2, 0, 2)
    assert first.relations_added == 1
    after_first = project.counts()
    second = run_import(path)
    assert (second.articles_added, second.duplicates) == (0, 2)
    assert (second.spans_added, second.relations_added) == (0, 0)
    assert second.article_ids == first.article_ids
    assert project.counts() == after_first


def test_spans_of_a_duplicate_article_join_the_existing_one(
    project: Project, write_jsonl, run_import, span_at
) -> None:
    text = "Peskov said the call was congratulatory."
    run_import(write_jsonl("a.jsonl", {"text": text, "spans": [span_at(text, "Peskov", "Source")]}))
    # Same text with CRLF-free identity; one exact duplicate, one new layer, one new label.
    summary = run_import(
        write_jsonl(
            "b.jsonl",
            {
                "text": text,
                "spans": [
                    span_at(text, "Peskov", "Source"),  # exact duplicate: skipped
                    span_at(text, "Peskov", "Source", annotator="bob"),  # other annotator: added
                    span_at(text, "congratulatory", "Claim"),
                    span_at(text, "congratulatory", "Claim"),  # repeated within the record: skipped
                ],
                "relations": [{"head": 0, "child": 2, "type": "about"}],
            },
        )
    )
    assert (summary.articles_added, summary.duplicates) == (0, 1)
    assert (summary.spans_added, summary.relations_added) == (2, 1)
    [article_id] = summary.article_ids
    spans = project.spans(article_id)
    assert sorted((s.text, s.annotator) for s in spans) == [
        ("Peskov", "bob"),
        ("Peskov", "tester"),
        ("congratulatory", "tester"),
    ]
    [relation] = project.relations(article_id)
    peskov = next(s for s in spans if s.text == "Peskov" and s.annotator == "tester")
    assert relation.head_id == peskov.id  # the existing span, found again


def test_duplicate_within_one_batch(project: Project, write_jsonl, run_import) -> None:
    path = write_jsonl("d.jsonl", {"text": "Same text."}, {"text": "Same text."})
    other = write_jsonl("e.jsonl", {"text": "Same text.", "title": "elsewhere"})
    summary = run_import(path, other)
    assert (summary.articles_added, summary.duplicates) == (1, 2)
    assert len(summary.article_ids) == 1
    assert project.counts()["articles"] == 1


GOOD = {"text": "Good article.", "spans": [{"start": 0, "end": 4, "label": "Claim"}]}
BAD_TEXT = "Trump said hello."


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ('{"text": "unterminated', "malformed JSON"),
        ("[1, 2]", "JSON object"),
        ({"title": "no text"}, "missing 'text'"),
        ({"text": 42}, "'text' must be a string"),
        ({"text": "   "}, "text is empty"),
        ({"text": "\u0000\u0000"}, "text is empty"),
        ('{"text": "broken \\ud83c surrogate"}', "surrogate"),
        (
            {"text": BAD_TEXT, "spans": [{"start": 11, "end": 99, "label": "Quote"}]},
            "outside the text (17 characters)",
        ),
        ({"text": BAD_TEXT, "spans": [{"start": -1, "end": 3, "label": "Quote"}]}, "outside"),
        (
            {"text": BAD_TEXT, "spans": [{"start": 5, "end": 5, "label": "Quote"}]},
            "start 5 is not before end 5",
        ),
        ({"text": BAD_TEXT, "spans": [{"start": 9, "end": 5, "label": "Quote"}]}, "not before"),
        (
            {
                "text": BAD_TEXT,
                "spans": [{"start": 0, "end": 5, "label": "Source", "text": "Trum"}],
            },
            "does not match",
        ),
        (
            {"text": BAD_TEXT, "spans": [{"start": 0.0, "end": 5, "label": "Source"}]},
            "'start' must be a whole number",
        ),
        (
            {"text": BAD_TEXT, "spans": [{"start": "0", "end": 5, "label": "Source"}]},
            "whole number",
        ),
        (
            {"text": BAD_TEXT, "spans": [{"start": 0, "end": True, "label": "Source"}]},
            "'end' must be a whole number",
        ),
        ({"text": BAD_TEXT, "spans": [{"start": 0, "end": 5}]}, "'label'"),
        (
            {
                "text": BAD_TEXT,
                "spans": [
                    {"start": 0, "end": 5, "label": "Source"},
                    {"start": 11, "end": 16, "label": "Quote"},
                ],
                "relations": [{"head": 1, "child": 2}],
            },
            "'child' 2 is not the index",
        ),
        (
            {
                "text": BAD_TEXT,
                "spans": [{"start": 0, "end": 5, "label": "Source"}],
                "relations": [{"head": 0, "child": 0}],
            },
            "linked to itself",
        ),
        ({"text": BAD_TEXT, "relations": [{"head": 0, "child": 1}]}, "'head' 0 is not the index"),
        (
            {"text": "a\r\nb", "spans": [{"start": 1, "end": 2, "label": "Quote"}]},
            "dropped on import",
        ),
        ({"text": BAD_TEXT, "meta": {"status": "published"}}, "status 'published'"),
        ({"text": BAD_TEXT, "meta": "not a dict"}, "'meta' must be an object"),
        ({"text": BAD_TEXT, "spans": {"start": 0}}, "'spans' must be a list"),
        ({"text": BAD_TEXT, "author": ["x"]}, "author must be a string"),
    ],
)
def test_bad_line_is_rejected_whole_and_others_imported(
    project: Project, write_jsonl, run_import, bad, message: str
) -> None:
    path = write_jsonl("mixed.jsonl", GOOD, bad, {"text": "Third article."})
    before = project.counts()
    summary = run_import(path)
    assert len(summary.rejections) == 1, summary.rejections
    rejection = summary.rejections[0]
    assert (rejection.path, rejection.line) == (path, 2)
    assert message in rejection.message
    assert str(rejection).startswith(f"{path}:2: ")
    assert (summary.articles_added, summary.spans_added) == (2, 1)
    after = project.counts()
    assert after["articles"] == before["articles"] + 2
    assert after["spans"] == before["spans"] + 1
    assert after["relations"] == before["relations"]
    assert after["labels"] == before["labels"]
    texts = {project.article_text(i) for i in project.article_ids()}
    assert texts == {"Good article.", "Third article."}


def test_rejected_line_leaves_no_new_label(project: Project, write_jsonl, run_import) -> None:
    bad = {
        "text": BAD_TEXT,
        "spans": [
            {"start": 0, "end": 5, "label": "BrandNew"},
            {"start": 3, "end": 99, "label": "Quote"},
        ],
    }
    before = project.counts()
    summary = run_import(write_jsonl("bad.jsonl", bad))
    assert summary.rejected == 1
    assert project.counts() == before
    assert project.label_by_name("BrandNew") is None


def test_nul_characters_are_dropped_and_offsets_follow(
    project: Project, write_jsonl, run_import
) -> None:
    text = "Putin\u0000 said\u0000 hello."
    summary = run_import(
        write_jsonl(
            "nul.jsonl",
            {
                "text": text,
                "spans": [
                    {"start": 7, "end": 11, "label": "Quote", "text": "said"},
                    {"start": 0, "end": 6, "label": "Source"},
                ],
            },
        )
    )
    assert summary.rejections == []
    article_id = summary.article_ids[0]
    assert project.article_text(article_id) == "Putin said hello."
    assert sorted(s.text for s in project.spans(article_id)) == ["Putin", "said"]


def test_line_numbers_count_blank_lines(project: Project, write_jsonl, run_import) -> None:
    path = write_jsonl("lines.jsonl", GOOD, "", "", "{oops")
    summary = run_import(path)
    assert [(r.line, r.path) for r in summary.rejections] == [(4, path)]


def test_jsonl_keeps_unicode_line_separators_inside_strings(
    project: Project, inputs: Path, run_import
) -> None:
    path = inputs / "sep.jsonl"
    path.write_bytes('{"text": "one\u2028two\u0085three"}\n'.encode())
    summary = run_import(path)
    assert summary.rejections == []
    assert project.article_text(summary.article_ids[0]) == "one\u2028two\u0085three"


def test_a_line_of_bad_bytes_costs_only_that_line(
    project: Project, inputs: Path, run_import
) -> None:
    path = inputs / "bytes.jsonl"
    path.write_bytes(
        b'{"text": "Caf\xc3\xa9 \xe2\x80\x9cquoted\xe2\x80\x9d"}\n'
        b'{"text": "Legacy caf\xe9"}\n'
        b'{"text": "Third \xe2\x82\xac"}\n'
    )
    summary = run_import(path)
    assert [(r.line, r.message) for r in summary.rejections] == [
        (2, "is not valid UTF-8 (byte 21 of the line)")
    ]
    texts = [project.article_text(i) for i in summary.article_ids]
    assert texts == ["Café “quoted”", "Third €"]


def test_utf16_jsonl_with_bom(project: Project, inputs: Path, run_import) -> None:
    path = inputs / "wide.jsonl"
    path.write_bytes('{"text": "Windows “export” €"}\r\n{"text": "Second"}\r\n'.encode("utf-16"))
    summary = run_import(path)
    assert summary.rejections == []
    assert [project.article_text(i) for i in summary.article_ids] == [
        "Windows “export” €",
        "Second",
    ]


def test_binary_file_named_jsonl_is_one_rejection(
    project: Project, inputs: Path, run_import
) -> None:
    path = inputs / "blob.jsonl"
    path.write_bytes(bytes(range(256)) * 16)
    summary = run_import(path)
    assert [(r.line, r.message) for r in summary.rejections] == [
        (None, "looks like a binary file, not text")
    ]
